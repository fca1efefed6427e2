"""print_wat: exact, readable output that parses back to the same bytes."""

from __future__ import annotations

import struct

import pytest

from wasmlab.binary import encode
from wasmlab.syntax import BY_NAME, Custom, Func, FuncType, Instr, Module, Names
from wasmlab.text import parse_module, print_wat
from wasmlab.text.printer import escape_bytes, escape_name, sanitize_id

DEMO = r"""(module $demo
  (type $t (func (param i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (global $g (mut f32) (f32.const 0.1))
  (func $sq (export "sq") (type $t) (local $tmp i32)
    (local.set $tmp (i32.mul (local.get 0) (local.get 0)))
    (if (i32.gt_s (local.get $tmp) (i32.const 100))
      (then (call $log (local.get $tmp))))
    (local.get $tmp))
  (data (i32.const 8) "hi\n\00"))"""

FLAT = """(module $demo
  (type $t (;0;) (func (param i32) (result i32)))
  (type (;1;) (func (param i32)))
  (import "env" "log" (func $log (;0;) (type 1) (param i32)))
  (func $sq (;1;) (type $t) (param i32) (result i32)
    (local $tmp i32)
    local.get 0
    local.get 0
    i32.mul
    local.set $tmp
    local.get $tmp
    i32.const 100
    i32.gt_s
    if
      local.get $tmp
      call $log
    end
    local.get $tmp)
  (memory (;0;) 1)
  (global $g (;0;) (mut f32) (f32.const 0.1))
  (export "sq" (func $sq))
  (data (;0;) (i32.const 8) "hi\\0a\\00"))
"""

FOLDED_BODY = """    (local $tmp i32)
    (local.set $tmp (i32.mul (local.get 0) (local.get 0)))
    (if
      (i32.gt_s (local.get $tmp) (i32.const 100))
      (then
        (call $log (local.get $tmp))))
    (local.get $tmp))
"""


def roundtrip(m: Module) -> None:
    want = encode(m)
    for folded in (False, True):
        text = print_wat(m, folded=folded)
        assert encode(parse_module(text)) == want, text


def test_flat_output() -> None:
    assert print_wat(parse_module(DEMO)) == FLAT


def test_folded_output() -> None:
    text = print_wat(parse_module(DEMO), folded=True)
    assert FOLDED_BODY in text
    roundtrip(parse_module(DEMO))


def test_everything_round_trips() -> None:
    src = r"""
    (module
      (type $v (func))
      (type $multi (func (param i32 i64) (result f32 f64)))
      (import "a" "f" (func (type $multi)))
      (import "a" "t" (table 2 10 externref))
      (import "a" "m" (memory 1 3))
      (import "a" "g" (global (mut i64)))
      (table $t 4 funcref)
      (memory 2)
      (global $c f64 (f64.const -nan:0x1234))
      (global externref (ref.null extern))
      (global funcref (ref.func $f))
      (func $f (export "f") (param $a i32) (param i64) (result f32 f64)
        (local $x v128) (local i32 i32)
        (block $out (param) (result i32) (loop $l (br_if $l (i32.const 0)))
          (br_table 0 $out (i32.const 1) (i32.const 2)))
        drop
        (select (result f32) (f32.const 0x1.fffffep127) (f32.const -0x1p-149) (i32.const 1))
        (f64.const 0x1.0000000000001p-1022)
        (call_indirect $t (type $multi) (i32.const 1) (i64.const 2) (i32.const 0))
        (drop) (drop) (drop)
        (local.set $x (v128.const f32x4 nan:0x1 -nan 1.5 -0))
        (drop (i8x16.shuffle 31 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 (local.get $x) (local.get $x)))
        (drop (v128.load16_lane offset=4 align=1 7 (i32.const 0) (local.get $x)))
        (v128.store64_lane align=8 1 (i32.const 0) (local.get $x))
        (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
        (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $d)
        (table.init $t $e (i32.const 0) (i32.const 0) (i32.const 0)) (elem.drop $e)
        (table.copy $t $t (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (table.grow 1 (ref.null extern) (i32.const 1)))
        (table.fill $t (i32.const 0) (ref.func $f) (i32.const 0))
        (drop (i64.extend32_s (i64.const -9223372036854775808)))
        (if (result f32 f64) (i32.const 1)
          (then (f32.const 1) (f64.const 2))
          (else (f32.const 3) (f64.const 4))))
      (elem $e func $f 0)
      (elem (table $t) (offset (i32.const 1) (drop (i32.const 2)) (i32.const 3)) funcref (ref.null func))
      (elem declare func $f)
      (elem (i32.const 0) externref)
      (data $d "\00\01\ff\"\\")
      (data (memory 1) (i32.const 16) "x")
      (start 0))
    """
    roundtrip(parse_module(src))


def test_empty_else_is_kept_in_both_styles() -> None:
    m = parse_module("(func i32.const 1 if nop else end)")
    roundtrip(m)
    assert "else" in print_wat(m, folded=True)


def test_names_are_sanitized_and_unique() -> None:
    m = parse_module("(func) (func) (func) (func (param i32 i32))")
    m.names = Names(
        module="my module", funcs={0: "a b", 1: "a b", 2: "", 3: "ok"}, locals={3: {0: "p", 1: "p"}}
    )
    text = print_wat(m)
    assert text.startswith("(module $my_module\n")
    assert "(func $a_b (;0;)" in text and "(func (;1;)" in text and "(func (;2;)" in text
    assert "(param $p i32) (param i32)" in text
    roundtrip(m)


def test_strings() -> None:
    assert escape_bytes(b'a"\\\x00\x7f\xff') == '"a\\22\\5c\\00\\7f\\ff"'
    assert escape_name('é"\\\n') == '"é\\"\\\\\\0a"'
    assert sanitize_id("a(b)c") == "$a_b_c"
    m = parse_module('(func (export "naïve \\"quoted\\"\\n"))')
    assert parse_module(print_wat(m)).exports[0].name == 'naïve "quoted"\n'


def test_floats_are_exact() -> None:
    values = [0x7FC00001, 0xFF800000, 0x00000001, 0x7F7FFFFF, 0x3DCCCCCD, 0x80000000]
    body = [Instr(BY_NAME["f32.const"], v) for v in values] + [Instr(BY_NAME["drop"])] * len(values)
    m = Module(types=[FuncType()], funcs=[Func(0, [], [*body, Instr(BY_NAME["end"])])])
    got = parse_module(print_wat(m)).funcs[0].body
    assert [i.imm for i in got[: len(values)]] == values
    lanes = struct.pack("<4I", 0x7FA00000, 1, 0xFFFFFFFF, 0)
    m.funcs[0].body = [Instr(BY_NAME["v128.const"], lanes), Instr(BY_NAME["drop"]), Instr(BY_NAME["end"])]
    assert parse_module(print_wat(m, folded=True)).funcs[0].body[0].imm == lanes


def test_custom_sections_become_annotations() -> None:
    m = parse_module("(func)")
    m.customs = [Custom("meta", b"\x01\x02", 3), Custom("head", b"", 0), Custom("name", b"\x00", 11)]
    text = print_wat(m)
    assert '(@custom "meta" (after func) "\\01\\02")' in text
    assert '(@custom "head" (before first) "")' in text
    assert '"name"' not in text  # the name section is what $ids are made of
    back = parse_module(text)
    assert [(c.name, c.data, c.after) for c in back.customs] == [("meta", b"\x01\x02", 3), ("head", b"", 0)]


@pytest.mark.parametrize("folded", [False, True])
def test_deep_nesting(folded: bool) -> None:
    n = 3000
    m = parse_module("(func " + "block " * n + "end " * n + ")")
    text = print_wat(m, folded=folded)
    assert max(len(line) for line in text.splitlines()) < 200  # indentation is capped
    assert encode(parse_module(text)) == encode(m)


def test_module_without_names_or_with_bad_type_indices() -> None:
    m = Module(types=[FuncType()], funcs=[Func(5, [], [Instr(BY_NAME["end"])])])
    assert "(func (;0;) (type 5))" in print_wat(m)
