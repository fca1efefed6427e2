"""Constant expressions (spec 3.3.10): global initializers, segment offsets, element items.

WebAssembly 2.0 allows only `t.const`, `ref.null`, `ref.func` and `global.get` of an
*imported immutable* global in a constant expression (the extended-const proposal adds
i32/i64 add, sub and mul): the opcode table marks them (`Op.const`). The expression must
leave exactly one value of the expected type.
"""

from __future__ import annotations

from ..errors import ValidationError
from ..syntax.module import Instr
from ..syntax.types import FuncType, ValType
from .context import Context
from .instructions import BodyChecker, stack_text


def _error(message: str, ins: Instr | None, **kw: str) -> ValidationError:
    return ValidationError(
        message,
        instr=ins.op.name if ins is not None else None,
        offset=ins.offset if ins is not None else None,
        span=ins.span if ins is not None else None,
        **kw,
    )


def check_const(
    ctx: Context, expr: list[Instr] | None, expected: ValType, where: str, global_index: int | None = None
) -> None:
    """Check that `expr` is a constant expression of type `[expected]`; `where` names it in
    errors. `global_index`: the global it initializes (with GC, a constant expression may
    read any immutable global before it; without, only imported ones)."""
    if expr is None:
        raise ValidationError(
            f"type mismatch: {where} has no expression", expected=f"[{expected.text}]", found="[]"
        )
    instrs = expr[:-1] if expr and expr[-1].op.name == "end" else expr
    stack: list[ValType] = []
    readable = ctx.num_imported_globals
    if ctx.gc:
        readable = len(ctx.globals) if global_index is None else global_index
    if any(ins.op.name not in _SIMPLE for ins in instrs):
        _check_gc_const(ctx, instrs, expected, where, readable)
        return
    for ins in instrs:
        op = ins.op
        name = op.name
        if op.const is None or (op.const != "mvp" and op.const not in ctx.features):
            hint = f" without the {op.const} feature" if op.const is not None else ""
            raise _error(
                f"constant expression required (in {where}: {name} is not a constant instruction{hint})", ins
            )
        if name == "global.get":
            idx = ins.imm
            if not isinstance(idx, int) or not 0 <= idx < readable:
                raise _error(
                    f"unknown global {idx} (in {where}: constant expressions may only read imported globals)",
                    ins,
                )
            g = ctx.globals[idx]
            if g.mutable:
                raise _error(
                    f"constant expression required (in {where}: global {idx} is mutable)",
                    ins,
                )
            stack.append(g.type)
        elif name == "ref.null":
            t = ins.imm
            if not getattr(t, "is_ref", False):
                raise _error(f"type mismatch (in {where}: ref.null needs a reference type)", ins)
            try:
                ctx.check_valtype(t, where)
            except ValidationError as e:
                raise _error(e.reason, ins) from None
            stack.append(t)
        elif name == "ref.func":
            idx = ins.imm
            if not isinstance(idx, int) or not 0 <= idx < len(ctx.funcs):
                raise _error(f"unknown function {idx} (in {where})", ins)
            stack.append(ctx.func_ref_type(idx))
        else:  # a fixed signature: t.const, and the extended-const arithmetic ([t t] -> [t])
            params = list(op.params or ())
            if params and stack[-len(params) :] != params:
                exp, got = stack_text(params), stack_text(stack[-len(params) :])
                raise _error(f"type mismatch (in {where}: {name} expected {exp}, found {got})", ins,
                             expected=exp, found=got)  # fmt: skip
            del stack[len(stack) - len(params) :]
            stack.extend(op.results or ())
    if len(stack) != 1 or (stack[0] is not expected and not ctx.matches(stack[0], expected)):
        last = instrs[-1] if instrs else None
        exp, got = f"[{expected.text}]", stack_text(stack)
        raise _error(
            f"type mismatch (in {where}: expected {exp}, found {got})", last, expected=exp, found=got
        )


#: the instructions the simple checker above types itself
_SIMPLE = frozenset(
    {"global.get", "ref.null", "ref.func", "i32.const", "i64.const", "f32.const", "f64.const", "v128.const",
     "i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul", "end"}
)  # fmt: skip


def _check_gc_const(ctx: Context, instrs: list[Instr], expected: ValType, where: str, readable: int) -> None:
    """A constant expression with GC instructions (`struct.new`, `ref.i31`, ...): every
    instruction must be constant, then the body checker types it as a function body."""
    for ins in instrs:
        op = ins.op
        if op.const is None or (op.const != "mvp" and op.const not in ctx.features):
            hint = f" without the {op.const} feature" if op.const is not None else ""
            raise _error(
                f"constant expression required (in {where}: {op.name} is not a constant instruction{hint})",
                ins,
            )
        if op.name == "global.get":
            idx = ins.imm
            if not isinstance(idx, int) or not 0 <= idx < readable:
                raise _error(f"unknown global {idx} (in {where})", ins)
            if ctx.globals[idx].mutable:
                raise _error(f"constant expression required (in {where}: global {idx} is mutable)", ins)
    try:
        BodyChecker(ctx, None, FuncType((), (expected,)), ()).check(list(instrs))
    except ValidationError as e:
        raise ValidationError(f"{e.reason} (in {where})") from None
