"""The IPython extension: `%load_ext wasmlab`, then

- `%%wat NAME [--imports VAR]`: the cell is a module; it is instantiated (imports from the
  Python mapping VAR, then from modules registered before) and bound to the Python variable
  NAME as a `wasmlab.Instance` (and to `$NAME` for the `%wasm` commands);
- `%wasm LINE` / `%%wasm`: anything a wasmlab kernel cell holds (WAST commands, `%` commands:
  `%wasm debug fib 10` opens the Debugger widget, `%wasm step 3` moves it).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_cell_magic, magics_class, no_var_expand

from .outputs import CellError, Output
from .workspace import Workspace


def _display(out: Output) -> None:
    from IPython.display import display

    display(out)


@magics_class
class WasmMagics(Magics):
    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.workspace = Workspace()

    def _run(self, code: str) -> None:
        ws = self.workspace
        try:
            with ws.sigint_handler():
                ws.run_cell(code, _display)
        except CellError as e:
            print("\n".join(e.traceback()), file=sys.stderr)

    @no_var_expand
    @cell_magic
    def wat(self, line: str, cell: str) -> None:
        """%%wat NAME [--imports VAR]: define a module from WAT text and bind NAME to its Instance."""
        from wasmlab.errors import WasmError

        from .outputs import describe_error
        from .workspace import module_summary

        args = line.split()
        imports = None
        if "--imports" in args:
            i = args.index("--imports")
            if i + 1 >= len(args):
                print("usage: %%wat NAME [--imports VAR]", file=sys.stderr)
                return
            imports = self.shell.user_ns.get(args[i + 1]) if self.shell else None
            if not isinstance(imports, Mapping):
                print(f"--imports {args[i + 1]}: not a mapping of module name to exports", file=sys.stderr)
                return
            del args[i : i + 2]
        ws = self.workspace
        ws.cell += 1
        filename = f"%%wat[{ws.cell}]"
        try:
            module = ws.parse(cell, filename=filename)
            name = args[0] if args else (module.id[1:] if module.id else "module")
            if not name.isidentifier():
                print(f"%%wat: {name!r} is not a Python name", file=sys.stderr)
                return
            entry = ws.add_module(f"${name}", module, source=cell, filename=filename, imports=imports)
        except WasmError as e:
            print("\n".join(describe_error(e, cell, filename).traceback()), file=sys.stderr)
            return
        instance = ws.instance(entry)
        if self.shell is not None:
            self.shell.user_ns[name] = instance
        _display(module_summary(entry))

    @no_var_expand
    @line_cell_magic
    def wasm(self, line: str, cell: str | None = None) -> None:
        """%wasm COMMAND (a WAST command or a wasmlab kernel % command); %%wasm: a whole cell."""
        from . import registry

        if cell is not None:
            self._run(cell)
            return
        text = line.strip()
        if not text:
            text = "%help"
        elif not text.startswith(("(", "%")):
            word = text.split()[0]
            if registry.lookup(word) is not None:
                text = "%" + text
        self._run(text)


def load_ipython_extension(ip: Any) -> None:
    """Register %%wat and %wasm/%%wasm (`%load_ext wasmlab`)."""
    ip.register_magics(WasmMagics(ip))
    if sys.platform == "emscripten":  # the browser: begin loading Graphviz's wasm for %graph
        from wasmlab import viz

        viz.browser_start()


def unload_ipython_extension(ip: Any) -> None:
    pass


__all__ = ["WasmMagics", "load_ipython_extension", "unload_ipython_extension"]
