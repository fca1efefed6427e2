"""Every .wast script of the 2.0 core suite, parsed by our text parser and run on both tiers
(the `tier` fixture: compiled code wherever it can run, and the machine alone): 0 failed per
file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import count_assertions, need_suite, suite_params
from wasmlab.script.wast import run_wast
from wasmlab.syntax.features import CORE_2_0


@pytest.mark.parametrize("path", suite_params("core", pattern="*.wast"))
def test_wast_script(path: Path, tier: str) -> None:
    if not path.exists():
        need_suite("core")
    result = run_wast(path, features=CORE_2_0)  # the 2.0 suite: strict 2.0
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    assert result.skipped == 0, result.skips[:10]
    count_assertions(tier, result.passed)
