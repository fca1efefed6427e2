"""Numeric literals: integer ranges, floats rounded exactly, and exact printing."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmlab.text import numbers as N
from wasmlab.text.numbers import F32, F64, format_float, hex_float, parse_float, parse_int, parse_uint


def exact(text: str, fmt: N.FloatFormat) -> int:
    """The slow, exact path only (no help from Python's float conversions)."""
    neg = text[0] == "-"
    body = text.lstrip("+-").replace("_", "")
    bits = N._hex_float(body[2:], fmt) if body.startswith("0x") else N._decimal_float(body, fmt)
    return bits | (fmt.sign if neg else 0)


def test_integer_ranges() -> None:
    assert parse_int("-1", 32) == 0xFFFFFFFF
    assert parse_int("-0x80000000", 32) == 0x80000000
    assert parse_int("0xffff_ffff", 32) == 0xFFFFFFFF
    assert parse_int("+42", 64) == 42
    assert parse_int("-128", 8) == 0x80
    assert parse_int("255", 8) == 0xFF
    for text, bits in [
        ("4294967296", 32),
        ("-2147483649", 32),
        ("-129", 8),
        ("256", 8),
        ("18446744073709551616", 64),
    ]:
        with pytest.raises(ValueError, match="constant out of range"):
            parse_int(text, bits)
    assert parse_uint("0x1_0000", 32) == 0x10000
    with pytest.raises(ValueError):
        parse_uint("4294967296", 32)


@pytest.mark.parametrize(
    "text,fmt,bits",
    [
        ("0", F32, 0),
        ("-0", F32, 0x80000000),
        ("1", F32, 0x3F800000),
        ("0.1", F32, 0x3DCCCCCD),
        ("0x1p-149", F32, 1),
        ("0x1p-150", F32, 0),  # halfway to the smallest subnormal: ties to even (zero)
        ("0x1.8p-149", F32, 2),  # 1.5 ulp: ties to even (two)
        ("0x1.fffffep127", F32, 0x7F7FFFFF),
        ("0x1.fffffefffffffffffp127", F32, 0x7F7FFFFF),  # just below the overflow edge
        ("3.4028235677973366e38", F32, 0x7F7FFFFF),  # decimal just below the edge
        ("1.1754942e-38", F32, 0x007FFFFF),
        ("inf", F32, 0x7F800000),
        ("-inf", F64, 0xFFF0000000000000),
        ("nan", F32, 0x7FC00000),
        ("-nan", F64, 0xFFF8000000000000),
        ("nan:0x1", F32, 0x7F800001),
        ("-nan:0x7f_ffff", F32, 0xFFFFFFFF),
        ("nan:0xf_ffff_ffff_ffff", F64, 0x7FFFFFFFFFFFFFFF),
        ("0x1p-1074", F64, 1),
        ("4.9406564584124654e-324", F64, 1),
        ("2.4703282292062327e-324", F64, 0),  # below half the smallest subnormal
        ("1.7976931348623157e308", F64, 0x7FEFFFFFFFFFFFFF),
        ("0x1.fffffffffffff7ffp1023", F64, 0x7FEFFFFFFFFFFFFF),
        ("1_000.000_1", F64, struct.unpack("<Q", struct.pack("<d", 1000.0001))[0]),
    ],
)
def test_float_literals(text: str, fmt: N.FloatFormat, bits: int) -> None:
    assert parse_float(text, fmt) == bits


@pytest.mark.parametrize(
    "text,fmt",
    [
        ("1e39", F32),
        ("0x1p128", F32),
        ("0x1.ffffffp127", F32),  # exactly on the edge: rounds to infinity
        ("3.4028235677973367e38", F32),
        ("1e309", F64),
        ("0x1.fffffffffffff8p1023", F64),
        ("0x1p100000000000", F64),
        ("nan:0x0", F32),
        ("nan:0x800000", F32),
        ("nan:0x10000000000000", F64),
    ],
)
def test_float_out_of_range(text: str, fmt: N.FloatFormat) -> None:
    with pytest.raises(ValueError, match="constant out of range"):
        parse_float(text, fmt)


def test_tiny_and_huge_exponents_are_fast() -> None:
    assert parse_float("1e-100000000000", F64) == 0
    assert parse_float("0x1p-100000000000", F32) == 0
    assert exact("1e-100000000000", F64) == 0
    with pytest.raises(ValueError):
        exact("0x1p+99999999999", F32)


decimals = st.builds(
    lambda m, e: f"{m}e{e}",
    st.integers(min_value=0, max_value=10**40),
    st.integers(min_value=-360, max_value=320),
)
hexes = st.builds(
    lambda m, e: f"0x{m:x}p{e}",
    st.integers(min_value=0, max_value=2**90),
    st.integers(min_value=-1200, max_value=1030),
)


def halfway(bits: int) -> str:
    """A literal exactly halfway between the f32 `bits` and the next one up."""
    y = struct.unpack("<f", struct.pack("<I", bits))[0]
    n = struct.unpack("<f", struct.pack("<I", bits + 1))[0] if bits + 1 < 0x7F800000 else 2.0**128
    return ((y + n) / 2).hex()


@settings(max_examples=400, deadline=None)
@given(st.one_of(decimals, hexes, st.integers(min_value=0, max_value=0x7F7FFFFF).map(halfway)))
def test_fast_path_agrees_with_exact_rounding(text: str) -> None:
    for fmt in (F32, F64):
        try:
            fast = parse_float(text, fmt)
        except ValueError:
            fast = None
        try:
            slow = exact(text, fmt)
        except ValueError:
            slow = None
        assert fast == slow, (text, fmt.bits)


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_f32_printing_round_trips(bits: int) -> None:
    text = format_float(bits, F32)
    assert parse_float(text, F32) == bits, text


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_f64_printing_round_trips(bits: int) -> None:
    text = format_float(bits, F64)
    assert parse_float(text, F64) == bits, text


def test_printing_forms() -> None:
    assert format_float(0x3F800000, F32) == "1.0"
    assert format_float(0x3DCCCCCD, F32) == "0.1"
    assert format_float(0xFFC00000, F32) == "-nan"
    assert format_float(0x7F800001, F32) == "nan:0x1"
    assert format_float(0x7FF0000000000000, F64) == "inf"
    assert format_float(0x8000000000000000, F64) == "-0.0"
    assert hex_float(0x3FC00000, F32) == "0x1.8p+0"
    assert hex_float(1, F32) == "0x0.000002p-126"
    assert parse_float(hex_float(1, F32), F32) == 1
