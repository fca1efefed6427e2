"""The compiled tier under the debugger: every stop (a breakpoint, an interrupt, a trap,
the end, a goto into the past or the future) leaves the state the machine alone leaves."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wasmlab
from tests.exec.test_fast import TRAPS, state
from wasmlab.bench.workloads import WORKLOADS
from wasmlab.debug import debug
from wasmlab.exec import fast

PROGRAM = """
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $leaf (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (i32.store (i32.and (i32.mul (local.get 0) (i32.const 4)) (i32.const 0xFFFC)) (local.get 0))
    (i32.mul (local.get 0) (i32.const 3)))
  (func $mid (param i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s) (call $leaf (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "run") (param i32) (result i32)
    (local $k i32) (local $t i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get 0)))
      (local.set $t (i32.add (local.get $t) (call $mid (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $t) (global.get $g))))
"""


def sessions(wat: str, name: str, *args: Any, **options: Any) -> tuple[Any, Any]:
    """A session on the compiled tier and one on the machine alone, same call."""
    fast_s = debug(wasmlab.load(wat), name, *args, **options)
    saved = fast.TIER
    fast.TIER = "machine"
    try:
        machine_s = debug(wasmlab.load(wat), name, *args, **options)
    finally:
        fast.TIER = saved
    assert machine_s.machine.tier == "machine" and fast_s.machine.tier != "machine"
    return fast_s, machine_s


def seen(s: Any) -> tuple:
    """What a session shows: its machine's state and its globals and memory."""
    m = s.machine
    mem = s.memory(0).read(0, 1024) if s.instance.mems else b""
    return state(m), [g.value for g in s.instance.globals], bytes(mem)


def test_continue_to_the_end() -> None:
    a, b = sessions(PROGRAM, "run", 30)
    assert a.continue_().kind == b.continue_().kind == "returned"
    assert seen(a) == seen(b)
    assert a.result == b.result


@pytest.mark.parametrize("where", ["$leaf", "$mid"])
def test_a_breakpoint_in_a_callee(where: str) -> None:
    a, b = sessions(PROGRAM, "run", 30)
    for s in (a, b):
        s.break_at(where)
    for _ in range(5):
        sa, sb = a.continue_(), b.continue_()
        assert sa.kind == sb.kind == "breakpoint"
        assert seen(a) == seen(b)
    for s in (a, b):
        s.clear_breakpoints()
    assert a.continue_().kind == b.continue_().kind == "returned"
    assert seen(a) == seen(b)


def test_a_breakpoint_armed_mid_run() -> None:
    a, b = sessions(PROGRAM, "run", 40)
    for s in (a, b):
        s.break_at("$mid")
    a.continue_(), b.continue_()
    for s in (a, b):
        s.clear_breakpoints()
        s.step(3)
        s.break_at("$leaf")
    for _ in range(3):
        assert a.continue_().kind == b.continue_().kind == "breakpoint"
        assert seen(a) == seen(b)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=40000), st.integers(min_value=0, max_value=40000))
def test_goto_any_step(first: int, second: int) -> None:
    """goto(n) replays the compiled tier up to exactly n (forwards and back)."""
    a, b = sessions(PROGRAM, "run", 25)
    a.continue_(), b.continue_()
    end = a.position.step
    for n in (min(first, end), min(second, end)):
        a.goto(n), b.goto(n)
        assert a.position.step == b.position.step == n
        assert seen(a) == seen(b)


@pytest.mark.parametrize(
    ("name", "args"), [("load", (65533,)), ("div", (7, 0)), ("deep", (70,)), ("ind", (1, 5))]
)
def test_a_trap_under_the_debugger(name: str, args: tuple) -> None:
    a, b = sessions(TRAPS, name, *args)
    assert a.continue_().kind == b.continue_().kind == "trap"
    assert seen(a) == seen(b)
    a.back(), b.back()
    assert seen(a) == seen(b)


def test_deep_recursion_under_the_debugger() -> None:
    a, b = sessions(TRAPS, "rec", 0, depth_limit=700)
    assert a.continue_().kind == b.continue_().kind == "exhausted"
    assert seen(a) == seen(b)


def test_an_interrupt_stops_within_a_second_in_an_exact_state() -> None:
    w = WORKLOADS[1]  # sum_i64 over a billion: minutes of work
    s = debug(wasmlab.load(w.wat), "run", 10**9)
    timer = threading.Timer(0.2, s.interrupt)
    timer.start()
    stop = s.continue_()
    timer.join()
    assert stop.kind == "interrupted"
    k = s.position.step
    saved = fast.TIER
    fast.TIER = "machine"
    try:
        other = debug(wasmlab.load(w.wat), "run", 10**9, history=False)
    finally:
        fast.TIER = saved
    other.goto(k) if other.position.step > k else other._forward(k)  # noqa: SLF001 - the reference
    assert seen(s) == seen(other)
    s.step(7), other.step(7)  # and the machine goes on from there
    assert seen(s) == seen(other)


def test_fuel_under_the_debugger() -> None:
    a, b = sessions(PROGRAM, "run", 30, fuel=12345)
    assert a.continue_().kind == b.continue_().kind == "fuel"
    assert seen(a) == seen(b)


def test_checkpoints_taken_inside_compiled_code_are_exact() -> None:
    """History checkpoints at loop heads of compiled code (with compiled callers on the
    Python stack): going to each of them, and just past, shows the machine's state."""
    a, b = sessions(PROGRAM, "run", 25, checkpoint_interval=300)
    a.continue_(), b.continue_()
    assert a.history.checkpoints > 3  # (taken while compiled code ran; cheap runs space them out)
    end = a.position.step
    for n in [*range(0, end, end // 37), end - 1]:
        for k in (n, n + 1):
            a.goto(min(k, end)), b.goto(min(k, end))
            assert seen(a) == seen(b)


@pytest.mark.parametrize("condition", ["$n == 3", "$n > 100", "local 0 == 7 and step > 50", "$n == $n + 1"])
def test_a_conditional_breakpoint_on_compiled_code(condition: str) -> None:
    """The function stays compiled; the calls for which the condition holds stop exactly
    where the machine alone stops."""
    a, b = sessions(WORKLOADS[0].wat, "run", 12)
    for s in (a, b):
        s.break_at("$fib", condition=condition)
    for _ in range(4):
        sa, sb = a.continue_(), b.continue_()
        assert sa.kind == sb.kind
        assert seen(a) == seen(b)
        if sa.kind != "breakpoint":
            break


CALLBACK = """
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory (export "m") 1)
  (func (export "g") (param i32) (result i32)
    (local $i i32) (local $s i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get 0)))
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "run") (param i32) (result i32)
    (local $k i32) (local $t i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get 0)))
      (local.set $t (i32.add (local.get $t) (call $cb (local.get $k))))
      (i32.store (i32.const 16) (local.get $t))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l)))
    (local.get $t)))
"""


def test_a_host_function_calling_back_into_wasm() -> None:
    """A machine of its own runs inside a host call (with its compiled code): the session's
    budget and counts around it stay exact, forwards and back."""

    def load() -> Any:
        box: dict[str, Any] = {}

        def cb(x: int) -> int:
            return box["inst"].exports.g(x * 3)

        inst = wasmlab.load(CALLBACK, imports={"env": {"cb": cb}})
        box["inst"] = inst
        return inst

    a = debug(load(), "run", 40)
    saved = fast.TIER
    fast.TIER = "machine"
    try:
        b = debug(load(), "run", 40)
    finally:
        fast.TIER = saved
    assert a.continue_().kind == b.continue_().kind == "returned"
    assert seen(a) == seen(b)
    end = a.position.step
    for n in (1, end // 3, end // 2, end - 2):
        a.goto(n), b.goto(n)
        assert seen(a) == seen(b)
