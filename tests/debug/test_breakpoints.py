"""Breakpoints (function, offset, line; several; enable/disable/delete; conditions) and
watchpoints (memory ranges, globals), and what patching leaves behind."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.debug import Breakpoint, DebugError, Watchpoint, debug
from wasmlab.errors import WasmError

from .programs import BR_TABLE, FIB, INDIRECT, MEMORY, load_host


def test_function_breakpoint_by_every_name() -> None:
    inst = wasmlab.load(INDIRECT)
    for spec in ("$square", "square", 1):
        s = debug(inst, "pick", 4)
        bp = s.break_at(spec)
        assert isinstance(bp, Breakpoint) and bp.what == "square"
        stop = s.continue_()
        assert stop.kind == "breakpoint" and stop.breakpoints == (bp,)
        assert s.position.function == "square" and s.position.pc == 0
        assert bp.hits == 1
        s.close()


def test_breakpoint_on_an_exported_name() -> None:
    s = debug(wasmlab.load(FIB), "fib", 3)
    s.break_at("fib")
    stop = s.continue_()
    assert stop.kind == "breakpoint" and s.position.depth == 2


def test_recursion_hits_every_entry() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5)
    bp = s.break_at("fib")
    seen = []
    while s.continue_().kind == "breakpoint":
        seen.append(int(s.frames[-1].locals["$n"]))
    assert len(seen) == 14 and bp.hits == 14  # fib(5) makes 14 recursive calls
    assert s.result == 5


def test_offset_breakpoint() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 6)
    f = s.function
    pc = next(i for i, ins in enumerate(f.func.body) if ins.op.name == "br_table")
    offset = s.program.offset(f, pc)
    assert offset is not None
    bp = s.break_at(at=offset)
    assert "offset" in bp.what
    assert s.continue_().kind == "breakpoint"
    assert s.position.instr.startswith("br_table") and s.position.offset == offset
    assert s.stack.top == 0  # i % 4 for i = 0
    s.continue_()
    assert s.stack.top == 1


def test_offsets_of_a_decoded_binary() -> None:
    data = wasmlab.encode(wasmlab.parse(FIB))
    s = debug(wasmlab.instantiate(wasmlab.decode(data)), "fib", 3)
    f = s.function
    assert s.position.offset == f.func.body[0].offset
    s.break_at(at=f.func.body[3].offset)
    s.continue_()
    assert s.position.pc == 3


def test_line_breakpoint_stops_once_per_pass() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 8)
    bp = s.break_at(line=13)  # (global.set $zeros ...) runs for i = 0 and i = 4
    assert s.continue_().kind == "breakpoint" and s.position.span.line == 13
    assert s.frames[-1].locals["$i"] == 0
    assert s.continue_().kind == "breakpoint"
    assert s.frames[-1].locals["$i"] == 4
    assert s.continue_().kind == "returned"
    assert bp.hits == 2


def test_several_breakpoints_enable_disable_delete() -> None:
    s = debug(wasmlab.load(INDIRECT), "pick", 4)
    a = s.break_at("$square")
    b = s.break_at("pick")
    assert s.breakpoints == [a, b] and a.id != b.id
    s.disable(a)
    assert not a.enabled
    assert s.continue_().kind == "returned"
    s2 = debug(wasmlab.load(INDIRECT), "pick", 4)
    a2 = s2.break_at("$square")
    b2 = s2.break_at("$square")
    stop = s2.continue_()
    assert set(stop.breakpoints) == {a2, b2}
    b2.delete()
    assert s2.breakpoints == [a2]
    a2.disable().enable()
    s2.delete(a2.id)
    assert s2.breakpoints == []
    with pytest.raises(DebugError):
        s2.delete(a2)
    with pytest.raises(DebugError):
        a2.enable()
    with pytest.raises(DebugError):
        s2.enable(99)


def test_conditional_breakpoint() -> None:
    s = debug(wasmlab.load(FIB), "fib", 10)
    bp = s.break_at("fib", condition=lambda s: s.frames[-1].locals["$n"] == 3)
    assert s.continue_().kind == "breakpoint"
    assert s.frames[-1].locals["$n"] == 3 and bp.hits == 1
    s.continue_()
    assert s.frames[-1].locals["$n"] == 3 and bp.hits == 2


def test_condition_that_raises_stops_with_the_error() -> None:
    s = debug(wasmlab.load(FIB), "fib", 4)
    s.break_at("fib", condition=lambda s: 1 / 0)
    stop = s.continue_()
    assert stop.kind == "condition-error" and "ZeroDivisionError" in stop.reason
    assert isinstance(stop.error, ZeroDivisionError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"func": "nope"}, "unknown function 'nope'"),
        ({"func": 99}, "no function 99"),
        ({"func": 2.5}, "cannot name a function"),
        ({"at": 1}, "no instruction starts at byte offset"),
        ({"at": "x"}, "must be an int"),
        ({"line": 999}, "no instruction on line 999"),
        ({"line": "3"}, "must be an int"),
        ({}, "exactly one place"),
        ({"func": "fib", "line": 3}, "exactly one place"),
        ({"func": "fib", "condition": 5}, "must be callable"),
    ],
)
def test_bad_breakpoints(kwargs: dict, message: str) -> None:
    s = debug(wasmlab.load(FIB), "fib", 4)
    with pytest.raises(WasmError, match=message):
        s.break_at(**kwargs)


def test_no_breakpoint_on_host_functions() -> None:
    inst, _ = load_host()
    s = debug(inst, "run", 2)
    with pytest.raises(DebugError, match="host function"):
        s.break_at("$tick")
    with pytest.raises(DebugError):
        s.break_at(0)


def test_line_breakpoint_needs_source() -> None:
    data = wasmlab.encode(wasmlab.parse(FIB))
    s = debug(wasmlab.instantiate(wasmlab.decode(data)), "fib", 3)
    with pytest.raises(DebugError, match="no source positions"):
        s.break_at(line=3)


def test_watch_memory_range() -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 6)
    w = s.watch_memory(1032, 4)  # i = 2 writes 4 at 1032
    assert isinstance(w, Watchpoint) and w.kind == "memory"
    stop = s.continue_()
    assert stop.kind == "watchpoint" and stop.watch.watch is w
    assert stop.watch.old == bytes(4) and stop.watch.new == (4).to_bytes(4, "little")
    assert s.memory(0)[1032:1036] == (4).to_bytes(4, "little")
    assert s.position.instr == "local.get 1"  # stopped right after the store
    assert w.hits == 1
    s.back()
    assert s.position.instr == "i32.store"
    assert s.memory(0)[1032:1036] == bytes(4)
    assert s.continue_().kind == "watchpoint" and w.hits == 2  # the store runs again
    assert s.continue_().kind == "returned"


def test_watch_memory_sees_bulk_writes_only_when_they_overlap() -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 3)
    s.watch_memory(2050, 1)
    stop = s.continue_()
    assert stop.kind == "watchpoint" and stop.watch.lo == 2048 and stop.watch.hi == 2056
    assert s.memory(0)[2048:2056] == b"\xab" * 8
    s.watch_memory(3004)
    stop = s.continue_()
    assert stop.watch.new == b"hello"
    assert s.continue_().kind == "returned"


def test_watch_global_by_name_and_index() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 6)
    w = s.watch_global("odds")
    stop = s.continue_()
    assert stop.kind == "watchpoint" and "odds" in stop.reason
    assert s.globals["odds"].value == 1 and stop.watch.old == 0 and stop.watch.new == 1
    w.disable()
    w2 = s.watch_global(0)
    assert s.continue_().watch.watch is w2
    assert s.globals["zeros"].value == 2
    s.delete(w2)
    assert s.continue_().kind == "returned"
    assert s.watchpoints == [w]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.watch_memory(-1, 4), "address >= 0"),
        (lambda s: s.watch_memory(0, 0), "size > 0"),
        (lambda s: s.watch_memory("a"), "must be an int"),
        (lambda s: s.watch_memory(0, memory=2), "no memory 2"),
        (lambda s: s.watch_global("nope"), "unknown global"),
        (lambda s: s.watch_global(7), "no global 7"),
        (lambda s: s.watch_global(1.5), "cannot name a global"),
    ],
)
def test_bad_watchpoints(call: object, message: str) -> None:
    s = debug(wasmlab.load(MEMORY), "fill", 3)
    with pytest.raises(WasmError, match=message):
        call(s)  # type: ignore[operator]


def test_immutable_global_cannot_be_watched() -> None:
    inst = wasmlab.load('(module (global (export "k") i32 (i32.const 1)) (func (export "f")))')
    with pytest.raises(DebugError, match="immutable"):
        debug(inst, "f").watch_global("k")


def test_patches_do_not_leak_into_plain_calls() -> None:
    inst = wasmlab.load(FIB)
    s = debug(inst, "fib", 5)
    s.break_at("fib")
    s.watch_global  # noqa: B018 - attribute exists
    assert inst.exports.fib(10) == 55  # the breakpoint belongs to the session's runs only
    assert s.continue_().kind == "breakpoint"
    s.close()
    assert inst.exports.fib(12) == 144


def test_close_restores_the_original_handlers() -> None:
    inst = wasmlab.load(MEMORY)
    func = inst.inst.exports["fill"]
    s = debug(inst, "fill", 2)
    original = list(func.code)
    s.break_at("fill")
    s.watch_memory(1024, 4)
    assert func.code != original
    s.close()
    assert func.code == original


def test_two_sessions_on_one_instance() -> None:
    inst = wasmlab.load(FIB)
    a = debug(inst, "fib", 4)
    b = debug(inst, "fib", 4)
    bpa = a.break_at("fib")
    b.break_at("fib")
    b.close()  # removing b's patches keeps a's
    assert a.continue_().kind == "breakpoint" and bpa.hits == 1
    c = debug(inst, "fib", 4)
    assert c.continue_().kind == "returned"


def test_breakpoint_in_another_instance() -> None:
    lib = wasmlab.load('(module (func $twice (export "twice") (param i32) (result i32)'
                       ' (i32.mul (local.get 0) (i32.const 2))))')  # fmt: skip
    app = wasmlab.load(
        '(module (import "lib" "twice" (func $t (param i32) (result i32)))'
        ' (func (export "main") (param i32) (result i32) (i32.add (call $t (local.get 0)) (i32.const 1))))',
        {"lib": lib.exports},
    )
    s = debug(app, "main", 5)
    bp = s.break_at(lib.exports["twice"])
    assert s.continue_().kind == "breakpoint" and bp.hits == 1
    frames = s.frames
    assert [f.function for f in frames] == ["main", "twice"]
    assert frames[0].instance == "instance" and frames[1].instance.startswith("instance#")
    assert frames[1].locals[0] == 5
    s.break_at("twice")  # by name: the other instance's export
    assert s.continue_().kind == "returned" and s.result == 11
    s.back(4)  # back inside the other instance, before its `end`
    assert s.position.function == "twice" and s.stack.values == [10]
