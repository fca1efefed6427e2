"""The WebAssembly 3.0 suite (`wasm-3.0/`: the 258 scripts of the spec's `wg-3.0` tag) and the
extra 3.0 scripts (`wasm-3.0-extra/`: legacy exceptions, custom annotations), run with their
features on, on both tiers (the `tier` fixture: compiled code wherever it can run, and the
machine alone): 0 failed per script.

GC and typed function references: the scripts that needed them while the engine lacked them
were listed in NEEDS_GC (now empty). For those, every failure must be one those proposals explain (a heap
type, `ref`, `rec`, `struct`/`array`/`i31`, `call_ref`, non-nullable references, their
instructions, or a command that failed because an earlier module needing them did not
load), and then the test is an expected failure that says so; a listed script that passes
fails the test, so the list only shrinks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import count_assertions, need_suite, testsuite_root
from wasmlab.script.wast import run_wast
from wasmlab.syntax.features import ALL

#: the features of the 3.0 suite: every proposal, legacy exceptions included
FEATURES_3_0 = ALL

#: scripts that need GC and typed function references the engine does not have yet (none left)
NEEDS_GC: set[str] = set()

#: extra scripts whose feature is not finished yet
NOT_YET: dict[str, str] = {}

#: what a failure caused by the missing GC and typed references looks like
GC_CAUSES = re.compile(
    r"heap type|non-nullable|\bref\b|\(ref|unknown operator (rec|sub|struct|array|i31|ref\.|call_ref|"
    r"return_call_ref|br_on|any\.|extern\.)|\brec\b|struct|array|i31|call_ref|ref\.as_non_null|br_on_|"
    r"no current module|unknown export|unknown module|unknown module definition|"
    r"constant expressions may only read imported globals|expected \)|expected '\)'|"
    r"unknown import|expected an element list|typed function references|malformed reference type|"
    r"unknown operator (any|anyref|eq|eqref|none|nullref|nofunc|noextern|noexn|exn)\b|"
    r"uninitialized local|unknown type|"
    # (a module whose table holds `(ref null $t)`: the whole module does not parse)
    r"expected a limit"
)


def _scripts(folder: str) -> list:
    base = testsuite_root() / folder
    files = sorted(base.rglob("*.wast")) if base.exists() else []
    if not files:
        return [pytest.param(folder, base, id=f"{folder}-missing")]
    return [
        pytest.param(folder, f, id=f"{folder}/{f.relative_to(base).with_suffix('').as_posix()}")
        for f in files
    ]


@pytest.mark.parametrize(("folder", "path"), _scripts("wasm-3.0") + _scripts("wasm-3.0-extra"))
def test_wasm_3_0_script(folder: str, path: Path, tier: str) -> None:
    if not path.exists():
        need_suite(folder)
    result = run_wast(path, features=FEATURES_3_0)
    name = path.relative_to(testsuite_root() / folder).with_suffix("").as_posix()
    assert result.skipped == 0, result.skips[:10]
    if folder == "wasm-3.0" and name in NEEDS_GC:
        assert result.failed > 0, f"{name} passes now: take it out of NEEDS_GC"
        other = [f for f in result.failures if not GC_CAUSES.search(f)]
        assert not other, "\n".join([f"failures GC does not explain in {name}:", *other[:20]])
        pytest.xfail(f"needs GC and typed function references: {result.line()}")
    if folder == "wasm-3.0-extra" and name in NOT_YET:
        assert result.failed > 0, f"{name} passes now: take it out of NOT_YET"
        pytest.xfail(f"{NOT_YET[name]}: {result.line()}")
    assert result.failed == 0, "\n".join([result.line(), *result.failures[:20]])
    count_assertions(tier, result.passed)
