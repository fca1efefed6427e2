"""Realistic mistakes in WAT/WAST text: each one is a ParseError with the spec's wording
(where the suite has one) at the exact line:column of the offending token."""

from __future__ import annotations

import pytest

from wasmlab.errors import ParseError, ValidationError, WasmError
from wasmlab.syntax.features import ALL, CORE_2_0
from wasmlab.text import parse_module, parse_script, print_wat
from wasmlab.valid import validate

# name: (source, line, column, message prefix)
CASES: dict[str, tuple[str, int, int, str]] = {
    "missing-close-paren": (
        "(module\n  (func $f (result i32)\n    (i32.const 1)\n)\n",
        5, 1, "unexpected end of input (the '(' at 1:1 is never closed)",
    ),
    "extra-close-paren": ("(module\n  (func))\n)\n", 3, 1, "unexpected token ')'"),
    "misspelled-instruction": ("(module\n  (func\n    i32.ad\n  )\n)", 3, 5, "unknown operator i32.ad"),
    "unknown-function": ("(module\n  (func (call $nope))\n)", 2, 15, "unknown function $nope"),
    "unknown-local": ("(module\n  (func (param $a i32)\n    local.get $b drop))", 3, 15, "unknown local $b"),
    "unknown-global": ("(module (func (global.get $g) drop))", 1, 27, "unknown global $g"),
    "unknown-label": ("(module (func (block $out (br $in))))", 1, 31, "unknown label $in"),
    "unknown-type": ("(module (func (type $sig)))", 1, 21, "unknown type $sig"),
    "unknown-table": ("(module (func (table.size $t) drop))", 1, 27, "unknown table $t"),
    "unknown-memory": ('(module (data (memory $m) (i32.const 0) ""))', 1, 23, "unknown memory $m"),
    "unknown-elem": ("(module (func (elem.drop $e)))", 1, 26, "unknown elem segment $e"),
    "unknown-data": ("(module (memory 1) (func (data.drop $d)))", 1, 37, "unknown data segment $d"),
    "i32-too-big": ("(module (func (i32.const 4294967296) drop))", 1, 26, "constant out of range"),
    "i64-too-small": ("(module (func (i64.const -9223372036854775809) drop))", 1, 26, "constant out of range"),
    "f32-overflow": ("(module (func (f32.const 1e39) drop))", 1, 26, "constant out of range"),
    "nan-payload-too-big": ("(module (func (f32.const nan:0x800000) drop))", 1, 26, "constant out of range"),
    "bad-hex-digit": ("(module (func (i32.const 0xg1) drop))", 1, 26, "unknown operator 0xg1"),
    "double-underscore": ("(module (func (i32.const 1__000) drop))", 1, 26, "unknown operator 1__000"),
    "wrong-end-label": ("(module (func block $a nop end $b))", 1, 32, "mismatching label $b"),
    "wrong-else-label": ("(module (func i32.const 0 if $a else $b end))", 1, 38, "mismatching label $b"),
    "duplicate-function": ("(module\n  (func $f)\n  (func $f))", 3, 9, "duplicate function $f"),
    "duplicate-local": ("(module (func (param $x i32) (local $x i64)))", 1, 37, "duplicate local $x"),
    "import-after-function": ('(module (func) (import "m" "f" (func)))', 1, 16, "import after function"),
    "inline-type-mismatch": (
        "(module (type $t (func (param i32))) (func (type $t) (param i64)))",
        1, 50, "inline function type does not match explicit type",
    ),
    "param-after-result": ("(module (func (result i32) (param i32) unreachable))", 1, 28, "unexpected token '('"),
    "alignment-not-power-of-two": (
        "(module (memory 1) (func (i32.load align=3 (i32.const 0)) drop))",
        1, 36, "alignment must be a power of two",
    ),
    "offset-too-big": (
        "(module (memory 1) (func (i32.load offset=0x1_0000_0000 (i32.const 0)) drop))",
        1, 36, "i32 constant out of range",
    ),
    "unclosed-string": ('(module (export "f (func 0)) (func))', 1, 17, "unclosed string literal"),
    "bad-escape": ('(module (func (export "a\\qb")))', 1, 25, "illegal escape \\q"),
    "name-not-utf8": ('(module (func (export "\\ff")))', 1, 23, "malformed UTF-8 encoding"),
    "unclosed-comment": ("(module (; comment\n (func))", 1, 9, "unclosed comment"),
    "multiple-start": ("(module (func $f) (start $f) (start $f))", 1, 30, "multiple start sections"),
    "too-few-lanes": ("(module (func (v128.const i32x4 1 2 3) drop))", 1, 38, "wrong number of lane literals"),
    "lane-index-too-big": (
        "(module (func (i8x16.extract_lane_s 300 (v128.const i64x2 0 0)) drop))",
        1, 37, "malformed lane index",
    ),
    "shuffle-too-short": (
        "(module (func (i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop))",
        1, 36, "invalid lane length",
    ),
    "if-without-then": ("(module (func (if (i32.const 1) (i32.const 2))))", 1, 46, "unexpected token ')'"),
    "misspelled-field": ("(module (fun $f))", 1, 10, "unknown operator fun"),
    "obsolete-keyword": ("(module (func (local i32) (get_local 0) drop))", 1, 28, "unknown operator get_local"),
    "stray-instruction-after-fields": ("(func) nop", 1, 8, "unexpected token 'nop'"),
    "string-glued-to-id": ('(module (data $d"a"))', 1, 15, 'unknown operator $d"a"'),
    "bad-value-type": ("(module (func (param i33)))", 1, 22, "unknown operator i33"),
    "limit-too-big": ("(module (memory 0x1_0000_0000))", 1, 17, "i32 constant out of range"),
    "else-in-block": ("(module (func block else end))", 1, 21, "unexpected token 'else'"),
    "missing-end": ("(module (func block nop))", 1, 24, "unexpected token ')', expected an instruction or 'end'"),
    "named-block-param": ("(module (func (block (param $x i32))))", 1, 29, "unexpected token '$x'"),
    "non-constant-lane": (
        "(module (func (param i32) (i32x4.extract_lane (local.get 0) (v128.const i64x2 0 0)) drop))",
        1, 47, "unexpected token '(', expected a lane index",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_parse_error(name: str) -> None:
    source, line, col, message = CASES[name]
    with pytest.raises(ParseError) as info:
        parse_module(source, "mistake.wat", features=CORE_2_0)
    err = info.value
    assert err.reason.startswith(message), err.reason
    assert (err.line, err.col) == (line, col), str(err)
    assert err.filename == "mistake.wat"
    assert err.source_line == source.split("\n")[line - 1]


def test_an_offset_beyond_u32_is_a_validation_error_with_memory64() -> None:
    """2.0 reads `offset=` as a u32 (a bigger one is malformed); memory64 reads a u64, and
    validation bounds it by the memory's address type."""
    source = CASES["offset-too-big"][0]
    module = parse_module(source)
    with pytest.raises(ValidationError, match="offset out of range"):
        validate(module, features=ALL)
    wide = source.replace("(memory 1)", "(memory i64 1)").replace("i32.const 0", "i64.const 0")
    validate(parse_module(wide), features=ALL)


def test_rendering_shows_the_line_and_a_caret() -> None:
    with pytest.raises(ParseError) as info:
        parse_module("(module\n  (func (call $g)))", "m.wat")
    assert str(info.value) == "m.wat:2:15: error: unknown function $g\n  (func (call $g)))\n              ^"


SCRIPT_CASES: dict[str, tuple[str, int, int, str]] = {
    "bad-argument": ('(module)\n(assert_return (invoke "f") (i32.const x))', 2, 40, "unknown operator x"),
    "unknown-command": ('(module)\n(assert_wrong (invoke "f"))', 2, 2, "unknown operator assert_wrong"),
    "value-out-of-range": ('(invoke "f" (i32.const 0x1_0000_0000))', 1, 24, "constant out of range"),
    "message-missing": ('(assert_trap (invoke "f"))', 1, 26, "unexpected token ')'"),
    "module-error-line": ("(module)\n\n(module (func (br 1) (br $x)))", 3, 26, "unknown label $x"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SCRIPT_CASES))
def test_script_error(name: str) -> None:
    source, line, col, message = SCRIPT_CASES[name]
    with pytest.raises(ParseError) as info:
        parse_script(source, "t.wast")
    assert info.value.reason.startswith(message), info.value.reason
    assert (info.value.line, info.value.col) == (line, col), str(info.value)


def test_quoted_module_errors_are_lazy() -> None:
    cmds = parse_script('(assert_malformed (module quote "(func (i32.const))") "unexpected token")', "q.wast")
    (cmd,) = cmds
    with pytest.raises(ParseError) as info:
        cmd.module.load()
    assert info.value.reason.startswith("unexpected token")
    assert (info.value.line, info.value.col) == (1, 17)


def test_deep_folded_nesting_is_a_parse_error_not_a_crash() -> None:
    n = 20000
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_module("(func " + "(block " * n + ")" * n + ")")


@pytest.mark.parametrize(
    "source",
    [
        ")",
        "(",
        "(module",
        '"',
        "(module (func (i32.const)))",
        '(module (memory (data "\\u{110000}")))',
        "(module (table 0 funcref (elem (i32.const 0) 1)))",
        "\x00",
        "(module (func $é))",
        "(module (func) (;",
        "(module (global i32 (i32.const 1_)))",
        "(module (func (v128.const f32x4 nan:0x0 1 2 3) drop))",
        "(module (func (br_table)))",
        "(module (type (func)) (func (type 1) (param i32)))",
        "(module (func (select (result i32 i64 (i32.const 0)))))",
        "(module (func (table.init)))",
        "(module (elem (table 0) (offset) foo))",
        '(module (@custom "x" (after nothing) ""))',
        '(module binary "\\00asm\\01")',
    ],
)
def test_garbage_raises_wasm_errors_only(source: str) -> None:
    with pytest.raises(WasmError):
        parse_module(source)


def test_annotations_of_the_3_0_text_format() -> None:
    """Unknown annotations are dropped; @name names definitions (misplaced: a parse error);
    a branch hint goes to the if or br_if after it (anything else: an error)."""
    m = parse_module('(module (@name "M") (@a x (y) "z") (func $f (@name "λ") (param i32) (@b)'
                     ' (@metadata.code.branch_hint "\\01") (if (local.get 0) (then))))')  # fmt: skip
    assert m.names.module == "M" and m.names.funcs == {0: "λ"}
    assert m.funcs[0].branch_hints == {1: 1}
    for folded in (False, True):  # printed (flat) and read back
        again = parse_module(print_wat(m, folded=folded))
        assert again.funcs[0].branch_hints == {1: 1} and again.names.module == "M"
    with pytest.raises(ParseError, match="misplaced @name"):
        parse_module('(module (func) (@name "M"))')
    with pytest.raises(ParseError, match="invalid target"):
        parse_module('(module (func (@metadata.code.branch_hint "\\00") (nop)))')
    with pytest.raises(ParseError, match="empty annotation id"):
        parse_module("(module (@ x))")
    with pytest.raises(ParseError, match="unclosed annotation"):
        parse_module("(module (@x (y)")
    assert parse_module('(module (func $"a b") (func (call $"a b")))').names.funcs == {0: "a b"}
