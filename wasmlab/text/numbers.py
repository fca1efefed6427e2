"""Numeric literals of the text format (spec 6.3.1), converted exactly.

Integers become their unsigned bit patterns; floats become IEEE 754 bit patterns,
rounded to nearest-even from the exact decimal or hexadecimal value (subnormals
included), so no literal goes through Python's double rounding. Every function raises
`ValueError` with the spec's wording ("constant out of range"); the parser turns it into
a located ParseError.
"""

from __future__ import annotations

import math
import re
import struct

OUT_OF_RANGE = "constant out of range"


class FloatFormat:
    """An IEEE 754 binary format: `mant` fraction bits, `exp` exponent bits."""

    __slots__ = ("bits", "mant", "exp", "bias", "emin", "emax", "inf", "sign", "canonical_nan")

    def __init__(self, bits: int, mant: int, exp: int) -> None:
        self.bits = bits
        self.mant = mant
        self.exp = exp
        self.bias = (1 << (exp - 1)) - 1
        self.emin = 1 - self.bias
        self.emax = self.bias
        self.inf = ((1 << exp) - 1) << mant
        self.sign = 1 << (bits - 1)
        self.canonical_nan = self.inf | (1 << (mant - 1))


F32 = FloatFormat(32, 23, 8)
F64 = FloatFormat(64, 52, 11)


def parse_uint(text: str, bits: int) -> int:
    """An unsigned literal (nat) that must fit in `bits` bits."""
    value = _nat_value(text)
    if value >= 1 << bits:
        raise ValueError(OUT_OF_RANGE)
    return value


def parse_int(text: str, bits: int) -> int:
    """An integer literal for iN: signed in -2^(N-1)..2^N-1; returns the unsigned bits."""
    neg = text[0] == "-"
    body = text[1:] if text[0] in "+-" else text
    value = _nat_value(body)
    if neg:
        if value > 1 << (bits - 1):
            raise ValueError(OUT_OF_RANGE)
        return (-value) & ((1 << bits) - 1)
    if value >= 1 << bits:
        raise ValueError(OUT_OF_RANGE)
    return value


_NAT_RE = re.compile(r"(?:[0-9](?:_?[0-9])*|0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*)\Z")


def is_nat(text: str) -> bool:
    """Is `text` a nat literal (decimal or `0x` hex digits, single underscores between)?"""
    return _NAT_RE.match(text) is not None


def _nat_value(text: str) -> int:
    """The value of a nat literal (the lexer has checked its form)."""
    if text.startswith("0x"):
        return int(text[2:].replace("_", ""), 16)
    return int(text.replace("_", ""), 10)


def parse_float(text: str, fmt: FloatFormat) -> int:
    """A float literal (or an integer literal used as a float) as bits of `fmt`."""
    neg = text[0] == "-"
    body = text[1:] if text[0] in "+-" else text
    sign = fmt.sign if neg else 0
    if body == "inf":
        return sign | fmt.inf
    if body == "nan":
        return sign | fmt.canonical_nan
    if body.startswith("nan:0x"):
        payload = int(body[6:].replace("_", ""), 16)
        if payload == 0 or payload >= 1 << fmt.mant:
            raise ValueError(OUT_OF_RANGE)
        return sign | fmt.inf | payload
    body = body.replace("_", "")
    hexa = body.startswith("0x")
    # fast path: CPython rounds both decimal and hex text correctly to a double
    try:
        d = float.fromhex(body) if hexa else float(body)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
    if d == math.inf:
        raise ValueError(OUT_OF_RANGE)
    if fmt is F64:
        return sign | _U64.unpack(_F64.pack(d))[0]
    try:
        bits = _U32.unpack(_F32.pack(d))[0]  # round to nearest even, once more
    except OverflowError:
        if d != _F32_OVERFLOW_EDGE:
            raise ValueError(OUT_OF_RANGE) from None
        bits = F32.inf - 1  # exactly on the edge as a double; decide exactly below
    if _f32_halfway(d, bits):  # the two roundings may differ from one: do it exactly
        bits = _hex_float(body[2:], fmt) if hexa else _decimal_float(body, fmt)
    return sign | bits


_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_F32_OVERFLOW_EDGE = 2.0**128 - 2.0**103  # halfway between the largest f32 and 2^128


def _f32_halfway(d: float, bits: int) -> bool:
    """Is the double `d` exactly halfway between the f32 `bits` and its neighbour?"""
    y = _F32.unpack(_U32.pack(bits))[0]
    if d == y:
        return False
    other = bits + 1 if d > y else bits - 1
    n = 2.0**128 if other == F32.inf else _F32.unpack(_U32.pack(other))[0]
    return d == (y + n) / 2


def _hex_float(body: str, fmt: FloatFormat) -> int:
    mant_text, _, exp_text = body.lower().partition("p")
    whole, _, frac = mant_text.partition(".")
    digits = whole + frac
    num = int(digits, 16) if digits else 0
    exp2 = (int(exp_text) if exp_text else 0) - 4 * len(frac)
    return round_binary(num, exp2, 0, fmt)


def _decimal_float(body: str, fmt: FloatFormat) -> int:
    mant_text, _, exp_text = body.lower().partition("e")
    whole, _, frac = mant_text.partition(".")
    num = int(whole + frac)
    exp10 = (int(exp_text) if exp_text else 0) - len(frac)
    return round_binary(num, 0, exp10, fmt)


def round_binary(num: int, exp2: int, exp10: int, fmt: FloatFormat) -> int:
    """Round num * 2^exp2 * 10^exp10 (num >= 0) to nearest-even bits of `fmt` (no sign).

    Overflow (a result that rounds to infinity) raises ValueError.
    """
    if num == 0:
        return 0
    # rough size check first, so absurd exponents cannot make huge integers
    approx = num.bit_length() + exp2 + exp10 * 3.3219280948873626
    if approx > fmt.emax + 4:
        raise ValueError(OUT_OF_RANGE)
    if approx < fmt.emin - fmt.mant - 4:
        return 0
    # exact rational num/den
    den = 1
    if exp10 >= 0:
        num *= 10**exp10
    else:
        den = 10**-exp10
    if exp2 >= 0:
        num <<= exp2
    else:
        den <<= -exp2
    # e = floor(log2(num / den))
    e = num.bit_length() - den.bit_length()
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1
    if e < fmt.emin:
        e = fmt.emin
    shift = fmt.mant - e  # significand = num / den * 2^shift
    if shift >= 0:
        q, r = divmod(num << shift, den)
        d = den
    else:
        d = den << -shift
        q, r = divmod(num, d)
    twice = r << 1
    if twice > d or (twice == d and q & 1):
        q += 1
    if q >> (fmt.mant + 1):  # rounding carried into a new bit
        q >>= 1
        e += 1
    if q >> fmt.mant == 0:  # subnormal (or zero)
        return q
    if e > fmt.emax:
        raise ValueError(OUT_OF_RANGE)
    return ((e + fmt.bias) << fmt.mant) | (q & ((1 << fmt.mant) - 1))


def f32_bits(value: float) -> int:
    return struct.unpack("<I", struct.pack("<f", value))[0]


def f64_bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


# --- printing ---------------------------------------------------------------------------


def format_float(bits: int, fmt: FloatFormat) -> str:
    """The shortest text that parses back to exactly `bits`: decimal when it round-trips,
    hex float otherwise; NaNs as `nan` / `nan:0x...`."""
    neg = bits & fmt.sign
    sign = "-" if neg else ""
    mag = bits & ~fmt.sign
    frac_mask = (1 << fmt.mant) - 1
    if mag & fmt.inf == fmt.inf:
        payload = mag & frac_mask
        if payload == 0:
            return f"{sign}inf"
        if payload == 1 << (fmt.mant - 1):
            return f"{sign}nan"
        return f"{sign}nan:{payload:#x}"
    if fmt is F64:
        value = struct.unpack("<d", struct.pack("<Q", mag))[0]
        return sign + _py_repr(value)
    value = struct.unpack("<f", struct.pack("<I", mag))[0]
    # shortest decimal that rounds back to the same f32
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        try:
            if _decimal_float(text.replace("+", ""), F32) == mag:
                return sign + _tidy(text)
        except ValueError:  # rounded up past the largest float
            continue
    return sign + hex_float(bits & ~fmt.sign, fmt)


def _py_repr(value: float) -> str:
    text = repr(value)
    return _tidy(text)


def _tidy(text: str) -> str:
    if "e" in text:
        mant, _, exp = text.partition("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}e{int(exp)}"
    if "." not in text and "n" not in text:
        text += ".0"
    return text


def hex_float(bits: int, fmt: FloatFormat) -> str:
    """Exact hexadecimal form `0x1.8p+3` of a finite float's magnitude bits."""
    e = bits >> fmt.mant
    frac = bits & ((1 << fmt.mant) - 1)
    if e == 0 and frac == 0:
        return "0x0p+0"
    width = (fmt.mant + 3) // 4
    pad = width * 4 - fmt.mant
    if e == 0:
        lead, exp = 0, fmt.emin
    else:
        lead, exp = 1, e - fmt.bias
    digits = f"{frac << pad:0{width}x}".rstrip("0")
    return f"0x{lead}{'.' + digits if digits else ''}p{exp:+d}"
