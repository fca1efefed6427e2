"""The notebook's side of a REPL session: `run_cell(code, emit)`, which the Jupyter kernel and
the IPython extension both call, plus the debug session and widgets a notebook keeps.

A cell holds WAST text (module definitions, `invoke`, `register`, `assert_...`) and `%`
command lines, in any order; they run top to bottom. The WAST runs go to the engine's
`wasmlab.script.Workspace`, whose records are shown here as rich outputs; every user mistake
ends in one `CellError`; state built by earlier cells (and earlier commands of the same cell)
is kept.
"""

from __future__ import annotations

from typing import Any

import wasmlab.script as engine
from wasmlab.errors import Trap, WasmError
from wasmlab.syntax import ExternKind, Module

from .cells import Chunk, scan_parens, split_cell
from .longoutput import Kept
from .outputs import CellError, Output, describe_error, esc, rich, table
from .registry import Emit, run_magic
from .values import show_value

Entry = engine.Entry
OUTPUT_LIMIT = 64 * 1024  # bytes of a WASI program's stdout (and of its stderr) a cell shows
WasiSetup = engine.WasiSetup


class Workspace(engine.Workspace):
    """Modules, registrations, the debug session and the widgets of one notebook."""

    def __init__(self) -> None:
        self.widgets: list[Any] = []
        self.adapter: Any = None  # JupyterLab's debugger panel (kernel.dap.DebugAdapter), in the kernel
        self.show_widgets = True  # %debug displays a Debugger widget (when ipywidgets works)
        super().__init__(limits=engine.KERNEL_LIMITS)
        self.output_limit = OUTPUT_LIMIT
        self.kept: Kept | None = None  # the last output cut short, kept whole in a file

    # --- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        super().reset()
        self.session: Any = None
        self.session_entry: Entry | None = None
        from wasmlab.debug import PendingBreakpoints

        self.breaks = PendingBreakpoints()  # kept across %debug sessions, bound to each new one
        for w in self.widgets:
            close = getattr(w, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: S110 - a widget that cannot close is left alone
                    pass
        self.widgets = []

    def keep_output(self, kept: Kept | None) -> None:
        """`kept` (a cut output) becomes the one `%output last` reads; the previous one's file
        is deleted."""
        if kept is None:
            return
        old = getattr(self, "kept", None)
        if old is not None:
            old.delete()
        self.kept = kept

    def interrupt(self) -> None:
        """Stop what runs now (a call, a debug move) at its next look at the flag."""
        super().interrupt()
        if self.adapter is not None:
            self.adapter.interrupt()
        s = self.session
        if s is not None and hasattr(s, "interrupt"):
            try:
                s.interrupt()
            except Exception:  # noqa: S110 - a session that cannot be interrupted finishes its chunk
                pass

    def call(self, func: Any, args: list[Any]) -> list[Any]:
        """A cell's call: under a debug Session while the debugger panel is on and could stop
        it (the cell then waits at each stop), else at full speed."""
        a = self.adapter
        if a is not None and a.wants(func):
            return a.run_call(func, args)
        return super().call(func, args)

    def run_wasi(self, entry: Entry, args: list[str] | None = None, stdin: bytes | None = None) -> int:
        """`%run`: under a debug Session too while the debugger panel could stop it."""
        a = self.adapter
        if a is None or not a.wants(None) or "_start" not in entry.inst.exports:
            return super().run_wasi(entry, args, stdin)
        instance = self.fresh_wasi(entry, args, stdin)
        return entry.config.command_status(None, lambda: a.run_program(instance))

    # --- cells -----------------------------------------------------------------------------

    def run_cell(self, code: str, emit: Emit, cell: int | None = None) -> None:
        """Run a cell; raises CellError for the first failing command (earlier ones stay)."""
        self.cell = cell if cell is not None else self.cell + 1
        self.clear_interrupt()
        for chunk in split_cell(code):
            if chunk.kind == "magic":
                run_magic(self, chunk.text, emit)
            else:
                self.run_wast(chunk.text, chunk.line, emit)

    def filename(self) -> str:
        return f"cell[{self.cell}]"

    def run_wast(self, text: str, line: int, emit: Emit) -> None:
        source = "\n" * (line - 1) + text
        filename = self.filename()
        passed = 0
        records = self.run(source, filename)
        while True:
            try:
                record = next(records, None)
            except engine.CommandFailed as e:
                lines = [f"{filename}:{e.line}: {e.word} failed: {e.reason}"]
                src = source.splitlines()
                if 1 <= e.line <= len(src):
                    lines.append("  " + src[e.line - 1].strip())
                if passed:
                    lines.append(f"({passed} assertion{'s' * (passed != 1)} before it passed)")
                raise CellError(
                    "AssertionFailed" if e.assertion else "CommandFailed", e.reason, lines
                ) from None
            except Trap as e:
                raise self._trap_error(e) from None
            except WasmError as e:
                raise describe_error(e, source, filename) from None
            if record is None:
                break
            if isinstance(record, engine.Passed):
                passed += 1
            else:
                out = record_output(record)
                if out is not None:
                    emit(out)
        if passed:
            emit(rich(f"{passed} assertion{'s' * (passed != 1)} passed",
                      f"<span style='color:green'>&#10004; {passed} assertion{'s' * (passed != 1)} passed</span>"))  # fmt: skip

    def _trap_error(self, e: Trap) -> CellError:
        site = self.fault_site()
        if site is None:
            return describe_error(e)
        entry, span = site
        return describe_error(
            e, entry.source if entry else None, entry.filename if entry else None, span=span
        )

    # --- the debugger's views ----------------------------------------------------------------

    def source_for(self, module: Module) -> tuple[str, str | None] | None:
        """The text a module was defined from (for the Debugger's code view)."""
        e = self.entry_of(module)
        if e is None or e.source is None:
            return None
        return e.source, e.filename

    def make_debugger(self, session: Any) -> Any:
        """A Debugger widget for `session` (None when widgets cannot be made here)."""
        try:
            from wasmlab.widgets import Debugger
        except ImportError:
            return None
        widget = Debugger(session, sources=self.source_for)
        self.widgets.append(widget)
        return widget

    def refresh_widgets(self) -> None:
        """After a `%` move: every live widget of the current session shows the new state."""
        for w in list(self.widgets):
            if getattr(w, "session", None) is self.session:
                try:
                    w.refresh()
                except Exception:  # noqa: S112 - a broken view must not break the command
                    continue


def record_output(record: engine.Record) -> Output | None:
    """What a command's record shows (None for an action without results)."""
    if isinstance(record, engine.Defined):
        return module_summary(record.entry)
    if isinstance(record, engine.Registered):
        return rich(f'registered {record.module or "the latest module"} as "{record.name}"')
    if isinstance(record, engine.Returned) and record.values:
        shown = [show_value(v, t) for v, t in zip(record.values, record.types)]
        text = "\n".join(f"({s})" for s in shown)
        return rich(text, "<br>".join(f"<code>({esc(s)})</code>" for s in shown), result=True)
    return None


def module_summary(entry: Entry) -> Output:
    """What a module definition shows: its name and its exports with their types."""
    m = entry.module
    rows = []
    types = m.all_func_types()
    for e in m.exports:
        if e.kind is ExternKind.FUNC:
            desc = str(types[e.index]) if e.index < len(types) else "?"
        elif e.kind is ExternKind.MEMORY:
            mt = m.all_mem_types()[e.index]
            desc = f"{mt.limits.min} page{'s' * (mt.limits.min != 1)}" + (
                f", max {mt.limits.max}" if mt.limits.max is not None else ""
            )
        elif e.kind is ExternKind.GLOBAL:
            gt = m.all_global_types()[e.index]
            desc = f"{'mut ' if gt.mutable else ''}{gt.type.text}"
        elif e.kind is ExternKind.TABLE:
            tt = m.all_table_types()[e.index]
            desc = f"{tt.limits.min} {tt.elem.text}"
        else:
            desc = ""
        rows.append((e.name, e.kind.text, desc))
    nfuncs = len(m.funcs)
    head = f"module {entry.label}: {nfuncs} function{'s' * (nfuncs != 1)}, {len(m.exports)} export{'s' * (len(m.exports) != 1)}"
    if m.imports:
        head += f", {len(m.imports)} import{'s' * (len(m.imports) != 1)}"
    text, html_text = table(["export", "kind", "type"], rows, caption=head)
    return rich(text, html_text)


__all__ = [
    "Chunk", "Entry", "WasiSetup", "Workspace", "module_summary", "record_output", "scan_parens", "split_cell",
]  # fmt: skip
