"""`wasmlab run` end to end, as a user types it (a subprocess each)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wasi.helpers import ROOT, populate


def wasmlab_run(
    *args: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "wasmlab", "run", *args], input=stdin, capture_output=True,
                          cwd=cwd, env=env, timeout=120)  # fmt: skip


def test_hello(wasm_programs: dict[str, Path]) -> None:
    p = wasmlab_run(str(wasm_programs["hello"]))
    assert (p.returncode, p.stdout, p.stderr) == (0, b"Hello, world!\n", b"")


def test_stdin_and_exit_status(wasm_programs: dict[str, Path]) -> None:
    p = wasmlab_run(str(wasm_programs["qsort"]), stdin=b"3 1 2\n")
    assert (p.returncode, p.stdout, p.stderr) == (0, b"1\n2\n3\n", b"sorted 3 numbers, sum 6\n")
    p = wasmlab_run(str(wasm_programs["exit3"]))
    assert (p.returncode, p.stdout) == (3, b"leaving with status 3\n")


def test_dir_and_env(wasm_programs: dict[str, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    populate(data)
    p = wasmlab_run("--dir", "data::/data", str(wasm_programs["wc"]), "/data/words.txt", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"      4       9      45 /data/words.txt\n"
    p = wasmlab_run("--env", "K=V", "--env", "EMPTY", str(wasm_programs["args"]), "x", "--", "K", "EMPTY")
    assert p.stdout == b"argc=5\nargv[1]=x\nK=V\nEMPTY=\n"


def test_trap_reports_the_wasm_backtrace(wasm_programs: dict[str, Path]) -> None:
    p = wasmlab_run(str(wasm_programs["trap"]), "oob")
    assert p.returncode == 134
    assert p.stdout == b"before the trap\n"
    err = p.stderr.decode()
    assert err.startswith("about to fail: oob\nError: failed to run main module")
    assert "wasm trap: out of bounds memory access" in err
    frames = [line.split(": ", 1)[1] for line in err.splitlines() if line.strip()[:1].isdigit()]
    assert frames[:3] == ["store_far", "fail", "main"] and frames[-1].startswith("_start")


def test_no_way_out_through_the_cli(wasm_programs: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "secret.txt").write_text("SECRET")
    p = wasmlab_run("--dir", "data::/data", str(wasm_programs["cat"]), "/data/../secret.txt",
                    str(tmp_path / "secret.txt"), "/etc/passwd", cwd=tmp_path)  # fmt: skip
    assert p.returncode == 1 and p.stdout == b""
    assert p.stderr.count(b"cannot open") == 3


def test_bad_dir_is_a_clean_error(wasm_programs: dict[str, Path], tmp_path: Path) -> None:
    p = wasmlab_run("--dir", str(tmp_path / "nope"), str(wasm_programs["hello"]))
    assert p.returncode == 1
    assert b"cannot preopen" in p.stderr and b"Traceback" not in p.stderr


@pytest.mark.parametrize("arg, out", [("20", b"21\n"), ("-1", b"0\n")])
def test_invoke_a_function_of_a_wasi_module(tmp_path: Path, arg: str, out: bytes) -> None:
    wat = tmp_path / "m.wat"
    wat.write_text("""(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))""")
    p = wasmlab_run("--invoke", "inc", str(wat), arg)
    assert (p.returncode, p.stdout) == (0, out)
