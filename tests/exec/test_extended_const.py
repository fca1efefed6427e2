"""The extended-const proposal: i32/i64 add, sub and mul in constant expressions (global
initializers, data and element offsets), validated by type and evaluated with wrap-around."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.errors import ValidationError
from wasmlab.syntax.types import ValType

SRC = """(module
  (global $base (import "env" "base") i32)
  (global $big (import "env" "big") i64)
  (global $end (export "end") i32 (i32.add (global.get $base) (i32.mul (i32.const 4) (i32.const 10))))
  (global $wrap (export "wrap") i32 (i32.add (i32.const -1) (i32.const 2)))
  (global $neg (export "neg") i32 (i32.sub (i32.const 0) (i32.const 1)))
  (global $mul64 (export "mul64") i64 (i64.mul (global.get $big) (i64.const 3)))
  (global $sub64 (export "sub64") i64 (i64.sub (i64.const 0) (global.get $big)))
  (memory (export "memory") 1)
  (data (i32.sub (global.get $base) (i32.const 1)) "x")
  (table 4 funcref)
  (elem (i32.add (i32.const 1) (i32.const 2)) func $f)
  (func $f (export "f") (result i32) (i32.const 7))
  (func (export "slot3") (result i32) (call_indirect (result i32) (i32.const 3))))"""


def test_extended_constant_expressions_evaluate() -> None:
    imports = {
        "env": {
            "base": wasmlab.Global(value=100),
            "big": wasmlab.Global(type=ValType.I64, value=1 << 62),
        }
    }
    inst = wasmlab.load(SRC, imports, features="extended-const")
    e = inst.exports
    assert e.end.value == 140
    assert e.wrap.value == 1 and e.neg.value == -1  # wrapped to 32 bits (shown signed)
    assert e.mul64.value == -(1 << 62) and e.sub64.value == -(1 << 62)  # 3 * 2**62 wraps
    assert bytes(e.memory.data[99:100]) == b"x"
    assert e.slot3() == 7


def test_plain_2_0_refuses_them_and_names_the_feature() -> None:
    with pytest.raises(
        ValidationError, match="i32.mul is not a constant instruction without the extended-const"
    ):
        wasmlab.parse(SRC, features="2.0")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("(i32.add (i64.const 1) (i64.const 2))", r"i32.add expected \[i32 i32\], found \[i64 i64\]"),
        ("(i32.add (i32.const 1))", r"i32.add expected \[i32 i32\], found \[i32\]"),
        ("(i32.const 1) (i32.const 2) (i32.add) (i32.const 3)", r"expected \[i32\], found \[i32 i32\]"),
        ("(i64.add (i64.const 1) (i64.const 2))", r"expected \[i32\], found \[i64\]"),
        ("(i32.div_u (i32.const 1) (i32.const 2))", "i32.div_u is not a constant instruction"),
    ],
)
def test_bad_extended_constant_expressions(expr: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wasmlab.parse(f"(module (global i32 {expr}))", features="extended-const")
