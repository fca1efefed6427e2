"""Unit tests for wasmlab.exec.simd: coverage of the opcode table, lane helpers, NaN and
rounding details, shift counts, the memory helpers and bad input."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wasmlab.errors import WasmError
from wasmlab.exec.simd import (
    SIMD,
    WITH_IMMEDIATE,
    from_lanes,
    lane_bytes,
    lanes,
    load_extend,
    load_zero,
    splat_bytes,
    with_lane_bytes,
)
from wasmlab.syntax.opcodes import ALL_OPS

V128 = st.integers(min_value=0, max_value=(1 << 128) - 1)
WIDTHS = {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64}


def f32(bits: int) -> float:
    """f32 bits in the values.md encoding (NaN payload moved to the top of a double's)."""
    if bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF:
        d = (bits >> 31) << 63 | 0x7FF << 52 | (bits & 0x7FFFFF) << 29
        return struct.unpack("<d", struct.pack("<Q", d))[0]
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def f64(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def f64_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def v32(*lanes32: int) -> int:
    return sum(x << (32 * i) for i, x in enumerate(lanes32))


def lane32(v: int, i: int) -> int:
    return (v >> (32 * i)) & 0xFFFFFFFF


def lane64(v: int, i: int) -> int:
    return (v >> (64 * i)) & 0xFFFFFFFFFFFFFFFF


def is_arithmetic_nan32(bits: int) -> bool:
    return bits & 0x7FC00000 == 0x7FC00000


# -- coverage ---------------------------------------------------------------------------


def test_every_non_memory_simd_instruction_has_semantics() -> None:
    wanted = {
        op.name
        for op in ALL_OPS
        if op.prefix == 0xFD and op.imm not in ("memarg", "memarg_lane") and op.name != "v128.const"
    }
    assert wanted == set(SIMD)
    assert len(SIMD) == 213 + 20  # 2.0 SIMD and relaxed SIMD


def test_immediate_set_matches_the_table() -> None:
    with_imm = {op.name for op in ALL_OPS if op.prefix == 0xFD and op.imm in ("lane", "shuffle")}
    assert with_imm == WITH_IMMEDIATE


# -- lanes ------------------------------------------------------------------------------


@given(V128)
def test_lanes_round_trip(v: int) -> None:
    for shape in ("i8x16", "i16x8", "i32x4", "i64x2", "f64x2", "f32x4"):
        assert from_lanes(lanes(v, shape), shape) == v


def test_lanes_are_little_endian_and_unsigned() -> None:
    v = int.from_bytes(bytes(range(16)), "little")
    assert lanes(v, "i8x16") == list(range(16))
    assert lanes(v, "i16x8")[0] == 0x0100
    assert from_lanes([-1] * 4, "i32x4") == (1 << 128) - 1
    assert lanes(from_lanes([-2, 3], "i64x2"), "i64x2") == [(1 << 64) - 2, 3]


def test_f32_lanes_keep_signalling_nan_payloads() -> None:
    v = v32(0x7FA00001, 0xFF800001, 0x3F800000, 0x7FC00000)
    xs = lanes(v, "f32x4")
    assert math.isnan(xs[0]) and math.isnan(xs[1]) and xs[2] == 1.0
    assert from_lanes(xs, "f32x4") == v
    assert from_lanes([1e300, -1e300, 0.1, -0.0], "f32x4") == v32(
        0x7F800000, 0xFF800000, 0x3DCCCCCD, 0x80000000
    )


def test_lane_access_with_immediates() -> None:
    v = int.from_bytes(bytes(range(0xF0, 0x100)), "little")
    assert SIMD["i8x16.extract_lane_s"](v, 0) == 0xFFFFFFF0
    assert SIMD["i8x16.extract_lane_u"](v, 15) == 0xFF
    assert SIMD["i16x8.extract_lane_s"](v, 1) == 0xFFFFF3F2
    assert SIMD["i16x8.extract_lane_u"](v, 1) == 0xF3F2
    assert SIMD["i64x2.extract_lane"](v, 1) == 0xFFFEFDFCFBFAF9F8
    w = SIMD["i8x16.replace_lane"](0, 0x1FF, 3)
    assert w == 0xFF << 24
    assert SIMD["i64x2.replace_lane"]((1 << 128) - 1, 0, 0) == ((1 << 64) - 1) << 64


def test_float_lane_access_keeps_nan_bits() -> None:
    snan = f32(0xFFA00005)
    v = SIMD["f32x4.replace_lane"](0, snan, 2)
    assert lane32(v, 2) == 0xFFA00005
    got = SIMD["f32x4.extract_lane"](v, 2)
    assert math.isnan(got) and f64_bits(got) == f64_bits(snan)
    d = f64(0x7FF0000000000001)
    v = SIMD["f64x2.replace_lane"](0, d, 1)
    assert lane64(v, 1) == 0x7FF0000000000001
    assert f64_bits(SIMD["f64x2.extract_lane"](v, 1)) == 0x7FF0000000000001
    assert SIMD["f32x4.splat"](f32(0x7F800001)) == v32(*[0x7F800001] * 4)
    assert SIMD["f64x2.splat"](-0.0) == 1 << 63 | 1 << 127


def test_splats_take_the_low_bits() -> None:
    assert SIMD["i8x16.splat"](0x1234) == int.from_bytes(b"\x34" * 16, "little")
    assert SIMD["i16x8.splat"](0xFFFF8000) == int.from_bytes(b"\x00\x80" * 8, "little")
    assert SIMD["i64x2.splat"](5) == 5 | 5 << 64


def test_shuffle_and_swizzle() -> None:
    a = int.from_bytes(bytes(range(16)), "little")
    b = int.from_bytes(bytes(range(16, 32)), "little")
    rev = bytes(range(31, 15, -1))
    assert SIMD["i8x16.shuffle"](a, b, rev).to_bytes(16, "little") == rev
    assert SIMD["i8x16.shuffle"](a, b, list(range(16))) == a
    idx = int.from_bytes(bytes([0, 15, 16, 255, 3, 128, 17, 1] * 2), "little")
    got = SIMD["i8x16.swizzle"](a, idx).to_bytes(16, "little")
    assert got == bytes([0, 15, 0, 0, 3, 0, 0, 1] * 2)


# -- integer lanes ------------------------------------------------------------------------


def _ref(shape: str, fn, a: int, b: int, signed: bool = False) -> int:
    w = WIDTHS[shape]
    m = (1 << w) - 1
    xs, ys = lanes(a, shape), lanes(b, shape)
    if signed:
        xs = [x - (1 << w) if x >> (w - 1) else x for x in xs]
        ys = [y - (1 << w) if y >> (w - 1) else y for y in ys]
    return from_lanes([fn(x, y) & m for x, y in zip(xs, ys)], shape)


@given(V128, V128)
def test_add_sub_match_a_lane_by_lane_reference(a: int, b: int) -> None:
    for shape in WIDTHS:
        assert SIMD[f"{shape}.add"](a, b) == _ref(shape, lambda x, y: x + y, a, b)
        assert SIMD[f"{shape}.sub"](a, b) == _ref(shape, lambda x, y: x - y, a, b)


def _sat(lo: int, hi: int):
    return lambda x: max(lo, min(hi, x))


@given(V128, V128)
def test_lane_arithmetic_matches_a_reference(a: int, b: int) -> None:
    for shape in ("i8x16", "i16x8", "i32x4"):
        w = WIDTHS[shape]
        ss, us = _sat(-(1 << (w - 1)), (1 << (w - 1)) - 1), _sat(0, (1 << w) - 1)
        for name, fn, signed in [
            ("min_s", min, True),
            ("min_u", min, False),
            ("max_s", max, True),
            ("max_u", max, False),
            ("mul", lambda x, y: x * y, False),
            ("add_sat_s", lambda x, y, f=ss: f(x + y), True),
            ("add_sat_u", lambda x, y, f=us: f(x + y), False),
            ("sub_sat_s", lambda x, y, f=ss: f(x - y), True),
            ("sub_sat_u", lambda x, y, f=us: f(x - y), False),
            ("avgr_u", lambda x, y: (x + y + 1) // 2, False),
        ]:
            if f"{shape}.{name}" in SIMD:
                assert SIMD[f"{shape}.{name}"](a, b) == _ref(shape, fn, a, b, signed), (shape, name)
    q15 = _sat(-0x8000, 0x7FFF)
    assert SIMD["i16x8.q15mulr_sat_s"](a, b) == _ref(
        "i16x8", lambda x, y: q15((x * y + 0x4000) >> 15), a, b, True
    )


@given(V128, st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_shifts_take_the_count_modulo_the_lane_width(a: int, n: int) -> None:
    for shape, w in WIDTHS.items():
        s = n % w
        m = (1 << w) - 1
        xs = lanes(a, shape)
        assert SIMD[f"{shape}.shl"](a, n) == from_lanes([(x << s) & m for x in xs], shape)
        assert SIMD[f"{shape}.shr_u"](a, n) == from_lanes([x >> s for x in xs], shape)
        signed = [x - (1 << w) if x >> (w - 1) else x for x in xs]
        assert SIMD[f"{shape}.shr_s"](a, n) == from_lanes([x >> s for x in signed], shape)


@given(V128)
def test_byte_tables(a: int) -> None:
    xs = lanes(a, "i8x16")
    assert lanes(SIMD["i8x16.popcnt"](a), "i8x16") == [x.bit_count() for x in xs]
    assert lanes(SIMD["i8x16.neg"](a), "i8x16") == [-x & 0xFF for x in xs]
    assert lanes(SIMD["i8x16.abs"](a), "i8x16") == [x if x < 128 else (256 - x) & 0xFF for x in xs]


def test_integer_edge_cases() -> None:
    big = from_lanes([0x80] * 16, "i8x16")
    assert SIMD["i8x16.abs"](big) == big  # abs(-128) wraps
    assert SIMD["i8x16.add_sat_s"](big, big) == big
    assert SIMD["i8x16.add_sat_u"](big, big) == (1 << 128) - 1
    assert SIMD["i8x16.sub_sat_u"](0, big) == 0
    assert SIMD["i16x8.avgr_u"](from_lanes([0xFFFF] * 8, "i16x8"), 0) == from_lanes([0x8000] * 8, "i16x8")
    m = from_lanes([0x8000] * 8, "i16x8")
    assert SIMD["i16x8.q15mulr_sat_s"](m, m) == from_lanes([0x7FFF] * 8, "i16x8")
    assert SIMD["i32x4.dot_i16x8_s"](m, m) == from_lanes([0x80000000] * 4, "i32x4")  # wraps
    assert SIMD["i8x16.narrow_i16x8_u"](from_lanes([-1, 300, 5, 0, 0, 0, 0, 0], "i16x8"), 0) == 0x05FF00
    assert SIMD["i16x8.bitmask"](from_lanes([0x8000, 0, 0xFFFF, 0, 0, 0, 0, 1], "i16x8")) == 0b101
    assert SIMD["i64x2.all_true"](1 << 64 | 1) == 1
    assert SIMD["i64x2.all_true"](1 << 64) == 0
    assert SIMD["v128.any_true"](1 << 127) == 1
    assert SIMD["i32x4.lt_s"](v32(0xFFFFFFFF, 0, 0, 0), 0) == 0xFFFFFFFF
    assert SIMD["i32x4.lt_u"](v32(0xFFFFFFFF, 0, 0, 0), 0) == 0
    ext = SIMD["i64x2.extmul_high_i32x4_u"](v32(0, 0, 0xFFFFFFFF, 2), v32(0, 0, 0xFFFFFFFF, 3))
    assert lanes(ext, "i64x2") == [0xFFFFFFFE00000001, 6]
    assert lanes(SIMD["i16x8.extend_high_i8x16_s"](0xFF << 64), "i16x8")[0] == 0xFFFF
    assert lanes(SIMD["i32x4.extadd_pairwise_i16x8_u"]((1 << 128) - 1), "i32x4") == [0x1FFFE] * 4


def test_bitwise() -> None:
    a, b, c = 0b1100, 0b1010, 0b0110
    assert SIMD["v128.andnot"](a, b) == 0b0100
    assert SIMD["v128.bitselect"](a, b, c) == 0b1100 & 0b0110 | 0b1010 & ~0b0110 & ((1 << 128) - 1)
    assert SIMD["v128.not"](0) == (1 << 128) - 1


# -- float lanes --------------------------------------------------------------------------


def test_abs_neg_pmin_pmax_move_nan_bits_untouched() -> None:
    snan = v32(0x7FA00001, 0xFFA00002, 0x7FC00000, 0x3F800000)
    assert SIMD["f32x4.neg"](snan) == v32(0xFFA00001, 0x7FA00002, 0xFFC00000, 0xBF800000)
    assert SIMD["f32x4.abs"](snan) == v32(0x7FA00001, 0x7FA00002, 0x7FC00000, 0x3F800000)
    one = v32(*[0x3F800000] * 4)
    assert SIMD["f32x4.pmin"](snan, one) == snan  # NaN comparisons are false: a is kept
    assert SIMD["f32x4.pmax"](one, snan) == one
    assert SIMD["f64x2.neg"](0x7FF0000000000001) == 0x7FF0000000000001 | 1 << 63 | 1 << 127


def test_arithmetic_on_signalling_nan_gives_an_arithmetic_nan() -> None:
    snan = v32(0x7FA00001, 0x7FA00001, 0x7FA00001, 0x7FA00001)
    one = v32(*[0x3F800000] * 4)
    for op in ("add", "sub", "mul", "div", "min", "max", "sqrt", "ceil", "nearest"):
        fn = SIMD[f"f32x4.{op}"]
        out = fn(snan, one) if op in ("add", "sub", "mul", "div", "min", "max") else fn(snan)
        assert all(is_arithmetic_nan32(lane32(out, i)) for i in range(4)), op
    promoted = SIMD["f64x2.promote_low_f32x4"](snan)
    assert lane64(promoted, 0) & 0x7FF8000000000000 == 0x7FF8000000000000
    demoted = SIMD["f32x4.demote_f64x2_zero"](0x7FF0000000000001)
    assert is_arithmetic_nan32(lane32(demoted, 0)) and lane32(demoted, 2) == 0


def test_division_and_sqrt_special_cases() -> None:
    x = v32(0x3F800000, 0xBF800000, 0x00000000, 0x7F800000)  # 1, -1, 0, inf
    zero = v32(0, 0x80000000, 0, 0)  # +0, -0, +0, +0
    out = SIMD["f32x4.div"](x, zero)
    assert [lane32(out, i) for i in (0, 1, 3)] == [0x7F800000, 0x7F800000, 0x7F800000]
    assert lane32(out, 2) & 0x7FFFFFFF == 0x7FC00000
    out = SIMD["f64x2.sqrt"](f64_bits(-1.0) | f64_bits(-0.0) << 64)
    assert lane64(out, 0) & ~(1 << 63) == 0x7FF8000000000000 and lane64(out, 1) == 1 << 63


def test_min_max_zero_signs_and_f32_rounding() -> None:
    pz, nz = 0, 0x80000000
    assert SIMD["f32x4.min"](v32(pz, nz, 0, 0), v32(nz, pz, 0, 0)) == v32(nz, nz, 0, 0)
    assert SIMD["f32x4.max"](v32(pz, nz, 0, 0), v32(nz, pz, 0, 0)) == v32(pz, pz, 0, 0)
    fmax = v32(*[0x7F7FFFFF] * 4)
    assert SIMD["f32x4.add"](fmax, fmax) == v32(*[0x7F800000] * 4)
    assert lane32(SIMD["f32x4.convert_i32x4_u"](v32(0xFFFFFFFF, 0, 0, 0)), 0) == 0x4F800000
    assert lane32(SIMD["f32x4.demote_f64x2_zero"](f64_bits(1e300)), 0) == 0x7F800000


def test_rounding_lanes_keep_signs_and_break_ties_to_even() -> None:
    xs = [-0.5, 2.5, -2.5, 0.5]
    v = from_lanes(xs, "f32x4")
    assert [math.copysign(1, x) for x in lanes(SIMD["f32x4.ceil"](v), "f32x4")] == [-1, 1, -1, 1]
    assert lanes(SIMD["f32x4.nearest"](v), "f32x4") == [-0.0, 2.0, -2.0, 0.0]
    assert lanes(SIMD["f32x4.floor"](v), "f32x4") == [-1.0, 2.0, -3.0, 0.0]
    assert lanes(SIMD["f64x2.trunc"](from_lanes([-1.5, 1e300], "f64x2")), "f64x2") == [-1.0, 1e300]


def test_trunc_sat() -> None:
    v = from_lanes([math.nan, math.inf, -math.inf, -1.5], "f32x4")
    assert lanes(SIMD["i32x4.trunc_sat_f32x4_s"](v), "i32x4") == [0, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
    assert lanes(SIMD["i32x4.trunc_sat_f32x4_u"](v), "i32x4") == [0, 0xFFFFFFFF, 0, 0]
    d = from_lanes([4294967295.9, -2147483648.9], "f64x2")
    assert lanes(SIMD["i32x4.trunc_sat_f64x2_u_zero"](d), "i32x4") == [0xFFFFFFFF, 0, 0, 0]
    assert lanes(SIMD["i32x4.trunc_sat_f64x2_s_zero"](d), "i32x4") == [0x7FFFFFFF, 0x80000000, 0, 0]


def test_float_comparisons() -> None:
    v = from_lanes([math.nan, 1.0, -0.0, 2.0], "f32x4")
    w = from_lanes([math.nan, 1.0, 0.0, 1.0], "f32x4")
    assert lanes(SIMD["f32x4.eq"](v, w), "i32x4") == [0, 0xFFFFFFFF, 0xFFFFFFFF, 0]
    assert lanes(SIMD["f32x4.ne"](v, w), "i32x4") == [0xFFFFFFFF, 0, 0, 0xFFFFFFFF]
    assert lanes(SIMD["f64x2.ge"](from_lanes([math.nan, 3.0], "f64x2"), 0), "i64x2") == [0, (1 << 64) - 1]


# -- memory helpers -----------------------------------------------------------------------


def test_memory_helpers() -> None:
    raw = bytes([0x80, 1, 0xFF, 0x82, 3, 4, 5, 6])
    assert lanes(load_extend("v128.load8x8_s", raw), "i16x8")[:3] == [0xFF80, 1, 0xFFFF]
    assert lanes(load_extend("load8x8_u", raw), "i16x8")[:3] == [0x80, 1, 0xFF]
    assert lanes(load_extend("v128.load32x2_s", raw), "i64x2") == [0xFFFFFFFF82FF0180, 0x06050403]
    assert splat_bytes(b"\x01\x02") == int.from_bytes(b"\x01\x02" * 8, "little")
    assert load_zero(b"\x01\x00\x00\x80") == 0x80000001
    v = int.from_bytes(bytes(range(16)), "little")
    assert lane_bytes(v, 4, 3) == bytes([12, 13, 14, 15])
    assert with_lane_bytes(v, b"\xaa\xbb", 7) == v & ~(0xFFFF << 112) | 0xBBAA << 112


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: SIMD["i8x16.extract_lane_u"](0, 16),
        lambda: SIMD["i64x2.replace_lane"](0, 0, 2),
        lambda: SIMD["f32x4.extract_lane"](0, -1),
        lambda: SIMD["f64x2.replace_lane"](0, 1.0, 5),
        lambda: SIMD["i8x16.shuffle"](0, 0, bytes([32] + [0] * 15)),
        lambda: SIMD["i8x16.shuffle"](0, 0, bytes(15)),
        lambda: SIMD["i8x16.shuffle"](0, 0, [300] * 16),
        lambda: SIMD["i8x16.shuffle"](0, 0, None),
        lambda: load_extend("v128.load8x9_s", bytes(8)),
        lambda: load_extend("v128.load8x8_s", bytes(7)),
        lambda: splat_bytes(b"abc"),
        lambda: load_zero(b""),
        lambda: lane_bytes(0, 3, 0),
        lambda: lane_bytes(0, 8, 2),
        lambda: with_lane_bytes(0, b"\x00" * 2, 8),
        lambda: with_lane_bytes(0, b"", 0),
        lambda: lanes(0, "i128x1"),
        lambda: from_lanes([0, 0], "i32x4"),
    ],
)
def test_bad_input_raises_wasm_error(call) -> None:
    with pytest.raises(WasmError):
        call()


def test_f32_encoding_agrees_with_numerics() -> None:
    numerics = pytest.importorskip("wasmlab.exec.numerics")
    patterns = [0, 0x80000000, 0x3F800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000]
    patterns += [0x7FA00001, 0xFF800001, 0x7FFFFFFF, 0x00000001, 0x7F7FFFFF]
    for bits in patterns:
        x = numerics.f32_from_bits(bits)
        assert lane32(SIMD["f32x4.splat"](x), 3) == bits
        v = SIMD["i32x4.splat"](bits)
        y = SIMD["f32x4.extract_lane"](v, 1)
        assert f64_bits(y) == f64_bits(x)
        assert numerics.f32_to_bits(y) == bits
