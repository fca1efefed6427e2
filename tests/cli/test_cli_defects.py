"""The CLI as a new user met it (issue 13): `trace` runs real WASI, every option has help,
one error format, `.wasm` is never text, `print --no-custom`, `graph --cfg` says its choice."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.conftest import ROOT
from wasmlab.cli import build_parser, main

C = ROOT / "tests" / "c"


def test_trace_runs_a_wasi_program_with_real_wasi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: WASI imports were stubs returning 0 and the program looped to the limit."""
    assert main(["trace", str(C / "hello.wasm"), "--invoke", "_start"]) == 0
    got = capsys.readouterr()
    assert "Hello, world!" in got.err  # the program's output (the trace keeps stdout)
    assert "stub" not in got.out and "--limit" not in got.out
    assert got.out.rstrip().splitlines()[-1].startswith("result: [] after ")
    # --dir, arguments and --stdin, as `run` takes them
    (tmp_path / "a.txt").write_text("from a file\n")
    assert (
        main(["trace", "--dir", f"{tmp_path}::/d", str(C / "cat.wasm"), "--invoke", "_start", "/d/a.txt"])
        == 0
    )
    assert "from a file" in capsys.readouterr().err
    (tmp_path / "in.txt").write_text("from stdin\n")
    assert (
        main(["trace", "--stdin", str(tmp_path / "in.txt"), str(C / "cat.wasm"), "--invoke", "_start"]) == 0
    )
    assert "from stdin" in capsys.readouterr().err
    # proc_exit ends the trace with the program's status
    assert main(["trace", str(C / "exit3.wasm"), "--invoke", "_start"]) == 3
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("exit: status 3 after ")


def _actions(p: argparse.ArgumentParser, where: str = "wasmlab"):
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                yield from _actions(sub, f"{where} {name}")
        elif not isinstance(a, argparse._HelpAction):
            yield where, a


def test_every_option_has_help() -> None:
    missing = [f"{where} {'/'.join(a.option_strings) or a.dest}" for where, a in _actions(build_parser())
               if not a.help]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize(
    ("name", "content", "want"),
    [
        ("bad.wasm", b"\0asm\x01\0\0\0\x01\x05\x01\x60\x00", "{f}: error: at byte 0x9: length out of bounds"),
        # a binary named .wasm is never parsed as text, even when it is not a wasm binary
        ("text.wasm", b"(module)", "{f}: error: at byte 0x0: magic header not detected"),
        ("bad.wat", b"(module (func (result i32) i32.add))", "{f}:1:28: error: "),
        ("missing.wasm", None, "{f}: error: cannot read it: No such file or directory"),
    ],
)
def test_one_error_format(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                          content: bytes | None, want: str) -> None:  # fmt: skip
    f = tmp_path / name
    if content is not None:
        f.write_bytes(content)
    assert main(["validate", str(f)]) in (1, 2)
    err = capsys.readouterr().err
    assert err.startswith(want.format(f=f)), err


def test_print_leaves_out_custom_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", str(C / "hello.wasm")]) == 0
    assert "(@custom" in capsys.readouterr().out  # .debug_* and producers, as escaped strings
    assert main(["print", "--no-custom", str(C / "hello.wasm")]) == 0
    out = capsys.readouterr().out
    assert "(@custom" not in out and "(func" in out


def test_graph_cfg_without_func_says_which_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "two.wat"
    f.write_text('(module (func $helper) (func $main (export "main") (call $helper)))')
    assert main(["graph", "--cfg", str(f)]) == 0
    got = capsys.readouterr()
    assert got.out.startswith("digraph")
    assert (
        got.err
        == f"{f}: note: --cfg of function 1 ($main), the first exported one; choose another with --func NAME\n"
    )
    assert main(["graph", "--cfg", "--func", "helper", str(f)]) == 0
    assert capsys.readouterr().err == ""


def test_wording_of_argument_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "one.wat"
    f.write_text('(module (func (export "f") (param i32)))')
    assert main(["run", "--invoke", "f", str(f)]) == 2
    assert "f takes 1 argument, got 0" in capsys.readouterr().err
    assert main(["run", "--invoke", "f", str(f), "x"]) == 2
    assert "is not an i32" in capsys.readouterr().err
