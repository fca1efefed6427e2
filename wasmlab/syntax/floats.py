"""An f32/f64 value as short text for people: what dumps, traces, labels and views show.

`float_text(bits, width)` reads an IEEE 754 bit pattern (NaN payloads exact) and writes the
shortest decimal that reads back as the same double (Python's `repr`), `inf`/`-inf`, or
`nan` with its payload (`nan:0x200000`) when the payload is not the canonical one. The
printer's exact WAT literals are another matter (`wasmlab.text.numbers.format_float`).
"""

from __future__ import annotations

import struct

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


def float_text(bits: int, width: int, *, nan_payload: bool = False) -> str:
    """The f32 (`width` 32) or f64 (64) with bit pattern `bits` as text: a decimal, `inf`,
    `-inf`, `nan` (the canonical NaN) or `nan:0x...`; `nan_payload=True` writes the payload
    of the canonical NaN too (`nan:0x400000`)."""
    mant_bits = 23 if width == 32 else 52
    exp_mask = ((1 << (width - 1)) - 1) ^ ((1 << mant_bits) - 1)
    payload = bits & ((1 << mant_bits) - 1)
    sign = "-" if bits >> (width - 1) & 1 else ""
    if bits & exp_mask == exp_mask:
        if not payload:
            return f"{sign}inf"
        if payload == 1 << (mant_bits - 1) and not nan_payload:
            return f"{sign}nan"
        return f"{sign}nan:{payload:#x}"
    if width == 32:
        return repr(_F32.unpack(_U32.pack(bits & 0xFFFFFFFF))[0])
    return repr(_F64.unpack(_U64.pack(bits & 0xFFFFFFFFFFFFFFFF))[0])


__all__ = ["float_text"]
