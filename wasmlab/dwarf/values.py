"""C values read from a paused wasm frame: a variable's bytes wherever it lives, shown the
way gdb shows them (`12`, `0x11238`, `{num = 12, den = 18}`, `{1, 2, 3, 4, 5}`, `"list"`)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import WasmError
from .location import FrameState, Global, Local, Location, Memory, Pieces, StackSlot, Value
from .types import ATE_BOOLEAN, ATE_FLOAT, ATE_SIGNED, ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR, CType

#: the most array elements and string bytes a value's text shows
SHOW_ELEMENTS = 20
SHOW_STRING = 200


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
        if loc is None:
            raise ValueError_("<optimized out>")
        if isinstance(loc, Memory):
            return self.frame.read(loc.address, size)
        if isinstance(loc, Pieces):
            out = b""
            for part, n in loc.parts:
                out += CValue(CType("base", "", n), part, self.frame).raw()[:n]
            return out[:size].ljust(size, b"\0")
        if isinstance(loc, Value):
            return (loc.value & ((1 << (8 * max(size, 1))) - 1)).to_bytes(max(size, 1), "little")[:size]
        return _place_bytes(loc, self.frame, size)

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
            return f"<{e.message if hasattr(e, 'message') else e}>"


def _place_bytes(loc: Local | Global | StackSlot, frame: FrameState, size: int) -> bytes:
    if isinstance(loc, Local):
        v = frame.local(loc.index)
    elif isinstance(loc, Global):
        v = frame.global_value(loc.index)
    else:
        v = frame.stack_slot(loc.index)
    if isinstance(v, float):
        return struct.pack("<f" if size == 4 else "<d", v)
    return (int(v) & ((1 << (8 * max(size, 1))) - 1)).to_bytes(max(size, 1), "little")[:size]


def _text(t: CType, v: CValue) -> str:
    s = t.strip()
    if s.kind == "base":
        x = v.scalar()
        if s.encoding == ATE_BOOLEAN:
            return "true" if x else "false"
        if s.encoding in (ATE_SIGNED_CHAR, ATE_UNSIGNED_CHAR) and s.size == 1:
            return f"{x} {_char(int(x))}"
        return repr(x) if isinstance(x, float) else str(x)
    if s.kind == "enum":
        x = int(v.scalar())
        return s.enumerators.get(x, str(x))
    if s.kind == "pointer":
        x = int(v.scalar())
        target = s.target.strip() if s.target else None
        if target is not None and target.kind == "base" and target.size == 1 and x:
            return f"{x:#x} {string_at(v.frame, x)}"
        return f"{x:#x}" if x else "0x0"
    if s.kind == "array":
        elem = s.target or CType("base", "char", 1)
        n = s.count or 0
        base = v.address
        if base is None:
            return "{...}"
        if elem.strip().kind == "base" and elem.strip().size == 1:
            return string_at(v.frame, base, min(n, SHOW_STRING))
        shown = [
            _text(elem, CValue(elem, Memory(base + k * elem.byte_size), v.frame))
            for k in range(min(n, SHOW_ELEMENTS))
        ]
        return "{" + ", ".join(shown) + (", ..." if n > SHOW_ELEMENTS else "") + "}"
    if s.kind in ("struct", "union"):
        base = v.address
        if base is None:
            return "{...}"
        parts = [
            f"{name} = {_text(mt, CValue(mt, Memory(base + off), v.frame))}" for name, off, mt in s.members
        ]
        return "{" + ", ".join(parts) + "}"
    if s.kind == "void":
        return "void"
    return f"<{s.spelling}>"


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
        return "<out of bounds>"
    body = "".join(_char_body(c) for c in out)
    return f'"{body}"' + ("..." if len(out) >= limit else "")


def _char_body(c: int) -> str:
    if c == 0x22:
        return '\\"'
    if c == 0x5C:
        return "\\\\"
    if 0x20 <= c < 0x7F:
        return chr(c)
    return {10: "\\n", 9: "\\t", 13: "\\r"}.get(c, f"\\{c:03o}")


def _char(c: int) -> str:
    return "'" + ("\\'" if c == 0x27 else _char_body(c & 0xFF)) + "'"


__all__ = ["CValue", "ValueError_", "string_at"]
