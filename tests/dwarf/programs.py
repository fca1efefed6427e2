"""The C test programs of tests/dwarf (list.c and programs/*.c), built with Debian's clang
for wasm32-wasi with -g (and natively with gcc for gdb), once per test run; the lines
marked `/* stop */` in each are where the differential tests break."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

import wasmlab
from tests.conftest import need_tool

HERE = Path(__file__).resolve().parent
SOURCES = [HERE / "list.c", *sorted((HERE / "programs").glob("*.c"))]
NAMES = [p.stem for p in SOURCES]
#: where the builds go (one folder per test run, made on first use)
_OUT: list[Path] = []


def source(name: str) -> Path:
    return next(p for p in SOURCES if p.stem == name)


#: list.c's lines are quoted by other tests: its stops are listed here instead of marked
LIST_STOPS = [11, 18, 30]


def stop_lines(name: str) -> list[int]:
    """The lines of program `name` marked `/* stop */`."""
    if name == "list":
        return LIST_STOPS
    text = source(name).read_text().splitlines()
    return [n for n, line in enumerate(text, 1) if re.search(r"/\*\s*stop\s*\*/", line)]


def _out(tmp: pytest.TempPathFactory) -> Path:
    if not _OUT:
        _OUT.append(tmp.mktemp("cprograms"))
    return _OUT[0]


@cache
def _build(command: tuple[str, ...], out: str) -> Path:
    r = subprocess.run(command, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"{' '.join(command[:4])} ... failed: {r.stderr[-800:]}")
    return Path(out)


def wasm(tmp: pytest.TempPathFactory, name: str, opt: str = "-O0") -> Path:
    """Program `name` built for wasm32-wasi with -g at `opt` (cached for the test run)."""
    out = _out(tmp) / f"{name}{opt}.wasm"
    clang = need_tool("clang")
    return _build((clang, "--target=wasm32-wasi", "-g", opt, str(source(name)), "-o", str(out)), str(out))


def native(tmp: pytest.TempPathFactory, name: str) -> Path:
    """Program `name` built natively with gcc -O0 -g (for gdb)."""
    out = _out(tmp) / f"{name}-native"
    gcc = need_tool("gcc")
    return _build((gcc, "-O0", "-g", str(source(name)), "-o", str(out)), str(out))


def session(path: Path) -> wasmlab.debug.Session:
    cfg = wasmlab.WasiConfig(args=[path.stem], stdout=bytearray())
    return wasmlab.debug(wasmlab.load(path, wasi=cfg), "_start")


__all__ = ["NAMES", "SOURCES", "native", "session", "source", "stop_lines", "wasm"]
