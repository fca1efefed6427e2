"""Runtime structure (spec 4.2): the store and its instances.

Instances are plain objects so that stepping, snapshots and inspection are reads of
data. Values follow the representation in `wasmlab.exec.numerics` (unsigned ints for
integers, floats for f32/f64, ints for v128, `None` for null references).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..syntax.types import SPACE_ATTRS, ExternKind, FuncType, GlobalType, Limits, MemType, TableType, ValType

if TYPE_CHECKING:
    from ..syntax.module import Func, Module

PAGE_SIZE = 65536
MAX_PAGES = 65536
MAX_TABLE_SIZE = 0xFFFFFFFF


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


class FuncInst:
    """A function instance: wasm code of a module instance, or a host function."""

    __slots__ = (
        "type", "module", "func", "index", "name", "host", "code", "nparams", "nresults",
        "zero_locals", "local_types", "fast", "layout",
    )  # fmt: skip

    def __init__(
        self,
        type: FuncType,
        module: ModuleInst | None = None,
        func: Func | None = None,
        index: int = 0,
        name: str | None = None,
        host: Callable[..., Any] | None = None,
    ) -> None:
        self.type = type
        self.module = module
        self.func = func
        self.index = index
        self.name = name or (f"func[{index}]" if host is None else "host")
        self.host = host
        self.code: list[Callable[..., int]] | None = None  # compiled lazily by exec.compile
        self.fast: list[Callable[..., int]] | None = None  # run-mode handlers (exec.fuse)
        self.layout: Any = None  # the side table compile_function computed
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


class TableInst:
    __slots__ = ("type", "elements")

    def __init__(self, type: TableType, init: Any = None) -> None:
        self.type = type
        self.elements: list[Any] = [init] * type.limits.min

    @property
    def max(self) -> int | None:
        return self.type.limits.max

    def grow(self, n: int, init: Any) -> int:
        """Grow by `n` slots; the old size, or -1 (as unsigned: 0xFFFFFFFF) when it cannot."""
        old = len(self.elements)
        new = old + n
        limit = self.max if self.max is not None else MAX_TABLE_SIZE
        if new > limit:
            return 0xFFFFFFFF
        self.elements.extend([init] * n)
        self.type = TableType(Limits(new, self.type.limits.max), self.type.elem)
        return old

    def __repr__(self) -> str:
        return f"<table {len(self.elements)} {self.type.elem.text}>"


class MemoryInst:
    """Linear memory: `data` is one bytearray that grows in place (compiled code holds it)."""

    __slots__ = ("type", "data")

    def __init__(self, type: MemType) -> None:
        self.type = type
        self.data = bytearray(type.limits.min * PAGE_SIZE)

    @property
    def pages(self) -> int:
        return len(self.data) // PAGE_SIZE

    @property
    def max(self) -> int | None:
        return self.type.limits.max

    def grow(self, n: int) -> int:
        """Grow by `n` pages; the old size in pages, or 0xFFFFFFFF when it cannot."""
        old = self.pages
        new = old + n
        limit = self.max if self.max is not None else MAX_PAGES
        if new > min(limit, MAX_PAGES):
            return 0xFFFFFFFF
        try:
            self.data.extend(bytes(n * PAGE_SIZE))
        except MemoryError:
            return 0xFFFFFFFF
        self.type = MemType(Limits(new, self.type.limits.max))
        return old

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

    __slots__ = ("type", "name")

    def __init__(self, type: FuncType, name: str | None = None) -> None:
        self.type = type
        self.name = name

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

    def __repr__(self) -> str:
        return f"<instance {self.name or ''} exports={list(self.exports)}>"


class Store:
    """All instances created by one embedder (spec 4.2.3); front ends read it, never copy it."""

    def __init__(self) -> None:
        self.instances: list[ModuleInst] = []
        self.call_depth_limit = 10000
        #: instructions a start function may run while a module is instantiated (None: no
        #: bound); `wasmlab.instantiate(..., fuel=N)` sets it for its instantiation
        self.start_fuel: int | None = None

    def __repr__(self) -> str:
        return f"<store {len(self.instances)} instances>"
