"""Differential tests: each C program of tests/c gives the same stdout, stderr and exit status
on wasmlab's WASI as built natively with gcc, and as on the wasmtime PyPI package (>= 1.0)."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from tests.wasi.helpers import (
    NATIVE_PROGRAMS,
    Outcome,
    populate,
    run_native,
    run_wasmlab,
    run_wasmtime,
    wasmtime_version,
)

_rng = random.Random(7)
NUMBERS = " ".join(str(_rng.randint(-(10**12), 10**12)) for _ in range(400)).encode() + b"\n"

# id: (program, args, stdin, env)
CASES: dict[str, tuple[str, list[str], bytes, dict[str, str]]] = {
    "hello": ("hello", [], b"", {}),
    "args-env": ("args", ["one", "two words", "", "--", "GREETING", "EMPTY", "MISSING"], b"",
                 {"GREETING": "hello=world", "EMPTY": ""}),
    "cat-files": ("cat", ["words.txt", "sub/numbers.txt", "missing.txt", "binary.dat"], b"", {}),
    "cat-stdin": ("cat", [], b"line 1\nline 2 without a newline", {}),
    "cat-symlinks": ("cat", ["link-to-words", "link-to-dir/empty", "./sub/../words.txt"], b"", {}),
    "cat-directory": ("cat", ["sub"], b"", {}),
    "wc-files": ("wc", ["words.txt", "sub/numbers.txt", "binary.dat", "link-to-words"], b"", {}),
    "wc-stdin": ("wc", [], b"one two  three\n\tfour\nfive", {}),
    "walk-tree": ("walk", ["."], b"", {}),
    "walk-args": ("walk", ["sub", "link-to-dir", "missing"], b"", {}),
    "qsort": ("qsort", [], NUMBERS, {}),
    "qsort-empty": ("qsort", [], b"", {}),
    "exit3": ("exit3", [], b"", {}),
    "floats": ("floats", [], b"", {}),
    "clockrand": ("clockrand", [], b"", {}),
    "fsops": ("fsops", [], b"", {}),
    "trap-abort": ("trap", ["abort"], b"", {}),
}  # fmt: skip

# traps whose native counterpart is a signal other than SIGABRT: compared except for the status
SIGNAL_CASES: dict[str, tuple[str, list[str], int]] = {
    "trap-oob": ("trap", ["oob"], 139),  # SIGSEGV natively
    "trap-div": ("trap", ["div"], 136),  # SIGFPE natively
}


def tree(d: Path) -> list[tuple[str, str]]:
    """The directory's contents after a run, to compare the effects on files too."""
    out = []
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for name in sorted(dirs + files):
            p = Path(root) / name
            rel = str(p.relative_to(d))
            if p.is_symlink():
                out.append((rel, "-> " + os.readlink(p)))
            elif p.is_dir():
                out.append((rel, "dir"))
            else:
                out.append((rel, hashlib.sha256(p.read_bytes()).hexdigest()[:16]))
    return out


def _dirs(tmp_path: Path, *names: str) -> list[Path]:
    out = []
    for n in names:
        (tmp_path / n).mkdir()
        populate(tmp_path / n)
        out.append(tmp_path / n)
    return out


def test_every_program_has_a_case() -> None:
    covered = {c[0] for c in CASES.values()} | {c[0] for c in SIGNAL_CASES.values()}
    assert covered == set(NATIVE_PROGRAMS)


def _trap_split(wasm: Outcome, native: Outcome) -> None:
    """A trap: the program's own stderr first (equal to native), then our trap report."""
    assert wasm.stderr.startswith(native.stderr)
    report = wasm.stderr[len(native.stderr) :].decode()
    assert report.startswith("Error: failed to run main module")
    assert "wasm backtrace:" in report and "main" in report


@pytest.mark.parametrize("case", list(CASES))
def test_same_as_native(case: str, wasm_programs: dict[str, Path], native_programs: dict[str, Path],
                        tmp_path: Path) -> None:  # fmt: skip
    prog, args, stdin, env = CASES[case]
    d_wasm, d_native = _dirs(tmp_path, "wasm", "native")
    wasm = run_wasmlab(wasm_programs[prog], args, stdin, d_wasm, env)
    native = run_native(native_programs[prog], args, stdin, d_native, env)
    assert wasm.stdout == native.stdout
    assert wasm.status == native.status
    if case.startswith("trap"):
        _trap_split(wasm, native)
    else:
        assert wasm.stderr == native.stderr
    assert tree(d_wasm) == tree(d_native)


@pytest.mark.parametrize("case", list(SIGNAL_CASES))
def test_traps_where_native_gets_a_signal(case: str, wasm_programs: dict[str, Path],
                                          native_programs: dict[str, Path], tmp_path: Path) -> None:  # fmt: skip
    prog, args, native_status = SIGNAL_CASES[case]
    d_wasm, d_native = _dirs(tmp_path, "wasm", "native")
    wasm = run_wasmlab(wasm_programs[prog], args, b"", d_wasm, {})
    native = run_native(native_programs[prog], args, b"", d_native, {})
    assert native.status == native_status
    assert wasm.status == 134
    assert wasm.stdout == native.stdout
    _trap_split(wasm, native)
    kind = "out of bounds memory access" if args == ["oob"] else "integer divide by zero"
    assert f"wasm trap: {kind}" in wasm.stderr.decode()
    assert ("store_far" if args == ["oob"] else "divide") in wasm.stderr.decode()


def _need_wasmtime() -> None:
    v = wasmtime_version()
    if v is None:
        pytest.skip("the wasmtime PyPI package is not installed")
    if v < (1, 0):
        pytest.skip(
            f"wasmtime {'.'.join(map(str, v))} is installed (pinned for module-linking tests); "
            "the WASI comparison needs wasmtime >= 1.0, which cannot be installed alongside"
        )


@pytest.mark.parametrize("case", list(CASES))
def test_same_as_wasmtime(case: str, wasm_programs: dict[str, Path], tmp_path: Path, tier: str) -> None:
    _need_wasmtime()
    prog, args, stdin, env = CASES[case]
    d_wasm, d_wt = _dirs(tmp_path, "wasm", "wasmtime")
    wasm = run_wasmlab(wasm_programs[prog], args, stdin, d_wasm, env)
    wt = run_wasmtime(wasm_programs[prog], args, stdin, d_wt, env, tmp_path)
    assert wasm.stdout == wt.stdout
    assert wasm.status == wt.status
    if case.startswith("trap"):
        assert wasm.stderr.startswith(wt.stderr)
    else:
        assert wasm.stderr == wt.stderr
    assert tree(d_wasm) == tree(d_wt)


def test_committed_fixtures_exist() -> None:
    """Every C program has its committed .wasm, so the tests run where clang is missing."""
    from tests.wasi.helpers import C_DIR, PROGRAMS

    for name in PROGRAMS:
        data = (C_DIR / f"{name}.wasm").read_bytes()
        assert data[:4] == b"\0asm", name
