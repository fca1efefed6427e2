"""The control-flow graph of one function: basic blocks of its flat body and the edges that
`block`/`loop`/`if`/`else`/`br`/`br_if`/`br_table`/`return` create."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import graphviz

from ..errors import WasmError
from ..syntax.module import CATCH_KINDS, Instr, Module
from ..syntax.types import ExternKind
from . import register
from .instr import instr_text

EXIT = -1  # the function's exit (return)
TRAP = -2  # `unreachable`

#: instructions after which a new basic block starts
_TERMINATORS = {
    "br",
    "br_if",
    "br_table",
    "return",
    "unreachable",
    "if",
    "else",
    "return_call",
    "return_call_indirect",
    "throw",
    "throw_ref",
}
MAX_LINES = 14


@dataclass
class BasicBlock:
    start: int  # first pc
    end: int  # one past the last pc
    succ: list[tuple[int, str]] = field(default_factory=list)  # (target start pc or EXIT/TRAP, label)


def match_structure(body: list[Instr]) -> tuple[dict[int, int], dict[int, int]]:
    """`ends[pc_of_block/loop/if] = pc of its end`, `elses[pc_of_if] = pc of its else`."""
    ends: dict[int, int] = {}
    elses: dict[int, int] = {}
    stack: list[int] = []
    for pc, ins in enumerate(body):
        name = ins.op.name
        if name in ("block", "loop", "if", "try_table"):
            stack.append(pc)
        elif name == "else":
            if stack:
                elses[stack[-1]] = pc
        elif name == "end" and stack:
            ends[stack.pop()] = pc
    return ends, elses


def basic_blocks(body: list[Instr]) -> list[BasicBlock]:
    """Split a flat body into basic blocks with their successors."""
    if not body:
        return []
    ends, elses = match_structure(body)
    else_to_if = {e: i for i, e in elses.items()}
    leaders = {0}
    for pc, ins in enumerate(body):
        name = ins.op.name
        if name in _TERMINATORS:
            leaders.add(pc + 1)
        if name == "loop":
            leaders.add(pc + 1)
        if name in ("block", "if", "try_table") and pc in ends:
            leaders.add(ends[pc])  # a branch target (merge point)
    leaders = {pc for pc in leaders if pc < len(body)}
    starts = sorted(leaders)

    # the enclosing labels at each pc: (kind, pc of the structure); the function is the outermost
    blocks: list[BasicBlock] = []
    stack: list[tuple[str, int]] = []
    bounds = starts[1:] + [len(body)]
    label_stacks: dict[int, list[tuple[str, int]]] = {}
    for pc, ins in enumerate(body):
        label_stacks[pc] = list(stack)
        name = ins.op.name
        if name in ("block", "loop", "if", "try_table"):
            stack.append((name, pc))
        elif name == "end" and stack:
            stack.pop()

    def target(pc: int, depth: int) -> int:
        labels = label_stacks[pc]
        if depth >= len(labels):
            return EXIT
        kind, at = labels[len(labels) - 1 - depth]
        if kind == "loop":
            return at + 1
        return ends.get(at, EXIT)

    for start, stop in zip(starts, bounds):
        bb = BasicBlock(start, stop)
        last = stop - 1
        ins = body[last]
        name = ins.op.name
        fall = stop if stop < len(body) else EXIT
        if name == "br":
            bb.succ.append((target(last, ins.imm), "br"))
        elif name == "br_if":
            bb.succ.append((target(last, ins.imm), "br_if"))
            bb.succ.append((fall, ""))
        elif name == "br_table":
            labels, default = ins.imm
            cases: dict[int, list[str]] = {}
            for i, depth in enumerate(labels):
                cases.setdefault(target(last, depth), []).append(str(i))
            cases.setdefault(target(last, default), []).append("default")
            for t, names in cases.items():
                bb.succ.append((t, "case " + ",".join(names) if names != ["default"] else "default"))
        elif name == "return":
            bb.succ.append((EXIT, "return"))
        elif name in ("return_call", "return_call_indirect"):
            bb.succ.append((EXIT, "tail call"))
        elif name == "unreachable":
            bb.succ.append((TRAP, ""))
        elif name in ("throw", "throw_ref"):
            bb.succ += _throw_targets(body, last, label_stacks, target)
        elif name == "if":
            bb.succ.append((last + 1, "then"))
            if last in elses:
                bb.succ.append((elses[last] + 1, "else"))
            else:
                bb.succ.append((ends.get(last, EXIT), "else"))
        elif name == "else":
            bb.succ.append((ends.get(else_to_if.get(last, -1), EXIT), ""))
        elif stop >= len(body):
            bb.succ.append((EXIT, ""))
        else:
            bb.succ.append((fall, ""))
        blocks.append(bb)
    return blocks


def _throw_targets(
    body: list[Instr], pc: int, label_stacks: dict[int, list[tuple[str, int]]], target: Any
) -> list[tuple[int, str]]:
    """Where an exception thrown at `pc` may go: the catch clauses of the enclosing try_tables,
    innermost first (their labels count from outside each try_table), else out of the function."""
    out: list[tuple[int, str]] = []
    for kind, at in reversed(label_stacks[pc]):
        if kind != "try_table":
            continue
        for catch_kind, _, depth in body[at].imm[1]:
            out.append((target(at, depth), CATCH_KINDS[catch_kind]))
            if catch_kind >= 2:  # catch_all: nothing gets past it
                return out
    return [*out, (EXIT, "throw")]


def resolve_func(module: Module, func: Any) -> int:
    """A function index from an index, `$name`, name or export name; None: the first export."""
    nimported = module.base_index(ExternKind.FUNC)
    total = nimported + len(module.funcs)
    if func is None:
        for e in module.exports:
            if e.kind is ExternKind.FUNC and e.index >= nimported:
                return e.index
        if module.funcs:
            return nimported
        raise WasmError("the module defines no function")
    if isinstance(func, int) or (isinstance(func, str) and func.isdigit()):
        idx = int(func)
        if not 0 <= idx < total:
            raise WasmError(f"no function {idx} (the module has {total})")
        return idx
    text = str(func)
    bare = text[1:] if text.startswith("$") else text
    for idx, name in module.names.funcs.items():
        if name == bare:
            return idx
    for e in module.exports:
        if e.kind is ExternKind.FUNC and e.name == text:
            return e.index
    if text.startswith("func[") and text.endswith("]") and text[5:-1].isdigit():
        return resolve_func(module, int(text[5:-1]))
    raise WasmError(f"no function named {text!r}")


def cfg_graph(module: Module, func: Any = None, current_pc: int | None = None) -> graphviz.Digraph:
    """The CFG of `func`; the block holding `current_pc` (if given) is highlighted."""
    idx = resolve_func(module, func)
    nimported = module.base_index(ExternKind.FUNC)
    if idx < nimported:
        raise WasmError(f"{module.func_name(idx)} is imported: it has no body")
    body = module.funcs[idx - nimported].body
    name = module.func_name(idx)
    g = graphviz.Digraph("cfg", graph_attr={"label": f"{name} {module.func_type(idx)}", "labelloc": "t",
                                            "fontname": "Helvetica"},
                         node_attr={"shape": "box", "fontname": "Courier", "fontsize": "10"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})  # fmt: skip
    g.node("entry", label="entry", shape="oval", fontname="Helvetica")
    g.node("exit", label="exit", shape="oval", fontname="Helvetica")
    blocks = basic_blocks(body)
    reached = {0} if blocks else set()
    for bb in blocks:
        reached.update(t for t, _ in bb.succ)
    if any(t == TRAP for bb in blocks for t, _ in bb.succ):
        g.node("trap", label="trap", shape="octagon", color="firebrick", fontname="Helvetica")
    g.edge("entry", "b0" if blocks else "exit")
    for bb in blocks:
        lines = [f"{pc:>4}  {instr_text(body[pc], module, idx)}" for pc in range(bb.start, bb.end)]
        if len(lines) > MAX_LINES:
            lines = lines[: MAX_LINES - 1] + [f"      ... ({len(lines) - MAX_LINES + 1} more)"]
        attrs: dict[str, str] = {}
        if current_pc is not None and bb.start <= current_pc < bb.end:
            attrs = {"style": "filled", "fillcolor": "lightyellow", "penwidth": "2"}
        elif bb.start not in reached:
            attrs = {"color": "gray60", "fontcolor": "gray50"}
        g.node(f"b{bb.start}", label="\\l".join(lines) + "\\l", **attrs)
        for t, label in bb.succ:
            dst = "exit" if t == EXIT else "trap" if t == TRAP else f"b{t}"
            style = {"style": "dashed"} if t != EXIT and t <= bb.start and t >= 0 else {}
            g.edge(f"b{bb.start}", dst, label=label, **style)
    return g


register("cfg", lambda module, func: cfg_graph(module, func), "control-flow graph of one function")

__all__ = ["EXIT", "TRAP", "BasicBlock", "basic_blocks", "cfg_graph", "match_structure", "resolve_func"]
