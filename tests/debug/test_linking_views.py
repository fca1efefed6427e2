"""Debugging module-linking modules: views of the instance the current frame runs in,
breakpoints by function name in every instance of a nested module, instance-qualified
names, source spans of nested functions, and history across nested instances."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.debug import DebugError, debug, patches
from wasmlab.debug.session import Session

COUNTERS = """(module
  (module $counter
    (global $n (mut i32) (i32.const 0))
    (func $inc (export "inc") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
  (instance $c1 (instantiate $counter))
  (instance $c2 (instantiate $counter))
  (func (export "both") (result i32)
    (drop (call $c1.$inc)) (i32.add (call $c1.$inc) (call $c2.$inc))))"""

BUFFER = """(module
  (global $top (mut i32) (i32.const 7))
  (module $buf
    (memory 1)
    (global $w (mut i32) (i32.const 0))
    (func $put (export "put") (param i32)
      (i32.store (i32.const 16) (local.get 0))
      (global.set $w (local.get 0))))
  (instance $b (instantiate $buf))
  (func (export "run")
    (call $b.$put (i32.const 0x11223344))))"""

DEEP = """(module
  (module $outer
    (module $inner
      (global $g (mut i32) (i32.const 40))
      (func $bump (export "bump") (result i32)
        (global.set $g (i32.add (global.get $g) (i32.const 2))) (global.get $g)))
    (instance $i (instantiate $inner))
    (func $go (export "go") (result i32) (call $i.$bump)))
  (instance $o (instantiate $outer))
  (func (export "main") (result i32) (call $o.$go)))"""


def session(text: str, name: str) -> Session:
    return debug(wasmlab.load(text), name)


# --- 1. views of the current instance -------------------------------------------------------


def test_globals_show_the_nested_instance_of_the_current_frame() -> None:
    s = session(COUNTERS, "both")
    assert len(s.globals) == 0 and s.globals.instance is None  # the outer module has none
    s.step()  # into $c1's inc
    g = s.globals
    assert g.instance == "$c1"
    assert len(g) == 1 and g[0].value == 0 and g[0].mutable
    assert "globals of instance $c1" in repr(g) and "$c1" in g._repr_html_()
    s.step_out()
    assert s.globals.instance is None and len(s.globals) == 0  # back in the outer `both`
    assert [c.name for c in s.changes.globals] == ["$c1.$n"]
    s.step(2)  # drop, then into $c1's inc again
    assert s.globals.instance == "$c1" and s.globals[0].value == 1
    s.step_out()
    s.step()  # into $c2's inc: its own global, still 0
    assert s.globals.instance == "$c2" and s.globals[0].value == 0
    assert s.continue_().kind == "returned" and s.result == 3


def test_memory_and_globals_of_a_nested_instance_with_a_memory() -> None:
    s = session(BUFFER, "run")
    assert s.globals.instance is None and s.globals[0].value == 7
    with pytest.raises(DebugError, match="0 memories"):
        s.memory(0)  # the outer module has no memory
    s.step(2)  # const, call: into $b's put
    assert s.position.instance == "$b" and s.position.path == "$b"
    mem = s.memory(0)
    assert mem.instance == "$b" and len(mem) == 65536
    assert "memory 0 of instance $b" in repr(mem)
    s.step_out()
    assert s.changes.globals[0].name == "$b.$w" and s.changes.globals[0].new == 0x11223344
    s.goto(2)  # back at the entry of $b's put: the store is undone
    assert s.memory(0).instance == "$b" and s.memory(0).i32(16) == 0
    assert s.globals.instance == "$b" and s.globals[0].value == 0
    s.step(3)  # i32.const, local.get, i32.store
    assert s.memory(0).i32(16) == 0x11223344


def test_watchpoint_on_a_qualified_global() -> None:
    s = session(COUNTERS, "both")
    w = s.watch_global("$c2.0")
    assert "$c2.$n" in w.what
    stop = s.continue_()
    assert stop.kind == "watchpoint" and stop.position.path == "$c2"
    with pytest.raises(DebugError, match="unknown global"):
        s.watch_global("$c1.$nope")


# --- 2. breakpoints by function name in every instance ---------------------------------------


def test_a_function_name_breakpoint_stops_in_every_instance() -> None:
    s = session(COUNTERS, "both")
    bp = s.break_at("inc")
    assert len(bp.places) == 2
    assert {s.program.instance_name(f.module) for f, _ in bp.places} == {"$c1", "$c2"}
    paths = []
    while (stop := s.continue_()).kind == "breakpoint":
        paths.append(stop.position.path)
    assert paths == ["$c1", "$c1", "$c2"] and bp.hits == 3
    assert s.result == 3
    assert s.break_at("$inc").places == bp.places  # the name-section name does the same


@pytest.mark.parametrize("name", ["$c1.$inc", "$c1.inc"])
def test_an_instance_qualified_name_selects_one_instance(name: str) -> None:
    s = session(COUNTERS, "both")
    bp = s.break_at(name)
    assert len(bp.places) == 1 and bp.what == "$c1.inc"
    steps = []
    while (stop := s.continue_()).kind == "breakpoint":
        assert stop.position.path == "$c1"
        steps.append(stop.step)
    assert len(steps) == 2


def test_qualified_names_of_the_second_instance_and_deep_paths() -> None:
    s = session(COUNTERS, "both")
    assert s.break_at("$c2.inc").places[0][0].module is s.program.root.instances[1]
    with pytest.raises(DebugError, match="unknown function"):
        s.break_at("$c3.inc")
    d = session(DEEP, "main")
    bp = d.break_at("$o.$i.bump")
    assert len(bp.places) == 1
    stop = d.continue_()
    assert stop.kind == "breakpoint" and stop.position.path == "$o.$i"
    assert d.globals.instance == "$o.$i" and d.globals[0].value == 40
    assert [f.instance for f in d.frames] == ["instance", "$o", "$o.$i"]


def test_run_to_a_name_and_deleting_restores_every_instance() -> None:
    s = session(COUNTERS, "both")
    stop = s.run_to("inc")
    assert stop.kind == "step" and stop.position.path == "$c1"
    bp = s.break_at("inc")
    bp.delete()
    for f, pc in bp.places:
        assert not patches.patched(f, pc, s._switch, "break")
        assert f.code[pc] is patches.original(f, pc)
    assert s.continue_().kind == "returned"
    assert wasmlab.load(COUNTERS).exports.both() == 3  # plain calls are untouched


# --- 3. source spans of nested functions ------------------------------------------------------


def test_position_and_frames_carry_the_nested_instruction_span() -> None:
    s = session(COUNTERS, "both")
    s.step()
    p = s.position
    assert p.function == "inc" and p.instance == "$c1"
    assert p.span is not None and (p.span.line, p.span.col) == (5, 31)
    assert "$c1.inc+0" in repr(p) and "5:31" in repr(p)
    assert s.frames[-1].span == p.span
    assert s.program.source_module(s.function) is s.program.root.module
    s.step()
    assert s.position.span is not None and s.position.span.line == 5
    # the outer function has a byte offset too (its module has module-linking sections)
    s.goto(0)
    assert s.position.offset is not None and s.position.span.line == 9


# --- history: back/goto restore the nested instances exactly ---------------------------------


def test_back_and_goto_restore_nested_globals() -> None:
    s = session(COUNTERS, "both")
    c1, c2 = s.program.root.instances
    seen: dict[int, tuple[int, int]] = {}
    while not s.finished:
        seen[s.step_count] = (c1.globals[0].value, c2.globals[0].value)
        s.step()
    seen[s.step_count] = (c1.globals[0].value, c2.globals[0].value)
    assert seen[s.step_count] == (2, 1) and s.result == 3
    for n in (0, 5, 12, 17, s.step_count, 3):
        s.goto(n)
        assert (c1.globals[0].value, c2.globals[0].value) == seen[n]
    s.goto(s.step_count)
    while s.step_count:
        s.back()
        assert (c1.globals[0].value, c2.globals[0].value) == seen[s.step_count]
        if s.function is not None and s.function.module is not s.program.root:
            inst = s.function.module
            assert s.globals[0].value == inst.globals[0].value
    s.goto(17)
    assert s.continue_().kind == "returned" and s.result == 3
