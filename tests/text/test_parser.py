"""The module parser on the AST: unfolding, labels, index spaces, abbreviations, SIMD."""

from __future__ import annotations

import struct

import pytest

from wasmlab.syntax import BY_NAME, SELECT_T, ExternKind, FuncType, GlobalType, Limits, MemType, TableType
from wasmlab.syntax.types import EXTERNREF, F32, F64, FUNCREF, I32, I64
from wasmlab.text import parse_module
from wasmlab.text.lexer import KEYWORDS
from wasmlab.text.parser import FIELDS, register_field


def body(src: str, index: int = 0) -> list[tuple[str, object]]:
    """(name, immediate) of a function body, without the final `end`."""
    m = parse_module(src)
    instrs = m.funcs[index].body
    assert instrs[-1].op.name == "end"
    return [(i.op.name, i.imm) for i in instrs[:-1]]


def test_folded_and_flat_are_the_same() -> None:
    folded = body(
        "(func (param i32) (result i32) (i32.add (local.get 0) (i32.mul (i32.const 2) (i32.const 3))))"
    )
    flat = body("(func (param i32) (result i32) local.get 0 i32.const 2 i32.const 3 i32.mul i32.add)")
    assert (
        folded
        == flat
        == [
            ("local.get", 0),
            ("i32.const", 2),
            ("i32.const", 3),
            ("i32.mul", None),
            ("i32.add", None),
        ]
    )


def test_labels_resolve_innermost_first() -> None:
    got = body(
        "(func (block $a (block $b (block $a (br $a) (br $b) (br 2)) (loop $l (br_if $l (i32.const 0))))))"
    )
    assert [x for x in got if x[0].startswith("br")] == [("br", 0), ("br", 1), ("br", 2), ("br_if", 0)]
    got = body("(func block $x nop end $x loop $y br $y end)")
    assert got == [("block", None), ("nop", None), ("end", None), ("loop", None), ("br", 0), ("end", None)]


def test_if_forms() -> None:
    folded = body(
        "(func (result i32) (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))))"
    )
    flat = body("(func (result i32) i32.const 1 if (result i32) i32.const 2 else i32.const 3 end)")
    assert folded == flat
    # an empty folded else arm writes no `else` (as the spec's encoder); a flat one is kept
    assert body("(func (if (i32.const 1) (then) (else)))") == [("i32.const", 1), ("if", None), ("end", None)]
    assert body("(func i32.const 1 if else end)") == [
        ("i32.const", 1),
        ("if", None),
        ("else", None),
        ("end", None),
    ]
    # several folded conditions, and a label usable inside both arms
    got = body("(func (if $l (i32.const 1) (i32.const 2) (then (br $l)) (else (br $l))) drop)")
    assert got[:3] == [("i32.const", 1), ("i32.const", 2), ("if", None)]
    assert got[3] == ("br", 0) and got[5] == ("br", 0)


def test_block_types_and_implicit_type_order() -> None:
    m = parse_module(
        """
        (func $a (param i32))
        (type $t (func (result f32)))
        (func $b (param i32) (result i32)
          (block (param i32) (result i64 i64) (drop) (i64.const 1) (i64.const 2)) drop drop
          (block (result i32) (i32.const 0)))
        (func $c (type $t) (f32.const 0))
        (func $d (type $t) (result f32) (loop (type $t) (f32.const 1)))
        """
    )
    assert m.types == [
        FuncType((), (F32,)),  # explicit types first
        FuncType((I32,), ()),  # then implicit ones, in order of appearance
        FuncType((I32,), (I32,)),
        FuncType((I32,), (I64, I64)),
    ]
    assert [f.type for f in m.funcs] == [1, 2, 0, 0]
    blocks = [i.imm for f in m.funcs for i in f.body if i.op.name in ("block", "loop")]
    assert blocks == [3, I32, 0]


def test_function_type_use_and_locals() -> None:
    m = parse_module(
        """
        (type $two (func (param i32 i64)))
        (func (type $two) (local $x f64) (local f32 f32) (local.get $x) drop)
        (func (param $p i32) (param f32 f64) (local $q i32) (local.get $q) drop (local.get $p) drop)
        """
    )
    f0, f1 = m.funcs
    assert f0.locals == [F64, F32, F32]
    assert f0.body[0].imm == 2  # after the two parameters of $two
    assert f1.body[0].imm == 3 and f1.body[2].imm == 0
    assert m.names.locals == {0: {2: "x"}, 1: {0: "p", 3: "q"}}


def test_imports_exports_and_index_spaces() -> None:
    m = parse_module(
        """
        (module $mod
          (import "env" "f" (func $imp (param i32)))
          (func $g (export "a") (export "b") (import "env" "g") (result i32))
          (memory $mem (import "env" "mem") 1 2)
          (global $gl (import "env" "gl") (mut i64))
          (table $tab (export "t") (import "env" "tab") 3 funcref)
          (func $def (export "def") (call $imp (i32.const 0)) (drop (call $g)))
          (global $mine (export "mine") f32 (f32.const 1.5))
          (export "mem" (memory $mem))
          (export "gl" (global $gl))
          (start $def))
        """
    )
    assert [(i.module, i.name, i.kind, i.desc) for i in m.imports] == [
        ("env", "f", ExternKind.FUNC, 0),
        ("env", "g", ExternKind.FUNC, 1),
        ("env", "mem", ExternKind.MEMORY, MemType(Limits(1, 2))),
        ("env", "gl", ExternKind.GLOBAL, GlobalType(I64, True)),
        ("env", "tab", ExternKind.TABLE, TableType(Limits(3), FUNCREF)),
    ]
    assert [(e.name, e.kind, e.index) for e in m.exports] == [
        ("a", ExternKind.FUNC, 1),
        ("b", ExternKind.FUNC, 1),
        ("t", ExternKind.TABLE, 0),
        ("def", ExternKind.FUNC, 2),
        ("mine", ExternKind.GLOBAL, 1),
        ("mem", ExternKind.MEMORY, 0),
        ("gl", ExternKind.GLOBAL, 0),
    ]
    assert [(i.op.name, i.imm) for i in m.funcs[0].body if i.op.name == "call"] == [("call", 0), ("call", 1)]
    assert m.start == 2
    assert m.id == "$mod" and m.names.module == "mod"
    assert m.names.funcs == {0: "imp", 1: "g", 2: "def"}


def test_memory_and_table_abbreviations() -> None:
    m = parse_module(
        """
        (memory $m (export "m") (data "ab" "c"))
        (memory (data))
        (func $f) (func $g)
        (table $t funcref (elem $f $g $f))
        (table externref (elem (ref.null extern) (item ref.null extern)))
        """
    )
    assert [x.type for x in m.mems] == [MemType(Limits(1, 1)), MemType(Limits(0, 0))]
    assert [(d.init, d.memory, d.mode) for d in m.datas] == [(b"abc", 0, "active"), (b"", 1, "active")]
    assert [t.type for t in m.tables] == [
        TableType(Limits(3, 3), FUNCREF),
        TableType(Limits(2, 2), EXTERNREF),
    ]
    e0, e1 = m.elems
    assert (e0.table, e0.mode, e0.type) == (0, "active", FUNCREF)
    assert [x[0].imm for x in e0.init] == [0, 1, 0]
    assert (e1.table, e1.type, [x[0].op.name for x in e1.init]) == (1, EXTERNREF, ["ref.null", "ref.null"])
    assert [(i.op.name, i.imm) for i in e1.offset_expr] == [("i32.const", 0), ("end", None)]


def test_elem_segment_forms() -> None:
    m = parse_module(
        """
        (table $t 10 funcref) (table $u 10 externref)
        (func $f)
        (elem $e0 (i32.const 1) $f 0)
        (elem (offset (i32.const 2)) func $f)
        (elem (table $u) (i32.const 3) externref (ref.null extern))
        (elem func $f)
        (elem funcref (ref.func $f) (item (ref.null func)))
        (elem declare func $f)
        (elem $last (i32.const 0))
        (func (elem.drop $e0) (elem.drop $last) (table.init $u $last (i32.const 0) (i32.const 0) (i32.const 0))
              (table.init $e0 (i32.const 0) (i32.const 0) (i32.const 0)))
        """
    )
    assert [(e.mode, e.table, len(e.init)) for e in m.elems] == [
        ("active", 0, 2),
        ("active", 0, 1),
        ("active", 1, 1),
        ("passive", 0, 1),
        ("passive", 0, 2),
        ("declarative", 0, 1),
        ("active", 0, 0),
    ]
    ops = [(i.op.name, i.imm) for i in m.funcs[1].body if i.op.name in ("elem.drop", "table.init")]
    assert ops == [("elem.drop", 0), ("elem.drop", 6), ("table.init", (6, 1)), ("table.init", (0, 0))]


def test_data_segment_forms_and_data_count() -> None:
    m = parse_module(
        """
        (memory $m 1)
        (data $a (i32.const 0) "x")
        (data (memory $m) (offset (i32.const 1)) "y" "z")
        (data $p "passive")
        (func (memory.init $p (i32.const 0) (i32.const 0) (i32.const 0)) (data.drop $a))
        """
    )
    assert [(d.mode, d.init) for d in m.datas] == [
        ("active", b"x"),
        ("active", b"yz"),
        ("passive", b"passive"),
    ]
    assert m.data_count == 3
    assert [(i.op.name, i.imm) for i in m.funcs[0].body][3:5] == [("memory.init", (2, 0)), ("data.drop", 0)]
    assert parse_module('(memory 1) (data "x")').data_count is None


def test_instructions_with_special_immediates() -> None:
    got = body(
        """
        (type $sig (func (param i32) (result i32)))
        (table $t 1 funcref) (table $u 1 funcref)
        (memory 1)
        (func
          (select (i32.const 1) (i32.const 2) (i32.const 0)) drop
          (select (result f64) (f64.const 1) (f64.const 2) (i32.const 0)) drop
          (call_indirect $u (type $sig) (i32.const 0) (i32.const 0)) drop
          (call_indirect (param i64) (i64.const 0) (i32.const 0))
          (br_table 0 0 0 (i32.const 1))
          (table.copy (i32.const 0) (i32.const 0) (i32.const 0))
          (table.copy $u $t (i32.const 0) (i32.const 0) (i32.const 0))
          (drop (table.get $u (i32.const 0)))
          (drop (ref.is_null (ref.null extern)))
          (drop (i64.load32_u offset=8 align=2 (i32.const 0)))
          (i32.store16 offset=0x10 (i32.const 0) (i32.const 0))
          (drop (memory.grow (memory.size))))
        """
    )
    names = [(n, imm) for n, imm in got if n not in ("i32.const", "f64.const", "i64.const", "drop")]
    assert names == [
        ("select", None),
        ("select", (F64,)),
        ("call_indirect", (0, 1)),
        ("call_indirect", (2, 0)),  # [i64] -> [] comes after the function's own [] -> []
        ("br_table", ((0, 0), 0)),
        ("table.copy", (0, 0)),
        ("table.copy", (1, 0)),
        ("table.get", 1),
        ("ref.null", EXTERNREF),
        ("ref.is_null", None),
        ("i64.load32_u", (1, 8, 0)),
        ("i32.store16", (1, 16, 0)),
        ("memory.size", 0),
        ("memory.grow", 0),
    ]
    m = parse_module("(func (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)) drop)")
    assert m.funcs[0].body[3].op is SELECT_T


def test_constants() -> None:
    got = body(
        "(func i32.const -1 i64.const 0x8000_0000_0000_0000 f32.const -0x1p-1 f64.const nan:0x4 drop drop drop drop)"
    )
    assert got[:4] == [
        ("i32.const", 0xFFFFFFFF),
        ("i64.const", 1 << 63),
        ("f32.const", 0xBF000000),
        ("f64.const", 0x7FF0000000000004),
    ]


def test_simd_syntax() -> None:
    got = body(
        """
        (memory 1)
        (func
          (drop (v128.const i8x16 -1 0 1 2 3 4 5 6 7 8 9 10 11 12 13 255))
          (drop (v128.const i16x8 -1 0 1 2 3 4 5 0xffff))
          (drop (v128.const f32x4 1 -0 nan inf))
          (drop (v128.const f64x2 0x1p-1074 -nan:0x1))
          (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
                  (v128.const i64x2 0 0) (v128.const i64x2 0 0)))
          (drop (i16x8.extract_lane_u 7 (v128.const i64x2 0 0)))
          (drop (v128.load8_lane offset=1 15 (i32.const 0) (v128.const i64x2 0 0)))
          (drop (v128.load64_splat align=4 (i32.const 0))))
        """
    )
    consts = [imm for name, imm in got if name == "v128.const"]
    assert consts[0] == bytes([255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 255])
    assert consts[1] == struct.pack("<8H", 0xFFFF, 0, 1, 2, 3, 4, 5, 0xFFFF)
    assert consts[2] == struct.pack("<4I", 0x3F800000, 0x80000000, 0x7FC00000, 0x7F800000)
    assert consts[3] == struct.pack("<2Q", 1, 0xFFF0000000000001)
    imms = {name: imm for name, imm in got}
    assert imms["i8x16.shuffle"] == bytes([*range(15), 31])
    assert imms["i16x8.extract_lane_u"] == 7
    assert imms["v128.load8_lane"] == (0, 1, 0, 15)
    assert imms["v128.load64_splat"] == (2, 0, 0)


def test_spans() -> None:
    m = parse_module(
        "(module\n  (func $f (result i32)\n    (i32.add (i32.const 1)\n      (i32.const 2))))", "s.wat"
    )
    f = m.funcs[0]
    assert (f.span.line, f.span.col, f.span.end_line, f.span.end_col, f.span.filename) == (
        2,
        3,
        4,
        22,
        "s.wat",
    )
    spans = [(i.op.name, i.span.line, i.span.col, i.span.end_line, i.span.end_col) for i in f.body]
    assert spans == [
        ("i32.const", 3, 14, 3, 27),
        ("i32.const", 4, 7, 4, 20),
        ("i32.add", 3, 5, 4, 21),
        ("end", 4, 21, 4, 22),
    ]
    flat = parse_module("(func\n  i32.const 7\n  drop)").funcs[0].body
    assert [(i.span.line, i.span.col, i.span.end_col) for i in flat[:2]] == [(2, 3, 14), (3, 3, 7)]
    assert all(x.span is not None for x in (*m.exports, *m.imports, *m.globals, *m.tables, *m.mems))


def test_module_wrappers() -> None:
    assert parse_module("(module)").funcs == []
    assert parse_module("").funcs == []
    assert len(parse_module("(func) (func)").funcs) == 2
    m = parse_module('(module $q quote "(func $inner)")')
    assert m.id == "$q" and m.names.funcs == {0: "inner"}
    m = parse_module('(module binary "\\00asm" "\\01\\00\\00\\00")')
    assert m.funcs == []


def test_custom_annotation() -> None:
    m = parse_module('(module (@custom "hello" (after func) "\\01\\02") (@custom "first" (before first) ""))')
    assert [(c.name, c.data, c.after) for c in m.customs] == [("hello", b"\x01\x02", 3), ("first", b"", 0)]


def test_fields_are_an_extension_point() -> None:
    seen: list[int] = []

    def scan(p, lp):  # type: ignore[no-untyped-def]
        p.i = lp + 2
        return p.expect_u32()

    def parse(p, lp, info):  # type: ignore[no-untyped-def]
        seen.append(info)

    register_field("@answer", scan, parse)
    KEYWORDS.add("@answer")
    try:
        parse_module("(module (@answer 42) (func))")
        assert seen == [42]
    finally:
        del FIELDS["@answer"]
        KEYWORDS.discard("@answer")


def test_no_end_checks_for_unnamed_blocks() -> None:
    with pytest.raises(Exception, match="mismatching label"):
        parse_module("(func block end $x)")
    assert BY_NAME["end"] is parse_module("(func)").funcs[0].body[0].op
