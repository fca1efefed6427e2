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
