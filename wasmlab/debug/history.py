"""History of one call: checkpoints plus deterministic replay, and recorded host calls.

A `Checkpoint` is a full copy of everything a call can change: the machine (value stack,
frames with their locals, pc, steps, results or trap) and the store (memories' bytes,
tables' elements, globals, element and data segments, dropped or not). Checkpoints are
taken every `interval` instructions while the session runs; any earlier state is the
nearest checkpoint at or before it plus a replay of the instructions in between (the
machine is deterministic). Host calls are the only outside input: the first time one
runs, its results and what it did to the store are recorded; a replay applies the
record instead of calling the host again.

Memory stays bounded: memories are kept as 64 KiB chunks shared with the previous
checkpoint when unchanged (and one shared all-zero chunk), and when there are more than
`max_checkpoints` checkpoints or their bytes pass `max_bytes`, every other one is
dropped and the interval doubles, so a replay is never longer than the interval. When
even that leaves them over `max_bytes` (a memory bigger than the budget), the oldest are
dropped: the reachable window then starts at `first_step`.
"""

from __future__ import annotations

import bisect
import copy
from typing import Any

from ..errors import Thrown, Trap, WasmError
from ..exec.machine import Machine, as_results, call_host
from ..exec.pages import CHUNK, ZERO, chunked
from ..exec.runtime import (
    Allocations,
    ArrayInst,
    DataInst,
    ElemInst,
    FuncInst,
    GlobalInst,
    MemoryInst,
    StructInst,
    TableInst,
)
from .program import Program

_ZERO = ZERO


def _unique(objs: list[Any], seen: set[int], out: list[Any]) -> None:
    for o in objs:
        if id(o) not in seen:
            seen.add(id(o))
            out.append(o)


class StoreSnap:
    __slots__ = ("mems", "tables", "globals", "elems", "datas", "new_bytes")

    def __init__(
        self, mems: tuple, tables: tuple, globals: tuple, elems: tuple, datas: tuple, new_bytes: int
    ):
        self.mems = mems  # per memory: (chunks, MemType)
        self.tables = tables  # per table: (elements, TableType)
        self.globals = globals
        self.elems = elems
        self.datas = datas
        self.new_bytes = new_bytes


class HostEffects:
    """What one host call did to the store: changed memory chunks, globals, tables."""

    __slots__ = ("mems", "globals", "tables")

    def __init__(self, mems: list, globals: list, tables: list) -> None:
        self.mems = mems  # (index, length, MemType, [(chunk index, bytes)])
        self.globals = globals  # (index, value)
        self.tables = tables  # (index, elements, TableType)

    def apply(self, store: StoreState) -> None:
        for i, length, mtype, pieces in self.mems:
            mem = store.mems[i]
            if len(mem.data) != length:
                mem.resize(length)
            for j, piece in pieces:
                mem.data[j * CHUNK : j * CHUNK + len(piece)] = piece
            mem.type = mtype
        for i, value in self.globals:
            store.globals[i].value = value
        for i, elements, ttype in self.tables:
            store.tables[i].elements[:] = elements
            store.tables[i].type = ttype


class StoreState:
    """The mutable runtime objects of the instances a session knows."""

    def __init__(self, program: Program) -> None:
        seen: set[int] = set()
        self.mems: list[MemoryInst] = []
        self.tables: list[TableInst] = []
        self.globals: list[GlobalInst] = []
        self.elems: list[ElemInst] = []
        self.datas: list[DataInst] = []
        for inst in program.instances:
            _unique(inst.mems, seen, self.mems)
            _unique(inst.tables, seen, self.tables)
            _unique(inst.globals, seen, self.globals)
            _unique(inst.elems, seen, self.elems)
            _unique(inst.datas, seen, self.datas)

    def capture(self, prev: StoreSnap | None) -> StoreSnap:
        new = 0
        mems = []
        for i, mem in enumerate(self.mems):
            old = prev.mems[i][0] if prev is not None and i < len(prev.mems) else ()
            data = mem.data
            chunks = []
            for j, a in enumerate(range(0, len(data), CHUNK)):
                piece = data[a : a + CHUNK]
                if j < len(old) and old[j] == piece:
                    chunks.append(old[j])
                elif len(piece) == CHUNK and piece == _ZERO:
                    chunks.append(_ZERO)
                else:
                    chunks.append(bytes(piece))
                    new += len(piece)
            mems.append((tuple(chunks), mem.type))
        tables = []
        for i, t in enumerate(self.tables):
            elems = tuple(t.elements)
            if prev is not None and i < len(prev.tables) and prev.tables[i][0] == elems:
                elems = prev.tables[i][0]
            else:
                new += 8 * len(elems)
            tables.append((elems, t.type))
        return StoreSnap(
            tuple(mems),
            tuple(tables),
            tuple(g.value for g in self.globals),
            tuple(e.elements for e in self.elems),
            tuple(d.data for d in self.datas),
            new,
        )

    def restore(self, snap: StoreSnap) -> None:
        for mem, (chunks, mtype) in zip(self.mems, snap.mems):
            total = sum(len(c) for c in chunks)
            if len(mem.data) != total:
                mem.resize(total)
            data = mem.data
            a = 0
            for c in chunks:
                b = a + len(c)
                if data[a:b] != c:
                    data[a:b] = c
                a = b
            mem.type = mtype
        for t, (elems, ttype) in zip(self.tables, snap.tables):
            t.elements[:] = elems
            t.type = ttype
        for g, v in zip(self.globals, snap.globals):
            g.value = v
        for e, elements in zip(self.elems, snap.elems):
            e.elements = elements
        for d, data_ in zip(self.datas, snap.datas):
            d.data = data_

    # --- host calls ---------------------------------------------------------------------------

    def before_host(self) -> tuple:
        return (
            [chunked(m.data) for m in self.mems],  # zero chunks shared: a big memory costs what is written
            [g.value for g in self.globals],
            [tuple(t.elements) for t in self.tables],
        )

    def after_host(self, before: tuple) -> HostEffects:
        mems_before, globs_before, tables_before = before
        mems = []
        for i, (mem, old) in enumerate(zip(self.mems, mems_before)):
            data = mem.data
            pieces = []
            for j, a in enumerate(range(0, len(data), CHUNK)):
                piece = data[a : a + CHUNK]
                if j >= len(old) or old[j] != piece:
                    pieces.append((j, bytes(piece)))
            if pieces or len(data) != sum(map(len, old)):
                mems.append((i, len(data), mem.type, pieces))
        globs = [(i, g.value) for i, (g, v) in enumerate(zip(self.globals, globs_before)) if g.value is not v]
        tables = [
            (i, tuple(t.elements), t.type)
            for i, (t, old_elems) in enumerate(zip(self.tables, tables_before))
            if tuple(t.elements) != old_elems
        ]
        return HostEffects(mems, globs, tables)


def gc_objects(roots: Any) -> list[Any]:
    """The GC objects (structs and arrays) reachable from `roots` (values, iterables of
    values), each once, without recursion."""
    seen: set[int] = set()
    out: list[Any] = []
    todo = [v for v in roots if isinstance(v, (StructInst, ArrayInst))]
    while todo:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        out.append(o)
        items = o.fields if isinstance(o, StructInst) else o.elements
        todo.extend(v for v in items if isinstance(v, (StructInst, ArrayInst)))
    return out


def heap_roots(m: Machine, store: StoreState) -> list[Any]:
    roots: list[Any] = list(m.stack)
    for fr in m.frames:
        roots.extend(fr.locals)
    roots.extend(g.value for g in store.globals)
    for t in store.tables:
        roots.extend(t.elements)
    for e in store.elems:
        roots.extend(e.elements)
    return roots


def capture_heap(m: Machine, store: StoreState) -> tuple:
    """The contents of every GC object reachable from the machine and the store: what a
    checkpoint keeps so that going back puts each object's fields and elements back (an
    object made later is unreachable from the restored state); first, the allocation count."""
    out: list[Any] = [Allocations.count]
    for o in gc_objects(heap_roots(m, store)):
        out.append((o, tuple(o.fields if isinstance(o, StructInst) else o.elements)))
    return tuple(out)


def restore_heap(snap: tuple) -> None:
    if not snap:
        return
    Allocations.count = snap[0]
    for o, contents in snap[1:]:
        if isinstance(o, StructInst):
            o.fields[:] = contents
        else:
            o.elements[:] = contents


class MachineSnap:
    __slots__ = ("stack", "frames", "steps", "results", "trap", "host_entry")

    def __init__(self, m: Machine, prev: MachineSnap | None) -> None:
        self.stack = tuple(m.stack)
        old = prev.frames if prev is not None else ()
        frames = []
        for i, fr in enumerate(m.frames):
            entry = (fr.func, fr.pc, fr.locals, fr.base)
            if i < len(old) and old[i] == entry:
                entry = old[i]
            frames.append(entry)
        self.frames = tuple(frames)
        self.steps = m.steps
        self.results = None if m.results is None else tuple(m.results)
        self.trap = m.trap
        self.host_entry = m.host_entry

    def restore(self, m: Machine) -> None:
        m.restore(
            stack=self.stack,
            frames=self.frames,
            steps=self.steps,
            results=self.results,
            trap=self.trap,
            host_entry=self.host_entry,
        )

    @property
    def nbytes(self) -> int:
        return 64 + 8 * len(self.stack) + sum(96 + 8 * len(fr[2]) for fr in self.frames)


class Checkpoint:
    """The state after `step` instructions; `edit`: the state after a user's edit there (set
    local, global, stack slot or memory), which a replay through `step` puts back."""

    __slots__ = ("step", "machine", "store", "host_count", "nbytes", "edit", "heap")

    def __init__(
        self,
        step: int,
        machine: MachineSnap,
        store: StoreSnap,
        host_count: int,
        edit: bool = False,
        heap: tuple = (),
    ) -> None:
        self.edit = edit
        #: GC: (object, its fields or elements) for every struct and array reachable then
        self.heap = heap
        self.step = step
        self.machine = machine
        self.store = store
        self.host_count = host_count
        self.nbytes = machine.nbytes + store.new_bytes + 200 + sum(64 + 8 * len(c) for _, c in heap[1:])


class HostRecord:
    """One host call as it first happened: its results or its error, and its effects on the
    store; for a WASI function, the `Effect` its own journal recorded instead."""

    __slots__ = ("name", "args", "results", "error", "effects", "wasi")

    def __init__(
        self,
        name: str,
        args: tuple,
        results: Any,
        error: WasmError | None,
        effects: HostEffects | None,
        wasi: Any = None,
    ) -> None:
        self.name = name
        self.args = args
        self.results = results
        self.error = error
        self.effects = effects
        self.wasi = wasi

    def outcome(self, func: FuncInst) -> list:
        """What the call gives the machine: its results, or its error raised (again)."""
        if self.wasi is not None:
            return as_results(func, self.wasi.resume())
        e = self.error
        if e is not None:
            if isinstance(e, Thrown):  # a wasm exception: the same one again (its tag decides catches)
                raise Thrown(e.exn)
            if isinstance(e, Trap):
                raise type(e)(e.kind)
            raise copy.copy(e)
        return list(self.results)

    def replay(self, func: FuncInst, store: StoreState) -> list:
        """Re-execute the call without running the host: redo its effects, give its outcome."""
        if self.wasi is not None:
            return as_results(func, func.host.replay(self.wasi))  # type: ignore[union-attr]
        if self.effects is not None:
            self.effects.apply(store)
        return self.outcome(func)


def _wasi_function(host: Any) -> Any:
    try:
        from ..wasi import WasiFunction
    except ImportError:  # pragma: no cover - wasi is part of wasmlab
        return None
    return host if isinstance(host, WasiFunction) else None


def record_host_call(func: FuncInst, args: list, store: StoreState) -> HostRecord:
    """Run a host call for the first time and record it (its error too: `outcome` raises it)."""
    wasi = _wasi_function(func.host)
    if wasi is not None:
        try:
            return HostRecord(func.name, tuple(args), None, None, None, wasi.record(*args))
        except WasmError as e:
            return HostRecord(func.name, tuple(args), None, e, None)
        except Exception as e:  # noqa: BLE001 - a host failure is a trap, as call_host makes it
            return HostRecord(
                func.name, tuple(args), None, Trap(f"host function {func.name} failed: {e!r}"), None
            )
    before = store.before_host()
    try:
        results = call_host(func, args)
    except WasmError as e:
        return HostRecord(func.name, tuple(args), None, e, store.after_host(before))
    return HostRecord(func.name, tuple(args), tuple(results), None, store.after_host(before))


class History:
    """Checkpoints (sorted by step), the host-call log and what is known about the end."""

    def __init__(self, interval: int = 4096, max_checkpoints: int = 256, max_bytes: int = 96 << 20) -> None:
        if interval < 1 or max_checkpoints < 4 or max_bytes < 1:
            raise ValueError("history needs interval >= 1, max_checkpoints >= 4 and max_bytes >= 1")
        self.interval = interval
        self.max_checkpoints = max_checkpoints
        self.max_bytes = max_bytes
        self.checkpoints: list[Checkpoint] = []
        self.steps: list[int] = []
        self._edits: list[Checkpoint] = []  # the edit checkpoints, by step (thinning keeps them)
        self.host: list[HostRecord] = []
        self.end: int | None = None  # steps when the call returned or trapped
        self.furthest = 0
        self.thinnings = 0
        self.dropped = 0  # times the oldest checkpoints were dropped to stay in the budget
        self.nbytes = 0

    @property
    def last_step(self) -> int:
        return self.steps[-1] if self.steps else -1

    def due_in(self, step: int) -> int:
        """Instructions to run before the next checkpoint is due (at least 1)."""
        if not self.steps:
            return 1
        return max(1, self.steps[-1] + self.interval - step)

    def wants(self, step: int) -> bool:
        return not self.steps or step >= self.steps[-1] + self.interval

    def add(self, cp: Checkpoint) -> None:
        self.checkpoints.append(cp)
        self.steps.append(cp.step)
        if cp.edit:
            self._edits.append(cp)
        self.nbytes += cp.nbytes
        if len(self.checkpoints) > self.max_checkpoints or self.nbytes > self.max_bytes:
            self.thin()
        if self.nbytes > self.max_bytes and len(self.checkpoints) > 1:
            self.drop_oldest()

    @property
    def first_step(self) -> int:
        """The earliest step the history can still reach (0 unless the budget dropped the
        oldest checkpoints)."""
        return self.steps[0] if self.steps else 0

    def drop_oldest(self) -> None:
        """Over the budget even after thinning (a memory too big for it): drop the oldest
        checkpoints, keeping the latest, until the rest fit; the steps before the first kept
        one cannot be reached any more."""
        while self.nbytes > self.max_bytes and len(self.checkpoints) > 1:
            del self.checkpoints[0]
            del self.steps[0]
            self.nbytes = self._measure()
        self.dropped += 1

    def thin(self) -> None:
        """Keep the first, the last and every other one between; double the interval."""
        cps = self.checkpoints
        if len(cps) <= 3:
            return
        middle = cps[1:-1]
        kept = [cps[0], *(c for i, c in enumerate(middle) if i % 2 == 1 or c.edit), cps[-1]]
        self.checkpoints = kept
        self.steps = [c.step for c in kept]
        self.interval *= 2
        self.thinnings += 1
        self.nbytes = self._measure()

    def _measure(self) -> int:
        """Bytes held: each checkpoint's machine part plus every distinct chunk once."""
        seen: set[int] = set()
        total = 0
        for cp in self.checkpoints:
            total += cp.machine.nbytes + 200 + sum(64 + 8 * len(c) for _, c in cp.heap[1:])
            for chunks, _ in cp.store.mems:
                for c in chunks:
                    if id(c) not in seen:
                        seen.add(id(c))
                        total += len(c)
            for elems, _ in cp.store.tables:
                if id(elems) not in seen:
                    seen.add(id(elems))
                    total += 8 * len(elems)
        return total

    @property
    def edits(self) -> list[int]:
        """The steps where the user edited the state (sorted)."""
        return [c.step for c in self._edits]

    def edit_after(self, step: int) -> Checkpoint | None:
        """The first edit checkpoint after `step` (a replay stops there to put the edit back)."""
        for cp in self._edits:  # few: a user's edits
            if cp.step > step:
                return cp
        return None

    def truncate(self, step: int, host_count: int) -> None:
        """Forget the recorded future from `step` on (an edit there changes what follows): the
        checkpoints at or after it, the host calls after the first `host_count`, the end."""
        i = bisect.bisect_left(self.steps, step)
        del self.checkpoints[i:]
        del self.steps[i:]
        self._edits = [c for c in self._edits if c.step < step]
        del self.host[host_count:]
        self.end = None
        self.furthest = step
        self.nbytes = self._measure()

    def nearest(self, step: int) -> Checkpoint:
        """The latest checkpoint at or before `step`."""
        i = bisect.bisect_right(self.steps, step) - 1
        return self.checkpoints[max(i, 0)]
