"""Every wast2json script of the 2.0 core suite, run by the JSON runner on both tiers (the `tier`
fixture): 0 failed per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import count_assertions, need_suite, suite_params
from wasmlab.script.runner import run_json
from wasmlab.syntax.features import CORE_2_0

FILES = suite_params("json", pattern="*/*.json")


@pytest.mark.parametrize("path", FILES)
def test_spec_script(path: Path, tier: str) -> None:
    if not path.exists():
        need_suite("json")
    result = run_json(path, features=CORE_2_0)  # the 2.0 suite: strict 2.0
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    assert result.passed + result.skipped > 0 or not any(
        c for c in path.read_text().split('"type": "assert_')[1:]
    )
    if not path.stem.startswith("simd_"):
        # scalar files: everything runs; only text-format malformed cases may wait for the parser
        assert all("assert_malformed" in s for s in result.skips), result.skips[:5]
    count_assertions(tier, result.passed)
