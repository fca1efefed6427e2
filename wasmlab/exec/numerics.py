"""Numeric instructions (spec 4.3): exact integer and IEEE-754 semantics for i32/i64/f32/f64.

Values follow the runtime representation (notes/values.md): i32/i64 are Python ints holding the
unsigned bit pattern; f64 is a Python float; f32 is a Python float holding the exact f32 value,
with an f32 NaN's sign and 23-bit payload kept in the top bits of the double's mantissa (so the
quiet bits coincide and a NaN made by double arithmetic reads back as an arithmetic f32 NaN).

`NUMERIC` maps every plain numeric opcode name of the opcode table to a function that takes the
operands in stack order (first operand first) and returns the result. Traps raise `Trap(kind)`
with the spec's kinds. These functions sit on the machine's hot path: they are plain module-level
functions over ints and floats, with precompiled `struct.Struct` objects for bit conversions.

f32 arithmetic computes in double and rounds once to f32: for + - * / and sqrt that is exact
(53 >= 2*24 + 2, so the double rounding is innocuous). Integer-to-f32 conversions from 64-bit
values round in integer arithmetic instead, because double-then-single rounding is wrong there.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

from ..errors import Trap, WasmError
from ..syntax.types import ValType

__all__ = [
    "NUMERIC",
    "default_value",
    "f32_from_bits",
    "f32_round",
    "f32_to_bits",
    "f64_from_bits",
    "f64_to_bits",
    "to_signed32",
    "to_signed64",
]

M32 = 0xFFFF_FFFF
M64 = 0xFFFF_FFFF_FFFF_FFFF
_SIGN32 = 0x8000_0000
_SIGN64 = 0x8000_0000_0000_0000

_F32 = struct.Struct("<f")
_U32 = struct.Struct("<I")
_F64 = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_pack_f32 = _F32.pack
_unpack_f32 = _F32.unpack
_pack_u32 = _U32.pack
_unpack_u32 = _U32.unpack
_pack_f64 = _F64.pack
_unpack_f64 = _F64.unpack
_pack_u64 = _U64.pack
_unpack_u64 = _U64.unpack

_copysign = math.copysign
_fabs = math.fabs
_sqrt = math.sqrt

_INF = math.inf
#: the canonical NaN (positive, only the quiet bit set); the same double encodes the f32 one
CANONICAL_NAN: float = _unpack_f64(_pack_u64(0x7FF8_0000_0000_0000))[0]
_TWO52 = 4503599627370496.0  # 2**52: every double of at least this magnitude is an integer

TRAP_DIV_ZERO = "integer divide by zero"
TRAP_OVERFLOW = "integer overflow"
TRAP_INVALID_CONV = "invalid conversion to integer"


# --- value helpers -----------------------------------------------------------------------------


def to_signed32(v: int) -> int:
    """The signed value of an i32 bit pattern."""
    return v - 0x1_0000_0000 if v & _SIGN32 else v


def to_signed64(v: int) -> int:
    """The signed value of an i64 bit pattern."""
    return v - 0x1_0000_0000_0000_0000 if v & _SIGN64 else v


def f64_from_bits(bits: int) -> float:
    """The f64 with the given 64-bit pattern (NaN payloads and signalling bits kept)."""
    return _unpack_f64(_pack_u64(bits))[0]


def f64_to_bits(x: float) -> int:
    """The 64-bit pattern of an f64."""
    return _unpack_u64(_pack_f64(x))[0]


def f32_from_bits(bits: int) -> float:
    """The f32 with the given 32-bit pattern, as our double (NaN payload in the top mantissa bits)."""
    if bits & 0x7F80_0000 == 0x7F80_0000 and bits & 0x7F_FFFF:
        # NaN: never let the C float->double conversion touch it (it would set the quiet bit)
        return _unpack_f64(
            _pack_u64((bits & _SIGN32) << 32 | 0x7FF0_0000_0000_0000 | (bits & 0x7F_FFFF) << 29)
        )[0]
    return _unpack_f32(_pack_u32(bits))[0]


def f32_to_bits(x: float) -> int:
    """The 32-bit pattern of an f32 held as a double (a double that is not an f32 is rounded)."""
    if x != x:
        d = _unpack_u64(_pack_f64(x))[0]
        payload = (d >> 29) & 0x7F_FFFF
        # a double NaN whose payload lies only in the low 29 bits still has to stay a NaN
        return (d >> 32) & _SIGN32 | 0x7F80_0000 | (payload or 0x40_0000)
    try:
        return _unpack_u32(_pack_f32(x))[0]
    except OverflowError:  # not an f32: rounds to ±inf
        return 0xFF80_0000 if x < 0.0 else 0x7F80_0000


def f32_round(x: float) -> float:
    """Round a double to the nearest f32 (ties to even), overflowing to ±inf; a NaN is kept as is."""
    try:
        return _unpack_f32(_pack_f32(x))[0] if x == x else x
    except OverflowError:  # the rounded value exceeds the largest f32
        return _copysign(_INF, x)


def _quiet(x: float) -> float:
    """A NaN with the quiet bit set and the payload kept (an arithmetic NaN)."""
    return x + 0.0


def default_value(valtype: ValType) -> int | float | None:
    """The zero value of a value type (locals, table slots, globals before initialisation)."""
    if valtype == ValType.I32 or valtype == ValType.I64 or valtype == ValType.V128:
        return 0
    if valtype == ValType.F32 or valtype == ValType.F64:
        return 0.0
    if getattr(valtype, "is_ref", False):  # a null reference (non-nullable locals are set before use)
        return None
    raise WasmError(f"no default value for value type {valtype!r}")


# --- shared comparisons (integer patterns and floats compare alike for these) -----------------


def eq(a: int | float, b: int | float) -> int:
    return 1 if a == b else 0


def ne(a: int | float, b: int | float) -> int:
    return 1 if a != b else 0


def lt(a: int | float, b: int | float) -> int:
    return 1 if a < b else 0


def gt(a: int | float, b: int | float) -> int:
    return 1 if a > b else 0


def le(a: int | float, b: int | float) -> int:
    return 1 if a <= b else 0


def ge(a: int | float, b: int | float) -> int:
    return 1 if a >= b else 0


def eqz(a: int) -> int:
    return 1 if a == 0 else 0


# --- i32 -------------------------------------------------------------------------------------
# Signed comparisons flip the sign bit: that maps two's-complement order onto unsigned order.


def i32_lt_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN32) < (b ^ _SIGN32) else 0


def i32_gt_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN32) > (b ^ _SIGN32) else 0


def i32_le_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN32) <= (b ^ _SIGN32) else 0


def i32_ge_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN32) >= (b ^ _SIGN32) else 0


def i32_clz(a: int) -> int:
    return 32 - a.bit_length()


def i32_ctz(a: int) -> int:
    return (a & -a).bit_length() - 1 if a else 32


def popcnt(a: int) -> int:
    return a.bit_count()


def i32_add(a: int, b: int) -> int:
    return (a + b) & M32


def i32_sub(a: int, b: int) -> int:
    return (a - b) & M32


def i32_mul(a: int, b: int) -> int:
    return (a * b) & M32


def i32_div_s(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    if (a | b) < _SIGN32:  # both non-negative: plain division
        return a // b
    if a == _SIGN32 and b == M32:
        raise Trap(TRAP_OVERFLOW)
    sa = a - 0x1_0000_0000 if a & _SIGN32 else a
    sb = b - 0x1_0000_0000 if b & _SIGN32 else b
    q = abs(sa) // abs(sb)
    return (-q if (sa < 0) != (sb < 0) else q) & M32


def div_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    return a // b


def i32_rem_s(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    if (a | b) < _SIGN32:
        return a % b
    sa = a - 0x1_0000_0000 if a & _SIGN32 else a
    sb = b - 0x1_0000_0000 if b & _SIGN32 else b
    r = abs(sa) % abs(sb)
    return (-r if sa < 0 else r) & M32


def rem_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    return a % b


def and_(a: int, b: int) -> int:
    return a & b


def or_(a: int, b: int) -> int:
    return a | b


def xor(a: int, b: int) -> int:
    return a ^ b


def i32_shl(a: int, b: int) -> int:
    return (a << (b & 31)) & M32


def i32_shr_s(a: int, b: int) -> int:
    return ((a ^ _SIGN32) - _SIGN32 >> (b & 31)) & M32


def i32_shr_u(a: int, b: int) -> int:
    return a >> (b & 31)


def i32_rotl(a: int, b: int) -> int:
    k = b & 31
    return ((a << k) | (a >> (32 - k))) & M32


def i32_rotr(a: int, b: int) -> int:
    k = b & 31
    return ((a >> k) | (a << (32 - k))) & M32


def i32_extend8_s(a: int) -> int:
    return (((a & 0xFF) ^ 0x80) - 0x80) & M32


def i32_extend16_s(a: int) -> int:
    return (((a & 0xFFFF) ^ 0x8000) - 0x8000) & M32


# --- i64 -------------------------------------------------------------------------------------


def i64_lt_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN64) < (b ^ _SIGN64) else 0


def i64_gt_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN64) > (b ^ _SIGN64) else 0


def i64_le_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN64) <= (b ^ _SIGN64) else 0


def i64_ge_s(a: int, b: int) -> int:
    return 1 if (a ^ _SIGN64) >= (b ^ _SIGN64) else 0


def i64_clz(a: int) -> int:
    return 64 - a.bit_length()


def i64_ctz(a: int) -> int:
    return (a & -a).bit_length() - 1 if a else 64


def i64_add(a: int, b: int) -> int:
    return (a + b) & M64


def i64_sub(a: int, b: int) -> int:
    return (a - b) & M64


def i64_mul(a: int, b: int) -> int:
    return (a * b) & M64


def i64_div_s(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    if (a | b) < _SIGN64:  # both non-negative: plain division
        return a // b
    if a == _SIGN64 and b == M64:
        raise Trap(TRAP_OVERFLOW)
    sa = a - 0x1_0000_0000_0000_0000 if a & _SIGN64 else a
    sb = b - 0x1_0000_0000_0000_0000 if b & _SIGN64 else b
    q = abs(sa) // abs(sb)
    return (-q if (sa < 0) != (sb < 0) else q) & M64


def i64_rem_s(a: int, b: int) -> int:
    if b == 0:
        raise Trap(TRAP_DIV_ZERO)
    if (a | b) < _SIGN64:
        return a % b
    sa = a - 0x1_0000_0000_0000_0000 if a & _SIGN64 else a
    sb = b - 0x1_0000_0000_0000_0000 if b & _SIGN64 else b
    r = abs(sa) % abs(sb)
    return (-r if sa < 0 else r) & M64


def i64_shl(a: int, b: int) -> int:
    return (a << (b & 63)) & M64


def i64_shr_s(a: int, b: int) -> int:
    return ((a ^ _SIGN64) - _SIGN64 >> (b & 63)) & M64


def i64_shr_u(a: int, b: int) -> int:
    return a >> (b & 63)


def i64_rotl(a: int, b: int) -> int:
    k = b & 63
    return ((a << k) | (a >> (64 - k))) & M64


def i64_rotr(a: int, b: int) -> int:
    k = b & 63
    return ((a >> k) | (a << (64 - k))) & M64


def i64_extend8_s(a: int) -> int:
    return (((a & 0xFF) ^ 0x80) - 0x80) & M64


def i64_extend16_s(a: int) -> int:
    return (((a & 0xFFFF) ^ 0x8000) - 0x8000) & M64


def i64_extend32_s(a: int) -> int:
    return (((a & M32) ^ _SIGN32) - _SIGN32) & M64


# --- floats shared by f32 and f64 (results are inputs or exact: no rounding needed) ------------


def fabs(x: float) -> float:
    return _fabs(x)  # a pure sign-bit operation: NaN payloads survive


def fneg(x: float) -> float:
    return -x


def fcopysign(a: float, b: float) -> float:
    return _copysign(a, b)


def fmin(a: float, b: float) -> float:
    if a < b:
        return a
    if b < a:
        return b
    if a == b:  # equal; for zeros of both signs the negative one is smaller
        return a if a != 0.0 or _copysign(1.0, a) < 0.0 else b
    return a + b  # a NaN operand: an arithmetic NaN (canonical if the operands were)


def fmax(a: float, b: float) -> float:
    if a > b:
        return a
    if b > a:
        return b
    if a == b:
        return a if a != 0.0 or _copysign(1.0, a) > 0.0 else b
    return a + b


def fnearest(x: float) -> float:
    # adding 2**52 leaves no fraction bits, so the hardware rounds to an integer, ties to even
    if x > 0.0:
        return (x + _TWO52) - _TWO52 if x < _TWO52 else x
    if x < 0.0:
        return -((_TWO52 - x) - _TWO52) if x > -_TWO52 else x
    return x if x == 0.0 else x + 0.0  # ±0 stays, NaN is quieted


def ftrunc(x: float) -> float:
    if -_TWO52 < x < _TWO52:
        if x >= 0.0:
            r = (x + _TWO52) - _TWO52
            if r > x:
                r -= 1.0
        else:
            r = (_TWO52 - x) - _TWO52
            if r > -x:
                r -= 1.0
        return _copysign(r, x)
    return x if x == x else x + 0.0


def ffloor(x: float) -> float:
    if -_TWO52 < x < _TWO52:
        r = (x + _TWO52) - _TWO52 if x >= 0.0 else -((_TWO52 - x) - _TWO52)
        if r > x:
            r -= 1.0
        return _copysign(r, x)
    return x if x == x else x + 0.0


def fceil(x: float) -> float:
    if -_TWO52 < x < _TWO52:
        r = (x + _TWO52) - _TWO52 if x >= 0.0 else -((_TWO52 - x) - _TWO52)
        if r < x:
            r += 1.0
        return _copysign(r, x)
    return x if x == x else x + 0.0


# --- f64 arithmetic ----------------------------------------------------------------------------


def f64_add(a: float, b: float) -> float:
    return a + b


def f64_sub(a: float, b: float) -> float:
    return a - b


def f64_mul(a: float, b: float) -> float:
    return a * b


def f64_div(a: float, b: float) -> float:
    if b == 0.0:
        return _div_by_zero(a, b)
    return a / b


def _div_by_zero(a: float, b: float) -> float:
    if a != a:
        return a + 0.0
    if a == 0.0:
        return CANONICAL_NAN
    return _INF if (_copysign(1.0, a) < 0.0) == (_copysign(1.0, b) < 0.0) else -_INF


def f64_sqrt(x: float) -> float:
    if x >= 0.0:  # includes -0.0, whose root is -0.0
        return _sqrt(x)
    return CANONICAL_NAN if x == x else x + 0.0


# --- f32 arithmetic: exact double result, one rounding to f32 ----------------------------------


def f32_add(a: float, b: float) -> float:
    x = a + b
    try:
        return _unpack_f32(_pack_f32(x))[0] if x == x else x
    except OverflowError:
        return _copysign(_INF, x)


def f32_sub(a: float, b: float) -> float:
    x = a - b
    try:
        return _unpack_f32(_pack_f32(x))[0] if x == x else x
    except OverflowError:
        return _copysign(_INF, x)


def f32_mul(a: float, b: float) -> float:
    x = a * b
    try:
        return _unpack_f32(_pack_f32(x))[0] if x == x else x
    except OverflowError:
        return _copysign(_INF, x)


def f32_div(a: float, b: float) -> float:
    if b == 0.0:
        return _div_by_zero(a, b)
    x = a / b
    try:
        return _unpack_f32(_pack_f32(x))[0] if x == x else x
    except OverflowError:
        return _copysign(_INF, x)


def f32_sqrt(x: float) -> float:
    if x >= 0.0:
        return _unpack_f32(_pack_f32(_sqrt(x)))[0]  # never overflows: sqrt shrinks
    return CANONICAL_NAN if x == x else x + 0.0


# --- conversions -------------------------------------------------------------------------------


def i32_wrap_i64(a: int) -> int:
    return a & M32


def i64_extend_i32_s(a: int) -> int:
    return ((a ^ _SIGN32) - _SIGN32) & M64


def i64_extend_i32_u(a: int) -> int:
    return a


def _trunc_trap(x: float) -> Trap:
    return Trap(TRAP_INVALID_CONV if x != x else TRAP_OVERFLOW)


# Truncation is defined when the value truncated toward zero fits: the open interval
# (min - 1, max + 1). The bounds below are exact doubles (for i64 the lower bound -2**63 - 1 is
# not a double, but every double in (-2**63 - 1, -2**63) would be, so ">= -2**63" is the test).


def i32_trunc_s(x: float) -> int:
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & M32
    raise _trunc_trap(x)


def i32_trunc_u(x: float) -> int:
    if -1.0 < x < 4294967296.0:
        return int(x)
    raise _trunc_trap(x)


def i64_trunc_s(x: float) -> int:
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & M64
    raise _trunc_trap(x)


def i64_trunc_u(x: float) -> int:
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    raise _trunc_trap(x)


def i32_trunc_sat_s(x: float) -> int:
    if -2147483649.0 < x < 2147483648.0:
        return int(x) & M32
    if x != x:
        return 0
    return 0x8000_0000 if x < 0.0 else 0x7FFF_FFFF


def i32_trunc_sat_u(x: float) -> int:
    if -1.0 < x < 4294967296.0:
        return int(x)
    if x != x or x < 0.0:
        return 0
    return M32


def i64_trunc_sat_s(x: float) -> int:
    if -9223372036854775808.0 <= x < 9223372036854775808.0:
        return int(x) & M64
    if x != x:
        return 0
    return _SIGN64 if x < 0.0 else 0x7FFF_FFFF_FFFF_FFFF


def i64_trunc_sat_u(x: float) -> int:
    if -1.0 < x < 18446744073709551616.0:
        return int(x)
    if x != x or x < 0.0:
        return 0
    return M64


def _int_to_f32(v: int) -> float:
    """The f32 nearest to the integer v (|v| <= 2**64), rounded once, ties to even."""
    m = -v if v < 0 else v
    n = m.bit_length()
    if n <= 53:  # exact as a double: one rounding, to f32
        return _unpack_f32(_pack_f32(float(v)))[0]
    shift = n - 24
    q = m >> shift
    rest = m & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and q & 1):
        q += 1  # may carry to 2**24: still exact
    r = float(q << shift)
    return -r if v < 0 else r


def f32_convert_i32_s(a: int) -> float:
    return _unpack_f32(_pack_f32(float(a - 0x1_0000_0000 if a & _SIGN32 else a)))[0]


def f32_convert_i32_u(a: int) -> float:
    return _unpack_f32(_pack_f32(float(a)))[0]


def f32_convert_i64_s(a: int) -> float:
    return _int_to_f32(a - 0x1_0000_0000_0000_0000 if a & _SIGN64 else a)


def f32_convert_i64_u(a: int) -> float:
    return _int_to_f32(a)


def f64_convert_i32_s(a: int) -> float:
    return float(a - 0x1_0000_0000 if a & _SIGN32 else a)


def f64_convert_i32_u(a: int) -> float:
    return float(a)


def f64_convert_i64_s(a: int) -> float:
    return float(a - 0x1_0000_0000_0000_0000 if a & _SIGN64 else a)  # int -> float rounds once


def f64_convert_i64_u(a: int) -> float:
    return float(a)


def f32_demote_f64(x: float) -> float:
    if x != x:
        return x + 0.0  # quiet: an arithmetic NaN (canonical stays canonical)
    try:
        return _unpack_f32(_pack_f32(x))[0]
    except OverflowError:
        return _copysign(_INF, x)


def f64_promote_f32(x: float) -> float:
    return x if x == x else x + 0.0


def i64_reinterpret_f64(x: float) -> int:
    return _unpack_u64(_pack_f64(x))[0]


def f64_reinterpret_i64(a: int) -> float:
    return _unpack_f64(_pack_u64(a))[0]


# --- the table ---------------------------------------------------------------------------------

NUMERIC: dict[str, Callable[..., int | float]] = {
    # i32
    "i32.eqz": eqz,
    "i32.eq": eq,
    "i32.ne": ne,
    "i32.lt_s": i32_lt_s,
    "i32.lt_u": lt,
    "i32.gt_s": i32_gt_s,
    "i32.gt_u": gt,
    "i32.le_s": i32_le_s,
    "i32.le_u": le,
    "i32.ge_s": i32_ge_s,
    "i32.ge_u": ge,
    "i32.clz": i32_clz,
    "i32.ctz": i32_ctz,
    "i32.popcnt": popcnt,
    "i32.add": i32_add,
    "i32.sub": i32_sub,
    "i32.mul": i32_mul,
    "i32.div_s": i32_div_s,
    "i32.div_u": div_u,
    "i32.rem_s": i32_rem_s,
    "i32.rem_u": rem_u,
    "i32.and": and_,
    "i32.or": or_,
    "i32.xor": xor,
    "i32.shl": i32_shl,
    "i32.shr_s": i32_shr_s,
    "i32.shr_u": i32_shr_u,
    "i32.rotl": i32_rotl,
    "i32.rotr": i32_rotr,
    "i32.extend8_s": i32_extend8_s,
    "i32.extend16_s": i32_extend16_s,
    # i64
    "i64.eqz": eqz,
    "i64.eq": eq,
    "i64.ne": ne,
    "i64.lt_s": i64_lt_s,
    "i64.lt_u": lt,
    "i64.gt_s": i64_gt_s,
    "i64.gt_u": gt,
    "i64.le_s": i64_le_s,
    "i64.le_u": le,
    "i64.ge_s": i64_ge_s,
    "i64.ge_u": ge,
    "i64.clz": i64_clz,
    "i64.ctz": i64_ctz,
    "i64.popcnt": popcnt,
    "i64.add": i64_add,
    "i64.sub": i64_sub,
    "i64.mul": i64_mul,
    "i64.div_s": i64_div_s,
    "i64.div_u": div_u,
    "i64.rem_s": i64_rem_s,
    "i64.rem_u": rem_u,
    "i64.and": and_,
    "i64.or": or_,
    "i64.xor": xor,
    "i64.shl": i64_shl,
    "i64.shr_s": i64_shr_s,
    "i64.shr_u": i64_shr_u,
    "i64.rotl": i64_rotl,
    "i64.rotr": i64_rotr,
    "i64.extend8_s": i64_extend8_s,
    "i64.extend16_s": i64_extend16_s,
    "i64.extend32_s": i64_extend32_s,
    # f32
    "f32.eq": eq,
    "f32.ne": ne,
    "f32.lt": lt,
    "f32.gt": gt,
    "f32.le": le,
    "f32.ge": ge,
    "f32.abs": fabs,
    "f32.neg": fneg,
    "f32.ceil": fceil,
    "f32.floor": ffloor,
    "f32.trunc": ftrunc,
    "f32.nearest": fnearest,
    "f32.sqrt": f32_sqrt,
    "f32.add": f32_add,
    "f32.sub": f32_sub,
    "f32.mul": f32_mul,
    "f32.div": f32_div,
    "f32.min": fmin,
    "f32.max": fmax,
    "f32.copysign": fcopysign,
    # f64
    "f64.eq": eq,
    "f64.ne": ne,
    "f64.lt": lt,
    "f64.gt": gt,
    "f64.le": le,
    "f64.ge": ge,
    "f64.abs": fabs,
    "f64.neg": fneg,
    "f64.ceil": fceil,
    "f64.floor": ffloor,
    "f64.trunc": ftrunc,
    "f64.nearest": fnearest,
    "f64.sqrt": f64_sqrt,
    "f64.add": f64_add,
    "f64.sub": f64_sub,
    "f64.mul": f64_mul,
    "f64.div": f64_div,
    "f64.min": fmin,
    "f64.max": fmax,
    "f64.copysign": fcopysign,
    # conversions
    "i32.wrap_i64": i32_wrap_i64,
    "i32.trunc_f32_s": i32_trunc_s,
    "i32.trunc_f32_u": i32_trunc_u,
    "i32.trunc_f64_s": i32_trunc_s,
    "i32.trunc_f64_u": i32_trunc_u,
    "i64.extend_i32_s": i64_extend_i32_s,
    "i64.extend_i32_u": i64_extend_i32_u,
    "i64.trunc_f32_s": i64_trunc_s,
    "i64.trunc_f32_u": i64_trunc_u,
    "i64.trunc_f64_s": i64_trunc_s,
    "i64.trunc_f64_u": i64_trunc_u,
    "f32.convert_i32_s": f32_convert_i32_s,
    "f32.convert_i32_u": f32_convert_i32_u,
    "f32.convert_i64_s": f32_convert_i64_s,
    "f32.convert_i64_u": f32_convert_i64_u,
    "f32.demote_f64": f32_demote_f64,
    "f64.convert_i32_s": f64_convert_i32_s,
    "f64.convert_i32_u": f64_convert_i32_u,
    "f64.convert_i64_s": f64_convert_i64_s,
    "f64.convert_i64_u": f64_convert_i64_u,
    "f64.promote_f32": f64_promote_f32,
    "i32.reinterpret_f32": f32_to_bits,
    "i64.reinterpret_f64": i64_reinterpret_f64,
    "f32.reinterpret_i32": f32_from_bits,
    "f64.reinterpret_i64": f64_reinterpret_i64,
    "i32.trunc_sat_f32_s": i32_trunc_sat_s,
    "i32.trunc_sat_f32_u": i32_trunc_sat_u,
    "i32.trunc_sat_f64_s": i32_trunc_sat_s,
    "i32.trunc_sat_f64_u": i32_trunc_sat_u,
    "i64.trunc_sat_f32_s": i64_trunc_sat_s,
    "i64.trunc_sat_f32_u": i64_trunc_sat_u,
    "i64.trunc_sat_f64_s": i64_trunc_sat_s,
    "i64.trunc_sat_f64_u": i64_trunc_sat_u,
}
