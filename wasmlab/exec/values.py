"""Values between Python and wasm: ints wrap to their width, floats round to f32, references
stay objects (`None` is null, an `ExternRef` carries a host value)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import WasmError
from ..syntax.types import ValType
from . import numerics as N
from .runtime import ExternRef, FuncInst

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


def to_wasm(value: Any, t: ValType) -> Any:
    """A Python value as a wasm value of type `t` (ints wrap, floats round to f32). A
    funcref is None, a `FuncInst`, or an object holding one in `.inst` (a `wasmlab.Func`)."""
    try:
        if t is ValType.I32:
            return int(value) & M32
        if t is ValType.I64:
            return int(value) & M64
        if t is ValType.F32:
            return N.f32_round(float(value))
        if t is ValType.F64:
            return float(value)
        if t is ValType.V128:
            return int(value) & ((1 << 128) - 1)
    except (TypeError, ValueError) as e:
        raise WasmError(f"cannot pass {value!r} as {t.text}") from e
    if t is ValType.FUNCREF:
        if value is None or isinstance(value, FuncInst):
            return value
        inner = getattr(value, "inst", None)
        if isinstance(inner, FuncInst):
            return inner
        raise WasmError(f"cannot pass {value!r} as funcref")
    if value is None or isinstance(value, ExternRef):
        return value
    return ExternRef(value)


def from_wasm(value: Any, t: ValType, func: Callable[[FuncInst], Any] | None = None) -> Any:
    """A wasm value as Python: signed ints, floats, `None`/host values for references; a
    function reference goes through `func` when given (the public API wraps it)."""
    if t is ValType.I32:
        return value - (1 << 32) if value & 0x80000000 else value
    if t is ValType.I64:
        return value - (1 << 64) if value & 0x8000000000000000 else value
    if t is ValType.EXTERNREF and isinstance(value, ExternRef):
        return value.value
    if func is not None and t is ValType.FUNCREF and isinstance(value, FuncInst):
        return func(value)
    return value


def results_from_wasm(
    values: list[Any], types: tuple[ValType, ...], func: Callable[[FuncInst], Any] | None = None
) -> Any:
    """A call's results as Python: None for none, the value for one, a tuple for more."""
    if not types:
        return None
    if len(types) == 1:
        return from_wasm(values[0], types[0], func)
    return tuple(from_wasm(v, t, func) for v, t in zip(values, types))


__all__ = ["from_wasm", "results_from_wasm", "to_wasm"]
