"""Tracing: Session.trace() records and `wasmlab trace` output."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmlab
from wasmlab.cli import main
from wasmlab.debug import TraceRecord, debug

from .programs import FIB, HOST, INDIRECT, TRAPS


def test_trace_records() -> None:
    s = debug(wasmlab.load(FIB), "fib", 3)
    records = list(s.trace())
    assert all(isinstance(r, TraceRecord) for r in records)
    assert [r.step for r in records] == list(range(1, len(records) + 1))
    assert s.returned and s.result == 2 and len(records) == s.position.step
    first, second, third = records[:3]
    assert (first.depth, first.pc, first.instr, first.operands, [v.text for v in first.stack]) == (
        1, 0, "local.get 0", (), ["i32 3"],
    )  # fmt: skip
    assert [v.text for v in third.operands] == ["i32 3", "i32 2"] and [v.text for v in third.stack] == [
        "i32 0"
    ]
    assert first.offset is not None and first.offset < second.offset
    calls = [r for r in records if r.instr.startswith("call")]
    assert calls and all(len(r.operands) == 1 for r in calls)
    assert max(r.depth for r in records) == 3
    assert "returned" in records[-1].event
    assert "local.get 0" in str(first) and "<code>" in first._repr_html_()
    assert s.history.moves[-1].command == "trace"


def test_trace_matches_stepping_and_history() -> None:
    s = debug(wasmlab.load(INDIRECT), "pick", 5)
    records = list(s.trace(limit=4))
    assert len(records) == 4 and s.position.step == 4
    s.back(2)
    again = list(s.trace(limit=2))
    assert [r.line() for r in again] == [r.line() for r in records[2:]]
    rest = list(s.trace())
    indirect = next(r for r in records + rest if r.instr.startswith("call_indirect"))
    assert [v.text for v in indirect.operands] == ["i32 5", "i32 2"]


def test_trace_of_a_trap() -> None:
    s = debug(wasmlab.load(TRAPS), "div", 0)
    records = list(s.trace())
    last = records[-1]
    assert last.instr == "i32.div_s" and "integer divide by zero" in last.event
    assert [v.text for v in last.operands] == ["i32 100", "i32 0"]
    assert s.trap is not None


def test_trace_stops_when_fuel_runs_out() -> None:
    s = debug(wasmlab.load(FIB), "fib", 10, fuel=7)
    assert len(list(s.trace())) == 7 and not s.finished


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_cli_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "fib.wat", FIB)
    assert main(["trace", path, "--invoke", "fib", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["step", "dep", "offset"]
    assert out[1].split()[:5] == ["1", "1", "0x00022", "fib+0", "local.get"]
    assert out[-1].startswith("result: [i32 5] after")
    steps = int(out[-2].split()[0])
    assert steps == len(out) - 2


def test_cli_trace_limit_binary_and_trap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wasm = tmp_path / "fib.wasm"
    wasm.write_bytes(wasmlab.encode(wasmlab.parse(FIB)))
    assert main(["trace", str(wasm), "--invoke", "fib", "20", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 5 and "--limit 3" in out[-1]
    traps = write(tmp_path, "traps.wat", TRAPS)
    assert main(["trace", traps, "--invoke", "div", "0"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("trap: integer divide by zero")


def test_cli_trace_stubs_function_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "host.wat", HOST)
    assert main(["trace", path, "--invoke", "run", "2"]) == 0
    out = capsys.readouterr().out
    assert "; env.tick is a stub returning [0]" in out and "; env.note is a stub returning []" in out
    assert "call 0 <tick>                (i32 0)                  -> [i32 0, i32 0]" in out


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--invoke", "nope", "1"], 1, "no exported function"),
        (["--invoke", "fib"], 2, "takes 1 argument,"),
        (["--invoke", "fib", "x"], 2, "not an i32"),
        (["--invoke", "fib", "1", "--limit", "-1"], 2, "--limit"),
    ],
)
def test_cli_trace_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], status: int, message: str
) -> None:
    path = write(tmp_path, "fib.wat", FIB)
    assert main(["trace", path, *args]) == status
    assert message in capsys.readouterr().err


def test_cli_trace_missing_file_and_bad_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(tmp_path / "none.wat"), "--invoke", "f"]) == 2
    bad = write(tmp_path, "bad.wat", '(module (func (export "f") (i32.add)))')
    assert main(["trace", bad, "--invoke", "f"]) == 1
    assert "error" in capsys.readouterr().err
    mem = write(tmp_path, "m.wat", '(module (import "env" "m" (memory 1)) (func (export "f")))')
    assert main(["trace", mem, "--invoke", "f"]) == 1
    assert "cannot provide" in capsys.readouterr().err
