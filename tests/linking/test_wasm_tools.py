"""The fourteen wasm-tools module-linking scripts (of wast 27's time): every module that should
compile compiles, every `assert_invalid` is rejected, every `assert_malformed` does not parse.

The scripts are validation tests (wasm-tools never instantiates them), run as wasm-tools ran
them, with its other proposals on: three modules need them, two use tail calls
(`return_call*`), one has two memories (multi-memory). With plain 2.0 plus module linking
exactly those three are rejected, each naming the feature it needs (`NEEDS_OTHER_PROPOSALS`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.binary import decode
from wasmlab.errors import DecodeError, ParseError, ValidationError
from wasmlab.script.wast import run_wast, split_commands
from wasmlab.syntax.features import ALL, CORE_2_0, Features
from wasmlab.text import parse_script
from wasmlab.text import script as S
from wasmlab.valid import validate

SCRIPTS = suite_params("module-linking", "wasm-tools", pattern="*.wa*")

#: (script, line of the command): the feature it needs besides module linking
NEEDS_OTHER_PROPOSALS = {
    ("alias.wast", 84): "multi-memory",  # an imported and an aliased memory
    ("alias.wast", 255): "tail-call",  # return_call
    ("alias.wast", 263): "tail-call",  # return_call_indirect
}

#: the totals over the fourteen scripts: (should compile, assert_invalid, assert_malformed)
TOTALS = (59, 70, 12)


def _load(cmd: S.ModuleCommand, features: Features):  # type: ignore[no-untyped-def]
    if cmd.kind == "binary":
        assert cmd.binary is not None
        module = decode(cmd.binary, module_linking=True, features=features)
    else:
        module = cmd.load()
    validate(module, features=features)


def check_script(path: Path, features: Features = ALL) -> tuple[list[tuple[str, int, str]], dict[str, int]]:
    """(failures, counts) of one script, command by command."""
    failures: list[tuple[str, int, str]] = []
    counts = {"module": 0, "invalid": 0, "malformed": 0}
    for line, chunk in split_commands(path.read_text(encoding="utf-8")):
        try:
            commands = parse_script(chunk, filename=path.name)
        except ParseError as e:
            counts["module"] += 1
            failures.append(("parse", line, e.reason))
            continue
        for cmd in commands:
            if isinstance(cmd, S.ModuleCommand):
                counts["module"] += 1
                try:
                    _load(cmd, features)
                except (ParseError, DecodeError, ValidationError) as e:
                    failures.append(("module", cmd.line, str(e).splitlines()[0]))
            elif isinstance(cmd, S.AssertInvalid):
                counts["invalid"] += 1
                try:
                    _load(cmd.module, features)
                    failures.append(("accepted invalid", cmd.line, cmd.text))
                except (ValidationError, DecodeError):  # (section order is a decoding matter here)
                    pass
                except ParseError as e:
                    failures.append(("invalid rejected while parsing", cmd.line, e.reason))
            elif isinstance(cmd, S.AssertMalformed):
                counts["malformed"] += 1
                try:
                    _load(cmd.module, features)
                    failures.append(("accepted malformed", cmd.line, cmd.text))
                except (ParseError, DecodeError):
                    pass
                except ValidationError as e:
                    failures.append(("malformed rejected by validation", cmd.line, str(e)))
    return failures, counts


@pytest.mark.parametrize("path", SCRIPTS)
def test_wasm_tools_script(path: Path) -> None:
    need_suite("module-linking", "wasm-tools")
    failures, _ = check_script(path)
    assert failures == []


@pytest.mark.parametrize("path", SCRIPTS)
def test_without_the_other_proposals(path: Path) -> None:
    """Plain 2.0 + module linking rejects exactly the three modules, naming the feature."""
    need_suite("module-linking", "wasm-tools")
    failures, _ = check_script(path, CORE_2_0)
    expected = {line: f for (name, line), f in NEEDS_OTHER_PROPOSALS.items() if name == path.name}
    assert sorted(line for _, line, _ in failures) == sorted(expected)
    for kind, line, message in failures:
        assert kind == "module" and f"the {expected[line]} feature" in message, message


def test_totals() -> None:
    root = need_suite("module-linking", "wasm-tools")
    totals = {"module": 0, "invalid": 0, "malformed": 0}
    for path in sorted(root.glob("*.wa*")):
        for key, n in check_script(path)[1].items():
            totals[key] += n
    assert len(list(root.glob("*.wa*"))) == 14
    assert (totals["module"], totals["invalid"], totals["malformed"]) == TOTALS


@pytest.mark.parametrize("path", SCRIPTS)
def test_the_runner_runs_the_scripts(path: Path) -> None:
    """`wasmlab wast --module-linking --features all`: assertions pass; modules with imports
    nobody gives are compiled and skipped."""
    need_suite("module-linking", "wasm-tools")
    result = run_wast(path, module_linking=True, features=ALL)
    assert result.failed == 0, result.failures
    assert all("compiled, not instantiated" in s for s in result.skips)
