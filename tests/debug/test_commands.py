"""The commands a gdb/lldb or DevTools user types first, through the Session API: eval (print),
frame selection (frame/up/down), set var (recorded in the history), reverse-stepi /
reverse-next / reverse-finish, watches on locals and expressions (forwards and backwards),
pending breakpoints, memory of any instance; each forwards and backwards."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.debug import DebugError, PendingBreakpoints, TypedValue, debug

SRC = """(module $m
  (memory 1)
  (global $g (mut i32) (i32.const 7))
  (global $k i32 (i32.const 3))
  (func $sq (param $x i32) (result i32)
    (i32.mul (local.get $x) (local.get $x)))
  (func (export "f") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $out (loop $l
      (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $sq (local.get $i))))
      (i32.store offset=0x100 (i32.const 0) (local.get $acc))
      (global.set $g (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc)))"""


@pytest.fixture
def inst():
    return wasmlab.load(SRC)


def _state(s):
    """Everything a move can change, as plain data."""
    m = s.machine
    return (
        m.steps,
        tuple(m.stack),
        tuple((fr.func.index, fr.pc, fr.locals) for fr in m.frames),
        bytes(s.memory(0)[0:0x200]),
        tuple(g.value.bits for g in s.globals),
        m.results,
    )


def _to_call(s):
    """Step until the top frame is at `call $sq`, then into it."""
    while s.position.op != "call":
        s.step()
    return s.step_count


# --- eval (print) --------------------------------------------------------------------------


def test_eval_forms(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(30)
    i = s.frames[-1].locals["$i"]
    assert s.eval("$i") == i and s.eval("i") == i and s.eval("local 1") == i and s.eval("l1") == i
    assert s.eval("$i").type is wasmlab.I32 if hasattr(wasmlab, "I32") else True
    assert s.eval("global $g").text.startswith("i32 ") and s.eval("global.get $k") == 3
    assert s.eval("$i + 4") == i.value + 4 and s.eval("$i + 4 > 100") == 0 and s.eval("$n * 2 - 1") == 7
    assert s.eval("(i32.add (local.get $i) (i32.const 4))") == i.value + 4
    assert s.eval("local.get $i i32.const 4 i32.add") == i.value + 4
    acc = s.frames[-1].locals["$acc"]
    assert s.eval("i32.load 0x100") == s.memory(0).i32(0x100)
    assert s.eval("i32.load offset=0x100 (i32.const 0)") == s.memory(0).i32(0x100)
    assert s.eval("i32.load(0x100)") == s.memory(0).i32(0x100) and acc is not None
    assert s.eval("-1").text == "i32 -1" and s.eval("0xffffffff").text == "i32 -1"
    assert s.eval("(i64.extend_i32_s (i32.const -2))").text == "i64 -2"
    assert s.eval("1.5 * 2") == 3.0 and s.eval("1.5 * 2").text.startswith("f64 3")
    assert s.eval("step") == 30 and s.eval("depth") == 1
    assert isinstance(s.eval("$i"), TypedValue)


@pytest.mark.parametrize(
    "text, says",
    [
        ("$nope", "unknown local $nope in f; locals: $n, $i, $acc"),
        ("i32.load 0x100000", "out of bounds of memory 0"),
        ("(i32.add (local.get $i))", "i32.add takes 2 operands, got 1"),
        ("$i +", "ends too early"),
        ("", "give an expression"),
        ("i32.store 0 0", "unexpected 'i32.store'"),
        ("global $nope", "unknown global '$nope'"),
        ("$i / 0", "integer divide by zero"),
        ("(i32.div_s (i32.const 1) (i32.const 0))", "integer divide by zero"),
        ("nosuchname", "unknown name 'nosuchname'"),
        ("$i #", "cannot read"),
    ],
)
def test_eval_mistakes_say_where_and_change_nothing(inst, text: str, says: str) -> None:
    s = debug(inst, "f", 4)
    s.step(30)
    before = _state(s)
    with pytest.raises(DebugError, match=None) as info:
        s.eval(text)
    assert says in str(info.value)
    assert _state(s) == before
    s.continue_()
    assert s.result == 14  # the session goes on as if nothing happened


def test_eval_only_reads(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(40)
    before = _state(s)
    for text in ["$i", "global $g", "i32.load 0x100", "(i32.add (local.get $i) (i32.const 4))", "$i == 1"]:
        s.eval(text)
    assert _state(s) == before


def test_eval_after_the_end(inst) -> None:
    s = debug(inst, "f", 4)
    s.continue_()
    assert s.eval("global $g") == 3 and s.eval("i32.load 0x100") == 14
    with pytest.raises(DebugError, match="no frame for locals"):
        s.eval("$i")


# --- frames: select, up, down ----------------------------------------------------------------


def test_frame_selection_and_moves_reset_it(inst) -> None:
    s = debug(inst, "f", 4)
    _to_call(s)
    s.step()  # into sq
    assert s.selected_index == 1 and s.eval("$x") == s.frames[1].locals["$x"]
    s.up()
    assert s.selected_index == 0 and s.selected_frame.function == "f"
    assert s.eval("$i") == s.frames[0].locals["$i"]
    with pytest.raises(DebugError, match="unknown local"):
        s.eval("$x")
    with pytest.raises(DebugError, match="outermost"):
        s.up()
    s.down()
    assert s.selected_index == 1
    with pytest.raises(DebugError, match="innermost"):
        s.down()
    s.select_frame(0)
    with pytest.raises(DebugError, match="no frame 5"):
        s.select_frame(5)
    s.step()  # a move selects the innermost frame again (gdb)
    assert s.selected_index == 1
    s.select_frame(0)
    s.back()  # backwards too
    assert s.selected_index == 1


# --- set var: edits recorded in the history ---------------------------------------------------


def test_set_local_then_back_undoes_and_forward_redoes(inst) -> None:
    ref = debug(inst, "f", 4)
    ref.continue_()
    assert ref.result == 14
    s = debug(inst, "f", 4, checkpoint_interval=8)
    s.step(30)
    assert s.eval("$i") == 1
    assert s.set_local("$i", 3) == 3
    s.continue_()
    assert s.result == 9  # acc = 0 + sq(0) + sq(3)
    end = s.step_count
    s.goto(29)
    assert s.eval("$i") == 1  # before the edit: undone
    s.goto(30)
    assert s.eval("$i") == 3  # at it: redone
    s.back()
    s.step()  # a live step through the edit applies it too
    assert s.eval("$i") == 3
    s.goto(10)
    s.continue_()
    assert s.result == 9 and s.step_count == end
    # the stepping invariant after an edit: one step at a time ends where a run ends
    s.goto(30)
    while not s.finished:
        s.step()
    assert s.result == 9 and s.step_count == end
    kinds = [m.command for m in s.history.moves] if hasattr(s.history, "moves") else []
    assert kinds == [] or any(k.startswith("set ") for k in kinds)


def test_set_global_stack_memory(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(30)
    g0 = s.eval("global $g")
    assert s.set_global("$g", 42) == 42 and s.eval("global $g") == 42
    with pytest.raises(DebugError, match="immutable"):
        s.set_global("$k", 1)
    s.step()  # local.get pushes $i
    assert s.set_stack(0, 9) == 9 and s.stack[-1] == 9
    with pytest.raises(DebugError, match="no stack slot 5"):
        s.set_stack(5, 1)
    assert s.write_memory(0x100, b"\x01\x02\x03") == b"\x01\x02\x03"
    assert s.memory(0)[0x100:0x103] == b"\x01\x02\x03"
    assert s.write_memory(0x104, 258, type="i32") == b"\x02\x01\x00\x00"
    assert s.write_memory(0x108, s.eval("$n")) == b"\x04\x00\x00\x00"
    with pytest.raises(DebugError, match="unknown value type"):
        s.write_memory(0, 1, type="i33")
    with pytest.raises(DebugError, match="cannot write 4 bytes at 0xfffe"):
        s.write_memory(0xFFFE, 1, type="i32")
    with pytest.raises(DebugError, match="unknown local"):
        s.set_local("$nope", 1)
    here = s.step_count
    s.goto(0)
    assert s.eval("global $g") == 7 and s.memory(0)[0x100:0x103] == b"\x00\x00\x00"
    s.goto(29)  # the global was set at step 30
    assert s.eval("global $g") == g0
    s.goto(here)
    assert s.eval("global $g") == 42 and s.memory(0)[0x100:0x103] == b"\x01\x02\x03"
    assert s.stack[-1] == 9
    s.continue_()
    assert s.finished
    with pytest.raises(DebugError, match="has ended"):
        s.set_global("$g", 1)


def test_set_local_by_expression(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(30)
    assert s.set_local("$i", "$n - 1") == 3
    assert s.set_local("$acc", TypedValue(wasmlab.debug.Session and s.eval("$n").type, 5)) == 5


# --- reverse moves ----------------------------------------------------------------------------


def test_reverse_step_is_back_one(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(20)
    s.reverse_step()
    assert s.step_count == 19
    s.step()
    assert s.step_count == 20


def test_reverse_finish_and_reverse_next(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(25)
    call = _to_call(s)
    s.step(3)  # inside sq
    assert s.machine.depth == 2
    stop = s.reverse_finish()
    assert s.step_count == call and s.position.op == "call" and "back at the call of sq" in stop.reason
    s.step_over()
    after = s.step_count
    s.reverse_next()  # back over the whole call
    assert s.step_count == call and s.machine.depth == 1
    s.step_over()  # and forwards again: the same place
    assert s.step_count == after
    s.reverse_next()
    s.reverse_next()  # an ordinary instruction: one back
    assert s.step_count == call - 1
    s.step()
    s.step()  # into sq, at its first instruction
    assert s.machine.depth == 2 and s.position.pc == 0
    s.reverse_next()  # from a function's entry: its caller's call
    assert s.step_count == call and s.machine.depth == 1
    with pytest.raises(DebugError, match="outermost frame"):
        s.reverse_finish()


def test_reverse_moves_at_the_edges(inst) -> None:
    s = debug(inst, "f", 4)
    with pytest.raises(DebugError, match="already at the start"):
        s.reverse_next()
    with pytest.raises(DebugError, match="already at the start"):
        s.reverse_step()
    s.continue_()
    end = s.step_count
    with pytest.raises(DebugError, match="no frame: the call has ended"):
        s.reverse_finish()
    s.reverse_next()  # from the end: the last instruction
    assert s.step_count == end - 1


# --- watches: locals (per frame) and expressions, forwards and backwards ---------------------------


def test_watch_local_forwards_and_backwards(inst) -> None:
    s = debug(inst, "f", 4)
    s.step(3)
    w = s.watch_local("$acc")
    values = []
    while True:
        stop = s.continue_()
        if stop.kind != "watchpoint":
            break
        assert stop.watch.watch is w
        values.append((s.step_count, s.eval("$acc").value))
        assert "by local.set 2 at line 10" in stop.reason
    assert [v for _, v in values] == [1, 5, 14]
    # backwards: each earlier change, latest first
    for step, _ in reversed(values):
        stop = s.reverse_continue()
        assert stop.kind == "watchpoint" and s.step_count == step
    assert s.reverse_continue().kind == "start"


def test_watch_local_is_per_frame(inst) -> None:
    s = debug(inst, "f", 4)
    _to_call(s)
    s.step()  # in sq: $x of this activation only
    w = s.watch_local("$x")
    assert "local $x of #1 sq" in w.what
    stop = s.continue_()  # sq never writes $x; its frame goes, the next sq is another frame
    assert stop.kind == "returned"
    with pytest.raises(DebugError, match="unknown local"):
        debug(inst, "f", 4).watch_local("$x")


def test_watch_expression_forwards_and_backwards(inst) -> None:
    s = debug(inst, "f", 4)
    w = s.watch_expr("global $g * 10 + $i")
    seen = []
    while (stop := s.continue_()).kind == "watchpoint":
        seen.append((s.step_count, stop.watch.new.value))
    assert [v for _, v in seen] == [0, 1, 11, 12, 22, 23, 33, 34]  # from 70: $g 7, $i 0
    assert w.hits == len(seen)
    for step, _ in reversed(seen):
        assert s.reverse_continue().kind == "watchpoint" and s.step_count == step
    with pytest.raises(DebugError, match="cannot read"):
        s.watch_expr("$i #")


def test_watch_memory_stop_is_hex_and_names_the_writer(inst) -> None:
    s = debug(inst, "f", 4)
    w = s.watch_memory(0x100, 4)
    assert w.what == "memory 0 at 0x100 (4 bytes)"
    stop = s.continue_()
    assert "write to [0x100, 0x104) by i32.store offset=" in stop.reason and "at line 11" in stop.reason


# --- pending breakpoints ------------------------------------------------------------------------


def test_pending_breakpoints_bind_to_each_session(inst) -> None:
    pb = PendingBreakpoints()
    b1 = pb.add("$sq")
    b2 = pb.add(line=12, condition="$i == 2")
    b3 = pb.add("nope")
    s = debug(inst, "f", 4)
    bound = s.apply(pb)
    assert [b.id for b in bound] == [1, 2] and b3.bound is None and "nope" in (b3.error or "")
    assert s.continue_().breakpoints[0].id == 1 and b1.hits == 1
    b1.disable()
    stop = s.continue_()
    assert stop.breakpoints[0].id == 2 and s.eval("$i") == 2
    # a new session over a redefined module binds them again, by name and line
    inst2 = wasmlab.load(SRC)
    s2 = debug(inst2, "f", 4, breakpoints=pb)
    assert b1.bound is not None and not b1.bound.enabled and b2.hits == 0
    assert s2.continue_().breakpoints[0].id == 2
    pb.delete(2)
    assert [b.id for b in pb] == [1, 3]
    with pytest.raises(DebugError, match="no breakpoint 2"):
        pb.find(2)
    with pytest.raises(DebugError, match="cannot read"):
        pb.add("f", condition="$i #")


def test_breakpoint_condition_text_uses_the_expression_language(inst) -> None:
    s = debug(inst, "f", 4)
    s.break_at(line=12, condition="global $g == 1 and i32.load 0x100 == 5")
    s.continue_()
    assert s.eval("global $g") == 1 and s.eval("i32.load 0x100") == 5
    s.continue_()
    assert s.finished


# --- memory of any instance ------------------------------------------------------------------------


def test_memory_of_another_instance_and_index() -> None:
    lib = wasmlab.load('(module $lib (memory (export "m") 1) (data (i32.const 16) "lib!"))')
    main = wasmlab.load(
        '(module $main (import "lib" "m" (memory 1)) (memory $own 1)'
        ' (func (export "go") (i32.store8 $own (i32.const 0) (i32.const 9))))',
        {"lib": lib},
        features="multi-memory",
    )
    s = debug(main, "go")
    assert s.memory(0)[16:20] == b"lib!"
    s.continue_()
    assert s.memory(1)[0] == 9
    assert s.memory(0, instance=lib)[16:20] == b"lib!"  # any instance, given as an object
    assert s.memory(1, instance="main")[0] == 9
    with pytest.raises(DebugError, match="no instance"):
        s.memory(0, instance="$nope")
    with pytest.raises(DebugError, match="no memory 2"):
        s.memory(2)


def test_goto_after_edits_matches_a_step_by_step_walk(inst) -> None:
    """The stepping invariant with edits: goto(n) anywhere, in any order, gives the state a
    walk one instruction at a time reaches; continue ends where the walk ends."""
    import random

    s = debug(inst, "f", 6, checkpoint_interval=4, max_checkpoints=8)
    s.step(12)
    s.set_local("$acc", 100, frame=0)  # the caller's local, from inside sq
    s.step(25)
    s.set_global("$g", 9)
    s.write_memory(0x180, b"\xaa\xbb")
    s.step(20)
    if len(s.stack):
        s.set_stack(0, 0)
    else:
        s.set_local("$i", 2, frame=0)
    s.goto(0)
    walk = []
    while not s.finished:
        walk.append(_state(s))
        s.step()
    walk.append(_state(s))
    end = s.step_count
    order = list(range(len(walk)))
    random.Random(13).shuffle(order)
    for n in order:
        s.goto(n)
        assert _state(s) == walk[n], n
    s.goto(0)
    s.continue_()
    assert _state(s) == walk[-1] and s.step_count == end
    s.goto(5)
    s.reverse_continue()  # nothing armed: to the start
    assert _state(s) == walk[0]
