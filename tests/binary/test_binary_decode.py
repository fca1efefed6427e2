"""The decoder on hand-written modules: every section, every immediate kind, the errors."""

from __future__ import annotations

from functools import partial

import pytest

from tests.binary.builders import HEADER, I, body, leb, module, name, one_func, section, vec
from wasmlab.binary import decode as decode_any
from wasmlab.binary.decode import MAX_LOCALS
from wasmlab.errors import DecodeError
from wasmlab.syntax.features import ALL, CORE_2_0
from wasmlab.syntax.module import Names
from wasmlab.syntax.opcodes import BY_NAME, SELECT_T
from wasmlab.syntax.types import (
    EXTERNREF,
    F32,
    FUNCREF,
    I32,
    I64,
    V128,
    ExternKind,
    FuncType,
    GlobalType,
    Limits,
    MemType,
    TableType,
)

decode = partial(decode_any, features=CORE_2_0)  # these are 2.0 rules; a test names others


def fails(data: bytes, message: str) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert message in info.value.reason, info.value.reason
    return info.value


def test_empty_module() -> None:
    m = decode(HEADER)
    assert m.types == [] and m.funcs == [] and m.customs == []
    assert m.data_count is None and m.start is None


def test_header_errors() -> None:
    assert fails(b"", "unexpected end").offset == 0
    assert fails(b"\x00as", "unexpected end").offset == 3
    assert fails(b"\x00asn\x01\x00\x00\x00", "magic header not detected").offset == 0
    assert fails(b"\x00asm\x01\x00", "unexpected end").offset == 6
    assert fails(b"\x00asm\x02\x00\x00\x00", "unknown binary version").offset == 4


def test_decode_takes_bytes_like_objects_only() -> None:
    assert decode(bytearray(HEADER)).types == []
    assert decode(memoryview(HEADER)).types == []
    with pytest.raises(DecodeError):
        decode(12)  # type: ignore[arg-type]


def test_all_sections() -> None:
    data = module(
        section(1, vec([b"\x60\x01\x7f\x01\x7e", b"\x60\x00\x00"])),
        section(
            2,
            vec(
                [
                    name("env") + name("f") + b"\x00" + leb(1),
                    name("env") + name("t") + b"\x01\x6f\x01\x01\x05",
                    name("env") + name("m") + b"\x02\x00\x02",
                    name("env") + name("g") + b"\x03\x7d\x01",
                ]
            ),
        ),
        section(3, vec([leb(0)])),
        section(4, vec([b"\x70\x00\x03"])),
        section(5, vec([b"\x01\x01\x02"])),
        section(6, vec([b"\x7e\x01\x42\x7f\x0b"])),
        section(7, vec([name("run") + b"\x00" + leb(1), name("mem") + b"\x02" + leb(0)])),
        section(8, leb(0)),
        section(9, vec([b"\x01\x00" + vec([leb(1)])])),
        section(12, leb(1)),
        section(10, vec([body(b"\x20\x00\xad\x0b", vec([b"\x02\x7f", b"\x01\x7e"]))])),
        section(11, vec([b"\x01" + name("hi")])),
    )
    m = decode(data)
    assert m.types == [FuncType((I32,), (I64,)), FuncType()]
    assert [(i.module, i.name, i.kind) for i in m.imports] == [
        ("env", "f", ExternKind.FUNC),
        ("env", "t", ExternKind.TABLE),
        ("env", "m", ExternKind.MEMORY),
        ("env", "g", ExternKind.GLOBAL),
    ]
    assert [i.desc for i in m.imports] == [
        1,
        TableType(Limits(1, 5), EXTERNREF),
        MemType(Limits(2)),
        GlobalType(F32, True),
    ]
    assert all(i.offset is not None for i in m.imports)
    (f,) = m.funcs
    assert f.type == 0
    assert f.locals == [I32, I32, I64]
    assert f.local_groups == [(2, I32), (1, I64)]
    assert f.body == [I("local.get", 0), I("i64.extend_i32_u"), I("end")]
    assert data[f.offset] == 9 and data[f.offset + 1 : f.offset + 6] == b"\x02\x02\x7f\x01\x7e"
    assert m.tables[0].type == TableType(Limits(3), FUNCREF)
    assert m.mems[0].type == MemType(Limits(1, 2))
    assert m.globals[0].type == GlobalType(I64, True)
    assert m.globals[0].init == [I("i64.const", 0xFFFFFFFFFFFFFFFF), I("end")]
    assert [(e.name, e.kind, e.index) for e in m.exports] == [
        ("run", ExternKind.FUNC, 1),
        ("mem", ExternKind.MEMORY, 0),
    ]
    assert m.start == 0
    (e,) = m.elems
    assert (e.mode, e.type, e.flags, e.offset_expr) == ("passive", FUNCREF, 1, None)
    assert e.init == [[I("ref.func", 1), I("end")]]
    assert m.data_count == 1
    (d,) = m.datas
    assert (d.mode, d.init, d.flags, d.offset_expr) == ("passive", b"hi", 1, None)


def test_instruction_offsets_are_absolute() -> None:
    data = one_func(b"\x41\x05\x1a\x0b")
    (f,) = decode(data).funcs
    assert [data[i.offset] for i in f.body] == [0x41, 0x1A, 0x0B]
    assert f.body[-1].offset == len(data) - 1
    assert data[f.offset] == 5  # the body's size field


ELEM_CASES = [
    # flags, bytes after the flags, mode, table, type, init
    (0, b"\x41\x00\x0b" + vec([leb(0)]), "active", 0, FUNCREF, [[I("ref.func", 0), I("end")]]),
    (1, b"\x00" + vec([leb(0)]), "passive", 0, FUNCREF, [[I("ref.func", 0), I("end")]]),
    (2, leb(1) + b"\x41\x00\x0b\x00" + vec([leb(0)]), "active", 1, FUNCREF, [[I("ref.func", 0), I("end")]]),
    (3, b"\x00" + vec([leb(0)]), "declarative", 0, FUNCREF, [[I("ref.func", 0), I("end")]]),
    (4, b"\x41\x00\x0b" + vec([b"\xd0\x70\x0b"]), "active", 0, FUNCREF, [[I("ref.null", FUNCREF), I("end")]]),
    (5, b"\x6f" + vec([b"\xd0\x6f\x0b"]), "passive", 0, EXTERNREF, [[I("ref.null", EXTERNREF), I("end")]]),
    (
        6,
        leb(1) + b"\x41\x00\x0b\x70" + vec([b"\xd2\x00\x0b"]),
        "active",
        1,
        FUNCREF,
        [[I("ref.func", 0), I("end")]],
    ),
    (7, b"\x70" + vec([b"\xd2\x00\x0b"]), "declarative", 0, FUNCREF, [[I("ref.func", 0), I("end")]]),
]


@pytest.mark.parametrize(("flags", "rest", "mode", "table", "etype", "init"), ELEM_CASES)
def test_element_segment_forms(flags, rest, mode, table, etype, init) -> None:
    data = module(section(9, vec([leb(flags) + rest])))
    (e,) = decode(data).elems
    assert (e.flags, e.mode, e.table, e.type) == (flags, mode, table, etype)
    assert e.init == init
    assert (e.offset_expr is None) == (mode != "active")
    if mode == "active":
        assert e.offset_expr == [I("i32.const", 0), I("end")]


def test_element_segment_errors() -> None:
    fails(module(section(9, vec([b"\x08"]))), "malformed elements segment kind")
    fails(module(section(9, vec([b"\x01\x01\x00"]))), "malformed element kind")
    fails(module(section(9, vec([b"\x05\x7f\x00"]))), "malformed reference type")


@pytest.mark.parametrize(
    ("payload", "mode", "memory"),
    [
        (b"\x00\x41\x00\x0b" + name("ab"), "active", 0),
        (b"\x01" + name("ab"), "passive", 0),
        (b"\x02\x00\x41\x00\x0b" + name("ab"), "active", 0),
        (b"\x02\x03\x41\x00\x0b" + name("ab"), "active", 3),
    ],
)
def test_data_segment_forms(payload: bytes, mode: str, memory: int) -> None:
    (d,) = decode(module(section(11, vec([payload])))).datas
    assert (d.flags, d.mode, d.memory, d.init) == (payload[0], mode, memory, b"ab")


def test_data_segment_kind_error() -> None:
    fails(module(section(11, vec([b"\x03"]))), "malformed data segment kind")


def test_blocktypes() -> None:
    code = b"\x02\x40\x0b\x02\x7f\x41\x00\x0b\x1a\x02\x00\x0b\x0b"
    data = module(
        section(1, vec([b"\x60\x00\x00"])),
        section(3, vec([b"\x00"])),
        section(10, vec([body(code)])),
    )
    f = decode(data).funcs[0]
    assert [i.imm for i in f.body if i.op.name == "block"] == [None, I32, 0]
    fails(one_func(b"\x02\x80\x7f\x0b\x0b"), "malformed block type")  # s33 -128
    fails(one_func(b"\x02\x7a\x0b\x0b"), "malformed value type")


def test_immediates() -> None:
    cases = [
        (b"\x0e\x02\x00\x01\x02", I("br_table", ((0, 1), 2))),
        (b"\x11\x03\x01", I("call_indirect", (3, 1))),
        (b"\x28\x02\x10", I("i32.load", (2, 16, 0))),
        (b"\xfd\x54\x00\x08\x0f", I("v128.load8_lane", (0, 8, 0, 15))),
        (b"\x1c\x01\x7b", I("select", None)),
        (b"\xd0\x6f", I("ref.null", EXTERNREF)),
        (b"\xfc\x0e\x01\x02", I("table.copy", (1, 2))),
        (b"\xfc\x0c\x05\x01", I("table.init", (5, 1))),
        (b"\xfc\x08\x04\x00", I("memory.init", (4, 0))),
        (b"\xfc\x0a\x00\x00", I("memory.copy", (0, 0))),
        (b"\xfc\x0b\x00", I("memory.fill", 0)),
        (b"\x3f\x00", I("memory.size", 0)),
        (b"\x41\x7f", I("i32.const", 0xFFFFFFFF)),
        (b"\x42\x80\x01", I("i64.const", 128)),
        (b"\x43\x01\x00\xc0\x7f", I("f32.const", 0x7FC00001)),
        (b"\x44" + bytes(7) + b"\xf0", I("f64.const", 0xF000000000000000)),
        (b"\xfd\x0c" + bytes(range(16)), I("v128.const", bytes(range(16)))),
        (b"\xfd\x0d" + bytes(range(16)), I("i8x16.shuffle", bytes(range(16)))),
        (b"\xfd\x15\x0f", I("i8x16.extract_lane_s", 15)),
        (b"\xfc\x8f\x80\x00\x02", I("table.grow", 2)),  # sub-opcode padded to 3 bytes
    ]
    for code, expected in cases:
        instr = decode(one_func(code + b"\x0b")).funcs[0].body[0]
        if code[0] == 0x1C:
            assert instr.op is SELECT_T and instr.imm == (V128,)
        else:
            assert instr == expected, (code.hex(), instr, expected)
        assert instr.offset is not None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (b"\x06\x0b", "illegal opcode 06"),
        (b"\xfc\x12\x0b", "illegal opcode fc 12"),
        (b"\xfd\x80\x02\x0b", "illegal opcode fd 100"),
        (b"\xfd\x9a\x01\x0b", "illegal opcode fd 9a"),
        (b"\x05\x0b", "END opcode expected"),
        (b"\x02\x40\x05\x0b\x0b", "END opcode expected"),
        (b"\x04\x40\x05\x05\x0b\x0b", "END opcode expected"),
        (b"\x02\x40\x0b", "unexpected end"),
        (b"\x3f\x01\x0b", "zero byte expected"),
        (b"\xfc\x0a\x00\x01\x0b", "zero byte expected"),
        (b"\x28\x20\x00\x0b", "malformed memop flags"),
        (b"\xd0\x7f\x0b", "malformed reference type"),
        (b"\x41\x80\x80\x80\x80\x70\x0b", "integer too large"),
    ],
)
def test_instruction_errors(code: bytes, message: str) -> None:
    fails(one_func(code), message)


def test_illegal_opcode_offset() -> None:
    data = one_func(b"\x01\x06\x0b")
    assert fails(data, "illegal opcode").offset == len(data) - 2


def test_locals_limits() -> None:
    fails(
        one_func(b"\x0b", local_groups=vec([leb(0xFFFFFFFF) + b"\x7f", leb(1) + b"\x7e"])), "too many locals"
    )
    e = fails(one_func(b"\x0b", local_groups=vec([leb(MAX_LOCALS + 1) + b"\x7f"])), "too many locals")
    assert "implementation" in e.reason
    (f,) = decode(one_func(b"\x0b", local_groups=vec([leb(0) + b"\x7f", leb(3) + b"\x7b"]))).funcs
    assert f.locals == [V128] * 3 and f.local_groups == [(0, I32), (3, V128)]


def test_section_order_and_ids() -> None:
    fails(module(section(3, b"\x00"), section(1, b"\x00")), "unexpected content after last section")
    fails(module(section(1, b"\x00"), section(1, b"\x00")), "unexpected content after last section")
    fails(module(section(10, b"\x00"), section(12, b"\x00")), "unexpected content after last section")
    fails(module(section(13, b"")), "malformed section id")
    fails(module(b"\x01\x05\x00"), "length out of bounds")
    fails(module(section(1, b"\x00\x00")), "section size mismatch")
    # DataCount goes between Elem and Code
    m = decode(module(section(9, b"\x00"), section(12, b"\x00"), section(10, b"\x00"), section(11, b"\x00")))
    assert m.data_count == 0


def test_count_mismatches() -> None:
    fails(module(section(1, vec([b"\x60\x00\x00"])), section(3, vec([b"\x00"]))), "inconsistent lengths")
    fails(module(section(12, leb(2)), section(11, vec([b"\x01\x00"]))), "data count and data section")


def test_data_count_required() -> None:
    drop = b"\xfc\x09\x00\x0b"
    passive = section(11, vec([b"\x01\x00"]))
    data = module(
        section(1, vec([b"\x60\x00\x00"])),
        section(3, vec([b"\x00"])),
        section(10, vec([body(drop)])),
        passive,
    )
    fails(data, "data count section required")
    # with no data segment at all the index is simply invalid: left to the validator
    assert decode(one_func(drop)).funcs[0].body[0] == I("data.drop", 0)


def test_names_and_imports_utf8() -> None:
    bad = b"\x01\xff"
    fails(module(section(0, bad)), "malformed UTF-8 encoding")
    fails(module(section(2, vec([bad + name("x") + b"\x00\x00"]))), "malformed UTF-8 encoding")
    fails(module(section(7, vec([b"\x02\xed\xa0" + b"\x00\x00"]))), "malformed UTF-8 encoding")  # surrogate


def test_import_export_kinds_and_types() -> None:
    fails(module(section(2, vec([name("a") + name("b") + b"\x04\x00"]))), "malformed import kind")
    fails(module(section(7, vec([name("a") + b"\x04\x00"]))), "malformed export kind")
    fails(module(section(6, vec([b"\x7f\x02\x41\x00\x0b"]))), "malformed mutability")
    fails(module(section(1, vec([b"\x61\x00\x00"]))), "malformed function type")
    fails(module(section(5, vec([b"\x02\x00"]))), "integer too large")  # limits flag


def test_custom_sections_keep_their_place() -> None:
    data = module(
        section(0, name("first") + b"\x01\x02"),
        section(1, vec([b"\x60\x00\x00"])),
        section(0, name("after-type") + b""),
        section(12, leb(0)),
        section(0, name("after-datacount") + b"x"),
    )
    m = decode(data)
    assert [(c.name, c.data, c.after) for c in m.customs] == [
        ("first", b"\x01\x02", 0),
        ("after-type", b"", 1),
        ("after-datacount", b"x", 12),
    ]
    assert [data[c.offset] for c in m.customs] == [0, 0, 0]
    fails(module(b"\x00\x02\x02ab"), "unexpected end")  # the name is longer than the section


def _name_section(payload: bytes) -> bytes:
    return section(0, name("name") + payload)


def test_name_section() -> None:
    subs = (
        section(0, name("mod"))
        + section(1, vec([leb(0) + name("main"), leb(1) + name("helper")]))
        + section(2, vec([leb(0) + vec([leb(0) + name("x"), leb(1) + name("y")])]))
        + section(7, b"\x00")  # a later extension: skipped
    )
    m = decode(module(_name_section(subs)))
    assert m.names == Names("mod", {0: "main", 1: "helper"}, {0: {0: "x", 1: "y"}})
    assert m.func_name(1) == "helper"
    assert m.customs[0].name == "name"


@pytest.mark.parametrize(
    "payload",
    [
        b"\x01\x05\x01\x00\x03ab",  # name runs past its subsection
        b"\x01\x03\x01\x00\x01\xff",  # bad UTF-8 in a function name
        section(1, b"\x00") + section(0, name("late")),  # subsections out of order
        b"\x00",  # truncated
    ],
)
def test_malformed_name_section_is_ignored(payload: bytes) -> None:
    m = decode(module(_name_section(payload)))
    assert m.names == Names()
    assert m.customs[0].data == payload


def test_only_the_first_name_section_counts() -> None:
    one = _name_section(section(0, name("one")))
    two = _name_section(section(0, name("two")))
    assert decode(module(one, two)).names.module == "one"


def test_every_opcode_decodes() -> None:
    """Each row of the table, with zero-ish immediates, decodes back to itself."""
    fill = {
        "none": b"",
        "blocktype": b"\x40",
        "br_table": b"\x00\x00",
        "call_indirect": b"\x00\x00",
        "memarg": b"\x00\x00",
        "memarg_lane": b"\x00\x00\x00",
        "memory": b"\x00",
        "f32": bytes(4),
        "f64": bytes(8),
        "select_t": b"\x01\x7f",
        "reftype": b"\x70",
        "table_copy": b"\x00\x00",
        "table_init": b"\x00\x00",
        "memory_init": b"\x00\x00",
        "memory_copy": b"\x00\x00",
        "memory_fill": b"\x00",
        "v128": bytes(16),
        "shuffle": bytes(16),
        "field": b"\x00\x00",
        "type_n": b"\x00\x00",
        "type_data": b"\x00\x00",
        "type_elem": b"\x00\x00",
        "type_type": b"\x00\x00",
        "cast": b"\x6e",
        "cast_null": b"\x6e",
        "br_on_cast": b"\x00\x00\x6e\x6e",
    }
    for op in BY_NAME.values():
        if op.name in ("else", "end", "catch", "catch_all", "delegate") or op.imm in (
            "blocktype",
            "try_table",
        ):
            continue
        code = bytes((op.code,)) if op.prefix is None else bytes((op.prefix,)) + leb(op.code)
        code += fill.get(op.imm, b"\x00")
        (instr, end) = (
            decode(one_func(code + b"\x0b", extra=section(12, b"\x00")), features=ALL).funcs[0].body
        )
        assert instr.op is op and end.op.name == "end", op.name
