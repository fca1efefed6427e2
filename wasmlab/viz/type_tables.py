"""The TypeTables of a blob as a graph: one node per function, module and instance
signature, edges for what a signature refers to (a module's imports and the instance type
of its exports, an instance's exports), and one node per module of the blob pointing at its
own module signature. The same tables show as an HTML table through
`TypeTables._repr_html_`."""

from __future__ import annotations

from typing import Any

from . import register
from .initializers import SvgDigraph, _blob_of, _esc, _lines


def _edge_to(g: SvgDigraph, src: str, e: Any, node: str, label: str) -> None:
    """An edge from `src` to the TypeTables entry `e` names, or to a plain node `node` that
    shows a table/memory/global type."""
    target = e.ref
    if target is None:
        g.node(node, label=_esc(f"{e.kind.text} {e.index}"), shape="plaintext", style="")
        target = node
    g.edge(src, target, label=_esc(label))


def type_tables_graph(tables: Any, blob: Any = None) -> SvgDigraph:
    """A graph of a `TypeTables` (and, given its `Blob`, which module has which type)."""
    g = SvgDigraph(
        "type_tables",
        graph_attr={"rankdir": "LR", "fontname": "Helvetica", "label": "TypeTables", "labelloc": "t"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    for i, ft in enumerate(tables.wasm_signatures):
        g.node(f"sig{i}", label=_lines(f"sig{i}", str(ft)), fillcolor="#dbeafe")
    for i, m in enumerate(tables.module_signatures):
        g.node(f"mod{i}", label=_lines(f"mod{i}", f"module: {len(m.imports)} imports"), fillcolor="#fef3c7")
        g.edge(f"mod{i}", f"inst{tables.instance_index(m)}", label="exports")
        for k, (mod, field, e) in enumerate(m.imports):
            where = f'"{mod}"' if field is None else f'"{mod}" "{field}"'
            _edge_to(g, f"mod{i}", tables.entity(e), f"mod{i}_imp{k}", f"import {where}")
    for i, s in enumerate(tables.instance_signatures):
        g.node(
            f"inst{i}", label=_lines(f"inst{i}", f"instance: {len(s.exports)} exports"), fillcolor="#dcfce7"
        )
        for k, (name, e) in enumerate(s.exports):
            _edge_to(g, f"inst{i}", tables.entity(e), f"inst{i}_exp{k}", f'"{name}"')
    if blob is not None:
        for info in blob.modules:
            node = f"module{info.index}"
            g.node(node, label=_esc(f"module {info.path}"), shape="folder", fillcolor="#f1f5f9")
            g.edge(node, f"mod{info.signature}", style="dashed", label="type")
    return g


def _builder(module: Any, func: str | int | None = None) -> SvgDigraph:
    blob, _ = _blob_of(module)
    return type_tables_graph(blob.types, blob)


register("types", _builder, "module linking: the TypeTables (function, module, instance signatures)")

__all__ = ["type_tables_graph"]
