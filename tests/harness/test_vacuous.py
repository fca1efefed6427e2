"""The test harness cannot pass vacuously (issue 13, defect 11): the wasmtime comparisons in
scripts/test.sh fail when they skip, and `need_suite` wants the whole suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import conftest as harness
from tests.conftest import ROOT, SUITE_MANIFEST, need_suite, suite_counts


def test_the_oracle_run_fails_when_its_comparisons_skip(tmp_path: Path) -> None:
    """As when `import wasmtime` fails in the oracle venv: every comparison skips."""
    script = (ROOT / "scripts" / "test.sh").read_text()
    oracle_run = next(line for line in script.splitlines() if '"$oracle/bin/python" -m pytest' in line)
    assert oracle_run.startswith("WASMLAB_NO_SKIPS=1 "), oracle_run
    test = tmp_path / "test_oracle_like.py"
    test.write_text(
        "import pytest\n\n\ndef test_compare_with_wasmtime():\n"
        "    pytest.importorskip('wasmtime_that_is_not_there')\n"
    )
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-p", "tests.conftest",
           "--rootdir", str(tmp_path), str(test)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("WASMLAB_NO_SKIPS", None)
    plain = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert plain.returncode == 0 and "1 skipped" in plain.stdout, plain.stdout  # green, vacuously
    strict = subprocess.run(run, capture_output=True, text=True, cwd=ROOT, env={**env, "WASMLAB_NO_SKIPS": "1"},
                            timeout=120)  # fmt: skip
    assert strict.returncode == 1 and "1 failed" in strict.stdout, strict.stdout
    assert "WASMLAB_NO_SKIPS=1 makes a skip a failure" in strict.stdout


def test_need_suite_wants_the_whole_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = harness.testsuite_root()
    if not (real / "proposals").exists():
        need_suite("proposals")  # (a skip, or a failure in CI)
    assert suite_counts(real / "proposals") >= SUITE_MANIFEST["proposals"]
    partial = tmp_path / "testsuite"
    shutil.copytree(real / "proposals", partial / "proposals")
    dropped = sorted((partial / "proposals").rglob("*.wast"))[0]
    dropped.unlink()
    monkeypatch.setenv("WASMLAB_TESTSUITE", str(partial))
    suite_counts.cache_clear()
    with pytest.raises((pytest.skip.Exception, pytest.fail.Exception), match="incomplete"):
        need_suite("proposals")
    (partial / "proposals" / dropped.name).write_text("(module)")  # a file, but no assertions
    suite_counts.cache_clear()
    with pytest.raises((pytest.skip.Exception, pytest.fail.Exception), match="assertions"):
        need_suite("proposals")
    monkeypatch.setenv("WASMLAB_TESTSUITE", str(real))
    suite_counts.cache_clear()
    assert need_suite("proposals") == real / "proposals"
