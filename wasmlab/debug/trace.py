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
from .inspection import top_values
from .values import TypedValue

if TYPE_CHECKING:
    from .session import Session

_POPS = {
    "drop": 1, "select": 3, "local.set": 1, "local.tee": 1, "global.set": 1, "table.get": 1,
    "table.set": 2, "table.grow": 2, "table.fill": 3, "ref.is_null": 1, "br_if": 1,
    "br_table": 1, "if": 1,
}  # fmt: skip


def operand_count(ins: Instr, f: FuncInst) -> int:
    """How many values instruction `ins` of `f` takes from the stack (shown as its operands)."""
    op = ins.op
    if op.params is not None:
        return len(op.params)
    name = op.name
    if name in _POPS:
        return _POPS[name]
    module = f.module.module if f.module is not None else None
    if name in ("call", "return_call") and module is not None:
        return len(module.func_type(ins.imm).params)
    if name in ("call_indirect", "return_call_indirect") and module is not None:
        return len(module.types[ins.imm[0]].params) + 1  # type: ignore[union-attr]
    if name == "return":
        return f.nresults
    return 0


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


# --- the command line ---------------------------------------------------------------------------


def _load(file: str, features: str | None = None) -> Any:
    from ..cli import load_module_file

    return load_module_file(file, features=features)


def _imports(module: Any, notes: list[str]) -> dict[str, dict[str, Any]]:
    """`spectest` as the spec scripts have it; other function imports become stubs that
    return zeros (each named in `notes`). Other imports cannot be provided."""
    from ..errors import LinkError
    from ..exec.instantiate import host_func
    from ..exec.numerics import default_value
    from ..syntax.types import ExternKind

    out: dict[str, dict[str, Any]] = {}
    for imp in module.imports:
        ns = out.setdefault(imp.module, {})
        if imp.module == "spectest" and "print" not in ns:
            from ..script.spectest import spectest_exports

            ns.update(spectest_exports())
        if imp.name in ns:
            continue
        if imp.kind is ExternKind.FUNC:
            ft = module.types[imp.desc]
            zeros = tuple(default_value(t) for t in ft.results)

            def stub(*args: Any, _z: tuple = zeros) -> Any:
                return _z[0] if len(_z) == 1 else (_z or None)

            ns[imp.name] = host_func(ft, stub, f"{imp.module}.{imp.name}")
            notes.append(f"{imp.module}.{imp.name} is a stub returning {list(zeros)}")
        else:
            raise LinkError(
                f'wasmlab trace cannot provide the import "{imp.module}" "{imp.name}" ({imp.kind.text})'
            )
    return out


def trace(
    file: str,
    invoke: str,
    args: Sequence[str],
    limit: int = 100_000,
    out: TextIO | None = None,
    features: str | None = None,
) -> int:
    """`wasmlab trace FILE --invoke NAME [ARGS...]`: print one line per instruction.
    Exit status 0 when the call returns (or the limit is reached), 1 when it traps."""
    from .. import api
    from ..cli import UsageError, _parse_arg
    from .session import Session

    out = out or sys.stdout
    if limit is not None and limit < 0:
        raise UsageError("--limit must be >= 0")
    module = _load(file, features)
    notes: list[str] = []
    inst = api.instantiate(module, _imports(module, notes))
    func = inst.func(invoke)
    params = func.type.params
    if len(args) != len(params):
        raise UsageError(f"{invoke} takes {len(params)} arguments, got {len(args)}")
    values = [_parse_arg(a, t) for a, t in zip(args, params)]
    s = Session(inst, invoke, *values, history=False)
    for note in notes:
        print(f"; {note}", file=out)
    print(HEADER, file=out)
    n = 0
    for rec in s.trace(limit):
        print(rec.line(), file=out)
        n += 1
    if s.trap is not None:
        print(f"trap: {s.trap.kind} (after {s.machine.steps} instructions)", file=out)
        return 1
    if s.returned:
        print(f"result: {s.results_text} after {s.machine.steps} instructions", file=out)
        return 0
    print(f"stopped after {n} instructions (--limit {limit})", file=out)
    return 0
