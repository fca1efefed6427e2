"""The `spectest` host module that the spec scripts import from."""

from __future__ import annotations

from typing import Any

from ..exec import numerics as N
from ..exec.instantiate import host_func
from ..exec.runtime import GlobalInst, MemoryInst, TableInst
from ..syntax.types import F32, F64, I32, I64, FuncType, GlobalType, Limits, MemType, TableType, ValType


def spectest_exports(log: list[str] | None = None) -> dict[str, Any]:
    """A fresh `spectest` instance's exports (runtime objects)."""

    def printer(name: str, params: tuple[ValType, ...]) -> Any:
        def fn(*args: Any) -> None:
            if log is not None:
                log.append(f"{name}({', '.join(map(repr, args))})")

        return host_func(FuncType(params, ()), fn, f"spectest.{name}")

    return {
        "print": printer("print", ()),
        "print_i32": printer("print_i32", (I32,)),
        "print_i64": printer("print_i64", (I64,)),
        "print_f32": printer("print_f32", (F32,)),
        "print_f64": printer("print_f64", (F64,)),
        "print_i32_f32": printer("print_i32_f32", (I32, F32)),
        "print_f64_f64": printer("print_f64_f64", (F64, F64)),
        "global_i32": GlobalInst(GlobalType(I32), 666),
        "global_i64": GlobalInst(GlobalType(I64), 666),
        "global_f32": GlobalInst(GlobalType(F32), N.f32_round(666.6)),
        "global_f64": GlobalInst(GlobalType(F64), 666.6),
        "table": TableInst(TableType(Limits(10, 20), ValType.FUNCREF)),
        "table64": TableInst(TableType(Limits(10, 20, True), ValType.FUNCREF)),
        "memory": MemoryInst(MemType(Limits(1, 2))),
    }
