"""Rust compiled with -g (Debian's rustc with libstd-rust-dev-wasm32, --target wasm32-wasi):
tests/dwarf/programs/points.rs's line table equals llvm-dwarfdump's; its functions (in
namespaces: `points::area`), integer and struct variables, a breakpoint by function name,
finish with the value returned, and a C-like expression over a struct."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import skip_or_fail
from tests.dwarf.programs import HERE
from tests.dwarf.test_line_tables import dwarfdump_rows, wasmlab_rows

SOURCE = HERE / "programs" / "points.rs"


def rustc() -> str:
    """Debian's rustc (/usr/bin: it has the wasm32 standard library), else the one on PATH."""
    found = "/usr/bin/rustc" if Path("/usr/bin/rustc").exists() else shutil.which("rustc")
    if found is None:
        skip_or_fail("rustc is not installed (scripts/setup-debian.sh installs rustc libstd-rust-dev-wasm32)")
    return found  # type: ignore[return-value]


@pytest.fixture(scope="module")
def points(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rust") / "points.wasm"
    command = [rustc(), "--target", "wasm32-wasi", "--crate-type", "cdylib", "-g", "-C", "opt-level=0",
               "-C", "panic=abort", str(SOURCE), "-o", str(out)]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True)
    if r.returncode != 0:
        skip_or_fail(
            f"rustc cannot build for wasm32-wasi (libstd-rust-dev-wasm32 missing?): {r.stderr[-300:]}"
        )
    return out


def test_the_line_table_is_llvm_dwarfdumps(points: Path) -> None:
    theirs = dwarfdump_rows(points)
    assert any(row[1] == "points.rs" for row in theirs)
    assert sorted(wasmlab_rows(points)) == sorted(theirs)


def test_functions_and_variables(points: Path) -> None:
    s = wasmlab.debug(wasmlab.load(points), "run")
    s.break_at("points.rs:15")  # w * h, in area
    assert s.continue_().kind == "breakpoint"
    caller, callee = s.source_frames[-2:]
    assert (caller.function, caller.position.line) == ("points::run", 26)
    assert (callee.function, callee.position.line) == ("points::area", 15)
    assert {v.name: (v.type, v.value) for v in callee.variables} == {
        "w": ("i64", "7"), "h": ("i64", "3"), "a": ("struct Point", "{x = 1, y = 2}"),
        "b": ("struct Point", "{x = 8, y = 5}"),
    }  # fmt: skip
    assert {v.name: v.value for v in caller.variables} == {
        "grown": "{x = 8, y = 5}", "k": "1", "total": "0", "corner": "{x = 7, y = 5}", "origin": "{x = 1, y = 2}",
    }  # fmt: skip
    assert all(v.where.startswith("memory 0x") for v in callee.variables)
    assert s.eval_c("b.x - a.x").text == "7"
    s.clear_breakpoints()
    assert s.finish().reason.endswith("value returned: i64 21")
    s.next_line()
    assert s.source_position.line == 27 and {v.name: v.value for v in s.variables}["total"] == "21"


def test_a_breakpoint_on_a_rust_function_by_name(points: Path) -> None:
    s = wasmlab.debug(wasmlab.load(points), "run")
    s.break_at("area")  # points::area, past its prologue
    s.continue_()
    assert s.source_frames[-1].function == "points::area"
    assert s.source_position.name == "points.rs" and s.source_position.line == 13
