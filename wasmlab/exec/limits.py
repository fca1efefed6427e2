"""Store limits: how much one store may hold (as wasmtime's `StoreLimits`).

`StoreLimits` (exported as `wasmlab.Limits`) is plain data: bytes per memory and for all
memories of the store, elements per table, how many instances, tables and memories, the
call depth, fuel (instructions per call, None: unbounded) and the debugger's history
budget. A `Limiter` applies one to one store: instantiation asks it before making each
table and memory (a refusal is a `LimitExceeded`, a `LinkError` naming the item and the limit), and
`memory.grow` / `table.grow` ask it before growing (a refusal makes the instruction
return -1, and `Limiter.refusal` says which limit refused it).

Defaults: the library's (`LIBRARY`) let every valid module instantiate (4 GiB per memory
and per store, the whole 32-bit space: memory is committed only when written, so declaring
it is free) but bound what costs host memory at once: 10 million table elements (a table
slot is a Python list entry, 8 bytes: 80 MB), 10,000 instances, tables and memories. The
kernel's (`KERNEL`) are lower because a kernel is shared, long-lived and runs cells from
anyone: 256 MiB per memory and 512 MiB per store (a classroom machine runs dozens of
kernels), one million table elements, 1,000 instances, tables and memories, and 64 MiB of
debugger history.
"""

from __future__ import annotations

import dataclasses
import gc
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import LimitExceeded, WasmError

MIB = 1 << 20

# the fields people set, as the CLI and `%limits` name them, with what each bounds
FIELDS: dict[str, str] = {
    "max_memory": "bytes per linear memory",
    "max_store_memory": "bytes of all memories of one store",
    "max_table_elements": "elements per table",
    "max_instances": "module instances per store",
    "max_tables": "tables per store",
    "max_memories": "memories per store",
    "max_call_depth": "nested wasm calls",
    "fuel": "instructions per call (none: unbounded)",
    "history_bytes": "bytes of a debug session's history",
}
SIZES = ("max_memory", "max_store_memory", "history_bytes")


@dataclass(frozen=True)
class StoreLimits:
    """What one store may use; every field is a maximum (`fuel` None: no maximum)."""

    max_memory: int = 4096 * MIB
    max_store_memory: int = 4096 * MIB
    max_table_elements: int = 10_000_000
    max_instances: int = 10_000
    max_tables: int = 10_000
    max_memories: int = 10_000
    max_call_depth: int = 10_000
    fuel: int | None = None
    history_bytes: int = 96 * MIB

    def __post_init__(self) -> None:
        for name in FIELDS:
            v = getattr(self, name)
            if name == "fuel" and v is None:
                continue
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise WasmError(f"limit {name} must be a whole number >= 0, got {v!r}")
        if self.max_call_depth < 1:
            raise WasmError("limit max_call_depth must be >= 1")

    def replace(self, **changes: int | None) -> StoreLimits:
        """These limits with some fields changed (unknown names are an error)."""
        for name in changes:
            if name not in FIELDS:
                raise WasmError(f"unknown limit {name!r} (limits: {', '.join(FIELDS)})")
        return dataclasses.replace(self, **changes)

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, value as text, what it bounds) for each field."""
        return [(name, show(name, getattr(self, name)), what) for name, what in FIELDS.items()]


LIBRARY = StoreLimits()
KERNEL = StoreLimits(
    max_memory=256 * MIB,
    max_store_memory=512 * MIB,
    max_table_elements=1_000_000,
    max_instances=1_000,
    max_tables=1_000,
    max_memories=1_000,
    history_bytes=64 * MIB,
)


def show(name: str, value: int | None) -> str:
    if value is None:
        return "none"
    if name in SIZES:
        return size_text(value)
    return f"{value:,}"


def size_text(n: int) -> str:
    for unit, k in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << k and n % (1 << k) == 0:
            return f"{n >> k} {unit}"
    if n >= MIB:
        return f"{n / MIB:,.1f} MiB"
    return f"{n:,} bytes"


def parse_size(text: str) -> int:
    """`256M`, `1G`, `64KiB`, `65536`: a size in bytes (WasmError when it is not one)."""
    t = text.strip().replace("_", "").replace(",", "")
    low = t.lower()
    num, shift = t, 0
    for suffix, k in (("kib", 10), ("mib", 20), ("gib", 30), ("k", 10), ("m", 20), ("g", 30), ("b", 0)):
        if low.endswith(suffix):
            num, shift = t[: -len(suffix)].strip(), k
            break
    try:
        value = int(num)
    except ValueError:
        raise WasmError(f"not a size: {text!r} (say 65536, 64K, 256M or 1G)") from None
    if value < 0:
        raise WasmError(f"a size must be >= 0, got {text!r}")
    return value << shift


def parse_limit(name: str, text: str) -> int | None:
    """The value of limit `name` from text (`none` lifts fuel)."""
    if name not in FIELDS:
        raise WasmError(f"unknown limit {name!r} (limits: {', '.join(FIELDS)})")
    t = text.strip()
    if name == "fuel" and t.lower() in ("none", "off", "unlimited"):
        return None
    if name in SIZES:
        return parse_size(t)
    try:
        return int(t.replace("_", "").replace(",", ""))
    except ValueError:
        raise WasmError(f"limit {name} wants a whole number, got {text!r}") from None


class Limiter:
    """One store's use of its `StoreLimits`, and the last refusal.

    It counts the live instances, tables and memories the store made (weak references: what
    a failed instantiation made is not counted once it is garbage) and the bytes those
    memories hold now; before refusing it collects garbage once and counts again."""

    def __init__(self, limits: StoreLimits = LIBRARY) -> None:
        self.limits = limits
        self._instances: weakref.WeakSet[Any] = weakref.WeakSet()
        self._tables: weakref.WeakSet[Any] = weakref.WeakSet()
        self._memories: weakref.WeakSet[Any] = weakref.WeakSet()
        self.refusal: str | None = None  # what the last refused grow ran into
        self.refusals = 0

    @property
    def memory_bytes(self) -> int:
        """Bytes the store's live memories hold now."""
        return sum(len(m.data) for m in list(self._memories))

    @property
    def instances(self) -> int:
        return len(self._instances)

    @property
    def tables(self) -> int:
        return len(self._tables)

    @property
    def memories(self) -> int:
        return len(self._memories)

    @staticmethod
    def _twice(check: Callable[[], str | None]) -> str | None:
        """`check()`, and when it refuses, again after collecting garbage (the remains of a
        failed instantiation may still be counted)."""
        why = check()
        if why is not None:
            gc.collect()
            why = check()
        return why

    # --- instantiation: a refusal is a LimitExceeded (a LinkError) --------------------------

    def instance(self, what: str) -> None:
        n = self.limits.max_instances
        why = self._twice(
            lambda: None if self.instances + 1 <= n else f"over the limit of {n:,} instances (max_instances)"
        )
        if why is not None:
            raise LimitExceeded(f"{what}: {why}")

    def table(self, what: str, elements: int) -> None:
        lim = self.limits
        if elements > lim.max_table_elements:
            raise LimitExceeded(
                f"{what}: {elements:,} elements exceeds the limit of {lim.max_table_elements:,} (max_table_elements)"
            )
        n = lim.max_tables
        why = self._twice(
            lambda: None if self.tables + 1 <= n else f"over the limit of {n:,} tables (max_tables)"
        )
        if why is not None:
            raise LimitExceeded(f"{what}: {why}")

    def memory(self, what: str, nbytes: int) -> None:
        n = self.limits.max_memories
        why = self._twice(
            lambda: None if self.memories + 1 <= n else f"over the limit of {n:,} memories (max_memories)"
        ) or self._twice(lambda: self._memory_bytes(nbytes, nbytes))
        if why is not None:
            raise LimitExceeded(f"{what}: {why}")

    def track(self, kind: str, item: Any) -> None:
        """`item` (an instance, table or memory this store made) counts from now on."""
        {"instance": self._instances, "table": self._tables, "memory": self._memories}[kind].add(item)

    # --- growth: a refusal is a reason (the instruction returns -1) ------------------------

    def _memory_bytes(self, new: int, delta: int) -> str | None:
        lim = self.limits
        if new > lim.max_memory:
            return (
                f"{size_text(new)} exceeds the limit of {size_text(lim.max_memory)} per memory (max_memory)"
            )
        total = self.memory_bytes + delta
        if total > lim.max_store_memory:
            return (
                f"the store's memories would hold {size_text(total)}, over the limit of "
                f"{size_text(lim.max_store_memory)} (max_store_memory)"
            )
        return None

    def grow_memory(self, what: str, old: int, new: int) -> bool:
        """May a memory grow from `old` to `new` bytes? If not, `refusal` says why."""
        why = self._twice(lambda: self._memory_bytes(new, new - old))
        if why is not None:
            return self.refuse(f"memory.grow of {what} refused: {why}")
        return True

    def grow_table(self, what: str, new: int) -> bool:
        if new > self.limits.max_table_elements:
            return self.refuse(
                f"table.grow of {what} refused: {new:,} elements exceeds the limit of "
                f"{self.limits.max_table_elements:,} (max_table_elements)"
            )
        return True

    def refuse(self, why: str) -> bool:
        self.refusal = why
        self.refusals += 1
        return False
