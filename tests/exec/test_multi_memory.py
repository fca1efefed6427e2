"""Multi-memory: a memory index on every memory instruction and data segment, in binary
(flag bit 6 of the alignment), text (`i32.load $m offset=4`) and execution; 2.0 refuses it."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.binary import decode
from wasmlab.errors import DecodeError, Trap, ValidationError
from wasmlab.syntax.features import ALL
from wasmlab.text import parse_module, print_wat

SRC = """(module
  (memory $a 1)
  (memory $b 1 2)
  (memory $c 0)
  (data (memory $b) (i32.const 16) "\\01\\02\\03\\04")
  (data $p "hello")
  (func (export "store_b") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "load_b") (param i32) (result i32) (i32.load 1 offset=16 (local.get 0)))
  (func (export "copy_b_to_a") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_b") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init_c") (param i32) (memory.init $c $p (local.get 0) (i32.const 0) (i32.const 5)))
  (func (export "sizes") (result i32 i32 i32) (memory.size $a) (memory.size $b) (memory.size $c))
  (func (export "grow") (param i32 i32) (result i32) (memory.grow $c (local.get 1)))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "v128") (result i64)
    (v128.store $c offset=8 (i32.const 0) (v128.load $b (i32.const 16)))
    (i64x2.extract_lane 0 (v128.load8_lane $c 1 (i32.const 9) (v128.const i64x2 0 0))))
  (export "a" (memory $a)) (export "b" (memory $b)) (export "c" (memory $c)))
"""


def load() -> wasmlab.Instance:
    return wasmlab.load(SRC, features="multi-memory")


def test_each_instruction_uses_its_memory() -> None:
    inst = load()
    e = inst.exports
    assert e.load_b(0) == 0x04030201  # the data segment went to memory 1
    assert e.load_a(16) == 0
    e.store_b(100, 0x11223344)
    assert e.load_a(100) == 0
    e.copy_b_to_a(0, 100, 4)
    assert e.load_a(0) == 0x11223344
    e.fill_b(0, 0xAB, 2)
    assert bytes(e.b.data[:3]) == b"\xab\xab\x00" and bytes(e.a.data[:2]) == b"\x44\x33"
    assert e.sizes() == (1, 1, 0)
    with pytest.raises(Trap, match="out of bounds memory access"):
        e.init_c(0)  # memory $c has no pages yet
    assert e.grow(0, 1) == 0 and e.sizes() == (1, 1, 1)
    e.init_c(3)
    assert bytes(e.c.data[3:8]) == b"hello"
    assert e.grow_b(1) == 1 and e.grow_b(1) == -1  # $b's maximum is 2 pages
    assert e.sizes() == (1, 2, 1)


def test_simd_with_a_memory_index() -> None:
    e = load().exports
    e.grow(0, 1)
    got = e.v128()
    assert bytes(e.c.data[8:12]) == b"\x01\x02\x03\x04"
    assert got == 0x0200  # lane 1 loaded from $c at 9


def test_out_of_bounds_copy_between_memories_traps_before_writing() -> None:
    e = load().exports
    with pytest.raises(Trap, match="out of bounds"):
        e.copy_b_to_a(0, 65535, 2)
    assert bytes(e.a.data[:4]) == bytes(4)


def test_binary_form_and_round_trips() -> None:
    m = parse_module(SRC)
    data = wasmlab.encode(m)
    assert bytes([0x28, 0x42, 0x01, 0x10]) in data  # i32.load: align 2 | 0x40, memory 1, offset 16
    assert bytes([0xFC, 0x0A, 0x00, 0x01]) in data  # memory.copy $a $b
    back = decode(data, features=ALL)
    assert wasmlab.encode(back) == data
    text = print_wat(back)
    assert "i32.load 1 offset=16" in text and "memory.copy 0 1" in text and "memory.init 2 1" in text
    assert wasmlab.encode(parse_module(text)) == data


def test_plain_2_0_refuses_it() -> None:
    data = wasmlab.encode(parse_module(SRC))
    with pytest.raises(DecodeError, match="malformed memop flags"):
        decode(data, features=frozenset())  # in 2.0, alignment flag bit 6 is not a memory-index marker
    size1 = wasmlab.encode(parse_module("(module (memory 1) (memory 1) (func (drop (memory.size 1))))"))
    with pytest.raises(DecodeError, match="zero byte expected"):
        decode(size1, features=frozenset())  # memory.size's immediate is a reserved zero byte in 2.0
    with pytest.raises(ValidationError, match="multiple memories.*multi-memory feature"):
        wasmlab.load(SRC, features="2.0")
    with pytest.raises(ValidationError, match="unknown memory 1"):
        wasmlab.load("(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("(memory 1) (func (drop (i32.load 1 (i32.const 0))))", "unknown memory 1"),
        ("(memory 1) (func (drop (memory.size 3)))", "unknown memory 3"),
        ("(memory 1) (func (memory.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0)))", "unknown memory 1"),
        ('(memory 1) (data $d "") (func (memory.init 1 $d (i32.const 0) (i32.const 0) (i32.const 0)))',
         "unknown memory 1"),
        ("(memory 1) (memory 1) (func (drop (i32.load 1 align=8 (i32.const 0))))", "alignment"),
        ('(memory 1) (data (memory 2) (i32.const 0) "")', "unknown memory 2"),
    ],
)  # fmt: skip
def test_invalid_memory_indices(body: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        wasmlab.parse(f"(module {body})", features="all")


def test_memories_imported_from_another_instance() -> None:
    lib = load()
    user = wasmlab.load(
        """(module (import "lib" "a" (memory 1)) (import "lib" "b" (memory 1))
          (func (export "f") (result i32) (i32.add (i32.load8_u 0 (i32.const 0)) (i32.load8_u 1 (i32.const 16)))))""",
        {"lib": lib.exports},
        features="multi-memory",
    )
    lib.exports.a.data[0] = 40
    assert user.exports.f() == 41
