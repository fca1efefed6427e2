"""The wasmlab kernel's logic inside an IPython shell: the "WebAssembly (wasmlab)" kernel of
the JupyterLite site (`lite/`, built by `scripts/lite.sh`).

In the browser a kernel is a Pyodide worker running IPython (JupyterLite's Pyodide kernel).
The site's `@wasmlab/lite` extension registers a second kernel, "wasmlab", made from the
Pyodide kernel: it starts the worker, runs `await start()` there once, and then sends each
cell as one Python line, `_wasmlab_lite.execute(<the cell as a string>)`. This module turns
that call into what `WasmKernel.do_execute` does on a desktop: the cell runs in one
`Workspace`; displays go out as display_data, results as execute_result (IPython's display
hook), and a user's mistake as one error output with the wasmlab kernel's own name, message
and lines (never a Python traceback). Completion, inspection and is_complete are the desktop
kernel's too: `start()` makes the worker's kernel object answer them (`answer_for_the_worker`).
"""

from __future__ import annotations

import json
from typing import Any

from wasmlab import viz

from .complete import complete as _complete
from .complete import inspect as _inspect
from .complete import is_complete as _is_complete
from .info import BANNER, LANGUAGE_INFO
from .outputs import CellError, Output, describe_error
from .workspace import Workspace


class WasmCellError(Exception):
    """A failed cell, shown by IPython as the wasmlab kernel shows it (`_render_traceback_`)."""

    def __init__(self, error: CellError) -> None:
        super().__init__(error.evalue)
        self.error = error

    def _render_traceback_(self) -> list[str]:
        return self.error.traceback()


class LiteKernel:
    """One notebook's wasmlab session inside the worker's IPython shell."""

    def __init__(self, shell: Any = None) -> None:
        self.shell = shell
        self.workspace = Workspace()

    def _emit(self, out: Output) -> None:
        if out.result and self.shell is not None:
            # an execute_result numbered as the cell (the Pyodide kernel's display hook would
            # number it one less than the cell's In[n], as its prompt count lags the shell's)
            publish = getattr(getattr(self.shell, "displayhook", None), "publish_execution_result", None)
            if publish is not None:
                publish(self.shell.execution_count, out.data, out.metadata)
            else:
                self.shell.displayhook(out)
        else:
            from IPython.display import display

            display(out)

    def execute(self, code: str) -> None:
        cell = getattr(self.shell, "execution_count", None)
        ws = self.workspace
        ws.clear_interrupt()
        try:
            ws.run_cell(code, self._emit, cell=cell)
        except CellError as e:
            raise WasmCellError(e) from None
        except KeyboardInterrupt:
            raise WasmCellError(CellError("Interrupted", "interrupted", ["interrupted"])) from None
        except Exception as e:  # a wasmlab bug: reported, the kernel lives on
            raise WasmCellError(describe_error(e)) from None

    def complete(self, code: str, cursor_pos: int) -> str:
        try:
            reply = _complete(self.workspace, code, cursor_pos)
        except Exception:
            reply = {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos,
                     "metadata": {}}  # fmt: skip
        return json.dumps(reply)

    def inspect(self, code: str, cursor_pos: int) -> str:
        try:
            text = _inspect(self.workspace, code, cursor_pos)
        except Exception:
            text = None
        if not text:
            return json.dumps({"status": "ok", "found": False, "data": {}, "metadata": {}})
        return json.dumps({"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}})

    def is_complete(self, code: str) -> str:
        return json.dumps(_is_complete(code))


class _Json(str):
    """A string that IPython shows as itself (user_expressions carry JSON to the extension)."""

    def __repr__(self) -> str:
        return str(self)


kernel: LiteKernel | None = None


def answer_for_the_worker(pyodide_kernel: Any, session: LiteKernel) -> None:
    """Make the worker's kernel object (`pyodide_kernel.kernel_instance`, which the Pyodide
    kernel's JavaScript asks for completions, inspections and is_complete) answer as the
    wasmlab kernel does: WAT instructions, exports and % commands instead of Python names."""
    pyodide_kernel.complete = lambda code, cursor_pos: json.loads(session.complete(code, cursor_pos))
    pyodide_kernel.inspect = lambda code, cursor_pos, detail_level=0: json.loads(
        session.inspect(code, cursor_pos)
    )
    pyodide_kernel.is_complete = lambda code: json.loads(session.is_complete(code))


async def start() -> dict[str, Any]:
    """Make the session (once), answer completions in the worker, and wait for the graph
    renderer; the kernel_info the extension answers with."""
    global kernel
    if kernel is None:
        from IPython import get_ipython

        kernel = LiteKernel(get_ipython())
        try:
            import pyodide_kernel  # only in the browser's worker
        except ImportError:
            pass
        else:
            answer_for_the_worker(pyodide_kernel.kernel_instance, kernel)
    try:
        await viz.browser_ready()
    except Exception:  # graphs then say why they cannot be drawn; cells still run
        pass
    return kernel_info()


def kernel_info() -> dict[str, Any]:
    from wasmlab import __version__

    return {"implementation": "wasmlab", "implementation_version": __version__,
            "language_info": LANGUAGE_INFO, "banner": BANNER}  # fmt: skip


def _session() -> LiteKernel:
    global kernel
    if kernel is None:
        from IPython import get_ipython

        kernel = LiteKernel(get_ipython())
    return kernel


def execute(code: str) -> None:
    _session().execute(code)


def complete(code: str, cursor_pos: int) -> _Json:
    return _Json(_session().complete(code, cursor_pos))


def inspect(code: str, cursor_pos: int) -> _Json:
    return _Json(_session().inspect(code, cursor_pos))


def is_complete(code: str) -> _Json:
    return _Json(_session().is_complete(code))


__all__ = ["LiteKernel", "WasmCellError", "answer_for_the_worker", "complete", "execute", "inspect", "is_complete", "kernel_info",
           "start"]  # fmt: skip
