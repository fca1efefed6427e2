"""Shared test plumbing: where the spec suite is, and skips that CI turns into failures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_ALL = os.environ.get("WASMLAB_REQUIRE_ALL") == "1"


def testsuite_root() -> Path:
    """`$WASMLAB_TESTSUITE`, else `../shared/testsuite` beside the project root."""
    env = os.environ.get("WASMLAB_TESTSUITE")
    return Path(env) if env else ROOT.parent / "shared" / "testsuite"


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`; under WASMLAB_REQUIRE_ALL=1 (CI) fail instead."""
    if REQUIRE_ALL:
        pytest.fail(f"required but missing (WASMLAB_REQUIRE_ALL=1): {reason}", pytrace=False)
    pytest.skip(reason)


def need_suite(*parts: str) -> Path:
    """The path inside the test suite, or a skip (a failure in CI) that says what is missing."""
    root = testsuite_root()
    path = root.joinpath(*parts)
    if not path.exists():
        skip_or_fail(f"WebAssembly test suite not found at {path} (set WASMLAB_TESTSUITE)")
    return path


def need_tool(name: str) -> str:
    """The path of an executable, or a skip (a failure in CI) naming the setup script."""
    found = shutil.which(name)
    if not found:
        skip_or_fail(f"{name} is not installed (run scripts/setup-debian.sh)")
    return found  # type: ignore[return-value]


def suite_files(*parts: str, pattern: str = "*") -> list[Path]:
    """Files for parametrization; empty (so tests collect) when the suite is absent."""
    base = testsuite_root().joinpath(*parts)
    return sorted(base.glob(pattern)) if base.exists() else []


@pytest.fixture
def suite() -> Path:
    return need_suite()


def suite_params(*parts: str, pattern: str = "*") -> list:
    """pytest params (id = file stem) for suite files; when the suite is absent, one param whose
    test must call `need_suite(...)` first, so the absence is a clear skip (a failure in CI)."""
    files = suite_files(*parts, pattern=pattern)
    if not files:
        return [pytest.param(testsuite_root().joinpath(*parts), id="testsuite-missing")]
    return [pytest.param(f, id=f.stem) for f in files]
