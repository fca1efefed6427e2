"""Every .wast script of the 2.0 core suite, parsed by our text parser and run: 0 failed per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.script.wast import run_wast
from wasmlab.syntax.features import CORE_2_0


@pytest.mark.parametrize("path", suite_params("core", pattern="*.wast"))
def test_wast_script(path: Path) -> None:
    if not path.exists():
        need_suite("core")
    result = run_wast(path, features=CORE_2_0)  # the 2.0 suite: strict 2.0
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    assert result.skipped == 0, result.skips[:10]


@pytest.mark.parametrize("path", suite_params("core", pattern="*.wast"))
def test_wast_script_on_the_machine_alone(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same scripts with the compiled tier off (WASMLAB_TIER=machine): the machine's own
    handlers run every call (the test above runs them on the compiled tier by default)."""
    if not path.exists():
        need_suite("core")
    from wasmlab.exec import fast

    monkeypatch.setattr(fast, "TIER", "machine")
    result = run_wast(path, features=CORE_2_0)
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    assert result.skipped == 0, result.skips[:10]
