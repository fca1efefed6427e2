"""The stepping machine: one explicit configuration (value stack + frames), two speeds.

`step()` executes exactly one instruction; `run()` executes until the call returns. Both
go through the same loop over the same compiled handlers, so a call single-stepped to the
end is in exactly the state `run()` leaves. A wasm call pushes an activation record; it is
never a Python call, so deep recursion ends in a clean `call stack exhausted` trap.

Outside this package the state is read through views: `frames`/`frame` (read-only `Frame`s),
`depth`, `instr`, `host_entry`, `stack`, `steps`, `results`, `trap`; the debugger's history
changes it only through `restore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import Exhaustion, Thrown, Trap, WasmError
from ..syntax.module import Instr
from . import fast as tier_module
from .compile import RETURN, TAIL, compile_fast, compile_function
from .fast import (
    CK,
    CTX,
    DEFER,
    LIM,
    STOP,
    UNLIMITED,
    Deopt,
    LoopHot,
    ensure,
    ensure_entry,
    ensure_free,
    machine_code,
    pending_trap,
    returned,
)
from .fuse import EXTRA
from .runtime import FuncInst

DEFAULT_DEPTH_LIMIT = 10_000


class Pause(Exception):  # noqa: N818 - a control signal, not an error
    """Raised by an instrumented handler (breakpoint, watchpoint) to stop the machine.

    `pc` is where the frame continues; `executed` says whether the instruction at the
    current pc completed (a watched store: True) or did not start (a breakpoint: False).
    The debugger patches handlers with such wrappers; plain runs never pay for them.
    """

    def __init__(self, pc: int, executed: bool, reason: object = None) -> None:
        super().__init__(reason)
        self.pc = pc
        self.executed = executed
        self.reason = reason


#: The slots of an activation record. The machine keeps each activation as a plain list
#: `[func, code, pc, locals, base]` (cheap to push and pop in the dispatch loop); these name
#: its slots. `_execute`, the hot loop, indexes with the literal numbers (a global lookup per
#: call and return would cost run mode time); everything else uses these names, and nothing
#: outside `exec` sees the lists at all: it reads `Frame` views.
FUNC, CODE, PC, LOCALS, BASE = 0, 1, 2, 3, 4


class Frame:
    """A read-only view of one activation: the function, the pc of its next instruction (for
    a caller: the instruction after its call), its locals, and `base`, the value-stack height
    below its operands. A view reads the live activation: it follows the machine as it runs."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list) -> None:
        self._raw = raw

    @property
    def func(self) -> FuncInst:
        return self._raw[FUNC]

    @property
    def code(self) -> list:
        """The handlers this activation runs (step-mode ones, or patched by the debugger)."""
        return self._raw[CODE]

    @property
    def pc(self) -> int:
        return self._raw[PC]

    @property
    def locals(self) -> tuple[Any, ...]:
        """The values of its locals (parameters first), as wasm values (without the hidden
        ones where legacy exception handlers keep what they caught)."""
        L = self._raw[LOCALS]
        lay = self._raw[FUNC].layout
        return tuple(L[: lay.nlocals] if lay is not None and len(L) > lay.nlocals else L)

    @property
    def base(self) -> int:
        return self._raw[BASE]

    @property
    def instr(self) -> Instr | None:
        """The instruction this frame executes next."""
        func = self._raw[FUNC].func
        body = func.body if func else []
        pc = self._raw[PC]
        return body[pc] if 0 <= pc < len(body) else None

    def __repr__(self) -> str:
        return f"<frame {self.func.name} pc={self.pc}>"


HostHook = Callable[[FuncInst, list], list]


def call_host(func: FuncInst, args: list) -> list:
    """Call a host function with wasm values; its results as a list of wasm values."""
    try:
        out = func.host(*args)  # type: ignore[misc]
    except WasmError:
        raise
    except Exception as e:  # a host function's own failure becomes a trap, not a crash
        raise Trap(f"host function {func.name} failed: {e!r}") from e
    return as_results(func, out)


def as_results(func: FuncInst, out: Any) -> list:
    """A host function's return value as the list of wasm results."""
    n = func.nresults
    if n == 0:
        return []
    if n == 1:
        return [out[0] if isinstance(out, (tuple, list)) else out]
    return list(out)


class Machine:
    """Executes one call of `func` with `args` (wasm values), paused before its first
    instruction until `step()` or `run()`.

    `fuel`: at most this many instructions, then `Exhaustion("all fuel consumed")`.
    `host_hook(func, args) -> results`: how host functions are called (the debugger
    records and replays them through it).
    """

    def __init__(
        self,
        func: FuncInst,
        args: Sequence[Any] = (),
        *,
        fuel: int | None = None,
        depth_limit: int = DEFAULT_DEPTH_LIMIT,
        host_hook: HostHook | None = None,
        fast: bool = True,
        tier: str | None = None,
        entry_code: list | None = None,
    ) -> None:
        if len(args) != func.nparams:
            raise WasmError(
                f"{func.name} takes {func.nparams} argument{'s' * (func.nparams != 1)}, got {len(args)}"
            )
        self.entry = func
        self.stack: list[Any] = list(args)
        self._frames: list[list] = []
        self.steps = 0
        self.fuel = fuel
        self.depth_limit = depth_limit
        self.host_hook: HostHook = host_hook or call_host
        # run() without a step limit may use superinstructions (exec.fuse); the debugger,
        # which patches step-mode handlers, turns this off
        self.fast = fast
        # the compiled tier (exec.fast) in run mode: "auto"/"fast" use it, "machine" never
        # (default: the WASMLAB_TIER environment variable, else "auto")
        self.tier = tier if tier is not None else tier_default()
        #: how deep compiled code may nest Python calls from this machine
        self.compiled_cap = tier_module.PYTHON_DEPTH
        #: frames at least this deep call on the machine: compiled code ran out of Python depth
        #: there before (a deep recursion would otherwise hand over its frames again and again)
        self.deep_at = 1 << 62
        #: compiled code in `run(max_steps)`: None (run mode: only without a limit, or with the
        #: tier "fast"), True (the debugger's: `max_steps` bounds the instructions the machine
        #: dispatches itself, `hard` all of them, exactly), False (never)
        self.compiled: bool | None = None
        #: with `compiled` True: the step count compiled code may not pass (None: no bound)
        self.hard: int | None = None
        #: with `compiled` True: the step at which `on_checkpoint(machine)` wants the state (the
        #: debugger's history); it returns the next such step (None: no more)
        self.ck_at: int | None = None
        self.on_checkpoint: Callable[[Machine], int | None] | None = None
        self._base = 0  # steps before the counter's value when compiled code was called
        self._yielded = False
        #: compiled code just left for the machine: the machine runs its next instruction
        #: (a frame left at its entry would otherwise go straight back to compiled code)
        self._left = False
        #: frames may hold run-mode handlers (the last move was in run mode)
        self._run_code = False
        #: (the form entered at a loop head, its loop's counter, the head's pc, its function):
        #: what the next run in plain run mode does first there (see LoopHot)
        self._entry: tuple[Callable[..., Any], list[int], int, FuncInst] | None = None
        self.results: list[Any] | None = None
        self.trap: Trap | None = None
        self.paused: Pause | None = None  # why the last move stopped early, if it did
        # set by a host hook (the debugger's, when a host function wrote something watched):
        # the machine pauses right after that call instruction with this as the reason
        self.host_pause: object = None
        if func.is_host:
            # a host function at top level: a single "call" of it
            self._host_entry = True
        else:
            self._host_entry = False
            self._enter(func, entry_code)  # (its own handlers: exec.fast.DEFER's profiling ones)

    # --- state -----------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.results is not None

    @property
    def finished(self) -> bool:
        """Returned or trapped: nothing more will run."""
        return self.results is not None or self.trap is not None

    @property
    def frames(self) -> list[Frame]:
        """The call stack, outermost first."""
        return [Frame(raw) for raw in self._frames]

    @property
    def frame(self) -> Frame | None:
        return Frame(self._frames[-1]) if self._frames else None

    @property
    def depth(self) -> int:
        return len(self._frames)

    @property
    def instr(self) -> Instr | None:
        """The instruction the next `step()` executes."""
        fr = self.frame
        return fr.instr if fr else None

    @property
    def host_entry(self) -> bool:
        """The call is of a host function at top level, not made yet: there is no frame, the
        arguments are on the stack, and the next step calls it."""
        return self._host_entry

    def backtrace(self) -> list[str]:
        return [raw[FUNC].name for raw in self._frames]

    # --- controlled changes (the debugger's history) ---------------------------------------

    def restore(
        self,
        *,
        stack: Sequence[Any],
        frames: Iterable[tuple[FuncInst, int, Sequence[Any], int]],
        steps: int,
        results: Sequence[Any] | None,
        trap: Trap | None,
        host_entry: bool,
    ) -> None:
        """Put the machine in a recorded state: the value stack, the activations as
        `(func, pc, locals, base)` from the outermost (see `Frame`), the step count, the
        results or trap, and whether a top-level host call is still to be made. Restored
        frames run step-mode handlers (the ones the debugger patches)."""
        self.stack[:] = stack
        self._frames = [[f, _code_of(f, False), pc, list(L), base] for f, pc, L, base in frames]
        self._entry = None
        self.steps = steps
        self.results = None if results is None else list(results)
        self.trap = trap
        self.paused = None
        self._host_entry = host_entry

    # --- moves -------------------------------------------------------------------------

    def step(self, n: int = 1) -> Instr | None:  # (the machine's own handlers, one at a time)
        """Execute `n` instructions (fewer if the call returns); the last one executed."""
        last = None
        for _ in range(n):
            if self.finished:
                break
            last = self.instr
            self._execute(1)
        return last

    def run(self, max_steps: int | None = None) -> list[Any] | None:
        """Run until the call returns (results), traps (raises), or `max_steps` ran (None)."""
        if self.trap is not None:
            raise self.trap
        budget = max_steps if max_steps is not None else -1
        if self.fuel is not None:
            left = self.fuel - self.steps
            if left <= 0 and not self.finished:
                raise self._fail(Exhaustion("all fuel consumed"))
            budget = left if budget < 0 else min(budget, left)
        if not self.finished:
            comp = self._compiled_for(budget)
            hard = None
            if comp and self.compiled:  # the debugger's: max_steps is a slice, `hard` the bound
                hard = self.hard
                if self.fuel is not None:
                    hard = self.fuel if hard is None else min(hard, self.fuel)
                if hard is not None:  # the machine's part of the slice stays within it too
                    left = max(hard - self.steps, 0)
                    budget = left if budget < 0 else min(budget, left)
            elif comp:  # run mode: a bound is exact for compiled code too
                hard = None if budget < 0 else self.steps + budget
            while True:
                self._yielded = False
                self._execute(budget, comp, hard)
                if not self._yielded or self.finished or self.compiled or STOP[0]:
                    break
                if budget >= 0:  # compiled code ran some of the budget; the machine goes on
                    assert hard is not None
                    budget = hard - self.steps
                    if budget <= 0:
                        break
            if self.fuel is not None and not self.finished and self.steps >= self.fuel:
                raise self._fail(Exhaustion("all fuel consumed"))
        return self.results

    def _compiled_for(self, budget: int) -> bool:
        """Whether this move may call compiled code (exec.fast)."""
        if self.tier == "machine" or self.compiled is False:
            return False
        if self.compiled:
            return True
        return self.fast and (budget < 0 or self.tier == "fast")

    def _lim(self, hard: int | None, dispatched: int, extra0: int) -> int:
        """LIM for compiled code called after `dispatched` instructions of this move: the
        counter's value at which the step count would reach `hard`."""
        if STOP[0]:
            return -UNLIMITED
        if hard is None:
            return UNLIMITED
        return hard - self.steps - dispatched + extra0

    def _fail(self, trap: Trap) -> Trap:
        if not trap.stack:
            trap.stack = self.backtrace()
            trap.message = trap._render()
        self.trap = trap
        return trap

    def _enter(self, func: FuncInst, code: list | None = None) -> None:
        n = func.nparams
        S = self.stack
        if n:
            L = S[-n:]
            del S[-n:]
        else:
            L = []
        if func.zero_locals:
            L += func.zero_locals
        if code is None:
            code = _code_of(func, False)
        self._frames.append([func, code, 0, L, len(S)])

    def _execute(self, budget: int, comp: bool = False, hard: int | None = None) -> None:
        """The dispatch loop shared by step and run: at most `budget` instructions (-1: no limit).

        Activations are plain lists `[func, code, pc, locals, base]` (cheap to push); this
        loop indexes them with the literal slot numbers of `FUNC`, `CODE`, `PC`, `LOCALS`
        and `BASE` (0..4): a module-global lookup per call and return costs run mode time."""
        if self._host_entry:
            self._run_host_entry()
            return
        self.paused = None
        S = self.stack
        frames = self._frames
        fr = frames[-1]
        fast = budget < 0 and self.fast
        fused = fast  # run mode: superinstructions (exec.fuse) where the machine runs
        if fast:  # (callers too, where they are made: a profiling run's, exec.fast.DEFER)
            for raw in frames:
                if raw[0].fast is not None:
                    raw[1] = raw[0].fast
        elif self._run_code:  # (after run mode, step-mode handlers again)
            self._run_code = False
            for raw in frames:
                raw[1] = _code_of(raw[0], False)
        if fast and not (comp and fr[2] == 0 and fr[0].translated is not False):
            # (a frame about to run as compiled code needs no superinstructions)
            func = fr[0]
            if func.fast is None:
                func.fast = compile_fast(func)
            fr[1] = func.fast
        code = fr[1]
        L = fr[3]
        pc = fr[2]
        limit = self.depth_limit
        extra = EXTRA
        extra0 = extra[0]
        i = -1
        # plain run mode: first calls of long bodies are profiled here (exec.fast.DEFER); a
        # machine nested in a host call sets its own
        defer0 = DEFER[0]
        DEFER[0] = comp and fast and hard is None and self.ck_at is None and not self.compiled
        if comp:
            hook0 = tier_module.HOOK[0]
            tier_module.HOOK[0] = self.host_hook
            ck0, ctx0, lim0 = CK[0], CTX[0], LIM[0]
            CTX[0] = self
            # no bound and no checkpoint wanted: the forms that check no budget (exec.fast)
            free = hard is None and self.ck_at is None
            deep = self.deep_at  # (it changes only where compiled code leaves: this move ends there)
            entry, self._entry = self._entry, None
            if entry is not None and not (
                free and fused and fr[0] is entry[3] and fr[2] == entry[2] and len(S) == fr[4]
            ):
                entry[1][0] = 0  # (another kind of move since: the loop asks again later)
                entry = None
        else:
            entry = None  # (a step move leaves a hot loop's entry for the next run)
        try:
            if entry is not None or (
                comp
                and pc == 0
                and len(S) == fr[4]
                and fr[0].translated is not False
                and not self._left
                and len(frames) <= deep
            ):
                # a frame at its entry (a fresh call): its whole body as compiled code; or at the
                # head of a hot loop (LoopHot below): the body from there (every local passed)
                func = fr[0]
                if entry is not None:
                    cf, args, go = entry[0], L, True
                else:
                    cf = (func.free or ensure_free(func)) if free else (func.compiled or ensure(func))
                    if cf is None and fused:  # (its first call, profiled here: exec.fast.DEFER)
                        code = fr[1] = func.fast
                    args = L[: func.nparams]
                    go = func.translated and L[func.nparams :] == func.zero_locals
                if go:
                    frames.pop()
                    LIM[0] = self._lim(hard, 0, extra0)
                    self._base = self.steps - extra0
                    CK[0] = UNLIMITED if self.ck_at is None else self.ck_at - self._base
                    try:
                        out = cf(*args, min(self.compiled_cap, limit - len(frames) - 1), 0)
                    except Deopt as e:
                        if e.at_call and not e.frames:  # it did not start: the machine runs it
                            frames.append(fr)
                            if entry is not None:  # (its loop counts again before it asks)
                                entry[1][0] = 0
                        else:
                            fr, pending = self._resume(e, fused)
                            code, L, pc = fr[1], fr[3], fr[2]
                            if pending is not None:
                                if not isinstance(pending, Thrown) or not self._catch(pending.exn, pc):
                                    raise pending from None
                                extra[0] += 1  # (the instruction that threw ran: caught, it counts)
                                fr = frames[-1]
                                pc = fr[2]
                            self._yielded = self._left = True
                            return
                    else:
                        n = func.nresults
                        if n == 1:
                            S.append(out)
                        elif n:
                            S.extend(out)
                        if not frames:
                            self.results = list(S)
                            return
                        fr = frames[-1]
                        code, L, pc = fr[1], fr[3], fr[2]
                        if hard is not None or STOP[0]:
                            self._yielded = True
                            fr[2] = pc
                            return
            for i in range(budget if budget >= 0 else 1 << 62):  # noqa: B007 - i counts steps
                try:
                    pc = code[pc](S, L, pc)
                except Thrown as t:  # (a try costs nothing in 3.11 until something is raised)
                    if not self._catch(t.exn, pc):
                        raise
                    fr = frames[-1]
                    code, L, pc = fr[1], fr[3], fr[2]
                    continue
                except LoopHot as hot:  # a loop head, before its first instruction: go on compiled
                    ef = ensure_entry(fr[0], pc - 1) if len(S) == fr[4] and len(frames) <= deep else None
                    extra[0] -= 1  # (this dispatch ran nothing)
                    if ef is None:
                        hot.counter[0] = -(1 << 60)  # (not from here: the loop goes on here)
                        continue
                    self._entry = (ef, hot.counter, pc, fr[0])  # (the next run enters it, as a call)
                    self._yielded = True
                    break
                if pc >= 0:
                    continue
                if pc <= TAIL:  # a tail call: the callee takes this frame's place
                    pc = TAIL - pc
                    callee = S.pop()
                    n = callee.nparams
                    if callee.host is None:
                        base = fr[4]
                        L = S[len(S) - n :] if n else []
                        del S[base:]
                        if callee.zero_locals:
                            L += callee.zero_locals
                        code = _code_of(callee, fast)
                        fr = frames[-1] = [callee, code, 0, L, base]
                        pc = 0
                        continue
                    if not self._call_host(callee, pc):  # it threw, and a try_table here caught it
                        fr = frames[-1]
                        code, L, pc = fr[1], fr[3], fr[2]
                        continue
                    self.host_pause = None  # (no instruction of this frame is left to pause after)
                    pc = RETURN  # and this frame returns the host function's results
                if pc == RETURN:
                    func = fr[0]
                    n = func.nresults
                    base = fr[4]
                    if len(S) != base + n:
                        if n:
                            S[base:] = S[-n:]
                        else:
                            del S[base:]
                    frames.pop()
                    if not frames:
                        self.results = list(S)
                        i += 1
                        return
                    fr = frames[-1]
                    code = fr[1]
                    L = fr[3]
                    pc = fr[2]
                    continue
                # a call: the caller resumes after the call instruction
                pc = -2 - pc
                callee = S.pop()
                if callee.host is not None:
                    if not self._call_host(callee, pc):
                        fr = frames[-1]
                        code, L, pc = fr[1], fr[3], fr[2]
                        continue
                    pc += 1
                    if self.host_pause is not None:
                        reason, self.host_pause = self.host_pause, None
                        raise Pause(pc, True, reason)
                    continue
                if len(frames) >= limit:
                    operand = getattr(code[pc], "operand", None)
                    if operand is not None:  # the trapping call_indirect keeps its operand
                        S.append(operand[0])
                    raise Exhaustion("call stack exhausted")
                fr[2] = pc + 1
                n = callee.nparams
                if comp and callee.translated is not False and len(frames) < deep:
                    cf = (callee.free or ensure_free(callee)) if free else (callee.compiled or ensure(callee))
                    if callee.translated:  # the callee as compiled code: a Python call
                        if n:
                            args = S[len(S) - n :]
                            del S[len(S) - n :]
                        else:
                            args = []
                        LIM[0] = self._lim(hard, i + 1, extra0)
                        self._base = self.steps + i + 1 - extra0
                        CK[0] = UNLIMITED if self.ck_at is None else self.ck_at - self._base
                        try:
                            out = cf(*args, min(self.compiled_cap, limit - len(frames) - 1), 0)
                        except Deopt as e:
                            if not (e.at_call and not e.frames):
                                fr, pending = self._resume(e, fused)
                                code, L, pc = fr[1], fr[3], fr[2]
                                i += 1  # (the call ran)
                                if pending is not None:
                                    if not isinstance(pending, Thrown) or not self._catch(pending.exn, pc):
                                        raise pending from None
                                    extra[0] += 1  # (the instruction that threw ran: caught, it counts)
                                    fr = frames[-1]
                                    code, L, pc = fr[1], fr[3], fr[2]
                                i -= 1  # (the loop's exit counts it)
                                self._yielded = self._left = True
                                break
                            # it did not start (too little budget left): the machine makes the call
                            S.extend(args)
                        else:
                            n = callee.nresults
                            if n == 1:
                                S.append(out)
                            elif n:
                                S.extend(out)
                            pc += 1
                            if hard is not None or STOP[0]:
                                self._yielded = True
                                break
                            continue
                        n = callee.nparams
                if n:
                    L = S[-n:]
                    del S[-n:]
                else:
                    L = []
                if callee.zero_locals:
                    L += callee.zero_locals
                if fused:  # (inline: the hot path of every call)
                    code = callee.fast
                    if code is None:
                        code = callee.fast = compile_fast(callee)
                else:
                    code = callee.code
                    if code is None:
                        code = callee.code = compile_function(callee)
                fr = [callee, code, 0, L, len(S)]
                frames.append(fr)
                pc = 0
            i += 1
        except Pause as p:
            if p.executed:
                i += 1
            fr[2] = p.pc
            self.paused = p
            return
        except Trap as t:  # the trapping instruction did not complete: i steps did
            fr[2] = pc
            raise self._fail(t) from None
        except WasmError:
            fr[2] = pc
            raise
        except (RecursionError, MemoryError) as e:
            fr[2] = pc
            raise self._fail(Exhaustion(f"resources exhausted: {type(e).__name__}")) from None
        finally:
            if i > 0:
                self._left = False
            self.steps += (i if i >= 0 else 0) + extra[0] - extra0
            extra[0] = extra0
            if comp:
                tier_module.HOOK[0] = hook0
                CK[0], CTX[0], LIM[0] = ck0, ctx0, lim0  # (a machine nested in a host call runs its own)
            DEFER[0] = defer0
            if fast:  # (frames go back to step-mode handlers, same pcs, when a step needs them)
                self._run_code = True
        fr[2] = pc

    def compiled_checkpoint(self, frames: list[tuple[FuncInst, int, list, list]], count: int) -> None:
        """Compiled code at a loop head (exec.fast): with its frames (innermost first) and the
        counter at `count`, the machine is, for `on_checkpoint`, in the exact state there."""
        if self.on_checkpoint is None:
            return
        S = self.stack
        raws = self._frames
        height, depth, steps = len(S), len(raws), self.steps
        for func, pc, L, values in reversed(frames):
            base = len(S)
            S.extend(values)
            raws.append([func, _code_of(func, False), pc, L, base])
        self.steps = self._base + count
        try:
            nxt = self.on_checkpoint(self)
        finally:
            del S[height:]
            del raws[depth:]
            self.steps = steps
        self.ck_at = nxt
        CK[0] = UNLIMITED if nxt is None else nxt - self._base

    def _resume(self, e: Deopt, fast: bool) -> tuple[list, WasmError | None]:
        """Compiled code left (`e`): push its frames (outermost first) as activations, each
        with its operand stack, and say what is pending at the top one."""
        S = self.stack
        frames = self._frames
        if len(e.frames) > self.compiled_cap:  # (it left because it was too deep)
            self.deep_at = min(self.deep_at, len(frames) + len(e.frames) - 1)
        for func, pc, L, values in reversed(e.frames):
            base = len(S)
            S.extend(values)
            frames.append([func, _resumed_code(func, fast), pc, L, base])
        pending = e.pending
        if isinstance(pending, Trap):
            pending = pending_trap(pending)
        return frames[-1], pending

    def _call_host(self, callee: FuncInst, pc: int) -> bool:
        """Call host function `callee` (the call instruction at `pc`) on the arguments on top
        of the stack, leaving its results there. False when it threw a wasm exception (out of
        wasm code it called) that a try_table of this machine caught: the machine is then at
        that handler. An exception nothing catches goes on up."""
        S = self.stack
        n = callee.nparams
        e = EXTRA[0]  # a nested machine in the host call counts its own steps
        try:
            results = self.host_hook(callee, S[len(S) - n :])
        except Thrown as t:
            EXTRA[0] = e
            if not self._catch(t.exn, pc):
                raise
            return False
        EXTRA[0] = e
        del S[len(S) - n :]
        S.extend(results)
        return True

    def _catch(self, exn: Any, pc: int) -> bool:
        """Exception handling: find the innermost try_table clause, from the top frame (where
        `pc` threw or called) down, that catches `exn`; unwind to it (drop the frames and
        values above its label, push what the clause passes) and say whether one did. When
        none does, nothing changes: the machine stays where the exception was thrown."""
        frames = self._frames
        for k in range(len(frames) - 1, -1, -1):
            fr = frames[k]
            at = pc if k == len(frames) - 1 else fr[PC] - 1  # a caller: its call instruction
            lay = fr[FUNC].layout
            handlers = lay.handlers if lay is not None else []
            i = 0
            while i < len(handlers):
                start, end, clauses = handlers[i]
                i += 1
                if not start < at < end:
                    continue
                tags = fr[FUNC].module.tags
                for clause in clauses:
                    kind, tag, target, height = clause[0], clause[1], clause[2], clause[3]
                    if kind == 4:  # legacy delegate: search again from its label outward
                        at, i = target, 0
                        break
                    if kind < 2 and tags[tag] is not exn.tag:
                        continue
                    del frames[k + 1 :]
                    S = self.stack
                    del S[fr[BASE] + height :]
                    if kind < 2:
                        S.extend(exn.values)
                    if kind & 1:
                        S.append(exn)
                    if len(clause) > 5:  # legacy catch: keep the exception for rethrow
                        L = fr[LOCALS]
                        slot = lay.nlocals + clause[5]
                        L.extend([None] * (slot + 1 - len(L)))
                        L[slot] = exn
                    fr[PC] = target
                    return True
        return False

    def _run_host_entry(self) -> None:
        self._host_entry = False
        S = self.stack
        args = S[:]
        del S[:]
        try:
            S.extend(self.host_hook(self.entry, args))
        except Trap as t:
            raise self._fail(t) from None
        self.steps += 1
        self.results = list(S)


def _code_of(func: FuncInst, fast: bool) -> list:
    """The handlers a frame of `func` runs: run-mode (fused) or step-mode, compiled once."""
    if fast:
        code = func.fast
        if code is None:
            code = func.fast = compile_fast(func)
        return code
    code = func.code
    if code is None:
        code = func.code = compile_function(func)
    return code


def _resumed_code(func: FuncInst, fused: bool) -> list:
    """The handlers of a frame that left compiled code: in run mode, superinstructions for a
    function the compiled tier keeps on the machine; for the others, handlers that count its
    loops, to go on as compiled code from a loop's head (exec.fast.machine_code), or the
    step-mode ones when it has no loop (it is back in compiled code at its next call)."""
    if fused and func.translated is not False and func.fast is None:
        func.fast = machine_code(func)
    return _code_of(func, fused and func.fast is not None)


def tier_default() -> str:
    return tier_module.TIER


def _nested_form(f: FuncInst) -> Callable[..., Any]:
    """How compiled code calls a wasm function the translator kept on the machine: a machine of
    its own for that call; when it stops early, its frames go to the caller's machine."""

    def nested(*a: Any) -> Any:
        return _nested_call(f, a, False)

    return nested


def _nested_call(f: FuncInst, a: tuple, run_mode: bool) -> Any:
    """A call of `f` from compiled code (arguments, then `d` and `b`) on a machine of its own.
    `run_mode`: in plain run mode (exec.fast.DEFER: its first call, profiled), else as the
    debugger's machines run (its handlers are the ones a debugger patches)."""
    d, b = a[-2], a[-1]
    if d < 0:  # too deep: the caller's machine makes this call
        raise Deopt(None, at_call=True)
    hook = tier_module.HOOK[0] or call_host
    m = Machine(
        f,
        list(a[:-2]),
        depth_limit=d + 1,
        host_hook=hook,
        fast=run_mode,
        entry_code=f.fast if run_mode else None,
    )
    m.compiled_cap = max(0, d - 4)  # its Python frames count against the same budget
    if run_mode:  # (its profiling handlers, exec.fast.DEFER: not compiled code at its entry)
        m._left = True
    else:
        m.compiled = True
        lim = LIM[0]
        m.hard = None if lim >= UNLIMITED // 2 else max(0, lim - EXTRA[0] - b)
    return _drive(m)


def _rest_of_call(f: FuncInst, pc: int, L: list, S: list, d: int) -> Any:
    """The rest of a call of `f` whose compiled code reached a region it was made without
    (exec.fast.COLD), in plain run mode: on a machine of its own from `pc` with locals `L` and
    operand stack `S` (`d`: how deep its calls may go), so its compiled callers stay compiled."""
    hook = tier_module.HOOK[0] or call_host
    m = Machine(f, L[: f.nparams], depth_limit=d + 2, host_hook=hook, entry_code=_resumed_code(f, True))
    fr = m._frames[-1]
    fr[2], fr[3] = pc, L
    m.stack.extend(S)
    m.compiled_cap = max(0, d - 3)
    m._left = True
    return _drive(m)


def _drive(m: Machine) -> Any:
    """Run a machine made for compiled code's call to its end: the call's results as compiled
    code returns them; when it stops early, its frames go to the caller's machine."""
    x0 = EXTRA[0]
    lim = LIM[0]
    try:
        while not m.finished:
            left = None if m.hard is None else m.hard - m.steps
            if (left is not None and left <= 0) or STOP[0]:
                break
            m.run(left)
            if m.paused is not None:  # a breakpoint: the caller's machine stops there
                break
    except WasmError as t:
        EXTRA[0] = x0 + m.steps
        deep = isinstance(t, Exhaustion) and "call stack" in t.kind
        # a call too deep for this small machine: the caller's machine runs it again
        raise _leave(m, None if deep else t) from None
    finally:
        LIM[0] = lim
    EXTRA[0] = x0 + m.steps
    if not m.finished:  # the budget ran out, or an interrupt: the caller's machine goes on
        raise _leave(m, None)
    out = m.results
    assert out is not None
    return returned(out, m.entry.nresults)


def _leave(m: Machine, pending: WasmError | None) -> Deopt:
    """A nested machine's frames (and the failure to deliver there) for the caller's machine."""
    e = Deopt(pending)
    S = m.stack
    raws = m._frames
    for k in range(len(raws) - 1, -1, -1):
        raw = raws[k]
        top = raws[k + 1][BASE] if k + 1 < len(raws) else len(S)
        e.frames.append((raw[FUNC], raw[PC], list(raw[LOCALS]), S[raw[BASE] : top]))
    return e


tier_module.NESTED[0] = _nested_form
tier_module.RUN[0] = lambda f, a: _nested_call(f, a, True)
tier_module.RESUME[0] = _rest_of_call


def invoke(func: FuncInst, args: Sequence[Any], **options: Any) -> list[Any]:
    """Call `func` to completion; its results as wasm values (raises Trap)."""
    m = Machine(func, args, **options)
    results = m.run()
    assert results is not None
    return results
