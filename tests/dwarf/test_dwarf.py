"""Source-level debugging of C compiled with -g: the line table against llvm-dwarfdump,
variables (values and where they live), C expressions, breakpoints by file:line and by C
function, and line steps, on tests/dwarf/list.c built here with Debian's clang."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_tool
from wasmlab.debug import DebugError
from wasmlab.dwarf import CExprError, DebugInfo, LineTable

HERE = Path(__file__).resolve().parent


def build(tmp: Path, opt: str) -> Path:
    """tests/dwarf/list.c built for wasm32-wasi with -g at optimisation level `opt`."""
    out = tmp / f"list{opt}.wasm"
    command = [need_tool("clang"), "--target=wasm32-wasi", "-g", opt, str(HERE / "list.c"), "-o", str(out)]
    r = subprocess.run(command, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"clang could not build list.c for wasm32-wasi: {r.stderr[-500:]}")
    return out


@pytest.fixture(scope="module")
def list_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("dwarf"), "-O0")


def session(path: Path) -> wasmlab.debug.Session:
    cfg = wasmlab.WasiConfig(args=["list"], stdout=bytearray())
    inst = wasmlab.load(path, wasi=cfg)
    return wasmlab.debug(inst, "_start")


def test_positions_and_breakpoint_lines(list_wasm: Path) -> None:
    info = DebugInfo(wasmlab.parse(list_wasm))
    (path,) = info.lines.match_file("list.c")
    assert path.endswith("/list.c")
    assert {9, 10, 11, 12, 15, 16, 17, 18, 19, 21, 29, 30, 31} <= set(info.lines.lines(path))
    assert 14 not in info.lines.lines(path) and info.lines.addresses(path, 14) == []
    assert [f.name for f in info.functions if f.name in ("sum", "main", "push")] == ["sum", "main", "push"]
    assert isinstance(info.lines, LineTable)


def test_variables_say_where_they_live(list_wasm: Path) -> None:
    s = session(list_wasm)
    stop = s.break_at("list.c:18")
    assert "list.c:18" in str(s.continue_()) and stop.hits == 1
    assert (s.source_position.name, s.source_position.line) == ("list.c", 18)
    names = {v.name: v for v in s.variables}
    assert set(names) == {"n", "total"}
    assert names["n"].type == "struct node *" and names["n"].is_param
    assert re.fullmatch(r"memory 0x[0-9a-f]+ \(frame base = local \d+, \+12\)", names["n"].where)
    assert names["total"].value == "0"
    s.continue_()  # the second time round: total has the first value (5, pushed last)
    assert {v.name: v.value for v in s.variables}["total"] == "5"


def test_c_expressions(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("list.c:30")
    s.continue_()
    assert s.eval_c("arr[3]").text == "4"
    assert s.eval_c("f.num + f.den").text == "30"
    assert s.eval_c("f").text == "{num = 12, den = 18}"
    assert s.eval_c("arr").text == "{1, 2, 3, 4, 5}"
    assert s.eval_c("name").text.endswith('"list"')
    assert s.eval_c("list->value * 2").text == "10"  # the list is 5 4 3 2 1
    assert s.eval_c("list->next->next->value").text == "3"
    assert s.eval_c("*list").text.startswith("{value = 5, next = 0x")
    assert s.eval_c("(*list).value == list->value").text == "1"
    assert s.eval_c("&f").text == hex(s.eval_c("&f").scalar())
    assert s.eval_c("-arr[1] + 10 % 3").text == "-1"
    for bad, message in [
        ("nope + 1", "no variable named 'nope'"),
        ("f.zz", "no member 'zz'"),
        ("arr[1", "expected ']'"),
        ("1 / 0", "division by zero"),
        ("list @ 2", "unexpected '@' at column 6"),
        ("*f", "cannot dereference a frac"),
    ]:
        with pytest.raises(CExprError, match=re.escape(message)):
            s.eval_c(bad)


def test_a_null_pointer_is_an_error_not_a_crash(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("list.c:29")
    s.continue_()
    assert s.eval_c("list").text == "0x0"
    with pytest.raises(CExprError, match="null pointer"):
        s.eval_c("list->value")


def test_break_on_a_c_function_stops_past_its_prologue(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("sum")
    s.continue_()
    assert s.source_position.line == 16  # `int total = 0;`, not the `{` of line 15
    s2 = session(list_wasm)
    s2.break_at("$sum")  # the wasm function's first instruction
    s2.continue_()
    assert s2.position.pc == 0


def test_next_and_step_by_line(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("list.c:29")
    s.continue_()
    s.clear_breakpoints()
    s.step_line()  # into push (past its prologue)
    assert (s.position.function, s.source_position.line) == ("push", 9)
    lines = []
    for _ in range(4):
        s.next_line()
        lines.append(s.source_position.line)
    assert lines == [10, 11, 12, 29]  # out of push, back in main's loop line
    assert s.position.function == "__original_main"
    s.next_line()  # over the remaining calls of the loop
    assert s.source_position.line == 30
    assert {v.name: v.value for v in s.variables}["list"] != "0x0"


def test_the_source_listing_and_the_instructions_of_a_line(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("list.c:18")
    s.continue_()
    listing = s.source_listing(context=2)
    assert listing.found and [n for n, _ in listing.lines] == [16, 17, 18, 19, 20]
    assert dict(listing.lines)[18].strip() == "total += n->value;"
    assert s.position.pc in listing.pcs and len(listing.pcs) > 3
    ops = [s.program.instr(s.machine.frame.func, pc).op.name for pc in listing.pcs]
    assert "i32.add" in ops and "i32.load" in ops  # `total += n->value` in wasm
    # a source that is not where the compiler recorded it: found by name in `source_dirs`
    smap = s.program.source
    assert smap.source_text("/no/such/folder/list.c") is None
    s.source_dirs.append(str(HERE))
    assert smap.source_text("/another/folder/list.c")[14] == "int sum(struct node *n) {"


def test_back_by_line_undoes_next_by_line(list_wasm: Path) -> None:
    s = session(list_wasm)
    s.break_at("list.c:16")
    s.continue_()
    s.clear_breakpoints()
    seen = [(s.step_count, s.source_position.line)]
    for _ in range(4):
        s.next_line()
        seen.append((s.step_count, s.source_position.line))
    assert [line for _, line in seen] == [16, 17, 18, 19, 17]
    for step, line in reversed(seen[:-1]):
        s.back_line()
        assert (s.step_count, s.source_position.line) == (step, line)
    s.back_line()  # the prologue is code of line 15, the `{`
    assert (s.position.function, s.source_position.line) == ("sum", 15)
    s.back_line()  # from a function's first line: back in main, at the start of the printf line
    assert (s.position.function, s.source_position.line) == ("__original_main", 30)
    fr = s.machine.frame
    assert s.program.source.position(fr.func, fr.pc - 1).line == 29  # the first instruction of line 30


def test_without_dwarf_it_says_so() -> None:
    inst = wasmlab.load('(module (func (export "f") (result i32) (i32.const 1)))')
    s = wasmlab.debug(inst, "f")
    assert s.source_position is None
    with pytest.raises(DebugError, match="no DWARF"):
        s.next_line()
    with pytest.raises(DebugError, match="no DWARF"):
        s.break_at("f.c:3")


def test_a_missing_file_or_line_names_what_exists(list_wasm: Path) -> None:
    s = session(list_wasm)
    with pytest.raises(DebugError, match=r"no source file 'other.c'"):
        s.break_at("other.c:3")
    with pytest.raises(DebugError, match=r"line 14 of list.c has no code; the next line with code is 15"):
        s.break_at("list.c:14")
