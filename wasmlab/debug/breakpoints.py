"""Breakpoints (function entry, byte offset, source line; conditional) and watchpoints
(memory ranges, globals) of one session, kept in sync with the handler patches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exec.runtime import FuncInst, GlobalInst, MemoryInst
from . import patches
from .errors import DebugError
from .patches import Switch, WatchHit, write_site
from .program import Place, Program

if TYPE_CHECKING:
    from .session import Session

Condition = Callable[["Session"], Any]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Breakpoint:
    """Stops before the instruction(s) at its places, when enabled and its condition holds."""

    def __init__(
        self,
        table: Breakpoints,
        id: int,
        what: str,
        places: list[Place],
        condition: Condition | None = None,
        internal: str | None = None,
    ) -> None:
        self._table = table
        self.id = id
        self.what = what
        self.places = places
        self.condition = condition
        self.enabled = True
        self.hits = 0
        self.internal = internal  # why the session set it (step over/out, run to), or None

    def enable(self) -> Breakpoint:
        self._table.set_enabled(self, True)
        return self

    def disable(self) -> Breakpoint:
        self._table.set_enabled(self, False)
        return self

    def delete(self) -> None:
        self._table.remove(self)

    @property
    def deleted(self) -> bool:
        return self not in self._table.all

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        cond = " if <condition>" if self.condition is not None else ""
        return f"<breakpoint {self.id} at {self.what}{cond}: {state}, {self.hits} hits>"

    def _repr_html_(self) -> str:
        return f"<code>{_esc(repr(self))}</code>"


class Breakpoints:
    """The session's breakpoints; a breakpoint's places are patched while it is enabled."""

    def __init__(self, switch: Switch, program: Program) -> None:
        self.switch = switch
        self.program = program
        self.all: list[Breakpoint] = []
        self._at: dict[tuple[int, int], list[Breakpoint]] = {}
        self._next_id = 1

    @property
    def public(self) -> list[Breakpoint]:
        return [b for b in self.all if b.internal is None]

    def add(
        self,
        places: list[Place],
        what: str,
        condition: Condition | str | None = None,
        internal: str | None = None,
        number: int | None = None,
    ) -> Breakpoint:
        if isinstance(condition, str):
            condition = expression_condition(condition)
        if condition is not None and not callable(condition):
            raise DebugError(
                f"a breakpoint condition must be callable (it gets the session), not {condition!r}"
            )
        if number is not None and any(b.id == number for b in self.public):
            raise DebugError(f"there is a breakpoint {number} already")
        bid = 0 if internal else (number if number is not None else self._next_id)
        bp = Breakpoint(self, bid, what, places, condition, internal)
        if not internal:
            self._next_id = max(self._next_id, bid) + 1
        self.all.append(bp)
        for f, pc in places:
            self._at.setdefault((id(f), pc), []).append(bp)
        self._sync(places)
        return bp

    def remove(self, bp: Breakpoint) -> None:
        if bp not in self.all:
            raise DebugError(f"breakpoint {bp.id} was already deleted")
        self.all.remove(bp)
        for f, pc in bp.places:
            key = (id(f), pc)
            rest = [b for b in self._at.get(key, []) if b is not bp]
            if rest:
                self._at[key] = rest
            else:
                self._at.pop(key, None)
        self._sync(bp.places)

    def set_enabled(self, bp: Breakpoint, flag: bool) -> None:
        if bp not in self.all:
            raise DebugError(f"breakpoint {bp.id} was deleted")
        bp.enabled = flag
        self._sync(bp.places)

    def find(self, spec: Any) -> Breakpoint:
        if isinstance(spec, Breakpoint):
            if spec not in self.all:
                raise DebugError(f"breakpoint {spec.id} was deleted")
            return spec
        for b in self.public:
            if b.id == spec:
                return b
        raise DebugError(f"no breakpoint {spec!r}")

    def at(self, f: FuncInst, pc: int) -> list[Breakpoint]:
        """The enabled breakpoints at (f, pc)."""
        return [b for b in self._at.get((id(f), pc), ()) if b.enabled]

    def _sync(self, places: list[Place]) -> None:
        for f, pc in places:
            want = any(b.enabled for b in self._at.get((id(f), pc), ()))
            has = patches.patched(f, pc, self.switch, "break")
            if want and not has:
                patches.install(f, pc, self.switch, "break")
            elif has and not want:
                patches.uninstall(f, pc, self.switch, "break")


class Watchpoint:
    """Stops after any write into a memory range, after any `global.set` of a global, or
    after an instruction that changes a watched local or expression."""

    def __init__(self, table: Watchpoints, id: int, what: str, target: Any, lo: int = 0, hi: int = 0) -> None:
        self._table = table
        self.id = id
        self.what = what
        self.target = target
        self.lo = lo
        self.hi = hi
        self.enabled = True
        self.hits = 0

    @property
    def kind(self) -> str:
        """ "memory", "global", "local" (a frame's local: target (depth, func, local)) or
        "expr" (an expression evaluated in the top frame: target its text)."""
        if isinstance(self.target, GlobalInst):
            return "global"
        if isinstance(self.target, tuple):
            return "local"
        if isinstance(self.target, str):
            return "expr"
        return "memory"

    def enable(self) -> Watchpoint:
        self._table.set_enabled(self, True)
        return self

    def disable(self) -> Watchpoint:
        self._table.set_enabled(self, False)
        return self

    def delete(self) -> None:
        self._table.remove(self)

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"<watchpoint {self.id} on {self.what}: {state}, {self.hits} hits>"

    def _repr_html_(self) -> str:
        return f"<code>{_esc(repr(self))}</code>"


class Watchpoints:
    """The session's watchpoints: every instruction that can write a watched thing is patched."""

    def __init__(self, switch: Switch, program: Program) -> None:
        self.switch = switch
        self.program = program
        self.all: list[Watchpoint] = []
        self._next_id = 1
        self._sites: dict[int, tuple[FuncInst, list[tuple[int, str, Any]]]] = {}
        self._patched: set[tuple[int, int]] = set()
        self._funcs: dict[int, FuncInst] = {}

    def add_memory(self, mem: MemoryInst, addr: int, size: int, what: str) -> Watchpoint:
        for x, name in ((addr, "address"), (size, "size")):
            if isinstance(x, bool) or not isinstance(x, int):
                raise DebugError(f"a watched {name} must be an int, not {x!r}")
        if addr < 0 or size <= 0:
            raise DebugError(f"cannot watch {size} bytes at {addr:#x}: give an address >= 0 and a size > 0")
        if addr + size > len(mem.data) and mem.max is not None and addr + size > mem.max * 65536:
            raise DebugError(f"[{addr:#x}, {addr + size:#x}) lies beyond the memory's maximum size")
        return self._add(Watchpoint(self, self._next_id, what, mem, addr, addr + size))

    def add_global(self, g: GlobalInst, what: str) -> Watchpoint:
        if not g.type.mutable:
            raise DebugError(f"global {what} is immutable: nothing can write it")
        return self._add(Watchpoint(self, self._next_id, what, g))

    def add_value(self, target: tuple | str, what: str) -> Watchpoint:
        """A watch on a frame's local ((depth, func, local)) or on an expression (its text)."""
        return self._add(Watchpoint(self, self._next_id, what, target))

    def _add(self, w: Watchpoint) -> Watchpoint:
        self._next_id += 1
        self.all.append(w)
        self._sync()
        return w

    def remove(self, w: Watchpoint) -> None:
        if w not in self.all:
            raise DebugError(f"watchpoint {w.id} was already deleted")
        self.all.remove(w)
        self._sync()

    def set_enabled(self, w: Watchpoint, flag: bool) -> None:
        if w not in self.all:
            raise DebugError(f"watchpoint {w.id} was deleted")
        w.enabled = flag
        self._sync()

    def find(self, spec: Any) -> Watchpoint:
        if isinstance(spec, Watchpoint):
            if spec not in self.all:
                raise DebugError(f"watchpoint {spec.id} was deleted")
            return spec
        for w in self.all:
            if w.id == spec:
                return w
        raise DebugError(f"no watchpoint {spec!r}")

    def snapshot(self) -> list[tuple[Watchpoint, Any]]:
        """The watched bytes and values now (before a host function runs; see `host_hit`)."""
        return [(w, _watched_now(w)) for w in self.all if w.enabled and w.kind in ("memory", "global")]

    def host_hit(self, before: list[tuple[Watchpoint, Any]], func: FuncInst) -> WatchHit | None:
        """The first watched range or global that host function `func` changed since `before`."""
        for w, old in before:
            new = _watched_now(w)
            if new != old:
                return WatchHit(w, w.target, w.lo, w.hi, old, new, by=func)
        return None

    def _sites_of(self, f: FuncInst) -> list[tuple[int, str, Any]]:
        hit = self._sites.get(id(f))
        if hit is not None and hit[0] is f:
            return hit[1]
        sites = []
        assert f.func is not None
        for pc in range(len(f.func.body)):
            s = write_site(f, pc)
            if s is not None:
                sites.append((pc, s[0], s[1]))
        self._sites[id(f)] = (f, sites)
        return sites

    def _sync(self) -> None:
        """Recompute the switch's watched ranges and globals; patch exactly the writers of them."""
        live = [w for w in self.all if w.enabled and w.kind in ("memory", "global")]
        ranges: dict[int, list[tuple[int, int, Any]]] = {}
        globs: dict[int, Any] = {}
        for w in live:
            if isinstance(w.target, GlobalInst):
                globs.setdefault(id(w.target), w)
            else:
                ranges.setdefault(id(w.target), []).append((w.lo, w.hi, w))
        self.switch.ranges = ranges
        self.switch.globals = globs
        want: set[tuple[int, int]] = set()
        if live:
            for f in self.program.functions():
                for pc, kind, target in self._sites_of(f):
                    if (kind == "global" and id(target) in globs) or (
                        kind != "global" and id(target) in ranges
                    ):
                        want.add((id(f), pc))
                        self._funcs[id(f)] = f
        for key in want - self._patched:
            patches.install(self._funcs[key[0]], key[1], self.switch, "watch")
        for key in self._patched - want:
            patches.uninstall(self._funcs[key[0]], key[1], self.switch, "watch")
        self._patched = want


def expression_condition(text: str) -> Condition:
    """A breakpoint condition in the debugger's expression language (see `expr`), evaluated
    in the innermost frame: `$n == 2`, `i32.load($p) > 0`; its text is its `__doc__`."""
    from . import expr

    expr.check(text)

    def condition(s: Session) -> bool:
        return bool(s.eval(text, frame=s.machine.depth - 1 if s.machine.depth else None).bits)

    condition.__doc__ = text.strip()
    return condition


def _watched_now(w: Watchpoint) -> Any:
    """A watched global's value, or the watched bytes (those inside the memory's current size)."""
    if isinstance(w.target, GlobalInst):
        return w.target.value
    return bytes(w.target.data[w.lo : w.hi])
