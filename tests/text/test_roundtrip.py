"""print_wat / parse_module round trip over every valid module of the suite's json/ tree.

For each `module` command's .wasm: decode it, drop its name section, encode it (the
reference bytes), print it (flat and folded), parse the text and encode again: the bytes
must be the same. `BINARY_ONLY` lists the modules whose binary uses a form the text
format cannot express (the encoder keeps such hints from a decoded binary; text gives
the canonical form).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import need_suite, suite_params
from wasmlab.binary import decode, encode
from wasmlab.errors import WasmError
from wasmlab.text import parse_module, print_wat

_FLAGS = "an element/data segment in a longer binary form than needed (flags)"
_GROUPS = "locals grouped differently from the canonical runs (split or empty groups)"
_DATACOUNT = "a DataCount section the code does not need"
BINARY_ONLY: dict[str, str] = {
    "binary-leb128.5.wasm": _FLAGS,
    "binary-leb128.84.wasm": _FLAGS,
    "binary-leb128.85.wasm": _FLAGS,
    "binary-leb128.87.wasm": _FLAGS,
    "binary-leb128.88.wasm": _FLAGS,
    "binary-leb128.89.wasm": _FLAGS,
    "binary.55.wasm": _GROUPS,
    "binary.65.wasm": _DATACOUNT,
    "binary.70.wasm": _FLAGS,
}

TOTALS = {"modules": 0, "identical": 0, "binary_only": 0}


def section_ids(data: bytes) -> list[int]:
    """The ids of a module binary's sections, in order."""
    ids, pos = [], 8
    while pos < len(data):
        ids.append(data[pos])
        pos += 1
        size = shift = 0
        while True:
            b = data[pos]
            pos += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        pos += size
    return ids


def binary_only_difference(reason: str, text: bytes, binary: bytes) -> str | None:
    """Why the round trip's bytes (`text`) vs the decoded binary's (`binary`) are NOT the
    listed binary-only form, or None when they are: the bytes differ, and as the reason says."""
    if text == binary:
        return "the bytes are identical: the listed difference is gone"
    if reason == _FLAGS and not len(text) < len(binary):
        return f"the text's bytes are not shorter ({len(text)} vs {len(binary)})"
    if reason == _DATACOUNT and not (12 in section_ids(binary) and 12 not in section_ids(text)):
        return f"no DataCount section dropped (sections {section_ids(binary)} -> {section_ids(text)})"
    if reason == _GROUPS and [i for i in section_ids(binary) if i != 10] != [
        i for i in section_ids(text) if i != 10
    ]:
        return "other sections than the code differ"
    return None


def _modules(json_dir: Path) -> list[Path]:
    data = json.loads((json_dir / f"{json_dir.name}.json").read_text(encoding="utf-8"))
    return [json_dir / c["filename"] for c in data["commands"] if c["type"] == "module"]


@pytest.mark.parametrize("json_dir", suite_params("json"))
def test_roundtrip(json_dir: Path) -> None:
    if not json_dir.exists():
        need_suite("json")
    failures = []
    for wasm in _modules(json_dir):
        try:
            module = decode(wasm.read_bytes())
        except WasmError:
            continue  # not decodable: nothing to print (the binary tests cover these)
        module.customs = [c for c in module.customs if c.name != "name"]
        want = encode(module)
        TOTALS["modules"] += 1
        same = True
        for folded in (False, True):
            text = print_wat(module, folded=folded)
            got = encode(parse_module(text, wasm.name + ".wat"))
            same = same and got == want
        if same:
            TOTALS["identical"] += 1
        elif wasm.name in BINARY_ONLY:
            why = binary_only_difference(BINARY_ONLY[wasm.name], got, want)
            if why is not None:
                failures.append(f"{wasm.name}: listed ({BINARY_ONLY[wasm.name]}), but {why}")
            TOTALS["binary_only"] += 1
        else:
            failures.append(wasm.name)
    assert not failures


def test_totals() -> None:
    if TOTALS["modules"] == 0 or len(suite_params("json")) < 100:
        pytest.skip("run the whole module to get the totals")
    print(
        f"\nround trip identical: {TOTALS['identical']}/{TOTALS['modules']} "
        f"({TOTALS['binary_only']} use binary-only forms)"
    )
    assert TOTALS["identical"] + TOTALS["binary_only"] == TOTALS["modules"]
    assert TOTALS["binary_only"] == len(BINARY_ONLY), "a listed module was not met"


def test_a_binary_only_module_must_differ_as_listed() -> None:
    empty = b"\0asm\x01\0\0\0"
    datacount = empty + b"\x0c\x01\x00"
    assert binary_only_difference(_DATACOUNT, empty, datacount) is None
    assert "identical" in (binary_only_difference(_DATACOUNT, datacount, datacount) or "")
    assert "DataCount" in (binary_only_difference(_DATACOUNT, empty, empty + b"\x01\x01\x00") or "")
    assert "shorter" in (binary_only_difference(_FLAGS, datacount + b"\x00", datacount) or "")
