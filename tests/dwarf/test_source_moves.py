"""finish and reverse_finish at the source level (gdb's `finish`, `reverse-finish`), on the
recursion test program: out of a call to the caller's line, with the value returned."""

from __future__ import annotations

import pytest

from tests.dwarf.programs import session, wasm


def test_finish_returns_to_the_callers_line_with_the_value(tmp_path_factory: pytest.TempPathFactory) -> None:
    s = session(wasm(tmp_path_factory, "recursion"))
    s.break_at("recursion.c:15")  # fact's base case, n == 1
    s.continue_()
    s.clear_breakpoints()
    assert {v.name: v.value for v in s.variables} == {"n": "1", "rest": "1"}
    depth = s.machine.depth
    stop = s.finish()
    assert stop.reason == "run till exit from fact; back in fact at recursion.c:17:12; value returned: long 1"
    assert s.machine.depth == depth - 1 and {v.name: v.value for v in s.variables}["n"] == "2"
    assert "value returned: long 2" in s.finish().reason
    s.next_line()  # rest = fact(n - 1) is done: n * rest is next
    assert (s.source_position.line, {v.name: v.value for v in s.variables}["rest"]) == (18, "2")
    # reverse_finish: back to the call that made this frame (fact(4) called fact(3))
    inner = {v.name: v.value for v in s.variables}["n"]
    s.reverse_finish()
    assert s.machine.depth == depth - 3 and s.source_position.line == 17
    assert int({v.name: v.value for v in s.variables}["n"]) == int(inner) + 1
    s.back_line()  # from the middle of the call's line to its start (gdb's reverse-next)
    assert s.source_position.line == 17 and s.machine.depth == depth - 3


def test_finish_of_a_void_function_and_from_the_outermost_frame(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    s = session(wasm(tmp_path_factory, "recursion"))
    s.break_at("swap")
    s.continue_()
    stop = s.finish()
    assert stop.reason.startswith("run till exit from swap; back in __original_main at recursion.c:")
    assert "value returned" not in stop.reason
    s.clear_breakpoints()
    for _ in range(4):  # out of main, _start and the export's wrapper: the call ends
        s.finish()
        if s.finished:
            break
    assert s.finished


def test_a_loops_first_line_is_stopped_at_every_round(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A branch back to a `loop` lands after it: the first line of a do-while body (whose
    code starts with the `loop`) is still a breakpoint and a next_line stop every round."""
    s = session(wasm(tmp_path_factory, "recursion"))
    s.break_at("recursion.c:58")  # int r = a % b; gcd(84, 36) goes round twice
    rounds = []
    while s.continue_().kind == "breakpoint":
        rounds.append({v.name: v.value for v in s.variables if v.name in ("a", "b")})
    assert rounds == [{"a": "84", "b": "36"}, {"a": "36", "b": "12"}]
    s = session(wasm(tmp_path_factory, "recursion"))
    s.break_at("recursion.c:58")
    s.continue_()
    s.clear_breakpoints()
    lines = [s.source_position.line]
    for _ in range(5):
        s.next_line()
        lines.append(s.source_position.line)
    assert lines == [58, 59, 60, 61, 58, 59]
    for line in reversed(lines[:-1]):
        s.back_line()
        assert s.source_position.line == line


def test_inlined_calls_are_frames_with_their_own_variables(tmp_path_factory: pytest.TempPathFactory) -> None:
    """At -O2 clang inlines push into main: the C stack shows push as its own frame (sharing
    main's wasm frame), with push's variables; main's frame is at the line of the call."""
    s = session(wasm(tmp_path_factory, "list", "-O2"))
    s.break_at("list.c:11")
    assert s.continue_().kind == "breakpoint"
    frames = s.source_frames
    inner, outer = frames[-1], frames[-2]
    assert (inner.function, inner.inlined, inner.position.line) == ("push", True, 11)
    assert (outer.function, outer.inlined, outer.position.line) == ("main", False, 29)
    assert inner.frame == outer.frame == s.machine.depth - 1
    assert {v.name for v in inner.variables} == {"n", "head", "v"}
    assert {"f", "list"} <= {v.name for v in outer.variables}
    assert {v.name: v.value for v in outer.variables}["f"] == "{num = 12, den = 18}"  # two constant pieces
    assert [v.name for v in s.variables] == [v.name for v in inner.variables]  # the innermost's
    assert str(inner) == f"#{inner.frame} push (inlined) at {inner.position}"
    # -O0: no inlining, a frame per call
    s0 = session(wasm(tmp_path_factory, "list"))
    s0.break_at("list.c:11")
    s0.continue_()
    names = [(f.function, f.inlined) for f in s0.source_frames][-2:]
    assert names == [("main", False), ("push", False)]
    assert s0.source_frames[-2].position.line == 29
