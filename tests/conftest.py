"""Shared test plumbing: where the spec suite is, and skips that CI turns into failures."""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_ALL = os.environ.get("WASMLAB_REQUIRE_ALL") == "1"
#: WASMLAB_NO_SKIPS=1: every skip is a failure, whatever skipped (scripts/test.sh's run of the
#: wasmtime comparisons: if `import wasmtime` failed there, all of them would skip, green)
NO_SKIPS = os.environ.get("WASMLAB_NO_SKIPS") == "1"


#: the execution tiers the spec suites and the differential tests run on (`tier` fixture):
#: "fast" runs every call it can as compiled code (exec.translate/exec.fast), "machine" never
#: does (the machine's own handlers step every instruction), "profiled" is "fast" with every
#: body's first call profiled on the machine, compiled without the regions no run reached,
#: and every loop of a call on the machine entered as compiled code at once (exec.fast.DEFER)
TIERS = ("fast", "machine", "profiled")

#: per tier, the spec assertions that passed in this pytest run (printed at the end)
TIER_ASSERTIONS: Counter[str] = Counter()


@pytest.fixture(params=TIERS)
def tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test on one tier, whatever WASMLAB_TIER says: machines made during it read
    `wasmlab.exec.fast.TIER`."""
    from wasmlab.exec import fast

    monkeypatch.setattr(fast, "TIER", "fast" if request.param == "profiled" else request.param)
    if request.param == "profiled":
        for name, value in PROFILED.items():
            monkeypatch.setattr(fast, name, value)
    return request.param


#: exec.fast's settings for the tier "profiled": every body's first call profiled, compiled
#: without what it did not reach and again at each arrival in a cold region (whole at the
#: third), every loop of a call on the machine entered as compiled code at its first turn
PROFILED = {
    "DEFER_MIN": 0,
    "CUT_MIN": 0,
    "PROFILED_CALLS": 1,
    "HOT_AFTER": 1,
    "COLD_AGAIN": 1,
    "COLD_LIMIT": 3,
}


def count_assertions(tier: str, passed: int) -> None:
    """Note that `passed` spec assertions passed on `tier` (the run's summary shows the sums)."""
    TIER_ASSERTIONS[tier] += passed


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # (the tests count into `tests.conftest`, which pytest may have imported as `conftest`)
    import tests.conftest as shared

    counted = shared.TIER_ASSERTIONS
    if counted:
        counts = ", ".join(f"{t}: {counted[t]:,}" for t in TIERS if t in counted)
        terminalreporter.write_line(f"spec commands passed per tier: {counts}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    report = outcome.get_result()
    if NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and WASMLAB_NO_SKIPS=1 makes a skip a failure: {reason}"


def testsuite_root() -> Path:
    """`$WASMLAB_TESTSUITE`, else `../shared/testsuite` beside the project root."""
    env = os.environ.get("WASMLAB_TESTSUITE")
    return Path(env) if env else ROOT.parent / "shared" / "testsuite"


def skip_or_fail(reason: str) -> None:
    """Skip with `reason`; under WASMLAB_REQUIRE_ALL=1 (CI) fail instead."""
    if REQUIRE_ALL:
        pytest.fail(f"required but missing (WASMLAB_REQUIRE_ALL=1): {reason}", pytrace=False)
    pytest.skip(reason)


#: what a complete suite holds, per top folder: (files, .wast files, assertions in them,
#: .json files, assertion commands in them). A suite with fewer is incomplete: a test on it
#: could pass on what is missing.
SUITE_MANIFEST = {
    "core": (148, 148, 52231, 0, 0),
    "json": (5820, 0, 0, 148, 52230),
    "proposals": (52, 52, 1244, 0, 0),
    "module-linking": (40, 13, 82, 0, 0),
    "wasm-3.0": (260, 258, 62543, 0, 0),
    "wasm-3.0-extra": (7, 7, 109, 0, 0),
}


@functools.cache
def suite_counts(folder: Path) -> tuple[int, int, int, int, int]:
    """(files, .wast files, `(assert_` in them, .json files, `"type": "assert_` in them)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    wast = [p for p in files if p.suffix == ".wast"]
    js = [p for p in files if p.suffix == ".json"]
    wast_asserts = sum(len(re.findall(rb"\(assert_", p.read_bytes())) for p in wast)
    json_asserts = sum(len(re.findall(rb'"type": *"assert_', p.read_bytes())) for p in js)
    return len(files), len(wast), wast_asserts, len(js), json_asserts


def suite_incomplete(root: Path, top: str) -> str | None:
    """Why `root/top` is not the whole suite (fewer files or assertions than recorded), or None."""
    want = SUITE_MANIFEST.get(top)
    if want is None:
        return None
    got = suite_counts(root / top)
    names = ("files", ".wast files", "assertions in .wast files", ".json files", "assertions in .json files")
    short = [f"{n}: {g} of {w}" for n, g, w in zip(names, got, want) if g < w]
    return ", ".join(short) or None


def need_suite(*parts: str) -> Path:
    """The path inside the test suite, or a skip (a failure in CI) that says what is missing:
    the suite must be there and complete (see SUITE_MANIFEST)."""
    root = testsuite_root()
    path = root.joinpath(*parts)
    if not path.exists():
        skip_or_fail(f"WebAssembly test suite not found at {path} (set WASMLAB_TESTSUITE)")
    if parts:
        why = suite_incomplete(root, parts[0])
        if why is not None:
            skip_or_fail(f"the WebAssembly test suite at {root / parts[0]} is incomplete ({why})")
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
