"""Jupyter widgets for wasmlab (package `wasmlab.widgets`): `Debugger(session)`, a live view
of a debug session, and `ModuleExplorer(module)`. Both are anywidgets (a traitlets model and
one ES module, no build step) and work in the wasmlab kernel and in the IPython kernel."""

from __future__ import annotations

from .debugger import Debugger
from .explorer import ModuleExplorer

__all__ = ["Debugger", "ModuleExplorer"]
