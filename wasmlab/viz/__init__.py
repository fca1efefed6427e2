"""Graphviz pictures of a module: `graph_for(module, kind, func=None) -> graphviz.Digraph`.

Kinds are registered builders. This package provides `calls` (the call graph, with the
edges an indirect call may take through a table) and `cfg` (one function's control-flow
graph). Other parts add kinds with `register(kind, builder)`; a kind that is not registered
yet is looked up as a module `wasmlab.viz.<kind>` or `wasmlab.linking.viz` that registers
it when imported. `render_svg(graph)` (in `render`) turns a graph into SVG text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import WasmError

Builder = Callable[[Any, "str | None"], Any]

_BUILDERS: dict[str, Builder] = {}
_DESCRIPTIONS: dict[str, str] = {}

#: modules that may register more kinds when imported (tried in order, missing ones skipped)
PLUGIN_MODULES = ("wasmlab.viz.{kind}", "wasmlab.linking.viz")


class GraphUnavailable(WasmError):
    """The graph kind is unknown, or not available for this module (yet)."""


def register(kind: str, builder: Builder, description: str = "") -> None:
    """Make `graph_for(module, kind, func)` call `builder(module, func)`."""
    _BUILDERS[kind] = builder
    _DESCRIPTIONS[kind] = description


def _load_plugins(kind: str) -> None:
    for pattern in PLUGIN_MODULES:
        name = pattern.format(kind=kind)
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        if kind in _BUILDERS:
            return


def kinds() -> list[str]:
    """The graph kinds registered so far."""
    return sorted(_BUILDERS)


def describe(kind: str) -> str:
    return _DESCRIPTIONS.get(kind, "")


def graph_for(module: Any, kind: str, func: str | int | None = None) -> Any:
    """A `graphviz.Digraph` of `module` (a Module, or an Instance whose module is used)."""
    if kind not in _BUILDERS and kind.isidentifier():
        _load_plugins(kind)
    builder = _BUILDERS.get(kind)
    if builder is None:
        known = ", ".join(kinds()) or "none"
        raise GraphUnavailable(f"graph kind {kind!r} is not available yet (available: {known})")
    if hasattr(module, "module") and not hasattr(module, "funcs"):
        module = module.module
    return builder(module, func)


from . import calls as _calls  # noqa: E402  (registers "calls")
from . import cfg as _cfg  # noqa: E402  (registers "cfg")
from .instr import instr_text  # noqa: E402  (an instruction as text, for front ends)
from .render import render_svg  # noqa: E402

del _calls, _cfg

__all__ = ["GraphUnavailable", "describe", "graph_for", "instr_text", "kinds", "register", "render_svg"]
