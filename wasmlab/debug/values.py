"""Runtime values with their static types, as the views show them: `i32 7`, `f64 1.5`, `ref.func 3`.

The machine keeps untyped values (see the value contract: unsigned ints, floats, `None`
for null references); a `TypedValue` pairs one with the type the validator knows for
its stack slot, local or global, and renders it. It compares equal to plain Python
numbers (`locals["$n"] == 3`), by its signed value or its bit pattern.
"""

from __future__ import annotations

import math
from typing import Any

from ..exec import numerics as N
from ..exec.runtime import ExternRef, FuncInst
from ..syntax.floats import float_text
from ..syntax.types import ValType


def func_ref_text(f: FuncInst) -> str:
    """`ref.func 3` (with the function's name when it has one)."""
    label = f.name if not f.name.startswith("func[") else None
    if f.is_host:
        return f"ref.func {f.name}"
    return f"ref.func {f.index}" + (f" ({label})" if label else "")


def value_text(value: Any, t: ValType | None) -> str:
    """`i32 7`, `i64 -1`, `f32 nan`, `v128 0x…`, `ref.null func`, `ref.func 2`, `ref.extern 'x'`."""
    if t is None:
        return _guess_text(value)
    if t is ValType.I32:
        return f"i32 {N.to_signed32(value)}"
    if t is ValType.I64:
        return f"i64 {N.to_signed64(value)}"
    if t is ValType.F32:
        return f"f32 {float_text(N.f32_to_bits(value), 32)}"
    if t is ValType.F64:
        return f"f64 {float_text(N.f64_to_bits(value), 64)}"
    if t is ValType.V128:
        return f"v128 {value:#034x}"
    if value is None:
        return "ref.null func" if t is ValType.FUNCREF else "ref.null extern"
    if isinstance(value, FuncInst):
        return func_ref_text(value)
    if isinstance(value, ExternRef):
        return f"ref.extern {value.value!r}"
    return f"{t.text} {value!r}"


def _guess_text(value: Any) -> str:
    """Text for a value whose static type is unknown (never for valid, reachable code)."""
    if isinstance(value, FuncInst):
        return func_ref_text(value)
    if isinstance(value, ExternRef):
        return f"ref.extern {value.value!r}"
    if value is None:
        return "ref.null"
    return f"? {value!r}"


def python_value(value: Any, t: ValType | None) -> Any:
    """The value as Python sees it: signed ints, floats, `None`, a FuncInst, a host value."""
    if t is ValType.I32:
        return N.to_signed32(value)
    if t is ValType.I64:
        return N.to_signed64(value)
    if t is ValType.EXTERNREF and isinstance(value, ExternRef):
        return value.value
    return value


class TypedValue:
    """One value and its static type; `.value` is the Python form, `.bits` the machine's."""

    __slots__ = ("type", "bits")

    def __init__(self, type: ValType | None, bits: Any) -> None:
        self.type = type
        self.bits = bits

    @property
    def value(self) -> Any:
        return python_value(self.bits, self.type)

    @property
    def text(self) -> str:
        return value_text(self.bits, self.type)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TypedValue):
            return self.type == other.type and _same(self.bits, other.bits)
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            v = self.value
            return v == other or (isinstance(self.bits, int) and self.bits == other)
        return self.value == other

    def __hash__(self) -> int:
        return hash((self.type, repr(self.bits)))

    def __int__(self) -> int:
        return int(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __index__(self) -> int:
        if not isinstance(self.bits, int) or self.type not in (ValType.I32, ValType.I64, ValType.V128):
            raise TypeError(f"{self.text} is not an integer")
        return int(self.value)

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<code>{_esc(self.text)}</code>"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return N.f64_to_bits(a) == N.f64_to_bits(b)
    return a is b or a == b


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
