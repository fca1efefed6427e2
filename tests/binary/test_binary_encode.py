"""The encoder on modules built in Python: canonical forms, honoured hints, errors."""

from __future__ import annotations

import pytest

from tests.binary.builders import HEADER, I, body, leb, module, name, section, vec
from wasmlab.binary import EncodeError, decode, encode
from wasmlab.binary.encode import IMPORT_DESC_ENCODERS, SECTION_ENCODERS, TYPE_ENCODERS, elem_flags
from wasmlab.syntax.module import (
    Custom,
    Data,
    Elem,
    Export,
    Func,
    Global,
    Import,
    Module,
    Names,
    Table,
)
from wasmlab.syntax.types import (
    EXTERNREF,
    F64,
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

from .test_binary_suite import shape


def const0() -> list:
    return [I("i32.const", 0), I("end")]


def rich_module() -> Module:
    return Module(
        types=[FuncType((I32,), (I32,)), FuncType()],
        imports=[
            Import("env", "f", ExternKind.FUNC, 1),
            Import("env", "t", ExternKind.TABLE, TableType(Limits(1, 5), EXTERNREF)),
            Import("env", "m", ExternKind.MEMORY, MemType(Limits(1))),
            Import("env", "g", ExternKind.GLOBAL, GlobalType(F64, False)),
        ],
        funcs=[
            Func(0, [I64, I64, I32], [I("local.get", 0), I("call", 0), I("end")]),
            Func(1, [], [I("block", I32), I("i32.const", -5 & 0xFFFFFFFF), I("end"), I("drop")]),
        ],
        tables=[Table(TableType(Limits(2), FUNCREF))],
        globals=[Global(GlobalType(I32, True), [I("i32.const", 7)])],
        exports=[Export("f", ExternKind.FUNC, 1), Export("g", ExternKind.GLOBAL, 1)],
        start=2,
        elems=[
            Elem(FUNCREF, [[I("ref.func", 1)], [I("ref.func", 2), I("end")]], "active", 1, const0()),
            Elem(FUNCREF, [[I("ref.null", FUNCREF), I("end")]], "passive"),
            Elem(FUNCREF, [[I("ref.func", 1)]], "declarative"),
        ],
        datas=[Data(b"hello", "active", 0, const0()), Data(b"", "passive")],
        customs=[Custom("meta", b"\x01\x02", after=0), Custom("tail", b"", after=11)],
    )


def test_empty_module() -> None:
    assert encode(Module()) == HEADER


def test_small_module_bytes() -> None:
    m = Module(types=[FuncType((), (I32,))], funcs=[Func(0, [], [I("i32.const", 42)])])
    assert encode(m) == module(
        section(1, vec([b"\x60\x00\x01\x7f"])),
        section(3, vec([b"\x00"])),
        section(10, vec([body(b"\x41\x2a\x0b")])),
    )


def test_rich_module_round_trips() -> None:
    m = rich_module()
    data = encode(m)
    back = decode(data)
    assert encode(back) == data
    assert back.types == m.types
    assert [(i.module, i.name, i.kind, i.desc) for i in back.imports] == [
        (i.module, i.name, i.kind, i.desc) for i in m.imports
    ]
    assert back.funcs[0].locals == [I64, I64, I32]
    assert back.funcs[0].local_groups == [(2, I64), (1, I32)]
    assert back.funcs[1].body == [
        I("block", I32),
        I("i32.const", 0xFFFFFFFB),
        I("end"),
        I("drop"),
        I("end"),  # the final `end` was added
    ]
    assert [(e.flags, e.mode, e.table) for e in back.elems] == [
        (2, "active", 1),
        (5, "passive", 0),
        (3, "declarative", 0),
    ]
    assert [(d.flags, d.init) for d in back.datas] == [(0, b"hello"), (1, b"")]
    assert back.start == 2
    assert [(c.name, c.after) for c in back.customs] == [("meta", 0), ("tail", 11)]
    assert back.data_count is None  # nothing needs it and none was asked for


def test_extra_entries_are_ignored() -> None:
    m = rich_module()
    plain = encode(m)
    m.extra["modules"] = ["something module linking will add"]
    assert encode(m) == plain


def test_data_count_section() -> None:
    m = Module(datas=[Data(b"x", "passive")])
    assert 12 not in _section_ids(encode(m))
    m.data_count = 99  # asked for: written, with the real count
    assert decode(encode(m)).data_count == 1
    m.data_count = None
    m.types = [FuncType()]
    m.funcs = [Func(0, [], [I("data.drop", 0)])]
    assert decode(encode(m)).data_count == 1  # required by data.drop


def _section_ids(data: bytes) -> list[int]:
    from wasmlab.binary.dump import section_table

    return [sid for sid, *_ in section_table(data)]


def test_custom_sections_are_placed_by_after() -> None:
    m = Module(
        types=[FuncType()],
        funcs=[Func(0)],
        customs=[
            Custom("a", b"", after=0),
            Custom("b", b"", after=1),
            Custom("c", b"", after=3),
            Custom("d", b"", after=12),  # no DataCount section: still between Elem and Code
            Custom("e", b"", after=99),  # an id we do not know: at the end
        ],
    )
    data = encode(m)
    assert _section_ids(data) == [0, 1, 0, 3, 0, 0, 10, 0]
    assert [c.name for c in decode(data).customs] == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("elem", "expected"),
    [
        (Elem(FUNCREF, [[I("ref.func", 0)]], "active", 0, const0()), 0),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "active", 0, const0(), flags=2), 2),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "active", 0, const0(), flags=4), 4),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "active", 0, const0(), flags=6), 6),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "active", 3, const0(), flags=0), 2),  # table 3 needs 2
        (Elem(EXTERNREF, [[I("ref.null", EXTERNREF)]], "active", 0, const0(), flags=0), 6),
        (Elem(FUNCREF, [[I("ref.null", FUNCREF)]], "active", 0, const0(), flags=0), 4),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "passive"), 1),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "passive", flags=5), 5),
        (Elem(FUNCREF, [[I("ref.func", 0)]], "passive", flags=0), 1),  # wrong mode: recomputed
        (Elem(FUNCREF, [[I("ref.func", 0), I("i32.const", 0), I("end")]], "declarative"), 7),
        (Elem(FUNCREF, [], "declarative"), 3),
    ],
)
def test_elem_flags(elem: Elem, expected: int) -> None:
    assert elem_flags(elem) == expected
    m = Module(types=[FuncType()], funcs=[Func(0)], tables=[Table(TableType(Limits(1)))], elems=[elem])
    (back,) = decode(encode(m)).elems
    assert back.flags == expected
    assert (back.mode, back.table, back.type) == (elem.mode, elem.table, elem.type)
    assert [[i for i in x if i.op.name != "end"] for x in back.init] == [
        [i for i in x if i.op.name != "end"] for x in elem.init
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (Data(b"", "active", 0, const0()), 0),
        (Data(b"", "active", 0, const0(), flags=2), 2),
        (Data(b"", "active", 1, const0(), flags=0), 2),
        (Data(b"", "passive", flags=0), 1),
        (Data(b"", "active", 0, const0(), flags=1), 0),
    ],
)
def test_data_flags(data: Data, expected: int) -> None:
    (back,) = decode(encode(Module(datas=[data]))).datas
    assert (back.flags, back.memory, back.mode) == (expected, data.memory, data.mode)


def test_local_groups_are_honoured_when_consistent() -> None:
    f = Func(0, [I32, I32, I32], [], local_groups=[(1, I32), (0, I64), (2, I32)])
    m = Module(types=[FuncType()], funcs=[f])
    assert decode(encode(m)).funcs[0].local_groups == [(1, I32), (0, I64), (2, I32)]
    f.locals = [I32, V128]  # groups no longer describe the locals: runs are used
    assert decode(encode(m)).funcs[0].local_groups == [(1, I32), (1, V128)]


def test_names_section_on_request() -> None:
    m = Module(types=[FuncType()], funcs=[Func(0, [I32])])
    m.names = Names("demo", {0: "main"}, {0: {0: "x"}})
    assert decode(encode(m)).customs == []
    back = decode(encode(m, names=True))
    assert back.names == m.names
    assert [c.name for c in back.customs] == ["name"]
    # a raw name section is replaced, at the same place
    back.names = Names(funcs={0: "renamed"})
    again = decode(encode(back, names=True))
    assert again.names.funcs == {0: "renamed"} and len(again.customs) == 1


@pytest.mark.parametrize(
    "mutate",
    [
        # module linking: a nested module without its declared type; a tag import without a type
        lambda m: m.modules.append(Module()),
        lambda m: m.imports.append(Import("a", "b", ExternKind.TAG, "x")),
        lambda m: m.funcs.append(Func(1 << 32)),
        lambda m: m.funcs.append(Func(0, ["i32"])),  # type: ignore[list-item]
        lambda m: m.funcs.append(Func(0, [], [I("i32.const", "seven")])),
        lambda m: m.funcs.append(Func(0, [], [I("local.get", -1)])),
        lambda m: m.funcs.append(Func(0, [], [I("v128.const", b"short")])),
        lambda m: m.funcs.append(Func(0, [], [I("memory.size", -1)])),
        lambda m: m.funcs.append(Func(0, [], [I("i32.load", (2, 0))])),  # no memory index
        lambda m: m.funcs.append(Func(0, [], [I("block", -3)])),
        lambda m: m.funcs.append(Func(0, [], [I("br_table", 5)])),
        lambda m: m.funcs.append(Func(0, [], [I("ref.null", I32)])),
        lambda m: m.elems.append(Elem(FUNCREF, [], "sideways")),
        lambda m: m.datas.append(Data(b"", "active")),
        lambda m: m.exports.append(Export("\udc80", ExternKind.FUNC, 0)),
    ],
)
def test_bad_modules_raise_encode_error(mutate) -> None:
    m = Module(types=[FuncType()])
    mutate(m)
    with pytest.raises(EncodeError):
        encode(m)


def test_float_immediates_accept_python_floats() -> None:
    m = Module(
        types=[FuncType()], funcs=[Func(0, [], [I("f32.const", 1.5), I("f64.const", -2.0), I("drop")])]
    )
    body = decode(encode(m)).funcs[0].body
    assert body[0].imm == 0x3FC00000 and body[1].imm == 0xC000000000000000


def test_extension_tables_exist() -> None:
    assert [sid for sid, _ in SECTION_ENCODERS] == [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 10, 11, 12]
    assert FuncType in TYPE_ENCODERS
    assert sorted(IMPORT_DESC_ENCODERS) == [0, 1, 2, 3, 4]


def test_decode_encode_agree_on_a_hand_written_module() -> None:
    data = module(
        section(0, name("x")),
        section(1, vec([b"\x60\x02\x7f\x7e\x00"])),
        section(3, vec([b"\x00"])),
        section(12, leb(1)),
        section(10, vec([body(b"\xfc\x08\x00\x00\x0b", vec([leb(2) + b"\x7f"]))])),
        section(11, vec([b"\x01" + name("zz")])),
    )
    m = decode(data)
    assert encode(m) == data
    assert shape(decode(encode(m))) == shape(m)
