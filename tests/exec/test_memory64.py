"""memory64 and table64: i64 addresses through text, binary, validation and the machine,
with a lazily committed memory above 4 GiB (declaring it costs nothing until touched)."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.binary import decode, encode
from wasmlab.errors import ValidationError
from wasmlab.syntax.features import ALL, CORE_2_0
from wasmlab.text import parse_module, print_wat
from wasmlab.valid import validate

GIB = 1 << 30

WAT = """
(module
  (memory (export "mem") i64 65537 65600)
  (table $t i64 4 funcref)
  (data (i64.const 0x1_0000_0000) "hi")
  (elem (table $t) (i64.const 1) func $load)
  (func $load (export "load") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i64 i32) (i32.store offset=0x10 (local.get 0) (local.get 1)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "tsize") (result i64) (table.size $t))
  (func (export "call") (param i64 i64) (result i32)
    (call_indirect $t (param i64) (result i32) (local.get 0) (local.get 1)))
)
"""


def test_text_binary_and_printer_round_trip() -> None:
    module = parse_module(WAT)
    validate(module, features=ALL)
    assert module.mems[0].type.limits.is64 and module.tables[0].type.limits.is64
    data = encode(module)
    again = decode(data, features=ALL)
    assert again.mems[0].type == module.mems[0].type
    assert again.tables[0].type == module.tables[0].type
    assert encode(again) == data
    printed = print_wat(module)
    assert "(memory (;0;) i64 65537 65600)" in printed or "i64 65537 65600" in printed
    assert encode(parse_module(printed)) == data


def test_2_0_refuses_64_bit_memories() -> None:
    module = parse_module(WAT)
    with pytest.raises(ValidationError, match="memory64"):
        validate(module, features=CORE_2_0)
    with pytest.raises(wasmlab.WasmError):
        decode(encode(module), features=CORE_2_0)


def test_addresses_above_4_gib() -> None:
    limits = wasmlab.Limits(max_memory=8 * GIB, max_store_memory=8 * GIB)
    inst = wasmlab.load(WAT, features="all", limits=limits)
    ex = inst.exports
    assert ex["size"]() == 65537
    assert ex["load"](0x1_0000_0000) == ord("h")
    assert ex["load"](0x1_0000_0001) == ord("i")
    ex["store"](0x1_0000_0000, 0x01020304)
    assert ex["load"](0x1_0000_0010) == 4
    with pytest.raises(wasmlab.Trap, match="out of bounds memory access"):
        ex["load"](65537 * 65536)
    with pytest.raises(wasmlab.Trap, match="out of bounds memory access"):
        ex["load"](0xFFFF_FFFF_FFFF_FFFF)
    with pytest.raises(wasmlab.Trap, match="out of bounds memory access"):
        ex["store"](0xFFFF_FFFF_FFFF_FFF8, 1)  # the effective address passes 2^64
    assert ex["grow"](1 << 40) == -1  # the API gives i64 results signed
    assert ex["tsize"]() == 4
    assert ex["call"](0x1_0000_0001, 1) == ord("i")
    with pytest.raises(wasmlab.Trap):
        ex["call"](0, 1 << 40)
