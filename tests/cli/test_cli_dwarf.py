"""The CLI and DWARF: `wasmlab dump --lines` prints the line table row for row as
`llvm-dwarfdump --debug-line` does; `wasmlab print` leaves the .debug_* sections out unless
`--debug-sections` asks for them, and then they round-trip through the text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_tool
from tests.dwarf.programs import wasm
from wasmlab.cli import main

ROW = re.compile(r"^0x[0-9a-f]{16} ")


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_dump_lines_prints_llvm_dwarfdumps_rows(
    opt: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = wasm(tmp_path_factory, "structs", opt)
    theirs = subprocess.run(
        [need_tool("llvm-dwarfdump"), "--debug-line", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert main(["dump", "--lines", str(path)]) == 0
    ours = capsys.readouterr().out
    rows = [line for line in ours.splitlines() if ROW.match(line)]
    assert len(rows) > 500
    assert rows == [line for line in theirs.splitlines() if ROW.match(line)]
    # each program's header: its offset in .debug_line, as llvm-dwarfdump names it, and files
    assert re.findall(r"^debug_line\[0x[0-9a-f]{8}\]", ours, re.M) == re.findall(
        r"^debug_line\[0x[0-9a-f]{8}\]", theirs, re.M
    )
    assert re.search(r"^file_names\[\s+1\]: .*structs\.c$", ours, re.M)


def test_dump_lines_of_a_module_without_dwarf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wat = tmp_path / "m.wat"
    wat.write_text("(module (func))")
    assert main(["dump", "--lines", str(wat)]) == 1
    assert "no .debug_info section (build it with -g)" in capsys.readouterr().err


def test_print_leaves_dwarf_out_unless_asked(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = wasm(tmp_path_factory, "structs")
    original = wasmlab.parse(path)
    debug = [c for c in original.customs if c.name.startswith(".debug_")]
    assert len(debug) >= 5
    assert main(["print", str(path)]) == 0
    text = capsys.readouterr().out
    assert '(@custom ".debug_' not in text and '(@custom "producers"' in text
    assert text.startswith(f";; {len(debug)} .debug_* custom sections (")
    assert [c.name for c in wasmlab.parse(text).customs] == ["producers"]
    # asked for: every .debug_* section, byte for byte and in its place, back from the text
    assert main(["print", "--debug-sections", str(path)]) == 0
    text = capsys.readouterr().out
    again = wasmlab.parse(text)
    assert [(c.name, c.data, c.after) for c in again.customs if c.name.startswith(".debug_")] == [
        (c.name, c.data, c.after) for c in debug
    ]
    assert main(["print", "--no-custom", str(path)]) == 0
    assert "@custom" not in capsys.readouterr().out
