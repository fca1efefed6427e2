"""A small C expression language over the variables of a paused frame, as a debugger's
`print` takes it: names, integer literals, `.`, `->`, `*`, `&`, `[]`, unary `-` and `!`,
`+ - * / %` (with pointer arithmetic), comparisons, `&&`, `||` and parentheses.

`evaluate_c("frac->num * 2", lookup, frame)` gives a `CValue`; `lookup(name)` gives a
variable's `CValue` (or None). Errors are `CExprError`s that say what and where (column).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import WasmError
from .location import FrameState, LocationError, Memory, Value
from .types import ATE_FLOAT, ATE_SIGNED, CType
from .values import CValue, ValueError_

INT = CType("base", "int", 4, ATE_SIGNED)
BOOL_RESULT = INT

_TOKEN = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_]\w*)|(->|&&|\|\||==|!=|<=|>=|[-+*/%&!<>.\[\]()]))"
)

#: binary operators by precedence (higher binds tighter)
_BINARY = {
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}  # fmt: skip


class CExprError(WasmError):
    """An expression that does not parse or cannot be evaluated."""


Lookup = Callable[[str], CValue | None]


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            pos += len(text[pos:]) - len(text[pos:].lstrip())
            raise CExprError(f"unexpected {text[pos : pos + 1]!r} at column {pos + 1}")
        kind = "num" if m.group(1) else "name" if m.group(2) else "op"
        out.append((kind, m.group(m.lastindex or 0), m.start(m.lastindex or 0) + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str, lookup: Lookup, frame: FrameState) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.lookup = lookup
        self.frame = frame

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        if value is not None and tok[1] != value:
            raise CExprError(f"expected {value!r} at column {tok[2]}, found {tok[1] or 'the end'!r}")
        self.i += 1
        return tok

    def parse(self) -> CValue:
        v = self.binary(0)
        kind, text, col = self.peek()
        if kind != "end":
            raise CExprError(f"unexpected {text!r} at column {col}")
        return v

    def binary(self, min_prec: int) -> CValue:
        left = self.unary()
        while True:
            kind, op, col = self.peek()
            prec = _BINARY.get(op) if kind == "op" else None
            if prec is None or prec <= min_prec - 1 or prec < min_prec:
                return left
            self.take()
            right = self.binary(prec + 1)
            left = self.apply(op, left, right, col)

    def unary(self) -> CValue:
        kind, op, col = self.peek()
        if kind == "op" and op in ("*", "&", "-", "!"):
            self.take()
            v = self.unary()
            if op == "*":
                return self.deref(v, col)
            if op == "&":
                if v.address is None:
                    raise CExprError(
                        f"cannot take the address of a value not in memory ({v.where}) at column {col}"
                    )
                return _number(CType("pointer", size=4, target=v.type), v.address, self.frame)
            n = _as_int(v, col)
            return _number(INT, -n if op == "-" else int(not n), self.frame)
        return self.postfix(self.primary())

    def primary(self) -> CValue:
        kind, text, col = self.take()
        if kind == "num":
            return _number(INT, int(text, 0), self.frame)
        if kind == "name":
            v = self.lookup(text)
            if v is None:
                raise CExprError(f"no variable named {text!r} here (column {col})")
            return v
        if text == "(":
            v = self.binary(0)
            self.take(")")
            return v
        raise CExprError(f"unexpected {text or 'end of expression'!r} at column {col}")

    def postfix(self, v: CValue) -> CValue:
        while True:
            kind, op, col = self.peek()
            if op == ".":
                self.take()
                v = self.member(v, self.take()[1], col)
            elif op == "->":
                self.take()
                v = self.member(self.deref(v, col), self.take()[1], col)
            elif op == "[":
                self.take()
                index = self.binary(0)
                self.take("]")
                v = self.deref(self.apply("+", v, index, col), col)
            else:
                return v

    def member(self, v: CValue, name: str, col: int) -> CValue:
        found = v.type.member(name)
        if found is None:
            raise CExprError(f"{v.type.spelling} has no member {name!r} (column {col})")
        if v.address is None:
            raise CExprError(f"{v.type.spelling} is not in memory ({v.where})")
        offset, t = found
        return CValue(t, Memory(v.address + offset), self.frame)

    def deref(self, v: CValue, col: int) -> CValue:
        t = v.type.strip()
        if t.kind == "array":
            if v.address is None:
                raise CExprError(f"the array is not in memory ({v.where})")
            return CValue(t.target or INT, Memory(v.address), self.frame)
        if t.kind != "pointer":
            raise CExprError(f"cannot dereference a {v.type.spelling} (column {col})")
        target = t.target or INT
        if target.strip().kind == "void":
            raise CExprError(f"cannot dereference a void pointer (column {col})")
        address = int(v.scalar())
        if address == 0:
            raise CExprError(f"null pointer dereferenced (column {col})")
        return CValue(target, Memory(address), self.frame)

    def apply(self, op: str, a: CValue, b: CValue, col: int) -> CValue:
        ta, tb = a.type.strip(), b.type.strip()
        if op in ("+", "-") and ta.kind in ("pointer", "array"):
            elem = ta.target or INT
            base = a.address if ta.kind == "array" else int(a.scalar())
            if base is None:
                raise CExprError(f"the array is not in memory ({a.where})")
            if op == "-" and tb.kind == "pointer":
                return _number(INT, (base - int(b.scalar())) // max(elem.byte_size, 1), self.frame)
            step = _as_int(b, col) * max(elem.byte_size, 1)
            return _number(
                CType("pointer", size=4, target=elem), base + (step if op == "+" else -step), self.frame
            )
        x, y = _as_number(a, col), _as_number(b, col)
        if op in _COMPARE:
            return _number(BOOL_RESULT, int(_COMPARE[op](x, y)), self.frame)
        if op in ("/", "%") and y == 0:
            raise CExprError(f"division by zero (column {col})")
        if op == "/":
            r = x / y if isinstance(x, float) or isinstance(y, float) else int(x / y)
        elif op == "%":
            r = x - y * int(x / y)
        else:
            r = {"+": x + y, "-": x - y, "*": x * y}[op]
        float_type = ta if ta.kind == "base" and ta.encoding == ATE_FLOAT else tb
        t = float_type if isinstance(r, float) else INT
        return _number(t, r, self.frame)


_COMPARE = {
    "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y, ">": lambda x, y: x > y,
    "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y, "&&": lambda x, y: bool(x) and bool(y),
    "||": lambda x, y: bool(x) or bool(y),
}  # fmt: skip


def _number(t: CType, value: int | float, frame: FrameState) -> CValue:
    if isinstance(value, float):
        import struct

        raw = int.from_bytes(struct.pack("<f" if t.byte_size == 4 else "<d", value), "little")
        return CValue(t, Value(raw, "computed"), frame)
    return CValue(t, Value(int(value), "computed"), frame)


def _as_number(v: CValue, col: int) -> int | float:
    t = v.type.strip()
    if t.kind in ("struct", "union", "array", "void"):
        raise CExprError(f"a {v.type.spelling} is not a number (column {col})")
    return v.scalar()


def _as_int(v: CValue, col: int) -> int:
    x = _as_number(v, col)
    if isinstance(x, float):
        raise CExprError(f"an index or operand must be an integer, not {v.type.spelling} (column {col})")
    return x


def evaluate_c(text: str, lookup: Lookup, frame: FrameState) -> CValue:
    """The value of C expression `text` (see the module docstring)."""
    if not text.strip():
        raise CExprError("empty expression")
    try:
        return _Parser(text, lookup, frame).parse()
    except (ValueError_, LocationError) as e:  # a value read on the way: optimized out, out of bounds
        raise CExprError(f"cannot evaluate {text.strip()!r}: {e.message}") from None


__all__ = ["CExprError", "evaluate_c"]
