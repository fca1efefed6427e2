"""Branch hints (3.0 text format `(@metadata.code.branch_hint "\\01")`) in the binary format:
the `metadata.code.branch_hint` custom section, byte for byte as `wasm-tools parse` writes it
(before the code section; per function, each hinted if/br_if's offset in its body)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import need_tool
from wasmlab.binary import decode, encode
from wasmlab.syntax.features import ALL
from wasmlab.text import parse_module

WAT = """(module
  (func)
  (func (param i32) (local i32 i64)
    local.get 0
    (@metadata.code.branch_hint "\\01")
    if
      nop
    end
    (@metadata.code.branch_hint "\\00")
    (br_if 0 (local.get 0))
    (@metadata.code.branch_hint "\\01")
    (if (local.get 1) (then (nop)))))
"""


def test_branch_hints_like_wasm_tools(tmp_path: Path) -> None:
    tool = need_tool("wasm-tools")
    (tmp_path / "hints.wat").write_text(WAT, encoding="utf-8")
    subprocess.run([tool, "parse", tmp_path / "hints.wat", "-o", tmp_path / "hints.wasm"], check=True)
    theirs = (tmp_path / "hints.wasm").read_bytes()
    module = parse_module(WAT)
    assert module.funcs[1].branch_hints == {1: 1, 5: 0, 7: 1}
    assert encode(module) == theirs
    again = decode(theirs, features=ALL)
    assert again.funcs[1].branch_hints == module.funcs[1].branch_hints
    assert not again.customs  # read into the functions, written back from them
    assert encode(again) == theirs


def test_a_section_that_does_not_fit_stays_raw() -> None:
    """A hint section naming something else than an if/br_if is kept as a custom section."""
    module = parse_module(WAT)
    data = bytearray(encode(module))
    at = data.index(b"metadata.code.branch_hint") + len("metadata.code.branch_hint")
    data[at + 3] += 1  # the first hint's offset now points inside an instruction
    again = decode(bytes(data), features=ALL)
    assert [c.name for c in again.customs] == ["metadata.code.branch_hint"]
    assert all(not f.branch_hints for f in again.funcs)
