"""Static facts about a function body the views need: operand types and enclosing blocks per pc.

The validator's `BodyChecker` already computes, instruction by instruction, the operand
type stack of the spec's algorithm; here it is driven one instruction at a time and the
type stack *before* every instruction is kept (the machine's value stack segment of a
frame paused at pc has exactly that many values, of exactly those types). The blocks it
records give the labels that enclose each pc.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError
from ..syntax.module import Module
from ..syntax.types import ValType
from ..valid.context import Context
from ..valid.instructions import FUNC, BodyChecker


@dataclass(frozen=True)
class Block:
    """A `block`, `loop` or `if` of a body: where it starts and ends, what its label carries."""

    kind: str
    pc: int
    else_pc: int | None
    end_pc: int
    params: tuple[ValType, ...]
    results: tuple[ValType, ...]

    @property
    def label_types(self) -> tuple[ValType, ...]:
        return self.params if self.kind == "loop" else self.results


class BodyFacts:
    """`stacks[pc]`: the operand types before instruction pc (None where unreachable);
    `blocks`: the structured instructions, in order."""

    def __init__(self, stacks: list[tuple[ValType | None, ...] | None], blocks: list[Block]) -> None:
        self.stacks = stacks
        self.blocks = blocks

    def labels_at(self, pc: int) -> list[Block]:
        """The blocks whose label is on the label stack while instruction pc runs, outermost first."""
        return [b for b in self.blocks if b.pc < pc <= b.end_pc]


def body_facts(module: Module, funcidx: int, ctx: Context | None = None) -> BodyFacts:
    """Run the validator's checker over function `funcidx` of a valid module, keeping types."""
    ctx = ctx or Context(module)
    if module.aliases:  # module linking: aliased functions take part in the index space
        ctx.funcs = module.all_func_types()
    nimported = len(ctx.funcs) - len(module.funcs)
    func = module.funcs[funcidx - nimported]
    checker = BodyChecker(ctx, funcidx, ctx.funcs[funcidx], func.locals, record=True)
    checker.func_frame = checker.push_ctrl(FUNC, (), checker.results, -1)
    special = checker._special  # (rules taking the checker first)
    vals = checker.vals
    ctrls = checker.ctrls
    stacks: list[tuple[ValType | None, ...] | None] = []
    try:
        for pc, ins in enumerate(func.body):
            if not ctrls:
                break
            stacks.append(None if ctrls[-1].unreachable else tuple(vals))
            op = ins.op
            if op.params is None:
                special[op.name](checker, ins, pc)
                continue
            if op.params:
                checker.pop_expected(op.params, ins)
            if op.results:
                vals.extend(op.results)
    except (ValidationError, KeyError) as e:  # pragma: no cover - the module was validated
        raise ValidationError(f"cannot type function {funcidx} for the debugger: {e}") from None
    stacks.extend([None] * (len(func.body) - len(stacks)))
    blocks = [
        Block(
            "if" if f.kind == "else" else f.kind,
            f.pc,
            f.else_pc,
            f.end_pc if f.end_pc is not None else len(func.body) - 1,
            tuple(f.start_types),
            tuple(f.end_types),
        )
        for f in checker.blocks
    ]
    return BodyFacts(stacks, blocks)
