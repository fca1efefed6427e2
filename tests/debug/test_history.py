"""Going back: back, back(n), goto, reverse_continue, undo; host calls replayed, never re-run."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.debug import DebugError, debug
from wasmlab.exec import fast

from .programs import BR_TABLE, FIB, MEMORY, TRAPS, load_host


def snapshot(s: object) -> tuple:
    """Everything goto must reproduce."""
    m = s.machine  # type: ignore[attr-defined]
    root = s.program.root  # type: ignore[attr-defined]
    return (
        m.steps,
        tuple(m.stack),
        tuple((fr.func.index, fr.pc, fr.locals, fr.base) for fr in m.frames),
        tuple(g.value for g in root.globals),
        tuple(bytes(mem.data) for mem in root.mems),
        tuple(tuple(t.elements) for t in root.tables),
        None if m.results is None else tuple(m.results),
        m.trap is not None,
    )


def test_back_one_and_n() -> None:
    s = debug(wasmlab.load(FIB), "fib", 6)
    states = [snapshot(s)]
    for _ in range(30):
        s.step()
        states.append(snapshot(s))
    s.back()
    assert snapshot(s) == states[29]
    s.back(10)
    assert snapshot(s) == states[19]
    s.back(1000)  # at most to the start
    assert snapshot(s) == states[0]
    with pytest.raises(DebugError, match="already at the start"):
        s.back()


@pytest.mark.parametrize("interval", [1, 3, 64, 4096])
def test_goto_matches_stepping(interval: int) -> None:
    inst = wasmlab.load(BR_TABLE)
    s = debug(inst, "run", 12, checkpoint_interval=interval, max_checkpoints=8)
    reference = debug(wasmlab.load(BR_TABLE), "run", 12, history=False)
    states = [snapshot(reference)]
    while not reference.finished:
        reference.step()
        states.append(snapshot(reference))
    s.continue_()
    end = s.position.step
    assert end == len(states) - 1
    for n in (0, end, end // 2, 1, end - 1, 7, end // 3, end):
        s.goto(n)
        assert snapshot(s) == states[n], n
    assert s.result == reference.result
    assert len(s._history.checkpoints) <= 8


def test_goto_forward_into_unexplored_steps() -> None:
    s = debug(wasmlab.load(FIB), "fib", 8)
    s.goto(100)
    assert s.position.step == 100
    ref = debug(wasmlab.load(FIB), "fib", 8)
    ref.step(100)
    assert snapshot(s) == snapshot(ref)
    with pytest.raises(DebugError, match="beyond the end"):
        s.goto(10**7)
    assert s.position.step == 100  # a failed goto leaves the session where it was
    s.continue_()
    with pytest.raises(DebugError, match="beyond the end"):
        s.goto(s.position.step + 1)
    with pytest.raises(DebugError):
        s.goto(-1)
    with pytest.raises(DebugError):
        s.goto("3")


def test_goto_restores_memory_growth_and_bulk_writes() -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 5, checkpoint_interval=2)
    before = snapshot(s)
    s.continue_()
    assert s.memory(0).pages == 2
    after = snapshot(s)
    s.goto(0)
    assert snapshot(s) == before and s.memory(0).pages == 1
    assert s.memory(0)[100:105] == b"hello" and s.memory(0)[3000:3005] == bytes(5)
    s.goto(after[0])
    assert snapshot(s) == after


def test_back_from_a_trap_and_forward_again() -> None:
    s = debug(wasmlab.load(TRAPS), "div", 0)
    s.continue_()
    trapped = snapshot(s)
    s.back()  # to just before the trapping instruction: same step count, no trap
    assert not s.finished and s.trap is None and s.position.step == trapped[0]
    assert s.position.instr == "i32.div_s" and s.stack.values == [1, 100, 0]
    assert s.continue_().kind == "trap"
    assert snapshot(s) == trapped
    s.back(2)
    assert s.position.step == trapped[0] - 1
    s.goto(trapped[0])
    assert s.trap is None
    assert s.step().kind == "trap"


def test_host_calls_are_recorded_and_replayed() -> None:
    inst, ticker = load_host()
    s = debug(inst, "run", 10, checkpoint_interval=5)
    s.continue_()
    result, calls, notes = s.result, ticker.calls, list(ticker.notes)
    assert calls == 10 and s.host_calls == 20  # tick and note, ten times each
    end = snapshot(s)
    s.goto(0)
    s.goto(37)
    s.back(5)
    s.continue_()
    assert s.result == result and snapshot(s) == end
    assert ticker.calls == calls and ticker.notes == notes  # replays never called the host
    assert s.history.host_calls == 20


def test_host_effects_on_memory_are_replayed() -> None:
    inst, ticker = load_host()
    s = debug(inst, "run", 4)
    s.continue_()
    assert s.memory(0)[4001:4005] == bytes([1, 2, 3, 4])
    s.goto(0)
    assert s.memory(0)[4001:4005] == bytes(4)
    s.continue_()
    assert s.memory(0)[4001:4005] == bytes([1, 2, 3, 4]) and ticker.calls == 4


def test_host_trap_is_replayed() -> None:
    def fail(x: int) -> int:
        raise RuntimeError("boom")

    inst = wasmlab.load(
        '(module (import "env" "f" (func $f (param i32) (result i32)))'
        ' (func (export "run") (result i32) (call $f (i32.const 1))))',
        {"env": {"f": fail}},
    )
    s = debug(inst, "run")
    stop = s.continue_()
    assert stop.kind == "trap" and "boom" in stop.reason
    s.back()
    assert s.continue_().kind == "trap" and s.host_calls == 1


def test_reverse_continue_to_breakpoints_and_watchpoints() -> None:
    s = debug(wasmlab.load(FIB), "fib", 6, checkpoint_interval=16)
    bp = s.break_at("fib", condition=lambda s: s.frames[-1].locals["$n"] == 1)
    hits = []
    while s.continue_().kind == "breakpoint":
        hits.append(s.position.step)
    assert len(hits) == 8
    for expected in reversed(hits):
        stop = s.reverse_continue()
        assert stop.kind == "breakpoint" and s.position.step == expected
        assert s.frames[-1].locals["$n"] == 1
    stop = s.reverse_continue()
    assert stop.kind == "start" and s.position.step == 0
    with pytest.raises(DebugError, match="already at the start"):
        s.reverse_continue()
    bp.delete()
    s2 = debug(wasmlab.load(BR_TABLE), "run", 9)
    s2.watch_global("zeros")
    s2.continue_()
    first = s2.position.step
    s2.continue_()
    s2.continue_()
    stop = s2.reverse_continue()
    assert stop.kind == "watchpoint" and s2.globals["zeros"].value == 2
    s2.reverse_continue()
    assert s2.position.step == first and s2.globals["zeros"].value == 1


def test_undo_returns_to_where_the_last_move_started() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5)
    s.step(7)
    s.continue_()
    s.undo()
    assert s.position.step == 7
    fresh = debug(wasmlab.load(FIB), "fib", 5)
    with pytest.raises(DebugError, match="no move"):
        fresh.undo()


def test_history_off() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5, history=False)
    s.step(3)
    for call in (s.back, lambda: s.goto(1), s.reverse_continue, s.undo):
        with pytest.raises(DebugError, match="history is off"):
            call()
    assert "history off" in repr(s.history)


def test_history_stays_bounded_on_a_long_run() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 20000, max_checkpoints=16)
    s.continue_()
    h = s._history
    assert len(h.checkpoints) <= 16 and h.thinnings > 0
    n = s.position.step
    s.goto(n // 2)
    assert s.position.step == n // 2
    s.back()
    assert s.position.step == n // 2 - 1


def test_keyboard_interrupt_inside_the_machine_keeps_an_exact_state() -> None:
    inst = wasmlab.load(BR_TABLE)
    s = debug(inst, "run", 50)
    f = s.func
    code = f.code
    original = code[3]
    count = [0]

    def interrupting(S: list, L: list, pc: int) -> int:
        count[0] += 1
        if count[0] == 20:
            raise KeyboardInterrupt
        return original(S, L, pc)

    code[3] = interrupting
    fast.block(f)  # (these handlers run, not the compiled tier's code)
    try:
        stop = s.continue_()
    finally:
        code[3] = original
        fast.unblock(f)
    assert stop.kind == "interrupted"
    here = snapshot(s)
    ref = debug(wasmlab.load(BR_TABLE), "run", 50)
    ref.step(here[0])
    assert snapshot(ref) == here
    assert s.continue_().kind == "returned"


def test_reverse_continue_from_a_trap_finds_a_breakpoint_on_the_trapping_instruction() -> None:
    s = debug(wasmlab.load(TRAPS), "div", 0)
    s.continue_()
    here = s.position
    s.break_at(at=here.offset)  # the division that trapped
    stop = s.reverse_continue()
    assert stop.kind == "breakpoint" and s.trap is None
    assert s.position.step == here.step and s.position.instr == "i32.div_s"
