"""Graphviz pictures of a module: `graph_for(module, kind, func=None) -> graphviz.Digraph`.

Kinds are registered builders, one module each: `calls` (the call graph, with the edges an
indirect call may take through a table), `cfg` (one function's control-flow graph), and for
module linking `initializers` (the initializer graph) and `types` (the TypeTables).
`render_svg(graph)` (in `render`) turns a graph into SVG text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import WasmError

Builder = Callable[[Any, "str | None"], Any]

_BUILDERS: dict[str, Builder] = {}
_DESCRIPTIONS: dict[str, str] = {}


class GraphUnavailable(WasmError):
    """The graph kind is unknown, or not available for this module (yet)."""


def register(kind: str, builder: Builder, description: str = "") -> None:
    """Make `graph_for(module, kind, func)` call `builder(module, func)`."""
    _BUILDERS[kind] = builder
    _DESCRIPTIONS[kind] = description


def kinds() -> list[str]:
    """The graph kinds registered so far."""
    return sorted(_BUILDERS)


def describe(kind: str) -> str:
    return _DESCRIPTIONS.get(kind, "")


def graph_for(module: Any, kind: str, func: str | int | None = None) -> Any:
    """A `graphviz.Digraph` of `module` (a Module, or an Instance whose module is used)."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        known = ", ".join(kinds()) or "none"
        raise GraphUnavailable(f"graph kind {kind!r} is not available yet (available: {known})")
    if hasattr(module, "module") and not hasattr(module, "funcs"):
        module = module.module
    return builder(module, func)


from . import calls as _calls  # noqa: E402  (registers "calls")
from . import cfg as _cfg  # noqa: E402  (registers "cfg")
from . import initializers as _initializers  # noqa: E402  (registers "initializers")
from . import type_tables as _type_tables  # noqa: E402  (registers "types")
from .browser import ready as browser_ready  # noqa: E402  (Pyodide: await before drawing)
from .browser import start as browser_start  # noqa: E402
from .cfg import basic_blocks, cfg_graph, resolve_func  # noqa: E402
from .heap import HeapNode, HeapSlot, heap_graph  # noqa: E402
from .instr import instr_text  # noqa: E402
from .render import render_png, render_svg  # noqa: E402

del _calls, _cfg, _initializers, _type_tables

__all__ = [
    "GraphUnavailable", "HeapNode", "HeapSlot", "basic_blocks", "heap_graph", "browser_ready", "browser_start", "cfg_graph", "describe",
    "graph_for", "instr_text", "kinds", "register", "render_png", "render_svg", "resolve_func",
]  # fmt: skip
