"""`wasmlab run` and `wasmlab trace` with --max-memory, --max-table-elements and --fuel."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmlab.cli import main

SRC = """(module
  (memory 2)
  (table $t 1 funcref)
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "spin") (loop (br 0))))"""


@pytest.fixture
def wat(tmp_path: Path) -> Path:
    p = tmp_path / "limits.wat"
    p.write_text(SRC)
    return p


def test_max_memory_refuses_instantiation(wat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--max-memory", "64K", "--invoke", "spin", str(wat)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{wat}: error: memory 0: 128 KiB exceeds the limit of 64 KiB per memory (max_memory)"
    )


def test_max_table_elements_makes_grow_fail(wat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--max-table-elements", "10", "--invoke", "tgrow", str(wat), "9"]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert main(["run", "--max-table-elements", "10", "--invoke", "tgrow", str(wat), "10"]) == 0
    assert capsys.readouterr().out.strip() == "-1"


def test_fuel_stops_a_loop(wat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--fuel", "1000", "--invoke", "spin", str(wat)]) == 1
    assert "fuel" in capsys.readouterr().err


def test_bad_values_are_usage_errors(wat: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--max-memory", "lots", "--invoke", "spin", str(wat)]) == 2
    assert "--max-memory: not a size: 'lots'" in capsys.readouterr().err
    assert main(["run", "--fuel", "x", "--invoke", "spin", str(wat)]) == 2
    assert "--fuel: limit fuel wants a whole number" in capsys.readouterr().err
