"""Tracing: one record per executed instruction, as data (`Session.trace()`) or text
(`wasmlab trace FILE --invoke NAME ARGS...`).

A record says which instruction ran (step number, call depth, byte offset, function and
pc, the instruction with its immediates), the operand values it consumed (with their
types) and the value stack of the frame it left the machine in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, TextIO

from ..exec.runtime import FuncInst
from ..syntax.module import Instr
from ..syntax.stack_effects import EffectContext, stack_effect
from ..syntax.types import FuncType
from .inspection import is_exit, top_values
from .values import TypedValue

if TYPE_CHECKING:
    from .session import Session


class _Where(EffectContext):
    """What the stack effects ask about an instruction of a running function."""

    def __init__(self, f: FuncInst) -> None:
        self.f = f
        self.module = f.module.module if f.module is not None else None

    def func_type(self, funcidx: int) -> FuncType | None:
        return self.module.func_type(funcidx) if self.module is not None else None

    def type_at(self, typeidx: int) -> FuncType | None:
        return self.module.types[typeidx] if self.module is not None else None  # type: ignore[return-value]

    def return_arity(self) -> int:
        return self.f.nresults


#: instructions whose operands a trace has never shown (the values a `br` carries, the
#: payload of a `throw`, the exnref of a `throw_ref`); `br_table` shows only its index
_NO_OPERANDS = frozenset({"br", "throw", "throw_ref"})


def operand_count(ins: Instr, f: FuncInst) -> int:
    """How many values instruction `ins` of `f` takes from the stack (shown as its operands)."""
    name = ins.op.name
    if name in _NO_OPERANDS:
        return 0
    if name == "br_table":
        return 1
    return stack_effect(ins, _Where(f))[0]


@dataclass(frozen=True)
class TraceRecord:
    """One executed instruction: `step` is its number (1 for the first), `depth` the call
    depth it ran at, `operands` what it consumed, `stack` the frame's stack after it."""

    step: int
    depth: int
    function: str
    pc: int
    offset: int | None
    instr: str
    operands: tuple[TypedValue, ...]
    stack: tuple[TypedValue, ...]
    event: str = ""  # "trap: ...", "returned [...]", "out of fuel"...

    def line(self) -> str:
        off = f"{self.offset:#07x}" if self.offset is not None else "      -"
        ops = "(" + ", ".join(v.text for v in self.operands) + ")"
        stack = "[" + ", ".join(v.text for v in self.stack) + "]"
        text = f"{self.step:>7} {self.depth:>3} {off}  {self.function}+{self.pc:<4} {self.instr:<28} {ops:<24} -> {stack}"
        return text + (f"   ; {self.event}" if self.event else "")

    def __str__(self) -> str:
        return self.line()

    def _repr_html_(self) -> str:
        return f"<code>{escape(self.line())}</code>"


HEADER = f"{'step':>7} {'dep':>3} {'offset':>7}  {'function+pc':<9} {'instruction':<28} {'operands':<24} -> stack after"


def trace_session(s: Session, limit: int | None = None) -> Iterator[TraceRecord]:
    """Step `s` one instruction at a time, yielding a record for each (at most `limit`)."""
    from .views import Move

    m = s.machine
    start = m.steps
    count = 0
    stop = None
    try:
        while not m.finished and (limit is None or count < limit):
            before = _before(s)
            stop = s._forward(m.steps + 1, live=False)
            if m.steps == before[6] and not m.finished:  # nothing ran: out of fuel or interrupted
                break
            count += 1
            yield _record(s, before, stop)
    finally:
        if stop is not None:
            s._moves.append(Move("trace", start, m.steps, stop.kind))
            s._last = stop


def _before(s: Session) -> tuple:
    m = s.machine
    fr = m.frame
    if fr is None:  # a host function called directly
        args = tuple(s.stack.values)
        return (s.name, 0, None, f"call {s.name}", args, 1, m.steps)
    f, pc = fr.func, fr.pc
    p = s.program
    ins = p.instr(f, pc)
    n = operand_count(ins, f) if ins is not None else 0
    top = top_values(s)
    operands = tuple(top[len(top) - n :]) if n and n <= len(top) else ()
    return (p.func_name(f), pc, p.offset(f, pc), p.instr_text(f, pc), operands, m.depth, m.steps)


def _record(s: Session, before: tuple, stop: Any) -> TraceRecord:
    name, pc, offset, text, operands, depth, _ = before
    m = s.machine
    stack = tuple(top_values(s))
    if m.trap is not None:
        event = stop.reason if stop is not None else f"trap: {m.trap.kind}"
        # the trapping instruction did not run: it is reported at the step it would have had
        return TraceRecord(m.steps + 1, depth, name, pc, offset, text, operands, stack, event)
    event = (
        stop.reason if stop is not None and stop.kind in ("returned", "exit", "fuel", "interrupted") else ""
    )
    return TraceRecord(m.steps, depth, name, pc, offset, text, operands, stack, event)


# --- as text -------------------------------------------------------------------------------------


def print_trace(s: Session, limit: int | None, out: TextIO | None = None, notes: Sequence[str] = ()) -> int:
    """Print the trace of session `s` (at most `limit` instructions) as `wasmlab trace` does:
    the `notes`, the header, one line per instruction and how it ended. 0 when the call
    returned or the limit was reached, 1 when it trapped, a WASI program's exit status."""
    out = out or sys.stdout
    for note in notes:
        print(f"; {note}", file=out)
    print(HEADER, file=out)
    n = 0
    for rec in s.trace(limit):
        print(rec.line(), file=out)
        n += 1
    if is_exit(s.trap):  # a WASI program called proc_exit: its status is the answer
        code = getattr(s.trap, "code", 0)
        print(f"exit: status {code} after {s.step_count} instructions", file=out)
        return code
    if s.trap is not None:
        print(f"trap: {s.trap.kind} (after {s.step_count} instructions)", file=out)
        return 1
    if s.returned:
        print(f"result: {s.results_text} after {s.step_count} instructions", file=out)
        return 0
    print(f"stopped after {n} instructions (--limit {limit})", file=out)
    return 0
