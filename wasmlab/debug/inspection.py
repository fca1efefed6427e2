"""Building the views from a session's state: position, typed stack, frames, globals,
changes and history (the classes are in `views`; the Session's properties call these)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import WasmError
from ..exec.pages import CHUNK, chunked
from ..exec.runtime import FuncInst
from .values import TypedValue
from .views import (
    Changes,
    FramesView,
    FrameView,
    GlobalsView,
    GlobalView,
    HistoryView,
    Label,
    LocalsView,
    MemoryChange,
    Position,
    StackSegment,
    StackView,
    ValueChange,
)

if TYPE_CHECKING:
    from ..exec.machine import Frame
    from .session import Session


class Baseline:
    """The state when a move began, for `changes` (memories are copied: bytes, fast)."""

    def __init__(self, s: Session) -> None:
        self.step = s.machine.steps
        self.mems = [chunked(m.data) for m in s.program.root.mems]  # zero chunks shared
        self.globals = [TypedValue(g.type.type, g.value) for _, g in all_globals(s)]
        self.tables = [tuple(t.elements) for t in s.program.root.tables]
        self.stack = tuple(stack(s).values)
        m = s.machine
        fr = m.frame
        self.frame = (m.depth, fr.func) if fr is not None else None
        self.locals = locals_view(s, fr) if fr is not None else None


def all_globals(s: Session) -> list[tuple[str, Any]]:
    """(label, global) of the debugged instance, then of its nested instances (module linking;
    labels qualified by the instance path, `$c1.$n`); each global once."""
    p = s.program
    out: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for inst in p.instances:
        if inst is not p.root and p.nested_path(inst) is None:
            continue
        path = p.nested_path(inst)
        for i, g in enumerate(inst.globals):
            if id(g) in seen:
                continue
            seen.add(id(g))
            label = p.global_label(i, inst)
            out.append((f"{path}.{label}" if path else label, g))
    return out


def is_exit(t: BaseException | None) -> bool:
    """A WASI `proc_exit`: the program ended (it is a Trap so the machine stops)."""
    try:
        from ..wasi import ProcExit
    except ImportError:  # pragma: no cover - wasi is part of wasmlab
        return False
    return isinstance(t, ProcExit)


def position(s: Session) -> Position:
    m = s.machine
    state = "returned" if m.results is not None else "trapped" if m.trap is not None else "paused"
    if state == "trapped" and is_exit(m.trap):
        state = "exited"
    fr = m.frame
    if fr is None:
        return Position(m.steps, state, function=s.name if m.host_entry else None)
    f, pc = fr.func, fr.pc
    p = s.program
    ins = p.instr(f, pc)
    return Position(
        m.steps,
        state,
        p.func_name(f),
        f.index,
        p.instance_name(f.module),
        pc,
        p.offset(f, pc),
        ins.span if ins is not None else None,
        p.instr_text(f, pc),
        m.depth,
        p.nested_path(f.module),
        ins.op.name if ins is not None else None,
    )


def stack(s: Session) -> StackView:
    m = s.machine
    S = m.stack
    if m.results is not None:
        types = s.func.type.results
        return StackView([StackSegment("results", tuple(map(TypedValue, types, S)))])
    if m.host_entry:
        return StackView([StackSegment("arguments", tuple(map(TypedValue, s.func.type.params, S)))])
    frames = m.frames
    segments = []
    for i, fr in enumerate(frames):
        hi = frames[i + 1].base if i + 1 < len(frames) else len(S)
        values = S[fr.base : hi]
        segments.append(
            StackSegment(s.program.func_name(fr.func), typed(s, fr, values, i == len(frames) - 1))
        )
    return StackView(segments)


def top_values(s: Session) -> tuple[TypedValue, ...]:
    """The typed operand values of the top frame only (or the results, or a host call's
    arguments): what a trace line shows, without typing the whole stack."""
    m = s.machine
    fr = m.frame
    if m.results is not None or m.host_entry or fr is None:
        segments = stack(s).segments
        return segments[-1].values if segments else ()
    return typed(s, fr, m.stack[fr.base :], True)


def typed(s: Session, fr: Frame, values: list, top: bool) -> tuple[TypedValue, ...]:
    f, pc = fr.func, fr.pc
    types: tuple | None = None
    try:
        facts = s.program.facts(f)
        if top:
            types = facts.stacks[pc]
        else:
            types = facts.stacks[pc]
            call = s.program.instr(f, pc - 1)
            if types is not None and call is not None:
                n = _call_results(call, f)
                types = types[: len(types) - n]
    except (IndexError, WasmError):
        types = None
    if types is None or len(types) != len(values):
        return tuple(TypedValue(None, v) for v in values)
    return tuple(map(TypedValue, types, values))


def locals_view(s: Session, fr: Frame) -> LocalsView:
    f = fr.func
    names = s.program.local_names(f)
    return LocalsView(names, [TypedValue(t, v) for t, v in zip(f.local_types, fr.locals)])


def frames(s: Session) -> FramesView:
    m = s.machine
    p = s.program
    out = []
    frames = m.frames
    S = m.stack
    for i, fr in enumerate(frames):
        f, pc = fr.func, fr.pc
        top = i == len(frames) - 1
        here = pc if top else pc - 1  # a caller is at its call instruction
        try:
            labels = tuple(Label(b.kind, b.pc, b.end_pc, b.label_types) for b in p.facts(f).labels_at(here))
        except WasmError:
            labels = ()
        hi = frames[i + 1].base if i + 1 < len(frames) else len(S)
        ins = p.instr(f, here)
        out.append(
            FrameView(
                i,
                p.instance_name(f.module),
                p.func_name(f),
                f.index,
                here,
                p.offset(f, here),
                ins.span if ins is not None else None,
                p.instr_text(f, here),
                locals_view(s, fr),
                labels,
                typed(s, fr, S[fr.base : hi], top),
            )
        )
    return FramesView(out)


def globals_view(s: Session) -> GlobalsView:
    """The globals of the instance the top frame runs in (module linking: a nested instance)."""
    p = s.program
    inst = s.instance
    return GlobalsView(
        [
            GlobalView(
                i, p.global_label(i, inst), g.type.type, g.type.mutable, TypedValue(g.type.type, g.value)
            )
            for i, g in enumerate(inst.globals)
        ],
        p.nested_path(inst),
    )


def changes(s: Session, b: Baseline | None) -> Changes:
    """What the last move changed: memory ranges, memory sizes, globals, top-frame locals, stack."""
    b = s._baseline
    m = s.machine
    if b is None:
        return Changes(m.steps, m.steps, stack_before=tuple(stack(s)), stack_after=tuple(stack(s)))
    mem_changes: list[MemoryChange] = []
    sizes = []
    truncated = False
    for i, (mem, old) in enumerate(zip(s.program.root.mems, b.mems)):
        new = chunked(mem.data)
        old_size, new_size = sum(map(len, old)), sum(map(len, new))
        if old_size != new_size:
            sizes.append((i, old_size, new_size))
        for j, (oc, nc) in enumerate(zip(old, new)):
            if oc is nc or oc == nc:
                continue
            found, more = _diff_ranges(oc, nc, 64 - len(mem_changes))
            truncated = truncated or more
            a = j * CHUNK
            mem_changes += [MemoryChange(i, a + lo, a + hi, oc[lo:hi], nc[lo:hi]) for lo, hi in found]
            if more:
                break
    globs = [
        ValueChange(label, before, TypedValue(g.type.type, g.value))
        for (label, g), before in zip(all_globals(s), b.globals)
        if before != TypedValue(g.type.type, g.value)
    ]
    tables = [
        i for i, (t, old) in enumerate(zip(s.program.root.tables, b.tables)) if tuple(t.elements) != old
    ]
    fr = m.frame
    now = (m.depth, fr.func) if fr is not None else None
    locals_: list[ValueChange] = []
    frame_changed = now is None or b.frame is None or now[0] != b.frame[0] or now[1] is not b.frame[1]
    if not frame_changed and b.locals is not None and fr is not None:
        cur = locals_view(s, fr)
        locals_ = [ValueChange(n, b.locals[n], cur[n]) for n in cur if cur[n] != b.locals[n]]
    return Changes(
        b.step,
        m.steps,
        tuple(mem_changes),
        tuple(sizes),
        tuple(globs),
        tuple(locals_),
        tuple(tables),
        b.stack,
        tuple(stack(s).values),
        frame_changed and (now is not None or b.frame is not None),
        truncated,
    )


def history_view(s: Session) -> HistoryView:
    h = s._history
    m = s.machine
    if h is None:
        return HistoryView(m.steps, m.steps, None, 0, 0, 0, s.host_calls, tuple(s._moves), enabled=False)
    return HistoryView(
        m.steps,
        max(h.furthest, m.steps),
        h.end,
        len(h.checkpoints),
        h.interval,
        h.nbytes,
        len(h.host),
        tuple(s._moves),
        first=h.first_step,
    )


def _call_results(call: Any, f: FuncInst) -> int:
    name = call.op.name
    if f.module is None:
        return 0
    module = f.module.module
    if name == "call":
        return len(module.func_type(call.imm).results)
    if name == "call_indirect":
        return len(module.types[call.imm[0]].results)  # type: ignore[union-attr]
    return 0


def _diff_ranges(old: bytes, new: bytes, room: int) -> tuple[list[tuple[int, int]], bool]:
    """Byte ranges where `old` and `new` (two chunks) differ (over their common length), at
    most `room`."""
    n = min(len(old), len(new))
    if old[:n] == new[:n]:
        return [], False
    out: list[tuple[int, int]] = []
    step = 65536
    for a in range(0, n, step):
        b = min(n, a + step)
        if old[a:b] == new[a:b]:
            continue
        x = int.from_bytes(old[a:b], "little") ^ int.from_bytes(new[a:b], "little")
        diff = x.to_bytes(b - a, "little")
        for match in re.finditer(rb"[^\x00]+", diff):
            if len(out) >= room:
                return out, True
            out.append((a + match.start(), a + match.end()))
    return out, False
