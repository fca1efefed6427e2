"""Immediates in every LEB128 length the decoder reads inline and beyond: the same values,
offsets and errors whatever the encoding's length (shortest, padded, too long, too large),
with and without the 3.0 features. The cycle collector is on again after decoding."""

from __future__ import annotations

import gc

import pytest

from wasmlab.binary import decode
from wasmlab.binary.leb128 import write_signed, write_unsigned
from wasmlab.errors import DecodeError
from wasmlab.syntax.features import ALL, CORE_2_0

from .builders import one_func, section, vec

FEATURES = [CORE_2_0, ALL]
MEMORY = section(5, vec([b"\x00\x01"]))


def _body(fn: bytes, features: frozenset[str]) -> list[tuple[str, object, int | None]]:
    m = decode(fn, features=features)
    return [(i.op.name, i.imm, i.offset) for i in m.funcs[0].body]


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("value", [0, 1, 63, 64, 127])
def test_local_index_any_length(features: frozenset[str], size: int, value: int) -> None:
    groups = b"\x01\x80\x01\x7f"  # 128 locals of i32
    code = b"\x20" + write_unsigned(value, 32, size=size) + b"\x1a\x0b"
    body = _body(one_func(code, local_groups=groups), features)
    assert body[0][:2] == ("local.get", value)
    assert body[1][0] == "drop" and body[1][2] == body[0][2] + 1 + size


def _fitting(bits: int, sizes: list[int], values: list[int]) -> list[tuple[int, int]]:
    """The (size, value) pairs whose signed LEB128 encoding can be that long."""
    out = []
    for size in sizes:
        for value in values:
            try:
                write_signed(value, bits, size=size)
            except ValueError:
                continue
            out.append((size, value))
    return out


I32_CASES = _fitting(
    32, [1, 2, 3, 4, 5], [0, 1, 63, 64, -1, -64, -65, 0x7FFF, -(1 << 20), (1 << 31) - 1, -(1 << 31)]
)
I64_CASES = _fitting(
    64, [1, 2, 5, 9, 10], [0, -1, 64, -65, (1 << 40) + 3, -(1 << 62), (1 << 63) - 1, -(1 << 63)]
)


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize(("size", "value"), I32_CASES)
def test_i32_const_any_length(features: frozenset[str], size: int, value: int) -> None:
    enc = write_signed(value, 32, size=size)
    body = _body(one_func(b"\x41" + enc + b"\x0b", result=b"\x7f"), features)
    assert body[0][:2] == ("i32.const", value & 0xFFFFFFFF)
    assert body[1][2] == body[0][2] + 1 + size


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize(("size", "value"), I64_CASES)
def test_i64_const_any_length(features: frozenset[str], size: int, value: int) -> None:
    enc = write_signed(value, 64, size=size)
    body = _body(one_func(b"\x42" + enc + b"\x0b", result=b"\x7e"), features)
    assert body[0][:2] == ("i64.const", value & 0xFFFFFFFFFFFFFFFF)


@pytest.mark.parametrize("features", FEATURES)
@pytest.mark.parametrize(("align", "offset"), [(0, 0), (2, 127), (2, 128), (31, 5), (1, 0xFFFFFFFF)])
def test_memarg_any_length(features: frozenset[str], align: int, offset: int) -> None:
    code = b"\x41\x00\x28" + write_unsigned(align, 32) + write_unsigned(offset, 32) + b"\x0b"
    body = _body(one_func(code, result=b"\x7f", extra=MEMORY), features)
    assert body[1][:2] == ("i32.load", (align, offset, 0))


@pytest.mark.parametrize(
    ("features", "code", "reason", "offset"),
    [
        # a u32 index: too large in its fifth byte, too long in its sixth
        (CORE_2_0, b"\x20\x80\x80\x80\x80\x10\x0b", "integer too large", 5),
        (ALL, b"\x20\x80\x80\x80\x80\x80\x00\x0b", "integer representation too long", 6),
        # an s32 constant whose fifth byte's unused bits are not the sign's
        (CORE_2_0, b"\x41\x80\x80\x80\x80\x70\x0b", "integer too large", 5),
        (ALL, b"\x41\xff\xff\xff\xff\x0f\x0b", "integer too large", 5),
        (CORE_2_0, b"\x41\x80\x80\x80\x80\x80\x00\x0b", "integer representation too long", 6),
        # an s64 constant: too large in its tenth byte
        (ALL, b"\x42" + b"\x80" * 9 + b"\x02\x0b", "integer too large", 10),
        # memory arguments: bit 6 without multi-memory; an alignment from 2^7
        (CORE_2_0, b"\x41\x00\x28\x40\x00\x0b", "malformed memop flags", 3),
        (ALL, b"\x41\x00\x28\x80\x01\x00\x0b", "malformed memop flags", 4),
        # the body ends inside an immediate
        (ALL, b"\x20\x80", "unexpected end", None),
        (ALL, b"\x41\xff", "unexpected end", None),
    ],
)
def test_malformed_immediates(features: frozenset[str], code: bytes, reason: str, offset: int | None) -> None:
    groups = b"\x01\x01\x7f"
    data = one_func(code, local_groups=groups, extra=MEMORY)
    with pytest.raises(DecodeError) as info:
        decode(data, features=features)
    assert info.value.reason.startswith(reason)
    if offset is not None:
        code_at = data.index(code)
        assert info.value.offset == code_at + offset
    assert gc.isenabled()


def test_cycle_collector_kept_as_it_was() -> None:
    data = one_func(b"\x0b")
    decode(data)
    assert gc.isenabled()
    gc.disable()
    try:
        decode(data)
        assert not gc.isenabled()
    finally:
        gc.enable()
