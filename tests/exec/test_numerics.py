"""Exact numerics: the table's coverage, the hard cases, and random cross-checks against an exact
rational reference (fractions) and, when installed, numpy's float32/float64."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wasmlab.errors import Trap, WasmError
from wasmlab.exec.numerics import (
    NUMERIC,
    default_value,
    f32_from_bits,
    f32_round,
    f32_to_bits,
    f64_from_bits,
    f64_to_bits,
    to_signed32,
    to_signed64,
)
from wasmlab.syntax.opcodes import ALL_OPS
from wasmlab.syntax.types import ValType

N = NUMERIC
F32_MAX = f32_from_bits(0x7F7F_FFFF)
F32_MIN_SUB = f32_from_bits(1)
F32_MIN_NORMAL = f32_from_bits(0x0080_0000)
INF = math.inf


def b32(x: float) -> int:
    return f32_to_bits(x)


def b64(x: float) -> int:
    return f64_to_bits(x)


def h32(h: str) -> float:
    """An f32 from a C99 hex float literal, checked to be exact."""
    x = float.fromhex(h)
    assert f32_round(x) == x
    return x


def is_arith_nan32(x: float) -> bool:
    return b32(x) & 0x7FC0_0000 == 0x7FC0_0000


def is_canon_nan32(x: float) -> bool:
    return b32(x) & 0x7FFF_FFFF == 0x7FC0_0000


def is_arith_nan64(x: float) -> bool:
    return b64(x) & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000


def is_canon_nan64(x: float) -> bool:
    return b64(x) & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000


def traps(kind: str, op: str, *args: int | float) -> None:
    with pytest.raises(Trap) as info:
        N[op](*args)
    assert info.value.kind == kind


# --- the table -------------------------------------------------------------------------------


def _plain_numeric_names() -> set[str]:
    names = set()
    for op in ALL_OPS:
        if op.params is None or not op.name.startswith(("i32.", "i64.", "f32.", "f64.")):
            continue
        if op.imm != "none" or op.name.endswith(".const"):  # loads/stores (memarg), consts
            continue
        names.add(op.name)
    return names


def test_table_covers_exactly_the_plain_numeric_ops() -> None:
    expected = _plain_numeric_names()
    # i32 31, i64 32, f32 20, f64 20, conversions 25 (0xa7-0xbf), saturating truncations 8
    assert len(expected) == 136
    assert set(NUMERIC) == expected


def test_table_arities_match_the_opcode_table() -> None:
    import inspect

    by_name = {op.name: op for op in ALL_OPS}
    for name, fn in NUMERIC.items():
        op = by_name[name]
        assert len(inspect.signature(fn).parameters) == len(op.params), name
        assert op.results is not None and len(op.results) == 1


def test_results_have_the_result_type() -> None:
    samples = {
        ValType.I32: [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 5],
        ValType.I64: [0, 1, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 7],
        ValType.F32: [0.0, -0.0, 1.5, -2.5, F32_MAX, F32_MIN_SUB, INF, -INF, f32_from_bits(0x7FC0_0000)],
        ValType.F64: [0.0, -0.0, 1.5, -2.5, 1e300, 5e-324, INF, -INF, math.nan],
    }
    by_name = {op.name: op for op in ALL_OPS}
    for name, fn in NUMERIC.items():
        op = by_name[name]
        (rt,) = op.results
        for i in range(6):
            args = [samples[p][(i + k) % len(samples[p])] for k, p in enumerate(op.params)]
            try:
                r = fn(*args)
            except Trap:
                continue
            if rt in (ValType.I32, ValType.I64):
                assert type(r) is int and 0 <= r < 1 << (32 if rt == ValType.I32 else 64), (name, args, r)
            else:
                assert type(r) is float, (name, args, r)
                if rt == ValType.F32 and r == r:
                    assert f32_round(r) == r, (name, args, r)


# --- value helpers ---------------------------------------------------------------------------


def test_signed_views() -> None:
    assert to_signed32(0xFFFF_FFFF) == -1
    assert to_signed32(0x8000_0000) == -(2**31)
    assert to_signed32(0x7FFF_FFFF) == 2**31 - 1
    assert to_signed64(0xFFFF_FFFF_FFFF_FFFF) == -1
    assert to_signed64(0x8000_0000_0000_0000) == -(2**63)
    assert to_signed64(5) == 5


def test_default_values() -> None:
    assert default_value(ValType.I32) == 0 and type(default_value(ValType.I32)) is int
    assert default_value(ValType.I64) == 0
    assert b64(default_value(ValType.F32)) == 0  # +0.0, not -0.0
    assert b64(default_value(ValType.F64)) == 0
    assert default_value(ValType.V128) == 0
    assert default_value(ValType.FUNCREF) is None
    assert default_value(ValType.EXTERNREF) is None
    with pytest.raises(WasmError):
        default_value(0x42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bits",
    [0, 0x8000_0000, 1, 0x807F_FFFF, 0x3F80_0000, 0x7F7F_FFFF, 0x7F80_0000, 0xFF80_0000,
     0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FA0_0000, 0x7FFF_FFFF, 0xFFBF_FFFF],
)  # fmt: skip
def test_f32_bits_round_trip(bits: int) -> None:
    x = f32_from_bits(bits)
    assert f32_to_bits(x) == bits
    assert N["i32.reinterpret_f32"](N["f32.reinterpret_i32"](bits)) == bits


def test_f32_nan_encoding_in_the_double() -> None:
    # payload and quiet bit sit in the top of the double's mantissa; sNaN stays signalling
    assert b64(f32_from_bits(0x7FA0_0001)) == 0x7FF4_0000_2000_0000
    assert b64(f32_from_bits(0xFFC0_0000)) == 0xFFF8_0000_0000_0000
    # a double NaN with only low payload bits still reads back as an f32 NaN
    assert math.isnan(f32_from_bits(f32_to_bits(f64_from_bits(0x7FF0_0000_0000_0001))))
    assert f32_to_bits(f64_from_bits(0x7FF0_0000_0000_0001)) & 0x7F80_0000 == 0x7F80_0000
    # a double that is no f32 is rounded, never a Python exception
    assert f32_to_bits(1e300) == 0x7F80_0000 and f32_to_bits(-1e300) == 0xFF80_0000
    assert f32_to_bits(0.1) == 0x3DCC_CCCD


@pytest.mark.parametrize(
    "bits", [0, 1 << 63, 1, 0x7FF0_0000_0000_0000, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_1234]
)
def test_f64_bits_round_trip(bits: int) -> None:
    assert f64_to_bits(f64_from_bits(bits)) == bits
    assert N["i64.reinterpret_f64"](N["f64.reinterpret_i64"](bits)) == bits


def test_f32_round() -> None:
    assert f32_round(1.0 + 2.0**-24) == 1.0  # tie to even (down)
    assert f32_round(1.0 + 3 * 2.0**-24) == 1.0 + 2.0**-22  # tie to even (up)
    assert f32_round(1.0 + 2.0**-24 + 2.0**-50) == 1.0 + 2.0**-23
    assert f32_round(float.fromhex("0x1.fffffefffffffp127")) == F32_MAX
    assert f32_round(float.fromhex("0x1.ffffffp127")) == INF  # halfway to 2**128: even is up
    assert f32_round(-1e300) == -INF
    assert f32_round(2.0**-150) == 0.0  # tie between 0 and the least subnormal: even is 0
    assert f32_round(3 * 2.0**-150) == 2.0**-148
    assert b64(f32_round(-(2.0**-151))) == 1 << 63  # underflow keeps the sign
    assert math.isnan(f32_round(math.nan))


# --- integers --------------------------------------------------------------------------------


def test_integer_division_traps() -> None:
    for w, m in (("i32", 0xFFFF_FFFF), ("i64", 0xFFFF_FFFF_FFFF_FFFF)):
        smin = (m >> 1) + 1
        for op in ("div_s", "div_u", "rem_s", "rem_u"):
            traps("integer divide by zero", f"{w}.{op}", 1, 0)
            traps("integer divide by zero", f"{w}.{op}", 0, 0)
        traps("integer overflow", f"{w}.div_s", smin, m)
        assert N[f"{w}.rem_s"](smin, m) == 0
        assert N[f"{w}.div_u"](smin, m) == 0
        assert N[f"{w}.div_s"](m - 6, 2) == m - 2  # -7 / 2 = -3 (toward zero)
        assert N[f"{w}.rem_s"](m - 6, 2) == m  # -7 % 2 = -1 (sign of the dividend)
        assert N[f"{w}.rem_s"](7, m - 1) == 1  # 7 % -2 = 1
        assert N[f"{w}.div_s"](7, m - 1) == m - 2  # 7 / -2 = -3


def test_shifts_and_rotates_mask_the_count() -> None:
    assert N["i32.shl"](1, 33) == 2
    assert N["i32.shl"](1, 31) == 0x8000_0000
    assert N["i32.shr_s"](0x8000_0000, 31) == 0xFFFF_FFFF
    assert N["i32.shr_s"](0x8000_0000, 32) == 0x8000_0000
    assert N["i32.shr_u"](0x8000_0000, 63) == 1
    assert N["i32.rotl"](0x8000_0001, 1) == 3
    assert N["i32.rotr"](0x8000_0001, 1) == 0xC000_0000
    assert N["i32.rotl"](0x1234_5678, 32) == 0x1234_5678
    assert N["i32.rotr"](0x1234_5678, 0xFFFF_FFE0) == 0x1234_5678
    assert N["i64.shl"](1, 65) == 2
    assert N["i64.shr_s"](1 << 63, 0xFFFF_FFFF_FFFF_FFFF) == 0xFFFF_FFFF_FFFF_FFFF
    assert N["i64.rotl"](1 << 63, 1) == 1
    assert N["i64.rotr"](1, 1) == 1 << 63
    assert N["i64.rotl"](0xABCD, 64) == 0xABCD


def test_bit_counts() -> None:
    assert N["i32.clz"](0) == 32 and N["i64.clz"](0) == 64
    assert N["i32.ctz"](0) == 32 and N["i64.ctz"](0) == 64
    assert N["i32.clz"](1) == 31 and N["i32.ctz"](0x8000_0000) == 31
    assert N["i64.clz"](1) == 63 and N["i64.ctz"](1 << 63) == 63
    assert N["i32.popcnt"](0xFFFF_FFFF) == 32 and N["i64.popcnt"](0xFFFF_FFFF_FFFF_FFFF) == 64


def test_wrapping_arithmetic_and_comparisons() -> None:
    assert N["i32.add"](0xFFFF_FFFF, 1) == 0
    assert N["i32.sub"](0, 1) == 0xFFFF_FFFF
    assert N["i32.mul"](0x1_0001, 0x1_0001) == 0x2_0001
    assert N["i64.mul"](1 << 63, 2) == 0
    assert N["i32.lt_s"](0xFFFF_FFFF, 0) == 1 and N["i32.lt_u"](0xFFFF_FFFF, 0) == 0
    assert N["i64.ge_s"](0, 1 << 63) == 1 and N["i64.ge_u"](0, 1 << 63) == 0
    assert N["i32.eqz"](0) == 1 and N["i64.eqz"](1 << 63) == 0
    assert type(N["i32.eq"](1, 1)) is int  # not bool


def test_sign_extension() -> None:
    assert N["i32.extend8_s"](0x80) == 0xFFFF_FF80
    assert N["i32.extend8_s"](0x1234_567F) == 0x7F
    assert N["i32.extend16_s"](0xFFFF_8000) == 0xFFFF_8000
    assert N["i64.extend8_s"](0xFF) == 0xFFFF_FFFF_FFFF_FFFF
    assert N["i64.extend16_s"](0x7FFF) == 0x7FFF
    assert N["i64.extend32_s"](0x8000_0000) == 0xFFFF_FFFF_8000_0000
    assert N["i64.extend_i32_s"](0xFFFF_FFFF) == 0xFFFF_FFFF_FFFF_FFFF
    assert N["i64.extend_i32_u"](0xFFFF_FFFF) == 0xFFFF_FFFF
    assert N["i32.wrap_i64"](0x1_2345_6789_ABCD) == 0x6789_ABCD


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([32, 64]), st.data())
def test_signed_integer_ops_match_a_reference(bits: int, data: st.DataObject) -> None:
    mask, w = (1 << bits) - 1, f"i{bits}"
    signed = to_signed32 if bits == 32 else to_signed64
    edge = st.sampled_from([0, 1, mask, mask >> 1, (mask >> 1) + 1, 2, mask - 1])
    a = data.draw(st.one_of(edge, st.integers(0, mask)))
    b = data.draw(st.one_of(edge, st.integers(0, mask), st.integers(0, 200)))
    sa, sb = signed(a), signed(b)
    if sb != 0 and not (sa == -(1 << (bits - 1)) and sb == -1):
        q = abs(sa) // abs(sb) * (1 if (sa < 0) == (sb < 0) else -1)  # truncating division
        assert N[f"{w}.div_s"](a, b) == q & mask
        assert N[f"{w}.rem_s"](a, b) == (sa - q * sb) & mask
    k = b % bits
    assert N[f"{w}.shr_s"](a, b) == (sa >> k) & mask
    assert N[f"{w}.rotl"](a, b) == int(format(a, f"0{bits}b")[k:] + format(a, f"0{bits}b")[:k], 2)
    assert N[f"{w}.rotr"](N[f"{w}.rotl"](a, b), b) == a
    assert N[f"{w}.lt_s"](a, b) == (1 if sa < sb else 0)
    assert N[f"{w}.ge_s"](a, b) == (1 if sa >= sb else 0)
    assert N[f"{w}.clz"](a) == len(format(a, f"0{bits}b")) - len(format(a, f"0{bits}b").lstrip("0"))
    assert N[f"{w}.ctz"](a) == len(format(a, f"0{bits}b")) - len(format(a, f"0{bits}b").rstrip("0"))


# --- float bit operations ----------------------------------------------------------------------


@pytest.mark.parametrize("bits", [0x7FA0_0001, 0x7FC0_1234, 0xFF80_0001, 0x7F80_0000, 0x0000_0001, 0])
def test_f32_sign_ops_are_bit_ops(bits: int) -> None:
    x = f32_from_bits(bits)
    assert b32(N["f32.abs"](x)) == bits & 0x7FFF_FFFF
    assert b32(N["f32.neg"](x)) == bits ^ 0x8000_0000
    assert b32(N["f32.copysign"](x, -1.0)) == bits | 0x8000_0000
    assert b32(N["f32.copysign"](x, f32_from_bits(0x7FA0_0000))) == bits & 0x7FFF_FFFF
    assert b32(N["f32.copysign"](x, f32_from_bits(0xFFA0_0000))) == bits | 0x8000_0000


@pytest.mark.parametrize("bits", [0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0000, 0x7FF8_0000_0000_0000])
def test_f64_sign_ops_are_bit_ops(bits: int) -> None:
    x = f64_from_bits(bits)
    assert b64(N["f64.abs"](x)) == bits & ~(1 << 63)
    assert b64(N["f64.neg"](x)) == bits ^ (1 << 63)
    assert b64(N["f64.copysign"](x, -0.0)) == bits | (1 << 63)
    assert b64(N["f64.copysign"](x, 0.0)) == bits & ~(1 << 63)


# --- float arithmetic ------------------------------------------------------------------------


def test_f32_arithmetic_rounds_once() -> None:
    one = 1.0
    assert N["f32.add"](one, 2.0**-24) == 1.0
    assert N["f32.add"](one, h32("0x1.000002p-24")) == h32("0x1.000002p+0")
    assert N["f32.add"](h32("0x1.000002p+0"), 2.0**-24) == h32("0x1.000004p+0")  # tie to even, up
    assert N["f32.sub"](one, 2.0**-25) == 1.0
    assert N["f32.mul"](h32("0x1.000002p+0"), h32("0x1.000002p+0")) == h32("0x1.000004p+0")
    assert N["f32.div"](1.0, 3.0) == h32("0x1.555556p-2")
    assert N["f32.sqrt"](2.0) == h32("0x1.6a09e6p+0")


def test_f32_subnormals_and_overflow() -> None:
    assert N["f32.add"](h32("0x1.fffffcp-127"), F32_MIN_SUB) == F32_MIN_NORMAL
    assert N["f32.mul"](F32_MIN_SUB, 0.5) == 0.0  # tie: even is zero
    assert N["f32.mul"](3 * F32_MIN_SUB, 0.5) == 2 * F32_MIN_SUB
    assert b32(N["f32.mul"](-F32_MIN_SUB, 0.25)) == 0x8000_0000
    assert N["f32.div"](F32_MIN_NORMAL, 2.0) == h32("0x1p-127")
    assert N["f32.mul"](F32_MAX, 2.0) == INF
    assert N["f32.add"](F32_MAX, 2.0**103) == INF  # exactly halfway: odd mantissa rounds up
    assert N["f32.add"](F32_MAX, 2.0**102) == F32_MAX
    assert N["f32.sub"](-F32_MAX, F32_MAX) == -INF
    assert N["f32.div"](F32_MAX, 0.5) == INF
    assert N["f32.div"](F32_MAX, F32_MIN_SUB) == INF


@pytest.mark.parametrize("w", ["f32", "f64"])
def test_division_by_zero(w: str) -> None:
    div = N[f"{w}.div"]
    is_canon = is_canon_nan32 if w == "f32" else is_canon_nan64
    assert div(1.0, 0.0) == INF
    assert div(-1.0, 0.0) == -INF
    assert div(1.0, -0.0) == -INF
    assert div(-INF, -0.0) == INF
    assert is_canon(div(0.0, 0.0))
    assert is_canon(div(-0.0, 0.0))
    assert math.isnan(div(math.nan, 0.0))


@pytest.mark.parametrize("w", ["f32", "f64"])
def test_sqrt_signs(w: str) -> None:
    sqrt = N[f"{w}.sqrt"]
    is_canon = is_canon_nan32 if w == "f32" else is_canon_nan64
    assert b64(sqrt(-0.0)) == 1 << 63
    assert b64(sqrt(0.0)) == 0
    assert sqrt(INF) == INF
    assert is_canon(sqrt(-1.0))
    assert is_canon(sqrt(-INF))
    assert is_canon(sqrt(-F32_MIN_SUB))


@pytest.mark.parametrize("w", ["f32", "f64"])
def test_nan_propagation_is_arithmetic(w: str) -> None:
    if w == "f32":
        snan, qnan, is_arith, is_canon = (
            f32_from_bits(0x7FA0_0000), f32_from_bits(0xFFC0_0000), is_arith_nan32, is_canon_nan32
        )  # fmt: skip
    else:
        snan, qnan = f64_from_bits(0x7FF4_0000_0000_0000), f64_from_bits(0xFFF8_0000_0000_0000)
        is_arith, is_canon = is_arith_nan64, is_canon_nan64
    for op in ("add", "sub", "mul", "div", "min", "max"):
        assert is_arith(N[f"{w}.{op}"](snan, 1.0)), op
        assert is_arith(N[f"{w}.{op}"](1.0, snan)), op
        assert is_canon(N[f"{w}.{op}"](qnan, 1.0)), op
        assert is_canon(N[f"{w}.{op}"](2.0, qnan)), op
        assert is_canon(N[f"{w}.{op}"](qnan, qnan)), op
    for op in ("sqrt", "ceil", "floor", "trunc", "nearest"):
        assert is_arith(N[f"{w}.{op}"](snan)), op
        assert is_canon(N[f"{w}.{op}"](qnan)), op
    assert is_canon(N[f"{w}.add"](INF, -INF))
    assert is_canon(N[f"{w}.mul"](0.0, -INF))
    for cmp in ("eq", "lt", "gt", "le", "ge"):
        assert N[f"{w}.{cmp}"](snan, snan) == 0
    assert N[f"{w}.ne"](qnan, qnan) == 1


@pytest.mark.parametrize("w", ["f32", "f64"])
def test_min_max_zero_signs(w: str) -> None:
    fmin, fmax = N[f"{w}.min"], N[f"{w}.max"]
    for a, b in ((-0.0, 0.0), (0.0, -0.0)):
        assert b64(fmin(a, b)) == 1 << 63
        assert b64(fmax(a, b)) == 0
    assert b64(fmin(0.0, 0.0)) == 0 and b64(fmax(-0.0, -0.0)) == 1 << 63
    assert fmin(-INF, 1.0) == -INF and fmax(-INF, 1.0) == 1.0
    assert fmin(3.0, 2.0) == 2.0 and fmax(3.0, 2.0) == 3.0


ROUNDING_CASES = [
    # x, ceil, floor, trunc, nearest
    (0.0, 0.0, 0.0, 0.0, 0.0),
    (-0.0, -0.0, -0.0, -0.0, -0.0),
    (0.5, 1.0, 0.0, 0.0, 0.0),
    (-0.5, -0.0, -1.0, -0.0, -0.0),
    (1.5, 2.0, 1.0, 1.0, 2.0),
    (-1.5, -1.0, -2.0, -1.0, -2.0),
    (2.5, 3.0, 2.0, 2.0, 2.0),
    (-2.5, -2.0, -3.0, -2.0, -2.0),
    (-0.9, -0.0, -1.0, -0.0, -1.0),
    (0.49999997, 1.0, 0.0, 0.0, 0.0),
    (F32_MIN_SUB, 1.0, 0.0, 0.0, 0.0),
    (-F32_MIN_SUB, -0.0, -1.0, -0.0, -0.0),
    (8388609.0, 8388609.0, 8388609.0, 8388609.0, 8388609.0),  # 2**23 + 1: integral f32
    (8388607.5, 8388608.0, 8388607.0, 8388607.0, 8388608.0),
    (-8388607.5, -8388607.0, -8388608.0, -8388607.0, -8388608.0),
    (F32_MAX, F32_MAX, F32_MAX, F32_MAX, F32_MAX),
    (INF, INF, INF, INF, INF),
    (-INF, -INF, -INF, -INF, -INF),
]


@pytest.mark.parametrize("w", ["f32", "f64"])
@pytest.mark.parametrize("case", ROUNDING_CASES, ids=lambda c: repr(c[0]))
def test_integral_rounding(w: str, case: tuple[float, ...]) -> None:
    x = case[0] if w == "f64" else f32_round(case[0])
    for op, want in zip(("ceil", "floor", "trunc", "nearest"), case[1:]):
        got = N[f"{w}.{op}"](x)
        assert b64(got) == b64(want), (op, x, got, want)


def test_f64_integral_rounding_large() -> None:
    for x in (2.0**52 + 1, -(2.0**52) - 1, 2.0**52 - 0.5, 4503599627370495.5, 1e300, -1e300):
        r = float(round(Fraction(x)))
        assert N["f64.nearest"](x) == r
        assert N["f64.floor"](x) == math.floor(x)
        assert N["f64.ceil"](x) == math.ceil(x)
        assert N["f64.trunc"](x) == math.trunc(x)
    assert N["f64.nearest"](4503599627370495.5) == 4503599627370496.0
    assert N["f64.nearest"](4503599627370494.5) == 4503599627370494.0
    assert N["f64.nearest"](-4503599627370493.5) == -4503599627370494.0


# --- conversions -----------------------------------------------------------------------------


def test_trunc_boundaries_i32() -> None:
    for op in ("i32.trunc_f32_s", "i32.trunc_f64_s"):
        traps("integer overflow", op, 2147483648.0)
        assert N[op](-2147483648.0) == 0x8000_0000
        assert N[op](-0.9) == 0
        assert N[op](-1.9) == 0xFFFF_FFFF
        assert N[op](1.9) == 1
        traps("integer overflow", op, INF)
        traps("integer overflow", op, -INF)
        traps("invalid conversion to integer", op, math.nan)
        traps("invalid conversion to integer", op, f32_from_bits(0xFFA0_0000))
    traps("integer overflow", "i32.trunc_f32_s", f32_round(-2147483904.0))
    assert N["i32.trunc_f64_s"](2147483647.9) == 0x7FFF_FFFF
    assert N["i32.trunc_f64_s"](-2147483648.9) == 0x8000_0000
    traps("integer overflow", "i32.trunc_f64_s", -2147483649.0)
    for op in ("i32.trunc_f32_u", "i32.trunc_f64_u"):
        assert N[op](-0.9) == 0
        assert N[op](-0.0) == 0
        traps("integer overflow", op, -1.0)
        traps("integer overflow", op, 4294967296.0)
        traps("invalid conversion to integer", op, -math.nan)
    assert N["i32.trunc_f64_u"](4294967295.9) == 0xFFFF_FFFF
    assert N["i32.trunc_f32_u"](4294967040.0) == 0xFFFF_FF00


def test_trunc_boundaries_i64() -> None:
    for op in ("i64.trunc_f32_s", "i64.trunc_f64_s"):
        traps("integer overflow", op, 9223372036854775808.0)
        assert N[op](-9223372036854775808.0) == 1 << 63
        assert N[op](-0.9) == 0
        traps("invalid conversion to integer", op, math.nan)
    assert N["i64.trunc_f64_s"](9223372036854774784.0) == 0x7FFF_FFFF_FFFF_FC00
    traps("integer overflow", "i64.trunc_f64_s", -9223372036854777856.0)
    traps("integer overflow", "i64.trunc_f32_s", f32_round(-9223373136366403584.0))
    for op in ("i64.trunc_f32_u", "i64.trunc_f64_u"):
        traps("integer overflow", op, 18446744073709551616.0)
        traps("integer overflow", op, -1.0)
        assert N[op](-0.9) == 0
    assert N["i64.trunc_f64_u"](18446744073709549568.0) == 0xFFFF_FFFF_FFFF_F800
    assert N["i64.trunc_f32_u"](18446742974197923840.0) == 0xFFFF_FF00_0000_0000


def test_trunc_sat() -> None:
    for w, smin, smax, umax in (
        ("i32", 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF),
        ("i64", 1 << 63, (1 << 63) - 1, (1 << 64) - 1),
    ):
        for f in ("f32", "f64"):
            s, u = N[f"{w}.trunc_sat_{f}_s"], N[f"{w}.trunc_sat_{f}_u"]
            assert s(math.nan) == 0 and u(math.nan) == 0 and u(-math.nan) == 0
            assert s(INF) == smax and s(-INF) == smin and s(1e30) == smax and s(-1e30) == smin
            assert u(INF) == umax and u(-INF) == 0 and u(-1.0) == 0 and u(-0.9) == 0
            assert s(-1.5) == (smin << 1) - 1 and u(1.5) == 1
    assert N["i32.trunc_sat_f64_s"](-2147483649.0) == 0x8000_0000
    assert N["i32.trunc_sat_f64_s"](-2147483648.9) == 0x8000_0000
    assert N["i32.trunc_sat_f64_u"](4294967296.0) == 0xFFFF_FFFF


def test_int_to_f32_rounds_once() -> None:
    cvt_s, cvt_u = N["f32.convert_i64_s"], N["f32.convert_i64_u"]
    assert cvt_s(0x7FFF_FF40_0000_0001) == h32("0x1.fffffep+62")  # double rounding gives 0x1.fffffcp+62
    assert cvt_s(0x8000_00BF_FFFF_FFFF) == h32("-0x1.fffffep+62")  # -0x7fffff4000000001
    assert cvt_s(0x0020_0000_2000_0001) == h32("0x1.000002p+53")
    assert cvt_u(0xFFFF_FF7F_FFFF_FFFF) == h32("0x1.fffffep+63")
    assert cvt_u(0xFFFF_FF80_0000_0000) == 2.0**64  # tie: even is up to 2**64
    assert cvt_u(0xFFFF_FFFF_FFFF_FFFF) == 2.0**64
    assert cvt_s(1 << 63) == -(2.0**63)
    assert cvt_s(0xFFFF_FFFF_FFFF_FFFF) == -1.0
    assert N["f32.convert_i32_s"](0x8000_0000) == -(2.0**31)
    assert N["f32.convert_i32_u"](0xFFFF_FFFF) == 2.0**32
    assert N["f32.convert_i32_s"](16777217) == 16777216.0  # tie to even (down)
    assert N["f32.convert_i32_s"](16777219) == 16777220.0  # tie to even (up)
    assert N["f64.convert_i64_u"](0xFFFF_FFFF_FFFF_FC01) == 2.0**64  # above the tie
    assert N["f64.convert_i64_u"](0xFFFF_FFFF_FFFF_FBFF) == 18446744073709549568.0
    assert N["f64.convert_i64_s"](0x8000_0000_0000_0001) == -(2.0**63)
    assert N["f64.convert_i32_s"](0xFFFF_FFFF) == -1.0 and N["f64.convert_i32_u"](0xFFFF_FFFF) == 4294967295.0


def test_demote_promote() -> None:
    demote, promote = N["f32.demote_f64"], N["f64.promote_f32"]
    assert demote(1e300) == INF and demote(-1e300) == -INF
    assert demote(float.fromhex("0x1.fffffefffffffp127")) == F32_MAX
    assert demote(float.fromhex("0x1.ffffffp127")) == INF
    assert b64(demote(-1e-300)) == 1 << 63
    assert demote(float.fromhex("0x1.0000010000001p0")) == h32("0x1.000002p0")
    assert demote(float.fromhex("0x1.000001p0")) == 1.0  # tie to even
    assert demote(float.fromhex("0x1.8p-150")) == F32_MIN_SUB
    # NaN: canonical stays canonical, anything else becomes arithmetic
    assert is_canon_nan32(demote(f64_from_bits(0x7FF8_0000_0000_0000)))
    assert is_arith_nan32(demote(f64_from_bits(0x7FF0_0000_0000_0001)))
    assert is_arith_nan32(demote(f64_from_bits(0xFFF4_0000_0000_0000)))
    assert promote(F32_MAX) == F32_MAX and b64(promote(-0.0)) == 1 << 63
    assert is_canon_nan64(promote(f32_from_bits(0x7FC0_0000)))
    snan = promote(f32_from_bits(0x7FA0_0000))
    assert is_arith_nan64(snan) and b64(snan) == 0x7FFC_0000_0000_0000  # payload kept, quieted


# --- random cross-check against exact rational arithmetic ------------------------------------


def round_to_float(q: Fraction, mant_bits: int, emin: int, emax: int) -> float:
    """The binary float nearest to q (ties to even) with `mant_bits` significand bits and normal
    exponents emin..emax, overflowing to inf: an exact reference independent of the hardware."""
    if q == 0:
        return 0.0
    neg = q < 0
    a = -q if neg else q
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    scale = max(e - (mant_bits - 1), emin - (mant_bits - 1))  # exponent of one ulp
    m = round(a / Fraction(2) ** scale)  # ties to even
    r = math.ldexp(float(m), scale) if m * Fraction(2) ** scale < Fraction(2) ** (emax + 1) else INF
    return -r if neg else r


def ref32(q: Fraction) -> float:
    return round_to_float(q, 24, -126, 127)


def ref64(q: Fraction) -> float:
    return round_to_float(q, 53, -1022, 1023)


def exact_sqrt(q: Fraction, mant_bits: int) -> Fraction:
    """√q to ample precision: truncated with a sticky half-unit, so rounding it is exact."""
    num, den = q.numerator, q.denominator
    shift = 2 * (mant_bits + 4) + den.bit_length() - num.bit_length() + 2
    shift += shift & 1
    n = (num << shift) // den if shift >= 0 else num // (den << -shift)
    r = math.isqrt(n)
    sticky = r * r != n or (num << max(shift, 0)) % den != 0
    root = Fraction(2 * r + 1, 2) if sticky else Fraction(r)
    return root / Fraction(2) ** (shift // 2)


f32_bits = st.integers(0, 0xFFFF_FFFF)
f64_bits = st.integers(0, 0xFFFF_FFFF_FFFF_FFFF)
f32_nums = st.floats(width=32, allow_nan=False, allow_infinity=False)
f64_nums = st.floats(allow_nan=False, allow_infinity=False)


def same(got: float, want: float) -> bool:
    if want != want:
        return got != got
    return b64(got) == b64(want)


_OPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}


@settings(max_examples=600, deadline=None)
@given(f32_nums, f32_nums, st.sampled_from(["add", "sub", "mul", "div"]))
def test_f32_arith_matches_exact_rounding(a: float, b: float, op: str) -> None:
    got = N[f"f32.{op}"](a, b)
    if op == "div" and b == 0:
        return  # covered above
    q = _OPS[op](Fraction(a), Fraction(b)) if op != "div" else Fraction(a) / Fraction(b)
    want = ref32(q)
    if want == 0:  # exact zero results: sign by IEEE rules, compared by value here
        assert got == 0
        if q != 0:
            assert math.copysign(1.0, got) == (-1.0 if q < 0 else 1.0)
    else:
        assert got == want, (a, b, op)


@settings(max_examples=600, deadline=None)
@given(f64_nums, f64_nums, st.sampled_from(["add", "sub", "mul", "div"]))
def test_f64_arith_matches_exact_rounding(a: float, b: float, op: str) -> None:
    if op == "div" and b == 0:
        return
    got = N[f"f64.{op}"](a, b)
    q = _OPS[op](Fraction(a), Fraction(b)) if op != "div" else Fraction(a) / Fraction(b)
    want = ref64(q)
    assert got == want or (want == 0 and got == 0), (a, b, op)


@settings(max_examples=500, deadline=None)
@given(f32_nums.filter(lambda x: x > 0))
def test_f32_sqrt_matches_exact_rounding(x: float) -> None:
    assert N["f32.sqrt"](x) == ref32(exact_sqrt(Fraction(x), 24))


@settings(max_examples=500, deadline=None)
@given(f64_nums.filter(lambda x: x > 0))
def test_f64_sqrt_matches_exact_rounding(x: float) -> None:
    assert N["f64.sqrt"](x) == ref64(exact_sqrt(Fraction(x), 53))


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.integers(0, 0xFFFF_FFFF_FFFF_FFFF), st.integers(0, 64).map(lambda k: (1 << k) - 1)))
def test_i64_to_float_matches_exact_rounding(v: int) -> None:
    assert N["f32.convert_i64_u"](v) == ref32(Fraction(v))
    assert N["f32.convert_i64_s"](v) == ref32(Fraction(to_signed64(v)))
    assert N["f64.convert_i64_u"](v) == ref64(Fraction(v))
    assert N["f64.convert_i64_s"](v) == ref64(Fraction(to_signed64(v)))
    w = v & 0xFFFF_FFFF
    assert N["f32.convert_i32_u"](w) == ref32(Fraction(w))
    assert N["f32.convert_i32_s"](w) == ref32(Fraction(to_signed32(w)))


@settings(max_examples=1000, deadline=None)
@given(f64_bits)
def test_demote_matches_exact_rounding(bits: int) -> None:
    x = f64_from_bits(bits)
    got = N["f32.demote_f64"](x)
    if x != x:
        assert is_arith_nan32(got)
    elif math.isinf(x):
        assert got == x
    else:
        want = ref32(Fraction(x))
        assert same(got, math.copysign(want, x) if want == 0 else want)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(f64_bits.map(f64_from_bits), f32_bits.map(f32_from_bits)))
def test_integral_rounding_matches_fractions(x: float) -> None:
    if x != x or math.isinf(x):
        return
    q = Fraction(x)
    for op, ref in (("ceil", math.ceil), ("floor", math.floor), ("trunc", math.trunc), ("nearest", round)):
        got = N[f"f64.{op}"](x)
        want = math.copysign(float(ref(q)), x)
        assert same(got, want), (op, x)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(f64_bits.map(f64_from_bits), st.integers(-(2**65), 2**65).map(float)))
def test_trunc_matches_fractions(x: float) -> None:
    for op, lo, hi, wrap in (
        ("i32.trunc_f64_s", -(2**31), 2**31 - 1, 2**32),
        ("i32.trunc_f64_u", 0, 2**32 - 1, 2**32),
        ("i64.trunc_f64_s", -(2**63), 2**63 - 1, 2**64),
        ("i64.trunc_f64_u", 0, 2**64 - 1, 2**64),
    ):
        sat = N[op.replace("trunc_", "trunc_sat_")](x)
        if x != x:
            traps("invalid conversion to integer", op, x)
            assert sat == 0
            continue
        t = math.trunc(x) if not math.isinf(x) else (hi + 1 if x > 0 else lo - 1)
        if lo <= t <= hi:
            assert N[op](x) == t % wrap
            assert sat == t % wrap
        else:
            traps("integer overflow", op, x)
            assert sat == (hi if t > hi else lo) % wrap


# --- numpy cross-check (optional) ------------------------------------------------------------


def test_numpy_cross_check() -> None:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(20240611)
    n = 3000
    # half uniform bit patterns, half small-exponent values that interact more
    bits_a = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    bits_b = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    bits_b[: n // 2] = (bits_a[: n // 2] & 0xFF80_0000) | (bits_b[: n // 2] & 0x807F_FFFF)
    fa, fb = bits_a.view(np.float32), bits_b.view(np.float32)
    with np.errstate(all="ignore"):
        results = {
            "f32.add": fa + fb, "f32.sub": fa - fb, "f32.mul": fa * fb, "f32.div": fa / fb,
            "f32.sqrt": np.sqrt(fa), "f32.nearest": np.rint(fa), "f32.floor": np.floor(fa),
            "f32.ceil": np.ceil(fa), "f32.trunc": np.trunc(fa),
            "f32.min": np.minimum(fa, fb), "f32.max": np.maximum(fa, fb),
        }  # fmt: skip
    for name, want in results.items():
        fn = NUMERIC[name]
        for i in range(n):
            a, b = f32_from_bits(int(bits_a[i])), f32_from_bits(int(bits_b[i]))
            got = (
                fn(a, b)
                if name in ("f32.add", "f32.sub", "f32.mul", "f32.div", "f32.min", "f32.max")
                else fn(a)
            )
            w = int(want.view(np.uint32)[i])
            if w & 0x7F80_0000 == 0x7F80_0000 and w & 0x7F_FFFF:
                assert got != got, (name, hex(int(bits_a[i])), hex(int(bits_b[i])))
            elif name in ("f32.min", "f32.max") and got == 0:
                assert got == f32_from_bits(w)  # numpy's zero sign choice is not wasm's
            else:
                assert b32(got) == w, (name, hex(int(bits_a[i])), hex(int(bits_b[i])), hex(b32(got)), hex(w))
    ints = rng.integers(0, 2**64, n, dtype=np.uint64)
    ints[: n // 4] >>= rng.integers(0, 64, n // 4, dtype=np.uint64)
    as_f32_u = ints.astype(np.float32).view(np.uint32)
    as_f32_s = ints.view(np.int64).astype(np.float32).view(np.uint32)
    for i in range(n):
        v = int(ints[i])
        assert b32(N["f32.convert_i64_u"](v)) == int(as_f32_u[i]), hex(v)
        assert b32(N["f32.convert_i64_s"](v)) == int(as_f32_s[i]), hex(v)
