"""The Debugger's C view and Variables pane, driven as a browser would (custom messages), on
notebook 10's program notebooks/c/grades.wasm (C compiled with -O0 -g): the source with the
current line, breakpoints from the gutter, the wasm of the line, moves by line forwards and
backwards, the C variables with where they live, following moves made elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import ROOT
from tests.widgets.test_widgets_debugger import SRC, click
from wasmlab.widgets import Debugger

C_DIR = ROOT / "notebooks" / "c"


def grades_session() -> wasmlab.debug.Session:
    cfg = wasmlab.WasiConfig(args=["grades"], stdout=bytearray())
    s = wasmlab.debug(wasmlab.load(C_DIR / "grades.wasm", wasi=cfg), "_start")
    s.source_dirs.append(str(C_DIR))  # the source is recorded as c/grades.c, relative to notebooks/
    return s


@pytest.fixture
def widget() -> Debugger:
    return Debugger(grades_session())


def var(w: Debugger, name: str) -> dict:
    (row,) = [v for v in w.variables if v["name"] == name]
    return row


def test_a_program_with_dwarf_opens_in_the_c_view(widget: Debugger) -> None:
    assert widget.has_c and widget.view == "c"
    assert widget.c_files == ["c/grades.c"] and widget.c_file == "c/grades.c"  # main's file
    assert widget.c_source.startswith("/* grades:") and "bands[band_of(score)]++;" in widget.c_source
    assert {13, 27, 28, 31} <= set(widget.c_code_lines) and 14 not in widget.c_code_lines
    # at step 0 the program is in the linker's _start wrapper: no C line of grades.c yet
    assert widget.c_line == 0 and widget.c_instrs == [] and widget.error == ""
    assert widget.source  # the WAT view is still there to switch to


def test_the_gutter_sets_and_clears_session_breakpoints(widget: Debugger) -> None:
    s = widget.session
    click(widget, "toggle_c_break", line=28)
    assert widget.error == "" and widget.c_breakpoint_lines == [28]
    assert [b.what for b in s.breakpoints] == ["c/grades.c:28"]
    click(widget, "toggle_c_break", line=28)
    assert widget.c_breakpoint_lines == [] and s.breakpoints == []
    click(widget, "toggle_c_break", line=14)  # a comment line: a clear error, nothing set
    assert "line 14 of c/grades.c has no code" in widget.error and s.breakpoints == []
    s.break_at("grades.c:31")  # a breakpoint set elsewhere (%break) shows in the gutter
    click(widget, "refresh")
    assert widget.c_breakpoint_lines == [31]
    s.break_at("band_of")  # by C function name: its first line
    click(widget, "refresh")
    assert widget.c_breakpoint_lines == [13, 31]


def test_run_to_a_line_then_move_by_lines_forwards_and_back(widget: Debugger) -> None:
    click(widget, "toggle_c_break", line=28)
    click(widget, "continue")
    assert widget.c_line == 28 and widget.c_position == "grades.c:28:23 in main()"
    assert widget.position.startswith("step 158: __original_main+155")
    instrs = widget.c_instrs
    assert [i["current"] for i in instrs].count(True) == 1 and instrs[0]["current"]
    assert instrs[0]["text"] == "local.get 2" and any(i["text"] == "call 7 <band_of>" for i in instrs)
    assert var(widget, "score") == {
        "name": "score", "type": "int", "value": "100", "where": "memory 0x11288 (frame base = local 2, +24)",
        "is_param": False, "changed": False, "error": "",
    }  # fmt: skip
    assert var(widget, "bands")["where"] == "memory 0x11290 (frame base = local 2, +32)"
    assert var(widget, "passed")["where"] == "memory 0x112b8 (frame base = local 2, +72)"
    assert var(widget, "passed")["value"] == "1"
    click(widget, "toggle_c_break", line=28)  # off again
    click(widget, "next_line")  # over the line: band_of(100) is 10, bands[10] is passed
    assert widget.c_line == 25
    assert var(widget, "passed")["value"] == "2" and var(widget, "passed")["changed"]
    assert not var(widget, "bands")["changed"]
    click(widget, "back_line")
    assert widget.c_line == 28 and var(widget, "passed")["value"] == "1" and var(widget, "passed")["changed"]
    click(widget, "step_line")  # into band_of: its parameter, in its own frame below main's
    assert widget.c_line == 13 and widget.c_position == "grades.c:13:12 in band_of()"
    assert [(v["name"], v["value"], v["is_param"]) for v in widget.variables] == [("score", "100", True)]
    assert var(widget, "score")["where"] == "memory 0x1126c (frame base = local 3, +12)"
    click(widget, "finish")
    assert (
        widget.c_line == 28 and widget.c_position.endswith("in main()") and widget.stack[-1]["value"] == "10"
    )
    click(widget, "next_line")  # the rest of line 28
    assert widget.c_line == 25 and var(widget, "passed")["value"] == "2"
    click(widget, "back_line")
    assert widget.c_line == 28 and var(widget, "passed")["value"] == "1"
    click(widget, "back_line")
    assert widget.c_line == 27 and widget.error == ""


def test_the_widget_follows_moves_made_elsewhere(widget: Debugger) -> None:
    s = widget.session
    s.break_at("grades.c:27")
    s.continue_()  # from Python (or a %command): Session.on_move refreshes the widget
    assert widget.c_line == 27 and var(widget, "score")["value"] == "100"
    s.next_line()
    assert widget.c_line == 28
    s.back(1)  # the `end` of line 27's `if`: the compiler gave it no line (line 0)
    assert widget.c_line == 0 and widget.c_position == "" and widget.c_instrs == []
    s.back(1)
    assert widget.c_line == 27
    s.goto(0)
    assert widget.c_line == 0 and widget.variables == []


def test_inside_a_library_function_the_callers_line_is_shown(widget: Debugger) -> None:
    s = widget.session
    s.break_at("grades.c:31")
    s.continue_()
    for _ in range(40):  # into printf
        if s.position.function == "printf":
            break
        s.step()
    assert s.position.function == "printf"
    assert widget.c_line == 0 and widget.c_frame_line == 31 and widget.c_file == "c/grades.c"
    assert "not readable here" in widget.c_position  # printf's source is wasi-libc's
    click(widget, "finish")
    assert widget.c_line == 31 and widget.c_frame_line == 0


def test_a_selected_caller_frame_shows_its_line_and_variables(widget: Debugger) -> None:
    s = widget.session
    s.break_at("band_of")
    s.continue_()
    assert widget.c_line == 13 and [v["name"] for v in widget.variables] == ["score"]
    s.up()  # %up: main's frame, paused at its call of band_of on line 28
    click(widget, "refresh")
    assert widget.c_line == 13 and widget.c_frame_line == 28
    assert widget.c_position == "frame #2: grades.c:28:15 in main()"
    assert [v["name"] for v in widget.variables] == ["score", "i", "passed", "bands"]
    assert var(widget, "score")["where"] == "memory 0x11288 (frame base = local 2, +24)"
    click(widget, "step")  # a move selects the innermost frame again
    assert widget.c_frame_line == 0 and widget.c_position.endswith("in band_of()")


def test_view_switch_and_files(widget: Debugger) -> None:
    click(widget, "view", kind="wat")
    assert widget.view == "wat" and widget.error == ""
    click(widget, "view", kind="c")
    assert widget.view == "c"
    click(widget, "view", kind="rust")
    assert "no view 'rust'" in widget.error and widget.view == "c"
    click(widget, "c_file", file="grades.c")
    assert widget.c_file == "c/grades.c" and widget.error == ""
    click(widget, "c_file", file="nope.c")
    assert "no readable C source 'nope.c'" in widget.error


def test_a_module_without_dwarf_has_the_wat_view_only() -> None:
    w = Debugger(wasmlab.debug(wasmlab.load(SRC), "fib", 5), sources=SRC)
    assert not w.has_c and w.view == "wat" and w.variables == [] and w.c_source == ""
    click(w, "view", kind="c")
    assert "no DWARF" in w.error and w.view == "wat"
    click(w, "next_line")
    assert "no source lines here" in w.error and w.session.step_count == 0
    click(w, "toggle_c_break", line=3)
    assert "no C source file" in w.error


def test_c_state_is_small_and_serializable(widget: Debugger) -> None:
    click(widget, "toggle_c_break", line=28)
    click(widget, "continue")
    c_traits = {k: getattr(widget, k) for k in widget.trait_names() if k.startswith("c_") or k == "variables"}
    assert len(json.dumps(c_traits)) < 10_000


def test_at_O2_variables_live_in_wasm_locals_or_nowhere(tmp_path: Path) -> None:
    """tests/dwarf/list.c built at -O2 (clang): the pane says where the optimizer put each
    variable (a wasm local) or that it is optimized out, as gdb prints it."""
    from tests.dwarf.test_dwarf import build

    cfg = wasmlab.WasiConfig(args=["list"], stdout=bytearray())
    s = wasmlab.debug(wasmlab.load(build(tmp_path, "-O2"), wasi=cfg), "_start")
    w = Debugger(s)
    assert w.has_c and w.view == "c" and w.c_file.endswith("list.c")
    click(w, "toggle_c_break", line=19)
    click(w, "continue")
    click(w, "continue")
    assert w.c_line == 19 and w.c_position.endswith("in sum()") and w.error == ""
    rows = {v["name"]: (v["value"], v["where"]) for v in w.variables}
    assert rows["total"][1].startswith("wasm local ") and rows["total"][0].isdigit()
    assert all(value != "" for value, _ in rows.values())
    assert all(where.startswith(("wasm local", "memory", "global", "operand stack")) or
               (value, where) == ("<optimized out>", "optimized out") for value, where in rows.values())  # fmt: skip
