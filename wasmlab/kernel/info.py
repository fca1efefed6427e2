"""What the wasmlab kernel says about itself (kernel_info): its language and banner. Apart from
`kernel.py` so that the browser's kernel (`lite.py`, under Pyodide, where ipykernel is a shim
without `kernelbase`) says the same."""

from __future__ import annotations

from wasmlab import __version__

LANGUAGE_INFO = {
    "name": "wast",
    "version": "3.0",
    "mimetype": "text/webassembly",
    "file_extension": ".wat",
    "codemirror_mode": "webassembly",
    "pygments_lexer": "wat",
}

BANNER = f"""wasmlab {__version__}: WebAssembly text (WAT/WAST) with a stepping debugger.
Define modules with (module ...), run (invoke "f" (i32.const 1)), debug with %debug f 1.
%help lists every command."""

__all__ = ["BANNER", "LANGUAGE_INFO"]
