"""Record and replay of WASI calls, for the debugger (stepping backwards, re-running history).

A WASI call has two kinds of effect the guest can observe: its *results* (the errno) and the
bytes it *writes into guest memory* (what `fd_read` read, the time `clock_time_get` saw, the
random bytes). Its other effects (printing, writing files, moving a file position) must
happen once only. An `Effect` holds the first two, so replaying a call reproduces exactly
what the guest saw, without repeating the side effects (stepping backwards over `fd_write`
and forwards again prints nothing the second time).

How the debugger uses it (each WASI import is a `WasiFunction`, found as `funcinst.host`):

    host = funcinst.host
    if isinstance(host, WasiFunction):
        effect = host.record(*args)        # live call; returns its Effect
        history.append(effect)
        return effect.resume()             # its results, or raises ProcExit again
    ...
    results = host.replay(effect)          # later, re-executing: writes memory, no side effect
    effect.undo(memory)                    # or put memory back as it was before the call

Or without touching functions: `config.journal = []` makes every live call append its Effect,
`config.recorder = callback` calls back with each one, and `config.replay_from(effects)`
makes the next calls replay those effects in order (checking each name) and then go live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Trap


class ProcExit(Trap):
    """`proc_exit(code)`: the program ended. The machine stops as on a trap, so its state
    stays inspectable; `WasiConfig.run` turns it into the exit status."""

    def __init__(self, code: int | str, stack: list[str] | None = None) -> None:
        if isinstance(code, str):  # rebuilt from its kind, "exit status N" (as a replay does)
            digits = code.rsplit(" ", 1)[-1]
            code = int(digits) if digits.isdigit() else 1
        self.code = code
        super().__init__(f"exit status {code}", stack)


@dataclass
class Effect:
    """What one WASI call did, as far as the guest can tell."""

    name: str
    args: tuple[int, ...]
    results: tuple[int, ...]
    """The wasm results: `(errno,)`, or `()` for `proc_exit`."""
    writes: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    """Guest memory writes in order: (address, bytes before, bytes after)."""
    exit_code: int | None = None
    """Set when the call was `proc_exit`: replaying raises `ProcExit(exit_code)` again."""
    output: list[tuple[int, bytes]] = field(default_factory=list)
    """Bytes written to standard output/error as (fd, data): shown, never re-sent on replay."""

    @property
    def errno(self) -> int | None:
        return self.results[0] if self.results else None

    def apply(self, memory: Any) -> None:
        """Redo the memory writes (`memory`: a MemoryInst, api.Memory or bytearray)."""
        data = _data(memory)
        for addr, _old, new in self.writes:
            data[addr : addr + len(new)] = new

    def undo(self, memory: Any) -> None:
        """Put guest memory back as it was before the call."""
        data = _data(memory)
        for addr, old, _new in reversed(self.writes):
            data[addr : addr + len(old)] = old

    def resume(self) -> Any:
        """What the host function returns to the machine: its result, or ProcExit raised."""
        if self.exit_code is not None:
            raise ProcExit(self.exit_code)
        return self.results[0] if len(self.results) == 1 else list(self.results)

    def __repr__(self) -> str:
        what = f"exit {self.exit_code}" if self.exit_code is not None else f"-> {self.results}"
        return f"<Effect {self.name}{self.args} {what}, {len(self.writes)} writes>"


def _data(memory: Any) -> bytearray:
    if isinstance(memory, bytearray):
        return memory
    inner = getattr(memory, "inst", memory)
    return inner.data
