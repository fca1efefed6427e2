"""Semantics of the 128-bit SIMD instructions that do not touch memory (spec 4.3.2, 4.4.3).

A v128 is a Python int in ``0 <= v < 2**128``, little-endian: lane 0 is the least
significant. f32 lanes read as Python floats in the project's f32 encoding (an f32 NaN
with payload ``m`` is the double NaN with payload ``m << 29``, see notes/values.md); f64
lanes are plain floats whose bits are the lane's bits.

`SIMD` maps an instruction *name* to a function. Operands come in stack order (the
first operand first); an instruction with an immediate (`lane` index or `shuffle`
bytes) takes it as the last argument. The result is a v128 int, or an i32/i64/f32/f64
value in the project's representation (extract_lane, bitmask, all_true, any_true).

NaN results follow the spec's rules: arithmetic on NaN inputs propagates a quieted
input NaN (canonical stays canonical) and NaNs made from non-NaN inputs are canonical;
abs, neg, pmin and pmax move bits without touching NaNs.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from struct import Struct
from typing import Any

from ..errors import ValidationError, WasmError

V128_MASK = (1 << 128) - 1

#: shape -> (lane width in bits, lane count)
SHAPES: dict[str, tuple[int, int]] = {
    "i8x16": (8, 16),
    "i16x8": (16, 8),
    "i32x4": (32, 4),
    "i64x2": (64, 2),
    "f32x4": (32, 4),
    "f64x2": (64, 2),
}

_UNSIGNED = {8: Struct("<16B"), 16: Struct("<8H"), 32: Struct("<4I"), 64: Struct("<2Q")}
_SIGNED = {8: Struct("<16b"), 16: Struct("<8h"), 32: Struct("<4i"), 64: Struct("<2q")}
_F32X4 = Struct("<4f")
_F64X2 = Struct("<2d")
_F32 = Struct("<f")
_U32 = Struct("<I")
_F64 = Struct("<d")
_U64 = Struct("<Q")

_INF = math.inf
_NAN64 = _F64.unpack(_U64.pack(0x7FF8000000000000))[0]  # the positive canonical NaN
_TWO52 = 4503599627370496.0  # from here on every double is an integer


def _repeat(pattern: int, width: int) -> int:
    """`pattern` (a `width`-bit value) in every lane."""
    out = 0
    for i in range(0, 128, width):
        out |= pattern << i
    return out


_REP = {w: _repeat(1, w) for w in (8, 16, 32, 64)}  # 0x...0101 for each width
_HIGH = {w: _repeat(1 << (w - 1), w) for w in (8, 16, 32, 64)}  # the sign bit of every lane
_SIGN32 = _HIGH[32]
_SIGN64 = _HIGH[64]


# -- lanes in and out -------------------------------------------------------------------


def _u(v: int, w: int) -> tuple[int, ...]:
    return _UNSIGNED[w].unpack(v.to_bytes(16, "little"))


def _s(v: int, w: int) -> tuple[int, ...]:
    return _SIGNED[w].unpack(v.to_bytes(16, "little"))


def _pack(xs: Iterable[int], w: int) -> int:
    """Lanes (any ints, wrapped to `w` bits) to a v128."""
    m = (1 << w) - 1
    return int.from_bytes(_UNSIGNED[w].pack(*[x & m for x in xs]), "little")


def _f32_from_bits(bits: int) -> float:
    """An f32 bit pattern as a float in the project's encoding (NaN payloads kept)."""
    if bits & 0x7F800000 == 0x7F800000 and bits & 0x7FFFFF:
        return _F64.unpack(_U64.pack((bits >> 31) << 63 | 0x7FF0000000000000 | (bits & 0x7FFFFF) << 29))[0]
    return _F32.unpack(_U32.pack(bits))[0]


def _f32_to_bits(x: float) -> int:
    """The f32 bit pattern of a float: NaNs per the project's encoding, other values
    rounded to the nearest f32 (overflowing to infinity)."""
    if x != x:
        b = _U64.unpack(_F64.pack(x))[0]
        return (b >> 63) << 31 | 0x7F800000 | ((b >> 29) & 0x7FFFFF or 0x400000)
    try:
        return _U32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return 0xFF800000 if x < 0 else 0x7F800000


def _f64_bits(x: float) -> int:
    return _U64.unpack(_F64.pack(x))[0]


def _f64_from_bits(bits: int) -> float:
    return _F64.unpack(_U64.pack(bits))[0]


def _f32s(v: int) -> list[float]:
    raw = v.to_bytes(16, "little")
    xs = list(_F32X4.unpack(raw))
    if xs[0] != xs[0] or xs[1] != xs[1] or xs[2] != xs[2] or xs[3] != xs[3]:
        # struct widens through a C float cast, which may quiet signalling NaNs
        bits = _UNSIGNED[32].unpack(raw)
        xs = [_f32_from_bits(b) if x != x else x for x, b in zip(xs, bits)]
    return xs


def _pack_f32(xs: Sequence[float]) -> int:
    """Four floats (rounded to the nearest f32) to a v128."""
    if all(x == x for x in xs):
        try:
            return int.from_bytes(_F32X4.pack(*xs), "little")
        except OverflowError:
            pass
    return int.from_bytes(_UNSIGNED[32].pack(*map(_f32_to_bits, xs)), "little")


def _f64s(v: int) -> tuple[float, ...]:
    return _F64X2.unpack(v.to_bytes(16, "little"))


def _pack_f64(xs: Sequence[float]) -> int:
    return int.from_bytes(_F64X2.pack(*xs), "little")


def _shape(shape: str) -> tuple[int, int]:
    try:
        return SHAPES[shape]
    except KeyError:
        raise WasmError(f"unknown vector shape {shape!r}") from None


def lanes(v: int, shape: str) -> list:
    """The lanes of a v128: unsigned ints for integer shapes, floats for f32x4/f64x2."""
    if shape == "f32x4":
        return _f32s(v)
    if shape == "f64x2":
        return list(_f64s(v))
    return list(_u(v, _shape(shape)[0]))


def from_lanes(xs: Sequence, shape: str) -> int:
    """A v128 from its lanes: ints are wrapped to the lane width (signed ones welcome),
    f32x4 floats are rounded to the nearest f32."""
    w, n = _shape(shape)
    if len(xs) != n:
        raise WasmError(f"{shape} needs {n} lanes, got {len(xs)}")
    if shape == "f32x4":
        return _pack_f32(xs)
    if shape == "f64x2":
        return _pack_f64(xs)
    return _pack(xs, w)


# -- memory helpers for the machine -----------------------------------------------------

_EXTEND = {
    "load8x8_s": (Struct("<8b"), 16),
    "load8x8_u": (Struct("<8B"), 16),
    "load16x4_s": (Struct("<4h"), 32),
    "load16x4_u": (Struct("<4H"), 32),
    "load32x2_s": (Struct("<2i"), 64),
    "load32x2_u": (Struct("<2I"), 64),
}


def load_extend(kind: str, raw: bytes) -> int:
    """v128.load8x8_s and friends: 8 loaded bytes, each half-width lane extended."""
    try:
        src, w = _EXTEND[kind.removeprefix("v128.")]
    except KeyError:
        raise WasmError(f"unknown extending load {kind!r}") from None
    if len(raw) != 8:
        raise WasmError(f"{kind} needs 8 bytes, got {len(raw)}")
    return _pack(src.unpack(raw), w)


def splat_bytes(raw: bytes) -> int:
    """v128.loadN_splat: 1, 2, 4 or 8 loaded bytes repeated into every lane."""
    if len(raw) not in (1, 2, 4, 8):
        raise WasmError(f"a splat load takes 1, 2, 4 or 8 bytes, got {len(raw)}")
    return int.from_bytes(raw, "little") * _REP[8 * len(raw)]


def load_zero(raw: bytes) -> int:
    """v128.load32_zero / load64_zero: the bytes in lane 0, zeros above."""
    if len(raw) not in (4, 8):
        raise WasmError(f"a zero-extending load takes 4 or 8 bytes, got {len(raw)}")
    return int.from_bytes(raw, "little")


def _check_lane(lane: int, n: int) -> None:
    if not (type(lane) is int and 0 <= lane < n):
        raise ValidationError(f"invalid lane index {lane!r} (a {n}-lane shape)", expected=f"0..{n - 1}")


def lane_bytes(v: int, size: int, lane: int) -> bytes:
    """v128.storeN_lane: the `size` bytes of lane `lane` (lanes of `size` bytes)."""
    if size not in (1, 2, 4, 8):
        raise WasmError(f"lane size must be 1, 2, 4 or 8 bytes, got {size}")
    _check_lane(lane, 16 // size)
    return ((v >> (8 * size * lane)) & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def with_lane_bytes(v: int, raw: bytes, lane: int) -> int:
    """v128.loadN_lane: `v` with lane `lane` (lanes of len(raw) bytes) replaced by `raw`."""
    size = len(raw)
    if size not in (1, 2, 4, 8):
        raise WasmError(f"lane size must be 1, 2, 4 or 8 bytes, got {size}")
    _check_lane(lane, 16 // size)
    shift = 8 * size * lane
    return (v & ~(((1 << (8 * size)) - 1) << shift)) | int.from_bytes(raw, "little") << shift


# -- the instructions -------------------------------------------------------------------

SIMD: dict[str, Callable[..., Any]] = {}


def _def(name: str, fn: Callable[..., Any]) -> None:
    SIMD[name] = fn


# constants, splats, lanes, shuffles


def _splat_int(w: int) -> Callable[[int], int]:
    m, rep = (1 << w) - 1, _REP[w]
    return lambda x: (x & m) * rep


for _shape_name, (_w, _n) in SHAPES.items():
    if _shape_name[0] == "i":
        _def(f"{_shape_name}.splat", _splat_int(_w))
_def("f32x4.splat", lambda x: _f32_to_bits(x) * _REP[32])
_def("f64x2.splat", lambda x: _f64_bits(x) * _REP[64])


def _extract_int(w: int, n: int, signed: bool) -> Callable[[int, int], int]:
    m, sign, ext = (1 << w) - 1, 1 << (w - 1), 0xFFFFFFFF ^ ((1 << w) - 1)

    def extract(v: int, lane: int) -> int:
        _check_lane(lane, n)
        x = (v >> (w * lane)) & m
        return x | ext if signed and x & sign else x

    return extract


def _replace_int(w: int, n: int) -> Callable[[int, int, int], int]:
    m = (1 << w) - 1

    def replace(v: int, x: int, lane: int) -> int:
        _check_lane(lane, n)
        shift = w * lane
        return (v & ~(m << shift)) | (x & m) << shift

    return replace


for _shape_name, _w, _n in (("i8x16", 8, 16), ("i16x8", 16, 8)):
    _def(f"{_shape_name}.extract_lane_s", _extract_int(_w, _n, True))
    _def(f"{_shape_name}.extract_lane_u", _extract_int(_w, _n, False))
for _shape_name, _w, _n in (("i32x4", 32, 4), ("i64x2", 64, 2)):
    _def(f"{_shape_name}.extract_lane", _extract_int(_w, _n, False))
for _shape_name, _w, _n in (("i8x16", 8, 16), ("i16x8", 16, 8), ("i32x4", 32, 4), ("i64x2", 64, 2)):
    _def(f"{_shape_name}.replace_lane", _replace_int(_w, _n))

_i32_replace = _replace_int(32, 4)
_i64_replace = _replace_int(64, 2)


def _f32_extract(v: int, lane: int) -> float:
    _check_lane(lane, 4)
    return _f32_from_bits((v >> (32 * lane)) & 0xFFFFFFFF)


def _f64_extract(v: int, lane: int) -> float:
    _check_lane(lane, 2)
    return _f64_from_bits((v >> (64 * lane)) & 0xFFFFFFFFFFFFFFFF)


_def("f32x4.extract_lane", _f32_extract)
_def("f64x2.extract_lane", _f64_extract)
_def("f32x4.replace_lane", lambda v, x, lane: _i32_replace(v, _f32_to_bits(x), lane))
_def("f64x2.replace_lane", lambda v, x, lane: _i64_replace(v, _f64_bits(x), lane))

_ZEROS_240 = bytes(240)
_ZEROS_224 = bytes(224)


def _swizzle(a: int, s: int) -> int:
    # every index byte >= 16 picks a zero from the padded table
    table = a.to_bytes(16, "little") + _ZEROS_240
    return int.from_bytes(s.to_bytes(16, "little").translate(table), "little")


def _shuffle(a: int, b: int, imm: bytes | Sequence[int]) -> int:
    idx = bytes(imm) if not isinstance(imm, bytes) else imm
    if len(idx) != 16 or max(idx) >= 32:
        raise ValidationError("invalid lane index in i8x16.shuffle (16 indices below 32 expected)")
    table = a.to_bytes(16, "little") + b.to_bytes(16, "little") + _ZEROS_224
    return int.from_bytes(idx.translate(table), "little")


def _checked_shuffle(a: int, b: int, imm: Any) -> int:
    try:
        return _shuffle(a, b, imm)
    except (TypeError, ValueError):
        raise ValidationError(f"bad i8x16.shuffle immediate {imm!r}") from None


_def("i8x16.swizzle", _swizzle)
_def("i8x16.shuffle", _checked_shuffle)

# bitwise

_def("v128.not", lambda a: a ^ V128_MASK)
_def("v128.and", lambda a, b: a & b)
_def("v128.andnot", lambda a, b: a & (b ^ V128_MASK))
_def("v128.or", lambda a, b: a | b)
_def("v128.xor", lambda a, b: a ^ b)
_def("v128.bitselect", lambda a, b, c: (a & c) | (b & (c ^ V128_MASK)))
_def("v128.any_true", lambda a: 1 if a else 0)

# integer lanes


def _add(w: int) -> Callable[[int, int], int]:
    h = _HIGH[w]
    low = V128_MASK ^ h

    # add the low bits of each lane (no carry can leave a lane), then fix the top bit
    return lambda a, b: (((a & low) + (b & low)) ^ ((a ^ b) & h)) & V128_MASK


def _sub(w: int) -> Callable[[int, int], int]:
    h = _HIGH[w]
    low = V128_MASK ^ h

    # borrow-free: set every top bit first so no borrow can leave a lane
    return lambda a, b: (((a | h) - (b & low)) ^ ((a ^ b ^ h) & h)) & V128_MASK


def _lanewise2(
    w: int, signed: bool, fn: Callable[[int, int], int], in_range: bool = False
) -> Callable[[int, int], int]:
    """A lane-wise binary operation; `in_range`: fn's results already fit the lanes
    (of the signedness read), so they need no wrapping."""
    unpack = (_SIGNED if signed else _UNSIGNED)[w].unpack
    pack = (_SIGNED if signed and in_range else _UNSIGNED)[w].pack
    m = (1 << w) - 1

    if in_range:

        def op(a: int, b: int) -> int:
            xs = unpack(a.to_bytes(16, "little"))
            ys = unpack(b.to_bytes(16, "little"))
            return int.from_bytes(pack(*map(fn, xs, ys)), "little")

    else:

        def op(a: int, b: int) -> int:
            xs = unpack(a.to_bytes(16, "little"))
            ys = unpack(b.to_bytes(16, "little"))
            return int.from_bytes(pack(*[r & m for r in map(fn, xs, ys)]), "little")

    return op


def _lanewise1(w: int, signed: bool, fn: Callable[[int], int]) -> Callable[[int], int]:
    unpack = (_SIGNED if signed else _UNSIGNED)[w].unpack
    pack = _UNSIGNED[w].pack
    m = (1 << w) - 1

    def op(a: int) -> int:
        return int.from_bytes(pack(*[r & m for r in map(fn, unpack(a.to_bytes(16, "little")))]), "little")

    return op


def _byte_table(fn: Callable[[int], int]) -> Callable[[int], int]:
    table = bytes(fn(i) & 0xFF for i in range(256))
    return lambda a: int.from_bytes(a.to_bytes(16, "little").translate(table), "little")


def _sat(lo: int, hi: int) -> Callable[[int], int]:
    return lambda x: lo if x < lo else hi if x > hi else x


def _cmp(w: int, signed: bool, pred: Callable[[int, int], bool]) -> Callable[[int, int], int]:
    return _lanewise2(w, signed, lambda x, y: -1 if pred(x, y) else 0)


def _min(x: int, y: int) -> int:
    return x if x < y else y


def _max(x: int, y: int) -> int:
    return x if x > y else y


_INT_SHAPES = {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64}

for _shape_name, _w in _INT_SHAPES.items():
    _def(f"{_shape_name}.add", _add(_w))
    _def(f"{_shape_name}.sub", _sub(_w))
    _def(f"{_shape_name}.eq", _cmp(_w, False, lambda x, y: x == y))
    _def(f"{_shape_name}.ne", _cmp(_w, False, lambda x, y: x != y))
    for _suffix, _pred in (
        ("lt", lambda x, y: x < y),
        ("gt", lambda x, y: x > y),
        ("le", lambda x, y: x <= y),
        ("ge", lambda x, y: x >= y),
    ):
        _def(f"{_shape_name}.{_suffix}_s", _cmp(_w, True, _pred))
        if _w != 64:
            _def(f"{_shape_name}.{_suffix}_u", _cmp(_w, False, _pred))
    if _w != 8:
        _def(f"{_shape_name}.mul", _lanewise2(_w, False, operator.mul))
    if _w != 64:
        _def(f"{_shape_name}.min_s", _lanewise2(_w, True, _min, True))
        _def(f"{_shape_name}.min_u", _lanewise2(_w, False, _min, True))
        _def(f"{_shape_name}.max_s", _lanewise2(_w, True, _max, True))
        _def(f"{_shape_name}.max_u", _lanewise2(_w, False, _max, True))
    if _w != 8:
        _def(f"{_shape_name}.abs", _lanewise1(_w, True, abs))
        _def(f"{_shape_name}.neg", _lanewise1(_w, False, lambda x: -x))

_def("i8x16.abs", _byte_table(lambda x: x if x < 128 else 256 - x))
_def("i8x16.neg", _byte_table(lambda x: -x))
_def("i8x16.popcnt", _byte_table(lambda x: x.bit_count()))

for _shape_name, _w in (("i8x16", 8), ("i16x8", 16)):
    _smin, _smax, _umax = -(1 << (_w - 1)), (1 << (_w - 1)) - 1, (1 << _w) - 1
    _ssat, _usat = _sat(_smin, _smax), _sat(0, _umax)
    _def(f"{_shape_name}.add_sat_s", _lanewise2(_w, True, lambda x, y, f=_ssat: f(x + y), True))
    _def(f"{_shape_name}.add_sat_u", _lanewise2(_w, False, lambda x, y, f=_usat: f(x + y), True))
    _def(f"{_shape_name}.sub_sat_s", _lanewise2(_w, True, lambda x, y, f=_ssat: f(x - y), True))
    _def(f"{_shape_name}.sub_sat_u", _lanewise2(_w, False, lambda x, y: x - y if x > y else 0, True))
    _def(f"{_shape_name}.avgr_u", _lanewise2(_w, False, lambda x, y: (x + y + 1) >> 1, True))

_q15_sat = _sat(-0x8000, 0x7FFF)
_def("i16x8.q15mulr_sat_s", _lanewise2(16, True, lambda x, y: _q15_sat((x * y + 0x4000) >> 15), True))


# shifts: the count is taken modulo the lane width


def _shl(w: int) -> Callable[[int, int], int]:
    masks = [_repeat(((1 << w) - 1) ^ ((1 << s) - 1), w) for s in range(w)]
    return lambda a, n: (a << (n % w)) & masks[n % w]


def _shr_u(w: int) -> Callable[[int, int], int]:
    masks = [_repeat((1 << (w - s)) - 1, w) for s in range(w)]
    return lambda a, n: (a >> (n % w)) & masks[n % w]


def _shr_s(w: int) -> Callable[[int, int], int]:
    unpack, pack, m = _SIGNED[w].unpack, _UNSIGNED[w].pack, (1 << w) - 1

    def shr_s(a: int, n: int) -> int:
        s = n % w
        return int.from_bytes(pack(*[(x >> s) & m for x in unpack(a.to_bytes(16, "little"))]), "little")

    return shr_s


for _shape_name, _w in _INT_SHAPES.items():
    _def(f"{_shape_name}.shl", _shl(_w))
    _def(f"{_shape_name}.shr_u", _shr_u(_w))
    _def(f"{_shape_name}.shr_s", _shr_s(_w))


# reductions


def _all_true(w: int) -> Callable[[int], int]:
    unpack = _UNSIGNED[w].unpack
    return lambda a: 0 if 0 in unpack(a.to_bytes(16, "little")) else 1


def _bitmask(w: int) -> Callable[[int], int]:
    n = 128 // w
    shifts = [(w * i + w - 1, i) for i in range(n)]

    def bitmask(a: int) -> int:
        out = 0
        for src, dst in shifts:
            out |= ((a >> src) & 1) << dst
        return out

    return bitmask


for _shape_name, _w in _INT_SHAPES.items():
    _def(f"{_shape_name}.all_true", _all_true(_w))
    _def(f"{_shape_name}.bitmask", _bitmask(_w))


# narrowing, widening, pairwise, dot


def _narrow(w: int, signed_result: bool) -> Callable[[int, int], int]:
    half = w // 2
    sat = _sat(-(1 << (half - 1)), (1 << (half - 1)) - 1) if signed_result else _sat(0, (1 << half) - 1)
    unpack = _SIGNED[w].unpack

    def narrow(a: int, b: int) -> int:
        xs = unpack(a.to_bytes(16, "little")) + unpack(b.to_bytes(16, "little"))
        return _pack(map(sat, xs), half)

    return narrow


def _extend(w: int, high: bool, signed: bool) -> Callable[[int], int]:
    half = w // 2
    unpack = (_SIGNED if signed else _UNSIGNED)[half].unpack
    n = 128 // w
    sl = slice(n, 2 * n) if high else slice(0, n)
    return lambda a: _pack(unpack(a.to_bytes(16, "little"))[sl], w)


def _extmul(w: int, high: bool, signed: bool) -> Callable[[int, int], int]:
    half = w // 2
    unpack = (_SIGNED if signed else _UNSIGNED)[half].unpack
    n = 128 // w
    sl = slice(n, 2 * n) if high else slice(0, n)

    def extmul(a: int, b: int) -> int:
        xs = unpack(a.to_bytes(16, "little"))[sl]
        ys = unpack(b.to_bytes(16, "little"))[sl]
        return _pack([x * y for x, y in zip(xs, ys)], w)

    return extmul


def _extadd_pairwise(w: int, signed: bool) -> Callable[[int], int]:
    unpack = (_SIGNED if signed else _UNSIGNED)[w // 2].unpack

    def extadd(a: int) -> int:
        xs = unpack(a.to_bytes(16, "little"))
        return _pack([x + y for x, y in zip(xs[0::2], xs[1::2])], w)

    return extadd


def _dot(a: int, b: int) -> int:
    xs = _s(a, 16)
    ys = _s(b, 16)
    return _pack([xs[i] * ys[i] + xs[i + 1] * ys[i + 1] for i in range(0, 8, 2)], 32)


_def("i8x16.narrow_i16x8_s", _narrow(16, True))
_def("i8x16.narrow_i16x8_u", _narrow(16, False))
_def("i16x8.narrow_i32x4_s", _narrow(32, True))
_def("i16x8.narrow_i32x4_u", _narrow(32, False))
for _shape_name, _w, _from in (("i16x8", 16, "i8x16"), ("i32x4", 32, "i16x8"), ("i64x2", 64, "i32x4")):
    for _part in ("low", "high"):
        for _sg in ("s", "u"):
            _def(f"{_shape_name}.extend_{_part}_{_from}_{_sg}", _extend(_w, _part == "high", _sg == "s"))
            _def(f"{_shape_name}.extmul_{_part}_{_from}_{_sg}", _extmul(_w, _part == "high", _sg == "s"))
    if _w != 64:
        for _sg in ("s", "u"):
            _def(f"{_shape_name}.extadd_pairwise_{_from}_{_sg}", _extadd_pairwise(_w, _sg == "s"))
_def("i32x4.dot_i16x8_s", _dot)


# float lanes: scalar semantics per lane


def _quiet(x: float) -> float:
    """A NaN made arithmetic (quiet bit set, payload kept); hardware addition does it."""
    return x + 0.0


def _fdiv(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x:
            return _quiet(x)
        if x == 0:
            return _NAN64
        return _INF if (math.copysign(1.0, x) > 0) == (math.copysign(1.0, y) > 0) else -_INF


def _fsqrt(x: float) -> float:
    if x != x:
        return _quiet(x)
    if x < 0:
        return _NAN64
    return math.sqrt(x)


def _fmin(x: float, y: float) -> float:
    if x != x or y != y:
        return x + y  # the (quieted) NaN operand
    if x == y:  # only the zeros' signs can differ
        return x if math.copysign(1.0, x) < 0 else y
    return x if x < y else y


def _fmax(x: float, y: float) -> float:
    if x != x or y != y:
        return x + y
    if x == y:
        return x if math.copysign(1.0, x) > 0 else y
    return x if x > y else y


def _integral(fn: Callable[[float], int]) -> Callable[[float], float]:
    def rounded(x: float) -> float:
        if x != x:
            return _quiet(x)
        if x == 0 or not -_TWO52 < x < _TWO52:
            return x  # zeros, infinities and large values are already integral
        return math.copysign(float(fn(x)), x)  # the result keeps the sign (e.g. ceil(-0.5) = -0)

    return rounded


_FLOAT_UNARY: dict[str, Callable[[float], float]] = {
    "sqrt": _fsqrt,
    "ceil": _integral(math.ceil),
    "floor": _integral(math.floor),
    "trunc": _integral(math.trunc),
    "nearest": _integral(round),  # round() breaks ties to even
}
_FLOAT_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": _fdiv,
    "min": _fmin,
    "max": _fmax,
    "pmin": lambda x, y: y if y < x else x,
    "pmax": lambda x, y: y if x < y else x,
}
_FLOAT_CMP: dict[str, Callable[[float, float], bool]] = {
    "eq": lambda x, y: x == y,
    "ne": lambda x, y: x != y,
    "lt": lambda x, y: x < y,
    "gt": lambda x, y: x > y,
    "le": lambda x, y: x <= y,
    "ge": lambda x, y: x >= y,
}


def _f32_unary(fn: Callable[[float], float]) -> Callable[[int], int]:
    return lambda a: _pack_f32([fn(x) for x in _f32s(a)])


def _f32_binary(fn: Callable[[float, float], float]) -> Callable[[int, int], int]:
    # computing in double and rounding once is exact for + - * / sqrt (53 >= 2*24 + 2)
    return lambda a, b: _pack_f32(list(map(fn, _f32s(a), _f32s(b))))


def _f64_unary(fn: Callable[[float], float]) -> Callable[[int], int]:
    return lambda a: _pack_f64([fn(x) for x in _f64s(a)])


def _f64_binary(fn: Callable[[float, float], float]) -> Callable[[int, int], int]:
    return lambda a, b: _pack_f64(list(map(fn, _f64s(a), _f64s(b))))


def _f32_cmp(pred: Callable[[float, float], bool]) -> Callable[[int, int], int]:
    return lambda a, b: _pack([-1 if pred(x, y) else 0 for x, y in zip(_f32s(a), _f32s(b))], 32)


def _f64_cmp(pred: Callable[[float, float], bool]) -> Callable[[int, int], int]:
    return lambda a, b: _pack([-1 if pred(x, y) else 0 for x, y in zip(_f64s(a), _f64s(b))], 64)


for _name, _fn1 in _FLOAT_UNARY.items():
    _def(f"f32x4.{_name}", _f32_unary(_fn1))
    _def(f"f64x2.{_name}", _f64_unary(_fn1))
for _name, _fn2 in _FLOAT_BINARY.items():
    _def(f"f32x4.{_name}", _f32_binary(_fn2))
    _def(f"f64x2.{_name}", _f64_binary(_fn2))
for _name, _pred2 in _FLOAT_CMP.items():
    _def(f"f32x4.{_name}", _f32_cmp(_pred2))
    _def(f"f64x2.{_name}", _f64_cmp(_pred2))

# abs and neg only touch sign bits, NaNs included
_def("f32x4.abs", lambda a: a & (V128_MASK ^ _SIGN32))
_def("f32x4.neg", lambda a: a ^ _SIGN32)
_def("f64x2.abs", lambda a: a & (V128_MASK ^ _SIGN64))
_def("f64x2.neg", lambda a: a ^ _SIGN64)


# conversions


def _trunc_sat(lo: int, hi: int) -> Callable[[float], int]:
    flo, fhi = float(lo), float(hi)

    def trunc_sat(x: float) -> int:
        if x != x:
            return 0
        if x <= flo:
            return lo
        if x >= fhi:
            return hi
        return int(x)

    return trunc_sat


_trunc_s32 = _trunc_sat(-(1 << 31), (1 << 31) - 1)
_trunc_u32 = _trunc_sat(0, (1 << 32) - 1)


def _demote(x: float) -> float:
    return _quiet(x) if x != x else x  # _pack_f32 rounds to the nearest f32


def _promote(x: float) -> float:
    return _quiet(x) if x != x else x


_def("i32x4.trunc_sat_f32x4_s", lambda a: _pack([_trunc_s32(x) for x in _f32s(a)], 32))
_def("i32x4.trunc_sat_f32x4_u", lambda a: _pack([_trunc_u32(x) for x in _f32s(a)], 32))
_def("i32x4.trunc_sat_f64x2_s_zero", lambda a: _pack([_trunc_s32(x) for x in _f64s(a)] + [0, 0], 32))
_def("i32x4.trunc_sat_f64x2_u_zero", lambda a: _pack([_trunc_u32(x) for x in _f64s(a)] + [0, 0], 32))
_def("f32x4.convert_i32x4_s", lambda a: _pack_f32([float(x) for x in _s(a, 32)]))
_def("f32x4.convert_i32x4_u", lambda a: _pack_f32([float(x) for x in _u(a, 32)]))
_def("f64x2.convert_low_i32x4_s", lambda a: _pack_f64([float(x) for x in _s(a, 32)[:2]]))
_def("f64x2.convert_low_i32x4_u", lambda a: _pack_f64([float(x) for x in _u(a, 32)[:2]]))
_def("f32x4.demote_f64x2_zero", lambda a: _pack_f32([_demote(x) for x in _f64s(a)] + [0.0, 0.0]))
_def("f64x2.promote_low_f32x4", lambda a: _pack_f64([_promote(x) for x in _f32s(a)[:2]]))


# relaxed SIMD (3.0): the spec allows a set of results for each; these are the ones of
# wasmtime's deterministic mode (`Config.relaxed_simd_deterministic`), so differential tests
# can compare: swizzle, saturating truncation, fused multiply-add, bitwise lane select,
# min/max as f32x4.min/max, saturating q15mulr, and the byte dot products signed x signed
# with the 16-bit sums wrapping.


def _fma(x: float, y: float, z: float, single: bool) -> float:
    """x * y + z rounded once (to an f32 when `single`), as a fused multiply-add does."""
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z  # NaNs and infinities: no finite rounding is involved
    exact = Fraction(x) * Fraction(y) + Fraction(z)
    if exact == 0:
        product = x * y if (x == 0 or y == 0) else None
        # an exactly zero product keeps IEEE's sign rules for zero sums; a cancellation is +0
        return product + z if product is not None else 0.0
    try:
        d = exact.numerator / exact.denominator  # correctly rounded to a double
    except OverflowError:
        return _INF if exact > 0 else -_INF
    if not single:
        return d
    f = _f32_round(d)
    if exact != d and f != d and math.isfinite(f):  # rounding twice errs only halfway between f32s
        other = 2 * d - f
        if _f32_round(other) == other and other != f:
            return max(f, other) if exact > d else min(f, other)
    return f


def _f32_round(x: float) -> float:
    try:
        return _F32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return math.copysign(_INF, x)


def _madd(single: bool, negate: bool) -> Callable[[int, int, int], int]:
    lanes, pack = (_f32s, _pack_f32) if single else (_f64s, _pack_f64)
    sign = -1.0 if negate else 1.0

    def madd(a: int, b: int, c: int) -> int:
        return pack([_fma(sign * x, y, z, single) for x, y, z in zip(lanes(a), lanes(b), lanes(c))])

    return madd


def _relaxed_dot(a: int, b: int) -> list[int]:
    """The eight 16-bit sums of adjacent signed byte products, wrapped to 16 bits (signed)."""
    xs, ys = _s(a, 8), _s(b, 8)
    out = []
    for i in range(0, 16, 2):
        v = (xs[i] * ys[i] + xs[i + 1] * ys[i + 1]) & 0xFFFF
        out.append(v - 0x10000 if v & 0x8000 else v)
    return out


def _relaxed_dot_add(a: int, b: int, c: int) -> int:
    d = _relaxed_dot(a, b)
    cs = _s(c, 32)
    return _pack([d[2 * i] + d[2 * i + 1] + cs[i] for i in range(4)], 32)


_def("i8x16.relaxed_swizzle", _swizzle)
_def("i32x4.relaxed_trunc_f32x4_s", SIMD["i32x4.trunc_sat_f32x4_s"])
_def("i32x4.relaxed_trunc_f32x4_u", SIMD["i32x4.trunc_sat_f32x4_u"])
_def("i32x4.relaxed_trunc_f64x2_s_zero", SIMD["i32x4.trunc_sat_f64x2_s_zero"])
_def("i32x4.relaxed_trunc_f64x2_u_zero", SIMD["i32x4.trunc_sat_f64x2_u_zero"])
_def("f32x4.relaxed_madd", _madd(True, False))
_def("f32x4.relaxed_nmadd", _madd(True, True))
_def("f64x2.relaxed_madd", _madd(False, False))
_def("f64x2.relaxed_nmadd", _madd(False, True))
for _shape_name in ("i8x16", "i16x8", "i32x4", "i64x2"):
    _def(f"{_shape_name}.relaxed_laneselect", SIMD["v128.bitselect"])
for _shape_name in ("f32x4", "f64x2"):
    _def(f"{_shape_name}.relaxed_min", SIMD[f"{_shape_name}.min"])
    _def(f"{_shape_name}.relaxed_max", SIMD[f"{_shape_name}.max"])
_def("i16x8.relaxed_q15mulr_s", SIMD["i16x8.q15mulr_sat_s"])
_def("i16x8.relaxed_dot_i8x16_i7x16_s", lambda a, b: _pack(_relaxed_dot(a, b), 16))
_def("i32x4.relaxed_dot_i8x16_i7x16_add_s", _relaxed_dot_add)

#: instructions whose last argument is an immediate (lane index or shuffle bytes)
WITH_IMMEDIATE = frozenset(
    name for name in SIMD if ("_lane" in name and "laneselect" not in name) or name == "i8x16.shuffle"
)

__all__ = [
    "SIMD",
    "SHAPES",
    "V128_MASK",
    "WITH_IMMEDIATE",
    "from_lanes",
    "lane_bytes",
    "lanes",
    "load_extend",
    "load_zero",
    "splat_bytes",
    "with_lane_bytes",
]
