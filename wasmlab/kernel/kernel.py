"""The Jupyter kernel: a thin adapter from Jupyter messages to a `Workspace`.

Cells are WAST plus `%` commands (see `%help`). Widgets (the live Debugger) talk to the
kernel over comms, which this kernel handles itself (ipykernel's comm manager), so
ipywidgets/anywidget work as they do in the IPython kernel.
"""

from __future__ import annotations

from typing import Any

from ipykernel.kernelbase import Kernel

from wasmlab import __version__

from .complete import complete, inspect, is_complete
from .dap import DebugAdapter
from .info import BANNER, LANGUAGE_INFO
from .longoutput import SHOW_CHARS, clip, cut
from .outputs import CellError, Output, describe_error, esc
from .workspace import Workspace


class WasmKernel(Kernel):
    implementation = "wasmlab"
    implementation_version = __version__
    language = "wast"
    language_version = "3.0"
    language_info = LANGUAGE_INFO
    banner = BANNER
    help_links = [{"text": "WebAssembly specification", "url": "https://webassembly.github.io/spec/core/"}]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.workspace = Workspace()
        self.debugger = DebugAdapter(self.workspace, self._publish_debug_event)
        self.workspace.adapter = self.debugger
        self._setup_comms()

    def _setup_comms(self) -> None:
        """Route comm messages to ipykernel's comm manager (what ipywidgets/anywidget use)."""
        try:
            import comm
            import ipykernel.ipkernel  # noqa: F401  (installs ipykernel's comm factory)
        except ImportError:  # pragma: no cover - ipykernel always brings both
            return
        self.comm_manager = comm.get_comm_manager()
        for msg_type in ("comm_open", "comm_msg", "comm_close"):
            self.shell_handlers[msg_type] = getattr(self.comm_manager, msg_type)

    @property
    def kernel_info(self) -> dict[str, Any]:
        info = dict(super().kernel_info)
        # the debug protocol is ours (wasmlab.kernel.dap), whether debugpy is installed or not
        features = [f for f in info.get("supported_features", []) if f != "debugger"]
        info["supported_features"] = [*features, "debugger"]
        return info

    async def do_debug_request(self, msg: Any) -> dict[str, Any]:
        """JupyterLab's debugger panel (the control channel: answers while a cell waits)."""
        return self.debugger.handle(msg)

    # --- hooks ---------------------------------------------------------------------------

    def pre_handler_hook(self) -> None:
        """While a handler runs (a cell, a widget's button), the stop button sets the
        workspace's interrupt flag; running machines look at it between chunks."""
        import signal

        def on_sigint(signum: int, frame: Any) -> None:
            self.workspace.interrupt()

        self.saved_sigint_handler = signal.signal(signal.SIGINT, on_sigint)

    # --- messages ------------------------------------------------------------------------

    def set_parent(self, ident: Any, parent: Any, channel: str = "shell") -> None:
        """Also tell sys.stdout/sys.stderr (ipykernel's OutStreams) which request they answer,
        so what a cell prints (spectest's print_i32, %echo) reaches its output area."""
        super().set_parent(ident, parent, channel)
        if channel == "shell":
            import sys

            for stream in (sys.stdout, sys.stderr):
                if hasattr(stream, "set_parent"):
                    stream.set_parent(parent)

    def _emit(self, out: Output) -> None:
        data = out.data
        text = data.get("text/plain")
        if isinstance(text, str) and len(text) > SHOW_CHARS:  # a huge output: its head and a note
            shown, kept = cut(text, "output")
            self.workspace.keep_output(kept)
            data = {"text/plain": shown, "text/html": f"<pre>{esc(shown)}</pre>"}
        content = {"data": data, "metadata": out.metadata}
        if out.result:
            content["execution_count"] = self.execution_count
            self.send_response(self.iopub_socket, "execute_result", content)
        else:
            content["transient"] = {}
            self.send_response(self.iopub_socket, "display_data", content)

    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: dict | None = None, allow_stdin: bool = False, *,
                         cell_meta: dict | None = None, cell_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        emit = (lambda out: None) if silent else self._emit
        ws = self.workspace
        ws.clear_interrupt()
        self.debugger.cell_started(code, f"cell[{self.execution_count}]")
        try:
            ws.run_cell(code, emit, cell=self.execution_count)
        except CellError as e:
            return self._error(e, silent)
        except KeyboardInterrupt:
            return self._error(CellError("Interrupted", "interrupted", ["interrupted"]), silent)
        except Exception as e:  # a wasmlab bug: reported, the kernel lives on
            return self._error(describe_error(e), silent)
        finally:
            self.debugger.cell_finished()  # a %debug session: the panel shows where it is
        return {"status": "ok", "execution_count": self.execution_count, "payload": [],
                "user_expressions": {}}  # fmt: skip

    def _error(self, e: CellError, silent: bool) -> dict[str, Any]:
        # an error about a huge cell (a 10 MB line) shows a bounded excerpt of it
        content = {
            "ename": e.ename,
            "evalue": clip(e.evalue),
            "traceback": [clip(line) for line in e.traceback()],
        }
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        try:
            return complete(self.workspace, code, cursor_pos)
        except Exception:
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos,
                    "metadata": {}}  # fmt: skip

    async def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                         omit_sections: Any = ()) -> dict[str, Any]:  # fmt: skip
        try:
            text = inspect(self.workspace, code, cursor_pos)
        except Exception:
            text = None
        if not text:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, str]:
        return is_complete(code)

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        self.debugger.shutdown()  # a cell waiting in the debugger ends first
        self.workspace.reset()
        return {"status": "ok", "restart": restart}


__all__ = ["LANGUAGE_INFO", "WasmKernel"]
