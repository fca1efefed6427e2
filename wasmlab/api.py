"""The public Python surface (see docs/api.md): parse, load, instantiate, exports."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import DecodeError, LinkError, ParseError, ValidationError, WasmError
from .exec import fast as _fast
from .exec import values as _values
from .exec.compile import types_canon
from .exec.instantiate import host_func
from .exec.instantiate import instantiate as _instantiate
from .exec.limits import StoreLimits
from .exec.machine import Machine
from .exec.numerics import default_value
from .exec.runtime import FuncInst, GlobalInst, MemoryInst, ModuleInst, Store, TableInst
from .exec.tier_report import FuncTier, TierReport
from .exec.tier_report import report as _tier_report
from .linking import HostInstance, ModuleValue, TypeTables, compile_blob, top_level_supply
from .linking import instantiate as linking_instantiate
from .syntax.features import FeatureSpec, as_features
from .syntax.module import Module
from .syntax.signatures import canonical_types
from .syntax.types import ExternKind, FuncType, GlobalType, Limits, MemType, RefType, TableType, ValType

to_wasm = _values.to_wasm

# --- values between Python and wasm -------------------------------------------------------


def from_wasm(value: Any, t: ValType) -> Any:
    """A wasm value as Python: signed ints, floats, `None`/host values for references, a
    `Func` for a function reference."""
    return _values.from_wasm(value, t, Func)


def results_from_wasm(values: list[Any], types: tuple[ValType, ...]) -> Any:
    return _values.results_from_wasm(values, types, Func)


# --- externals --------------------------------------------------------------------------------


class Func:
    """A function: call it with Python ints/floats."""

    def __init__(self, inst: FuncInst, *, fuel: int | None = None) -> None:
        self.inst = inst
        self.fuel = fuel

    @classmethod
    def wrap(cls, type: FuncType, fn: Callable[..., Any], name: str = "host", deftype: Any = None) -> Func:
        """A host function of wasm type `type` written in Python (ints/floats in and out);
        `deftype`: its canonical type, when `type` names a module's types ((ref $t))."""

        def call(*args: Any) -> Any:
            out = fn(*(from_wasm(a, t) for a, t in zip(args, type.params)))
            if not type.results:
                return None
            if len(type.results) == 1:
                return to_wasm(out, type.results[0])
            return tuple(to_wasm(v, t) for v, t in zip(out, type.results))

        return cls(host_func(type, call, name, deftype))

    @classmethod
    def returning_zeros(cls, type: FuncType, name: str = "host", deftype: Any = None) -> Func:
        """A host function of wasm type `type` that ignores its arguments and returns the
        zero of each result type (a stub for an import nothing else provides); `deftype` as
        for `wrap`."""
        zeros = tuple(default_value(t) for t in type.results)
        return cls(host_func(type, lambda *args: zeros, name, deftype))

    @property
    def type(self) -> FuncType:
        return self.inst.type

    @property
    def name(self) -> str:
        return self.inst.name

    def machine(self, *args: Any, **options: Any) -> Machine:
        """A machine paused before this call's first instruction."""
        wasm_args = [to_wasm(a, t) for a, t in zip(args, self.type.params)]
        if len(args) != len(self.type.params):
            n = len(self.type.params)
            raise WasmError(f"{self.name} takes {n} argument{'s' * (n != 1)}, got {len(args)}")
        if self.fuel is not None:
            options.setdefault("fuel", self.fuel)
        return Machine(self.inst, wasm_args, **options)

    def __call__(self, *args: Any) -> Any:
        m = self.machine(*args)
        results = m.run()
        if results is None:  # (an interrupt: exec.fast.interrupt, a debugger's stop)
            raise WasmError(f"{self.name} was interrupted after {m.steps} instructions")
        return results_from_wasm(results, self.type.results)

    def __repr__(self) -> str:
        return f"<Func {self.name} {self.type}>"


class Memory:
    """A linear memory: `mem[a:b]` reads bytes, `mem.write(addr, data)` writes."""

    def __init__(self, inst: MemoryInst | None = None, *, min: int = 1, max: int | None = None) -> None:
        self.inst = inst or MemoryInst(MemType(Limits(min, max)))

    @property
    def data(self) -> Any:
        """The bytes (an mmap, or an empty bytearray at 0 pages); a grow may replace it."""
        return self.inst.data

    @property
    def pages(self) -> int:
        return self.inst.pages

    def __len__(self) -> int:
        return len(self.inst.data)

    def __getitem__(self, key: int | slice) -> Any:
        return self.inst.data[key]

    def read(self, addr: int, n: int) -> bytes:
        return bytes(self.inst.data[addr : addr + n])

    def write(self, addr: int, data: bytes) -> None:
        if addr < 0 or addr + len(data) > len(self.inst.data):
            raise WasmError("out of bounds memory access")
        self.inst.data[addr : addr + len(data)] = data

    def grow(self, pages: int) -> int:
        return from_wasm(self.inst.grow(pages), ValType.I32)

    def __repr__(self) -> str:
        return f"<Memory {self.pages} pages>"


class Table:
    def __init__(self, inst: TableInst | None = None, *, min: int = 0, max: int | None = None,
                 elem: ValType = ValType.FUNCREF) -> None:  # fmt: skip
        self.inst = inst or TableInst(TableType(Limits(min, max), elem))

    def __len__(self) -> int:
        return len(self.inst.elements)

    def __getitem__(self, i: int) -> Any:
        return from_wasm(self.inst.elements[i], self.inst.type.elem)

    def __repr__(self) -> str:
        return f"<Table {len(self)} {self.inst.type.elem.text}>"


class Global:
    def __init__(self, inst: GlobalInst | None = None, *, type: ValType = ValType.I32, value: Any = 0,
                 mutable: bool = False) -> None:  # fmt: skip
        self.inst = inst or GlobalInst(GlobalType(type, mutable), to_wasm(value, type))

    @property
    def value(self) -> Any:
        return from_wasm(self.inst.value, self.inst.type.type)

    @value.setter
    def value(self, v: Any) -> None:
        if not self.inst.type.mutable:
            raise WasmError("global is immutable")
        self.inst.value = to_wasm(v, self.inst.type.type)

    def __repr__(self) -> str:
        return f"<Global {self.inst.type} = {self.value!r}>"


def wrap_extern(value: Any) -> Any:
    if isinstance(value, FuncInst):
        return Func(value)
    if isinstance(value, MemoryInst):
        return Memory(value)
    if isinstance(value, TableInst):
        return Table(value)
    if isinstance(value, GlobalInst):
        return Global(value)
    if isinstance(value, ModuleInst):
        return Instance(value)
    if isinstance(value, ModuleValue):
        return LinkedModule(value)
    return value


def unwrap_extern(value: Any, kind: ExternKind | None = None) -> Any:
    if isinstance(value, (Func, Memory, Table, Global, Instance, LinkedModule)):
        return value.inst
    if kind is ExternKind.MODULE and isinstance(value, Module):
        return ModuleValue(compile_blob(value))
    if isinstance(value, Exports):
        return value._instance.inst
    return value


class Exports(Mapping[str, Any]):
    """`exports.NAME(...)` calls a function; `exports["name"]` gives any export."""

    def __init__(self, instance: Instance) -> None:
        self._instance = instance

    def __getitem__(self, name: str) -> Any:
        value = self._instance.inst.exports[name]
        wrapped = wrap_extern(value)
        if isinstance(wrapped, Func):
            wrapped.fuel = self._instance.fuel
        return wrapped

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no export named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._instance.inst.exports)

    def __len__(self) -> int:
        return len(self._instance.inst.exports)

    def __dir__(self) -> list[str]:
        return [n for n in self._instance.inst.exports if n.isidentifier()]

    def __repr__(self) -> str:
        return f"<Exports {', '.join(self)}>"


class Instance:
    """An instantiated module."""

    def __init__(self, inst: ModuleInst, store: Store | None = None, fuel: int | None = None) -> None:
        self.inst = inst
        self.store = store or Store()
        self.fuel = fuel
        self.exports = Exports(self)

    @property
    def module(self) -> Module:
        return self.inst.module

    @property
    def type_tables(self) -> TypeTables:
        """Module linking: the `TypeTables` of its module's blob (an HTML table in a notebook)."""
        return type_tables(self.module)

    def initializer_graph(self) -> Any:
        """Module linking: the initializer graph of its module (SVG in a notebook)."""
        return graph(self.module, "initializers")

    def func(self, name: str) -> Func:
        value = self.inst.exports.get(name)
        if not isinstance(value, FuncInst):
            raise WasmError(f"no exported function named {name!r}")
        return Func(value, fuel=self.fuel)

    def machine(self, name: str, *args: Any, **options: Any) -> Machine:
        """A machine for one call of export `name`, paused before its first instruction."""
        return self.func(name).machine(*args, **options)

    def tiers(self) -> TierReport:
        """Where each of its functions runs (imported ones first, by index): "compiled" (the
        compiled tier; `made` once a call reached it), "machine" (with the reason: the tier
        setting, or an instruction the translator does not do), "debugger" (a breakpoint or
        watchpoint keeps it on the machine) or "host"; `.setting` is the process's tier
        (WASMLAB_TIER), `.summary()` one line of counts. Asking changes nothing."""
        return _tier_report(self.inst)

    def __repr__(self) -> str:
        return f"<Instance exports=[{', '.join(self.exports)}]>"


def tier_setting() -> str:
    """The process's tier: "auto" (compiled code in run mode), "fast" (the same, also under a
    step budget) or "machine" (never compiled); from WASMLAB_TIER when wasmlab was imported."""
    return _fast.TIER


class LinkedModule:
    """A module as a first-class value (module linking): exported by an instance, passed to
    a module import, or instantiated from Python with `instantiate(imports)`."""

    def __init__(self, inst: ModuleValue) -> None:
        self.inst = inst

    @property
    def module(self) -> Module:
        return self.inst.module

    @property
    def name(self) -> str:
        return self.inst.name

    @property
    def sig(self) -> Any:
        """Its module type (canonical: `wasmlab.syntax.signatures.ModuleSig`)."""
        return self.inst.sig

    type = sig

    @property
    def type_tables(self) -> TypeTables:
        return self.inst.type_tables

    def initializer_graph(self) -> Any:
        return graph(self.inst, "initializers")

    def instantiate(self, imports: Mapping[str, Any] | None = None, **options: Any) -> Instance:
        return instantiate(self, imports, **options)

    def __repr__(self) -> str:
        return repr(self.inst)


# --- pictures -----------------------------------------------------------------------------------


def type_tables(module: Module | Instance | LinkedModule) -> TypeTables:
    """The `TypeTables` of a (module-linking) module's blob: every function, module and
    instance signature, shared by the modules nested in it."""
    if isinstance(module, (Instance, LinkedModule)):
        module = module.module
    return compile_blob(module).types


def graph(module: Any, kind: str, func: str | int | None = None) -> Any:
    """A `graphviz.Digraph` of a module (or an Instance): `kind` is `calls`, `cfg` (of
    function `func`), `initializers` or `types`; it shows as SVG in a notebook."""
    from .viz import graph_for

    if isinstance(module, LinkedModule):
        module = module.inst
    return graph_for(module, kind, func)


# --- parse, instantiate, load -----------------------------------------------------------------


def _read_source(source: Any) -> tuple[bytes | str, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "(" not in source and source.strip().endswith((".wasm", ".wat", ".wast"))
    ):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise WasmError(f"cannot read {path}: {e.strerror}") from e
        if data[:4] == b"\0asm":
            return data, str(path)
        try:
            return data.decode("utf-8"), str(path)
        except UnicodeDecodeError as e:
            raise WasmError(f"{path}: neither a wasm binary nor UTF-8 text") from e
    if isinstance(source, str):
        return source, None
    raise WasmError(f"cannot parse a {type(source).__name__}: give bytes, WAT text or a path")


def decode(data: bytes, *, features: FeatureSpec = None) -> Module:
    """Decode a binary; module linking (either encoding) is recognized by itself.
    `features`: the proposals to accept ("2.0", "3.0", "all", "2.0,tail-call"; default 3.0)."""
    from .binary import decode_auto

    with _host_resources(DecodeError, "decoding the binary"):
        return decode_auto(bytes(data), features=as_features(features))


@contextmanager
def _host_resources(error: Callable[[str], WasmError], doing: str) -> Iterator[None]:
    """A MemoryError or RecursionError (the host ran out) becomes `error`: no Python
    exception of that kind leaves the API."""
    try:
        yield
    except (MemoryError, RecursionError) as e:
        raise error(f"out of host resources while {doing} ({type(e).__name__})") from None


def validate(module: Module, *, source: str | None = None, features: FeatureSpec = None) -> None:
    """Raise ValidationError unless valid; with the `source` text the module was parsed
    from, the error shows file:line:col, the source line and a caret."""
    from .valid import validate as _validate

    try:
        with _host_resources(ValidationError, "validating"):
            _validate(module, features=as_features(features))
    except ValidationError as e:
        if source is not None:
            e.locate(source)
        raise


def encode(module: Module, *, names: bool = False, module_linking: str = "0.22") -> bytes:
    """The module as a binary; `names=True` writes a `name` section from `module.names` (the
    `$ids` of a text module: functions, locals, types, tables, memories, globals, elem and
    data segments); `module_linking="pr2451"` the earlier module-linking encoding."""
    from .binary import encode as _encode

    return _encode(module, names=names, module_linking=module_linking)


def print_wat(module: Module, *, folded: bool = False) -> str:
    from .text import print_wat as _print

    return _print(module, folded=folded)


def parse(source: Any, *, features: FeatureSpec = None) -> Module:
    """Bytes, WAT text or a path to .wasm/.wat: decoded or parsed, then validated.
    `features`: the proposals the module may use ("2.0" for strict WebAssembly 2.0, "3.0",
    "all", or a comma-separated list like "2.0,tail-call"; default WebAssembly 3.0)."""
    data, filename = _read_source(source)
    if isinstance(data, bytes):
        module = decode(data, features=features)
    else:
        from .text import parse_module

        with _host_resources(ParseError, f"parsing {filename or 'the text'}"):
            module = parse_module(data, filename=filename, features=as_features(features))
    validate(module, source=data if isinstance(data, str) else None, features=features)
    if filename is not None and module.origin is None:
        module.origin = filename
    return module


ImportValue = Any


def resolver_for(
    imports: Mapping[str, Any] | None, types: list[Any], module: Module | None = None
) -> Callable[..., Any]:
    """The import resolver `instantiate` uses for an `imports` mapping (module name -> export
    name -> a Python callable, Func, Memory, Table, Global or value); `types`: the module's
    type section, for wrapping callables (`module`: the module, whose canonical types a
    callable's type may name, as in (param (ref $t)))."""
    imports = imports or {}
    canon: list[Any] = []

    def deftype(index: int) -> Any:
        if module is None or not (module.recs or module.subtypes or _names_types(types[index])):
            return None
        if not canon:
            canon.extend(canonical_types(module.types, module.subtypes, module.recs))
        return canon[index]

    def resolve(module: str, field: str | None, kind: ExternKind, desc: Any) -> Any:
        ns = imports.get(module)
        if ns is None:
            raise LinkError(f'unknown import: module "{module}" is not provided')
        if field is None:
            value = ns
        else:
            if isinstance(ns, Instance):
                ns = ns.inst.exports
            elif isinstance(ns, ModuleInst):
                ns = ns.exports
            if not isinstance(ns, Mapping) or field not in ns:
                raise LinkError(f'unknown import: "{module}" "{field}"')
            value = ns[field]
        label = f"{module}.{field}" if field is not None else module
        if kind is ExternKind.FUNC and callable(value) and not isinstance(value, (Func, FuncInst)):
            ft = types[desc]
            value = Func.wrap(ft, value, name=label, deftype=deftype(desc))
        if kind is ExternKind.INSTANCE and isinstance(value, Mapping) and not isinstance(value, Exports):
            return _host_instance(value, types[desc], label)
        return unwrap_extern(value, kind)

    return resolve


def _names_types(ft: Any) -> bool:
    """Whether a function type names a type index (a typed reference among its values)."""
    return any(isinstance(t, RefType) and isinstance(t.heap, int) for t in (*ft.params, *ft.results))


def _host_instance(exports: Mapping[str, Any], sig: Any, label: str) -> Any:
    """An instance made of a mapping of exports: Python callables become host functions of
    the type the instance type expects, nested mappings nested instances."""
    items: dict[str, Any] = {}
    for name, v in exports.items():
        expected = sig.export(name) if hasattr(sig, "export") else None
        kind, t = expected if expected is not None else (None, None)
        if kind is ExternKind.FUNC and callable(v) and not isinstance(v, (Func, FuncInst)):
            v = Func.wrap(t, v, name=f"{label}.{name}")
        elif kind is ExternKind.INSTANCE and isinstance(v, Mapping) and not isinstance(v, Exports):
            v = _host_instance(v, t, f"{label}.{name}")
        items[name] = unwrap_extern(v, kind)
    return HostInstance(items, label)


def instantiate(
    module: Module,
    imports: Mapping[str, Any] | None = None,
    *,
    wasi: Any = None,
    fuel: int | None = None,
    store: Store | None = None,
    limits: StoreLimits | None = None,
) -> Instance:
    """Instantiate a validated module (or a module value from module linking). `imports`:
    {module: {field: value}} where a value is a Python callable, Func, Memory, Table, Global,
    or an Instance's exports; a single-level import takes {module: value}, where an
    instance may be an Instance or a mapping of its exports and a module a Module, or a
    module that an instance exported. `limits` (`wasmlab.Limits`) bound what the store may
    hold (a given `store` takes them; else the library's defaults); their `fuel` applies
    when `fuel` is not given, and bounds the start function as it bounds each call of an
    export (`Exhaustion` when it runs out). Running out of host memory is a LinkError,
    never a Python MemoryError."""
    if limits is not None and not isinstance(limits, StoreLimits):
        raise WasmError(f"limits must be a wasmlab.Limits, got {type(limits).__name__}")
    if store is None:
        store = Store(limits) if limits is not None else Store()
    elif limits is not None:
        store.limits = limits
    if fuel is None:
        fuel = store.limits.fuel
    before = store.start_fuel
    if fuel is not None:
        store.start_fuel = fuel  # the start function runs on the same fuel as each call
    try:
        return _instantiate_in(store, module, imports, wasi, fuel)
    except (MemoryError, RecursionError) as e:
        raise LinkError(f"instantiation ran out of host resources ({type(e).__name__}: {e})") from None
    finally:
        store.start_fuel = before


def _instantiate_in(
    store: Store, module: Any, imports: Mapping[str, Any] | None, wasi: Any, fuel: int | None
) -> Instance:
    all_imports = dict(imports or {})
    if wasi is not None:
        from .wasi import wasi_imports

        all_imports.update(wasi_imports(wasi))
    if isinstance(module, LinkedModule):
        module = module.inst
    if isinstance(module, ModuleValue) or module.uses_linking:
        value = module if isinstance(module, ModuleValue) else ModuleValue(compile_blob(module))
        resolve = resolver_for(all_imports, list(value.info.scope.types))
        inst = linking_instantiate(store, value, top_level_supply(value, resolve))
    else:
        resolve = resolver_for(all_imports, module.types, module)
        inst = _instantiate(store, module, resolve)
    instance = Instance(inst, store, fuel)
    if wasi is not None:
        wasi.bind(instance)
    return instance


def load(source: Any, imports: Mapping[str, Any] | None = None, *, wasi: Any = None,
         fuel: int | None = None, features: FeatureSpec = None,
         limits: StoreLimits | None = None) -> Instance:  # fmt: skip
    """Parse (bytes, WAT text or path) and instantiate (`limits`: see `instantiate`)."""
    return instantiate(parse(source, features=features), imports, wasi=wasi, fuel=fuel, limits=limits)


__all__ = [
    "Exports", "Func", "FuncTier", "Global", "default_value", "Instance", "LinkedModule", "Memory", "StoreLimits", "Table", "TierReport", "decode",
    "encode", "from_wasm", "graph", "instantiate", "load", "parse", "print_wat", "resolver_for", "tier_setting", "to_wasm",
    "type_tables", "types_canon", "validate",
]  # fmt: skip
