"""C values read from a paused wasm frame: a variable's bytes wherever it lives, shown the
way gdb shows them (`12`, `0x11238`, `{num = 12, den = 18}`, `{1, 2, 3, 4, 5}`, `"list"`)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import WasmError
from .location import (
    FrameState,
    Global,
    Local,
    Location,
    LocationError,
    Memory,
    OptimizedOut,
    Pieces,
    StackSlot,
    Value,
)
from .types import ATE_BOOLEAN, ATE_FLOAT, ATE_SIGNED, ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR, CType

#: the most array elements and string bytes a value's text shows (gdb's `print elements`),
#: and the longest run of equal elements shown one by one (gdb's `print repeats`)
SHOW_ELEMENTS = 200
SHOW_STRING = 200
REPEATS = 10


class ValueError_(WasmError):  # noqa: N801 - not the builtin
    """A value that cannot be read (out-of-bounds memory, optimized out...)."""


@dataclass
class CValue:
    """A value of C type `type` at `location` in `frame` (read when asked)."""

    type: CType
    location: Location | None  # None: optimized out
    frame: FrameState

    @property
    def where(self) -> str:
        return self.location.where if self.location is not None else "optimized out"

    @property
    def address(self) -> int | None:
        return self.location.address if isinstance(self.location, Memory) else None

    def raw(self) -> bytes:
        """The value's bytes (little-endian), `type.byte_size` of them."""
        size = self.type.byte_size
        loc = self.location
        if loc is None or isinstance(loc, OptimizedOut):
            raise ValueError_("optimized out")
        if isinstance(loc, Memory):
            return self.frame.read(loc.address, size)
        if isinstance(loc, Pieces):
            data, missing = self.pieces()
            if missing:
                raise ValueError_("optimized out")
            return data
        if isinstance(loc, Value):
            return (loc.value & ((1 << (8 * max(size, 1))) - 1)).to_bytes(max(size, 1), "little")[:size]
        return _place_bytes(loc, self.frame, size)

    def pieces(self) -> tuple[bytes, set[int]]:
        """A value in pieces: its bytes, and which of them are optimized out."""
        assert isinstance(self.location, Pieces)
        size = self.type.byte_size
        out = b""
        missing: set[int] = set()
        for part, n in self.location.parts:
            try:
                out += CValue(CType("base", "", n), part, self.frame).raw()[:n].ljust(n, b"\0")
            except ValueError_:
                missing.update(range(len(out), len(out) + n))
                out += bytes(n)
        return out[:size].ljust(size, b"\0"), {k for k in missing if k < size}

    def scalar(self) -> int | float:
        """A base, enum or pointer value as a Python number."""
        t = self.type.strip()
        data = self.raw()
        if t.kind == "base" and t.encoding == ATE_FLOAT:
            return struct.unpack("<f" if len(data) == 4 else "<d", data)[0]
        signed = t.kind == "base" and t.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
        if t.kind == "enum" and t.target is not None:
            signed = t.target.strip().encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
        return int.from_bytes(data, "little", signed=signed)

    @property
    def text(self) -> str:
        """The value as gdb shows it (`<optimized out>`, `<...>` when it cannot be read)."""
        try:
            return _text(self.type, self)
        except WasmError as e:
            return f"<{e.message}>"


def _place_bytes(loc: Local | Global | StackSlot, frame: FrameState, size: int) -> bytes:
    if isinstance(loc, Local):
        v = frame.local(loc.index)
    elif isinstance(loc, Global):
        v = frame.global_value(loc.index)
    else:
        try:
            v = frame.stack_slot(loc.index)
        except LocationError:  # a caller's slot its call consumed (an argument): gone
            raise ValueError_("optimized out") from None
    if isinstance(v, float):
        return struct.pack("<f" if size == 4 else "<d", v)
    return (int(v) & ((1 << (8 * max(size, 1))) - 1)).to_bytes(max(size, 1), "little")[:size]


def _text(t: CType, v: CValue) -> str:
    s = t.strip()
    if s.kind == "base":
        x = v.scalar()
        if s.encoding == ATE_BOOLEAN:
            return "true" if x else "false"
        if _is_char(s):
            return f"{x} {_char(int(x))}"
        if isinstance(x, float):  # gdb: %g with 9 (float) or 17 (double) significant digits
            return f"{x:.{9 if s.size == 4 else 17}g}"
        return str(x)
    if s.kind == "enum":
        x = int(v.scalar())
        return s.enumerators.get(x, str(x))
    if s.kind == "pointer":
        x = int(v.scalar())
        target = s.target.strip() if s.target else None
        if target is not None and _is_char(target) and x:
            return f"{x:#x} {string_at(v.frame, x)}"
        return f"{x:#x}" if x else "0x0"
    if s.kind in ("array", "struct", "union") and v.address is None:
        v = _in_bytes(v)  # pieces of locals, constants...: its bytes, read as memory
    if s.kind == "array":
        elem = s.target or CType("base", "char", 1, ATE_SIGNED_CHAR)
        base = v.address
        if base is None:
            return "{...}"
        if _is_char(elem.strip()):
            return _char_array(v.frame.read(base, s.count or 0))
        step = elem.byte_size
        return _elements(
            s.count or 0,
            lambda k: _bytes_or_none(v.frame, base + k * step, step),
            lambda k: _part(elem, CValue(elem, Memory(base + k * step), v.frame)),
        )
    if s.kind in ("struct", "union"):
        base = v.address
        if base is None:
            return "{...}"
        parts = [
            f"{name} = {_part(mt, CValue(mt, Memory(base + off), v.frame))}" for name, off, mt in s.members
        ]
        return "{" + ", ".join(parts) + "}"
    if s.kind == "void":
        return "void"
    return f"<{s.spelling}>"


#: where `_in_bytes` puts a value that is not in linear memory (past any 32-bit address)
_OVERLAY = 1 << 40


class _Overlay:
    """A frame whose memory at `_OVERLAY` holds some bytes (the rest is the frame's own)."""

    def __init__(self, frame: FrameState, data: bytes, missing: set[int] | None = None) -> None:
        self.frame = frame
        self.data = data
        self.missing = missing or set()

    def local(self, index: int) -> Any:
        return self.frame.local(index)

    def global_value(self, index: int) -> Any:
        return self.frame.global_value(index)

    def stack_slot(self, index: int) -> Any:
        return self.frame.stack_slot(index)

    def read(self, address: int, size: int) -> bytes:
        if _OVERLAY <= address <= _OVERLAY + len(self.data) - size:
            k = address - _OVERLAY
            if self.missing and not self.missing.isdisjoint(range(k, k + size)):
                raise ValueError_("optimized out")
            return self.data[k : k + size]
        return self.frame.read(address, size)


def _in_bytes(v: CValue) -> CValue:
    """An aggregate that is not in memory (in locals, pieces, constants) as one that is; the
    members of one in pieces that are optimized out show `<optimized out>`, as gdb's do."""
    if isinstance(v.location, Pieces):
        data, missing = v.pieces()
        if len(missing) == len(data):
            raise ValueError_("optimized out")
        return CValue(v.type, Memory(_OVERLAY), _Overlay(v.frame, data, missing))
    return CValue(v.type, Memory(_OVERLAY), _Overlay(v.frame, v.raw()))


def _bytes_or_none(frame: FrameState, address: int, size: int) -> bytes | None:
    try:
        return frame.read(address, size)
    except ValueError_:
        return None


def _is_char(t: CType) -> bool:
    return t.kind == "base" and t.size == 1 and t.encoding in (ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR)


def _part(t: CType, v: CValue) -> str:
    """A member's or an element's text (`<optimized out>` for a piece that is)."""
    try:
        return _text(t, v)
    except ValueError_ as e:
        return f"<{e.message}>"


def _elements(n: int, raw: Callable[[int], bytes | None], text: Callable[[int], str]) -> str:
    """An array as gdb prints it: `{1, 2, 3}`, a run of more than REPEATS equal elements as
    `0 <repeats 16 times>`, at most SHOW_ELEMENTS elements and then `...`."""
    parts: list[str] = []
    k = shown = 0
    while k < n and shown < SHOW_ELEMENTS:
        first = raw(k)
        run = 1
        while k + run < n and raw(k + run) == first:
            run += 1
        if run > REPEATS:
            parts.append(f"{text(k)} <repeats {run} times>")
            k += run
            shown += REPEATS
        else:
            parts.append(text(k))
            k += 1
            shown += 1
    return "{" + ", ".join(parts) + ("..." if k < n else "") + "}"


def _char_array(data: bytes) -> str:
    """A char array as gdb prints it: all its bytes but a final NUL, as a string literal, a run
    of more than REPEATS equal bytes as `'\\000' <repeats 15 times>` (gdb's defaults)."""
    truncated = len(data) > SHOW_STRING
    data = data[:SHOW_STRING]
    if data and data[-1] == 0 and not truncated:
        data = data[:-1]
    if not data:
        return '""'
    segments: list[str] = []
    literal = ""
    k = 0
    while k < len(data):
        run = 1
        while k + run < len(data) and data[k + run] == data[k]:
            run += 1
        if run > REPEATS:
            if literal:
                segments.append(f'"{literal}"')
                literal = ""
            segments.append(f"{_char(data[k])} <repeats {run} times>")
            k += run
        else:
            literal += _char_body(data[k])
            k += 1
    if literal:
        segments.append(f'"{literal}"')
    return ", ".join(segments) + ("..." if truncated else "")


def string_at(frame: FrameState, address: int, limit: int = SHOW_STRING) -> str:
    """The NUL-terminated bytes at `address` as a C string literal (at most `limit` bytes)."""
    out = bytearray()
    try:
        while len(out) < limit:
            b = frame.read(address + len(out), 1)
            if not b or b == b"\0":
                break
            out += b
    except WasmError:
        return f"<error: cannot access memory at address {address + len(out):#x}>"
    body = "".join(_char_body(c) for c in out)
    return f'"{body}"' + ("..." if len(out) >= limit else "")


#: C escapes gdb uses in character and string literals
_ESCAPES = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r"}


def _char_body(c: int) -> str:
    if c == 0x22:
        return '\\"'
    if c == 0x5C:
        return "\\\\"
    if 0x20 <= c < 0x7F:
        return chr(c)
    return _ESCAPES.get(c, f"\\{c:03o}")


def _char(c: int) -> str:
    c &= 0xFF
    return "'" + ("\\'" if c == 0x27 else '"' if c == 0x22 else _char_body(c)) + "'"


__all__ = ["CValue", "ValueError_", "string_at"]
