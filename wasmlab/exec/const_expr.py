"""Constant expressions evaluated: global initializers, segment offsets, element items.

The validator has checked that every instruction is a constant one (the opcode table's
`const` flag, `wasmlab.valid.const`); here `t.const` pushes its value, `global.get` reads an
imported global, `ref.null`/`ref.func` push references, and the extended-const proposal's
arithmetic runs on the machine's own numerics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..syntax.module import Expr, Instr
from . import numerics as N

if TYPE_CHECKING:
    from .runtime import ModuleInst


def const_value(ins: Instr) -> Any:
    """The value a `t.const` instruction pushes (as the machine holds it)."""
    name = ins.op.name
    if name in ("i32.const", "i64.const"):
        return ins.imm
    if name == "f32.const":
        return N.f32_from_bits(ins.imm)
    if name == "f64.const":
        return N.f64_from_bits(ins.imm)
    if name == "v128.const":
        return int.from_bytes(ins.imm, "little")
    raise ValueError(name)


def eval_const(expr: Expr, inst: ModuleInst) -> Any:
    """Evaluate a (validated) constant expression up to its `end`."""
    stack: list[Any] = []
    for ins in expr:
        op = ins.op
        name = op.name
        if name == "end":
            break
        if name == "global.get":
            stack.append(inst.globals[ins.imm].value)
        elif name == "ref.null":
            stack.append(None)
        elif name == "ref.func":
            stack.append(inst.funcs[ins.imm])
        elif op.prefix == 0xFB:  # GC: struct.new, array.new_fixed, ref.i31, ...
            from .gc import gc_handler

            handler = gc_handler(ins, inst)
            assert handler is not None
            handler(stack, [], 0)
        elif op.imm == "none":  # arithmetic (extended-const): [t t] -> [t]
            n = len(op.params or ())
            args = stack[len(stack) - n :]
            del stack[len(stack) - n :]
            stack.append(N.NUMERIC[name](*args))
        else:
            stack.append(const_value(ins))
    return stack[-1] if stack else None


__all__ = ["const_value", "eval_const"]
