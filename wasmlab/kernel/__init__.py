"""The Jupyter kernel for WebAssembly text (package `wasmlab.kernel`).

- `wasmlab.kernel.kernel.WasmKernel`: the ipykernel `Kernel` subclass;
- `wasmlab.kernel.workspace.Workspace`: the notebook's adapter over `wasmlab.script.Workspace`
  (cells, rich outputs, the debug session and widgets);
- `wasmlab.kernel.magics`: the IPython extension (`%load_ext wasmlab`, `%%wat`, `%wasm`);
- `python -m wasmlab.kernel install [--user|--sys-prefix]`: install the kernelspec.
"""

from __future__ import annotations

from . import commands, debugcmds, limitcmds, outputcmds, sourcecmds, tiercmds  # noqa: F401  (fill the % command table)
from .workspace import Workspace

__all__ = ["Workspace"]
