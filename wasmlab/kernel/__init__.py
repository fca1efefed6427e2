"""The Jupyter kernel for WebAssembly text (package `wasmlab.kernel`).

- `wasmlab.kernel.kernel.WasmKernel`: the ipykernel `Kernel` subclass;
- `wasmlab.kernel.workspace.Workspace`: the engine behind it (cells, modules, sessions);
- `wasmlab.kernel.magics`: the IPython extension (`%load_ext wasmlab`, `%%wat`, `%wasm`);
- `python -m wasmlab.kernel install [--user|--sys-prefix]`: install the kernelspec.
"""

from __future__ import annotations

from .workspace import Workspace

__all__ = ["Workspace"]
