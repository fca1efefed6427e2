"""Profiled compiling (exec.fast.DEFER): a long body's first call runs on the machine, which
notes the regions it reaches and counts its loops; the body is then compiled without the
regions no run reached (the code leaves for the machine where one starts: `COLD`), and a
hot loop of a call running on the machine goes on as compiled code from its head (a form
entered at a loop's head, `ensure_entry`).

Every observable stays the machine's: results or trap, where it stopped, steps, memory,
globals, on random programs of nested control flow (exec.fold's generator) called several
times on one instance, with every body profiled and every loop entered after one or two
back edges; on the C programs; and when an interrupt stops a plain run at any moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wasmlab
from tests.conftest import PROFILED
from tests.exec.test_deopt_equivalence import (
    SOME,
    AtLine,
    Program,
    assert_same,
    expected,
    final,
    interrupted_run,
    snapshot,
)  # fmt: skip
from tests.exec.test_fold import Gen, outcome
from wasmlab.errors import Trap
from wasmlab.exec import fast
from wasmlab.exec.compile import loop_heads, prepare, region_starts
from wasmlab.exec.translate import translate


@contextlib.contextmanager
def profiled() -> Iterator[None]:
    """exec.fast set as for the tier "profiled" (tests.conftest.PROFILED), in plain run mode."""
    saved = {name: getattr(fast, name) for name in (*PROFILED, "TIER")}
    try:
        fast.TIER = "auto"
        for name, value in PROFILED.items():
            setattr(fast, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(fast, name, value)


@pytest.fixture
def eager() -> Iterator[None]:
    with profiled():
        yield


def plain_calls(module: Any, tier: str, calls: list[tuple[int, int]]) -> list[tuple]:
    """Each call of `main` on one instance (what the previous ones profiled stays), in plain run
    mode: what each leaves."""
    inst = wasmlab.instantiate(module)
    out = []
    for args in calls:
        m = inst.machine("main", *args, tier=tier)
        out.append(outcome(inst, m, m.run))
    return out


CALLS = [(0, 0), (1, 5), (3, 2), (1, 5), (7, 1), (2, 9)]


@pytest.mark.parametrize("seed", range(120))
def test_profiled_calls_end_where_the_machine_ends(seed: int, eager: None) -> None:
    module = wasmlab.parse(Gen(seed).module())
    assert plain_calls(module, "auto", CALLS) == plain_calls(module, "machine", CALLS), seed


def test_the_random_programs_go_every_way(eager: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The programs above are profiled, cut, entered at loops and compiled again (or this
    test's claims would be empty)."""
    from wasmlab.exec import machine

    seen = {"profiled": 0, "cut": 0, "entered": 0, "cold": 0}

    def entry(f: Any, head: int) -> Any:
        fn = fast.ensure_entry(f, head)
        seen["entered"] += fn is not None
        return fn

    monkeypatch.setattr(machine, "ensure_entry", entry)
    for seed in range(120):
        module = wasmlab.parse(Gen(seed).module())
        inst = wasmlab.instantiate(module)
        for args in CALLS:
            try:
                inst.machine("main", *args, tier="auto").run()
            except Trap:
                pass
        for f in inst.inst.funcs:
            lay = f.layout
            if lay is None:
                continue
            seen["profiled"] += lay.coverage is not None
            seen["cut"] += "cut" in (lay.translated or {})
            seen["cold"] += lay.cold_hits > 0
    assert all(v >= 20 for v in seen.values()), seen


def test_a_form_entered_at_a_loop_goes_in_through_every_construct() -> None:
    """The loop sits in a block, the else arm of an if, and another loop: the form that starts at
    its head skips the code before it in each (`if not E:`) and takes the else arm."""
    src = """(module (memory 1)
      (func (export "main") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
        (block $out (loop $outer
          (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $j (i32.const 0))
          (if (i32.eqz (i32.and (local.get $i) (i32.const 1)))
            (then (local.set $s (i32.add (local.get $s) (i32.const 1000))))
            (else
              (block $b
                (br_if $b (i32.gt_u (local.get $i) (i32.const 100)))
                (loop $inner
                  (local.set $s (i32.add (local.get $s) (local.get $j)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $inner (i32.lt_u (local.get $j) (local.get $i)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $outer)))
        (local.get $s)))"""
    inst = wasmlab.instantiate(wasmlab.parse(src))
    f = inst.inst.funcs[0]
    lay = prepare(f)
    body = f.func.body
    heads = loop_heads(body, lay, inst.inst.types)
    assert len(heads) == 2
    for head in heads:
        tr = translate(body, f.local_types, 1, 1, inst.inst.types, [f.type], lay, 0, True, frozenset(), head)
        assert tr.source is not None, tr.reason
        assert "E = False" in tr.source
    inner = heads[1]
    source = translate(
        body, f.local_types, 1, 1, inst.inst.types, [f.type], lay, 0, True, frozenset(), inner
    ).source
    assert "if not E:" in source and "not E and" in source  # (the if's else arm holds the loop)
    want = wasmlab.instantiate(wasmlab.parse(src)).machine("main", 40, tier="machine")
    want.run()
    for head in heads:  # (each entry at several moments: the machine runs the loop k times first)
        for k in range(1, 6):
            m = inst.machine("main", 40, tier="machine")
            got = _enter_at(m, f, head, k)
            assert got == (want.results, want.steps), (head, k)


def _enter_at(m: Any, f: Any, head: int, k: int) -> tuple:
    """Step `m` until the k-th time its frame of `f` is at the loop head `head` (its first
    instruction), then go on from there as the entry form, to the end."""
    seen = 0
    while True:
        fr = m._frames[-1]
        if fr[0] is f and fr[2] == head + 1 and len(m.stack) == fr[4]:
            seen += 1
            if seen == k:
                break
        m.step()
    fn = fast.ensure_entry(f, head)
    assert fn is not None
    x0 = fast.EXTRA[0]
    out = fn(*m._frames[-1][3], 100, 0)
    return [out], m.steps + fast.EXTRA[0] - x0


def test_cold_regions_leave_for_the_machine_exactly(eager: None) -> None:
    """A body compiled after a first call that took one arm: a later call taking the other
    reaches a cold region (the machine runs it, the step count stays exact), and the body is
    compiled again with that region."""
    src = """(module (global $g (mut i32) (i32.const 0))
      (func (export "main") (param $a i32) (param $b i32) (result i32) (local $s i32)
        (if (local.get $a)
          (then (local.set $s (i32.mul (local.get $b) (i32.const 3))))
          (else (local.set $s (i32.add (local.get $b) (i32.const 11)))
                (global.set $g (i32.add (global.get $g) (i32.const 1)))))
        (i32.add (local.get $s) (global.get $g))))"""
    module = wasmlab.parse(src)
    calls = [(1, 4), (1, 5), (0, 6), (0, 7), (1, 8), (0, 9)]
    assert plain_calls(module, "auto", calls) == plain_calls(module, "machine", calls)
    inst = wasmlab.instantiate(module)
    for args in calls[:3]:
        inst.machine("main", *args, tier="auto").run()
    lay = inst.inst.funcs[0].layout
    assert lay.coverage is not None and lay.cold_hits == 1


@pytest.mark.parametrize("numbers", [10, 300])
def test_the_c_program_profiled(numbers: int, eager: None) -> None:
    """The WASI qsort program (scanf, qsort, printf) profiled throughout: the same output and
    step count as the machine alone."""
    from wasmlab.bench.wasi import PROGRAMS, run_wasmlab
    from wasmlab.bench.wasi import numbers as make

    stdin = make(numbers)
    steps, _, out = run_wasmlab(PROGRAMS / "qsort.wasm", stdin, tier="auto")
    want_steps, _, want = run_wasmlab(PROGRAMS / "qsort.wasm", stdin, tier="machine")
    assert (steps, out) == (want_steps, want)


def test_region_starts_are_what_only_control_reaches() -> None:
    inst = wasmlab.instantiate(wasmlab.parse(Gen(3).module()))
    for f in inst.inst.funcs:
        body = f.func.body
        lay = prepare(f)
        for pc in region_starts(body, lay):
            assert body[pc - 1].op.name in ("if", "else", "br_if", "end")
            assert lay.reachable[pc]


# --- an interrupt at any moment of a plain run that profiles ----------------------------------


@pytest.mark.parametrize("name", ["fib", "sieve", "indirect", "kept", "exceptions", "host"])
@SOME
@given(when=st.floats(min_value=0, max_value=1))
def test_an_interrupt_while_profiling(name: str, when: float) -> None:
    """`fast.interrupt()` at any Python line of a plain run whose bodies are profiled, cut and
    entered at loops: the machine alone's state at that step count, then the same end."""
    with profiled():
        p = Program.load(name)
        at = AtLine(1 << 62, lambda: None)
        interrupted_run(p, at.__enter__, at.__exit__, plain=True)
        lines = (1 << 62) - at.n
        p = Program.load(name)
        at = AtLine(max(1, int(when * lines)), fast.interrupt)
        m = interrupted_run(p, at.__enter__, at.__exit__, plain=True)
        assert_same(snapshot(p, m), expected(p, m), f"interrupted in {at.fired_in}")
        try:
            m.run()
        except Trap:
            pass
        assert_same(snapshot(p, m), final(name), "after the interrupt, to the end")


def test_a_debugger_run_through_a_cold_region_stops_at_its_breakpoints(eager: None) -> None:
    """A body compiled without its else arm (plain runs only took the then arm), run by a
    session without history (the forms that check no budget): reaching the else arm leaves for
    the session's machine, which stops at the breakpoint in the function the arm calls."""
    from wasmlab.debug import debug

    src = """(module
      (func $g (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func (export "main") (param $a i32) (param $b i32) (result i32)
        (if (result i32) (local.get $a)
          (then (i32.add (local.get $b) (i32.const 1)))
          (else (call $g (local.get $b))))))"""
    inst = wasmlab.instantiate(wasmlab.parse(src))
    for b in range(4):
        inst.machine("main", 1, b, tier="auto").run()
    main = inst.inst.funcs[1]
    assert "cut" in main.layout.translated
    s = debug(inst, "main", 0, 7, history=False)
    s.break_at("$g")
    stop = s.continue_()
    assert stop.kind == "breakpoint" and s.machine.frame.func.name == "g", stop
    assert main.layout.cold_hits == 1
    s.continue_()
    assert s.machine.results == [21]


def alternating(module: Any, tier: str) -> list[tuple]:
    """The calls of CALLS, alternating between two instances of `module`."""
    insts = [wasmlab.instantiate(module) for _ in range(2)]
    out = []
    for k, args in enumerate(CALLS):
        inst = insts[k % 2]
        m = inst.machine("main", *args, tier=tier)
        out.append(outcome(inst, m, m.run))
    return out


@pytest.mark.parametrize("seed", range(0, 120, 11))
def test_instances_of_one_module_share_what_profiling_saw(seed: int) -> None:
    """Instances made one after another from one module share its bodies' profiles and code:
    calls alternating between them end where the machine alone ends."""
    module = wasmlab.parse(Gen(seed).module())
    with profiled():
        fast.PROFILED_CALLS = 3
        got = alternating(module, "auto")
    assert got == alternating(module, "machine"), seed
