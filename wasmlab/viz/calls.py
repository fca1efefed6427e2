"""The call graph: which function calls which, directly (`call`) or maybe through a table
(`call_indirect`: every function of the right type the table can hold)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import graphviz

from ..syntax.module import Alias, Import, Module
from ..syntax.types import ExternKind, FuncType
from . import register


def _ref_funcs(exprs: list[list[Any]]) -> list[int]:
    out = []
    for expr in exprs:
        for ins in expr:
            if ins.op.name == "ref.func":
                out.append(ins.imm)
    return out


def table_candidates(module: Module) -> dict[int, set[int]]:
    """For each table index: the functions that may be stored in it (over-approximated)."""
    active: dict[int, set[int]] = defaultdict(set)
    passive: set[int] = set()
    for seg in module.elems:
        funcs = _ref_funcs(seg.init)
        if seg.mode == "active":
            active[seg.table].update(funcs)
        elif seg.mode == "passive":
            passive.update(funcs)
    code_refs: set[int] = set()
    init_tables: set[int] = set()
    set_tables: set[int] = set()
    for f in module.funcs:
        for ins in f.body:
            name = ins.op.name
            if name == "ref.func":
                code_refs.add(ins.imm)
            elif name == "table.init":
                init_tables.add(ins.imm[1])
            elif name in ("table.set", "table.fill", "table.grow"):
                set_tables.add(ins.imm)
            elif name == "table.copy":
                set_tables.add(ins.imm[0])
    for seg in module.elems:
        if seg.mode == "declarative":
            code_refs.update(_ref_funcs(seg.init))
    ntables = len(module.all_table_types())
    out: dict[int, set[int]] = {}
    for t in range(ntables):
        cands = set(active.get(t, ()))
        if t in init_tables:
            cands |= passive
        if t in set_tables:
            cands |= code_refs | passive
        out[t] = cands
    # table.copy moves references between tables: be generous
    if any(ins.op.name == "table.copy" for f in module.funcs for ins in f.body):
        every = set().union(*out.values()) if out else set()
        for t in set_tables:
            out[t] = out.get(t, set()) | every
    return out


def call_edges(module: Module) -> list[tuple[int, int | str, str]]:
    """(caller, callee, kind) with kind 'call', 'tail' (return_call), 'indirect:<table>' or
    'tail-indirect:<table>'; callee 'unknown:<t>' for an imported table whose contents are not known."""
    nimported = module.base_index(ExternKind.FUNC)
    types = module.all_func_types()
    imported_tables = len(module.imports_of(ExternKind.TABLE))
    tables = table_candidates(module)
    seen: set[tuple[int, Any, str]] = set()
    edges: list[tuple[int, int | str, str]] = []
    for i, f in enumerate(module.funcs):
        caller = nimported + i
        for ins in f.body:
            name = ins.op.name
            if name in ("call", "return_call"):
                key: tuple[int, Any, str] = (caller, ins.imm, "call" if name == "call" else "tail")
                if key not in seen:
                    seen.add(key)
                    edges.append(key)
            elif name in ("call_indirect", "return_call_indirect"):
                typeidx, table = ins.imm
                want = module.types[typeidx] if 0 <= typeidx < len(module.types) else None
                kind = f"indirect:{table}" if name == "call_indirect" else f"tail-indirect:{table}"
                for callee in sorted(tables.get(table, ())):
                    if 0 <= callee < len(types) and isinstance(want, FuncType) and types[callee] == want:
                        key = (caller, callee, kind)
                        if key not in seen:
                            seen.add(key)
                            edges.append(key)
                if table < imported_tables:
                    key = (caller, f"unknown:{table}", kind)
                    if key not in seen:
                        seen.add(key)
                        edges.append(key)
    return edges


def call_graph(module: Module, func: Any = None) -> graphviz.Digraph:
    g = graphviz.Digraph("calls", graph_attr={"rankdir": "LR", "fontname": "Helvetica"},
                         node_attr={"fontname": "Helvetica", "fontsize": "11"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})  # fmt: skip
    types = module.all_func_types()
    exported = {e.index: e.name for e in module.exports if e.kind is ExternKind.FUNC}
    for idx, ft in enumerate(types):
        name = module.func_name(idx)
        label = f"{name}\n{ft}"
        attrs: dict[str, str] = {"shape": "box", "style": "rounded"}
        src = module.func_source(idx)
        if isinstance(src, Import):
            label = f"{src.module}.{src.name}\n{ft}"
            attrs = {"shape": "box", "style": "dashed"}
        elif isinstance(src, Alias):
            label = f"{name}\n{ft}\n({src})"
            attrs = {"shape": "box", "style": "dashed"}
        if idx in exported and exported[idx] != name:
            label += f'\nexport "{exported[idx]}"'
        if idx in exported:
            attrs["penwidth"] = "2"
        if module.start == idx:
            label += "\n(start)"
            attrs["color"] = "darkgreen"
        g.node(f"f{idx}", label=label, **attrs)
    unknown_tables = set()
    for caller, callee, kind in call_edges(module):
        if isinstance(callee, str):
            t = callee.split(":")[1]
            if t not in unknown_tables:
                unknown_tables.add(t)
                g.node(f"t{t}", label=f"table {t} (imported)\ncontents unknown", shape="note")
            g.edge(f"f{caller}", f"t{t}", style="dashed", label=f"call_indirect {t}")
        elif kind == "call":
            g.edge(f"f{caller}", f"f{callee}")
        elif kind == "tail":
            g.edge(f"f{caller}", f"f{callee}", arrowhead="onormal", label="tail")
        else:
            tail = "tail, " if kind.startswith("tail") else ""
            table = kind.rpartition(":")[2]
            g.edge(f"f{caller}", f"f{callee}", style="dashed", color="gray40", label=f"{tail}table {table}")
    return g


register(
    "calls", call_graph, "call graph: direct calls, tail calls, and indirect calls through tables (dashed)"
)

__all__ = ["call_edges", "call_graph", "table_candidates"]
