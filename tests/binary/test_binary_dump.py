"""The dump: sections, entries and disassembly with offsets and names."""

from __future__ import annotations

from tests.binary.builders import I, body, leb, module, name, section, vec
from tests.conftest import need_suite
from wasmlab.binary import decode, dump, encode
from wasmlab.binary.dump import instr_text
from wasmlab.errors import DecodeError
from wasmlab.syntax.module import Func, Module
from wasmlab.syntax.types import FUNCREF, I32, FuncType


def _sample() -> bytes:
    names = section(1, vec([leb(0) + name("add_one")])) + section(
        2, vec([leb(0) + vec([leb(0) + name("n")])])
    )
    return module(
        section(1, vec([b"\x60\x01\x7f\x01\x7f"])),
        section(3, vec([b"\x00"])),
        section(5, vec([b"\x00\x01"])),
        section(7, vec([name("inc") + b"\x00\x00"])),
        section(10, vec([body(b"\x20\x00\x41\x01\x6a\x04\x40\x01\x05\x01\x0b\x0b")])),
        section(11, vec([b"\x00\x41\x08\x0b" + name("hi\x00")])),
        section(0, name("name") + names),
    )


def test_dump_sections_entries_and_code() -> None:
    data = _sample()
    text = dump(decode(data), data)
    assert "type       id=1  start=0x00000008" in text
    assert '"name"' in text
    assert "  - type[0] (i32) -> (i32)" in text
    assert '  - func[0] <add_one> -> "inc"' in text
    assert "  - memory[0] pages 1" in text
    assert '  - data[0] flags=0 active memory=0 offset=(i32.const 8) size=3: "hi\\00"' in text
    assert "func[0] <add_one> (i32) -> (i32)" in text
    assert "  names: 0=n" in text
    code_offset = data.index(b"\x20\x00\x41\x01")
    assert f"  {code_offset:08x}: 20 00" in text
    assert "|   local.get 0" in text
    assert "|   if" in text and "|     nop" in text and "|   else" in text
    assert text.rstrip().endswith("| end")


def test_dump_without_bytes_encodes_first() -> None:
    m = Module(types=[FuncType()], funcs=[Func(0, [I32], [I("nop")])])
    text = dump(m)
    assert "module: " in text and "nop" in text and "locals: 1 i32" in text


def test_instr_text() -> None:
    m = decode(_sample())
    assert instr_text(I("call", 0), m) == "call 0 <add_one>"
    assert instr_text(I("call", 5), m) == "call 5"
    assert instr_text(I("i32.const", 0xFFFFFFFF)) == "i32.const -1"
    assert instr_text(I("i64.const", 1 << 63)) == f"i64.const {-(1 << 63)}"
    assert instr_text(I("i32.load", (2, 0, 0))) == "i32.load"
    assert instr_text(I("i32.load", (0, 16, 0))) == "i32.load offset=16 align=1"
    assert instr_text(I("block", I32)) == "block (result i32)"
    assert instr_text(I("loop", 3)) == "loop (type 3)"
    assert instr_text(I("br_table", ((1, 2), 0))) == "br_table 1 2 0"
    assert instr_text(I("call_indirect", (4, 0))) == "call_indirect 0 (type 4)"
    assert instr_text(I("ref.null", FUNCREF)) == "ref.null func"
    assert instr_text(I("table.init", (3, 1))) == "table.init 1 3"
    assert instr_text(I("v128.const", bytes(16))).startswith("v128.const i32x4 0x00000000")
    assert instr_text(I("f32.const", 0x3FC00000)) == "f32.const 1.5"


def test_dump_every_suite_module_of_a_script() -> None:
    folder = need_suite("json", "simd_lane")
    for path in sorted(folder.glob("*.wasm")):
        data = path.read_bytes()
        try:
            m = decode(data)
        except DecodeError:  # malformed ones are not dumped
            continue
        text = dump(m, data)
        assert text.count("\n") > 3
    m = decode((folder / "simd_lane.0.wasm").read_bytes())
    assert encode(m)  # dumping changed nothing
