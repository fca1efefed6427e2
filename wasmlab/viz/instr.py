"""One instruction as a line of WAT text (flat form), for graph labels, listings and traces.

The full printer lives in `wasmlab.text`; this is the small, dependency-free version the
front ends use to label a single instruction.
"""

from __future__ import annotations

import struct
from typing import Any

from ..exec import numerics as N
from ..syntax.module import Instr, Module, catch_words, memarg_words, memory_words
from ..syntax.types import HEAP_TYPE_TEXT, ValType


def _signed(bits: int, width: int) -> int:
    return bits - (1 << width) if bits >> (width - 1) & 1 else bits


def _float(bits: int, width: int) -> str:
    value = N.f32_from_bits(bits) if width == 32 else N.f64_from_bits(bits)
    if value != value:  # NaN: keep the payload visible
        mantissa = bits & ((1 << (23 if width == 32 else 52)) - 1)
        sign = "-" if bits >> (width - 1) else ""
        return f"{sign}nan:{mantissa:#x}"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _func_ref(index: int, module: Module | None) -> str:
    if module is not None:
        name = module.names.funcs.get(index)
        if name:
            return f"${name}"
    return str(index)


def _blocktype(bt: Any) -> str:
    if bt is None:
        return ""
    if isinstance(bt, ValType):
        return f"(result {bt.text})"
    return f"(type {bt})"


def immediates_text(instr: Instr, module: Module | None = None, func: int | None = None) -> str:
    """The immediates of `instr` as WAT text ('' when it has none)."""
    kind = instr.op.imm
    imm = instr.imm
    try:
        if kind == "none" or imm is None and kind not in ("blocktype",):
            return ""
        if kind == "blocktype":
            return _blocktype(imm)
        if kind == "try_table":
            bt, catches = imm
            return " ".join(x for x in (_blocktype(bt), *catch_words(catches)) if x)
        if kind == "tag":
            name = module.names.tags.get(imm) if module is not None else None
            return f"${name}" if name else str(imm)
        if kind == "func":
            return _func_ref(imm, module)
        if kind == "local":
            if module is not None and func is not None:
                name = module.names.locals.get(func, {}).get(imm)
                if name:
                    return f"${name}"
            return str(imm)
        if kind in ("label", "global", "table", "elem", "data", "lane"):
            return str(imm)
        if kind in ("memory", "memory_fill", "memory_copy", "memory_init"):
            return " ".join(memory_words(instr))
        if kind == "br_table":
            labels, default = imm
            return " ".join(str(x) for x in (*labels, default))
        if kind == "call_indirect":
            typeidx, table = imm
            return f"{table} (type {typeidx})" if table else f"(type {typeidx})"
        if kind == "memarg":
            return " ".join(memarg_words(instr))
        if kind == "memarg_lane":
            return " ".join([*memarg_words(instr), str(imm[3])])
        if kind == "i32":
            return str(_signed(imm, 32))
        if kind == "i64":
            return str(_signed(imm, 64))
        if kind == "f32":
            return _float(imm, 32)
        if kind == "f64":
            return _float(imm, 64)
        if kind == "select_t":
            return "(result " + " ".join(t.text for t in imm) + ")"
        if kind == "reftype":
            return HEAP_TYPE_TEXT[imm]
        if kind in ("table_copy", "table_init"):
            a, b = imm
            return f"{a} {b}" if kind == "table_copy" else f"{b} {a}"
        if kind == "v128":
            lanes = struct.unpack("<4I", bytes(imm))
            return "i32x4 " + " ".join(f"{x:#010x}" for x in lanes)
        if kind == "shuffle":
            return " ".join(str(b) for b in bytes(imm))
    except (TypeError, ValueError, IndexError, struct.error):
        return repr(imm)
    return "" if imm is None else repr(imm)


def instr_text(instr: Instr, module: Module | None = None, func: int | None = None) -> str:
    """`i32.const 7`, `call $fib`, `br_if 1`, `i32.load offset=4` ..."""
    rest = immediates_text(instr, module, func)
    return f"{instr.op.name} {rest}" if rest else instr.op.name


__all__ = ["immediates_text", "instr_text"]
