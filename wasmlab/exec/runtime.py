"""Runtime structure (spec 4.2): the store and its instances.

Instances are plain objects so that stepping, snapshots and inspection are reads of
data. Values follow the representation in `wasmlab.exec.numerics` (unsigned ints for
integers, floats for f32/f64, ints for v128, `None` for null references).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..syntax.signatures import DefinedType, canonical_func, canonical_types
from ..syntax.types import SPACE_ATTRS, ExternKind, FuncType, GlobalType, MemType, TableType, ValType
from .limits import LIBRARY, Limiter, StoreLimits
from .pages import Buffer, allocate, resized

if TYPE_CHECKING:
    from ..syntax.module import Func, Module

PAGE_SIZE = 65536
MAX_PAGES = 65536
MAX_TABLE_SIZE = 0xFFFFFFFF
#: memory64 and table64: the bounds of a 64-bit memory (2^48 pages: 2^64 bytes) and table
MAX_PAGES64 = 1 << 48
MAX_TABLE64_SIZE = 0xFFFFFFFFFFFFFFFF


class ExternRef:
    """A non-null `externref`: wraps any host value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExternRef) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("externref", repr(self.value)))

    def __repr__(self) -> str:
        return f"ref.extern {self.value!r}"


class Allocations:
    """How many GC objects were made: each takes the next number as its `serial` (the
    debugger names objects by it, and puts the count back when it goes back in time, so a
    replay makes the same numbers)."""

    count = 0


class StructInst:
    """A GC struct: its canonical type and its field values (packed fields as unsigned ints)."""

    __slots__ = ("type", "fields", "serial", "__weakref__")

    def __init__(self, type: DefinedType, fields: list[Any]) -> None:
        self.type = type
        self.fields = fields
        Allocations.count += 1
        self.serial = Allocations.count

    def __repr__(self) -> str:
        return f"<struct {self.type} {self.fields!r}>"


class ArrayInst:
    """A GC array: its canonical type and its elements (packed ones as unsigned ints)."""

    __slots__ = ("type", "elements", "serial", "__weakref__")

    def __init__(self, type: DefinedType, elements: list[Any]) -> None:
        self.type = type
        self.elements = elements
        Allocations.count += 1
        self.serial = Allocations.count

    def __repr__(self) -> str:
        els = self.elements
        more = ", ..." if len(els) > 8 else ""
        return f"<array {self.type} len={len(els)} [{', '.join(map(repr, els[:8]))}{more}]>"


class I31:
    """An unboxed scalar (`ref.i31`): 31 bits, compared by value."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value & 0x7FFFFFFF

    def __eq__(self, other: object) -> bool:
        return isinstance(other, I31) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("i31", self.value))

    def __repr__(self) -> str:
        return f"(ref.i31 {self.value})"


class FuncInst:
    """A function instance: wasm code of a module instance, or a host function."""

    __slots__ = (
        "type", "module", "func", "index", "name", "host", "code", "nparams", "nresults",
        "zero_locals", "local_types", "fast", "layout", "deftype", "compiled", "translated",
        "free", "refs",
    )  # fmt: skip

    def __init__(
        self,
        type: FuncType,
        module: ModuleInst | None = None,
        func: Func | None = None,
        index: int = 0,
        name: str | None = None,
        host: Callable[..., Any] | None = None,
        deftype: DefinedType | None = None,
    ) -> None:
        self.type = type
        #: the canonical type (GC's iso-recursive types): what call_indirect and casts compare
        self.deftype = deftype if deftype is not None else canonical_func(type)
        self.module = module
        self.func = func
        self.index = index
        self.name = name or (f"func[{index}]" if host is None else "host")
        self.host = host
        self.code: list[Callable[..., int]] | None = None  # compiled lazily by exec.compile
        self.fast: list[Callable[..., int]] | None = None  # run-mode handlers (exec.fuse)
        self.layout: Any = None  # the side table compile_function computed
        self.compiled: Callable[..., Any] | None = None  # its compiled-tier form (exec.fast)
        self.translated: bool | None = None  # whether that form is translated code (None: not made yet)
        self.free: Callable[..., Any] | None = None  # the form without budget checks (exec.fast)
        self.refs: list[tuple[dict, str]] = []  # the compiled tier's namespaces that call it by name
        self.nparams = len(type.params)
        self.nresults = len(type.results)
        self.local_types: tuple[ValType, ...] = tuple(type.params) + tuple(func.locals if func else ())
        from .numerics import default_value

        self.zero_locals = [default_value(t) for t in (func.locals if func else ())]

    @property
    def is_host(self) -> bool:
        return self.host is not None

    def __repr__(self) -> str:
        return f"<func {self.name} {self.type}>"


def slots(init: Any, n: int) -> list[Any]:
    """`n` table slots holding `init` (where a table's elements are allocated)."""
    return [init] * n


class TableInst:
    """A table; `limiter` (its store's) bounds how far `table.grow` may take it."""

    __slots__ = ("type", "elements", "limiter", "label", "__weakref__")

    def __init__(
        self, type: TableType, init: Any = None, limiter: Limiter | None = None, label: str = "table"
    ) -> None:
        self.type = type
        self.limiter = limiter
        self.label = label
        self.elements: list[Any] = slots(init, type.limits.min)
        if limiter is not None:
            limiter.track("table", self)

    @property
    def max(self) -> int | None:
        return self.type.limits.max

    def grow(self, n: int, init: Any) -> int:
        """Grow by `n` slots; the old size, or -1 (as unsigned: 0xFFFFFFFF) when it cannot."""
        old = len(self.elements)
        new = old + n
        is64 = self.type.limits.is64
        fail = 0xFFFFFFFFFFFFFFFF if is64 else 0xFFFFFFFF
        limit = self.max if self.max is not None else (MAX_TABLE64_SIZE if is64 else MAX_TABLE_SIZE)
        if new > limit:
            return fail
        if self.limiter is not None and not self.limiter.grow_table(self.label, new):
            return fail
        try:
            self.elements.extend(slots(init, n))
        except (MemoryError, OverflowError):
            del self.elements[old:]
            if self.limiter is not None:
                self.limiter.refuse(f"table.grow of {self.label} refused: out of host memory")
            return fail
        self.type = TableType(self.type.limits.resized(new), self.type.elem)
        return old

    def __repr__(self) -> str:
        return f"<table {len(self.elements)} {self.type.elem.text}>"


class MemoryInst:
    """Linear memory. `data` is its bytes, committed lazily (`exec.pages`): an mmap whose
    length is the current size, or an empty bytearray at 0 pages. A grow may replace the
    object (from 0 pages), so code reads `mem.data` at each access. `limiter` (its
    store's) bounds how far `memory.grow` may take it."""

    __slots__ = ("type", "data", "limiter", "label", "__weakref__")

    def __init__(self, type: MemType, limiter: Limiter | None = None, label: str = "memory") -> None:
        self.type = type
        self.limiter = limiter
        self.label = label
        n = type.limits.min * PAGE_SIZE
        self.data: Buffer = allocate(n)
        if limiter is not None:
            limiter.track("memory", self)

    @property
    def pages(self) -> int:
        return len(self.data) // PAGE_SIZE

    @property
    def max(self) -> int | None:
        return self.type.limits.max

    def grow(self, n: int) -> int:
        """Grow by `n` pages; the old size in pages, or -1 as unsigned (0xFFFFFFFF, or
        0xFFFFFFFFFFFFFFFF for a 64-bit memory) when it cannot."""
        old = self.pages
        new = old + n
        is64 = self.type.limits.is64
        fail = 0xFFFFFFFFFFFFFFFF if is64 else 0xFFFFFFFF
        bound = MAX_PAGES64 if is64 else MAX_PAGES
        limit = self.max if self.max is not None else bound
        if new > min(limit, bound):
            return fail
        lim = self.limiter
        if lim is not None and not lim.grow_memory(self.label, old * PAGE_SIZE, new * PAGE_SIZE):
            return fail
        try:
            self.resize(new * PAGE_SIZE)
        except (MemoryError, OverflowError, ValueError, OSError):
            if lim is not None:
                lim.refuse(f"memory.grow of {self.label} refused: the host could not map {new} pages")
            return fail
        self.type = MemType(self.type.limits.resized(new))
        return old

    def resize(self, nbytes: int) -> None:
        """Set the size in bytes (new bytes zero), as a grow or a debugger's restore does."""
        self.data = resized(self.data, nbytes)

    def __repr__(self) -> str:
        return f"<memory {self.pages} pages>"


class GlobalInst:
    __slots__ = ("type", "value")

    def __init__(self, type: GlobalType, value: Any) -> None:
        self.type = type
        self.value = value

    def __repr__(self) -> str:
        return f"<global {self.type} = {self.value!r}>"


class TagInst:
    """An exception tag (exception handling): what identifies a thrown exception's kind; its
    function type's parameters are the values the exception carries."""

    __slots__ = ("type", "name", "deftype")

    def __init__(self, type: FuncType, name: str | None = None, deftype: DefinedType | None = None) -> None:
        self.type = type
        self.name = name
        #: the canonical type (what import matching compares)
        self.deftype = deftype if deftype is not None else canonical_func(type)

    def __repr__(self) -> str:
        return f"<tag {self.name or ''} {self.type}>"


class ExnInst:
    """A thrown exception: its tag and the values it carries (what an exnref refers to)."""

    __slots__ = ("tag", "values")

    def __init__(self, tag: TagInst, values: list[Any]) -> None:
        self.tag = tag
        self.values = values

    def __repr__(self) -> str:
        return f"<exception {self.tag.name or 'tag'} {self.values}>"


class ElemInst:
    __slots__ = ("type", "elements")

    def __init__(self, type: ValType, elements: list[Any]) -> None:
        self.type = type
        self.elements = elements


class DataInst:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


Extern = FuncInst | TableInst | MemoryInst | GlobalInst | TagInst


class ModuleInst:
    """A module instance: the index spaces of one instantiated module."""

    def __init__(self, module: Module, name: str | None = None) -> None:
        self.module = module
        self.name = name
        self.types: list[Any] = list(module.types)
        #: the canonical type of each type index (None for module-linking types)
        self.deftypes: list[Any] = canonical_types(module.types, module.subtypes, module.recs)
        self.funcs: list[FuncInst] = []
        self.tables: list[TableInst] = []
        self.mems: list[MemoryInst] = []
        self.globals: list[GlobalInst] = []
        self.tags: list[TagInst] = []
        self.elems: list[ElemInst] = []
        self.datas: list[DataInst] = []
        self.exports: dict[str, Any] = {}
        # module linking: index spaces of modules and instances
        self.modules: list[Any] = []
        self.instances: list[Any] = []

    def space(self, kind: ExternKind) -> list[Any]:
        return getattr(self, SPACE_ATTRS[kind])

    def deftype(self, typeidx: int) -> DefinedType:
        """The canonical type at `typeidx` (a type aliased by module linking: its own)."""
        d = self.deftypes[typeidx] if typeidx < len(self.deftypes) else None
        return d if d is not None else canonical_func(self.types[typeidx])

    def __repr__(self) -> str:
        return f"<instance {self.name or ''} exports={list(self.exports)}>"


class Store:
    """All instances created by one embedder (spec 4.2.3); front ends read it, never copy it."""

    def __init__(self, limits: StoreLimits = LIBRARY) -> None:
        self.instances: list[ModuleInst] = []
        self.limiter = Limiter(limits)
        #: instructions a start function may run while a module is instantiated (None: no
        #: bound); `wasmlab.instantiate(..., fuel=N)` sets it for its instantiation
        self.start_fuel: int | None = None

    @property
    def limits(self) -> StoreLimits:
        return self.limiter.limits

    @limits.setter
    def limits(self, limits: StoreLimits) -> None:
        """New limits apply to what is made or grown from now on."""
        self.limiter.limits = limits

    @property
    def call_depth_limit(self) -> int:
        return self.limiter.limits.max_call_depth

    def __repr__(self) -> str:
        return f"<store {len(self.instances)} instances>"
