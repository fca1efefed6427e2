"""One instruction as a line of WAT text (flat form), for graph labels, listings and traces.

The writers are the opcode table's (`wasmlab.syntax.instr_text`); this style names
functions, locals and thrown tags by their names from the module (`call $fib`), leaves out
table 0 of `call_indirect` and shows every NaN's payload.
"""

from __future__ import annotations

import struct
from typing import Any

from ..syntax.floats import float_text
from ..syntax.instr_text import ImmediateStyle, immediates_text
from ..syntax.module import Instr, Module


class _LabelStyle(ImmediateStyle):
    def __init__(self, module: Module | None, func: int | None) -> None:
        self.module = module
        self.func = func

    def ref(self, space: str, idx: Any) -> str:
        m = self.module
        name = None
        if m is not None:
            if space == "func":
                name = m.names.funcs.get(idx)
            elif space == "tag":
                name = m.names.tags.get(idx)
            elif space == "local" and self.func is not None:
                name = m.names.locals.get(self.func, {}).get(idx)
        return f"${name}" if name else str(idx)

    def catch_tag(self, idx: Any) -> str:
        return str(idx)  # (a catch clause's tag by number, as these labels always were)

    def float(self, bits: int, width: int) -> str:
        return float_text(bits, width, nan_payload=True)

    def call_indirect(self, typeidx: Any, table: Any) -> str:
        return f"{table} (type {typeidx})" if table else f"(type {typeidx})"


def instr_text(instr: Instr, module: Module | None = None, func: int | None = None) -> str:
    """`i32.const 7`, `call $fib`, `br_if 1`, `i32.load offset=4` ..."""
    imm = instr.imm
    if imm is None and instr.op.imm != "blocktype":
        return instr.op.name
    try:
        rest = immediates_text(instr, _LabelStyle(module, func))
    except (TypeError, ValueError, IndexError, struct.error):
        rest = repr(imm)
    return f"{instr.op.name} {rest}" if rest else instr.op.name


__all__ = ["instr_text"]
