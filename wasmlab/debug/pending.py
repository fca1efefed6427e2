"""Pending breakpoints: where to stop, kept before and across sessions (gdb's `break f`
before `run`). A notebook (or a script) keeps a `PendingBreakpoints` list; each new
`Session` binds them again by function name, byte offset or source line (`apply`), so they
survive a new `%debug` and a cell that redefines the module."""

from __future__ import annotations

from typing import Any

from .errors import DebugError


class PendingBreakpoint:
    """One breakpoint as the user wrote it: a function, `at=` a byte offset, or `line=` (of
    `file`, a cell `cell[N]`; `exact_file`: in that file only, never by line alone), a
    condition (text), enabled or not; `bound` is its breakpoint
    in the last session it was applied to (None: it did not bind there, see `error`)."""

    def __init__(
        self,
        id: int,
        func: Any = None,
        *,
        at: int | None = None,
        line: int | None = None,
        file: str | None = None,
        condition: str | None = None,
        exact_file: bool = False,
    ) -> None:
        if sum(x is not None for x in (func, at, line)) != 1:
            raise DebugError("name exactly one place: a function, at=byte offset, or line=source line")
        if condition is not None:
            from .expr import check

            check(condition)
        self.id = id
        self.func = func
        self.at = at
        self.line = line
        self.file = file
        self.condition = condition
        self.exact_file = exact_file  # only in `file` (else, a cell run again: by line alone)
        self.enabled = True
        self.bound: Any = None
        self.error: str | None = None
        self.session: Any = None

    @property
    def where(self) -> str:
        if self.func is not None:
            return str(self.func)
        if self.at is not None:
            return f"offset {self.at:#x}"
        return f"{self.file}:{self.line}" if self.file else f"line {self.line}"

    @property
    def hits(self) -> int:
        return self.bound.hits if self.bound is not None else 0

    def bind(self, session: Any) -> Any:
        """Its breakpoint in `session` (made now); None when the place is not there."""
        self.session = session
        self.bound = None
        self.error = None
        try:
            if self.file is not None and self.line is not None:
                try:
                    bp = session.break_at(
                        line=self.line, file=self.file, condition=self.condition, id=self.id
                    )
                except DebugError:  # the cell ran again under another number: by line alone
                    if self.exact_file:
                        raise
                    bp = session.break_at(line=self.line, condition=self.condition, id=self.id)
            else:
                bp = session.break_at(
                    self.func, at=self.at, line=self.line, condition=self.condition, id=self.id
                )
        except DebugError as e:
            self.error = str(e)
            return None
        if not self.enabled:
            bp.disable()
        self.bound = bp
        return bp

    def _live(self) -> Any:
        b = self.bound
        return b if b is not None and not b.deleted else None

    def enable(self) -> None:
        self.enabled = True
        if self._live() is not None:
            self.bound.enable()

    def disable(self) -> None:
        self.enabled = False
        if self._live() is not None:
            self.bound.disable()

    def delete(self) -> None:
        if self._live() is not None:
            self.bound.delete()
        self.bound = None

    def __repr__(self) -> str:
        cond = f" if {self.condition}" if self.condition else ""
        state = "enabled" if self.enabled else "disabled"
        bound = "" if self.bound is not None else " (pending)"
        return f"<breakpoint {self.id} at {self.where}{cond}{bound}: {state}, {self.hits} hits>"


class PendingBreakpoints:
    """A numbered list of pending breakpoints (the numbers stay: `%delete 2` leaves 1 and 3)."""

    def __init__(self) -> None:
        self.all: list[PendingBreakpoint] = []
        self._next = 1

    def add(self, func: Any = None, **place: Any) -> PendingBreakpoint:
        b = PendingBreakpoint(self._next, func, **place)
        self._next += 1
        self.all.append(b)
        return b

    def find(self, n: int) -> PendingBreakpoint:
        for b in self.all:
            if b.id == n:
                return b
        raise DebugError(f"no breakpoint {n}")

    def delete(self, n: int) -> None:
        b = self.find(n)
        b.delete()
        self.all.remove(b)

    def __iter__(self) -> Any:
        return iter(list(self.all))

    def __len__(self) -> int:
        return len(self.all)
