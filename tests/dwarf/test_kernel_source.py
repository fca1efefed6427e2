"""The kernel's commands for compiled C: %break FILE.c:LINE, %list, %vars, %p with a C
expression, %nextl/%stepl/%backl, on tests/dwarf/list.c built with -g (test_dwarf's fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dwarf.test_dwarf import list_wasm  # noqa: F401  (the module-scoped fixture)
from tests.kernel.test_kernel_workspace import Cell
from wasmlab.kernel.workspace import Workspace


@pytest.fixture
def run(list_wasm: Path) -> Cell:  # noqa: F811
    ws = Workspace()
    ws.show_widgets = False
    cell = Cell(ws)
    cell(f"%load {list_wasm} --wasi -- list")
    cell("%debug _start")
    return cell


def test_break_list_vars_and_print(run: Cell) -> None:
    assert "list.c:18" in run.text("%break list.c:18")
    assert "breakpoint 1 at list.c:18" in run.text("%continue")
    listing = run.text("%list 1")
    assert "=>   18 |         total += n->value;" in listing
    assert "i32.add" in listing and "->" in listing  # the wasm of the line, the current one marked
    vars_ = run.text("%vars")
    assert "n (param)" in vars_ and "struct node *" in vars_ and "frame base = local" in vars_
    assert run.text("%p n->value * 2") == "n->value * 2 = 10"
    assert run.text("%p *n").startswith("*n = {value = 5, next = 0x")
    # not C: the debugger's WAT expressions, as before (local 3 is sum's frame base)
    assert run.text("%p (i32.gt_u (local.get 3) (i32.const 0))").endswith("= i32 1")


def test_line_moves_forwards_and_back(run: Cell) -> None:
    run("%break list.c:16\n%continue\n%delete all")
    run("%nextl")
    assert "=>   17 |" in run.text("%list 0")
    run("%nextl 2")
    assert "=>   19 |" in run.text("%list 0")
    run("%backl")
    assert "=>   18 |" in run.text("%list 0")
    run("%backl 2")
    assert "=>   16 |" in run.text("%list 0")


def test_mistakes_are_clear(run: Cell) -> None:
    assert "no source file 'nope.c'" in " ".join(run.error("%break nope.c:3").lines)
    assert "line 14 of list.c has no code" in " ".join(run.error("%break list.c:14").lines)
    run("%break list.c:18\n%continue")
    err = run.error("%p nothing_here + 1")
    assert "no variable named 'nothing_here'" in " ".join(err.lines)


def test_the_c_call_stack(run: Cell) -> None:
    run("%break list.c:11\n%continue")
    text = run.text("%cstack")
    assert "push" in text and "main" in text and "list.c:11" in text and "list.c:29" in text
    assert text.index("push") < text.index("main")  # innermost first
    assert "head = 0x0" in text  # push's variables, the first time round


def test_finish_says_the_value_returned(run: Cell) -> None:
    run("%break sum\n%continue\n%delete all")
    out = run.text("%finish")
    assert "run till exit from sum" in out and "value returned: int 15" in out


def test_sources_are_found_beside_the_loaded_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # notebook 10's program records its source as c/grades.c, relative to notebooks/: from
    # another folder, %load finds it beside the .wasm
    wasm = Path(__file__).resolve().parents[2] / "notebooks" / "c" / "grades.wasm"
    monkeypatch.chdir(tmp_path)
    ws = Workspace()
    ws.show_widgets = False
    cell = Cell(ws)
    cell(f"%load {wasm} --wasi")
    cell("%debug _start")
    cell("%break grades.c:27\n%continue")
    assert "=>   27 |         if (score >= PASS) passed++;" in cell.text("%list 0")


def test_api_load_records_where_a_module_came_from(list_wasm: Path) -> None:  # noqa: F811
    import wasmlab

    assert wasmlab.parse(list_wasm).origin == str(list_wasm)
    assert wasmlab.parse(list_wasm.read_bytes()).origin is None
