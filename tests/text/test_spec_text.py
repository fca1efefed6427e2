"""The text parser against the whole 2.0 core suite (.wast scripts, SIMD included).

For every script:

* it parses completely;
* every text module (`module` commands, and the modules of `assert_invalid`,
  `assert_unlinkable` and `assert_trap (module ...)`) encodes to exactly the bytes WABT's
  wast2json wrote for it (json/<name>/<name>.<k>.wasm), except the differences listed in
  `WABT_DIFFERENCES`, which are legitimate;
* every `assert_malformed` of a `(module quote ...)` raises ParseError, with a message that
  starts with the spec interpreter's wording the script expects.

`test_totals` (last) prints the counts over the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.binary import encode
from wasmlab.errors import ParseError
from wasmlab.syntax import Module
from wasmlab.syntax.features import CORE_2_0
from wasmlab.text.script import (
    AssertInvalid,
    AssertMalformed,
    AssertUninstantiable,
    AssertUnlinkable,
    ModuleCommand,
    parse_script,
)

#: (file, line of the command) -> why our bytes differ from WABT's, legitimately.
#: `(block (type $t) ...)` whose type is [] -> [] or [] -> [t]: we keep the type index, as
#: the spec interpreter does (the text asked for a type use); WABT writes the short form.
_BLOCKTYPE = "blocktype (type $t) of a [] -> [t?] type: we keep the type index, WABT shortens it"
WABT_DIFFERENCES: dict[tuple[str, int], str] = {
    ("block", 3): _BLOCKTYPE,
    ("loop", 3): _BLOCKTYPE,
    ("if", 3): _BLOCKTYPE,
    ("block", 496): _BLOCKTYPE,
    ("loop", 600): _BLOCKTYPE,
    ("if", 835): _BLOCKTYPE,
}

#: the short block types WABT writes: empty (0x40) or one value type (i32 .. v128)
_SHORT_BLOCKTYPES = {0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B}


def blocktype_difference(ours: bytes, wabt: bytes) -> str | None:
    """Why `ours` vs `wabt` is NOT only the listed blocktype difference, or None when it is:
    the same length, and every differing byte is a short block type in WABT's bytes and a
    (one-byte) type index in ours."""
    if ours == wabt:
        return "the bytes are identical: the listed difference is gone"
    if len(ours) != len(wabt):
        return f"lengths differ ({len(ours)} vs {len(wabt)}): more than a one-byte blocktype"
    diffs = [i for i, (a, b) in enumerate(zip(ours, wabt)) if a != b]
    bad = [i for i in diffs if not (wabt[i] in _SHORT_BLOCKTYPES and ours[i] < 0x40)]
    if bad:
        return f"bytes at {[hex(i) for i in bad[:5]]} differ in other ways than a blocktype"
    return None


_ASSERT_KINDS = {
    "assert_invalid": AssertInvalid,
    "assert_unlinkable": AssertUnlinkable,
    "assert_uninstantiable": AssertUninstantiable,
}

TOTALS = {"files": 0, "modules": 0, "identical": 0, "known": 0, "malformed": 0, "detected": 0}


def _without_span(m: Module) -> list[object]:
    nodes: list[object] = [
        *m.funcs,
        *m.imports,
        *m.exports,
        *m.globals,
        *m.elems,
        *m.datas,
        *m.tables,
        *m.mems,
    ]
    exprs = [f.body for f in m.funcs] + [g.init for g in m.globals]
    exprs += [x for e in m.elems for x in e.init] + [e.offset_expr or [] for e in m.elems]
    exprs += [d.offset_expr or [] for d in m.datas]
    nodes += [i for e in exprs for i in e]
    return [n for n in nodes if getattr(n, "span", None) is None]


def _wabt_modules(json_path: Path) -> tuple[list[dict], list[dict]]:
    commands = json.loads(json_path.read_text(encoding="utf-8"))["commands"]
    modules = [c for c in commands if c["type"] == "module"]
    asserts = [c for c in commands if c["type"] in _ASSERT_KINDS]
    return modules, asserts


@pytest.mark.parametrize("path", suite_params("core", pattern="*.wast"))
def test_script(path: Path) -> None:
    if not path.exists():
        need_suite("core")
    name = path.stem
    json_dir = need_suite("json", name)
    commands = parse_script(path.read_text(encoding="utf-8"), path.name, features=CORE_2_0)
    TOTALS["files"] += 1

    wabt_modules, wabt_asserts = _wabt_modules(json_dir / f"{name}.json")
    ours = [c for c in commands if isinstance(c, ModuleCommand)]
    our_asserts = [c for c in commands if isinstance(c, tuple(_ASSERT_KINDS.values()))]
    assert len(ours) == len(wabt_modules)
    assert len(our_asserts) == len(wabt_asserts)

    pairs: list[tuple[ModuleCommand, int, dict]] = [(c, c.line, w) for c, w in zip(ours, wabt_modules)]
    for cmd, w in zip(our_asserts, wabt_asserts):
        assert isinstance(cmd, _ASSERT_KINDS[w["type"]]), (cmd.line, w)
        pairs.append((cmd.module, cmd.line, w))

    mismatches = []
    for module_cmd, line, wabt in pairs:
        if module_cmd.kind != "text":
            continue
        TOTALS["modules"] += 1
        module = module_cmd.load()
        assert not _without_span(module), f"line {line}: nodes without a source span"
        want = (json_dir / wabt["filename"]).read_bytes()
        got = encode(module)
        if got == want:
            TOTALS["identical"] += 1
        elif (name, line) in WABT_DIFFERENCES:
            why = blocktype_difference(got, want)  # the listed difference, not any difference
            if why is not None:
                mismatches.append(f"line {line}: listed ({WABT_DIFFERENCES[name, line]}), but {why}")
            TOTALS["known"] += 1
        else:
            mismatches.append(f"line {line}: {wabt['filename']} differs")
    assert not mismatches, mismatches

    wrong = []
    for cmd in commands:
        if not (isinstance(cmd, AssertMalformed) and cmd.module.kind == "quote"):
            continue
        TOTALS["malformed"] += 1
        try:
            cmd.module.load()
        except ParseError as e:
            TOTALS["detected"] += 1
            if not e.reason.startswith(cmd.text):
                wrong.append(f"line {cmd.line}: expected {cmd.text!r}, got {e.reason!r}")
        else:
            wrong.append(f"line {cmd.line}: parsed, expected {cmd.text!r}")
    assert not wrong, wrong


def test_totals() -> None:
    """The counts over the suite (needs the per-file tests above in the same run)."""
    if TOTALS["files"] < len(suite_params("core", pattern="*.wast")):
        pytest.skip("run the whole module to get the totals")
    print(
        f"\n{TOTALS['files']} scripts parsed; text modules byte-identical to WABT: "
        f"{TOTALS['identical']}/{TOTALS['modules']} ({TOTALS['known']} known differences); "
        f"malformed quotes detected: {TOTALS['detected']}/{TOTALS['malformed']}"
    )
    assert TOTALS["identical"] + TOTALS["known"] == TOTALS["modules"]
    assert TOTALS["known"] == len(WABT_DIFFERENCES), "a listed difference was not met"
    assert TOTALS["detected"] == TOTALS["malformed"]


def test_an_allowed_difference_must_be_the_listed_one() -> None:
    """The allow-list passes only the blocktype difference it names, not any difference."""
    wabt = bytes([0x02, 0x40, 0x0B])  # block (empty) end
    assert blocktype_difference(bytes([0x02, 0x00, 0x0B]), wabt) is None  # block (type 0)
    assert "identical" in (blocktype_difference(wabt, wabt) or "")
    assert "lengths" in (blocktype_difference(bytes([0x02, 0x00, 0x0B, 0x0B]), wabt) or "")
    assert "other ways" in (blocktype_difference(bytes([0x03, 0x40, 0x0B]), wabt) or "")
