"""The CLI verbs of the core engine on real modules: validate, dump, wast, run --invoke, errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_suite, need_tool
from wasmlab.cli import main

C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
    int xs[] = {5, 3, 9, 1, 7};
    qsort(xs, 5, sizeof xs[0], cmp);
    for (int i = 0; i < 5; i++) printf("%d %g\n", xs[i], xs[i] / 3.0);
    return strlen(argv[0]) > 1000;
}
"""


@pytest.fixture(scope="module")
def c_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clang = need_tool("clang")
    d = tmp_path_factory.mktemp("c")
    src = d / "prog.c"
    src.write_text(C_PROGRAM)
    out = d / "prog.wasm"
    r = subprocess.run(
        [clang, "--target=wasm32-wasi", "-O2", "-g", str(src), "-o", str(out)], capture_output=True, text=True
    )
    if r.returncode != 0:
        pytest.fail(f"clang could not build a wasm32-wasi program (is wasi-libc installed?):\n{r.stderr}")
    return out


def test_validate_and_dump_a_clang_module(c_wasm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(c_wasm)]) == 0
    assert capsys.readouterr().out.strip() == "valid"
    assert main(["dump", str(c_wasm)]) == 0
    out = capsys.readouterr().out
    assert "wasi_snapshot_preview1" in out
    assert "fd_write" in out
    assert "qsort" in out or "main" in out  # function names from the name section


def test_encode_round_trip_of_a_clang_module(c_wasm: Path) -> None:
    import wasmlab

    # clang pads LEB128 sizes and indices (relocatable form), so the input is not canonical:
    # re-encoding is smaller, and a fixed point
    data = c_wasm.read_bytes()
    once = wasmlab.encode(wasmlab.parse(data))
    assert len(once) <= len(data)
    assert wasmlab.encode(wasmlab.parse(once)) == once


def test_wast_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = need_suite("json", "i32", "i32.json")
    assert main(["wast", str(path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "459 passed, 0 failed, 0 skipped"


def test_invoke_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wat = tmp_path / "add.wat"
    wat.write_text(
        '(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))'
    )
    assert main(["run", "--invoke", "add", str(wat), "2", "-5"]) == 0
    assert capsys.readouterr().out.strip() == "-3"
    assert main(["run", "--invoke", "add", str(wat), "2"]) == 2
    assert "takes 2 arguments" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing.wasm")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0\x01\x05\x01\x60\x00")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}: error: at byte 0x9: length out of bounds")
    trap = tmp_path / "trap.wat"
    trap.write_text('(module (func (export "t") unreachable))')
    assert main(["run", "--invoke", "t", str(trap)]) == 1
    assert "unreachable" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2


def test_validation_errors_in_text_say_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "x.wat"
    src.write_text(
        '(module\n  (func $add (export "add") (param $a i32) (result i32)\n'
        "    (i32.add (local.get $a) (f32.const 1))))\n"
    )
    assert main(["validate", str(src)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0] == f"{src}:3:5: error: func 0 at i32.add: type mismatch: expected [i32 i32], found [i32 f32]"
    )
    assert err[1] == "    (i32.add (local.get $a) (f32.const 1))))"
    assert err[2] == "    ^"


def test_parse_api_locates_validation_errors() -> None:
    import wasmlab

    with pytest.raises(wasmlab.ValidationError) as e:
        wasmlab.parse("(module\n  (func (result i32)\n    (f32.const 1)))")
    assert e.value.reason.startswith("type mismatch")
    assert str(e.value).startswith("<input>:3:18: error: func 0 at end: type mismatch")
    assert str(e.value).splitlines()[1] == "    (f32.const 1)))"


def test_features_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wat = tmp_path / "tail.wat"
    wat.write_text(
        """(module (memory 1) (memory 1)
  (func $f (result i32) (i32.load 1 (i32.const 0)))
  (func (export "g") (result i32) (return_call $f)))"""
    )
    assert main(["validate", str(wat)]) == 0  # the default: WebAssembly 3.0
    assert main(["validate", "--features", "2.0", str(wat)]) == 1
    err = capsys.readouterr().err
    assert "tail.wat:3:" in err and "return_call needs the tail-call feature" in err
    assert main(["validate", "--features", "tail-call,multi-memory", str(wat)]) == 0
    assert main(["run", "--features", "all", "--invoke", "g", str(wat)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0"
    assert main(["parse", "--features", "all", str(wat), "-o", str(tmp_path / "t.wasm")]) == 0
    assert main(["dump", "--features", "2.0", str(tmp_path / "t.wasm")]) == 1  # no memory index in a memarg
    assert "needs the multi-memory feature" in capsys.readouterr().err
    assert main(["dump", "--features", "all", str(tmp_path / "t.wasm")]) == 0
    assert "return_call 0" in capsys.readouterr().out
    assert main(["validate", "--features", "stringref", str(wat)]) == 2
    assert "unknown feature 'stringref'" in capsys.readouterr().err
