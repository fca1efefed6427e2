"""Deoptimisation equivalence: wherever and however the compiled tier stops (a step budget,
fuel, an interrupt at any moment, a breakpoint armed while compiled code runs, a trap deep
inside it, an exception passing through compiled frames), the whole state -- value stack,
every frame's function, pc and locals, the step count, memory, globals, what host functions
saw, the results or trap -- is the state the machine alone reaches after the same number of
steps; and from there both go on to the same end.

The stopping points are drawn by hypothesis. An interrupt or a breakpoint "at any moment"
comes from a trace function (`sys.settrace`) that acts at the n-th Python line executed
while the call runs: inside a compiled body, in the machine's dispatch loop or in the
tier's helpers, as a thread's interrupt could.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import wasmlab
from wasmlab.debug import debug
from wasmlab.errors import Trap
from wasmlab.exec import fast

FIB = """
(module
  (memory 1)
  (global $calls (mut i32) (i32.const 0))
  (func $fib (param $n i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store (i32.shl (i32.and (local.get $n) (i32.const 63)) (i32.const 2)) (global.get $calls))
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "run") (param i32) (result i32) (call $fib (local.get 0))))
"""

#: loops over memory: a sieve (bytes, f64 stores, an i64 global)
SIEVE = """
(module
  (memory 1)
  (global $found (mut i64) (i64.const 0))
  (func $mark (param $p i32) (param $n i32)
    (local $j i32)
    (local.set $j (i32.mul (local.get $p) (local.get $p)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $j) (local.get $n)))
      (i32.store8 (local.get $j) (i32.const 1))
      (local.set $j (i32.add (local.get $j) (local.get $p)))
      (br $l))))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $sum f64)
    (local.set $i (i32.const 2))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (if (i32.eqz (i32.load8_u (local.get $i)))
        (then
          (global.set $found (i64.add (global.get $found) (i64.extend_i32_u (local.get $i))))
          (local.set $sum (f64.add (local.get $sum) (f64.sqrt (f64.convert_i32_u (local.get $i)))))
          (f64.store offset=40000 (i32.shl (local.get $i) (i32.const 1)) (local.get $sum))
          (call $mark (local.get $i) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i64.add (global.get $found) (i64.trunc_f64_s (local.get $sum)))))
"""

#: calls through call_indirect, one of them recursive through the table
INDIRECT = """
(module
  (memory 1)
  (type $op (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $add $sub $mul $rec)
  (global $acc (mut i32) (i32.const 1))
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1)))
  (func $rec (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 1)) (then (local.get 0))
      (else (call_indirect (type $op) (local.get 0) (i32.sub (local.get 1) (i32.const 1))
                           (i32.rem_u (local.get 1) (i32.const 4))))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (global.set $acc (call_indirect (type $op) (global.get $acc) (local.get $i)
                                      (i32.rem_u (local.get $i) (i32.const 4))))
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (global.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (global.get $acc)))
"""

#: a function kept on the machine ($kept: table.get) between compiled ones
KEPT = """
(module
  (memory 1)
  (table 1 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $leaf (param i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $i))))
      (i32.store8 (local.get $i) (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func $kept (param i32) (result i32)
    (drop (table.get 0 (i32.const 0)))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.add (call $leaf (local.get 0)) (global.get $g)))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32) (local $t i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $t (i32.xor (local.get $t) (call $kept (i32.and (local.get $k) (i32.const 31)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.get $t)))
"""

#: a division by zero 300 calls deep (deeper than compiled code nests Python calls)
DEEP_TRAP = """
(module
  (memory 1)
  (global $depth (mut i32) (i32.const 0))
  (func $down (param $n i32) (param $x i32) (result i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (i32.store (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const 0xfffc)) (local.get $x))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.div_u (local.get $x) (i32.sub (local.get $x) (local.get $x))))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1))
                                              (i32.add (local.get $x) (local.get $n)))))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (i32.const 50)))
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $s) (call $down (local.get $n) (i32.const 7)))))
"""

#: exceptions thrown on the machine ($thrower), through a compiled frame ($mid), caught by a
#: try_table on the machine ($guard), called from compiled code ($run)
EXCEPTIONS = """
(module
  (memory 1)
  (tag $e (param i32))
  (global $caught (mut i32) (i32.const 0))
  (func $thrower (param i32)
    (if (i32.eq (i32.rem_u (local.get 0) (i32.const 7)) (i32.const 3))
      (then (throw $e (local.get 0)))))
  (func $mid (param $k i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $k)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $s))
      (call $thrower (i32.add (local.get $k) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func $guard (param $k i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $mid (local.get $k))))
    (global.set $caught (i32.add (global.get $caught) (i32.const 1))))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32) (local $t i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $t (i32.add (local.get $t) (call $guard (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $t) (global.get $caught))))
"""

#: a host function called from compiled loops; its answers depend on how often it was called
HOST = """
(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $inner (param i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s) (call $f (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i32.store offset=100 (i32.shl (local.get 0) (i32.const 2)) (local.get $s))
    (local.get $s))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get $n)))
      (global.set $g (i32.add (global.get $g) (call $inner (i32.and (local.get $k) (i32.const 15)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (global.get $g)))
"""

#: a host function that calls back into the instance (a machine of its own, with its own
#: compiled code, inside a host call made from compiled code)
CALLBACK = """
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory 1)
  (global $calls (mut i32) (i32.const 0))
  (func $g (export "g") (param i32) (result i32)
    (local $i i32) (local $s i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (i32.store8 (local.get $i) (local.get $s))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "run") (param $n i32) (result i32)
    (local $k i32) (local $t i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get $n)))
      (local.set $t (i32.add (local.get $t) (call $cb (local.get $k))))
      (i32.store offset=1000 (i32.shl (local.get $k) (i32.const 2)) (local.get $t))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.get $t)))
"""

#: name -> (text, argument of "run", a function to stop in)
PROGRAMS: dict[str, tuple[str, int, str]] = {
    "fib": (FIB, 13, "$fib"),
    "sieve": (SIEVE, 2500, "$mark"),
    "indirect": (INDIRECT, 300, "$rec"),
    "kept": (KEPT, 50, "$leaf"),
    "deep-trap": (DEEP_TRAP, 300, "$down"),
    "exceptions": (EXCEPTIONS, 30, "$mid"),
    "host": (HOST, 40, "$inner"),
    "callback": (CALLBACK, 150, "$g"),
}
NAMES = list(PROGRAMS)


@dataclass
class Program:
    """One fresh instance of a program (and what its host function was called with)."""

    name: str
    arg: int
    inst: Any
    log: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, name: str, arg: int | None = None) -> Program:
        p = cls(name, PROGRAMS[name][1] if arg is None else arg, None)

        def f(x: int) -> int:
            p.log.append(x)
            return (x * 3 + len(p.log)) & 0xFFFF

        def cb(x: int) -> int:
            p.log.append(x)
            return p.inst.exports.g(x * 3 % 200)

        imports = {"host": {"env": {"f": f}}, "callback": {"env": {"cb": cb}}}.get(name)
        p.inst = wasmlab.load(PROGRAMS[name][0], imports=imports)
        return p

    def machine(self, tier: str, **options: Any) -> Any:
        return self.inst.machine("run", self.arg, tier=tier, **options)

    def session(self, tier: str, **options: Any) -> Any:
        saved = fast.TIER
        fast.TIER = tier
        try:
            s = debug(self.inst, "run", self.arg, **options)
        finally:
            fast.TIER = saved
        assert s.machine.tier == tier
        return s


def snapshot(p: Program, m: Any) -> dict[str, Any]:
    """The whole state of a machine of program `p` and of its instance."""
    inst = p.inst.inst
    trap = None if m.trap is None else (type(m.trap).__name__, m.trap.kind, list(m.trap.stack))
    return {
        "steps": m.steps,
        "stack": list(m.stack),
        "frames": [(f.func.name, f.pc, list(f.locals), f.base) for f in m.frames],
        "results": m.results,
        "trap": trap,
        "memory": [bytes(mem.data) for mem in inst.mems],
        "globals": [g.value for g in inst.globals],
        "host calls": list(p.log),
    }


def run_to_end(m: Any) -> None:
    try:
        m.run()
    except Trap:
        pass


@functools.cache
def total_steps(name: str) -> int:
    """How many instructions the call runs (to its result or its trap), on the machine alone."""
    p = Program.load(name)
    m = p.machine("machine")
    run_to_end(m)
    return m.steps


@functools.cache
def final(name: str, arg: int | None = None) -> dict[str, Any]:
    """The machine alone's state at the end of the call."""
    p = Program.load(name, arg)
    m = p.machine("machine")
    run_to_end(m)
    return snapshot(p, m)


def reference(name: str, steps: int, arg: int | None = None) -> dict[str, Any]:
    """The machine alone, stepped `steps` instructions from the call's start."""
    p = Program.load(name, arg)
    m = p.machine("machine")
    try:
        m.run(max_steps=steps)
    except Trap:
        pass
    assert m.steps == steps or m.trap is not None
    return snapshot(p, m)


def expected(p: Program, m: Any) -> dict[str, Any]:
    """What the machine alone shows after as many steps as `m` ran (its end, when `m` ended)."""
    return final(p.name, p.arg) if m.finished else reference(p.name, m.steps, p.arg)


def assert_same(got: dict[str, Any], want: dict[str, Any], how: str, leave: tuple[str, ...] = ()) -> None:
    for key in want:
        if key not in leave:
            assert got[key] == want[key], f"{how}: {key} differs at step {got['steps']}"


def test_the_programs_run_compiled_code_and_the_machine() -> None:
    """Each program's functions are compiled except the ones it keeps on the machine on purpose;
    each runs long enough, and the deep trap and the exceptions happen."""
    kept = {"kept": {"kept"}, "exceptions": {"thrower", "guard"}}
    for name in NAMES:
        p = Program.load(name)
        on_machine = {f.name for f in p.inst.inst.funcs if f.host is None and fast.source_of(f) is None}
        assert on_machine == kept.get(name, set()), name
        assert total_steps(name) > 2000, name
    assert final("deep-trap")["trap"][1] == "integer divide by zero"
    assert len(final("deep-trap")["trap"][2]) == 302  # (run, 301 frames of $down)
    assert final("exceptions")["globals"][0] > 5  # (exceptions caught)
    assert len(final("host")["host calls"]) > 200
    assert final("callback")["globals"][0] == 150  # (calls back into wasm)


#: (no shrinking: a failure shows the example as it was drawn)
SOME = settings(
    max_examples=20,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(cuts=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=3))
def test_step_budgets(name: str, cuts: list[float]) -> None:
    """`run(max_steps=k)` on the tier "fast" (compiled code under budgets), several times, then
    to the end: after each, the machine alone's state at the same step count."""
    total = total_steps(name)
    p = Program.load(name)
    m = p.machine("fast")
    for cut in cuts:
        k = int(cut * (total - m.steps))
        m.run(max_steps=k)
        assert_same(snapshot(p, m), reference(name, m.steps), f"run(max_steps={k})")
    run_to_end(m)
    assert_same(snapshot(p, m), final(name), "to the end")


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(cut=st.floats(min_value=0, max_value=1.1))
def test_fuel(name: str, cut: float) -> None:
    """Fuel running out in compiled code (the tier "fast": compiled under fuel too): the
    machine's own trap at exactly that step, in the machine alone's state."""
    total = total_steps(name)
    fuel = max(1, int(cut * total))
    p = Program.load(name)
    m = p.machine("fast", fuel=fuel)
    q = Program.load(name)
    r = q.machine("machine", fuel=fuel)
    run_to_end(m)
    run_to_end(r)
    assert_same(snapshot(p, m), snapshot(q, r), f"fuel {fuel}")
    if fuel < total:
        assert m.trap is not None and m.trap.kind == "all fuel consumed" and m.steps == fuel


class AtLine:
    """While installed (`with`), run `action()` once, at the `n`-th Python line executed in
    this thread: wherever Python happens to be then (compiled wasm, the machine, the tier)."""

    def __init__(self, n: int, action: Callable[[], object]) -> None:
        self.n = n
        self.action = action
        self.fired_in: str | None = None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        if self.fired_in is not None:
            return None
        if event == "line":
            self.n -= 1
            if self.n <= 0:
                self.fired_in = frame.f_code.co_name
                self.action()
                return None
        return self._local

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        return None if self.fired_in is not None else self._local

    def __enter__(self) -> AtLine:
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)


@functools.cache
def lines_of(name: str, how: str) -> int:
    """How many Python lines the run `how` ("machine": `interrupted_run`, "session": a
    session's `continue`) of program `name` executes when nothing stops it."""
    lines = 0
    for _ in range(2):  # (the second time: what the first leaves cached is not counted)
        p = Program.load(name)
        at = AtLine(1 << 62, lambda: None)
        if how == "machine":
            interrupted_run(p, at.__enter__, at.__exit__)
        else:
            s = p.session("auto", history=False)
            with at:
                s.continue_()
        lines = (1 << 62) - at.n
    return lines


def interrupted_run(
    p: Program, start: Callable[[], object], stop: Callable[[], object], plain: bool = False
) -> Any:
    """A machine of `p` on the tier "fast" in the debugger's mode (`compiled`: a run stops when
    compiled code sees an interrupt), or in plain run mode (`plain`, the tier "auto"), run
    while `start()` ... `stop()` deliver one."""
    m = p.machine("auto" if plain else "fast")
    m.compiled = None if plain else True
    try:
        start()
        while not m.finished and not fast.STOP[0]:  # (it also returns when compiled code left)
            m.run(None if plain else 10**9)
    except Trap:
        pass
    finally:
        stop()
        fast.clear_interrupt()
    return m


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(when=st.floats(min_value=0, max_value=1))
def test_an_interrupt_at_any_moment(name: str, when: float) -> None:
    """`fast.interrupt()` at any moment of a run that may use compiled code: it stops in the
    machine alone's state at that step count (compiled code leaves at its next look), and
    from there runs on to the same end."""
    line = max(1, int(when * lines_of(name, "machine")))
    p = Program.load(name)
    at = AtLine(line, fast.interrupt)
    m = interrupted_run(p, at.__enter__, at.__exit__)
    assert_same(snapshot(p, m), expected(p, m), f"interrupted in {at.fired_in}")
    m.compiled = None
    run_to_end(m)
    assert_same(snapshot(p, m), final(name), "after the interrupt, to the end")


#: the programs' arguments for runs long enough for a thread to interrupt (tens of milliseconds)
LONG = {
    "fib": 23,
    "sieve": 12000,
    "indirect": 20000,
    "kept": 3000,
    "deep-trap": 8000,
    "exceptions": 250,
    "host": 3000,
    "callback": 3000,
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("delay", [0.001, 0.01])
def test_an_interrupt_from_a_thread(name: str, delay: float) -> None:
    """The same from another thread, after `delay` seconds, on longer calls."""
    p = Program.load(name, LONG[name])
    timer = threading.Timer(delay, fast.interrupt)
    m = interrupted_run(p, timer.start, timer.join)
    assert_same(snapshot(p, m), expected(p, m), "interrupted from a thread")
    m.compiled = None
    run_to_end(m)
    assert_same(snapshot(p, m), final(name, p.arg), "after the interrupt, to the end")


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(when=st.floats(min_value=0, max_value=1), how=st.sampled_from(["break", "interrupt"]))
def test_a_session_stopped_at_any_moment(name: str, when: float, how: str) -> None:
    """A debug session on the compiled tier (no history), running `continue`: a breakpoint is
    armed, or the session interrupted, at any moment. It stops in the machine alone's state at
    that step count (at a breakpoint: on the function's first instruction), and continues to
    the same end."""
    line = max(1, int(when * lines_of(name, "session")))
    p = Program.load(name)
    s = p.session("auto", history=False)
    where = PROGRAMS[name][2]
    action = (lambda: s.break_at(where)) if how == "break" else s.interrupt
    with AtLine(line, action) as at:
        stop = s.continue_()
    m = s.machine
    assert_same(snapshot(p, m), expected(p, m), f"{how} in {at.fired_in}: {stop.kind}")
    if stop.kind == "breakpoint":
        assert m.frame.func.name == where.lstrip("$") and m.frame.pc == 0
    else:
        assert stop.kind in ("interrupted", "returned", "trap"), stop
    s.clear_breakpoints()
    while not m.finished:
        stop = s.continue_()
        assert stop.kind in ("returned", "trap"), stop
    assert_same(snapshot(p, m), final(name), "continued to the end")


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(first=st.floats(min_value=0, max_value=1), more=st.floats(min_value=0, max_value=1))
def test_a_session_out_of_fuel_and_given_more(name: str, first: float, more: float) -> None:
    """Fuel running out under the debugger (compiled code stops exactly), then more fuel."""
    total = total_steps(name)
    p = Program.load(name)
    fuel = max(1, int(first * total))
    s = p.session("auto", history=False, fuel=fuel)
    stop = s.continue_()
    assert stop.kind == ("fuel" if fuel < total or final(name)["trap"] else "returned"), stop
    assert_same(snapshot(p, s.machine), expected(p, s.machine), f"fuel {fuel}")
    if s.machine.finished:
        return
    s.add_fuel(max(1, int(more * (total - fuel))))
    s.continue_()
    assert_same(snapshot(p, s.machine), expected(p, s.machine), "more fuel")


@pytest.mark.parametrize("name", NAMES)
@SOME
@given(cuts=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=3))
def test_a_session_with_history_goes_anywhere(name: str, cuts: list[float]) -> None:
    """With history (checkpoints taken at loop heads of compiled code): `goto` any step,
    forwards and back, shows the machine alone's state there (host functions are not called
    again: the history replays what they answered)."""
    total = total_steps(name)
    p = Program.load(name)
    s = p.session("auto", checkpoint_interval=500)
    s.continue_()
    assert_same(snapshot(p, s.machine), final(name), "the end")
    for cut in cuts:
        k = int(cut * total)
        s.goto(k)
        assert_same(snapshot(p, s.machine), reference(name, k), f"goto({k})", leave=("host calls",))
