"""The GC heap under the debugger: struct and array writes undone and redone by going back
and forth (every step of a run equals a fresh run stepped forward to it), objects named by
their allocation number (the same after a replay), `Session.heap()` (roots, objects, what
the last move allocated or wrote) and its picture, references in the stack and globals views."""

from __future__ import annotations

import random

import pytest

import wasmlab
from wasmlab.debug import Session

LIST = """(module
  (type $node (struct (field $value (mut i32)) (field $next (mut (ref null $node)))))
  (type $vec (array (mut i32)))
  (global $head (mut (ref null $node)) (ref.null $node))
  (global $v (mut (ref null $vec)) (ref.null $vec))
  (func (export "build") (param $n i32) (result i32)
    (local $i i32)
    (global.set $v (array.new $vec (i32.const 0) (local.get $n)))
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (global.set $head (struct.new $node (local.get $i) (global.get $head)))
        (array.set $vec (global.get $v) (local.get $i) (i32.mul (local.get $i) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (call $double)
    (struct.get $node $value (ref.as_non_null (global.get $head))))
  (func $double (local $p (ref null $node))
    (local.set $p (global.get $head))
    (block $end
      (loop $walk
        (br_on_null $end (local.get $p))
        (struct.set $node $value (local.get $p)
          (i32.mul (struct.get $node $value (local.get $p)) (i32.const 2)))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $walk))))
)"""


def session(n: int = 4, interval: int = 7) -> Session:
    return Session(wasmlab.load(LIST, features="all"), "build", n, checkpoint_interval=interval)


def state(s: Session) -> tuple:
    """The list's values (with their allocation numbers) and the array's elements."""
    g = s.program.instances[0].globals
    out = []
    node = g[0].value
    while node is not None:
        out.append((node.serial, node.fields[0]))
        node = node.fields[1]
    v = g[1].value
    return tuple(out), tuple(v.elements) if v is not None else None


def test_the_program_runs() -> None:
    assert wasmlab.load(LIST, features="all").exports.build(4) == 6


def test_going_back_restores_every_struct_and_array_write() -> None:
    s = session()
    s.continue_()
    n = s.step_count
    fresh = session(interval=1 << 20)
    want = []
    for k in range(n + 1):
        want.append(state(fresh))
        if k < n:
            fresh.step()
    assert want[-1] == (((5, 6), (4, 4), (3, 2), (2, 0)), (0, 1, 4, 9))  # the array is #1
    steps = list(range(n + 1))
    random.Random(7).shuffle(steps)
    for k in steps:
        s.goto(k)
        assert state(s) == want[k], k


def test_heap_view_roots_objects_and_the_last_moves_writes() -> None:
    s = session()
    s.run_to("double")
    view = s.heap()
    assert len(view) == 5  # four nodes and the array
    text = repr(view)
    assert "$node #5 {$value 3, $next #4}" in text and "$vec #1 [0, 1, 4, 9] (len 4)" in text
    # step until a struct.set happened: that node (only) is highlighted
    while "struct.set" not in str(s.position):
        s.step()
    s.step()
    changed = [o.serial for o in s.heap().objects if id(o) in s.heap().changed]
    assert changed == [5]
    s.back()  # the write undone: the heap as it was
    assert [o.fields[0] for o in s.heap().objects if o.serial == 5] == [3]
    graph = s.heap().graph().source
    assert "$node #5" in graph and "root_globals:p0 -> o5" in graph and "$value: 3" in graph


def test_references_in_the_views_show_type_and_object() -> None:
    s = session()
    s.run_to("double")
    assert "ref $node #5 {$value 3, $next #4}" in repr(s.globals)
    assert "$vec #1 [0, 1, 4, 9] (len 4)" in repr(s.globals)


def test_heap_picture_renders() -> None:
    pytest.importorskip("graphviz")
    s = session()
    s.run_to("double")
    try:
        svg = s.heap()._repr_svg_()
    except wasmlab.WasmError as e:  # no dot program
        pytest.skip(str(e))
    assert "<svg" in svg and "$node #5" in svg
