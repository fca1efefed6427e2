"""The debugger on tail calls and multiple memories: frames replaced in place, stepping
over a tail call, travelling back across one; watchpoints, changes and views per memory."""

from __future__ import annotations

import wasmlab
from tests.exec.test_multi_memory import SRC as MULTI
from tests.exec.test_tail_call import EVEN_ODD
from wasmlab.debug import Session


def even_odd() -> wasmlab.Instance:
    return wasmlab.load(EVEN_ODD, features="tail-call")


def test_frames_are_replaced_and_history_goes_back_across_tail_calls() -> None:
    s = Session(even_odd(), "even", 4)
    seen = []
    while not s.finished:
        s.step()
        seen.append((s.position.function, s.position.depth))
    assert {depth for _, depth in seen[:-1]} == {1}  # one frame the whole time
    assert {"even", "odd"} <= {f for f, _ in seen}
    assert s.result == 1
    end = s.step_count
    s.goto(end - 3)
    again = Session(even_odd(), "even", 4)
    again.step(end - 3)
    assert s.position == again.position and list(s.stack.values) == list(again.stack.values)
    s.goto(0)
    assert s.position.function == "even" and s.position.pc == 0


def test_step_over_a_tail_call_runs_until_the_function_returns() -> None:
    s = Session(even_odd(), "fac", 5)
    while s.position.instr is None or "return_call" not in s.position.instr:
        s.step()
    stop = s.step_over()
    assert stop.kind == "returned" and s.result == 120


def test_step_out_of_a_tail_called_function_returns_to_the_original_caller() -> None:
    src = """(module
      (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $mid (param i32) (result i32) (return_call $leaf (i32.add (local.get 0) (i32.const 1))))
      (func (export "top") (param i32) (result i32) (i32.add (call $mid (local.get 0)) (i32.const 100))))"""
    s = Session(wasmlab.load(src, features="tail-call"), "top", 1)
    s.break_at("$leaf")
    assert s.continue_().kind == "breakpoint"
    assert [f.function for f in s.frames] == ["top", "leaf"]  # $mid's frame was replaced
    s.step_out()
    assert [f.function for f in s.frames] == ["top"]
    assert s.continue_().kind == "returned" and s.result == 106


def test_watchpoint_changes_and_view_of_memory_1() -> None:
    inst = wasmlab.load(MULTI, features="multi-memory")
    s = Session(inst, "store_b", 8, 0x01020304)
    s.watch_memory(8, 4, memory=1)
    stop = s.continue_()
    assert stop.kind == "watchpoint"
    assert stop.watch.new == b"\x04\x03\x02\x01"
    assert [(c.memory, c.lo, c.hi) for c in s.changes.memory] == [(1, 8, 12)]
    assert bytes(s.memory(1).read(8, 4)) == b"\x04\x03\x02\x01"
    assert bytes(s.memory(0).read(8, 4)) == bytes(4)


def test_a_watchpoint_on_memory_0_ignores_stores_to_memory_1() -> None:
    inst = wasmlab.load(MULTI, features="multi-memory")
    s = Session(inst, "store_b", 8, 7)
    s.watch_memory(8, 4, memory=0)
    assert s.continue_().kind == "returned"
