"""Compiling a module for module linking: one `Blob` per top-level module.

A blob is what wasmtime keeps per compiled binary: one `TypeTables` shared by every
module in it and a flat list of `ModuleInfo` (the top-level module first, then nested
modules in pre-order), each with its initializers and the TypeTables indices of its types,
instances and exports. `DefineModule(i)` names entry `i` of that list.

A blob is made once per (validated) module and kept in `Module.linked`; every instance of
every module in it shares the blob, its `Module` objects and therefore the code the
machine prepares from them (`Func.prepared`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LinkError, ValidationError
from ..syntax.module import (
    ALIAS_SECTION,
    IMPORT_SECTION,
    INSTANCE_SECTION,
    MODULE_SECTION,
    Module,
)
from ..syntax.signatures import ModuleSig
from ..syntax.types import ExternKind
from ..valid.linking import Scope, entity_of_desc, resolve
from .initializers import (
    AliasInstanceExport,
    AliasParentModule,
    DefineModule,
    ImportInitializer,
    Initializer,
    Instantiate,
)
from .types import EntityType, TypeTables


@dataclass
class ModuleInfo:
    """One module of a blob, translated: what instantiating it needs."""

    index: int  # in `Blob.modules`
    module: Module
    scope: Scope
    parent: int | None  # the blob index of the enclosing module
    label: str  # `$id` or `module[N]` (N: its index in the parent's module space)
    signature: int  # its module type (ModuleTypeIndex)
    types: list[tuple[str, int]] = field(default_factory=list)  # typeidx -> ("func"|..., index)
    instance_types: list[int] = field(default_factory=list)  # instance idx -> InstanceTypeIndex
    initializers: list[Initializer] = field(default_factory=list)
    nested: list[int] = field(default_factory=list)  # blob indices of its module definitions
    instance_labels: dict[int, str] = field(default_factory=dict)  # instance idx -> `$id`
    path: str = ""  # labels from the top module down, joined by "/"


@dataclass
class Blob:
    types: TypeTables
    modules: list[ModuleInfo]

    @property
    def top(self) -> ModuleInfo:
        return self.modules[0]

    def index_of(self, module: Module) -> int:
        """The position of a (top-level or nested) module of this blob."""
        for info in self.modules:
            if info.module is module:
                return info.index
        raise LinkError("the module is not part of this blob")

    def __repr__(self) -> str:
        return f"<Blob {len(self.modules)} modules, {len(self.types)} signatures>"


def module_sig(scope: Scope) -> ModuleSig:
    """The module type of a module: its imports and exports with canonical types."""
    m = scope.module
    imports = []
    for imp in m.imports:
        imports.append((imp.module, imp.name, entity_of_desc(scope, imp.kind, imp.desc, "import")))
    exports = tuple((ex.name, scope.item(ex.kind, ex.index, f"export {ex.name!r}")) for ex in m.exports)
    return ModuleSig(tuple(imports), exports)


def compile_blob(module: Module) -> Blob:
    """The blob of a validated top-level module (made once, then kept in `module.linked`)."""
    blob = module.linked
    if isinstance(blob, Blob):
        return blob  # (a nested module answers with the blob of its top-level module)
    try:
        scope = resolve(module)
    except ValidationError as e:
        raise LinkError(f"cannot compile an invalid module: {e}") from None
    tables = TypeTables()
    blob = Blob(tables, [])
    _translate(blob, scope, None, module.id or "(top)")
    module.linked = blob
    return blob


def _translate(blob: Blob, scope: Scope, parent: int | None, label: str) -> int:
    tables = blob.types
    m = scope.module
    info = ModuleInfo(len(blob.modules), m, scope, parent, label, tables.intern(module_sig(scope))[1])
    info.path = label if parent is None else f"{blob.modules[parent].path}/{label}"
    blob.modules.append(info)
    m.linked = blob
    info.types = [tables.intern(t) for t in scope.types]
    info.instance_types = [tables.intern(t)[1] for t in scope.instances]

    counts = dict.fromkeys(ExternKind, 0)
    # items each index space holds, in order, to name what an alias picks
    inits: list[Initializer] = []
    instance_sigs = scope.instances
    pending_nested: list[tuple[int, str]] = []
    for sid, item in m.initial_items():
        if sid == IMPORT_SECTION:
            ent = tables.entity(entity_of_desc(scope, item.kind, item.desc, "import"))
            inits.append(ImportInitializer(item.module, item.name, (item.kind, counts[item.kind]), ent))
            counts[item.kind] += 1
        elif sid == ALIAS_SECTION:
            a = item
            if a.kind is ExternKind.TYPE:
                continue  # resolved into TypeTables
            if a.instance is None:
                inits.append(AliasParentModule(a.index, (ExternKind.MODULE, counts[ExternKind.MODULE])))
            else:
                name = instance_sigs[a.instance].exports[a.index][0]
                inits.append(AliasInstanceExport(a.instance, a.index, name, (a.kind, counts[a.kind])))
            counts[a.kind] += 1
        elif sid == INSTANCE_SECTION:
            args = tuple((k, i) for k, i in item.args)
            if item.id:
                info.instance_labels[counts[ExternKind.INSTANCE]] = item.id
            inits.append(Instantiate(item.module, args, (ExternKind.INSTANCE, counts[ExternKind.INSTANCE])))
            counts[ExternKind.INSTANCE] += 1
        elif sid == MODULE_SECTION:
            nested = m.modules[item]
            child_label = nested.id or f"module[{counts[ExternKind.MODULE]}]"
            pending_nested.append((len(inits), child_label))
            inits.append(DefineModule(-1, (ExternKind.MODULE, counts[ExternKind.MODULE])))
            counts[ExternKind.MODULE] += 1
    # nested modules get their blob indices (pre-order) once this module is listed
    for (at, child_label), child_scope in zip(pending_nested, scope.nested):
        child = _translate(blob, child_scope, info.index, child_label)
        info.nested.append(child)
        old = inits[at]
        assert isinstance(old, DefineModule)
        inits[at] = DefineModule(child, old.index)
    info.initializers = inits
    return info.index


def entity_of(info: ModuleInfo, tables: TypeTables, kind: ExternKind, index: int) -> EntityType:
    """The TypeTables type of item `index` of `kind` in a module (export, argument)."""
    return tables.entity(info.scope.item(kind, index, "item"))


__all__ = ["Blob", "ModuleInfo", "compile_blob", "entity_of", "module_sig"]
