"""LEB128 readers and writers: shortest encodings, padded encodings, and the spec's limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wasmlab.binary.leb128 import (
    read_s32,
    read_s33,
    read_s64,
    read_signed,
    read_u32,
    read_u64,
    read_unsigned,
    signed,
    write_s32,
    write_s33,
    write_s64,
    write_signed,
    write_u32,
    write_u64,
    write_unsigned,
)
from wasmlab.errors import DecodeError


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (624485, "e58e26"),
        (0xFFFFFFFF, "ffffffff0f"),
    ],
)
def test_unsigned_known_encodings(value: int, encoded: str) -> None:
    raw = bytes.fromhex(encoded)
    assert write_u32(value) == raw
    assert read_u32(raw, 0) == (value, len(raw))


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "00"),
        (-1, "7f"),
        (63, "3f"),
        (64, "c000"),
        (-64, "40"),
        (-65, "bf7f"),
        (-123456, "c0bb78"),
        (0x7FFFFFFF, "ffffffff07"),
        (-0x80000000, "8080808078"),
    ],
)
def test_signed_known_encodings(value: int, encoded: str) -> None:
    raw = bytes.fromhex(encoded)
    assert write_s32(value) == raw
    assert read_s32(raw, 0) == (value, len(raw))


def test_read_at_position_returns_next_position() -> None:
    data = b"\xaa\xe5\x8e\x26\xbb"
    assert read_u32(data, 1) == (624485, 4)
    assert read_signed(data, 1, 64) == (624485, 4)  # 0x26 has its sign bit (0x40) clear
    assert read_signed(b"\x00\xe5\x8e\x66", 1, 64) == (624485 - (1 << 20), 4)


@pytest.mark.parametrize(
    ("encoded", "value"),
    [
        ("8000", 0),
        ("ff00", 127),
        ("8080808000", 0),
        ("ffffffff0f", 0xFFFFFFFF),
        ("8180808000", 1),
    ],
)
def test_padded_unsigned_are_accepted(encoded: str, value: int) -> None:
    raw = bytes.fromhex(encoded)
    assert read_u32(raw, 0) == (value, len(raw))


@pytest.mark.parametrize(
    ("encoded", "value"),
    [
        ("ff7f", -1),
        ("ffffffff7f", -1),
        ("8080808078", -0x80000000),
        ("8080808000", 0),
    ],
)
def test_padded_signed_are_accepted(encoded: str, value: int) -> None:
    raw = bytes.fromhex(encoded)
    assert read_s32(raw, 0) == (value, len(raw))


@pytest.mark.parametrize(
    ("reader", "encoded", "message", "offset"),
    [
        # u32: at most 5 bytes, and the 5th byte carries only 4 bits
        (read_u32, "808080808000", "integer representation too long", 5),
        (read_u32, "8080808010", "integer too large", 4),
        (read_u32, "ffffffff1f", "integer too large", 4),
        (read_u32, "8280808070", "integer too large", 4),
        # s32: the 5th byte's unused bits must copy the sign bit
        (read_s32, "8080808070", "integer too large", 4),
        (read_s32, "ffffffff0f", "integer too large", 4),
        (read_s32, "8080808040", "integer too large", 4),
        (read_s32, "ffffffff4f", "integer too large", 4),
        (read_s32, "ffffffffff7f", "integer representation too long", 5),
        # s33: the 5th byte carries 5 bits
        (read_s33, "8080808020", "integer too large", 4),
        (read_s33, "808080805f", "integer too large", 4),
        # u64 / s64: at most 10 bytes
        (read_u64, "8080808080808080808000", "integer representation too long", 10),
        (read_u64, "80808080808080808002", "integer too large", 9),
        (read_s64, "80808080808080808001", "integer too large", 9),
        (read_s64, "ffffffffffffffffff41", "integer too large", 9),
        (read_s64, "8080808080808080807e", "integer too large", 9),
        (read_s64, "ffffffffffffffffffff7f", "integer representation too long", 10),
        # running off the end
        (read_u32, "", "unexpected end", 0),
        (read_u32, "80", "unexpected end", 1),
        (read_s64, "ffffff", "unexpected end", 3),
    ],
)
def test_limits(reader, encoded: str, message: str, offset: int) -> None:
    with pytest.raises(DecodeError) as info:
        reader(bytes.fromhex(encoded), 0)
    assert info.value.reason == message
    assert info.value.offset == offset


def test_limit_values_are_accepted() -> None:
    assert read_u32(bytes.fromhex("ffffffff0f"), 0)[0] == 0xFFFFFFFF
    assert read_s33(bytes.fromhex("ffffffff0f"), 0)[0] == 0xFFFFFFFF
    assert read_s33(bytes.fromhex("8080808070"), 0)[0] == -(1 << 32)
    assert read_u64(bytes.fromhex("ffffffffffffffffff01"), 0)[0] == (1 << 64) - 1
    assert read_s64(bytes.fromhex("ffffffffffffffffff00"), 0)[0] == (1 << 63) - 1
    assert read_s64(bytes.fromhex("8080808080808080807f"), 0)[0] == -(1 << 63)


def test_writers_reject_out_of_range() -> None:
    for bad in (-1, 1 << 32):
        with pytest.raises(ValueError):
            write_u32(bad)
    with pytest.raises(ValueError):
        write_s32(1 << 31)
    with pytest.raises(ValueError):
        write_s33(-(1 << 32) - 1)
    with pytest.raises(ValueError):
        write_u64(1 << 64)
    with pytest.raises(ValueError):
        write_s64(-(1 << 63) - 1)


def test_padded_writes() -> None:
    assert write_unsigned(0, 32, size=5) == bytes.fromhex("8080808000")
    assert write_unsigned(3, 32, size=2) == bytes.fromhex("8300")
    assert write_signed(-1, 32, size=5) == bytes.fromhex("ffffffff7f")
    assert write_signed(1, 64, size=3) == bytes.fromhex("818000")
    with pytest.raises(ValueError):
        write_unsigned(0, 32, size=6)  # longer than a u32 may be
    with pytest.raises(ValueError):
        write_unsigned(1000, 32, size=1)  # shorter than the value needs


def test_signed_helper() -> None:
    assert signed(0xFFFFFFFF, 32) == -1
    assert signed(0x7FFFFFFF, 32) == 0x7FFFFFFF
    assert signed(1 << 63, 64) == -(1 << 63)


@given(st.integers(0, (1 << 32) - 1))
def test_u32_round_trip(x: int) -> None:
    raw = write_u32(x)
    assert read_u32(raw, 0) == (x, len(raw))
    assert len(raw) == max(1, -(-x.bit_length() // 7))


@given(st.integers(0, (1 << 64) - 1))
def test_u64_round_trip(x: int) -> None:
    raw = write_u64(x)
    assert read_u64(raw, 0) == (x, len(raw))


@given(st.integers(-(1 << 31), (1 << 31) - 1))
def test_s32_round_trip(x: int) -> None:
    raw = write_s32(x)
    assert read_s32(raw, 0) == (x, len(raw))
    # shortest: one byte less would not hold the value with its sign
    assert len(raw) == 1 or not -(1 << (7 * (len(raw) - 1) - 1)) <= x < (1 << (7 * (len(raw) - 1) - 1))


@given(st.integers(-(1 << 32), (1 << 32) - 1))
def test_s33_round_trip(x: int) -> None:
    raw = write_s33(x)
    assert read_s33(raw, 0) == (x, len(raw))


@given(st.integers(-(1 << 63), (1 << 63) - 1))
def test_s64_round_trip(x: int) -> None:
    raw = write_s64(x)
    assert read_s64(raw, 0) == (x, len(raw))


@given(st.integers(0, (1 << 32) - 1), st.integers(1, 5))
def test_padded_u32_round_trip(x: int, size: int) -> None:
    try:
        raw = write_unsigned(x, 32, size=size)
    except ValueError:
        return
    assert len(raw) == size
    assert read_unsigned(raw, 0, 32) == (x, size)


@given(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(1, 10))
def test_padded_s64_round_trip(x: int, size: int) -> None:
    try:
        raw = write_signed(x, 64, size=size)
    except ValueError:
        return
    assert len(raw) == size
    assert read_signed(raw, 0, 64) == (x, size)


@given(st.binary(max_size=12))
def test_readers_raise_only_decode_errors(data: bytes) -> None:
    for reader in (read_u32, read_u64, read_s32, read_s33, read_s64):
        try:
            value, pos = reader(data, 0)
        except DecodeError:
            continue
        assert 0 < pos <= len(data)
