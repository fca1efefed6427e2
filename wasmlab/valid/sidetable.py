"""Side tables for the machine: stack heights, block structure and branch targets.

The validator already knows, at every instruction of a valid function, how high the
operand stack is and what every label expects; the machine uses that to resolve
branches once, before the first run (architecture principle 3), instead of searching
for `end` at run time. All positions are *pc*s: indices into `Func.body` (the flat
instruction list). Heights count operand values only (no locals, no labels, no
frames), relative to the bottom of the function's own operand stack (0 on entry).

Typical use in a compiler::

    infos = analyze_functions(module)          # one FuncInfo per *defined* function
    info = infos[funcidx - num_imported_funcs]
    for (pc, targets) in info.branches.items():
        ...  # br/br_if: 1 target; br_table: one per label then the default; return: 1

Executing a branch to `BranchTarget(pc, keep, height, depth, loop)`: take the top
`keep` values, drop the operand stack down to `height`, push the kept values back, pop
`depth + 1` labels (`depth` for a loop: its label stays) and continue at `pc`.
`pc == len(body)` means "return from the function" (a branch to the function's
outermost label, or `return`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ValidationError
from ..syntax.module import Module
from .context import Context, malformed_ast_guard
from .instructions import FUNC, LOOP, BodyChecker, Frame


@dataclass(frozen=True)
class BranchTarget:
    """Where a branch goes and what it keeps.

    pc: the instruction to continue at: for a block/if label, the one after its `end`;
        for a loop label, the first one inside the loop (after `loop`); `len(body)` for
        the function's own label, i.e. a return.
    keep: how many values the branch carries (the label's arity: a loop's parameter
        count, otherwise the block's result count).
    height: the operand stack height to cut down to before pushing the kept values
        back (the height below the target block's parameters).
    depth: the label's relative depth as written in the instruction (`br depth`);
        for `return`, the depth of the function's label.
    loop: True when the target is a loop (the loop's label remains after the branch).
    """

    pc: int
    keep: int
    height: int
    depth: int
    loop: bool = False


@dataclass(frozen=True)
class BlockInfo:
    """One `block`, `loop` or `if` at `pc`: where its parts are and what its label holds.

    else_pc: the pc of its `else` (`if` only; None without one); end_pc: its `end`.
    params/results: how many values it takes and produces. height: the operand stack
    height below its parameters (what a branch to it cuts down to).
    """

    pc: int
    kind: str  # "block" | "loop" | "if"
    else_pc: int | None
    end_pc: int
    params: int
    results: int
    height: int


@dataclass
class FuncInfo:
    """The side table of one defined function.

    heights[pc]: operand stack height *before* instruction pc, or None where the
        instruction is unreachable (after br/br_table/return/unreachable until the end
        of the enclosing block); one entry per instruction of `Func.body`.
    max_height: the largest height the function's operand stack can reach.
    blocks: pc of each `block`/`loop`/`if` -> its BlockInfo.
    branches: pc of each `br`/`br_if`/`br_table`/`return` -> its targets (br_table:
        the labels in order, then the default).
    results: the function's result count (what `return` keeps).
    """

    funcidx: int
    heights: list[int | None]
    max_height: int
    blocks: dict[int, BlockInfo] = field(default_factory=dict)
    branches: dict[int, tuple[BranchTarget, ...]] = field(default_factory=dict)
    results: int = 0

    @property
    def end_of(self) -> dict[int, int]:
        """pc of each block/loop/if (and else) -> pc of its `end`."""
        out: dict[int, int] = {}
        for b in self.blocks.values():
            out[b.pc] = b.end_pc
            if b.else_pc is not None:
                out[b.else_pc] = b.end_pc
        return out


def _kind(frame: Frame) -> str:
    return "if" if frame.else_pc is not None else frame.kind


def _analyze(ctx: Context, module: Module, funcidx: int) -> FuncInfo:
    n_imported = len(ctx.funcs) - len(module.funcs)
    if not n_imported <= funcidx < len(ctx.funcs):
        raise ValidationError(f"function {funcidx} is imported or does not exist: it has no body")
    func = module.funcs[funcidx - n_imported]
    checker = BodyChecker(ctx, funcidx, ctx.funcs[funcidx], func.locals, record=True)
    body = func.body
    checker.check(body)
    n = len(body)

    def target(frame: Frame, depth: int) -> BranchTarget:
        keep = len(frame.label_types)
        if frame.kind == FUNC:
            return BranchTarget(n, keep, frame.height, depth)
        if frame.kind == LOOP:
            return BranchTarget(frame.pc + 1, keep, frame.height, depth, loop=True)
        assert frame.end_pc is not None
        return BranchTarget(frame.end_pc + 1, keep, frame.height, depth)

    blocks: dict[int, BlockInfo] = {}
    for fr in checker.blocks:
        assert fr.end_pc is not None
        blocks[fr.pc] = BlockInfo(
            fr.pc, _kind(fr), fr.else_pc, fr.end_pc, len(fr.start_types), len(fr.end_types), fr.height
        )
    branches: dict[int, tuple[BranchTarget, ...]] = {}
    for pc, targets in checker.branches:
        branches[pc] = tuple(target(frame, depth) for frame, depth in targets)
    return FuncInfo(funcidx, checker.heights, checker.max_height, blocks, branches, len(checker.results))


def analyze_functions(module: Module) -> list[FuncInfo]:
    """Side tables for every defined function of a *valid* module, in `module.funcs` order.

    Builds the validation context once; raises ValidationError if a body is invalid.
    """
    with malformed_ast_guard():
        ctx = Context(module)
        n_imported = len(ctx.funcs) - len(module.funcs)
        return [_analyze(ctx, module, n_imported + i) for i in range(len(module.funcs))]


def analyze_function(module: Module, funcidx: int) -> FuncInfo:
    """The side table of function `funcidx` (in the function index space, imports first).

    Raises ValidationError if the function is imported (no body) or its body is invalid.
    For many functions use `analyze_functions`, which builds the context only once.
    """
    with malformed_ast_guard():
        return _analyze(Context(module), module, funcidx)


def function_stack_heights(module: Module, funcidx: int) -> list[int | None]:
    """Operand stack height before each instruction of function `funcidx`'s body.

    `funcidx` is in the function index space (imported functions first). The list has
    one entry per instruction of `Func.body`: the number of operand values on the
    function's own stack (locals and labels not counted; 0 on entry) just before that
    instruction runs, or None where the instruction is unreachable. Label arities and
    branch targets are in `analyze_function(module, funcidx)`.
    """
    return analyze_function(module, funcidx).heights
