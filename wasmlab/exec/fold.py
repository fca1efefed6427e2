"""Structure folding for run mode: `block`, `loop`, `end`, `nop`, `else`... cost no dispatch.

Structured control leaves many instructions that only move the pc: `block`, `loop`, `nop`
and `try_table` go to the next instruction, an inner `end` too, the function's last `end`
and `return` leave it, `else` jumps to its `end`, a `br` whose label keeps the stack as it
is jumps to its target. `Runs` follows such a run from a pc to the first instruction
that does something (or to the function's return) and says how many it passed.

`fold_code` rewrites the run-mode handler list (exec.fuse) so that a handler whose next pc
starts such a run returns the pc after it and adds the run's length to `EXTRA[0]`: the
machine's step count stays the one step mode (which never folds) reaches. A branch folds
each of its targets, a plain instruction the run after it, a structural instruction the
rest of its run (a call returns to it). Every pc keeps a handler that starts there, so a
branch or a switch from step-mode handlers into any pc is still exact.

What stays exact, and why:

- steps: a handler adds exactly the instructions it passed, only once it completed;
- traps and throws: a folded handler raises before it moves on, at its own pc (and adds
  nothing), and structural instructions never trap;
- limits, fuel, breakpoints: run-mode handlers run only in an unlimited `run()` (no
  `max_steps`, no fuel); the debugger always moves with a limit, on step-mode handlers
  where its patches are. A pc whose step-mode handler the debugger patched (it marks its
  wrappers with a `patched` attribute) is never folded over, nor folded itself;
- pauses: only a patched handler or a host call pauses, so the pc a paused machine shows is
  an instruction boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..syntax.module import Instr
    from .compile import Layout

Handler = Callable[[list, list, int], int]

#: what a handler returns to leave the function (exec.compile.RETURN; exec.compile makes
#: run-mode code through this module, so it does not import it)
RETURN = -1

#: instructions that only go on to the next one (when reachable)
_NEXT = frozenset(("block", "loop", "nop", "try_table"))

#: instructions whose handler either raises or returns pc + 1 (never a branch or a call)
_BRANCHING = frozenset(
    (
        "block", "loop", "if", "else", "end", "br", "br_if", "br_table", "return", "call",
        "call_indirect", "return_call", "return_call_indirect", "call_ref", "return_call_ref",
        "throw", "throw_ref", "rethrow", "try", "try_table", "catch", "catch_all", "delegate",
        "unreachable", "br_on_null", "br_on_non_null", "br_on_cast", "br_on_cast_fail", "nop",
    )
)  # fmt: skip


def patched(h: Handler) -> bool:
    """Whether `h` is a debugger's wrapper (a breakpoint or watch): never folded over."""
    return getattr(h, "patched", False)


class Runs:
    """Where the runs of instructions that only move the pc lead, in one function body.

    `runs(pc)`: from `pc`, past such instructions: (the pc reached, or RETURN when the
    function returns, and how many instructions that passed). It stops before a cycle of
    such instructions closes (a `loop` whose body is only `br 0`), and before a pc the
    debugger patched."""

    def __init__(self, body: list[Instr], lay: Layout, code: list[Handler]) -> None:
        last = len(body) - 1
        moves: list[int | None] = []
        for pc, ins in enumerate(body):
            name = ins.op.name
            live = lay.reachable[pc]
            nxt: int | None = None
            if name in _NEXT and live:
                nxt = pc + 1
            elif name == "end":
                nxt = RETURN if pc == last else pc + 1
            elif name == "else":
                nxt = lay.end_of[pc]
            elif name == "br" and live and pc in lay.branch and lay.branch[pc][2] == 0:
                nxt = lay.branch[pc][0]
            elif name == "return" and live:
                nxt = RETURN
            if nxt is not None and patched(code[pc]):
                nxt = None
            moves.append(nxt)
        self.moves = moves
        self.memo: dict[int, tuple[int, int]] = {}

    def __call__(self, pc: int) -> tuple[int, int]:
        moves = self.moves
        if pc < 0 or moves[pc] is None:
            return pc, 0
        found = self.memo.get(pc)
        if found is not None:
            return found
        start = pc
        seen: set[int] = set()
        k = 0
        while pc >= 0 and pc not in seen:
            nxt = moves[pc]
            if nxt is None:
                break
            seen.add(pc)
            k += 1
            pc = nxt
        self.memo[start] = (pc, k)
        return pc, k


def fold_code(
    body: list[Instr],
    lay: Layout,
    code: list[Handler],
    fast: list[Handler],
    done: set[int],
    X: list[int],
    skip: Runs,
) -> None:
    """Fold structural runs into `fast` (run-mode handlers, step-mode ones in `code`) at every
    pc not in `done` (superinstructions that folded their own); `X` is EXTRA. (Closures, not
    generated source: a function's run-mode handlers are made when it is first called.)"""
    for pc, ins in enumerate(body):
        if pc in done or patched(code[pc]):
            continue
        name = ins.op.name
        live = lay.reachable[pc]
        h: Handler | None = None
        if name == "br_if" and live and pc in lay.branch:
            target, keep, drop = lay.branch[pc]
            tq, tk = skip(target)
            fq, fk = skip(pc + 1)
            if tk or fk:
                h = _br_if(X, keep, drop, tq, tk, fq, fk)
        elif name == "if" and live:
            else_at = lay.else_of.get(pc)
            target = else_at + 1 if else_at is not None else lay.end_of[pc]
            tq, tk = skip(pc + 1)
            eq, ek = skip(target)
            if tk or ek:
                h = _br_if(X, 0, 0, tq, tk, eq, ek)
        elif name == "br" and live and pc in lay.branch and lay.branch[pc][2]:
            target, keep, drop = lay.branch[pc]
            q, k = skip(target)
            if k:
                h = _branch(X, keep, drop, q, k)
        elif name == "br_table" and live:
            ends = [(*skip(target), keep, drop) for target, keep, drop in lay.branch[pc]]
            if any(k for _, k, _, _ in ends):
                h = _br_table([_branch(X, keep, drop, q, k) for q, k, keep, drop in ends])
        elif name in _NEXT or name in ("end", "else", "br", "return"):
            q, k = skip(pc)
            if k > 1:  # (this one and the run after it)
                h = _branch(X, 0, 0, q, k - 1)
        elif (
            live
            and name not in _BRANCHING
            and (ins.op.rule is None or ins.op.rule.falls_through)
            and not hasattr(fast[pc], "operand")  # (a call's: the machine reads it there)
        ):
            q, k = skip(pc + 1)
            if k:
                h = _plain(X, ins, q, k, fast[pc], pc)
        if h is not None:
            fast[pc] = h


def _branch(X: list[int], keep: int, drop: int, q: int, k: int) -> Handler:
    """Leave blocks (drop `drop` values below the top `keep`), count `k` passed, go to `q`."""
    if drop == 0:

        def h(S: list, L: list, pc: int) -> int:
            X[0] += k
            return q

    elif keep == 0:
        lo = -drop

        def h(S: list, L: list, pc: int) -> int:
            del S[lo:]
            X[0] += k
            return q

    else:
        lo, hi = -(keep + drop), -keep

        def h(S: list, L: list, pc: int) -> int:
            del S[lo:hi]
            X[0] += k
            return q

    return h


def _br_if(X: list[int], keep: int, drop: int, tq: int, tk: int, fq: int, fk: int) -> Handler:
    """br_if (and if): to `tq` past `tk` when the operand is true, else to `fq` past `fk`."""
    if drop:
        jump = _branch(X, keep, drop, tq, tk)

        def h(S: list, L: list, pc: int) -> int:
            if S.pop():
                return jump(S, L, pc)
            X[0] += fk
            return fq

    elif not fk:

        def h(S: list, L: list, pc: int) -> int:
            if S.pop():
                X[0] += tk
                return tq
            return fq

    elif not tk:

        def h(S: list, L: list, pc: int) -> int:
            if S.pop():
                return tq
            X[0] += fk
            return fq

    else:

        def h(S: list, L: list, pc: int) -> int:
            if S.pop():
                X[0] += tk
                return tq
            X[0] += fk
            return fq

    return h


def _br_table(jumps: list[Handler]) -> Handler:
    cases = jumps[:-1]
    default = jumps[-1]
    n = len(cases)

    def h(S: list, L: list, pc: int) -> int:
        i = S.pop()
        return (cases[i] if i < n else default)(S, L, pc)

    return h


def _plain(X: list[int], ins: Instr, q: int, k: int, inner: Handler, pc: int) -> Handler:
    """A falling-through instruction, then the run to `q` (`k` instructions)."""
    name = ins.op.name
    i = ins.imm
    if name == "local.set":

        def h(S: list, L: list, pc: int) -> int:
            L[i] = S.pop()
            X[0] += k
            return q

    elif name == "local.tee":

        def h(S: list, L: list, pc: int) -> int:
            L[i] = S[-1]
            X[0] += k
            return q

    elif name == "local.get":

        def h(S: list, L: list, pc: int) -> int:
            S.append(L[i])
            X[0] += k
            return q

    elif name == "drop":

        def h(S: list, L: list, pc: int) -> int:
            S.pop()
            X[0] += k
            return q

    else:  # its own handler runs it (raises, or returns the next pc), then the run
        nxt = pc + 1

        def h(S: list, L: list, pc: int) -> int:
            r = inner(S, L, pc)
            if r == nxt:
                X[0] += k
                return q
            return r

    return h
