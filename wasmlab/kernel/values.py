"""Values between WAST text, the machine and the screen.

Script values are the text parser's tuples (`("i32", bits)`, `("f32", bits)` ...); machine
values follow the runtime contract (unsigned ints, floats, ints for v128, None/objects for
references). `show_value` writes a machine value the way WAST would: `i32.const 55`.
"""

from __future__ import annotations

import math
from typing import Any

from wasmlab.errors import WasmError
from wasmlab.exec import numerics as N
from wasmlab.exec.runtime import ExternRef, FuncInst
from wasmlab.syntax.types import ValType

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


def from_script(value: tuple[str, Any]) -> Any:
    """A script argument (`("i32", bits)` ...) as a machine value."""
    kind, payload = value
    if kind in ("i32", "i64"):
        return payload
    if kind == "f32":
        return N.f32_from_bits(payload)
    if kind == "f64":
        return N.f64_from_bits(payload)
    if kind == "v128":
        return int.from_bytes(bytes(payload), "little")
    if kind == "ref.null":
        return None
    if kind == "ref.extern":
        return ExternRef(payload)
    raise WasmError(f"cannot pass {kind} as an argument")


def to_script(value: Any, t: ValType) -> tuple[str, Any]:
    """A machine value of type `t` as a script value, for `match_result`."""
    if t is ValType.I32 or t is ValType.I64:
        return (t.text, value)
    if t is ValType.F32:
        return ("f32", N.f32_to_bits(value))
    if t is ValType.F64:
        return ("f64", N.f64_to_bits(value))
    if t is ValType.V128:
        return ("v128", int(value).to_bytes(16, "little"))
    if value is None:
        return ("ref.null", t)
    if isinstance(value, ExternRef):
        return ("ref.extern", value.value)
    return ("ref.func", value)


def _float_text(x: float, bits: int, width: int) -> str:
    if math.isnan(x):
        mant = bits & ((1 << (23 if width == 32 else 52)) - 1)
        sign = "-" if bits >> (width - 1) else ""
        quiet = 1 << (22 if width == 32 else 51)
        return f"{sign}nan" if mant == quiet else f"{sign}nan:{mant:#x}"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def value_text(value: Any, t: ValType | None) -> str:
    """The value alone: `55`, `-1`, `1.5`, `nan:0x200000`, `i32x4 0x1 0x2 0x3 0x4`, `null`."""
    if t is ValType.I32:
        return str(value - (1 << 32) if value >> 31 & 1 else value)
    if t is ValType.I64:
        return str(value - (1 << 64) if value >> 63 & 1 else value)
    if t is ValType.F32:
        return _float_text(value, N.f32_to_bits(value), 32)
    if t is ValType.F64:
        return _float_text(value, N.f64_to_bits(value), 64)
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
            return "ref.null " + ("func" if t is ValType.FUNCREF else "extern")
        if isinstance(value, ExternRef):
            return f"ref.extern {value.value}"
        return f"ref.func {value_text(value, t)}"
    if t is ValType.V128:
        return f"v128.const {value_text(value, t)}"
    return f"{t.text}.const {value_text(value, t)}"


def parse_arg(text: str, t: ValType) -> Any:
    """A command-line argument for a parameter of type `t`, as the Python value the public
    API takes (ints and floats); `(i32.const 5)` is accepted too."""
    raw = text.strip()
    if raw.startswith("(") and raw.endswith(")"):
        parts = raw[1:-1].split()
        if len(parts) == 2 and parts[0].endswith(".const"):
            raw = parts[1]
    raw = raw.replace("_", "")
    try:
        if t in (ValType.I32, ValType.I64, ValType.V128):
            return int(raw, 0)
        if t in (ValType.F32, ValType.F64):
            if raw.lower().lstrip("+-").startswith("0x"):
                return float.fromhex(raw)
            return float(raw)
    except ValueError:
        raise WasmError(f"argument {text!r} is not a {t.text}") from None
    if raw == "null":
        return None
    raise WasmError(f"cannot pass {text!r} as a {t.text} from the command line")


__all__ = ["from_script", "parse_arg", "show_value", "to_script", "value_text"]
