"""LEB128 integers (spec 5.2.2): unsigned `uN` and signed `sN`, with the spec's limits.

An N-bit integer takes at most ceil(N / 7) bytes. In the last byte allowed, the bits beyond
N must be zero (unsigned) or copies of the sign bit (signed); otherwise the value is "too
large". A continuation bit on that last byte makes the representation "too long".

Readers take `(data, pos)` and return `(value, next_pos)`; they raise `DecodeError` with
the byte offset of the problem, using the messages of the spec's reference interpreter.
Writers return the shortest encoding (or a padded one, for tests and tools that want it).
"""

from __future__ import annotations

from ..errors import DecodeError

UNEXPECTED_END = "unexpected end"
TOO_LONG = "integer representation too long"
TOO_LARGE = "integer too large"


def read_unsigned(data: bytes | bytearray | memoryview, pos: int, bits: int) -> tuple[int, int]:
    """Read a `u<bits>` at `pos`; return (value, position after it)."""
    n = len(data)
    result = 0
    shift = 0
    left = bits  # value bits this byte and the following ones may still carry
    while True:
        if left <= 0:
            raise DecodeError(TOO_LONG, pos)
        if pos >= n:
            raise DecodeError(UNEXPECTED_END, pos)
        b = data[pos]
        pos += 1
        if left < 7 and (b & 0x7F) >= (1 << left):
            raise DecodeError(TOO_LARGE, pos - 1)
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        left -= 7


def read_signed(data: bytes | bytearray | memoryview, pos: int, bits: int) -> tuple[int, int]:
    """Read an `s<bits>` at `pos`; return (value as a Python int, position after it)."""
    n = len(data)
    result = 0
    shift = 0
    left = bits
    while True:
        if left <= 0:
            raise DecodeError(TOO_LONG, pos)
        if pos >= n:
            raise DecodeError(UNEXPECTED_END, pos)
        b = data[pos]
        pos += 1
        if left < 7:
            # the unused high bits of the last byte must all equal the sign bit
            mask = (-1 << (left - 1)) & 0x7F
            high = b & mask
            if high != 0 and high != mask:
                raise DecodeError(TOO_LARGE, pos - 1)
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos
        left -= 7


def read_u32(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    if pos < len(data) and data[pos] < 0x80:
        return data[pos], pos + 1
    return read_unsigned(data, pos, 32)


def read_u64(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    return read_unsigned(data, pos, 64)


def read_s32(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 32)


def read_s33(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 33)


def read_s64(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 64)


# --- writing -----------------------------------------------------------------------------


def write_unsigned(value: int, bits: int = 64, *, size: int | None = None) -> bytes:
    """The LEB128 encoding of unsigned `value`; shortest unless `size` asks for padding.

    Raises ValueError when `value` does not fit in `bits` or in `size` bytes.
    """
    if value < 0 or value >> bits:
        raise ValueError(f"{value} is out of range for u{bits}")
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            break
    return _pad(out, size, bits, 0) if size is not None else bytes(out)


def write_signed(value: int, bits: int = 64, *, size: int | None = None) -> bytes:
    """The LEB128 encoding of signed `value`; shortest unless `size` asks for padding."""
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise ValueError(f"{value} is out of range for s{bits}")
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7  # arithmetic shift keeps the sign
        if (value == 0 and not b & 0x40) or (value == -1 and b & 0x40):
            out.append(b)
            break
        out.append(b | 0x80)
    return _pad(out, size, bits, 0x7F if value < 0 else 0) if size is not None else bytes(out)


def _pad(out: bytearray, size: int, bits: int, fill: int) -> bytes:
    """Stretch a minimal encoding to `size` bytes with continuation bytes of sign `fill`."""
    limit = (bits + 6) // 7
    if size < len(out) or size > limit:
        raise ValueError(f"cannot encode in {size} bytes (needs {len(out)}..{limit})")
    while len(out) < size:
        out[-1] |= 0x80
        out.append(fill)
    return bytes(out)


def write_u32(value: int) -> bytes:
    if 0 <= value < 0x80:
        return bytes((value,))
    return write_unsigned(value, 32)


def write_u64(value: int) -> bytes:
    return write_unsigned(value, 64)


def write_s32(value: int) -> bytes:
    return write_signed(value, 32)


def write_s33(value: int) -> bytes:
    return write_signed(value, 33)


def write_s64(value: int) -> bytes:
    return write_signed(value, 64)


def signed(value: int, bits: int) -> int:
    """Reinterpret the low `bits` bits of `value` as two's complement."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


__all__ = [
    "read_unsigned",
    "read_signed",
    "read_u32",
    "read_u64",
    "read_s32",
    "read_s33",
    "read_s64",
    "write_unsigned",
    "write_signed",
    "write_u32",
    "write_u64",
    "write_s32",
    "write_s33",
    "write_s64",
    "signed",
]
