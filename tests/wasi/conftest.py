"""Fixtures for the WASI tests: the C programs of tests/c built for wasm32-wasi (fresh with
clang when it can, else the committed fixtures) and natively with gcc."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import need_tool, skip_or_fail
from tests.wasi.helpers import C_DIR, NATIVE_PROGRAMS, PROGRAMS, build_native, build_wasm


@pytest.fixture(scope="session")
def wasm_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> .wasm: built now with clang if it can, else tests/c/NAME.wasm."""
    clang = shutil.which("clang")
    if clang:
        out = tmp_path_factory.mktemp("wasm")
        built = {}
        for name in PROGRAMS:
            if not build_wasm(clang, C_DIR / f"{name}.c", out / f"{name}.wasm"):
                break
            built[name] = out / f"{name}.wasm"
        if len(built) == len(PROGRAMS):
            return built
    committed = {name: C_DIR / f"{name}.wasm" for name in PROGRAMS}
    if all(p.exists() for p in committed.values()):
        return committed
    need_tool("clang")
    skip_or_fail("clang cannot build wasm32-wasi programs and tests/c/*.wasm are missing")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def native_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> executable built with gcc -O2."""
    gcc = need_tool("gcc")
    out = tmp_path_factory.mktemp("native")
    built = {}
    for name in NATIVE_PROGRAMS:
        build_native(gcc, C_DIR / f"{name}.c", out / name)
        built[name] = out / name
    return built
