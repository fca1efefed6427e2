"""Step debugging: `debug(instance, "fib", 10)` gives a `Session` paused before the first
instruction. See `session.Session` for the commands and `views` for what it shows."""

from __future__ import annotations

from typing import Any

from .breakpoints import Breakpoint, Watchpoint
from .errors import DebugError
from .session import Session
from .trace import TraceRecord
from .values import TypedValue


def debug(instance: Any, name: Any, *args: Any, **options: Any) -> Session:
    """A debug session for one call of export `name` of `instance` with `args`, paused before
    its first instruction. Options: fuel, depth_limit, history, checkpoint_interval,
    max_checkpoints, history_bytes."""
    return Session(instance, name, *args, **options)


__all__ = ["Breakpoint", "DebugError", "Session", "TraceRecord", "TypedValue", "Watchpoint", "debug"]
