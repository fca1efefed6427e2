"""The GC heap as a picture: structs as records (their fields by name), arrays with their
first elements and their length, i31 values inline, references as edges, roots (locals,
value stack, globals) on the left; objects the last move allocated or wrote filled.

The drawing takes plain data (`HeapNode`, `HeapSlot`), which `wasmlab.debug.heap` gathers
from a paused session, so that this layer knows nothing of sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import graphviz

HIGHLIGHT = "#ffe08a"


@dataclass(frozen=True)
class HeapSlot:
    """One row: a label (`$next`, `[2]`, `local $p`), the value's text, and the node it
    points to (an object's key) or None."""

    label: str
    text: str
    target: str | None = None


@dataclass
class HeapNode:
    key: str  # unique DOT name
    title: str  # `$node #3`, `$vec #2 (len 10)`
    slots: list[HeapSlot] = field(default_factory=list)
    highlighted: bool = False
    more: int = 0  # elements not drawn


def _esc(text: str) -> str:
    out = text
    for ch in '\\{}|<>"':
        out = out.replace(ch, "\\" + ch)
    return out


def heap_graph(
    roots: list[tuple[str, list[HeapSlot]]], nodes: list[HeapNode], title: str = ""
) -> graphviz.Digraph:
    """`roots`: groups of root slots ("locals", "stack", "globals"); `nodes`: the objects."""
    g = graphviz.Digraph("heap")
    g.attr(rankdir="LR", fontname="Helvetica", fontsize="11", labelloc="t", label=title)
    g.attr("node", shape="record", fontname="Helvetica", fontsize="10", style="filled", fillcolor="white")
    g.attr("edge", arrowsize="0.7")
    edges: list[tuple[str, str]] = []
    for name, slots in roots:
        if not slots:
            continue
        key = f"root_{name}"
        rows = [f"<p{i}> {_esc(s.label)} = {_esc(s.text)}" for i, s in enumerate(slots)]
        g.node(key, "{" + _esc(name) + "|" + "|".join(rows) + "}", fillcolor="#eef3fb")
        edges += [(f"{key}:p{i}", s.target) for i, s in enumerate(slots) if s.target is not None]
    for n in nodes:
        rows = [f"<p{i}> {_esc(s.label)}: {_esc(s.text)}" for i, s in enumerate(n.slots)]
        if n.more:
            rows.append(f"… {n.more} more")
        label = "{" + _esc(n.title) + ("|" + "|".join(rows) if rows else "") + "}"
        g.node(n.key, label, fillcolor=HIGHLIGHT if n.highlighted else "white")
        edges += [(f"{n.key}:p{i}", s.target) for i, s in enumerate(n.slots) if s.target is not None]
    keys = {n.key for n in nodes}
    for a, b in edges:
        if b in keys:
            g.edge(a, b)
    return g


__all__ = ["HIGHLIGHT", "HeapNode", "HeapSlot", "heap_graph"]
