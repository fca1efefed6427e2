"""Instantiating a module of a blob: one walk over its initializers.

`instantiate(store, value, supply)` matches each `Initializer` of the module in order,
keeping one list per index space in the new `ModuleInst`:

- `ImportInitializer`: `supply(init)` gives the value (the embedder's, type-checked against
  the import, at top level; the next positional argument in a nested instantiation);
- `AliasParentModule`: the module list of the parent (`parent_modules`);
- `AliasInstanceExport`: the instance's export of that name;
- `Instantiate`: recursion, with this module's module list as the child's parent list and
  the arguments taken from this module's index spaces;
- `DefineModule`: a `ModuleValue` for the blob's module;

then makes the module's own definitions and runs its segments and start
(`wasmlab.exec.instantiate.define`, `initialize`), as for a 2.0 module.

Instantiation recurses once per nesting level of `Instantiate`, never per wasm call.
A nested instance is named by its path (`$c1`, `$outer.$inner`) and so are its functions
(`$c1.$inc`), so traps and the debugger's call stack say which instance ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LinkError
from ..exec.instantiate import define, initialize
from ..exec.runtime import ModuleInst, Store
from .blob import ModuleInfo
from .initializers import (
    AliasInstanceExport,
    AliasParentModule,
    DefineModule,
    ImportInitializer,
    Instantiate,
)
from .values import ModuleValue, check_value

Supply = Callable[[ImportInitializer], Any]


def instance_label(info: ModuleInfo, instance: int) -> str:
    return info.instance_labels.get(instance) or f"instance[{instance}]"


def instantiate(
    store: Store,
    value: ModuleValue,
    supply: Supply,
    *,
    parent_modules: list[Any] | None = None,
    name: str | None = None,
    run_start: bool = True,
) -> ModuleInst:
    """Instantiate module `value` (a module of a compiled blob). `supply(init)` gives the
    value of each `ImportInitializer`. Raises LinkError or Trap."""
    info = value.info
    parents = value.parent_modules if parent_modules is None else parent_modules
    store.limiter.instance(f"instance {name or info.label}")
    inst = ModuleInst(info.module, name)
    store.limiter.track("instance", inst)
    inst.types = list(info.scope.types)  # the type index space with parent aliases resolved
    for init in info.initializers:
        match init:
            case ImportInitializer(index=(kind, _)):
                inst.space(kind).append(supply(init))
            case AliasParentModule(module=module):
                if not 0 <= module < len(parents):
                    raise LinkError(f"parent module {module} is not available to {info.label}")
                inst.modules.append(parents[module])
            case AliasInstanceExport(instance=instance, name=export, index=(kind, _)):
                try:
                    item = inst.instances[instance].exports[export]
                except KeyError:
                    raise LinkError(f"instance {instance} has no export named `{export}`") from None
                inst.space(kind).append(item)
            case DefineModule(module=module):
                inst.modules.append(ModuleValue(value.blob, module, inst.modules))
            case Instantiate(module=module, args=args, index=(_, position)):
                child = inst.modules[module]
                if not isinstance(child, ModuleValue):
                    raise LinkError(f"module {module} is not a module value")
                label = instance_label(info, position)
                path = label if not name else f"{name}.{label}"
                supplied = _positional([inst.space(k)[i] for k, i in args])
                inst.instances.append(
                    instantiate(store, child, supplied, parent_modules=inst.modules, name=path)
                )
    define(inst, info.module, name, limiter=store.limiter)
    initialize(store, inst, info.module, run_start)
    store.instances.append(inst)
    return inst


def _positional(args: list[Any]) -> Supply:
    """`supply` for a nested instantiation: the arguments, in order."""
    items = iter(args)

    def supply(init: ImportInitializer) -> Any:
        try:
            return next(items)
        except StopIteration:
            raise LinkError("too few instantiation arguments") from None

    return supply


def top_level_supply(value: ModuleValue, resolve: Callable[..., Any]) -> Supply:
    """`supply` for a top-level instantiation: `resolve(module, field, kind, desc)` gives
    the embedder's value, which is checked against the import's type."""
    tables = value.blob.types
    info = value.info
    imports = info.module.imports
    position = iter(range(len(imports)))

    def supply(init: ImportInitializer) -> Any:
        imp = imports[next(position)]
        item = resolve(init.module, init.field, init.index[0], imp.desc)
        what = f"`{init.module}`" if init.field is None else f"`{init.module}::{init.field}`"
        check_value(tables.canonical(init.ty), item, what)
        return item

    return supply


__all__ = ["instantiate", "top_level_supply"]
