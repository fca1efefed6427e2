"""WAST scripts: commands, actions, values and result patterns."""

from __future__ import annotations

import struct

import pytest

from wasmlab.errors import ParseError
from wasmlab.syntax.types import EXTERNREF, FUNCREF, ValType
from wasmlab.text.script import (
    ActionCommand,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertReturn,
    AssertTrap,
    AssertUninstantiable,
    AssertUnlinkable,
    Get,
    Invoke,
    ModuleCommand,
    Register,
    is_nan_match,
    match_result,
    parse_script,
    value_type,
)

SCRIPT = r"""
(module $M (func (export "f") (param i32) (result i32) (local.get 0)))
(register "m" $M)
(module binary "\00asm" "\01\00\00\00")
(assert_return (invoke $M "f" (i32.const -1)) (i32.const 0xffff_ffff))
(invoke "g" (f32.const 1.5) (f64.const -0x1p-1) (i64.const 7))
(get $M "glob")
(assert_return (invoke "h" (ref.null func) (ref.null extern) (ref.extern 3))
               (ref.func) (ref.extern) (ref.null) (ref.extern 3) (ref.null func))
(assert_return (invoke "n") (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const -nan:0x200000))
(assert_return (invoke "v") (v128.const f32x4 1 nan:canonical 2 nan:arithmetic) (v128.const i16x8 0 1 2 3 4 5 6 -1))
(assert_return (invoke "e") (either (i32.const 1) (i32.const 2)))
(assert_trap (invoke "t") "unreachable")
(assert_exhaustion (invoke "x") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func") "unexpected")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_unlinkable (module (import "no" "thing" (func))) "unknown import")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
"""


def test_commands() -> None:
    cmds = parse_script(SCRIPT, "t.wast")
    kinds = [type(c) for c in cmds]
    assert kinds == [
        ModuleCommand,
        Register,
        ModuleCommand,
        AssertReturn,
        ActionCommand,
        ActionCommand,
        AssertReturn,
        AssertReturn,
        AssertReturn,
        AssertReturn,
        AssertTrap,
        AssertExhaustion,
        AssertInvalid,
        AssertMalformed,
        AssertMalformed,
        AssertUnlinkable,
        AssertUninstantiable,
    ]
    assert [c.line for c in cmds[:4]] == [2, 3, 4, 5]
    m = cmds[0]
    assert (m.name, m.kind, m.module.id, m.load().funcs[0].type) == ("$M", "text", "$M", 0)
    assert m.text.startswith("(module $M") and m.text.endswith("))")
    assert cmds[1] == Register(3, "m", "$M")
    b = cmds[2]
    assert (b.kind, b.binary, b.module) == ("binary", b"\x00asm\x01\x00\x00\x00", None)
    assert b.load().funcs == []
    r = cmds[3]
    assert r.action == Invoke(5, "$M", "f", [("i32", 0xFFFFFFFF)]) and r.expected == [("i32", 0xFFFFFFFF)]
    assert cmds[4].action.args == [("f32", 0x3FC00000), ("f64", 0xBFE0000000000000), ("i64", 7)]
    assert cmds[5].action == Get(7, "$M", "glob")
    refs = cmds[6]
    assert refs.action.args == [("ref.null", FUNCREF), ("ref.null", EXTERNREF), ("ref.extern", 3)]
    assert refs.expected == [
        ("ref.func", None),
        ("ref.extern", None),
        ("ref.null", None),
        ("ref.extern", 3),
        ("ref.null", FUNCREF),
    ]
    assert cmds[7].expected == [("f32", "nan:canonical"), ("f64", "nan:arithmetic"), ("f32", 0xFFA00000)]
    v = cmds[8].expected
    assert v[0] == ("v128", ("f32x4", (0x3F800000, "nan:canonical", 0x40000000, "nan:arithmetic")))
    assert v[1] == ("v128", struct.pack("<8H", 0, 1, 2, 3, 4, 5, 6, 0xFFFF))
    assert cmds[9].expected == [("either", (("i32", 1), ("i32", 2)))]
    assert (cmds[10].text, cmds[11].text) == ("unreachable", "call stack exhausted")
    assert cmds[12].module.load().funcs[0].type == 0
    with pytest.raises(ParseError):
        cmds[13].module.load()
    assert cmds[14].module.kind == "binary"
    assert cmds[16].module.load().start == 0


def test_bare_module_file() -> None:
    (cmd,) = parse_script("(func) (memory 1)", "m.wat")
    assert isinstance(cmd, ModuleCommand) and len(cmd.module.funcs) == 1


def test_a_bad_top_level_module_fails_the_script() -> None:
    with pytest.raises(ParseError, match="unknown function"):
        parse_script("(module (func (call $nope)))")


def test_a_bad_module_inside_an_assertion_is_kept_for_the_runner() -> None:
    (cmd,) = parse_script('(assert_invalid (module (func (call $nope))) "unknown function")')
    assert cmd.module.error is not None
    with pytest.raises(ParseError, match="unknown function"):
        cmd.module.load()


def test_match_result() -> None:
    assert match_result(("i32", 5), ("i32", 5))
    assert not match_result(("i32", 5), ("i64", 5))
    assert match_result(("f32", "nan:canonical"), ("f32", 0xFFC00000))
    assert not match_result(("f32", "nan:canonical"), ("f32", 0x7FC00001))
    assert match_result(("f64", "nan:arithmetic"), ("f64", 0x7FF8000000000001))
    assert not match_result(("f64", "nan:arithmetic"), ("f64", 0x7FF0000000000001))
    pattern = ("v128", ("f32x4", (0x3F800000, "nan:canonical", 0, "nan:arithmetic")))
    assert match_result(pattern, ("v128", struct.pack("<4I", 0x3F800000, 0x7FC00000, 0, 0xFFE00000)))
    assert not match_result(pattern, ("v128", struct.pack("<4I", 0x3F800000, 0x7FC00000, 1, 0xFFE00000)))
    f64 = ("v128", ("f64x2", ("nan:canonical", 0)))
    assert match_result(f64, ("v128", struct.pack("<2Q", 0x7FF8000000000000, 0)))
    assert match_result(("ref.func", None), ("ref.func", 12))
    assert match_result(("ref.extern", None), ("ref.extern", 1))
    assert match_result(("ref.null", None), ("ref.null", EXTERNREF))
    assert not match_result(("ref.null", FUNCREF), ("ref.null", EXTERNREF))
    assert match_result(("either", (("i32", 1), ("i32", 2))), ("i32", 2))
    assert is_nan_match("f32", "nan:arithmetic", 0x7FC00000)


def test_value_type() -> None:
    assert value_type(("i64", 1)) is ValType.I64
    assert value_type(("v128", b"\x00" * 16)) is ValType.V128
    assert value_type(("ref.extern", None)) is EXTERNREF
    assert value_type(("ref.func", None)) is FUNCREF
    assert value_type(("either", ())) is None
