"""The debugger's own errors: a command that cannot be carried out (never a crash)."""

from __future__ import annotations

from ..errors import WasmError


class DebugError(WasmError):
    """A debugger command was given something it cannot do: an unknown function, a step
    beyond the end of the call, going back from the start, a move after the call ended..."""


class NotFound(DebugError, KeyError, IndexError):
    """A view was asked for a local, frame, global or address it does not have. It is also a
    KeyError/IndexError, so mappings and sequences of the views behave as Python expects."""
