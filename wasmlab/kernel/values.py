"""Values on the screen: machine values (unsigned ints, floats, ints for v128, None/objects
for references) written the way WAST would: `show_value` gives `i32.const 55`."""

from __future__ import annotations

from typing import Any

from wasmlab import syntax
from wasmlab.script import ExternRef, FuncInst, f32_to_bits, f64_to_bits
from wasmlab.syntax import ValType

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def value_text(value: Any, t: ValType | None) -> str:
    """The value alone: `55`, `-1`, `1.5`, `nan:0x200000`, `i32x4 0x1 0x2 0x3 0x4`, `null`."""
    if t is ValType.I32:
        return str(value - (1 << 32) if value >> 31 & 1 else value)
    if t is ValType.I64:
        return str(value - (1 << 64) if value >> 63 & 1 else value)
    if t is ValType.F32:
        return syntax.float_text(f32_to_bits(value), 32)
    if t is ValType.F64:
        return syntax.float_text(f64_to_bits(value), 64)
    if t is ValType.V128:
        lanes = [(int(value) >> (32 * i)) & M32 for i in range(4)]
        return "i32x4 " + " ".join(f"{x:#x}" for x in lanes)
    if value is None:
        return "null"
    if isinstance(value, ExternRef):
        return str(value.value)
    if isinstance(value, FuncInst):
        return f"${value.name}" if value.name else "func"
    if isinstance(value, int) and t is None:
        return str(value)
    return repr(value)


def show_value(value: Any, t: ValType | None) -> str:
    """A value as WAST writes it: `i32.const 55`, `f64.const 1.5`, `ref.null func` ..."""
    if t is None:
        return value_text(value, t)
    if t.is_ref:
        if value is None:
            heap = t.heap
            return f"ref.null {heap.text if hasattr(heap, 'text') else heap}"
        if isinstance(value, ExternRef):
            return f"ref.extern {value.value}"
        if isinstance(value, FuncInst):
            return f"ref.func {value_text(value, t)}"
        from wasmlab.debug import TypedValue  # GC objects: `ref $node #3 {$value 8, $next #2}`

        return TypedValue(t, value).text
    if t is ValType.V128:
        return f"v128.const {value_text(value, t)}"
    return f"{t.text}.const {value_text(value, t)}"


__all__ = ["show_value", "value_text"]
