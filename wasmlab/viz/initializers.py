"""The initializer graph: how instantiating a module (and its nested modules) proceeds.

One cluster per module of the blob, nested like the modules. Inside a cluster, one node
per module-linking initializer in order (imports, nested module definitions, instantiations,
aliases) and a node for the module's exports; edges go from the initializer that produced
an item to every initializer that consumes it (the module an `instantiate` instantiates,
its arguments, the instance an alias reads, what is exported), from a module definition
to the nested module's cluster, and from a parent's module to a child's parent alias.

`initializer_graph(module)` returns an `SvgDigraph`: a `graphviz.Digraph` whose notebook
display renders through `wasmlab.viz.render` (system `dot`, else graphviz-pure).
"""

from __future__ import annotations

from typing import Any

import graphviz

from ..syntax.types import ExternKind
from . import register

_COLORS = {
    "ImportInitializer": "#dbeafe",
    "DefineModule": "#fef3c7",
    "Instantiate": "#dcfce7",
    "AliasInstanceExport": "#f3e8ff",
    "AliasParentModule": "#fce7f3",
    "exports": "#f1f5f9",
}


class SvgDigraph(graphviz.Digraph):
    """A Digraph that notebooks show as SVG rendered by wasmlab's `dot` (no system dot needed)."""

    def _repr_svg_(self) -> str:
        from .render import render_svg

        return render_svg(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        return {"image/svg+xml": self._repr_svg_()}

    def svg(self) -> str:
        return self._repr_svg_()


def _esc(text: str) -> str:
    """Text for a DOT label (graphviz quotes it; backslashes would be escapes)."""
    return text.replace("\\", "\\\\")


def _lines(*parts: str) -> str:
    return "\\n".join(_esc(p) for p in parts)


def _blob_of(module: Any) -> tuple[Any, int]:
    from ..linking import Blob, ModuleValue, compile_blob

    if isinstance(module, ModuleValue):
        return module.blob, module.index
    if isinstance(module, Blob):
        return module, 0
    inst = getattr(module, "inst", None)  # a wasmlab.Instance
    if inst is not None and hasattr(inst, "module"):
        module = inst.module
    blob = compile_blob(module)
    return blob, blob.index_of(module)


def initializer_graph(module: Any, index: int | None = None) -> SvgDigraph:
    """The initializer graph of a validated Module (or an Instance, a module value, a Blob);
    `index` picks a module of the blob (default: the top one, with everything nested)."""
    blob, top = _blob_of(module)
    if index is not None:
        top = index
    g = SvgDigraph(
        "initializers",
        graph_attr={"rankdir": "TB", "fontname": "Helvetica", "compound": "true", "label": "initializers",
                    "labelloc": "t"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )  # fmt: skip
    # producers[module blob index][kind] = node ids, in index-space order
    producers: dict[int, dict[ExternKind, list[str]]] = {}
    anchors: dict[int, str] = {}
    edges: list[tuple[str, ...]] = []
    _cluster(g, blob, top, producers, anchors, edges)
    for a, b, label, *lhead in edges:
        if lhead:
            g.edge(a, b, label=_esc(label), lhead=lhead[0])
        else:
            g.edge(a, b, label=_esc(label))
    return g


def _cluster(
    g: Any,
    blob: Any,
    index: int,
    producers: dict[int, dict[ExternKind, list[str]]],
    anchors: dict[int, str],
    edges: list[tuple[str, ...]],
) -> None:
    from ..linking import AliasInstanceExport, AliasParentModule, DefineModule, Instantiate

    info = blob.modules[index]
    space: dict[ExternKind, list[str]] = {k: [] for k in ExternKind}
    producers[index] = space
    prefix = f"m{index}"
    sig = blob.types.module_signatures[info.signature]
    title = f"module {info.path}  (type mod{info.signature}, instances inst{blob.types.instance_index(sig)})"
    with g.subgraph(name=f"cluster_{prefix}") as c:
        c.attr(label=_esc(title), style="rounded", color="#64748b", fontname="Helvetica")
        anchor = f"{prefix}_anchor"
        c.node(anchor, label="", shape="point", style="invis", width="0.01")
        anchors[index] = anchor
        prev = anchor
        for k, init in enumerate(info.initializers):
            node = f"{prefix}_i{k}"
            kind_name = type(init).__name__
            text = init.text()
            kind, pos = init.index
            if isinstance(init, Instantiate):
                text = f"instance {info.instance_labels.get(pos, pos)} = {text}"
            elif isinstance(init, DefineModule):
                text = f"module {pos} = {blob.modules[init.module].label}"
            else:
                text = f"{kind.text} {pos} = {text}"
            c.node(node, label=_esc(f"{k}: {text}"), fillcolor=_COLORS.get(kind_name, "white"))
            c.edge(prev, node, style="invis")
            prev = node
            if isinstance(init, Instantiate):
                mods = space[ExternKind.MODULE]
                if init.module < len(mods):
                    edges.append((mods[init.module], node, "module"))
                for pos, (kind, idx) in enumerate(init.args):
                    src = space[kind]
                    if idx < len(src):
                        edges.append((src[idx], node, f"arg {pos}"))
            elif isinstance(init, AliasInstanceExport):
                insts = space[ExternKind.INSTANCE]
                if init.instance < len(insts):
                    edges.append((insts[init.instance], node, f'"{init.name}"'))
            elif isinstance(init, AliasParentModule) and info.parent is not None:
                parent_mods = producers.get(info.parent, {}).get(ExternKind.MODULE, [])
                if init.module < len(parent_mods):
                    edges.append((parent_mods[init.module], node, "parent"))
            space[init.index[0]].append(node)
        exported = [ex for ex in info.module.exports]
        if exported:
            node = f"{prefix}_exports"
            names = ", ".join(f'"{ex.name}"' for ex in exported)
            c.node(node, label=_esc(f"exports {names}"), fillcolor=_COLORS["exports"], shape="note")
            c.edge(prev, node, style="invis")
            for ex in exported:
                src = space.get(ex.kind, [])
                if ex.index < len(src):  # imported, aliased, instantiated or defined module
                    edges.append((src[ex.index], node, f'"{ex.name}"'))
        for k, init in enumerate(info.initializers):
            if isinstance(init, DefineModule):
                _cluster(c, blob, init.module, producers, anchors, edges)
                edges.append((f"{prefix}_i{k}", anchors[init.module], "defines", f"cluster_m{init.module}"))


def _builder(module: Any, func: str | int | None = None) -> SvgDigraph:
    return initializer_graph(module)


register("initializers", _builder, "module linking: imports, nested modules, instances, aliases")

__all__ = ["SvgDigraph", "initializer_graph"]
