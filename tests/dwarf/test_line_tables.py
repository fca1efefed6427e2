"""The line table of every C test program (tests/dwarf), at -O0 and -O2, equals
`llvm-dwarfdump --debug-line`'s row for row: address, file, line, column and flags."""

from __future__ import annotations

import posixpath
import re
import subprocess

import pytest

import wasmlab
from tests.conftest import need_tool
from tests.dwarf.programs import NAMES, wasm
from wasmlab.dwarf import DebugInfo

ROW = re.compile(r"^0x([0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+(\d+)\s*(.*)$")
FILE = re.compile(r"^file_names\[\s*(\d+)\]:")
NAME = re.compile(r'^\s+name: "(.*)"')

Rows = list[tuple[int, str, int, int, bool, bool, bool]]


def dwarfdump_rows(path: object) -> Rows:
    """llvm-dwarfdump's rows: (address, file name, line, column, is_stmt, prologue_end,
    end_sequence), the file named by the line program's file table."""
    dump = subprocess.run(
        [need_tool("llvm-dwarfdump"), "--debug-line", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows: Rows = []
    files: dict[int, str] = {}
    pending: int | None = None
    for line in dump.splitlines():
        if line.startswith("debug_line["):
            files, pending = {}, None
        elif m := FILE.match(line):
            pending = int(m[1])
        elif pending is not None and (m := NAME.match(line)):
            files[pending] = posixpath.basename(m[1])
            pending = None
        elif m := ROW.match(line):
            flags = m[6].split()
            end = "end_sequence" in flags
            rows.append(
                (
                    int(m[1], 16),
                    files[int(m[4])],
                    int(m[2]),
                    int(m[3]),
                    "is_stmt" in flags,
                    "prologue_end" in flags,
                    end,
                )
            )
    return rows


def wasmlab_rows(path: object) -> Rows:
    rows = DebugInfo(wasmlab.parse(path)).lines.rows
    return [
        (r.address, r.pos.name, r.pos.line, r.pos.col, r.is_stmt, r.prologue_end, r.end_sequence)
        for r in rows
    ]


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
@pytest.mark.parametrize("name", NAMES)
def test_the_line_table_is_llvm_dwarfdumps(
    name: str, opt: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = wasm(tmp_path_factory, name, opt)
    theirs, ours = dwarfdump_rows(path), wasmlab_rows(path)
    assert len(theirs) > 500
    assert {r[1] for r in theirs} >= {f"{name}.c"}
    assert sorted(ours) == sorted(theirs)
