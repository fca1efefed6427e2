"""Values as gdb prints them, from the location kinds a -O2 build uses: constants in pieces,
a piece optimized out (that member shows <optimized out>), 64-bit constants, an operand
stack slot counted from the frame's stack bottom (location expressions parsed by pyelftools
from bytes written here: DW_OP_* opcodes of DWARF 5, 7.7.1)."""

from __future__ import annotations

from elftools.dwarf.dwarf_expr import DWARFExprParser
from elftools.dwarf.structs import DWARFStructs

from wasmlab.dwarf import CType, CValue, evaluate
from wasmlab.dwarf.types import ATE_SIGNED

INT = CType("base", "int", 4, ATE_SIGNED)
LONG_LONG = CType("base", "long long", 8, ATE_SIGNED)
FRAC = CType("struct", "frac", 8, members=[("num", 0, INT), ("den", 4, INT)])
PARSER = DWARFExprParser(DWARFStructs(little_endian=True, dwarf_format=32, address_size=4))


class Frame:
    """A paused frame: locals 7 and -1 (an i64), operand stack [10, 20] (bottom first)."""

    def local(self, index: int) -> int:
        return [7, (1 << 64) - 1][index]

    def global_value(self, index: int) -> int:
        return 0

    def stack_slot(self, index: int) -> int:
        return [10, 20][index]

    def read(self, address: int, size: int) -> bytes:
        return bytes(size)


def value(t: CType, code: bytes) -> str:
    return CValue(t, evaluate(PARSER.parse_expr(list(code)), Frame()), Frame()).text


def test_pieces_constants_and_stack_slots() -> None:
    lit12, lit18, stack_value, piece4 = 0x3C, 0x42, 0x9F, b"\x93\x04"
    assert value(FRAC, bytes([lit12, stack_value]) + piece4 + bytes([lit18, stack_value]) + piece4) == (
        "{num = 12, den = 18}"
    )
    assert value(FRAC, bytes([lit12, stack_value]) + piece4 + piece4) == "{num = 12, den = <optimized out>}"
    assert value(FRAC, piece4 + piece4) == "<optimized out>"
    consts_big = bytes([0x11]) + bytes.fromhex("b4f693f0885c")  # DW_OP_consts -1234567890124 (sleb128)
    assert value(LONG_LONG, consts_big + bytes([stack_value])) == "-1234567890124"
    wasm_local_1 = bytes([0xED, 0x00, 0x01])  # DW_OP_WASM_location local 1 (an i64 -1)
    plus_minus_one = bytes([0x23]) + bytes.fromhex("ffffffff0f")  # DW_OP_plus_uconst 0xffffffff
    assert value(LONG_LONG, wasm_local_1 + plus_minus_one + bytes([stack_value])) == "-2"
    assert value(INT, bytes([0xED, 0x02, 0x00, stack_value])) == "10"  # operand stack slot 0: the bottom
    assert value(INT, bytes([0xED, 0x02, 0x01, stack_value])) == "20"
