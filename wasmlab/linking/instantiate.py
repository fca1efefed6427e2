"""Instantiating a module of a blob: the walk over its initializers.

`instantiate(store, value, supply)` runs the module-linking initializers of the module,
then the 2.0 steps (`wasmlab.exec.instantiate`), keeping one list per index space in the
new `ModuleInst`:

- `Import`: `supply(init)` gives the value (the embedder's, type-checked against the import,
  at top level; the next positional argument in a nested instantiation);
- `AliasParentModule`: the module list of the parent (`parent_modules`);
- `AliasInstanceExport`: the instance's export of that name;
- `Instantiate`: recursion, with this module's module list as the child's parent list and
  the arguments taken from this module's index spaces;
- `DefineModule`: a `ModuleValue` for the blob's module.

Instantiation recurses once per nesting level of `Instantiate`, never per wasm call.
A nested instance is named by its path (`$c1`, `$outer.$inner`) and so are its functions
(`$c1.$inc`), so traps and the debugger's call stack say which instance ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LinkError
from ..exec.instantiate import DefineFuncs
from ..exec.instantiate import instantiate as exec_instantiate
from ..exec.runtime import ModuleInst, Store
from .blob import ModuleInfo
from .initializers import AliasInstanceExport, AliasParentModule, DefineModule, Import, Instantiate
from .values import ModuleValue, check_value

Supply = Callable[[Import], Any]


def _no_resolver(*_args: Any) -> Any:  # pragma: no cover - every import goes through `supply`
    raise LinkError("no import resolver")


def _func_label(info: ModuleInfo, funcidx: int) -> str:
    name = info.module.names.funcs.get(funcidx)
    return f"${name}" if name else info.module.func_name(funcidx)


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
    value of each `Import` initializer. Raises LinkError or Trap."""
    blob = value.blob
    info = value.info
    parents = value.parent_modules if parent_modules is None else parent_modules
    path = name

    def on_import(inst: ModuleInst, init: Import) -> None:
        item = supply(init)
        inst.space(init.index[0]).append(item)

    def on_alias_parent(inst: ModuleInst, init: AliasParentModule) -> None:
        if not 0 <= init.module < len(parents):
            raise LinkError(f"parent module {init.module} is not available to {info.label}")
        inst.modules.append(parents[init.module])

    def on_alias_export(inst: ModuleInst, init: AliasInstanceExport) -> None:
        source = inst.instances[init.instance]
        try:
            item = source.exports[init.name]
        except KeyError:
            raise LinkError(f"instance {init.instance} has no export named `{init.name}`") from None
        inst.space(init.index[0]).append(item)

    def on_define(inst: ModuleInst, init: DefineModule) -> None:
        inst.modules.append(ModuleValue(blob, init.module, inst.modules))

    def on_instantiate(inst: ModuleInst, init: Instantiate) -> None:
        child = inst.modules[init.module]
        if not isinstance(child, ModuleValue):
            raise LinkError(f"module {init.module} is not a module value")
        args = iter([inst.space(kind)[idx] for kind, idx in init.args])

        def next_arg(imp: Import) -> Any:
            try:
                return next(args)
            except StopIteration:
                raise LinkError("too few instantiation arguments") from None

        label = instance_label(info, init.index[1])
        child_path = label if not path else f"{path}.{label}"
        made = instantiate(store, child, next_arg, parent_modules=inst.modules, name=child_path)
        inst.instances.append(made)

    def on_define_funcs(inst: ModuleInst, init: DefineFuncs) -> None:
        from ..exec.instantiate import _apply

        base = len(inst.funcs)
        _apply(store, inst, info.module, init, _no_resolver, run_start)
        if path:
            for k, f in enumerate(inst.funcs[base:]):
                f.name = f"{path}.{_func_label(info, base + k)}"

    def prepare(inst: ModuleInst) -> None:
        # the type index space with parent aliases resolved (canonical function types)
        inst.types = list(info.scope.types)

    handlers: dict[type, Callable[..., None]] = {
        Import: on_import,
        AliasParentModule: on_alias_parent,
        AliasInstanceExport: on_alias_export,
        DefineModule: on_define,
        Instantiate: on_instantiate,
        DefineFuncs: on_define_funcs,
        _Prepare: lambda inst, init: prepare(inst),
    }
    inits = [_Prepare(), *info.all_initializers]
    return exec_instantiate(
        store, info.module, _no_resolver, name=path, run_start=run_start, inits=inits, handlers=handlers
    )


class _Prepare:
    """First step of every walk: set up what the 2.0 steps read (the type index space)."""


def top_level_supply(value: ModuleValue, resolve: Callable[..., Any]) -> Supply:
    """`supply` for a top-level instantiation: `resolve(module, field, kind, desc)` gives
    the embedder's value, which is checked against the import's type."""
    tables = value.blob.types
    info = value.info
    imports = info.module.imports
    position = iter(range(len(imports)))

    def supply(init: Import) -> Any:
        imp = imports[next(position)]
        item = resolve(init.module, init.field, init.index[0], imp.desc)
        what = f"`{init.module}`" if init.field is None else f"`{init.module}::{init.field}`"
        check_value(tables.canonical(init.ty), item, what)
        return item

    return supply


__all__ = ["instantiate", "top_level_supply"]
