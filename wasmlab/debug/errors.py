"""The debugger's own error: a command that cannot be carried out (never a crash)."""

from __future__ import annotations

from ..errors import WasmError


class DebugError(WasmError):
    """A debugger command was given something it cannot do: an unknown function, a step
    beyond the end of the call, going back from the start, a move after the call ended..."""
