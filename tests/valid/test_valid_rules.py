"""Validation rules on modules built in Python: one valid and one invalid case per rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from wasmlab.errors import ValidationError
from wasmlab.syntax import (
    BY_NAME,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    SELECT_T,
    V128,
    Data,
    Elem,
    Export,
    ExternKind,
    Func,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instr,
    Limits,
    Memory,
    MemType,
    Module,
    Span,
    Table,
    TableType,
)
from wasmlab.syntax.features import CORE_2_0
from wasmlab.valid import validate as validate_any

validate = partial(validate_any, features=CORE_2_0)  # these are 2.0 rules


def I(name: str, imm: object = None, offset: int | None = None) -> Instr:  # noqa: E743
    return Instr(BY_NAME[name], imm, offset)


def END() -> Instr:
    return I("end")


def fmod(body: list[Instr], params=(), results=(), locals_=(), **fields) -> Module:
    """A module with one function `(params) -> (results)` whose body is `body` + end."""
    types = fields.pop("types", [])
    types = [FuncType(tuple(params), tuple(results)), *types]
    return Module(types=types, funcs=[Func(0, list(locals_), [*body, END()])], **fields)


def c32(v: int = 0) -> Instr:
    return I("i32.const", v)


def invalid(module: Module, text: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate(module)
    assert text in str(info.value), str(info.value)
    return info.value


MEM = {"mems": [Memory(MemType(Limits(1)))]}
TAB = {"tables": [Table(TableType(Limits(1), FUNCREF))]}


# --- the operand stack ---------------------------------------------------------------------


def test_plain_instructions_type_check() -> None:
    validate(fmod([c32(1), c32(2), I("i32.add")], results=[I32]))
    err = invalid(fmod([c32(1), I("f32.const", 0), I("i32.add")], results=[I32]), "type mismatch")
    assert err.expected == "[i32 i32]" and err.found == "[i32 f32]"
    assert err.func == 0 and err.instr == "i32.add"


def test_error_carries_offset_and_span() -> None:
    span = Span(3, 5, 3, 12)
    bad = Instr(BY_NAME["i64.eqz"], None, 0x2A, span)
    err = invalid(fmod([c32(), bad, I("drop")]), "type mismatch")
    assert err.offset == 0x2A and err.span is span
    assert "@0x2a" in str(err) and "i64.eqz" in str(err)


def test_empty_stack_and_leftovers() -> None:
    invalid(fmod([I("i32.eqz")], results=[I32]), "type mismatch")
    err = invalid(fmod([c32(), c32()], results=[I32]), "type mismatch")
    assert err.found == "[i32 i32]"
    validate(fmod([]))
    invalid(fmod([], results=[I32]), "type mismatch")


def test_body_without_final_end_is_accepted() -> None:
    m = Module(types=[FuncType((), (I32,))], funcs=[Func(0, [], [c32(7)])])
    validate(m)
    invalid(Module(types=[FuncType((), (I32,))], funcs=[Func(0, [], [])]), "type mismatch")


def test_structure_errors() -> None:
    invalid(fmod([I("else")]), "else without a matching if")
    m = Module(types=[FuncType()], funcs=[Func(0, [], [I("block"), I("nop")])])
    invalid(m, "unclosed block")
    m = Module(types=[FuncType()], funcs=[Func(0, [], [I("end"), I("nop")])])
    invalid(m, "after the function's final end")


# --- control ----------------------------------------------------------------------------------


def test_blocks_and_multi_value() -> None:
    # (type 1) = [i32 i32] -> [i64]
    body = [c32(1), c32(2), I("block", 1), I("i32.add"), I("i64.extend_i32_u"), END()]
    validate(fmod(body, results=[I64], types=[FuncType((I32, I32), (I64,))]))
    invalid(fmod([c32(), I("block", 1), END()], types=[FuncType((I32, I32), ())]), "type mismatch")
    invalid(fmod([I("block", 9), END()]), "unknown type")
    invalid(fmod([I("block", I32), END()], results=[]), "type mismatch")


def test_loop_label_takes_params() -> None:
    t = [FuncType((I32,), (I32,))]
    validate(fmod([c32(), I("loop", 1), I("br", 0), END()], results=[I32], types=t))
    body = [c32(), I("loop", 1), I("i64.const", 0), I("br", 0), END()]
    invalid(fmod(body, results=[I32], types=t), "type mismatch")


def test_if_else() -> None:
    validate(fmod([c32(), I("if", I32), c32(1), I("else"), c32(2), END()], results=[I32]))
    invalid(fmod([c32(), I("if", I32), c32(1), END()], results=[I32]), "type mismatch")
    invalid(fmod([I("if"), END()]), "type mismatch")  # no condition
    invalid(fmod([c32(), I("if", I32), c32(1), I("else"), END()], results=[I32]), "type mismatch")
    # [i32] -> [i32] through an if without else is fine
    t = [FuncType((I32,), (I32,))]
    validate(fmod([c32(), c32(), I("if", 1), END()], results=[I32], types=t))


def test_branches() -> None:
    validate(fmod([I("block", I32), c32(), I("br", 0), END()], results=[I32]))
    invalid(fmod([I("br", 1)]), "unknown label")
    invalid(fmod([I("block"), I("br_if", 0), END()]), "type mismatch")
    validate(fmod([I("block"), c32(), I("br_if", 0), END()]))
    invalid(fmod([c32(), I("br_table", ((0, 1), 2))]), "unknown label")
    body = [
        I("block", F32),
        I("block", I32),
        c32(),
        c32(),
        I("br_table", ((0,), 1)),
        END(),
        I("drop"),
        I("f32.const", 0),
        END(),
    ]
    invalid(fmod(body, results=[F32]), "type mismatch")
    # different label types, same arity: fine when the operand is polymorphic
    body = [
        I("block", F32),
        I("block", I32),
        I("unreachable"),
        I("br_table", ((0,), 1)),
        END(),
        I("drop"),
        I("f32.const", 0),
        END(),
    ]
    validate(fmod(body, results=[F32]))
    body = [I("block"), I("block", I32), I("unreachable"), I("br_table", ((0,), 1)), END(), I("drop"), END()]
    invalid(fmod(body), "type mismatch")  # arities differ
    validate(fmod([c32(), I("return")], results=[I32]))
    invalid(fmod([I("return")], results=[I32]), "type mismatch")


def test_unreachable_is_polymorphic() -> None:
    validate(fmod([I("unreachable"), I("i32.add")], results=[I32]))
    validate(fmod([I("unreachable"), I("select")], results=[I64]))
    invalid(fmod([I("unreachable"), I("i64.const", 0), I("i32.add")], results=[I32]), "type mismatch")
    invalid(fmod([I("unreachable"), I("i32.add")], results=[F32]), "type mismatch")
    # after an inner block's end the stack is reachable again
    invalid(fmod([I("block"), I("unreachable"), END(), I("i32.add"), I("drop")]), "type mismatch")


def test_calls() -> None:
    m = Module(
        types=[FuncType((I32,), (I64,)), FuncType()],
        funcs=[Func(0, [], [I("i64.const", 0), END()]), Func(1, [], [c32(), I("call", 0), I("drop"), END()])],
    )
    validate(m)
    m.funcs[1].body[0] = I("f32.const", 0)
    invalid(m, "type mismatch")
    invalid(fmod([I("call", 5)]), "unknown function 5")
    validate(fmod([c32(), I("call_indirect", (0, 0))], **TAB))
    invalid(fmod([c32(), I("call_indirect", (0, 0))]), "unknown table 0")
    invalid(fmod([c32(), I("call_indirect", (3, 0))], **TAB), "unknown type 3")
    ext = {"tables": [Table(TableType(Limits(1), EXTERNREF))]}
    invalid(fmod([c32(), I("call_indirect", (0, 0))], **ext), "type mismatch")


# --- parametric and variable instructions ------------------------------------------------------


def test_select() -> None:
    validate(fmod([c32(), c32(), c32(), I("select")], results=[I32]))
    invalid(fmod([c32(), I("i64.const", 0), c32(), I("select")], results=[I32]), "type mismatch")
    refs = [I("ref.null", FUNCREF), I("ref.null", FUNCREF), c32()]
    invalid(fmod([*refs, I("select")], results=[FUNCREF]), "type mismatch")
    validate(fmod([*refs, Instr(SELECT_T, (FUNCREF,))], results=[FUNCREF]))
    invalid(fmod([*refs, Instr(SELECT_T, ())], results=[FUNCREF]), "invalid result arity")
    invalid(fmod([*refs, Instr(SELECT_T, (FUNCREF, FUNCREF))], results=[FUNCREF]), "invalid result arity")
    validate(
        fmod([I("v128.const", bytes(16)), I("v128.const", bytes(16)), c32(), I("select")], results=[V128])
    )


def test_drop() -> None:
    validate(fmod([c32(), I("drop")]))
    invalid(fmod([I("drop")]), "type mismatch")


def test_locals_and_globals() -> None:
    validate(fmod([I("local.get", 0), I("local.tee", 1), I("local.set", 0)], params=[I32], locals_=[I32]))
    invalid(fmod([I("local.get", 2), I("drop")], params=[I32], locals_=[I32]), "unknown local 2")
    invalid(fmod([I("f32.const", 0), I("local.set", 0)], params=[I32]), "type mismatch")
    g = {
        "globals": [
            Global(GlobalType(I32, False), [c32(), END()]),
            Global(GlobalType(F32, True), [I("f32.const", 0)]),
        ]
    }
    validate(fmod([I("global.get", 0), I("drop"), I("f32.const", 1), I("global.set", 1)], **g))
    invalid(fmod([c32(), I("global.set", 0)], **g), "global is immutable")
    invalid(fmod([I("global.get", 2), I("drop")], **g), "unknown global 2")


# --- memory ---------------------------------------------------------------------------------------


def test_memory_instructions() -> None:
    validate(fmod([c32(), I("i32.load", (2, 0, 0))], results=[I32], **MEM))
    invalid(fmod([c32(), I("i32.load", (2, 0, 0))], results=[I32]), "unknown memory 0")
    invalid(
        fmod([c32(), I("i32.load", (3, 0, 0))], results=[I32], **MEM),
        "alignment must not be larger than natural",
    )
    invalid(
        fmod([c32(), I("i64.load8_u", (1, 0, 0))], results=[I64], **MEM),
        "alignment must not be larger than natural",
    )
    validate(fmod([c32(), I("v128.load", (4, 0, 0))], results=[V128], **MEM))
    invalid(fmod([c32(), I("v128.load8x8_s", (4, 0, 0))], results=[V128], **MEM), "alignment")
    validate(fmod([I("memory.size", 0), I("memory.grow", 0)], results=[I32], **MEM))
    invalid(fmod([I("memory.size", 0)], results=[I32]), "unknown memory 0")
    invalid(fmod([c32(), c32(), c32(), I("memory.fill", 0)]), "unknown memory")
    imported = {"imports": [Import("m", "mem", ExternKind.MEMORY, MemType(Limits(0)))]}
    validate(fmod([c32(), c32(), c32(), I("memory.copy", (0, 0))], **imported))


def test_bulk_memory_needs_data_count() -> None:
    data = {"datas": [Data(b"x", "passive")], **MEM}
    body = [c32(), c32(), c32(), I("memory.init", (0, 0)), I("data.drop", 0)]
    validate(fmod(body, data_count=1, **data))
    invalid(fmod(body, **data), "data count section required")
    invalid(fmod([I("data.drop", 1)], data_count=1, **data), "unknown data segment 1")
    invalid(
        fmod([c32(), c32(), c32(), I("memory.init", (0, 0))], data_count=1, datas=[Data(b"", "passive")]),
        "unknown memory 0",
    )
    invalid(fmod([I("data.drop", 0)]), "unknown data segment 0")


def test_simd_lanes() -> None:
    v = I("v128.const", bytes(16))
    validate(fmod([v, I("i8x16.extract_lane_s", 15)], results=[I32]))
    invalid(fmod([v, I("i8x16.extract_lane_s", 16)], results=[I32]), "invalid lane index")
    invalid(fmod([v, I("f64x2.extract_lane", 2)], results=[F64]), "invalid lane index")
    invalid(fmod([v, I("i32.const", 0), I("i32x4.replace_lane", 4)], results=[V128]), "invalid lane index")
    validate(fmod([v, v, I("i8x16.shuffle", bytes(range(16, 32)))], results=[V128]))
    invalid(fmod([v, v, I("i8x16.shuffle", bytes([32] + [0] * 15))], results=[V128]), "invalid lane index")
    validate(fmod([c32(), v, I("v128.load16_lane", (1, 0, 0, 7))], results=[V128], **MEM))
    invalid(
        fmod([c32(), v, I("v128.load16_lane", (1, 0, 0, 8))], results=[V128], **MEM), "invalid lane index"
    )
    invalid(
        fmod([c32(), v, I("v128.store64_lane", (4, 0, 0, 0))], **MEM),
        "alignment must not be larger than natural",
    )


# --- tables and references -------------------------------------------------------------------------


def test_table_instructions() -> None:
    two = {"tables": [Table(TableType(Limits(1), FUNCREF)), Table(TableType(Limits(1), EXTERNREF))]}
    validate(fmod([c32(), I("table.get", 1), I("drop")], **two))
    validate(fmod([c32(), I("ref.null", EXTERNREF), I("table.set", 1)], **two))
    invalid(fmod([c32(), I("ref.null", FUNCREF), I("table.set", 1)], **two), "type mismatch")
    validate(fmod([I("ref.null", FUNCREF), c32(), I("table.grow", 0)], results=[I32], **two))
    validate(fmod([c32(), I("ref.null", EXTERNREF), c32(), I("table.fill", 1)], **two))
    validate(fmod([I("table.size", 1)], results=[I32], **two))
    invalid(fmod([I("table.size", 2)], results=[I32], **two), "unknown table 2")
    validate(fmod([c32(), c32(), c32(), I("table.copy", (0, 0))], **two))
    invalid(fmod([c32(), c32(), c32(), I("table.copy", (0, 1))], **two), "type mismatch")
    elems = {"elems": [Elem(FUNCREF, [], "passive")], **two}
    validate(fmod([c32(), c32(), c32(), I("table.init", (0, 0)), I("elem.drop", 0)], **elems))
    invalid(fmod([c32(), c32(), c32(), I("table.init", (0, 1))], **elems), "type mismatch")
    invalid(fmod([c32(), c32(), c32(), I("table.init", (1, 0))], **elems), "unknown elem segment 1")
    invalid(fmod([I("elem.drop", 4)], **elems), "unknown elem segment 4")


def test_references() -> None:
    validate(fmod([I("ref.null", EXTERNREF), I("ref.is_null")], results=[I32]))
    invalid(fmod([c32(), I("ref.is_null")], results=[I32]), "type mismatch")
    invalid(fmod([I("ref.func", 0), I("drop")]), "undeclared function reference")
    validate(fmod([I("ref.func", 0), I("drop")], exports=[Export("f", ExternKind.FUNC, 0)]))
    declared = {"elems": [Elem(FUNCREF, [[I("ref.func", 0), END()]], "declarative")]}
    validate(fmod([I("ref.func", 0), I("drop")], **declared))
    from_global = {"globals": [Global(GlobalType(FUNCREF), [I("ref.func", 0), END()])]}
    validate(fmod([I("ref.func", 0), I("drop")], **from_global))
    invalid(fmod([I("ref.func", 0), I("drop")], start=0), "undeclared function reference")
    invalid(fmod([I("ref.func", 1), I("drop")]), "unknown function 1")


# --- module-level rules -------------------------------------------------------------------------------


def test_constant_expressions() -> None:
    imported = [
        Import("m", "g", ExternKind.GLOBAL, GlobalType(I32)),
        Import("m", "mg", ExternKind.GLOBAL, GlobalType(I32, True)),
    ]

    def glob(init: list[Instr], t=I32) -> Module:
        return Module(imports=list(imported), globals=[Global(GlobalType(t), [*init, END()])])

    validate(glob([c32()]))
    validate(glob([I("global.get", 0)]))
    invalid(glob([I("global.get", 1)]), "constant expression required")
    invalid(glob([I("global.get", 2)]), "unknown global 2")  # itself: not imported
    invalid(glob([c32(), c32(), I("i32.add")]), "constant expression required")
    invalid(glob([I("i64.const", 0)]), "type mismatch")
    invalid(glob([c32(), c32()]), "type mismatch")
    invalid(glob([]), "type mismatch")
    validate(glob([I("ref.null", FUNCREF)], FUNCREF))
    invalid(glob([I("ref.func", 3)], FUNCREF), "unknown function 3")
    m = Module(globals=[Global(GlobalType(I32), [c32()]), Global(GlobalType(I32), [I("global.get", 0)])])
    invalid(m, "unknown global 0")


def test_segments() -> None:
    validate(Module(datas=[Data(b"a", "active", 0, [c32(), END()])], **MEM))
    invalid(Module(datas=[Data(b"a", "active", 0, [c32(), END()])]), "unknown memory 0")
    invalid(Module(datas=[Data(b"a", "active", 0, [I("i64.const", 0), END()])], **MEM), "type mismatch")
    elem = Elem(FUNCREF, [[I("ref.null", FUNCREF), END()]], "active", 0, [c32(), END()])
    validate(Module(elems=[elem], **TAB))
    invalid(Module(elems=[elem]), "unknown table 0")
    ext = Elem(EXTERNREF, [[I("ref.null", EXTERNREF), END()]], "active", 0, [c32(), END()])
    invalid(Module(elems=[ext], **TAB), "type mismatch")
    bad_item = Elem(FUNCREF, [[I("ref.null", EXTERNREF), END()]], "passive")
    invalid(Module(elems=[bad_item]), "type mismatch")


def test_limits_and_memories() -> None:
    validate(Module(mems=[Memory(MemType(Limits(0, 65536)))]))
    invalid(Module(mems=[Memory(MemType(Limits(65537)))]), "memory size must be at most 65536 pages (4GiB)")
    invalid(
        Module(mems=[Memory(MemType(Limits(0, 65537)))]), "memory size must be at most 65536 pages (4GiB)"
    )
    invalid(Module(mems=[Memory(MemType(Limits(2, 1)))]), "size minimum must not be greater than maximum")
    invalid(Module(tables=[Table(TableType(Limits(2, 1)))]), "size minimum must not be greater than maximum")
    two = [Memory(MemType(Limits(0))), Memory(MemType(Limits(0)))]
    invalid(Module(mems=two), "multiple memories")
    imp = Import("m", "mem", ExternKind.MEMORY, MemType(Limits(0)))
    invalid(Module(imports=[imp], mems=[Memory(MemType(Limits(0)))]), "multiple memories")
    validate(Module(tables=[Table(TableType(Limits(0))), Table(TableType(Limits(0), EXTERNREF))]))


def test_start_exports_imports() -> None:
    validate(fmod([], start=0))
    invalid(fmod([], params=[I32], start=0), "start function")
    invalid(fmod([c32()], results=[I32], start=0), "start function")
    invalid(fmod([], start=1), "unknown function 1")
    ex = [Export("a", ExternKind.FUNC, 0), Export("a", ExternKind.FUNC, 0)]
    invalid(fmod([], exports=ex), "duplicate export name")
    invalid(fmod([], exports=[Export("a", ExternKind.FUNC, 1)]), "unknown function 1")
    invalid(fmod([], exports=[Export("a", ExternKind.TABLE, 0)]), "unknown table 0")
    invalid(fmod([], exports=[Export("a", ExternKind.MEMORY, 0)]), "unknown memory 0")
    invalid(fmod([], exports=[Export("a", ExternKind.GLOBAL, 0)]), "unknown global 0")
    invalid(Module(imports=[Import("m", "f", ExternKind.FUNC, 0)]), "unknown type 0")
    invalid(Module(funcs=[Func(2, [], [END()])]), "unknown type 2")
    m = Module(types=[FuncType((I32,), ())], imports=[Import("m", "f", ExternKind.FUNC, 0)])
    m.funcs = [Func(0, [], [c32(), I("call", 0), END()])]
    validate(m)


def test_module_linking_is_a_hook_not_a_crash() -> None:
    imp = Import("m", None, ExternKind.INSTANCE, 0)
    invalid(Module(imports=[imp]), "unknown type 0")  # module linking is checked now
    invalid(Module(extra={"instances": [object()]}), "module linking")


# --- bad input never crashes ------------------------------------------------------------------------


BAD_ASTS: list[Callable[[], Module]] = [
    lambda: fmod([I("i32.load", None)], **MEM),
    lambda: fmod([I("br_table", 3)]),
    lambda: fmod([I("local.get", -1), I("drop")], params=[I32]),
    lambda: fmod([I("call_indirect", "x")], **TAB),
    lambda: Module(mems=[Memory(MemType(Limits(-1)))]),
    lambda: Module(imports=[Import("m", "t", ExternKind.TABLE, "not a table type")]),
    lambda: fmod([I("ref.null", I32), I("drop")]),
    lambda: fmod([I("block", "i32"), END()]),
]


@pytest.mark.parametrize("build", BAD_ASTS)
def test_malformed_ast_raises_validation_error(build: Callable[[], Module]) -> None:
    with pytest.raises(ValidationError):
        validate(build())
