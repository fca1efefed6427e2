"""The command line with module linking: parse (both encodings), wast --module-linking, dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.linking.test_instantiate import COUNTER
from wasmlab.binary import decode
from wasmlab.cli import main


def test_parse_writes_either_encoding(tmp_path: Path) -> None:
    src = tmp_path / "c.wat"
    src.write_text(COUNTER)
    for encoding, ids in (("0.22", {14, 15, 16, 17}), ("pr2451", {100, 101, 102, 103})):
        out = tmp_path / f"c-{encoding}.wasm"
        assert main(["parse", str(src), "-o", str(out), "--module-linking-encoding", encoding]) == 0
        data = out.read_bytes()
        assert decode(data, module_linking=True).modules[0].exports[0].name == "inc"
        assert ids <= set(data)


def test_wast_with_module_linking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "t.wast"
    script.write_text(
        COUNTER.replace("(module\n", "(module $top\n", 1)
        + """
(assert_return (invoke "both") (i32.const 3))
(module
  (import "top" "both" (func $b (result i32)))
  (import "top" (instance $t (export "both" (func $tb (result i32)))))
  (func (export "again") (result i32) (i32.add (call $b) (call $t.$tb))))
(assert_return (invoke "again") (i32.const 15))
(assert_invalid (module (instance (instantiate 0))) "unknown module")
(assert_malformed (module quote "(alias parent (type 0))") "root module")
"""
    )
    assert main(["wast", "--module-linking", str(script)]) == 0
    assert "4 passed, 0 failed, 0 skipped" in capsys.readouterr().out
    # without the flag a nested module is still text, but the binary rules stay 2.0's
    binary = tmp_path / "b.wast"
    binary.write_text(
        '(assert_malformed (module binary "\\00asm\\01\\00\\00\\00\\0e\\01\\00") "malformed section id")'
    )
    assert main(["wast", str(binary)]) == 0
    assert main(["wast", "--module-linking", str(binary)]) == 1


def test_dump_of_a_linked_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "c.wat"
    src.write_text(COUNTER)
    out = tmp_path / "c.wasm"
    assert main(["parse", str(src), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["dump", str(out)]) == 0
    text = capsys.readouterr().out
    assert "modulecode" in text and "instance" in text
