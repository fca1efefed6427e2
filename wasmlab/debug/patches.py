"""Breakpoints and watchpoints as patched handlers: the machine's plain loop never checks anything.

A compiled function is a list of handlers `h(S, L, pc) -> next pc` (`FuncInst.code`).
To stop at an instruction, its handler is replaced by a wrapper that raises
`Pause(pc, executed=False)` before running it; to watch a write, the handler of every
instruction that can write the watched thing is replaced by one that runs it and then
raises `Pause(next_pc, executed=True)` if the write touched a watched range or global.
Only patched instructions pay; originals come back when the last patch is removed.

Every wrapper belongs to a `Switch`, one per session: it only fires while its session is
running the machine (`switch.breaks` / `switch.watches`), so a plain call of the same
function, or a replay of history, runs straight through. Several sessions may patch
the same instruction: one registry (module level) keeps the original and the layers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exec import fast as tiers
from ..exec.compile import _STORES, compile_function
from ..exec.machine import Pause
from ..exec.runtime import FuncInst, GlobalInst, MemoryInst

Handler = Callable[[list, list, int], int]


class WatchHit:
    """What a watched write did: the watchpoint, the old and new bytes or value, and `by`:
    the host function that wrote them (None: the instruction just executed)."""

    __slots__ = ("watch", "target", "lo", "hi", "old", "new", "by")

    def __init__(self, watch: Any, target: Any, lo: int, hi: int, old: Any, new: Any, by: Any = None) -> None:
        self.watch = watch
        self.target = target
        self.lo = lo
        self.hi = hi
        self.old = old
        self.new = new
        self.by = by


class Switch:
    """One session's live state for its patches, read by the wrappers while the machine runs."""

    __slots__ = ("breaks", "watches", "ranges", "globals", "__weakref__")

    def __init__(self) -> None:
        self.breaks = False
        self.watches = False
        self.ranges: dict[int, list[tuple[int, int, Any]]] = {}  # id(MemoryInst) -> (lo, hi, watch)
        self.globals: dict[int, Any] = {}  # id(GlobalInst) -> watch

    def memory_hit(self, mem: MemoryInst, lo: int, hi: int) -> Any:
        for a, b, w in self.ranges.get(id(mem), ()):
            if lo < b and a < hi:
                return w
        return None


class Slot:
    __slots__ = ("func", "pc", "orig", "breaks", "watches")

    def __init__(self, func: FuncInst, pc: int, orig: Handler) -> None:
        self.func = func
        self.pc = pc
        self.orig = orig
        self.breaks: list[Switch] = []
        self.watches: list[Switch] = []


_SLOTS: dict[tuple[int, int], Slot] = {}
#: id(func) -> the pcs of its patched slots: a function with any stays on the machine
_PATCHED: dict[int, set[int]] = {}


def code_of(f: FuncInst) -> list[Handler]:
    if f.code is None:
        f.code = compile_function(f)
    return f.code


def install(func: FuncInst, pc: int, switch: Switch, kind: str) -> None:
    """Add `switch`'s breakpoint (`kind="break"`) or watch (`"watch"`) layer at (func, pc)."""
    code = code_of(func)
    key = (id(func), pc)
    slot = _SLOTS.get(key)
    if slot is None or slot.func is not func:
        slot = _SLOTS[key] = Slot(func, pc, code[pc])
    layers = slot.breaks if kind == "break" else slot.watches
    if not any(s is switch for s in layers):
        layers.append(switch)
    _rebuild(slot)


def uninstall(func: FuncInst, pc: int, switch: Switch, kind: str) -> None:
    key = (id(func), pc)
    slot = _SLOTS.get(key)
    if slot is None or slot.func is not func:
        return
    layers = slot.breaks if kind == "break" else slot.watches
    layers[:] = [s for s in layers if s is not switch]
    _rebuild(slot)
    if not slot.breaks and not slot.watches:
        del _SLOTS[key]


def uninstall_all(switch: Switch) -> None:
    """Remove every layer of `switch` (a session closing); originals come back."""
    for key, slot in list(_SLOTS.items()):
        slot.breaks[:] = [s for s in slot.breaks if s is not switch]
        slot.watches[:] = [s for s in slot.watches if s is not switch]
        _rebuild(slot)
        if not slot.breaks and not slot.watches:
            del _SLOTS[key]


def patched_pcs(func: FuncInst) -> set[int]:
    """The pcs of `func` with a breakpoint or watch patched in (any session's)."""
    return set(_PATCHED.get(id(func), ()))


def patched(func: FuncInst, pc: int, switch: Switch, kind: str) -> bool:
    slot = _SLOTS.get((id(func), pc))
    if slot is None or slot.func is not func:
        return False
    return any(s is switch for s in (slot.breaks if kind == "break" else slot.watches))


def original(func: FuncInst, pc: int) -> Handler:
    """The handler the compiler made for (func, pc), whatever is patched over it."""
    slot = _SLOTS.get((id(func), pc))
    if slot is not None and slot.func is func:
        return slot.orig
    return code_of(func)[pc]


def _rebuild(slot: Slot) -> None:
    h = slot.orig
    if slot.watches:
        h = _watch_wrapper(h, slot)
    if slot.breaks:
        h = _break_wrapper(h, tuple(slot.breaks))
    if h is not slot.orig:
        h.patched = True  # type: ignore[attr-defined]  # (run-mode code never folds over it: exec.fold)
    code_of(slot.func)[slot.pc] = h
    slot.func.fast = None  # run-mode handlers are made again from these (exec.fuse)
    # the compiled tier does not run a patched function: its callers leave for the machine
    pcs = _PATCHED.setdefault(id(slot.func), set())
    if slot.breaks or slot.watches:
        pcs.add(slot.pc)
        tiers.block(slot.func)
    else:
        pcs.discard(slot.pc)
        if not pcs:
            del _PATCHED[id(slot.func)]
            tiers.unblock(slot.func)


def _break_wrapper(inner: Handler, switches: tuple[Switch, ...]) -> Handler:
    if len(switches) == 1:
        sw = switches[0]

        def h(S: list, L: list, pc: int) -> int:
            if sw.breaks:
                raise Pause(pc, False, sw)
            return inner(S, L, pc)

        return h

    def h_many(S: list, L: list, pc: int) -> int:
        for s in switches:
            if s.breaks:
                raise Pause(pc, False, s)
        return inner(S, L, pc)

    return h_many


# --- watched writes ---------------------------------------------------------------------


def write_site(func: FuncInst, pc: int) -> tuple[str, Any, int, int] | None:
    """What instruction pc writes: ("store", mem, offset, size), ("bulk", mem, 0, 0) for
    memory.fill/copy/init, ("global", global, 0, 0), or None."""
    assert func.func is not None and func.module is not None
    ins = func.func.body[pc]
    name = ins.op.name
    inst = func.module
    if name == "global.set":
        return ("global", inst.globals[ins.imm], 0, 0)
    if not inst.mems:
        return None
    if name == "memory.fill":
        return ("bulk", inst.mems[ins.imm], 0, 0)
    if name == "memory.copy":
        return ("bulk", inst.mems[ins.imm[0]], 0, 0)
    if name == "memory.init":
        return ("bulk", inst.mems[ins.imm[1]], 0, 0)
    if ins.op.imm == "memarg" and name in _STORES:
        return ("store", inst.mems[ins.imm[2]], ins.imm[1], _STORES[name][0].size)
    if name == "v128.store":
        return ("store", inst.mems[ins.imm[2]], ins.imm[1], 16)
    if ins.op.imm == "memarg_lane" and "store" in name:
        width = int(name.split(".", 1)[1][5:].split("_")[0]) // 8
        return ("store", inst.mems[ins.imm[2]], ins.imm[1], width)
    return None


def _watch_wrapper(inner: Handler, slot: Slot) -> Handler:
    site = write_site(slot.func, slot.pc)
    switches = tuple(slot.watches)
    if site is None:
        return inner
    kind, target, offset, size = site
    if kind == "global":
        g: GlobalInst = target

        def h_global(S: list, L: list, pc: int) -> int:
            for sw in switches:
                if sw.watches:
                    w = sw.globals.get(id(g))
                    if w is not None:
                        old = g.value
                        nxt = inner(S, L, pc)
                        raise Pause(nxt, True, WatchHit(w, g, 0, 0, old, g.value))
            return inner(S, L, pc)

        return h_global
    mem: MemoryInst = target
    bulk = kind == "bulk"

    def h_memory(S: list, L: list, pc: int) -> int:
        for sw in switches:
            if sw.watches:
                if bulk:
                    lo, hi = S[-3], S[-3] + S[-1]
                else:
                    lo = S[-2] + offset
                    hi = lo + size
                if hi > lo:
                    w = sw.memory_hit(mem, lo, hi)
                    if w is not None:
                        old = bytes(mem.data[lo:hi])
                        nxt = inner(S, L, pc)
                        raise Pause(nxt, True, WatchHit(w, mem, lo, hi, old, bytes(mem.data[lo:hi])))
        return inner(S, L, pc)

    return h_memory
