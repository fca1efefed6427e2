"""Step debugging: `debug(instance, "fib", 10)` gives a `Session` paused before the first
instruction. See `session.Session` for the commands and `views` for what it shows;
`docs/debugger-commands.md` maps gdb/lldb and DevTools commands to them. `Session.eval`
evaluates the expression language of `expr` (also breakpoint conditions and watches);
`PendingBreakpoints` keeps breakpoints across sessions (`Session.apply`).

The module itself is callable, so once `wasmlab` imports it, `wasmlab.debug(inst, "fib", 10)`
and `wasmlab.debug.Session` both work."""

from __future__ import annotations

import sys
import types
from typing import Any

from .breakpoints import Breakpoint, Watchpoint
from .errors import DebugError, NotFound
from .pending import PendingBreakpoint, PendingBreakpoints
from .session import Session
from .trace import HEADER as TRACE_HEADER
from .trace import TraceRecord, print_trace
from .values import TypedValue


def debug(instance: Any, name: Any, *args: Any, **options: Any) -> Session:
    """A debug session for one call of export `name` of `instance` with `args`, paused before
    its first instruction. Options: fuel, depth_limit, history, checkpoint_interval,
    max_checkpoints, history_bytes, breakpoints (pending ones, kept across sessions)."""
    return Session(instance, name, *args, **options)


class _CallableModule(types.ModuleType):
    """`wasmlab.debug(...)` calls `debug` while `wasmlab.debug.Session` stays reachable."""

    def __call__(self, instance: Any, name: Any, *args: Any, **options: Any) -> Session:
        return debug(instance, name, *args, **options)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "Breakpoint", "DebugError", "NotFound", "PendingBreakpoint", "PendingBreakpoints", "Session", "TRACE_HEADER", "TraceRecord", "TypedValue", "Watchpoint",
    "debug", "print_trace",
]  # fmt: skip
