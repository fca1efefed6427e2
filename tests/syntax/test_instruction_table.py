"""Every row of the opcode table through every consumer of it.

Each row gets a small module whose exported function `test` runs the instruction once (with
operands pushed before it and its results dropped after it); then the encoder, decoder,
printer, parser, validator, compiler (step-mode handlers), tracer, dump and the kernel's
completion and inspection each have to handle it, and the superinstruction table and the
constant-expression evaluator the rows they name. A new row that one of them misses fails
here with the instruction's name in the test id. Proposals' rows run with every feature on.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import pytest

import wasmlab
from wasmlab import api
from wasmlab.binary import decode, encode
from wasmlab.binary.dump import dump
from wasmlab.binary.dump import instr_text as dump_text
from wasmlab.debug.trace import operand_count
from wasmlab.errors import ValidationError
from wasmlab.exec import fuse
from wasmlab.exec import numerics as N
from wasmlab.exec.compile import _dead, compile_function
from wasmlab.exec.const_expr import const_value, eval_const
from wasmlab.exec.runtime import I31 as I31Inst
from wasmlab.exec.runtime import ArrayInst, GlobalInst, StructInst
from wasmlab.kernel import Workspace
from wasmlab.kernel.complete import complete, inspect
from wasmlab.syntax.features import ALL, CORE_2_0
from wasmlab.syntax.instr_text import IMMEDIATE_TEXT
from wasmlab.syntax.module import Data, Elem, Export, Func, Global, Import, Instr, Memory, Module, Table, Tag
from wasmlab.syntax.opcodes import ALL_OPS, BY_KEY, BY_NAME, IMMEDIATE_KINDS, Op
from wasmlab.syntax.stack_effects import RULES, stack_effect
from wasmlab.syntax.types import (
    EXNREF,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    V128,
    ArrayType,
    ExternKind,
    FieldType,
    FuncType,
    GlobalType,
    HeapType,
    Limits,
    MemType,
    Packed,
    RefType,
    StructType,
    TableType,
    ValType,
)
from wasmlab.text import parse_module, print_wat
from wasmlab.valid import validate

# --- one module per row -----------------------------------------------------------------------

#: type 0 [] -> [], 1 [i32] -> [i32] (blocks, call_indirect), 2 [i32] -> [] (the tag),
#: 3 [i32 i32] -> [i32] (superinstructions); GC: 4 a struct (mut i32, mut i8), 5 an array of
#: mut i32, 6 of mut i8, 7 of mut funcref
TYPES = [
    FuncType((), ()),
    FuncType((I32,), (I32,)),
    FuncType((I32,), ()),
    FuncType((I32, I32), (I32,)),
    StructType((FieldType(I32, True), FieldType(Packed.I8, True))),
    ArrayType(FieldType(I32, True)),
    ArrayType(FieldType(Packed.I8, True)),
    ArrayType(FieldType(FUNCREF, True)),
]
ANYREF = RefType(True, HeapType.ANY)
I31 = RefType(False, HeapType.I31)
TEST_FUNC = 1  # func 0: [i32] -> [i32] (a callee); 1: `test` [] -> []; 2: [] -> [] (a tail callee)
CATCH, CATCH_REF = 0, 1


def I(name: str, imm: Any = None) -> Instr:  # noqa: E743 - reads like the text format
    return Instr(BY_NAME[name], imm)


def _zero(t: ValType) -> Instr:
    if t is I32:
        return I("i32.const", 0)
    if t is I64:
        return I("i64.const", 0)
    if t is F32:
        return I("f32.const", 0)
    if t is F64:
        return I("f64.const", 0)
    if t is V128:
        return I("v128.const", bytes(16))
    return I("ref.null", t)


def _fixed_imm(op: Op) -> Any:
    """A valid immediate for a row with a fixed signature."""
    kind = op.imm
    return {
        "none": None,
        "i32": 7,
        "i64": 0xFFFFFFFFFFFFFFFF,
        "f32": 0x3FC00000,
        "f64": 0x3FF8000000000000,
        "v128": bytes(range(16)),
        "shuffle": bytes(range(16)),
        "lane": 1,
        "memarg": (op.natural_alignment, 4, 0),
        "memarg_lane": (op.natural_alignment, 0, 0, 0),
        "memory": 0,
        "memory_init": (0, 0),
        "memory_copy": (0, 0),
        "memory_fill": 0,
        "data": 0,
        "elem": 0,
        "table": 0,
        "table_copy": (0, 0),
        "table_init": (0, 0),
    }[kind]


def _try_catching(*inner: Instr) -> list[Instr]:
    """`inner` inside a try_table whose catch of tag 0 leaves the block with the tag's i32."""
    return [
        I("block", I32),
        I("try_table", (None, ((CATCH, 0, 0),))),
        *inner,
        I("end"),
        I("i32.const", 5),
        I("end"),
        I("drop"),
    ]


def _rule_body(op: Op) -> tuple[list[Instr], int]:
    """A body running the row of a stack rule, and the pc of that instruction."""
    name = op.name
    const1 = I("i32.const", 1)
    bodies: dict[str, list[Instr]] = {
        "unreachable": [I("unreachable")],
        "block": [const1, Instr(op, 1), I("end"), I("drop")],
        "loop": [const1, Instr(op, 1), I("end"), I("drop")],
        "if": [const1, Instr(op, None), I("end")],
        "else": [const1, I("if", None), Instr(op), I("end")],
        "end": [I("block", None), Instr(op)],
        "br": [I("block", I32), const1, Instr(op, 0), I("end"), I("drop")],
        "br_if": [I("block", I32), const1, I("i32.const", 0), Instr(op, 0), I("end"), I("drop")],
        "br_table": [I("block", None), const1, Instr(op, ((0,), 0)), I("end")],
        "return": [Instr(op)],
        "call": [const1, Instr(op, 0), I("drop")],
        "call_indirect": [const1, I("i32.const", 0), Instr(op, (1, 0)), I("drop")],
        "return_call": [Instr(op, 2)],
        "return_call_indirect": [I("i32.const", 1), Instr(op, (0, 0))],
        "throw": _try_catching(const1, Instr(op, 0)),
        "throw_ref": [I("ref.null", EXNREF), Instr(op)],
        "try_table": _try_catching(const1, I("drop")),
        # legacy exceptions (tag 0 carries an i32)
        "try": [Instr(op, None), I("end")],
        "catch": [I("try", None), Instr(op, 0), I("drop"), I("end")],
        "catch_all": [I("try", None), Instr(op), I("end")],
        "delegate": [I("try", None), Instr(op, 0)],
        "rethrow": _try_catching(
            I("try", None), const1, I("throw", 0), I("catch_all"), Instr(op, 0), I("end")
        ),
        "drop": [const1, Instr(op)],
        "select": [
            const1,
            I("i32.const", 2),
            I("i32.const", 0),
            Instr(op, (I32,) if op.imm == "select_t" else None),
            I("drop"),
        ],  # fmt: skip
        "local.get": [Instr(op, 0), I("drop")],
        "local.set": [const1, Instr(op, 0)],
        "local.tee": [const1, Instr(op, 0), I("drop")],
        "global.get": [Instr(op, 0), I("drop")],
        "global.set": [const1, Instr(op, 0)],
        "table.get": [I("i32.const", 0), Instr(op, 0), I("drop")],
        "table.set": [I("i32.const", 0), I("ref.null", FUNCREF), Instr(op, 0)],
        "table.grow": [I("ref.null", FUNCREF), const1, Instr(op, 0), I("drop")],
        "table.fill": [I("i32.const", 0), I("ref.null", FUNCREF), const1, Instr(op, 0)],
        "ref.null": [Instr(op, EXTERNREF), I("drop")],
        "ref.is_null": [I("ref.null", EXTERNREF), Instr(op), I("drop")],
        "ref.func": [Instr(op, 0), I("drop")],
        # typed function references
        "call_ref": [const1, I("ref.func", 0), Instr(op, 1), I("drop")],
        "return_call_ref": [I("ref.func", 2), Instr(op, 0)],
        "ref.as_non_null": [I("ref.func", 0), Instr(op), I("drop")],
        "br_on_null": [I("block", None), I("ref.func", 0), Instr(op, 0), I("drop"), I("end")],
        "br_on_non_null": [
            I("block", FUNCREF),
            I("ref.null", FUNCREF),
            Instr(op, 0),
            I("ref.null", FUNCREF),
            I("end"),
            I("drop"),
        ],  # fmt: skip
        # GC
        "ref.eq": [const1, I("ref.i31"), const1, I("ref.i31"), Instr(op), I("drop")],
        "struct.new": [const1, const1, Instr(op, 4), I("drop")],
        "struct.new_default": [Instr(op, 4), I("drop")],
        "struct.get": [I("struct.new_default", 4), Instr(op, (4, 0)), I("drop")],
        "struct.get_s": [I("struct.new_default", 4), Instr(op, (4, 1)), I("drop")],
        "struct.get_u": [I("struct.new_default", 4), Instr(op, (4, 1)), I("drop")],
        "struct.set": [I("struct.new_default", 4), const1, Instr(op, (4, 0))],
        "array.new": [const1, const1, Instr(op, 5), I("drop")],
        "array.new_default": [const1, Instr(op, 5), I("drop")],
        "array.new_fixed": [const1, const1, Instr(op, (5, 2)), I("drop")],
        "array.new_data": [I("i32.const", 0), const1, Instr(op, (6, 0)), I("drop")],
        "array.new_elem": [I("i32.const", 0), const1, Instr(op, (7, 0)), I("drop")],
        "array.get": [const1, const1, I("array.new", 5), I("i32.const", 0), Instr(op, 5), I("drop")],
        "array.get_s": [const1, const1, I("array.new", 6), I("i32.const", 0), Instr(op, 6), I("drop")],
        "array.get_u": [const1, const1, I("array.new", 6), I("i32.const", 0), Instr(op, 6), I("drop")],
        "array.set": [const1, const1, I("array.new", 5), I("i32.const", 0), const1, Instr(op, 5)],
        "array.len": [const1, I("array.new_default", 5), Instr(op), I("drop")],
        "array.fill": [const1, I("array.new_default", 5), I("i32.const", 0), const1, const1, Instr(op, 5)],
        "array.copy": [
            const1,
            I("array.new_default", 5),
            I("i32.const", 0),
            const1,
            I("array.new_default", 5),
            I("i32.const", 0),
            const1,
            Instr(op, (5, 5)),
        ],  # fmt: skip
        "array.init_data": [
            const1,
            I("array.new_default", 6),
            I("i32.const", 0),
            I("i32.const", 0),
            const1,
            Instr(op, (6, 0)),
        ],  # fmt: skip
        "array.init_elem": [
            const1,
            I("array.new_default", 7),
            I("i32.const", 0),
            I("i32.const", 0),
            const1,
            Instr(op, (7, 0)),
        ],  # fmt: skip
        "ref.test": [
            const1,
            I("ref.i31"),
            Instr(op, RefType(op.imm == "cast_null", HeapType.I31)),
            I("drop"),
        ],
        "ref.cast": [
            const1,
            I("ref.i31"),
            Instr(op, RefType(op.imm == "cast_null", HeapType.I31)),
            I("drop"),
        ],
        "br_on_cast": [
            I("block", ANYREF),
            const1,
            I("ref.i31"),
            Instr(op, (0, I31, I31)),
            I("end"),
            I("drop"),
        ],
        "br_on_cast_fail": [
            I("block", ANYREF),
            const1,
            I("ref.i31"),
            Instr(op, (0, I31, I31)),
            I("end"),
            I("drop"),
        ],  # fmt: skip
        "any.convert_extern": [I("ref.null", EXTERNREF), Instr(op), I("drop")],
        "extern.convert_any": [const1, I("ref.i31"), Instr(op), I("drop")],
        "ref.i31": [const1, Instr(op), I("drop")],
        "i31.get_s": [const1, I("ref.i31"), Instr(op), I("drop")],
        "i31.get_u": [const1, I("ref.i31"), Instr(op), I("drop")],
    }
    if name not in bodies:
        pytest.fail(f"{name} names stack rule {op.rule.name!r}: give it a sample body in _rule_body")  # type: ignore[union-attr]
    body = bodies[name]
    pc = next(i for i, ins in enumerate(body) if ins.op is op and (name != "end" or i > 0))
    return body, pc


def _body(op: Op) -> tuple[list[Instr], int]:
    if op.rule is not None:
        return _rule_body(op)
    assert op.params is not None and op.results is not None
    operands = [_zero(t) for t in op.params]
    return [*operands, Instr(op, _fixed_imm(op)), *[I("drop") for _ in op.results]], len(operands)


def _base(body: list[Instr]) -> Module:
    ref0 = [[I("ref.func", 0), I("end")], [I("ref.func", 2), I("end")]]
    return Module(
        types=list(TYPES),
        funcs=[
            Func(1, [], [I("local.get", 0), I("end")]),
            Func(0, [I32], [*body, I("end")]),
            Func(0, [], [I("end")]),
        ],
        tables=[Table(TableType(Limits(2), FUNCREF)), Table(TableType(Limits(1), EXTERNREF))],
        mems=[Memory(MemType(Limits(1)))],
        globals=[Global(GlobalType(I32, True), [I("i32.const", 0), I("end")])],
        tags=[Tag(2)],
        exports=[Export("test", ExternKind.FUNC, TEST_FUNC)],
        elems=[
            Elem(FUNCREF, ref0, "passive"),
            Elem(FUNCREF, ref0, "active", 0, [I("i32.const", 0), I("end")]),
        ],
        datas=[Data(b"wasm", "passive")],
        data_count=1 if any(i.op.name in _DATA_USERS for i in body) else None,
    )


_DATA_USERS = ("memory.init", "data.drop", "array.new_data", "array.init_data")


@functools.cache
def sample(op: Op) -> tuple[Module, int]:
    """The row's module (function `test` runs the instruction) and the instruction's pc."""
    body, pc = _body(op)
    return _base(body), pc


def row_id(op: Op) -> str:
    return "select_t" if op is BY_KEY[0x1C] else op.name


ROWS = [pytest.param(op, id=row_id(op)) for op in ALL_OPS]


def the_instr(op: Op) -> Instr:
    m, pc = sample(op)
    return m.funcs[TEST_FUNC].body[pc]


# --- the table itself ----------------------------------------------------------------------


def test_rows_have_a_signature_or_a_rule() -> None:
    for op in ALL_OPS:
        assert (op.params is None) == (op.rule is not None), op.name
        assert op.imm in IMMEDIATE_KINDS, op.name
    assert {op.rule.name for op in ALL_OPS if op.rule is not None} == set(RULES)


def test_every_immediate_kind_has_a_text() -> None:
    assert set(IMMEDIATE_TEXT) == set(IMMEDIATE_KINDS)


def test_rows_are_unique() -> None:
    assert len(BY_KEY) == len(ALL_OPS)
    assert len({(op.name, op.imm) for op in ALL_OPS}) == len(ALL_OPS)


# --- every row, every consumer ---------------------------------------------------------------


@pytest.mark.parametrize("op", ROWS)
def test_encoder_and_decoder(op: Op) -> None:
    m, pc = sample(op)
    back = decode(encode(m), features=ALL)
    assert back.funcs[TEST_FUNC].body[pc] == the_instr(op)


@pytest.mark.parametrize("op", ROWS)
def test_printer(op: Op) -> None:
    m, _ = sample(op)
    for folded in (False, True):
        words = print_wat(m, folded=folded).replace("(", " ").replace(")", " ").split()
        assert op.name in words or folded and op.name == "end", f"folded={folded}"


@pytest.mark.parametrize("op", ROWS)
def test_parser(op: Op) -> None:
    m, _ = sample(op)
    data = encode(m)
    for folded in (False, True):
        assert encode(parse_module(print_wat(m, folded=folded))) == data, f"folded={folded}"


@pytest.mark.parametrize("op", ROWS)
def test_validator(op: Op) -> None:
    m, _ = sample(op)
    validate(m, features=ALL)


@functools.cache
def instance(op: Op) -> api.Instance:
    m, _ = sample(op)
    validate(m, features=ALL)
    return api.instantiate(m)


@pytest.mark.parametrize("op", ROWS)
def test_compile_handler(op: Op) -> None:
    _, pc = sample(op)
    f = instance(op).inst.funcs[TEST_FUNC]
    code = compile_function(f)
    assert callable(code[pc]) and code[pc] is not _dead
    pops, pushes = stack_effect(the_instr(op), _TestFuncTypes())
    assert pops >= 0 and pushes >= 0


class _TestFuncTypes(wasmlab.syntax.EffectContext):
    def func_type(self, funcidx: int) -> FuncType:
        return TYPES[[1, 0, 0][funcidx]]

    def type_at(self, typeidx: int) -> FuncType:
        return TYPES[typeidx]

    def tag_type(self, tagidx: int) -> FuncType:
        return TYPES[2]

    def label_arity(self, depth: int) -> int:
        return 1


@pytest.mark.parametrize("op", ROWS)
def test_trace(op: Op) -> None:
    m, pc = sample(op)
    session = wasmlab.debug(instance(op), "test")
    records = list(session.trace(limit=100))
    assert records, "nothing traced"
    depth = records[0].depth
    mine = [r for r in records if r.depth == depth and r.pc == pc]
    assert mine, f"no record at pc {pc}"
    rec = mine[0]
    assert rec.instr == dump_text(the_instr(op), m)
    f = instance(op).inst.funcs[TEST_FUNC]
    assert len(rec.operands) == operand_count(the_instr(op), f)


@pytest.mark.parametrize("op", ROWS)
def test_dump(op: Op) -> None:
    m, _ = sample(op)
    text = dump_text(the_instr(op), m)
    assert text.split(" ")[0] == op.name
    assert any(line.split("| ", 1)[-1].strip() == text for line in dump(m).splitlines())


@functools.cache
def workspace() -> Workspace:
    return Workspace()


@pytest.mark.parametrize("op", ROWS)
def test_kernel_completion(op: Op) -> None:
    reply = complete(workspace(), op.name, len(op.name))
    assert op.name in reply["matches"]


@pytest.mark.parametrize("op", ROWS)
def test_kernel_inspect(op: Op) -> None:
    text = inspect(workspace(), op.name, len(op.name))
    assert text is not None
    shown = BY_NAME[op.name]  # (both selects are one word)
    assert text.startswith(f"{op.name}  {shown.signature}\n{shown.desc}")


# --- rows a consumer names: superinstructions, constant expressions --------------------------

FUSED = sorted(set(fuse._BINOPS) | set(fuse._UNOPS))


@pytest.mark.parametrize("name", FUSED)
def test_superinstruction(name: str) -> None:
    """Each operator the fused handlers inline is a row of that arity, and a fused
    `local.get 0; local.get 1; op` computes what the step-mode handlers compute."""
    op = BY_NAME[name]
    assert op.params is not None and op.results is not None and len(op.results) == 1
    binary = name in fuse._BINOPS
    assert len(op.params) == (2 if binary else 1)
    t = op.params[0]
    ft = FuncType(op.params, op.results)
    body = [I("local.get", i) for i in range(len(op.params))] + [Instr(op), I("end")]
    m = Module(types=[ft], funcs=[Func(0, [], body)], exports=[Export("f", ExternKind.FUNC, 0)])
    validate(m)
    inst = api.instantiate(m)
    f = inst.inst.funcs[0]
    code = compile_function(f)
    f.code = code
    fast = fuse.fused_code(f, code, f.layout)
    assert fast[0] is not code[0], "not fused"
    args = {I32: [0x80000001, 3], I64: [0x8000000000000001, 3], F32: [1.5, -2.0], F64: [1.5, -2.0]}[t]
    args = args[: len(op.params)]
    expected = N.NUMERIC[name](*args)
    for handlers in (code, fast):
        stack: list[Any] = []
        fuse.EXTRA[0] = 0
        pc = 0
        while 0 <= pc < len(body) - 1:  # (run mode folds the last `end`: it returns, pc < 0)
            pc = handlers[pc](stack, list(args), pc)
        assert stack == [expected]


CONST_ROWS = [pytest.param(op, id=row_id(op)) for op in ALL_OPS if op.const is not None]


def _const_module(op: Op) -> tuple[Module, list[Instr], ValType]:
    if op.name == "global.get":
        imp = Import("env", "g", ExternKind.GLOBAL, GlobalType(I64, False))
        expr = [I("global.get", 0), I("end")]
        return Module(imports=[imp], globals=[Global(GlobalType(I64, False), expr)]), expr, I64
    if op.name == "ref.func":
        expr = [I("ref.func", 0), I("end")]
        m = Module(
            types=[TYPES[0]],
            funcs=[Func(0, [], [I("end")])],
            globals=[Global(GlobalType(FUNCREF, False), expr)],
        )
        return m, expr, FUNCREF
    if op.feature == "gc":
        exprs = {
            "struct.new": ([I("i32.const", 1), I("i32.const", 2), Instr(op, 4)], RefType(False, 4)),
            "struct.new_default": ([Instr(op, 4)], RefType(False, 4)),
            "array.new": ([I("i32.const", 1), I("i32.const", 2), Instr(op, 5)], RefType(False, 5)),
            "array.new_default": ([I("i32.const", 2), Instr(op, 5)], RefType(False, 5)),
            "array.new_fixed": ([I("i32.const", 1), Instr(op, (5, 1))], RefType(False, 5)),
            "any.convert_extern": ([I("ref.null", EXTERNREF), Instr(op)], ANYREF),
            "extern.convert_any": ([I("i32.const", 1), I("ref.i31"), Instr(op)], EXTERNREF),
            "ref.i31": ([I("i32.const", 1), Instr(op)], I31),
        }
        body, t = exprs[op.name]
        expr = [*body, I("end")]
        return Module(types=list(TYPES), globals=[Global(GlobalType(t, False), expr)]), expr, t
    if op.name == "ref.null":
        expr = [I("ref.null", EXTERNREF), I("end")]
    elif op.params:  # the extended-const arithmetic
        t = op.params[0]
        k = "i32.const" if t is I32 else "i64.const"
        expr = [I(k, 6), I(k, 4), Instr(op), I("end")]
    else:
        expr = [Instr(op, _fixed_imm(op)), I("end")]
    t = op.results[0] if op.results else EXTERNREF
    return Module(globals=[Global(GlobalType(t, False), expr)]), expr, t


@pytest.mark.parametrize("op", CONST_ROWS)
def test_constant_expression(op: Op) -> None:
    """The rows marked constant pass the validator's constant check (their proposal on) and
    the evaluator computes them (with the machine's numerics)."""
    m, expr, t = _const_module(op)
    validate(m, features=ALL)
    if op.feature == "gc":  # (allocating: evaluated in a real instance, against the run-time kinds)
        with pytest.raises(ValidationError, match="gc feature"):
            validate(m, features=CORE_2_0)
        value = api.instantiate(m).inst.globals[0].value
        kinds = {"struct": StructInst, "array": ArrayInst, "ref.i31": I31Inst, "extern.convert_any": I31Inst}
        want = next((k for w, k in kinds.items() if op.name.startswith(w)), type(None))
        assert isinstance(value, want), value
        return
    if op.const != "mvp":
        with pytest.raises(ValidationError, match=f"without the {op.const} feature"):
            validate(m, features=CORE_2_0)
    inst = SimpleNamespace(globals=[GlobalInst(GlobalType(I64, False), 42)], funcs=["f0"])
    value = eval_const(expr, inst)  # type: ignore[arg-type]
    expected = {"global.get": 42, "ref.func": "f0", "ref.null": None}.get(op.name, ...)
    if expected is ...:
        expected = N.NUMERIC[op.name](6, 4) if op.params else const_value(expr[0])
    assert value == expected, t


def test_other_rows_are_not_constant() -> None:
    m = Module(globals=[Global(GlobalType(I32, False), [I("i32.const", 1), I("i32.eqz"), I("end")])])
    with pytest.raises(ValidationError, match="i32.eqz is not a constant instruction"):
        validate(m, features=ALL)
