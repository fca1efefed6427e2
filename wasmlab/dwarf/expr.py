"""A small C expression language over the variables of a paused frame, as a debugger's
`print` takes it: names, integer literals, `.`, `->`, `*`, `&`, `[]`, unary `-` and `!`,
`+ - * / %` (with pointer arithmetic and C's usual arithmetic conversions), comparisons,
`&&`, `||`, parentheses, casts (`(char)x`, `(unsigned)x`, `(long long)p`, `(struct node *)a`)
and `sizeof` (of an expression or a type).

`evaluate_c("frac->num * 2", lookup, frame, types)` gives a `CValue`; `lookup(name)` gives a
variable's `CValue` (or None), `types(name)` a named type of the program (`frac`, `struct
node`; C's base types are known without it). Errors are `CExprError`s that say what and
where (column).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import WasmError
from .location import FrameState, LocationError, Memory, Value
from .types import ATE_BOOLEAN, ATE_FLOAT, ATE_SIGNED, ATE_SIGNED_CHAR, ATE_UNSIGNED, ATE_UNSIGNED_CHAR, CType
from .values import CValue, ValueError_

INT = CType("base", "int", 4, ATE_SIGNED)
BOOL_RESULT = INT
SIZE_T = CType("base", "unsigned long", 4, ATE_UNSIGNED)

#: C's base types on wasm32, by their canonical name: (size, DW_ATE encoding)
BASE_TYPES = {
    "char": (1, ATE_SIGNED_CHAR), "signed char": (1, ATE_SIGNED_CHAR), "unsigned char": (1, ATE_UNSIGNED_CHAR),
    "short": (2, ATE_SIGNED), "unsigned short": (2, ATE_UNSIGNED), "int": (4, ATE_SIGNED),
    "unsigned int": (4, ATE_UNSIGNED), "long": (4, ATE_SIGNED), "unsigned long": (4, ATE_UNSIGNED),
    "long long": (8, ATE_SIGNED), "unsigned long long": (8, ATE_UNSIGNED), "float": (4, ATE_FLOAT),
    "double": (8, ATE_FLOAT), "_Bool": (1, ATE_BOOLEAN),
}  # fmt: skip
_SPECIFIERS = {"signed", "unsigned", "short", "long", "int", "char", "float", "double", "_Bool", "void"}
_QUALIFIERS = {"const", "volatile"}

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
Types = Callable[[str], CType | None]


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
    def __init__(self, text: str, lookup: Lookup, frame: FrameState, types: Types | None = None) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.lookup = lookup
        self.frame = frame
        self.types = types or (lambda name: None)

    # --- type names (casts, sizeof) ---------------------------------------------------------------

    def starts_type(self, k: int) -> bool:
        """Whether token `k` begins a type name (a keyword, or a typedef that is no variable)."""
        kind, text, _ = self.toks[k]
        if kind != "name":
            return False
        if text in _SPECIFIERS or text in _QUALIFIERS or text in ("struct", "union", "enum"):
            return True
        return self.lookup(text) is None and self.types(text) is not None

    def type_name(self) -> CType:
        """A type name: specifiers or `struct X` or a typedef, then `*`s."""
        words: list[str] = []
        col = self.peek()[2]
        t: CType | None = None
        while self.peek()[0] == "name":
            word = self.peek()[1]
            if word in _QUALIFIERS:
                self.take()
            elif word in ("struct", "union", "enum") and not words and t is None:
                self.take()
                kind, tag, tcol = self.take()
                if kind != "name":
                    raise CExprError(f"expected the name of the {word} at column {tcol}")
                t = self.types(f"{word} {tag}")
                if t is None:
                    raise CExprError(f"no type '{word} {tag}' in this program (column {tcol})")
            elif word in _SPECIFIERS and t is None:
                words.append(self.take()[1])
            elif not words and t is None and self.types(word) is not None:
                self.take()
                t = self.types(word)
            else:
                break
        if t is None:
            t = self.base_type(words, col)
        while self.peek()[1] == "*":
            self.take()
            t = CType("pointer", size=4, target=t)
        return t

    def base_type(self, words: list[str], col: int) -> CType:
        if not words:
            raise CExprError(f"expected a type at column {col}")
        if words == ["void"]:
            return CType("void", "void")
        unsigned = "unsigned" in words
        longs = words.count("long")
        if "char" in words:
            name = "unsigned char" if unsigned else "signed char" if "signed" in words else "char"
        elif "short" in words:
            name = "unsigned short" if unsigned else "short"
        elif "float" in words or "double" in words or "_Bool" in words:
            name = next(w for w in words if w in ("float", "double", "_Bool"))
        else:
            name = ("unsigned " if unsigned else "") + (
                "long long" if longs >= 2 else "long" if longs else "int"
            )
        if name not in BASE_TYPES or (longs and "char" in words):
            raise CExprError(f"not a C type: {' '.join(words)!r} (column {col})")
        found = self.types(name)
        if found is not None and found.strip().kind == "base":
            return found
        size, encoding = BASE_TYPES[name]
        return CType("base", name, size, encoding)

    def cast(self, t: CType, v: CValue, col: int) -> CValue:
        s = t.strip()
        if s.kind == "void":
            return CValue(t, Value(0, "computed"), self.frame)
        if s.kind not in ("base", "enum", "pointer"):
            raise CExprError(f"cannot cast to {t.spelling} (column {col}): only to numbers and pointers")
        vs = v.type.strip()
        if vs.kind == "array":
            if v.address is None:
                raise CExprError(f"the array is not in memory ({v.where})")
            x: int | float = v.address
        else:
            x = _as_number(v, col)
        if s.kind == "base" and s.encoding == ATE_FLOAT:
            return _number(t, float(x), self.frame)
        if s.kind == "base" and s.encoding == ATE_BOOLEAN:
            return _number(t, int(bool(x)), self.frame)
        if isinstance(x, float):
            if x != x or x in (float("inf"), float("-inf")):
                raise CExprError(f"cannot convert {x} to {t.spelling} (column {col})")
            x = int(x)
        return _number(t, _wrap(x, s), self.frame)

    def size_of(self, col: int) -> CValue:
        if self.peek()[1] == "(" and self.starts_type(self.i + 1):
            self.take("(")
            t = self.type_name()
            self.take(")")
        else:
            t = self.unary().type
        if t.strip().kind in ("void", "function"):
            raise CExprError(f"sizeof of {t.spelling} (column {col})")
        return _number(SIZE_T, t.byte_size, self.frame)

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
        if kind == "name" and op == "sizeof" and self.lookup("sizeof") is None:
            self.take()
            return self.size_of(col)
        if op == "(" and self.starts_type(self.i + 1):
            self.take()
            t = self.type_name()
            self.take(")")
            return self.cast(t, self.unary(), col)
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
            if op == "!":
                return _number(INT, int(not _as_number(v, col)), self.frame)
            x = _as_number(v, col)
            t = _arith_type(v.type.strip(), INT)
            return _number(t, -x if isinstance(x, float) else _wrap(-x, t), self.frame)
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
        if op == "+" and tb.kind in ("pointer", "array") and ta.kind not in ("pointer", "array"):
            a, b, ta, tb = b, a, tb, ta  # 2 + p is p + 2
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
        t = _arith_type(ta, tb)
        if t.encoding != ATE_FLOAT:  # both integers, converted to `t` (C's usual conversions)
            x, y = _wrap(int(x), t), _wrap(int(y), t)
        if op == "/":
            r = (
                x / y
                if t.encoding == ATE_FLOAT
                else abs(int(x)) // abs(int(y)) * (1 if (x < 0) == (y < 0) else -1)
            )
        elif op == "%":
            if isinstance(x, float) or isinstance(y, float):
                raise CExprError(f"% needs integers (column {col})")
            r = x - y * (abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1))
        else:
            r = {"+": x + y, "-": x - y, "*": x * y}[op]
        return _number(t, r if t.encoding == ATE_FLOAT else _wrap(int(r), t), self.frame)


_COMPARE = {
    "==": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y, ">": lambda x, y: x > y,
    "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y, "&&": lambda x, y: bool(x) and bool(y),
    "||": lambda x, y: bool(x) or bool(y),
}  # fmt: skip


def _wrap(x: int, t: CType) -> int:
    """`x` as a value of integer (or pointer, enum) type `t`: reduced modulo 2^bits, signed
    or not as `t` is."""
    bits = 8 * (t.byte_size or 4)
    x &= (1 << bits) - 1
    signed = t.kind == "base" and t.encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
    if t.kind == "enum" and t.target is not None:
        signed = t.target.strip().encoding in (ATE_SIGNED, ATE_SIGNED_CHAR)
    return x - (1 << bits) if signed and x >> (bits - 1) else x


def _arith_type(a: CType, b: CType) -> CType:
    """The type C computes `a op b` in: double or float if either is one, else the wider of
    the two after promotion to int (unsigned if the wider, or equally wide, one is)."""
    floats = [t for t in (a, b) if t.kind == "base" and t.encoding == ATE_FLOAT]
    if floats:
        return max(floats, key=lambda t: t.size)

    def rank(t: CType) -> tuple[int, bool]:
        size = 4 if t.kind == "enum" else t.byte_size
        unsigned = t.kind == "pointer" or (
            t.kind == "base" and t.encoding in (ATE_UNSIGNED, ATE_UNSIGNED_CHAR)
        )
        return (size, unsigned) if size >= 4 else (4, False)

    size, unsigned = max(rank(a), rank(b))
    name = {4: "int", 8: "long long"}.get(size, "int")
    name = ("unsigned " if unsigned else "") + name
    return CType("base", name, size if size in (4, 8) else 4, ATE_UNSIGNED if unsigned else ATE_SIGNED)


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


def evaluate_c(text: str, lookup: Lookup, frame: FrameState, types: Types | None = None) -> CValue:
    """The value of C expression `text` (see the module docstring)."""
    if not text.strip():
        raise CExprError("empty expression")
    try:
        return _Parser(text, lookup, frame, types).parse()
    except (ValueError_, LocationError) as e:  # a value read on the way: optimized out, out of bounds
        raise CExprError(f"cannot evaluate {text.strip()!r}: {e.message}") from None


__all__ = ["CExprError", "evaluate_c"]
