"""The post-2.0 proposals the engine has, run on their 3.0 spec scripts with the feature on:
tail calls (`return_call`, `return_call_indirect`) and multi-memory, on both tiers (the `tier`
fixture). 0 failed per file.

`return_call_ref.wast` needs typed function references, which the engine does not have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import count_assertions, need_suite, suite_params
from wasmlab.script.wast import run_wast
from wasmlab.syntax.features import ALL, CORE_2_0

TAIL_CALL = [
    p for p in suite_params("proposals", "tail-call", pattern="return_call*.wast") if "_ref" not in p.id
]
MULTI_MEMORY = suite_params("proposals", "multi-memory", pattern="*.wast")


@pytest.mark.parametrize("path", TAIL_CALL + MULTI_MEMORY)
def test_proposal_script(path: Path, tier: str) -> None:
    if not path.exists():
        need_suite("proposals")
    result = run_wast(path, features=ALL)
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    assert result.skipped == 0, result.skips[:10]
    count_assertions(tier, result.passed)


@pytest.mark.parametrize("path", TAIL_CALL[:1] + [p for p in MULTI_MEMORY if p.id == "memory-multi"])
def test_plain_2_0_rejects_the_proposals(path: Path) -> None:
    """Without the feature, the first module of each script is refused with the feature named."""
    if not path.exists():
        need_suite("proposals")
    result = run_wast(path, features=CORE_2_0)
    assert result.failed >= 1
    assert "feature" in result.failures[0], result.failures[0]


def test_extended_const_data_script(tier: str) -> None:
    """extended-const's `data.wast` with every feature on passes whole: its two modules whose
    data offsets read a global the module defines itself need the 3.0 rule (from GC), which
    `gc` brings; with extended-const alone they fail."""
    path = need_suite("proposals", "extended-const", "data.wast")
    result = run_wast(path, features=ALL)
    assert result.passed == 34 and result.skipped == 0 and not result.failures, result.failures
    count_assertions(tier, result.passed)
    result = run_wast(path, features=frozenset({"extended-const"}))
    assert [f.split(":")[0] for f in result.failures] == ["line 89", "line 90"], result.failures
    assert all("constant expressions may only read imported globals" in f for f in result.failures)
    plain = run_wast(path, features=CORE_2_0)
    assert plain.failed > 2 and any("without the extended-const feature" in f for f in plain.failures)


#: exception handling: the commands of its scripts that need typed function references or GC
#: types (`(ref $t)`, `(ref exn)`, `rec`), and the assertions on their modules
EXCEPTIONS_NEED_OTHER_PROPOSALS = {
    "throw": [],
    "throw_ref": [],
    "tag": [],
    "try_table": [],
}


@pytest.mark.parametrize("name", list(EXCEPTIONS_NEED_OTHER_PROPOSALS))
def test_exception_handling_scripts(name: str, tier: str) -> None:
    path = need_suite("proposals", "exception-handling", f"{name}.wast")
    result = run_wast(path, features=ALL)
    lines = [int(f.split(":")[0].removeprefix("line ")) for f in result.failures]
    assert lines == EXCEPTIONS_NEED_OTHER_PROPOSALS[name], result.failures
    assert all("ref" in f or "rec" in f or "unknown export" in f for f in result.failures), result.failures
    assert result.passed >= {"throw": 12, "throw_ref": 14, "tag": 3, "try_table": 53}[name]
    count_assertions(tier, result.passed)
