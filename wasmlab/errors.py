"""The one error hierarchy every user mistake ends in (architecture principle 4)."""

from __future__ import annotations


class WasmError(Exception):
    """Base of every error wasmlab reports about a user's module, text or run."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DecodeError(WasmError):
    """Malformed binary: says the byte offset where decoding failed."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        self.reason = message
        self.offset = offset
        where = f"@{offset:#x}: " if offset is not None else ""
        super().__init__(f"{where}{message}")


class ParseError(WasmError):
    """Malformed text: says file:line:column and shows the source line with a caret."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        col: int | None = None,
        source_line: str | None = None,
        filename: str | None = None,
    ) -> None:
        self.reason = message
        self.line = line
        self.col = col
        self.source_line = source_line
        self.filename = filename
        super().__init__(self._render())

    def _render(self) -> str:
        if self.line is None:
            return self.reason
        head = f"{self.filename or '<input>'}:{self.line}:{self.col}: error: {self.reason}"
        if self.source_line is None:
            return head
        caret = " " * max((self.col or 1) - 1, 0) + "^"
        return f"{head}\n{self.source_line}\n{caret}"


class ValidationError(WasmError):
    """Invalid module: says the function, instruction, byte offset, expected vs found."""

    def __init__(
        self,
        message: str,
        *,
        func: int | None = None,
        instr: str | None = None,
        offset: int | None = None,
        expected: str | None = None,
        found: str | None = None,
        span: object | None = None,
    ) -> None:
        self.reason = message
        self.func = func
        self.instr = instr
        self.offset = offset
        self.expected = expected
        self.found = found
        self.span = span
        self.source_line: str | None = None
        super().__init__(self._render())

    def locate(self, source: str) -> ValidationError:
        """Show where in `source` (the text the module was parsed from) the error is:
        `file:line:col: error: ...`, the source line and a caret."""
        line = getattr(self.span, "line", None)
        lines = source.splitlines()
        if line is not None and 0 < line <= len(lines):
            self.source_line = lines[line - 1]
            self.message = self._render()
            self.args = (self.message,)
        return self

    def _render(self) -> str:
        if self.source_line is not None and self.span is not None:
            sp = self.span
            head = f"{sp.filename or '<input>'}:{sp.line}:{sp.col}: error: {self._where_reason()}"
            caret = " " * max(sp.col - 1, 0) + "^"
            return f"{head}\n{self.source_line}\n{caret}"
        return self._where_reason()

    def _where_reason(self) -> str:
        where = []
        if self.func is not None:
            where.append(f"func {self.func}")
        if self.instr is not None:
            where.append(f"at {self.instr}")
        if self.offset is not None:
            where.append(f"@{self.offset:#x}")
        text = self.reason
        if where:
            text = f"{' '.join(where)}: {text}"
        return text


class LinkError(WasmError):
    """Instantiation failed while resolving imports (unknown import, incompatible type)."""


class LimitExceeded(LinkError):
    """Instantiation would take more than the store's limits allow (`wasmlab.Limits`): the
    message names the item and the limit."""


#: a trap's message shows at most this many backtrace lines (`stack` keeps every frame)
_BACKTRACE_LINES = 24


class Trap(WasmError):
    """A runtime trap: `kind` is the spec's message, `stack` the wasm call stack (innermost last)."""

    def __init__(self, kind: str, stack: list[str] | None = None) -> None:
        self.kind = kind
        self.stack = list(stack or [])
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.stack:
            return self.kind
        lines: list[str] = []
        frames = list(reversed(self.stack))  # innermost first
        i = 0
        while i < len(frames):
            j = i
            while j + 1 < len(frames) and frames[j + 1] == frames[i]:
                j += 1
            if j - i >= 2:  # deep recursion: one line for the run of identical frames
                lines.append(f"  {i}..{j}: {frames[i]} ({j - i + 1} frames)")
            else:
                lines += [f"  {k}: {frames[k]}" for k in range(i, j + 1)]
            i = j + 1
        if len(lines) > _BACKTRACE_LINES:  # e.g. deep mutual recursion: its two ends
            head, tail = _BACKTRACE_LINES - 5, 4
            lines = [*lines[:head], f"  ... {len(lines) - head - tail} more lines ...", *lines[-tail:]]
        return f"{self.kind}\nwasm backtrace:\n" + "\n".join(lines)


class Thrown(Trap):
    """A wasm exception that no `try_table` caught (exception handling): `exn` is the exception
    (its tag and values). Crossing a host function, it goes on unwinding the caller's frames."""

    def __init__(self, exn: object, stack: list[str] | None = None) -> None:
        self.exn = exn
        super().__init__("uncaught exception", stack)


class Exhaustion(Trap):
    """A resource ran out: the call stack (`call stack exhausted`) or fuel (`all fuel consumed`)."""
