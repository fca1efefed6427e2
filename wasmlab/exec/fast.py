"""The compiled tier: wasm functions as Python functions, with the machine's exact state
whenever they stop.

`ensure(f)` gives a function instance its compiled form (`f.compiled`), translating its
body once per module (`exec.translate`; the code object is kept with the body's side
table, shared by every instance) and binding it to the instance's namespace: the
memories, tables, globals and functions of that instance, by index. A compiled function
is called `f(*params, d)` (`d`: how many further wasm frames it may push) and returns
its result (None when it has none, a tuple when it has several).

Functions the translator does not handle keep running on the machine: their `compiled`
form runs a machine of their own (`NESTED[0]`, set by `exec.machine`), and `translated`
is False so that the machine runs them in its own frames when it calls them itself.
Host functions' compiled form calls the current host hook (`HOOK[0]`).

Two forms of each translated body: `f.compiled` checks the budget (`LIM`: fuel, a step
bound, an interrupt; `CK`: a checkpoint history wants) at every entry and loop head, with
`b`, what its compiled callers may still run before they look; `f.free` (`ensure_free`)
checks only the depth at entry (and `LIM` every LOOK instructions of a loop), for runs
without a bound or a checkpoint. The free forms live in a namespace of their own per
instance; `interrupt()` replaces every function in those namespaces with one that leaves
for the machine before the call, so recursion without loops stops too.

Profiled compiling (see DEFER): in plain run mode a long body's first calls run on the
machine, which notes the regions they reach; the body is compiled without the others (a
region cut out runs, when reached, on a machine of its own: `_cold`), and a loop that runs
hot on the machine goes on as compiled code from its head (`ensure_entry`).

Leaving compiled code (`Deopt`): a trap, an exception, a too-deep call or a host
function's failure raises `Deopt`; each compiled frame it passes adds itself (function,
pc, locals, operand stack) and the instructions it ran to the machine's counter `X`
(`fuse.EXTRA`); the machine rebuilds its activations from the frames and goes on from
there (`pending`: the trap or exception to deliver at that point, when the instruction
that failed must not run again, as a host call). A body's one `except` hands what it
caught to `_trap`, which finds the trap or call site by the line that raised (`TRAPS`,
`CALLS`; `SITES` for checkpoints taken deeper): their expressions are compiled the first
time one is needed, and the machine's handlers of a function (`compile_function`) are made
only when a frame of it runs on the machine, so a cold start pays for little more than
translating and compiling the bodies that run.
"""

from __future__ import annotations

import hashlib
import operator
import os
import struct
import sys
import types
import weakref
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import Thrown, Trap, WasmError
from . import numerics as N
from .compile import loop_heads, prepare, profiling_code, region_starts
from .fuse import EXTRA
from .translate import translate

if TYPE_CHECKING:
    from .runtime import FuncInst, ModuleInst

#: how many nested Python calls compiled code makes before it hands the deeper calls to
#: the machine's explicit frames (kept well below Python's recursion limit)
PYTHON_DEPTH = 200

#: the tier: "auto" (compiled code in run mode), "fast" (the same, and never the fused
#: handlers' superinstructions where compiled code cannot run), "machine" (never compiled)
TIER = os.environ.get("WASMLAB_TIER", "auto").strip().lower() or "auto"
if TIER not in ("auto", "fast", "machine"):
    TIER = "auto"

#: the host hook compiled code calls host functions through (the running machine's)
HOOK: list[Callable[[Any, list], list] | None] = [None]
#: `NESTED[0](f)`: the compiled form of a function the translator keeps on the machine
NESTED: list[Callable[[Any], Callable[..., Any]] | None] = [None]

#: the machine's counter (`X`, fuse.EXTRA) may not pass LIM[0]: compiled code looks at it on
#: entry, at loop heads and after calls, and leaves for the machine before it could
LIM: list[int] = [1 << 62]
#: set by an interrupt (a debugger's stop button): LIM is kept below every count
STOP: list[bool] = [False]
UNLIMITED = 1 << 62


#: the counter's value at which the running machine wants a checkpoint (its history's)
CK: list[int] = [UNLIMITED]
#: the machine whose compiled code runs now (its `compiled_checkpoint` takes checkpoints)
CTX: list[Any] = [None]
#: code object of a compiled body -> its call sites by line (see Translation.sites): the
#: expression's text until a checkpoint first needs it, then its code (see `_site`)
SITES: dict[types.CodeType, dict[int, tuple[int, Any]]] = {}
#: code object of a compiled body -> its trap sites by line (see Translation.traps), the same way
TRAPS: dict[types.CodeType, dict[int, tuple[int, Any]]] = {}
#: code object of a compiled body -> its call sites by line (see Translation.calls), the same way
CALLS: dict[types.CodeType, dict[int, tuple[int, Any]]] = {}
#: how far a loop runs before it looks at LIM and CK again
LOOK = 65536

#: set by a machine in plain run mode (no bound, no checkpoints, no debugger): a wasm body
#: of at least DEFER_MIN instructions runs its first PROFILED_CALLS calls on the machine,
#: which notes the regions they reach (`Layout.coverage`); the body is then
#: compiled without the others (`COLD`: the code leaves for the machine where one starts),
#: and a loop of those calls that runs HOT_AFTER times goes on as compiled code (a form
#: of the body that starts at the loop's head, `ensure_entry`)
DEFER: list[bool] = [False]
DEFER_MIN = 500
#: bodies at least this long are compiled without their cold regions
CUT_MIN = 500
#: how many first calls of such a body run on the machine
PROFILED_CALLS = 3
HOT_AFTER = 200
#: compiled code that reached a region it was made without COLD_AGAIN times (or any such
#: regions COLD_SOME times) is made again with what profiling saw since, after COLD_LIMIT
#: arrivals the whole body
COLD_AGAIN = 2
COLD_SOME = 4
COLD_LIMIT = 8
#: `RUN[0](f, args)`: a call of `f` on a machine of its own, in run mode (set by exec.machine)
RUN: list[Callable[[Any, tuple], Any] | None] = [None]
#: `RESUME[0](f, pc, locals, stack, d)`: the rest of a call of `f` on a machine of its own
RESUME: list[Callable[..., Any] | None] = [None]


class LoopHot(Exception):  # noqa: N818 - a control transfer, not an error
    """A loop of a call running on the machine ran hot: the machine goes on from its head as
    compiled code (`ensure_entry`). `counter`: the loop's (reset when it cannot)."""

    def __init__(self, counter: list[int]) -> None:
        super().__init__()
        self.counter = counter


def _hot(counter: list[int]) -> None:
    if DEFER[0]:
        raise LoopHot(counter)
    counter[0] = 0


#: the instances with free forms (their namespaces are what an interrupt changes)
_FREE: weakref.WeakSet[Any] = weakref.WeakSet()
#: what an interrupt took out of them: (namespace, name, the function it took)
_TAKEN: list[tuple[dict[str, Any], str, Any]] = []


def _stopped(*args: Any) -> Any:
    """Stands for every function in the free forms' namespaces while an interrupt is on."""
    raise Deopt(None, at_call=True)


def interrupt() -> None:
    """Make running compiled code leave for its machine soon: at a loop head (`LIM`) or a
    call. The forms with budget checks look at `LIM` at each entry; the free forms do not,
    so every function they call by name is replaced with one that leaves before the call."""
    STOP[0] = True
    LIM[0] = -UNLIMITED
    for inst in list(_FREE):
        ns = inst.fast_ns_free
        for name, fn in list(ns.items()):
            if name[0] == "F" and name[1:].isdigit() and fn is not _stopped:
                _TAKEN.append((ns, name, fn))
                ns[name] = _stopped


def clear_interrupt() -> None:
    STOP[0] = False
    LIM[0] = UNLIMITED
    while _TAKEN:
        ns, name, fn = _TAKEN.pop()
        if ns.get(name) is _stopped:  # (not replaced since: a breakpoint's block, say)
            ns[name] = fn


#: (function index, free form, digest of its source) -> its code object: a module parsed again reuses it
_SOURCES: dict[tuple[int, bytes], types.CodeType] = {}

#: what happened to each function translated so far: "compiled" or the reason it was kept
STATS: Counter[str] = Counter()


def stats() -> dict[str, int]:
    """How many function bodies were compiled, and how many were kept on the machine, by reason."""
    return dict(STATS)


class Deopt(Exception):  # noqa: N818 - a control transfer, not an error
    """Compiled code hands over to the machine. `frames`: (func, pc, locals, operand stack),
    innermost first; `pending`: a trap or exception to deliver there instead of running the
    top frame's instruction; `at_call`: the innermost compiled frame must stay before its
    call instruction (a host call failed, or the call would be too deep)."""

    def __init__(self, pending: WasmError | None = None, at_call: bool = False) -> None:
        super().__init__()
        self.frames: list[tuple[Any, int, list, list]] = []
        self.pending = pending
        self.at_call = at_call

    def caller(self, fi: Any, pc: int, n: int, L: Any, below: tuple, operands: tuple) -> None:
        """A compiled caller at its call instruction `pc` adds its frame (`n`: instructions it ran
        before that call)."""
        L = _locals(fi, L)
        if self.at_call:
            self.at_call = False
            EXTRA[0] += n
            self.frames.append((fi, pc, list(L), list(below) + list(operands)))
        else:
            EXTRA[0] += n + 1
            self.frames.append((fi, pc + 1, list(L), list(below)))


def _slow(fi: Any, pc: int, n: int, b: int, L: tuple, S: tuple) -> int:
    """A loop head whose `lim` ran out: leave for the machine when the budget could run
    out before the next look (`b`: what callers and this body may run before they look),
    take the checkpoint the machine wants when one is due; the new `lim`."""
    x = EXTRA[0]
    if x + n + b > LIM[0]:
        raise _deopt(fi, pc, n, L, S)
    if x + n >= CK[0]:
        _checkpoint(fi, pc, n, _locals(fi, L), S)
    room = min(LIM[0] - (x + n + b), CK[0] - (x + n), LOOK)
    return n + max(room, 1)


def _room(b: int) -> int:
    """How many instructions a loop may run before it looks at LIM and CK again."""
    x = EXTRA[0]
    return min(LIM[0] - x - b, CK[0] - x, LOOK)


def _checkpoint(fi: Any, pc: int, n: int, L: tuple, S: tuple) -> None:
    """Hand the running machine the whole state at this loop head (this frame and every
    compiled caller's, found on the Python stack) for a checkpoint."""
    machine = CTX[0]
    CK[0] = UNLIMITED
    if machine is None:
        return
    frames = [(fi, pc, list(L), list(S))]
    count = n
    f = sys._getframe(3)  # (the compiled function's caller: _checkpoint <- _slow <- f <- caller)
    while f is not None:
        sites = SITES.get(f.f_code)
        if sites is None:
            break
        site = sites.get(f.f_lineno)
        if site is None:  # pragma: no cover - every call of compiled code is a site
            return
        at, expr = _site(sites, f.f_lineno, site)
        before, locs, below = eval(expr, f.f_globals, f.f_locals)  # noqa: S307 - our own expressions
        caller = f.f_globals[f"FI{f.f_code.co_name[5:]}"]
        frames.append((caller, at + 1, _locals(caller, locs), list(below)))
        count += before + 1
        f = f.f_back
    if f is None or f.f_locals.get("self") is not machine:  # a nested machine between: not now
        return
    machine.compiled_checkpoint(frames, EXTRA[0] + count)


def _site(sites: dict[int, tuple[int, Any]], line: int, site: tuple[int, Any]) -> tuple[int, Any]:
    """A call site's (pc, code of its expression), compiled on first use (most sites never
    see a checkpoint, and compiling each one with its body would cost every cold start)."""
    at, expr = site
    if isinstance(expr, str):
        site = sites[line] = (at, compile(expr, "<site>", "eval"))
    return site


def _trap(e: BaseException) -> BaseException:
    """An exception raised in a compiled body (its one `except`): raised by a statement that can
    trap, it leaves for the machine just before that instruction, which the machine then
    runs itself (the trap, its message and state are the machine's); a `Deopt` out of a call
    gets this frame (`Deopt.caller`) and goes on to the callers; anything else goes on."""
    tb = e.__traceback__
    if tb is None:  # pragma: no cover - a raised exception has its traceback
        return e
    f = tb.tb_frame  # (the compiled frame that caught it, at the line that raised)
    trap = _at(TRAPS, f, tb.tb_lineno)
    call = _at(CALLS, f, tb.tb_lineno) if trap is None and isinstance(e, Deopt) else None
    if trap is None and call is None:
        return e
    pc, expr = trap or call  # type: ignore[misc]
    fi = f.f_globals[f"FI{f.f_code.co_name[5:]}"]
    L = f.f_locals  # (once: with many locals, reading them costs)
    values = eval(expr, f.f_globals, L)  # noqa: S307 - our own expressions
    if trap is not None:  # (count, operand stack)
        return _deopt(fi, pc, values[0], L, values[1])
    e.caller(fi, pc, values[0], L, values[1], values[2])  # (count, stack below, operands)
    return e


def _at(table: dict[types.CodeType, dict[int, tuple[int, Any]]], f: Any, line: int) -> tuple[int, Any] | None:
    """The site of `table` at `line` of the compiled frame `f`: its pc and the code of its
    expression, or None."""
    sites = table.get(f.f_code)
    site = sites.get(line) if sites is not None else None
    return None if site is None else _site(sites, line, site)


def _locals(fi: Any, L: Any) -> list:
    """The wasm locals of a compiled frame from its Python locals: `locals()`, or its frame's
    `f_locals` (a dict, or from Python 3.13 on a mapping of its own), or a tuple of them."""
    if not isinstance(L, (tuple, list)):
        n = len(fi.local_types)
        get = _GETTERS.get(n)
        if get is None:
            get = _GETTERS[n] = operator.itemgetter(*(f"l{i}" for i in range(n))) if n else (lambda L: ())
        return [get(L)] if n == 1 else list(get(L))
    return list(L)


#: by number of locals: what reads l0, l1, ... out of a compiled frame's `locals()`
_GETTERS: dict[int, Callable[[dict], Any]] = {}


def _deopt(fi: Any, pc: int, n: int, L: Any, S: tuple) -> Deopt:
    L = _locals(fi, L)
    EXTRA[0] += n
    e = Deopt()
    e.frames.append((fi, pc, list(L), list(S)))
    return e


def _cold(fi: Any, pc: int, n: int, L: Any, S: tuple, d: int) -> Any:
    """Compiled code reached a region it was made without (see DEFER): in plain run mode, a
    machine of its own runs the rest of the call (`d`: how deep its calls may go) on handlers
    that note what it reaches, and returns its results (its compiled callers stay compiled);
    in a debugger's run, the code leaves for its machine. The body is compiled again with what
    profiling has seen by then when a region comes again (see COLD_AGAIN)."""
    lay = fi.layout
    lay.cold_hits += 1
    again = lay.cold_at[pc] = lay.cold_at.get(pc, 0) + 1
    _widen(fi, lay, pc)
    if (again >= COLD_AGAIN or lay.cold_hits % COLD_SOME == 0) and fi.free is not None:
        lay.translated.pop("cut", None)
        for key in [k for k in lay.entries if k[1]]:
            del lay.entries[key]
        fi.free = None
        _restub(fi, free_only=True)
    if not DEFER[0]:  # (a debugger's run: its machine goes on from here, on its own handlers)
        raise _deopt(fi, pc, n, L, S)
    EXTRA[0] += n
    resume = RESUME[0]
    assert resume is not None, "exec.machine sets RESUME"
    return resume(fi, pc, _locals(fi, L), list(S), d)


def _widen(fi: Any, lay: Any, pc: int) -> None:
    """A cold region was reached at `pc`: count every region of the innermost construct around
    it as reached (where one path of a construct was missed, its others often are too)."""
    if lay.coverage is None:
        return
    inside = [(start, end) for start, end in lay.end_of.items() if start < pc <= end]
    start, end = max(inside, default=(-1, len(lay.height)))
    lay.coverage.update(r for r in region_starts(fi.func.body, lay) if start < r <= end)


# --- the namespace of an instance ---------------------------------------------------------


def _i(st: str) -> Callable[..., tuple]:
    return struct.Struct(st).unpack_from


def _p(st: str) -> Callable[..., None]:
    return struct.Struct(st).pack_into


_BASE: dict[str, Any] = {
    "X": EXTRA,
    "LIM": LIM,
    "CK": CK,
    "Deopt": Deopt,
    "DEOPT": _deopt,
    "COLD": _cold,
    "TRAP": _trap,
    "SLOW": _slow,
    "ROOM": _room,
    "U32": _i("<I"),
    "U64": _i("<Q"),
    "U16": _i("<H"),
    "I8": _i("<b"),
    "I16": _i("<h"),
    "I32": _i("<i"),
    "P32": _p("<I"),
    "P64": _p("<Q"),
    "P16": _p("<H"),
    "F32B": N.f32_from_bits,
    "F64B": N.f64_from_bits,
    "F32TB": N.f32_to_bits,
    "F64TB": N.f64_to_bits,
}


def namespace(inst: ModuleInst, free: bool = False) -> dict[str, Any]:
    """The globals compiled functions of `inst` run with (made once per instance and form:
    the free forms call each other's free forms)."""
    attr = "fast_ns_free" if free else "fast_ns"
    ns = getattr(inst, attr, None)
    if ns is not None:
        return ns
    ns = dict(_BASE)
    ns["__builtins__"] = __builtins__
    ns["ENSURE"] = _callable_free if free else ensure
    for k, m in enumerate(inst.mems):
        ns[f"M{k}"] = m
    for k, t in enumerate(inst.tables):
        ns[f"T{k}"] = t
    for k, g in enumerate(inst.globals):
        ns[f"G{k}"] = g
    for k, f in enumerate(inst.funcs):
        ns[f"FI{k}"] = f
        ns[f"F{k}"] = _stub(f, ns, f"F{k}", free)
    setattr(inst, attr, ns)
    if free:
        _FREE.add(inst)
    return ns


def _stub(f: FuncInst, ns: dict[str, Any], name: str, free: bool = False) -> Callable[..., Any]:
    """Stands for `f` in a namespace until its first call, then puts the compiled form there."""

    def stub(*args: Any) -> Any:
        if free:
            if STOP[0]:  # (an interrupt: see `interrupt`)
                raise Deopt(None, at_call=True)
            real = ensure_free(f)
            if real is None:  # (its first call, profiled on a machine: see DEFER)
                return _on_machine(f, *args)
        else:
            real = ensure(f)
        ns[name] = real
        if not any(n is ns and k == name for n, k in f.refs):
            f.refs.append((ns, name))
        return real(*args)

    return stub


def ensure(f: FuncInst) -> Callable[..., Any]:
    """`f.compiled`, made if needed (see the module's docstring)."""
    if f.compiled is not None:
        return f.compiled
    if f.host is not None:
        f.compiled = _host_form(f)
        f.translated = False
        return f.compiled
    code = _code_object(f)
    if code is None:
        nested = NESTED[0]
        assert nested is not None, "exec.machine sets NESTED"
        f.compiled = nested(f)
        f.translated = False
        return f.compiled
    f.compiled = _bind(f, code, False)
    f.translated = True
    return f.compiled


def ensure_free(f: FuncInst) -> Callable[..., Any] | None:
    """`f.free`: the form that checks no budget (run mode without a bound: no fuel, no step
    limit, no checkpoint wanted), made if needed; the same as `f.compiled` for host functions
    and functions kept on the machine. None: this call of `f` runs on the machine, which
    profiles it (see DEFER; `f.fast` is then the profiling handlers)."""
    if f.free is not None:
        return f.free
    if DEFER[0] and f.host is None and f.translated is None:
        func = f.func
        assert func is not None
        lay = prepare(f)
        if lay.profiled < PROFILED_CALLS and len(func.body) >= DEFER_MIN:
            lay.profiled += 1
            if lay.coverage is None:
                lay.coverage = set()
                f.fast = machine_code(f)
            elif f.fast is None:  # (another instance of the module profiled it first)
                f.fast = machine_code(f)
            return None
    # (only this form is translated: a run without a bound never needs the other one)
    code = _code_object(f, free=True) if f.host is None and f.translated is not False else None
    if code is None:
        f.free = ensure(f)
        return f.free
    f.free = _bind(f, code, True)
    f.translated = True
    return f.free


def machine_code(f: FuncInst) -> list | None:
    """Run-mode handlers for frames of `f` on the machine (its profiled calls, frames that left
    compiled code): made as they run, noting the regions they reach while `f` is profiled, with
    a counter at each loop head (see DEFER: a hot loop goes on as compiled code); None when
    there is nothing to note or count."""
    func = f.func
    assert func is not None and f.module is not None
    lay = prepare(f)
    heads = loop_heads(func.body, lay, f.module.types)
    if lay.coverage is None:
        return profiling_code(f, [], heads, set(), _hot, HOT_AFTER) if heads else None
    return profiling_code(f, region_starts(func.body, lay), heads, lay.coverage, _hot, HOT_AFTER)


def _callable_free(f: FuncInst) -> Callable[..., Any]:
    """What compiled code calls for `f` (call_indirect): its free form, or its first call on
    a machine of its own (see DEFER)."""
    real = ensure_free(f)
    return real if real is not None else lambda *a: _on_machine(f, *a)


def _on_machine(f: FuncInst, *args: Any) -> Any:
    run = RUN[0]
    assert run is not None, "exec.machine sets RUN"
    return run(f, args)


def ensure_entry(f: FuncInst, head: int) -> Callable[..., Any] | None:
    """The free form of `f`'s body that starts at the head of the loop at `head` (every local
    a parameter; see DEFER), or None when there is none."""
    code = _code_object(f, True, head)
    return None if code is None else _bind(f, code, True, False)


def _bind(
    f: FuncInst, code: tuple[Any, dict[str, Any], set[int]], free: bool, named: bool = True
) -> Callable[..., Any]:
    """A code object of `f`'s body as a function of its instance's namespace (for that form;
    `named`: the one its callers find there)."""
    inst = f.module
    assert inst is not None
    ns = namespace(inst, free)
    for k, v in code[1].items():
        ns.setdefault(k, v)
    for k in code[2]:  # the canonical types call_indirect compares (the instance's)
        if f"TY{k}" not in ns:
            ns[f"TY{k}"] = inst.deftype(k)
    fn = types.FunctionType(code[0], ns, f"wasm_{f.index}")
    if not named:
        return fn
    ns[f"F{f.index}"] = fn
    if not any(n is ns and k == f"F{f.index}" for n, k in f.refs):
        f.refs.append((ns, f"F{f.index}"))
    return fn


def _blocked(*args: Any) -> Any:
    raise Deopt(None, at_call=True)


def _free(ns: dict[str, Any]) -> bool:
    """Whether `ns` is a namespace of free forms."""
    return ns["ENSURE"] is _callable_free


def block(f: FuncInst) -> None:
    """Keep `f` on the machine (a breakpoint or watchpoint patched its handlers): compiled
    callers leave for the machine before calling it."""
    if f.compiled is _blocked:
        return
    f.compiled = f.free = _blocked
    f.translated = False
    for ns, name in f.refs:
        ns[name] = _blocked


def guard(f: FuncInst, stop: Callable[[tuple], bool]) -> bool:
    """Run `f` as compiled code, but let the machine make each call for which `stop(args)`
    holds (a conditional breakpoint at its entry: the machine stops there and asks the
    condition itself). False when `f` stays on the machine."""
    if f.host is not None or _code_object(f) is None:
        return False
    f.compiled = f.free = None
    f.translated = None
    checked, free = _guarded(ensure(f), stop), _guarded(ensure_free(f), stop)
    f.compiled, f.free = checked, free
    for ns, name in f.refs:
        ns[name] = free if _free(ns) else checked
    return True


def _guarded(real: Callable[..., Any], stop: Callable[[tuple], bool]) -> Callable[..., Any]:
    def guarded(*a: Any) -> Any:
        if stop(a[:-2]):
            raise Deopt(None, at_call=True)
        return real(*a)

    guarded.guard = True  # type: ignore[attr-defined]
    return guarded


def unblock(f: FuncInst) -> None:
    """`f` may run as compiled code again."""
    if f.compiled is not _blocked and not getattr(f.compiled, "guard", False):
        return
    f.compiled = f.free = None
    f.translated = None
    _restub(f)


def _restub(f: FuncInst, free_only: bool = False) -> None:
    """The namespaces that call `f` (those of its free forms only: `free_only`) call a stub
    again: its next call there makes its form anew."""
    for ns, name in f.refs:
        free = _free(ns)
        if free or not free_only:
            ns[name] = _stub(f, ns, name, free)


def _code_object(
    f: FuncInst, free: bool = False, entry: int | None = None
) -> tuple[Any, dict[str, Any], set[int]] | None:
    """The code object of `f`'s body (compiled once per module and form), or None when it
    stays on the machine. A free form leaves out the regions profiling found cold (see
    DEFER); `entry`: the free form that starts at that loop's head."""
    func = f.func
    assert func is not None and f.module is not None
    lay = prepare(f)  # (the machine's handlers wait until a frame of `f` runs on the machine)
    if lay.translated is None:
        lay.translated = {}
    done = lay.translated
    cold: frozenset[int] = frozenset()
    if free and lay.coverage is not None and lay.cold_hits < COLD_LIMIT and len(func.body) >= CUT_MIN:
        cold = frozenset(region_starts(func.body, lay)) - lay.coverage
    table, key = (done, free if not cold else "cut") if entry is None else (lay.entries, (entry, bool(cold)))
    cached = table.get(key)
    if cached is not None:
        return cached or None
    if done.get(not free) is False or done.get(free) is False:  # (a form's reason holds for all)
        table[key] = False
        return None
    inst = f.module
    func_types = [g.type for g in inst.funcs]
    tr = translate(
        func.body,
        f.local_types,
        f.nparams,
        f.nresults,
        inst.types,
        func_types,
        lay,
        f.index,
        free,
        cold,
        entry,
    )
    result: tuple[Any, dict[str, Any], set[int]] | None = None
    if tr.source is not None:
        try:
            digest = (f.index, free, hashlib.blake2b(tr.source.encode()).digest())
            code = _SOURCES.get(digest)
            if code is None:  # (the same module loaded again compiles to the same source)
                module_code = compile(tr.source, f"<wasm function {f.index}>", "exec")
                code = next(c for c in module_code.co_consts if isinstance(c, types.CodeType))
                code = code.replace(co_name=f"wasm_{f.index}")
                if not free:  # (free forms take no checkpoints)
                    SITES[code] = dict(tr.sites)  # (each site compiled when first used: `_site`)
                TRAPS[code] = dict(tr.traps)
                CALLS[code] = dict(tr.calls)
                if len(_SOURCES) >= 4096:
                    old = _SOURCES.pop(next(iter(_SOURCES)))
                    SITES.pop(old, None)
                    TRAPS.pop(old, None)
                    CALLS.pop(old, None)
                _SOURCES[digest] = code
            result = (code, tr.consts, tr.deftypes)
        except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
            tr.reason = f"python: {type(e).__name__}: {str(e)[:60]}"
    if entry is None and not any(k in done for k in (False, True, "cut")):  # (a body counts once)
        STATS["compiled" if result is not None else f"kept on the machine: {tr.reason}"] += 1
    table[key] = result or False
    return result


def source_of(f: FuncInst, free: bool = False) -> str | None:
    """The Python source the translator makes of `f`'s body (None: it stays on the machine);
    `free`: of its form without budget checks."""
    func = f.func
    if func is None or f.module is None:
        return None
    lay = prepare(f)
    inst = f.module
    func_types = [g.type for g in inst.funcs]
    return translate(
        func.body, f.local_types, f.nparams, f.nresults, inst.types, func_types, lay, f.index, free
    ).source


def _host_form(f: FuncInst) -> Callable[..., Any]:
    """A host function called from compiled code: through the running machine's host hook; a
    failure leaves the caller before its call instruction with the failure pending."""
    nres = f.nresults

    def host(*a: Any) -> Any:
        args = list(a[:-2])
        x = EXTRA[0]
        hook = HOOK[0]
        assert hook is not None
        try:
            out = hook(f, args)
        except WasmError as t:
            EXTRA[0] = x
            raise Deopt(t, at_call=True) from None
        EXTRA[0] = x
        return returned(out, nres)

    return host


def returned(out: list, n: int) -> Any:
    """What a compiled function returns for the `n` results `out`: the value, None or a tuple."""
    if n == 1:
        return out[0]
    return tuple(out) if n else None


def pending_trap(t: Trap) -> Trap:
    """A trap that leaves compiled code: its backtrace is the machine's to write."""
    t.stack = []
    t.message = t._render()
    t.args = (t.message,)
    return t


__all__ = [
    "Deopt",
    "Thrown",
    "block",
    "ensure",
    "guard",
    "interrupt",
    "namespace",
    "returned",
    "source_of",
    "stats",
    "unblock",
]


#: the translator's verdict on a body nobody has run yet, by its side table: None (it
#: translates) or the reason it stays on the machine (see `tier_of`)
_VERDICTS: weakref.WeakKeyDictionary[Any, str | None] = weakref.WeakKeyDictionary()


def tier_of(f: FuncInst) -> tuple[str, str | None]:
    """Where `f` runs: ("host", None); ("debugger", why) while a breakpoint or watchpoint
    keeps it on the machine; ("machine", reason) when the tier is "machine" or the
    translator keeps its body there; else ("compiled", None) (or a note, for a conditional
    breakpoint at its entry). It changes nothing: a body not translated yet is translated
    here only to learn the reason, and nothing is compiled or counted in `stats()`."""
    if f.host is not None:
        return "host", None
    if f.compiled is _blocked:
        return "debugger", "a breakpoint or watchpoint is set in it"
    if TIER == "machine":
        return "machine", "the tier is machine (WASMLAB_TIER=machine)"
    guarded = getattr(f.compiled, "guard", False)
    note = "a conditional breakpoint at its entry: the machine makes the calls it stops" if guarded else None
    func = f.func
    if func is None or f.module is None:  # pragma: no cover - a wasm function has both
        return "machine", "no body"
    lay = prepare(f)
    done = lay.translated or {}
    if any(done.values()):
        return "compiled", note
    kept = False in done.values()  # (the tier tried it and keeps it on the machine)
    if lay not in _VERDICTS or (kept and _VERDICTS[lay] is None):
        inst = f.module
        func_types = [g.type for g in inst.funcs]
        tr = translate(
            func.body, f.local_types, f.nparams, f.nresults, inst.types, func_types, lay, f.index, False
        )
        reason = tr.reason
        if tr.source is not None and kept:  # (its translation did not compile)
            try:
                compile(tr.source, f"<wasm function {f.index}>", "exec")
            except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
                reason = f"python: {type(e).__name__}: {str(e)[:60]}"
            else:  # pragma: no cover - what failed once fails again
                reason = "python: its translation did not compile"
        _VERDICTS[lay] = reason
    reason = _VERDICTS[lay]
    if reason is not None:
        return "machine", reason
    return "compiled", note
