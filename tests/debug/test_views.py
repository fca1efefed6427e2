"""Views as data: position, typed stack, frames (names, locals, labels), globals, memory,
changes, history; each with __repr__ and _repr_html_."""

from __future__ import annotations

import math

import pytest

import wasmlab
from wasmlab.debug import DebugError, TypedValue, debug
from wasmlab.exec.runtime import ExternRef, FuncInst
from wasmlab.syntax.types import ValType

from .programs import BR_TABLE, FIB, INDIRECT, MEMORY, TYPES


def test_typed_values_render_with_their_types() -> None:
    assert TypedValue(ValType.I32, 7).text == "i32 7"
    assert TypedValue(ValType.I32, 0xFFFFFFFF).text == "i32 -1"
    assert TypedValue(ValType.I64, 2**64 - 5).text == "i64 -5"
    assert TypedValue(ValType.F64, 1.5).text == "f64 1.5"
    assert TypedValue(ValType.F32, math.inf).text == "f32 inf"
    assert TypedValue(ValType.F64, math.nan).text == "f64 nan"
    assert TypedValue(ValType.V128, 1).text.startswith("v128 0x000")
    assert TypedValue(ValType.FUNCREF, None).text == "ref.null func"
    assert TypedValue(ValType.EXTERNREF, None).text == "ref.null extern"
    assert TypedValue(ValType.EXTERNREF, ExternRef("x")).text == "ref.extern 'x'"
    assert TypedValue(None, 3).text == "? 3"
    v = TypedValue(ValType.I32, 0xFFFFFFFF)
    assert v == -1 and v == 0xFFFFFFFF and int(v) == -1 and v.value == -1
    assert TypedValue(ValType.F64, 2.5) == 2.5 and float(TypedValue(ValType.F64, 2.5)) == 2.5
    assert TypedValue(ValType.I32, 1) == TypedValue(ValType.I32, 1) != TypedValue(ValType.I64, 1)
    assert [1, 2][TypedValue(ValType.I32, 1)] == 2
    with pytest.raises(TypeError):
        [1][TypedValue(ValType.F64, 0.0)]
    assert "<code>" in v._repr_html_()


def test_typed_stack_and_locals_of_every_kind() -> None:
    s = debug(wasmlab.load(TYPES), "f", 2.25, "host")
    s.step(12)
    texts = [v.text for v in s.stack]
    assert texts == ["f64 3.75", "ref.null extern", "ref.func 0 (f)", "i64 -1"]
    loc = s.frames[-1].locals
    assert list(loc) == ["$x", "$r", "$v", "$fr"]
    assert loc["$x"] == 2.25 and loc["x"] == 2.25 and loc[0] == 2.25
    assert loc["$r"].text == "ref.extern 'host'" and loc["$r"].value == "host"
    assert loc["$v"] == -5 and loc["$v"].type is ValType.I64
    assert isinstance(loc["$fr"].bits, FuncInst)
    with pytest.raises(KeyError):
        loc["$nope"]
    assert repr(s.stack) == "[f64 3.75, ref.null extern, ref.func 0 (f), i64 -1]"
    assert "value stack" in s.stack._repr_html_()


def test_position() -> None:
    s = debug(wasmlab.load(FIB), "fib", 3)
    s.step(2)
    p = s.position
    assert (p.step, p.function, p.func_index, p.pc, p.depth, p.instr) == (2, "fib", 0, 2, 1, "i32.lt_u")
    assert p.instance == "instance" and p.offset is not None and p.span.line == 3
    assert "fib+2" in repr(p) and "i32.lt_u" in p._repr_html_()
    s.continue_()
    assert s.position.state == "returned" and "returned" in repr(s.position)


def test_frames_show_the_call_stack() -> None:
    s = debug(wasmlab.load(INDIRECT), "pick", 4)
    s.break_at("$square")
    s.continue_()
    frames = s.frames
    assert len(frames) == 2
    caller, callee = frames
    assert caller.function == "pick" and caller.instr.startswith("call_indirect")
    assert caller.locals["$x"] == 4 and caller.stack == ()
    assert callee.function == "square" and callee.pc == 0 and list(callee.locals) == ["0"]
    assert callee.locals["0"] == 4
    assert "square" in repr(frames) and "frames" in frames._repr_html_()
    assert "square" in frames[-1]._repr_html_()
    with pytest.raises(DebugError, match="no frame 5"):
        frames[5]


def test_caller_operands_are_typed_during_a_call() -> None:
    s = debug(wasmlab.load(FIB), "fib", 4)
    bp = s.break_at("fib")
    s.continue_()
    s.continue_()  # fib(4) -> fib(3) -> fib(2)
    bp.delete()
    s.step_out()  # back in fib(3) with fib(2) = 1 on its stack
    assert [v.text for v in s.frames[-1].stack] == ["i32 1"]
    s.run_to("fib")  # into the second call: fib(1)
    outer = s.frames[-2]
    assert [v.text for v in outer.stack] == ["i32 1"] and outer.locals["$n"] == 3
    segments = s.stack.segments
    assert [seg.owner for seg in segments] == ["fib", "fib", "fib"]
    assert [len(seg.values) for seg in segments] == [0, 1, 0]


def test_labels_are_the_enclosing_blocks() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 3)
    s.run_to(line=12)
    labels = s.frames[-1].labels
    assert [lb.kind for lb in labels] == ["block", "loop", "block", "block", "block"]
    assert labels[1].target == labels[1].pc + 1  # a loop's label targets its start
    assert labels[0].target == labels[0].end_pc
    assert "loop@" in repr(labels[1])


def test_globals_view() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 9)
    s.continue_()
    g = s.globals
    assert [x.name for x in g] == ["$zeros", "$odds"]
    assert g["zeros"].value == 3 and g[1].value.text == "i32 4" and g["odds"].mutable
    assert "zeros: mut i32 3" in repr(g) and "globals" in g._repr_html_()
    with pytest.raises(DebugError):
        g["nope"]
    with pytest.raises(DebugError):
        g[9]


def test_memory_view_reads_in_place() -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 4)
    mem = s.memory(0)
    assert mem[100:105] == b"hello" and mem[100] == ord("h") and len(mem) == 65536
    s.continue_()
    assert mem.i32(1032) == 4 and mem.read(1024, 4) == bytes(4) and len(mem) == 2 * 65536
    assert "68 65 6c 6c 6f" in mem.hexdump(96, 16)
    assert "memory 0" in repr(mem) and "<pre>" in mem._repr_html_()
    for bad in (lambda: mem[70000 * 2], lambda: mem["x"], lambda: mem.read(-1, 2), lambda: s.memory(1)):
        with pytest.raises(DebugError):
            bad()


def test_changes_after_a_move() -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 3)
    s.step(8)
    ch = s.changes
    assert ch.start == 0 and ch.end == 8 and ch.memory == () and ch.globals == ()
    assert ch.stack_before == () and ch.stack_after == (1024, 0, 0) and ch.stack_changed
    s.continue_()
    ch = s.changes
    spans = [(c.lo, c.hi) for c in ch.memory]
    assert (1028, 1029) in spans and (1032, 1033) in spans and (2048, 2056) in spans and (3000, 3005) in spans
    assert ch.memory_size == ((0, 65536, 131072),)
    assert [(c.name, c.new.value) for c in ch.globals] == [("$last", 2)]
    assert ch.stack_after[-1] == 4
    assert "memory 0" in repr(ch) and "<pre>" in ch._repr_html_()
    s.goto(0)
    back = s.changes
    assert back.start > back.end and back.memory_size == ((0, 131072, 65536),)
    assert (2048, 2056) in [(c.lo, c.hi) for c in back.memory]


def test_changes_report_locals_of_the_same_frame() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 3)
    s.run_to(line=16)
    s.run_to(line=16)
    s.step(4)
    ch = s.changes
    assert [(c.name, c.old.value, c.new.value) for c in ch.locals] == [("$acc", 0, 1)]
    assert not ch.frame_changed
    s.step(4)
    assert [(c.name, c.old.value, c.new.value) for c in s.changes.locals] == [("$i", 1, 2)]


def test_changes_when_entering_a_call() -> None:
    s = debug(wasmlab.load(FIB), "fib", 3)
    s.run_to("fib")
    assert s.changes.frame_changed and s.changes.locals == ()
    fresh = debug(wasmlab.load(FIB), "fib", 3)
    assert fresh.changes.empty


def test_history_view() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5)
    s.step(3)
    s.continue_()
    s.back(2)
    h = s.history
    assert [m.command for m in h.moves] == ["step(3)", "continue", "back(2)"]
    assert h.end == h.step + 2 and h.checkpoints >= 1
    assert "ends at" in repr(h) and "<table" in h._repr_html_()
    assert "back(2)" in repr(h)


def test_stop_and_session_reprs() -> None:
    s = debug(wasmlab.load(FIB), "fib", 2)
    stop = s.step()
    assert "stepped to 1" in repr(stop) and "<b>" in stop._repr_html_()
    assert s.last_stop is stop
    assert "Session fib" in repr(s) and "Session" in s._repr_html_()
    bp = s.break_at("fib")
    assert "breakpoint 1 at fib" in repr(bp) and "<code>" in bp._repr_html_()
    w = debug(wasmlab.load(MEMORY), "fill", 1).watch_memory(0, 4)
    assert "watchpoint 1" in repr(w) and "<code>" in w._repr_html_()
