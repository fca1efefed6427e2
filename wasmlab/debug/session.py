"""A debug `Session`: one call of an exported function, paused before its first instruction.

Moves forward (`step`, `step_over`, `step_out`, `continue_`, `run_to`) run the machine in
slices of at most `SLICE` instructions through its ordinary loop; breakpoints and
watchpoints are patched handlers (see `patches`) that raise `Pause`, live only while
this session runs. Between slices the session takes history checkpoints, honours fuel
and `interrupt()` (in the main thread, Ctrl-C during a move is that interrupt, see
`_sigint_interrupts`). Moves backward (`back`, `goto`, `reverse_continue`) restore the
nearest checkpoint and replay (see `history`). Views (`position`, `stack`, `frames`,
`globals`, `memory`, `changes`, `history`) are read from the state on demand.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from ..dwarf import CExprError, CValue, SourcePos
from ..errors import Exhaustion, Trap, WasmError
from ..exec import fast as tiers
from ..exec.machine import DEFAULT_DEPTH_LIMIT, Machine, Pause, call_host
from ..exec.runtime import Allocations, FuncInst, ModuleInst
from ..syntax.types import ArrayType, StructType, ValType
from . import expr, inspection, patches
from .breakpoints import Breakpoint, Breakpoints, Condition, Watchpoint, Watchpoints
from .errors import DebugError
from .history import (
    Checkpoint,
    History,
    MachineSnap,
    StoreState,
    capture_heap,
    gc_objects,
    record_host_call,
    restore_heap,
)
from .patches import Switch, WatchHit
from .program import Program
from .source import (
    FILE_LINE,
    Listing,
    SourceFrame,
    SourceVariable,
    frame_eval,
    frame_variables,
    past_labels,
    returned_value,
    source_frames,
)
from .values import TypedValue, register_type_names
from .views import (
    Changes,
    FramesView,
    GlobalsView,
    HistoryView,
    MemoryView,
    Move,
    Position,
    StackView,
    Stop,
    plural,
)

#: instructions run between two looks at the interrupt flag (and history)
SLICE = 2048


def _count(n: Any, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise DebugError(f"{what} must be an int, not {n!r}")
    if n < 0:
        raise DebugError(f"{what} must be >= 0, got {n}")
    return n


class _Flag:
    """A flag set from another thread or a signal handler: a plain attribute (no lock, so that
    a signal handler setting it never waits for a lock the thread it interrupted holds)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = False

    def set(self) -> None:
        self.value = True

    def clear(self) -> None:
        self.value = False

    def is_set(self) -> bool:
        return self.value


class Session:
    """Debug one call: `Session(instance, "fib", 10)` (or `wasmlab.debug(...)`).

    Options: `fuel` (stop after that many instructions in all, raise it to go on),
    `depth_limit` (call depth; exceeding it traps with `call stack exhausted`),
    `history` (record for back/goto; on by default), `checkpoint_interval`,
    `max_checkpoints`, `history_bytes` (bounds of the history's memory), `breakpoints`
    (a `PendingBreakpoints` list, bound to this session: see `apply`), `limits` (a
    `wasmlab.Limits`: fuel, call depth and history budget when those are not given; by
    default the instance's store's). A `memory.grow` or `table.grow` a limit refused (it
    returned -1) is named in the next stop's reason.
    """

    def __init__(
        self,
        instance: Any,
        name: Any,
        *args: Any,
        fuel: int | None = None,
        depth_limit: int | None = None,
        history: bool = True,
        checkpoint_interval: int = 4096,
        max_checkpoints: int = 256,
        history_bytes: int | None = None,
        breakpoints: Any = None,
        limits: Any = None,
    ) -> None:
        root, store, default_fuel = _unwrap_instance(instance)
        limits = limits if limits is not None else getattr(store, "limits", None)
        if limits is not None:  # wasmlab.Limits: fuel, call depth and history budget by default
            if fuel is None and default_fuel is None:
                default_fuel = limits.fuel
            depth_limit = depth_limit if depth_limit is not None else limits.max_call_depth
            history_bytes = history_bytes if history_bytes is not None else limits.history_bytes
        if history_bytes is None:
            history_bytes = 96 << 20
        self._limiter = getattr(store, "limiter", None)
        self._refusals = self._limiter.refusals if self._limiter is not None else 0
        self.program = Program(root)
        self.func = self._entry(name)
        self.name = self.program.func_name(self.func)
        wasm_args = self._args(args)
        self.program.compile_all()
        self.fuel: int | None = _count(fuel, "fuel") if fuel is not None else default_fuel
        if depth_limit is not None and _count(depth_limit, "depth_limit") < 1:
            raise DebugError("depth_limit must be >= 1")
        limit = depth_limit or getattr(store, "call_depth_limit", DEFAULT_DEPTH_LIMIT)
        self.depth_limit = limit
        self._switch = Switch()
        self.machine = Machine(self.func, wasm_args, depth_limit=limit, host_hook=self._host)
        self._breakpoints = Breakpoints(self._switch, self.program)
        self._watchpoints = Watchpoints(self._switch, self.program)
        self._store = StoreState(self.program)
        #: whether the program can make GC objects (then checkpoints keep their contents)
        self._gc = any(
            isinstance(t, (StructType, ArrayType)) for inst in self.program.instances for t in inst.types
        )
        if self._gc:
            register_type_names(self.program.instances)
            # number this call's objects from after the ones its instances hold already
            Allocations.count = max((o.serial for o in gc_objects(self._store_roots())), default=0)
        try:
            self._history = History(checkpoint_interval, max_checkpoints, history_bytes) if history else None
        except ValueError as e:
            raise DebugError(str(e)) from None
        self._host_count = 0
        self.host_calls = 0  # how many times a host function really ran (replays do not count)
        self._interrupt = _Flag()
        self._moves: list[Move] = []
        self._selected: int | None = None  # the frame `eval`, `locals` and `set_local` use
        self._observers: list[Callable[[Stop], object]] = []
        self._baseline: inspection.Baseline | None = None
        self._heap_before: dict[int, tuple[Any, tuple]] | None = None
        self._last: Stop = Stop("start", "paused before the first instruction", self.position)
        self._closed = False
        self._clock = time.perf_counter()
        self._checkpoint()
        self._finalizer = weakref.finalize(self, patches.uninstall_all, self._switch)
        if breakpoints is not None:
            self.apply(breakpoints)

    # --- construction helpers -------------------------------------------------------------

    def _entry(self, name: Any) -> FuncInst:
        if isinstance(name, str):
            value = self.program.root.exports.get(name)
            if isinstance(value, FuncInst):
                return value
            if value is not None:
                raise DebugError(f"export {name!r} is not a function")
            exported = sorted(n for n, v in self.program.root.exports.items() if isinstance(v, FuncInst))
            raise DebugError(
                f"no exported function named {name!r}; exported functions: {', '.join(exported) or '(none)'}"
            )
        if isinstance(name, FuncInst):
            return name
        if hasattr(name, "inst") and isinstance(name.inst, FuncInst):
            return name.inst
        if isinstance(name, int) and not isinstance(name, bool):
            funcs = self.program.root.funcs
            if 0 <= name < len(funcs):
                return funcs[name]
        raise DebugError(f"cannot debug {name!r}: give the name of an exported function")

    def _args(self, args: tuple) -> list[Any]:
        from ..api import to_wasm

        params = self.func.type.params
        if len(args) != len(params):
            raise DebugError(f"{self.name} takes {plural(len(params), 'argument')}, got {len(args)}")
        return [to_wasm(a, t) for a, t in zip(args, params)]

    def close(self) -> None:
        """Remove every patch this session made (its breakpoints and watchpoints stop working)."""
        self._finalizer()
        self._closed = True

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- state ------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.machine.finished

    @property
    def returned(self) -> bool:
        return self.machine.results is not None

    @property
    def trap(self) -> Trap | None:
        return self.machine.trap

    @property
    def step_count(self) -> int:
        return self.machine.steps

    @property
    def result(self) -> Any:
        """The call's results as Python values (None before it returned, or for no results)."""
        from ..api import results_from_wasm

        if self.machine.results is None:
            return None
        return results_from_wasm(self.machine.results, self.func.type.results)

    @property
    def last_stop(self) -> Stop:
        return self._last

    # --- moves forward ---------------------------------------------------------------------------

    def step(self, n: int = 1) -> Stop:
        """Execute `n` instructions (stopping early at a breakpoint, watchpoint, trap or the end)."""
        n = _count(n)
        self._need_running()
        target = self.machine.steps + n
        return self._move(f"step({n})" if n != 1 else "step", lambda: self._forward(target))

    def step_over(self) -> Stop:
        """Like `step`, but a call runs to its return (unless something stops inside); over a
        tail call (`return_call*`) that is the return of the current function."""
        self._need_running()
        m = self.machine
        fr = m.frame
        if m.host_entry or fr is None:
            return self.step()
        ins = self.program.instr(fr.func, fr.pc)
        if ins is not None and ins.op.name in ("return_call", "return_call_indirect"):
            return self.step_out()  # the callee takes this frame's place and returns for it
        if ins is None or ins.op.name not in ("call", "call_indirect"):
            return self.step()
        depth = m.depth
        place = [(fr.func, fr.pc + 1)]
        return self._with_internal("step_over", place, lambda s: s.machine.depth == depth)

    def step_out(self) -> Stop:
        """Run until the current function returns to its caller (or the call ends)."""
        self._need_running()
        m = self.machine
        if m.depth <= 1:
            return self._move("step_out", lambda: self._forward(None))
        caller = m.frames[-2]
        depth = m.depth - 1
        place = [(caller.func, caller.pc)]
        return self._with_internal("step_out", place, lambda s: s.machine.depth == depth)

    def continue_(self) -> Stop:
        """Run until a breakpoint, watchpoint, trap, the end, fuel runs out or `interrupt()`."""
        self._need_running()
        return self._move("continue", lambda: self._forward(None))

    def run_to(self, func: Any = None, *, at: int | None = None, line: int | None = None) -> Stop:
        """Run until the given place (a function's entry, a byte offset or a source line)."""
        self._need_running()
        places = self.program.place(func, at=at, line=line)
        return self._with_internal("run_to", places, None, self._describe(places, func, at, line))

    def interrupt(self) -> None:
        """Stop a running move (from another thread) at the next instruction boundary it checks."""
        self._interrupt.set()
        tiers.interrupt()  # compiled code looks at loop heads and calls

    def add_fuel(self, n: int) -> None:
        n = _count(n)
        self.fuel = (self.fuel if self.fuel is not None else self.machine.steps) + n

    def _with_internal(self, command: str, places: list, predicate: Condition | None, what: str = "") -> Stop:
        bp = self._breakpoints.add(places, what or command, predicate, internal=command)
        try:
            return self._move(command, lambda: self._forward(None))
        finally:
            if not bp.deleted:
                bp.delete()

    def _need_running(self) -> None:
        if self._closed:
            raise DebugError("the session is closed")
        m = self.machine
        if m.results is not None:
            raise DebugError(f"the call has returned (after {m.steps} instructions): nothing more to run")
        if m.trap is not None:
            if inspection.is_exit(m.trap):
                raise DebugError(f"the program exited ({m.trap.kind}) at step {m.steps}: nothing more to run")
            raise DebugError(f"the call trapped ({m.trap.kind}) at step {m.steps}: nothing more to run")

    def _move(self, command: str, run: Callable[[], Stop]) -> Stop:
        self._interrupt.clear()
        tiers.clear_interrupt()
        self._selected = None  # as gdb does: a move selects the innermost frame again
        self._baseline = inspection.Baseline(self)
        if self._gc:  # the heap as the move found it (what `heap()` highlights as changed)
            from .heap import heap_contents
            from .history import heap_roots

            self._heap_before = heap_contents(heap_roots(self.machine, self._store))
        start = self.machine.steps
        try:
            with self._sigint_interrupts():
                stop = run()
        finally:
            tiers.clear_interrupt()  # (an interrupt ends with the move it stopped)
        self._moves.append(Move(command, start, self.machine.steps, stop.kind))
        self._last = stop
        for callback in list(self._observers):
            callback(stop)
        return stop

    @contextlib.contextmanager
    def _sigint_interrupts(self) -> Iterator[None]:
        """While a move runs in the main thread with Python's own SIGINT handler: Ctrl-C is
        `interrupt()` (the move stops at its next look, in an exact state, and can go on),
        not a KeyboardInterrupt raised wherever Python is (in compiled code it would lose the
        frames that code had not handed to the machine). A second Ctrl-C before the move
        stopped raises KeyboardInterrupt (a host function that never returns). A handler
        someone else set (a kernel's, a workspace's: they route SIGINT already) stays."""

        def on_sigint(signum: int, frame: Any) -> None:
            if self._interrupt.is_set():
                raise KeyboardInterrupt
            self.interrupt()

        try:
            mine = (
                threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler
            )
            if mine:
                signal.signal(signal.SIGINT, on_sigint)
        except (AttributeError, ValueError, OSError):  # (a Python without signals)
            mine = False
        try:
            yield
        finally:
            if mine:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    def on_move(self, callback: Callable[[Stop], object]) -> Callable[[], None]:
        """Call `callback(stop)` after every move of this session, whoever makes it (Python,
        a kernel command, a widget's button); returns a function that stops the calls."""
        self._observers.append(callback)

        def remove() -> None:
            if callback in self._observers:
                self._observers.remove(callback)

        return remove

    # --- the run loop -----------------------------------------------------------------------------

    def _forward(
        self,
        target: int | None,
        *,
        live: bool = True,
        scan: list | None = None,
        use_fuel: bool = True,
        only: Breakpoint | None = None,
    ) -> Stop:
        """Run until `target` steps (None: no bound) or something stops the run.

        `live`: breakpoints and watchpoints fire. The first instruction ignores breakpoints
        (a move from a breakpoint must leave it) unless `scan` is given: then hits are
        appended to `scan` as (step, hit) and the run goes on (reverse_continue's search).
        `only`: that breakpoint alone stops the run (no other, no watchpoint: a search's)."""
        m = self.machine
        history = self._history
        skip = scan is None
        values = (
            [w for w in self._watchpoints.all if w.enabled and w.kind in ("local", "expr")]
            if live and only is None
            else []
        )
        before = [self._watch_value(w) for w in values]
        # the compiled tier runs the calls of functions no breakpoint is in (patches keeps
        # those on the machine) while no watchpoint could see a write: `n` then bounds the
        # instructions the machine dispatches itself, `hard` every instruction, exactly
        comp = not any(w.enabled for w in self._watchpoints.all)
        while True:
            if m.finished:
                return self._end_stop()
            steps = m.steps
            if target is not None and steps >= target:
                return self._stop("step", f"stepped to {steps}")
            if use_fuel and self.fuel is not None and steps >= self.fuel:
                return self._stop("fuel", f"out of fuel after {steps} instructions (add_fuel to go on)")
            if self._interrupt.is_set():  # stays set until the next move starts
                return self._stop("interrupted", f"interrupted at step {steps}")
            if skip and comp and live and not self._break_here():
                skip = False  # (no breakpoint to step off)
            n = 1 if skip else SLICE
            if target is not None and target - steps < n:
                n = target - steps
            if use_fuel and self.fuel is not None and self.fuel - steps < n:
                n = self.fuel - steps
            hard = target
            if use_fuel and self.fuel is not None:
                hard = self.fuel if hard is None else min(hard, self.fuel)
            if history is not None and steps >= history.last_step and not comp:
                due = history.due_in(steps)
                if due < n:
                    n = due
            edit = history.edit_after(steps) if history is not None else None
            if edit is not None and edit.step - steps < n:
                n = edit.step - steps
            if edit is not None:
                hard = edit.step if hard is None else min(hard, edit.step)
            if values:
                n = 1  # watched values are compared after every instruction
            m.hard = hard
            if comp and history is not None:  # checkpoints at loop heads of compiled code
                m.ck_at = history.steps[-1] + history.interval if history.steps else steps
                m.on_checkpoint = self._compiled_checkpoint
            else:
                m.ck_at = m.on_checkpoint = None
            outcome = self._exec(n, live and not skip, live and only is None, comp)
            skip = False
            if edit is not None and m.steps == edit.step and not m.finished:
                self._restore(edit)  # the user's edit at this step, again
            if history is not None and history.wants(m.steps) and not m.finished:
                self._checkpoint()
            if values and outcome is None and not m.finished:
                hit = self._value_hit(values, before)
                if hit is not None:
                    if scan is not None:
                        scan.append((m.steps, hit))
                    else:
                        hit.watch.hits += 1
                        return self._stop("watchpoint", self._watch_text(hit), watch=hit)
            if outcome is None:
                continue
            if isinstance(outcome, Stop):
                return outcome
            if outcome.executed:  # a watchpoint
                hit: WatchHit = outcome.reason
                if scan is not None:
                    scan.append((m.steps, hit))
                    continue
                hit.watch.hits += 1
                return self._stop("watchpoint", self._watch_text(hit), watch=hit)
            stop = self._breakpoint_stop(scan, only)
            if stop is not None:
                return stop
            skip = True  # no breakpoint here wants to stop: run this instruction, go on

    def _break_here(self) -> bool:
        """Whether one of this session's breakpoints is at the instruction the machine runs next."""
        fr = self.machine.frame
        return fr is not None and patches.patched(fr.func, fr.pc, self._switch, "break")

    def _exec(self, n: int, breaks: bool, watches: bool, comp: bool = False) -> Pause | Stop | None:
        m = self.machine
        sw = self._switch
        sw.breaks = breaks
        sw.watches = watches
        m.compiled = comp
        try:
            m.run(max_steps=n)
        except Trap as t:
            return self._trap_stop(t)
        except WasmError as e:  # an embedder error escaping a host function: the call fails here
            m.trap = Trap(f"{type(e).__name__}: {e}")
            return self._trap_stop(m.trap)
        except KeyboardInterrupt:
            sw.breaks = sw.watches = False
            self._recover()
            return self._stop("interrupted", f"interrupted at step {m.steps}")
        finally:
            sw.breaks = sw.watches = False
        if m.finished:
            self._note_end()
            return None
        return m.paused

    def _note_end(self) -> None:
        if self._history is not None:
            self._history.end = self.machine.steps
            self._history.furthest = max(self._history.furthest, self.machine.steps)

    def _recover(self) -> None:
        """After a KeyboardInterrupt inside the machine: rebuild the exact state at its step count."""
        if self._history is not None:
            self._travel(self.machine.steps, force=True)

    def _breakpoint_stop(self, scan: list | None, only: Breakpoint | None = None) -> Stop | None:
        m = self.machine
        fr = m.frame
        assert fr is not None  # (a breakpoint paused a frame)
        hits: list[Breakpoint] = []
        for bp in self._breakpoints.at(fr.func, fr.pc):
            if only is not None and bp is not only:
                continue
            if bp.condition is None:
                hits.append(bp)
                continue
            try:
                ok = bool(bp.condition(self))
            except Exception as e:  # noqa: BLE001 - a user's condition: report it, never crash
                if scan is not None:
                    continue
                return self._stop(
                    "condition-error",
                    f"the condition of breakpoint {bp.id} raised {type(e).__name__}: {e}",
                    breakpoints=(bp,),
                    error=e,
                )
            if ok:
                hits.append(bp)
        if not hits:
            return None
        if scan is not None:
            scan.append((m.steps, tuple(hits)))
            return None
        user = tuple(b for b in hits if b.internal is None)
        for b in user:
            b.hits += 1
        if user:
            names = ", ".join(f"{b.id} at {b.what}" for b in user)
            return self._stop("breakpoint", f"breakpoint {names}", breakpoints=user)
        command = hits[0].internal or "step"
        reason = {"step_over": "stepped over the call", "step_out": "stepped out", "run_to": "reached"}
        text = reason.get(command, command)
        if command == "run_to":
            text = f"reached {hits[0].what}"
        return self._stop("step", text)

    def _trap_stop(self, t: Trap) -> Stop:
        self._note_end()
        if inspection.is_exit(t):
            return self._stop("exit", f"the program exited with status {t.code}", error=t)  # type: ignore[attr-defined]
        if isinstance(t, Exhaustion) and "call stack" in t.kind:
            return self._stop("exhausted", f"trap: {t.kind} (depth limit {self.depth_limit})", error=t)
        return self._stop("trap", f"trap: {t.kind}", error=t)

    def _end_stop(self) -> Stop:
        m = self.machine
        if m.trap is not None:
            return self._trap_stop(m.trap)
        self._note_end()
        return self._stop("returned", f"returned {self.results_text} after {plural(m.steps, 'instruction')}")

    @property
    def results_text(self) -> str:
        """The results as wasm values in text (`[i32:55]`); `[]` before the call returned."""
        m = self.machine
        types = self.func.type.results
        return "[" + ", ".join(TypedValue(t, v).text for t, v in zip(types, m.results or [])) + "]"

    def _stop(self, kind: str, reason: str, **extra: Any) -> Stop:
        lim = self._limiter
        if lim is not None and lim.refusals != self._refusals:  # a grow the store's limits refused
            self._refusals = lim.refusals
            reason = f"{reason}; {lim.refusal}"
        return Stop(kind, reason, self.position, **extra)

    def _watch_text(self, hit: WatchHit) -> str:
        w = hit.watch
        by = f" by host function {hit.by.name}" if hit.by is not None else self._writer_text()
        if w.kind in ("local", "expr"):
            return f"watchpoint {w.id}: {w.what} {hit.old.text} -> {hit.new.text}{by}"
        if w.kind == "global":
            t = hit.target.type.type
            by = f" (by host function {hit.by.name})" if hit.by is not None else by
            return f"watchpoint {w.id}: {w.what} {TypedValue(t, hit.old).text} -> {TypedValue(t, hit.new).text}{by}"
        return f"watchpoint {w.id}: write to [{hit.lo:#x}, {hit.hi:#x}){by} ({hit.old.hex(' ')} -> {hit.new.hex(' ')})"

    def _writer_text(self) -> str:
        """` by i32.store offset=0x10 at line 7 (0x4a)`: the instruction just executed in the
        top frame (the one before its pc), when it is known."""
        fr = self.machine.frame
        if fr is None or fr.pc < 1:
            return ""
        p = self.program
        ins = p.instr(fr.func, fr.pc - 1)
        if ins is None:
            return ""
        line = f" at line {ins.span.line}" if ins.span is not None else ""
        at = p.offset(fr.func, fr.pc - 1)
        off = f" ({at:#x})" if at is not None else ""
        return f" by {p.instr_text(fr.func, fr.pc - 1)}{line}{off}"

    def _watch_value(self, w: Watchpoint) -> Any:
        """A local or expression watch's value now (None: not in scope, or it cannot be evaluated)."""
        m = self.machine
        try:
            if w.kind == "local":
                depth, func, spec = w.target
                frames = m.frames
                if len(frames) < depth or frames[depth - 1].func is not func:
                    return None
                return self._scope(depth - 1).local(spec)
            if m.frame is None:
                return None
            return expr.evaluate(w.target, self._scope(m.depth - 1))
        except WasmError:
            return None

    def _value_hit(self, values: list[Watchpoint], before: list[Any]) -> WatchHit | None:
        hit = None
        for k, w in enumerate(values):
            new = self._watch_value(w)
            old = before[k]
            before[k] = new
            if hit is None and old is not None and new is not None and old != new:
                hit = WatchHit(w, None, 0, 0, old, new)
        return hit

    # --- host calls: recorded once, replayed after -------------------------------------------------

    def _host(self, func: FuncInst, args: list) -> list:
        """Calls (or replays) a host function; when watchpoints are live and it wrote into a
        watched range or global, the machine pauses right after the call."""
        sw = self._switch
        saved = (sw.breaks, sw.watches)
        sw.breaks = sw.watches = False  # a host function calling back into wasm runs plainly
        before = self._watchpoints.snapshot() if saved[1] else None
        try:
            results = self._host_call(func, args)
        finally:
            sw.breaks, sw.watches = saved
        if before:
            hit = self._watchpoints.host_hit(before, func)
            if hit is not None:
                self.machine.host_pause = hit
        return results

    def _host_call(self, func: FuncInst, args: list) -> list:
        """The k-th host call of this run: replayed from history when it was recorded."""
        k = self._host_count
        log = self._history.host if self._history is not None else None
        if log is not None and k < len(log):
            self._host_count = k + 1
            return log[k].replay(func, self._store)
        self.host_calls += 1
        self._host_count = k + 1
        if log is None:
            return call_host(func, args)
        rec = record_host_call(func, args, self._store)
        log.append(rec)
        return rec.outcome(func)

    # --- history: back, goto, reverse_continue --------------------------------------------------------

    def _need_history(self) -> History:
        if self._history is None:
            raise DebugError("history is off for this session (debug(..., history=True) records it)")
        if self._closed:
            raise DebugError("the session is closed")
        return self._history

    def _store_roots(self) -> list[Any]:
        roots: list[Any] = [g.value for g in self._store.globals]
        for t in self._store.tables:
            roots.extend(t.elements)
        for e in self._store.elems:
            roots.extend(e.elements)
        return roots

    def _checkpoint(self) -> None:
        h = self._history
        if h is None:
            return
        m = self.machine
        prev = h.checkpoints[-1] if h.checkpoints else None
        t0 = time.perf_counter()
        cp = Checkpoint(
            m.steps,
            MachineSnap(m, prev.machine if prev else None),
            self._store.capture(prev.store if prev else None),
            self._host_count,
            heap=capture_heap(m, self._store) if self._gc else (),
        )
        t1 = time.perf_counter()
        # keep checkpoints cheap: when taking one costs over 5% of the run since the last one
        # (a big memory, a deep stack), take them less often
        if prev is not None and (t1 - t0) * 20 > t0 - self._clock:
            h.interval *= 2
        self._clock = time.perf_counter()
        h.add(cp)
        h.furthest = max(h.furthest, m.steps)

    def _compiled_checkpoint(self, m: Machine) -> int | None:
        """A checkpoint in the middle of compiled code (the machine shows its state); the
        step of the next one."""
        h = self._history
        if h is None:
            return None
        if h.wants(m.steps) and (not h.steps or m.steps > h.steps[-1]):
            self._checkpoint()
        return h.steps[-1] + h.interval if h.steps else None

    def _restore(self, cp: Checkpoint) -> None:
        cp.machine.restore(self.machine)
        self._store.restore(cp.store)
        restore_heap(cp.heap)
        self._host_count = cp.host_count

    def _travel(self, n: int, force: bool = False) -> None:
        """Put the call in the exact state after `n` instructions (replaying from a checkpoint);
        `force`: rebuild it even if the step count already says `n`."""
        h = self._need_history()
        m = self.machine
        if n == m.steps and m.trap is None and not force:
            return
        if n < h.first_step:
            raise DebugError(
                f"step {n} is before the reachable history (steps {h.first_step} to {max(h.furthest, m.steps)}): "
                f"older checkpoints were dropped to keep it within {h.max_bytes >> 20} MiB "
                "(history_bytes; %limits history_bytes=... raises it)"
            )
        cp = h.nearest(n)
        if force or not (m.steps < n and cp.step <= m.steps and not m.finished):
            self._restore(cp)
        self._forward(n, live=False, use_fuel=False)

    def goto(self, n: int) -> Stop:
        """Go to the state after instruction number `n` (0: before the first one)."""
        n = _count(n, "the step number")
        h = self._need_history()
        if h.end is not None and n > h.end:
            raise DebugError(f"step {n} is beyond the end: the call ended after {h.end} instructions")
        here = self.machine.steps

        def run() -> Stop:
            self._travel(n)
            m = self.machine
            if m.steps != n:
                if not m.finished:
                    return self._stop("interrupted", f"interrupted at step {m.steps} on the way to {n}")
                end = m.steps
                self._travel(here)
                raise DebugError(f"step {n} is beyond the end: the call ended after {end} instructions")
            return self._stop("position", f"went to step {n}")

        return self._move(f"goto({n})", run)

    def back(self, n: int = 1) -> Stop:
        """Go back `n` instructions (to the start at most)."""
        n = _count(n)
        self._need_history()
        here = self.machine.steps
        trapped = self.machine.trap is not None
        if here == 0 and not trapped:
            raise DebugError("already at the start: nothing to go back to")
        # from a trap, the first step back is to the state just before the trapping instruction
        first = self._history.first_step if self._history else 0
        wanted = here - n + (1 if trapped and n else 0)
        target = max(0, first, wanted)
        if target >= here and not trapped:
            raise DebugError(f"the history cannot reach before step {target}: older checkpoints were dropped")
        clamped = f" (the history reaches back to step {first} only)" if first > 0 and wanted < first else ""

        def run() -> Stop:
            self._travel(target)
            if target == 0:
                return self._stop("start", "back at the start")
            if target == here:
                return self._stop("position", "back before the trap")
            return self._stop("position", f"went back {plural(here - target, 'instruction')}{clamped}")

        return self._move(f"back({n})" if n != 1 else "back", run)

    def undo(self) -> Stop:
        """Return to where the last move started."""
        self._need_history()
        if not self._moves:
            raise DebugError("no move to undo")
        start = self._moves[-1].start
        return self._move(
            "undo", lambda: (self._travel(start), self._stop("position", f"back to step {start}"))[1]
        )

    def reverse_continue(self) -> Stop:
        """Go back to the latest earlier point where a breakpoint or watchpoint would have
        stopped (their conditions are evaluated there); to the start when there is none."""
        h = self._need_history()
        here = self.machine.steps
        trapped = self.machine.trap is not None
        if here == 0 and not trapped:
            raise DebugError("already at the start: nothing to go back to")
        # from a trap, a breakpoint at the trapping instruction (step `here`) is earlier
        limit = here + 1 if trapped else here

        def run() -> Stop:
            hi = limit
            armed = any(b.enabled for b in self._breakpoints.all) or any(
                w.enabled for w in self._watchpoints.all
            )
            if not armed:  # nothing could have stopped: no need to search
                self._travel(0)
                return self._stop("start", "back at the start: no breakpoint or watchpoint is set")
            starts = [c for c in h.checkpoints if c.step < limit]
            for cp in reversed(starts):
                if self._interrupt.is_set():
                    self._interrupt.clear()
                    self._travel(here)
                    return self._stop("interrupted", "interrupted while searching backwards")
                found: list = []
                self._restore(cp)
                self._forward(hi, live=True, scan=found, use_fuel=False)
                earlier = [(s, hit) for s, hit in found if s < limit]
                if earlier:
                    step, hit = earlier[-1]
                    self._travel(step)
                    if isinstance(hit, WatchHit):
                        hit.watch.hits += 1
                        return self._stop("watchpoint", self._watch_text(hit), watch=hit)
                    user = tuple(b for b in hit if b.internal is None)
                    names = ", ".join(f"{b.id} at {b.what}" for b in user)
                    return self._stop("breakpoint", f"breakpoint {names} (reversed)", breakpoints=user)
                hi = cp.step
            self._travel(0)
            return self._stop("start", "back at the start: no breakpoint or watchpoint before")

        return self._move("reverse_continue", run)

    # --- breakpoints and watchpoints --------------------------------------------------------------

    def break_at(
        self,
        func: Any = None,
        *,
        at: int | None = None,
        line: int | None = None,
        condition: Condition | str | None = None,
        file: str | None = None,
        id: int | None = None,
    ) -> Breakpoint:
        """A breakpoint at a function's entry (name, `$name`, index), a byte offset (`at=`) or
        every run of instructions on a source line (`line=`, of source `file` when given:
        a notebook cell is `cell[N]`); `condition(session)` or an expression (`"$n == 2"`)
        filters; `id`: its number (the next free one by default)."""
        if file is not None and line is not None and func is None and at is None:
            places = self.program.at_line(line, file)
            what = f"{file}:{line}"
        else:
            places = self.program.place(func, at=at, line=line)
            what = self._describe(places, func, at, line)
        bp = self._breakpoints.add(places, what, condition, number=id)
        if isinstance(condition, str):
            self._compiled_condition(bp, condition)
        return bp

    def _compiled_condition(self, bp: Breakpoint, text: str) -> None:
        """A conditional breakpoint alone at a function's entry, whose condition reads only
        the function's locals: the function keeps running as compiled code, and a call for
        which the condition holds is made by the machine (which stops there). The condition
        is evaluated once per distinct arguments (it is a function of them)."""
        if len(bp.places) != 1 or bp.places[0][1] != 0:
            return
        f = bp.places[0][0]
        if patches.patched_pcs(f) != {0} or len(self._breakpoints.at(f, 0)) != 1:
            return
        inst = f.module if isinstance(f.module, ModuleInst) else self.program.root
        names = self.program.local_names(f)
        zeros = tuple(f.zero_locals)
        memo: dict[tuple, bool] = {}

        def stop(args: tuple) -> bool:
            hit = memo.get(args)
            if hit is None:
                scope = _LocalsOnly(f, args + zeros, names, inst, self.program.global_, 0, 0)
                try:
                    hit = bool(expr.evaluate(text, scope).bits)
                except Exception:  # noqa: BLE001 - the machine asks again and reports it
                    return True
                if scope.other:  # it reads more than the locals: the machine asks, every call
                    return True
                memo[args] = hit
            return hit

        tiers.guard(f, stop)

    def apply(self, specs: Any) -> list[Any]:
        """Bind pending breakpoints (`PendingBreakpoint`s, as a notebook keeps them across
        sessions) to this session; the ones that bind."""
        return [b for spec in specs if (b := spec.bind(self)) is not None]

    def _describe(self, places: list, func: Any, at: Any, line: Any) -> str:
        if isinstance(func, str) and FILE_LINE.match(func):
            return func
        if func is not None:
            if len(places) == 1:
                return self.program.qualified_name(places[0][0])
            return f"{self.program.func_name(places[0][0])} (in {len(places)} instances)"
        if at is not None:
            return f"offset {at:#x}"
        return f"line {line}"

    @property
    def breakpoints(self) -> list[Breakpoint]:
        return self._breakpoints.public

    def enable(self, item: Any) -> None:
        self._find(item).enable()

    def disable(self, item: Any) -> None:
        self._find(item).disable()

    def delete(self, item: Any) -> None:
        self._find(item).delete()

    def _find(self, item: Any) -> Breakpoint | Watchpoint:
        if isinstance(item, Watchpoint):
            return self._watchpoints.find(item)
        return self._breakpoints.find(item)

    def clear_breakpoints(self) -> None:
        for b in self._breakpoints.public:
            b.delete()

    def watch_memory(self, addr: int, size: int = 1, memory: int = 0) -> Watchpoint:
        """Stop after any instruction writes into [addr, addr + size) of memory `memory`, or
        after a call of a host function (WASI's `fd_read`, say) that changed those bytes."""
        mem = self.program.memory(memory)
        return (
            self._watchpoints.add_memory(
                mem, addr, size, f"memory {memory} at {addr:#x} ({plural(size, 'byte')})"
            )
            if isinstance(addr, int) and not isinstance(addr, bool) and addr >= 0
            else self._watchpoints.add_memory(mem, addr, size, f"memory {memory} at {addr!r}")
        )

    def watch_global(self, name: Any) -> Watchpoint:
        """Stop after any `global.set` of a global (index, export name or `$name`), or after a
        call of a host function that changed it."""
        i, g = self.program.global_(name)
        return self._watchpoints.add_global(g, f"global {self.program.global_text(g, name)}")

    def watch_local(self, name: Any, frame: int | None = None) -> Watchpoint:
        """Stop after an instruction changes local `name` (`$i`, or an index) of a frame (the
        selected one): per frame, as gdb's `watch` on a local; out of scope once it returns."""
        k = self._frame_index(frame)
        fr = self.machine.frames[k]
        value = self._scope(k).local(name)  # checks the local exists
        del value
        spec = int(name) if isinstance(name, int) or str(name).isdigit() else str(name)
        label = spec if isinstance(spec, int) else ("$" + spec.lstrip("$"))
        what = f"local {label} of #{k} {self.program.func_name(fr.func)}"
        return self._watchpoints.add_value((k + 1, fr.func, spec), what)

    def watch_expr(self, text: str) -> Watchpoint:
        """Stop after an instruction changes the value of an expression (see `eval`),
        evaluated in the top frame after every instruction (a slower run)."""
        if self.machine.frame is not None:
            self.eval(text, frame=self.machine.depth - 1)  # reports a mistake now
        else:
            expr.tokens(text)
        return self._watchpoints.add_value(str(text).strip(), f"expr {str(text).strip()}")

    @property
    def watchpoints(self) -> list[Watchpoint]:
        return list(self._watchpoints.all)

    # --- expressions and the selected frame ------------------------------------------------------

    def _frame_index(self, frame: int | None) -> int:
        m = self.machine
        n = m.depth
        if n == 0:
            raise DebugError("no frame: the call has returned" if m.finished else "no frame (a host call)")
        k = self._selected if frame is None else frame
        if k is None:
            return n - 1
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < n:
            raise DebugError(f"no frame {k!r}: frames are #0 (outermost) to #{n - 1} (innermost)")
        return k

    def _scope(self, k: int | None) -> expr.Scope:
        m = self.machine
        if k is None or m.depth == 0:
            return expr.Scope(None, (), [], self.program.root, self.program.global_, m.steps, m.depth)
        fr = m.frames[k]
        inst = fr.func.module if isinstance(fr.func.module, ModuleInst) else self.program.root
        names = self.program.local_names(fr.func)
        return expr.Scope(fr.func, fr.locals, names, inst, self.program.global_, m.steps, m.depth)

    def eval(self, text: str, frame: int | None = None) -> TypedValue:
        """The value of an expression in a frame (the selected one): WAT without side effects
        (`(i32.add (local.get $i) (i32.const 4))`, `i32.load 0x120`, `global.get $g`) or the
        debugger's expression language (`$i`, `global $g`, `$i + 4 > 10`, `i32.load($p)`).
        Only reads: a bad load is a DebugError, never a trap of the call."""
        k = self._frame_index(frame) if self.machine.depth else None
        if k is not None and "$" not in text and self._source_frame(k):
            try:  # compiled C (-g): a C expression over the frame's variables
                return frame_eval(self.program.source, self.machine, k, text)
            except CExprError as c_error:
                try:
                    return expr.evaluate(text, self._scope(k))
                except WasmError:
                    raise c_error from None
        return expr.evaluate(text, self._scope(k))

    def _source_frame(self, k: int) -> bool:
        """Whether frame `k` is at an instruction with a C source line."""
        smap = self.program.source
        if not smap.available:
            return False
        fr = self.machine.frames[k]
        return smap.position(fr.func, fr.pc) is not None

    def select_frame(self, n: int) -> Any:
        """Select frame `n` (as `frames` numbers them: #0 the outermost) for `eval`, `locals`,
        `set_local`, `selected_frame`; any move selects the innermost frame again."""
        self._selected = self._frame_index(n)
        return self.selected_frame

    def up(self, n: int = 1) -> Any:
        """Select the frame `n` calls out (towards the caller), as gdb's `up`."""
        k = self._frame_index(None) - _count(n)
        if k < 0:
            raise DebugError("already at the outermost frame (#0)" if n == 1 else f"no frame {k}")
        return self.select_frame(k)

    def down(self, n: int = 1) -> Any:
        """Select the frame `n` calls in (towards the innermost), as gdb's `down`."""
        k = self._frame_index(None) + _count(n)
        if k >= self.machine.depth:
            raise DebugError(f"already at the innermost frame (#{self.machine.depth - 1})")
        return self.select_frame(k)

    @property
    def selected_frame(self) -> Any:
        """The selected frame's view (a `FrameView`; the innermost one unless `select_frame`)."""
        if not self.machine.depth:
            return None
        return self.frames[self._frame_index(None)]

    @property
    def selected_index(self) -> int | None:
        return self._frame_index(None) if self.machine.depth else None

    # --- edits: set var ------------------------------------------------------------------------

    def _need_paused(self) -> None:
        if self._closed:
            raise DebugError("the session is closed")
        m = self.machine
        if m.finished:
            raise DebugError("the call has ended: there is nothing to change")

    def _coerce(self, value: Any, t: Any, k: int | None) -> Any:
        """A value for a slot of type `t`: a TypedValue, a Python number, or text (an
        expression, evaluated in frame `k`)."""
        from ..api import to_wasm

        if isinstance(value, str):
            value = expr.evaluate(value, self._scope(k))
        if isinstance(value, TypedValue):
            if value.type is t:
                return value.bits
            if value.type in (ValType.I32, ValType.I64, ValType.F32, ValType.F64):
                value = value.value
            else:
                raise DebugError(f"cannot store {value.text} in a {t.text}")
        if t in (ValType.I32, ValType.I64) and isinstance(value, int) and not isinstance(value, bool):
            return value & ((1 << (32 if t is ValType.I32 else 64)) - 1)
        if (
            t in (ValType.F32, ValType.F64)
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            return to_wasm(float(value), t)
        try:
            return to_wasm(value, t)
        except (WasmError, TypeError, ValueError) as e:
            raise DebugError(f"cannot store {value!r} in a {t.text}: {e}") from None

    def _edit_machine(self, stack: list | None = None, frame: tuple[int, list] | None = None) -> None:
        m = self.machine
        snap = MachineSnap(m, None)
        frames = list(snap.frames)
        if frame is not None:
            k, locals_ = frame
            f, pc, _, base = frames[k]
            frames[k] = (f, pc, tuple(locals_), base)
        m.restore(
            stack=list(snap.stack) if stack is None else stack,
            frames=frames,
            steps=snap.steps,
            results=snap.results,
            trap=snap.trap,
            host_entry=snap.host_entry,
        )

    def _record_edit(self, what: str) -> None:
        """History: the state from this step on is the edited one; the recorded future after
        it is forgotten; going back before it undoes the edit, a replay through it redoes it."""
        h = self._history
        m = self.machine
        if h is not None:
            h.truncate(m.steps, self._host_count)
            prev = h.checkpoints[-1] if h.checkpoints else None
            cp = Checkpoint(
                m.steps,
                MachineSnap(m, prev.machine if prev else None),
                self._store.capture(prev.store if prev else None),
                self._host_count,
                edit=True,
                heap=capture_heap(m, self._store) if self._gc else (),
            )
            h.add(cp)
            self._clock = time.perf_counter()
        self._moves.append(Move(f"set {what}", m.steps, m.steps, "edit"))

    def set_local(self, name: Any, value: Any, frame: int | None = None) -> TypedValue:
        """Set local `name` (`$i` or an index) of a frame (the selected one) while paused; the
        history records the edit (see `_record_edit`). The new value, typed."""
        self._need_paused()
        k = self._frame_index(frame)
        fr = self.machine.frames[k]
        names = self.program.local_names(fr.func)
        if isinstance(name, int) and not isinstance(name, bool):
            i = name
            if not 0 <= i < len(names):
                raise DebugError(f"no local {i}: {self.program.func_name(fr.func)} has {len(names)} locals")
        else:
            label = "$" + str(name).lstrip("$")
            if str(name).lstrip("$").isdigit() and label not in names:
                i = int(str(name).lstrip("$"))
                if not 0 <= i < len(names):
                    raise DebugError(f"no local {i}")
            elif label in names:
                i = names.index(label)
            else:
                self._scope(k).local(label)  # raises: unknown local, with the known ones
                raise AssertionError
        t = fr.func.local_types[i]
        bits = self._coerce(value, t, k)
        locals_ = list(fr.locals)
        locals_[i] = bits
        self._edit_machine(frame=(k, locals_))
        self._record_edit(f"local {name}")
        return TypedValue(t, bits)

    def set_global(self, name: Any, value: Any) -> TypedValue:
        """Set a mutable global (index, `$name`, export name) of the current instance."""
        self._need_paused()
        k = self._frame_index(None) if self.machine.depth else None
        inst = self.instance
        _, g = self.program.global_(name, inst if inst is not self.program.root else None)
        if not g.type.mutable:
            raise DebugError(f"global {self.program.global_text(g, name)} is immutable")
        bits = self._coerce(value, g.type.type, k)
        g.value = bits
        self._record_edit(f"global {name}")
        return TypedValue(g.type.type, bits)

    def set_stack(self, index: int, value: Any) -> TypedValue:
        """Set the value-stack slot `index` (0: the top, as `stack` lists them top first)."""
        self._need_paused()
        values = list(self.stack)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(values):
            raise DebugError(f"no stack slot {index!r}: the stack holds {plural(len(values), 'value')}")
        slot = len(values) - 1 - index
        tv = values[slot]
        if tv.type is None:
            raise DebugError(f"the type of stack slot {index} is unknown")
        k = self._frame_index(None) if self.machine.depth else None
        bits = self._coerce(value, tv.type, k)
        raw = list(self.machine.stack)
        raw[slot] = bits
        self._edit_machine(stack=raw)
        self._record_edit(f"stack {index}")
        return TypedValue(tv.type, bits)

    def write_memory(
        self, addr: int, data: Any, memory: int = 0, instance: Any = None, type: Any = None
    ) -> bytes:
        """Write bytes (or a typed value: a TypedValue, or a number with `type` "i32"...) at
        `addr` of memory `memory` (of the current instance, or `instance`). The bytes written."""
        self._need_paused()
        mem = self._memory_inst(memory, instance)
        if isinstance(data, TypedValue):
            raw = _value_bytes(data)
        elif isinstance(data, (bytes, bytearray, list)):
            raw = bytes(data)
        elif type is not None:
            t = ValType.from_text(type) if isinstance(type, str) else type
            if not isinstance(t, ValType):
                raise DebugError(f"unknown value type {type!r}: give i32, i64, f32, f64 or v128")
            raw = _value_bytes(TypedValue(t, self._coerce(data, t, None)))
        else:
            raise DebugError(f"give bytes or a typed value to write, not {data!r}")
        if isinstance(addr, bool) or not isinstance(addr, int) or addr < 0 or addr + len(raw) > len(mem.data):
            raise DebugError(
                f"cannot write {plural(len(raw), 'byte')} at {addr:#x}: memory {memory} has {len(mem.data):#x} bytes"
                if isinstance(addr, int)
                else f"an address must be an int, not {addr!r}"
            )
        mem.data[addr : addr + len(raw)] = raw
        self._record_edit(f"memory {addr:#x}")
        return raw

    # --- reverse moves by instruction, over calls, out of the frame -----------------------------

    def _search_back(
        self, want: Callable[[Machine], bool], limit: int, depth: int | None = None
    ) -> int | None:
        """The latest step s < `limit` whose state (after s instructions) satisfies `want`;
        `depth`: `want` holds only `depth` frames deep or less (the calls made from there
        are run through at full speed instead of one instruction at a time)."""
        h = self._need_history()
        hi = limit
        for cp in reversed([c for c in h.checkpoints if c.step < limit]):
            if self._interrupt.is_set():
                return None
            self._restore(cp)
            m = self.machine
            found = cp.step if want(m) else None
            while m.steps + 1 < hi and not m.finished:
                if depth is not None and m.depth > depth >= 1:
                    self._out_to(depth, hi - 1)
                else:
                    self._forward(m.steps + 1, live=False, use_fuel=False)
                if want(m):
                    found = m.steps
            if found is not None:
                return found
            hi = cp.step
        return None

    def _out_to(self, depth: int, limit: int) -> None:
        """Run (no breakpoint or watchpoint stops it) until the call is `depth` frames deep
        again, or until step `limit`: a search's way through a call it need not look into."""
        fr = self.machine.frames[depth - 1]  # its pc is where the call it makes returns to
        bp = self._breakpoints.add(
            [(fr.func, fr.pc)], "search", lambda s: s.machine.depth <= depth, internal="search"
        )
        try:
            self._forward(limit, live=True, use_fuel=False, only=bp)
        finally:
            bp.delete()

    def reverse_step(self) -> Stop:
        """One instruction back (gdb's `reverse-stepi`; the same as `back(1)`)."""
        return self.back(1)

    def reverse_next(self) -> Stop:
        """Back to the previous instruction of the current frame, over calls made since
        (gdb's `reverse-nexti`); at a function's first instruction, to its caller's call."""
        self._need_history()
        m = self.machine
        here = m.steps
        if here == 0 and m.trap is None:
            raise DebugError("already at the start: nothing to go back to")
        if m.trap is not None or m.results is not None or m.depth == 0:
            return self.back(1)  # from the end: the last instruction
        depth = m.depth

        def run() -> Stop:
            s = self._search_back(lambda mm: mm.depth <= depth, here, depth)
            if s is None:
                self._travel(here)
                return self._stop("interrupted", "interrupted while searching backwards")
            return self._back_to(s, here)

        return self._move("reverse_next", run)

    def reverse_finish(self) -> Stop:
        """Back to the call instruction that made the current frame (gdb's `reverse-finish`)."""
        self._need_history()
        m = self.machine
        here = m.steps
        depth = m.depth
        if depth == 0:
            raise DebugError("no frame: the call has ended (back() or goto(n) go back into it)")
        if depth <= 1:
            raise DebugError("the outermost frame: no call made it (goto(0) goes to the start)")
        callee = self.program.func_name(m.frames[-1].func)

        def run() -> Stop:
            s = self._search_back(lambda mm: mm.depth < depth, here, depth - 1)
            if s is None:
                self._travel(here)
                return self._stop("interrupted", "interrupted while searching backwards")
            self._travel(s)
            return self._stop("position", f"back at the call of {callee}")

        return self._move("reverse_finish", run)

    def _back_to(self, step: int, here: int) -> Stop:
        self._travel(step)
        if step == 0:
            return self._stop("start", "back at the start")
        return self._stop("position", f"went back {plural(here - step, 'instruction')}")

    def _memory_inst(self, index: int, instance: Any = None) -> Any:
        inst = self.instance if instance is None else self._instance_named(instance)
        return self.program.memory(index, inst)

    def _instance_named(self, name: Any) -> ModuleInst:
        if isinstance(name, ModuleInst):
            return name
        inner = getattr(name, "inst", None)
        if isinstance(inner, ModuleInst):
            return inner
        p = self.program
        for inst in p.instances:
            labels = {p.instance_name(inst), p.nested_path(inst), inst.name, inst.module.id}
            labels |= {x.lstrip("$") for x in labels if isinstance(x, str)}
            if name in labels or (isinstance(name, str) and name.lstrip("$") in labels):
                return inst
        known = ", ".join(p.instance_name(i) for i in p.instances)
        raise DebugError(f"no instance {name!r} in this session; instances: {known}")

    # --- views (built by wasmlab.debug.inspection) -----------------------------------------------

    # --- the source level (a module compiled with -g: DWARF) --------------------------------------

    @property
    def source_position(self) -> SourcePos | None:
        """The C source position of the current instruction (None without DWARF, or where
        the compiler gave no line)."""
        fr = self.machine.frame
        return None if fr is None else self.program.source.position(fr.func, fr.pc)

    def frame_source_position(self, frame: int) -> SourcePos | None:
        """The C source position of frame `frame` (0: the outermost, as `frames` numbers
        them): where the call it makes is, or the current instruction for the innermost;
        None without DWARF, where the compiler gave no line, or for no such frame."""
        fs = self.machine.frames
        if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < len(fs):
            return None
        fr = fs[frame]
        return self.program.source.position(fr.func, fr.pc)

    def source_text(self, file: str) -> list[str] | None:
        """The lines of C source `file` (as `SourcePos.file` names it), read from its path
        or by name from `source_dirs`; None when it is nowhere."""
        return self.program.source.source_text(file) if self.program.source.available else None

    @property
    def variables(self) -> list[SourceVariable]:
        """The C variables in scope in the selected frame, innermost first: type, value and
        where each lives (a wasm local, memory at frame base + k, a global, a stack slot)."""
        m = self.machine
        if m.frame is None or not self.program.source.available:
            return []
        return frame_variables(self.program.source, m, self._frame_index(None))

    @property
    def source_frames(self) -> list[SourceFrame]:
        """The C call stack, outermost first (`SourceFrame`s): a frame per wasm frame, and
        where the compiler inlined a function (-O2), a frame per inlined call too, with its
        own variables; a caller's position is the line of its call. Empty without DWARF."""
        m = self.machine
        if m.frame is None or not self.program.source.available:
            return []
        return source_frames(self.program.source, m)

    def eval_c(self, text: str, frame: int | None = None) -> CValue:
        """A C expression in a frame (the selected one): `frac->num * 2`, `arr[3]`, `*p`."""
        return frame_eval(self.program.source, self.machine, self._frame_index(frame), text)

    def source_listing(self, context: int = 3) -> Listing | None:
        """The C source around the current line (`context` lines each side) and the wasm
        instructions of that line; None where there is no line. Sources are read from the
        path the compiler recorded, else by name from `source_dirs`."""
        fr = self.machine.frame
        listing = None if fr is None else self.program.source.listing(fr.func, fr.pc, context)
        if listing is None or fr is None:
            return None
        texts = tuple(self.program.instr_text(fr.func, pc) for pc in listing.pcs)
        return dataclasses.replace(listing, instrs=texts, pc=fr.pc)

    @property
    def source_dirs(self) -> list[str]:
        """Folders where C sources are looked for when their recorded path is not there (a module
        read from a file starts with its folder; append more)."""
        return self.program.source.search

    def next_line(self) -> Stop:
        """Run to the next C source line of this function, over calls (gdb's `next`)."""
        return self._line_move("next_line", into=False)

    def finish(self) -> Stop:
        """Run until the current function returns (gdb's `finish`): the stop is in the caller
        just after the call, in the middle of the caller's line; for a C function (DWARF) the
        reason says the value it returned, typed (`value returned: long 120`)."""
        smap = self.program.source
        m = self.machine
        fr = m.frame
        fn = None
        if fr is not None and smap.available and smap.info is not None:
            a = smap.address(fr.func, fr.pc)
            fn = smap.info.function_at(a) if a is not None else None
        depth = m.depth
        stop = self.step_out()
        if fn is None or m.depth != depth - 1 or m.frame is None:
            return stop
        value = returned_value(smap, m, fn)
        pos = self.source_position
        reason = f"run till exit from {fn.name}" + (
            f"; back in {self.position.function} at {pos}" if pos else ""
        )
        if value is not None:
            reason += f"; value returned: {value.type.spelling} {value.text}"
        return dataclasses.replace(stop, reason=reason)

    def step_line(self) -> Stop:
        """Run to the next C source line, into a called function that has one (gdb's `step`)."""
        return self._line_move("step_line", into=True)

    def back_line(self) -> Stop:
        """Back to the start of a C source line, over calls (gdb's `reverse-next`): from the
        middle of a line (e.g. just back from a call: `next_line` stops there), to the start
        of that line; from the start of a line, to the start of the previous line run in this
        frame; from a function's first line, to the start of the caller's line. Undoes
        `next_line` moves that stay in their frame."""
        self._need_history()
        smap = self.program.source
        m = self.machine
        fr = m.frame
        if fr is None or not smap.available:
            raise DebugError("no source lines here: the module has no DWARF debug information (-g)")
        here = m.steps

        def key(mm: Machine) -> tuple[str, int] | None:
            f = mm.frame
            pos = smap.statement(f.func, f.pc) if f is not None else None
            return (pos.file, pos.line) if pos is not None else None

        def run_start(step: int) -> int:
            """The step where the line run holding state `step` began (in its frame; the
            instructions of functions it called are part of the run)."""
            self._travel(step)
            line, d = key(self.machine), self.machine.depth
            # (instructions without a line, line 0, belong to the run around them, as
            # `next_line` runs through them)
            before = self._search_back(lambda mm: mm.depth <= d and key(mm) not in (None, line), step, d)
            self._travel(before if before is not None else 0)
            mm = self.machine
            while (mm.depth > d or key(mm) != line) and mm.steps < step:
                self._forward(mm.steps + 1, live=False, use_fuel=False)
            # past a `loop` or `block` that opens the line, as `next_line` and breakpoints stop
            while (
                mm.steps < step
                and mm.frame is not None
                and mm.frame.pc != past_labels(mm.frame.func, mm.frame.pc)
            ):
                self._forward(mm.steps + 1, live=False, use_fuel=False)
            return mm.steps

        def run() -> Stop:
            start = run_start(here)
            if start == here:  # at a line's start: the previous line run in this frame or a caller
                line, depth = key(m), m.depth
                prev = self._search_back(
                    lambda mm: mm.depth <= depth and key(mm) not in (None, line), here, depth
                )
                if prev is None:
                    self._travel(here)
                    return self._stop("start", "no earlier source line in this frame")
                start = run_start(prev)
            self._travel(start)
            pos = self.source_position
            return self._stop("position", f"back to {pos}" if pos is not None else "back a line")

        return self._move("back_line", run)

    def _line_move(self, command: str, into: bool) -> Stop:
        self._need_running()
        smap = self.program.source
        m = self.machine
        fr = m.frame
        if fr is None or not smap.available:
            raise DebugError("no source lines here: the module has no DWARF debug information (-g)")
        here = smap.statement(fr.func, fr.pc)
        start = (here.file, here.line) if here is not None else None
        depth = m.depth
        places = [(fr.func, pc) for pc in smap.line_starts(fr.func) if pc != fr.pc]
        if m.depth > 1:
            caller = m.frames[-2]
            places.append((caller.func, caller.pc))  # back in the caller (gdb stops there)
        if into:  # the body of any function with lines (past its prologue)
            for f in self.program.functions():
                if f.module is smap.inst and (pc := smap.entry_pc(f)) is not None:
                    places.append((f, pc))

        def new_line(s: Session) -> bool:
            fr = s.machine.frame
            if fr is None:
                return True
            pos = smap.statement(fr.func, fr.pc)
            d = s.machine.depth
            if pos is None:
                return False
            if d > depth:
                return into
            return d < depth or (pos.file, pos.line) != start

        return self._with_internal(command, places, new_line)

    @property
    def position(self) -> Position:
        """Where the call is: step count, function, pc, instruction, byte offset, source span."""
        return inspection.position(self)

    @property
    def function(self) -> FuncInst | None:
        """The function the top frame runs (None with no frame: returned, or a host function
        called directly)."""
        fr = self.machine.frame
        return fr.func if fr is not None else None

    @property
    def instance(self) -> ModuleInst:
        """The instance the top frame runs in (module linking: a nested instance while paused
        inside it); the debugged instance when there is no frame."""
        return self.program.current_instance(self.machine)

    @property
    def stack(self) -> StackView:
        return inspection.stack(self)

    @property
    def frames(self) -> FramesView:
        return inspection.frames(self)

    @property
    def globals(self) -> GlobalsView:
        return inspection.globals_view(self)

    def memory(self, index: int = 0, instance: Any = None) -> MemoryView:
        """Memory `index` of the instance the current frame runs in (module linking: a nested
        instance's own memory while paused inside it), or of `instance` (a name, `$name`, an
        instance) among the instances the session knows."""
        inst = self.instance if instance is None else self._instance_named(instance)
        return MemoryView(index, self.program.memory(index, inst), self.program.nested_path(inst))

    def heap(self, max_elements: int = 8, max_objects: int = 200) -> Any:
        """The GC objects reachable from the selected frame's locals, the value stack and the
        globals (a `HeapView`: `.graph()` draws it; the last move's allocations and writes are
        highlighted). Going back shows the heap as it was then."""
        from .heap import heap_view

        return heap_view(self, max_elements, max_objects)

    @property
    def changes(self) -> Changes:
        """What the last move changed: memory ranges, memory sizes, globals, top-frame locals, stack."""
        return inspection.changes(self, self._baseline)

    @property
    def history(self) -> HistoryView:
        return inspection.history_view(self)

    # --- tracing ---------------------------------------------------------------------------------------

    def trace(self, limit: int | None = None) -> Iterator[Any]:
        """Execute one instruction at a time, yielding a `TraceRecord` for each (breakpoints and
        watchpoints do not stop a trace); at most `limit` records."""
        from .trace import trace_session

        return trace_session(self, limit)

    def __repr__(self) -> str:
        return f"<Session {self.name}: {self.position!r}>"

    def _repr_html_(self) -> str:
        return f"<b>Session {self.name}</b>: {self.position._repr_html_()}"


class _LocalsOnly(expr.Scope):
    """A scope that notes whether an expression read anything besides the locals."""

    other = False

    def global_(self, spec: str | int) -> TypedValue:
        self.other = True
        return super().global_(spec)

    def load(self, name: str, addr: int, offset: int = 0, mem: int = 0) -> TypedValue:
        self.other = True
        return super().load(name, addr, offset, mem)

    def memory(self, i: int) -> Any:
        self.other = True
        return super().memory(i)

    @property
    def step(self) -> int:  # type: ignore[override]
        self.other = True
        return self._step

    @step.setter
    def step(self, v: int) -> None:
        self._step = v

    @property
    def depth(self) -> int:  # type: ignore[override]
        self.other = True
        return self._depth

    @depth.setter
    def depth(self, v: int) -> None:
        self._depth = v


def _value_bytes(v: TypedValue) -> bytes:
    import struct

    t = v.type
    if t is ValType.I32:
        return (v.bits & 0xFFFFFFFF).to_bytes(4, "little")
    if t is ValType.I64:
        return (v.bits & (1 << 64) - 1).to_bytes(8, "little")
    if t is ValType.F32:
        return struct.pack("<f", v.bits)
    if t is ValType.F64:
        return struct.pack("<d", v.bits)
    if t is ValType.V128:
        return v.bits.to_bytes(16, "little")
    raise DebugError(f"cannot write {v.text} to memory")


def _unwrap_instance(instance: Any) -> tuple[ModuleInst, Any, int | None]:
    if isinstance(instance, ModuleInst):
        return instance, None, None
    inner = getattr(instance, "inst", None)
    if isinstance(inner, ModuleInst):
        return inner, getattr(instance, "store", None), getattr(instance, "fuel", None)
    raise DebugError(f"cannot debug a {type(instance).__name__}: give an instance (wasmlab.load(...))")
