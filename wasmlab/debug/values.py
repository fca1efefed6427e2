"""Runtime values with their static types, as the views show them: `i32 7`, `f64 1.5`, `ref.func 3`.

The machine keeps untyped values (see the value contract: unsigned ints, floats, `None`
for null references); a `TypedValue` pairs one with the type the validator knows for
its stack slot, local or global, and renders it. It compares equal to plain Python
numbers (`locals["$n"] == 3`), by its signed value or its bit pattern.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

from ..exec import numerics as N
from ..exec.runtime import I31, ArrayInst, ExternRef, FuncInst, StructInst
from ..syntax.floats import float_text
from ..syntax.types import Packed, RefType, ValType, heap_text

# --- GC objects: short names and short forms ---------------------------------------------------

#: canonical type -> (its name, {field index: field name}) from the name sections the
#: debugger has seen (`register_type_names`)
_type_names: weakref.WeakKeyDictionary[Any, tuple[str | None, dict[int, str]]] = weakref.WeakKeyDictionary()


def serial(obj: Any) -> int:
    """The number naming a struct or array (`#3`): its place in the order of allocation."""
    return obj.serial


def register_type_names(instances: Any) -> None:
    """Remember the type and field names of these instances' modules for their canonical types
    (a type is the same in every module that defines it alike: the latest session's names win,
    and a name is not forgotten for a module that has none)."""
    for inst in instances:
        names = inst.module.names
        for i, d in enumerate(getattr(inst, "deftypes", ())):
            if d is None:
                continue
            name, fields = names.types.get(i), names.fields.get(i, {})
            old = _type_names.get(d)
            if old is None or name is not None or fields:
                _type_names[d] = (name or (old[0] if old else None), fields or (old[1] if old else {}))
                if _type_names[d][0]:
                    d.label = f"${_type_names[d][0]}"


def type_name(d: Any) -> str:
    """`$node` (a named type), else `struct`, `array` or `func`."""
    name = _type_names.get(d, (None, {}))[0]
    return f"${name}" if name else d.kind


def field_name(d: Any, i: int) -> str:
    name = _type_names.get(d, (None, {}))[1].get(i)
    return f"${name}" if name else str(i)


def storage_text(v: Any, storage: Any) -> str:
    """A field's or element's value, short: `7`, `1.5`, `null`, `#3`, `i31 5`."""
    if isinstance(storage, Packed):
        return str(v)
    if storage is ValType.I32:
        return str(N.to_signed32(v))
    if storage is ValType.I64:
        return str(N.to_signed64(v))
    if storage is ValType.F32:
        return float_text(N.f32_to_bits(v), 32)
    if storage is ValType.F64:
        return float_text(N.f64_to_bits(v), 64)
    if storage is ValType.V128:
        return f"{v:#034x}"
    return ref_short(v)


def ref_short(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, (StructInst, ArrayInst)):
        return f"#{serial(v)}"
    if isinstance(v, I31):
        return f"i31 {v.value}"
    if isinstance(v, FuncInst):
        return func_ref_text(v)
    if isinstance(v, ExternRef):
        return f"ref.extern {v.value!r}"
    return repr(v)


def object_text(obj: Any, limit: int = 4) -> str:
    """`$node #3 {$value 8, $next #2}`, `$vec #2 [1, 2, 3, …] (len 10)`: a GC object in short."""
    d = obj.type
    head = f"{type_name(d)} #{serial(obj)}"
    if isinstance(obj, StructInst):
        fields = d.comp.fields
        parts = [
            f"{field_name(d, i)} {storage_text(v, fields[i].storage)}"
            for i, v in enumerate(obj.fields[:limit])
        ]
        if len(obj.fields) > limit:
            parts.append("…")
        return head + " {" + ", ".join(parts) + "}"
    storage = d.comp.field.storage
    els = obj.elements
    parts = [storage_text(v, storage) for v in els[:limit]]
    if len(els) > limit:
        parts.append("…")
    return f"{head} [{', '.join(parts)}] (len {len(els)})"


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
        if isinstance(t, RefType):
            return f"ref.null {heap_text(t.heap)}"
        return "ref.null func" if t is ValType.FUNCREF else "ref.null extern"
    if isinstance(value, (StructInst, ArrayInst)):
        return f"ref {object_text(value)}"
    if isinstance(value, I31):
        return f"ref.i31 {value.value}"
    if isinstance(value, FuncInst):
        return func_ref_text(value)
    if isinstance(value, ExternRef):
        return f"ref.extern {value.value!r}"
    return f"{t.text} {value!r}"


def _guess_text(value: Any) -> str:
    """Text for a value whose static type is unknown (never for valid, reachable code)."""
    if isinstance(value, (StructInst, ArrayInst)):
        return f"ref {object_text(value)}"
    if isinstance(value, I31):
        return f"ref.i31 {value.value}"
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
