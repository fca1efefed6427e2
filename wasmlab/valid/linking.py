"""Validation of the module-linking proposal as wasmtime 0.22 (wasmparser 0.71) checked it.

Every type is first made *canonical*: a function type stays a `FuncType`; a module or
instance type becomes a `ModuleSig`/`InstanceSig` whose entries hold the canonical types
of what they name instead of type indices. Canonical types compare structurally, need no
context (a type aliased from the parent means the same thing in the child) and are what
`wasmlab.linking.TypeTables` interns.

The rules, in the order the initial sections are read:

- a type's indices name earlier types of the right form; export names of a module or
  instance type are unique;
- an import of a module or instance names a module or instance type;
- an instance instantiates a known module with exactly one argument per import of its
  type, each a *subtype* of that import (functions and globals equal, tables and memories
  by limits, instances: every expected export is there by name with a subtype, modules:
  as many imports, each matching, and the exports as for instances);
- an alias of an instance export names an export by position and its kind; a parent
  alias names a type or module the parent defined before this nested module (no parent
  alias in a top-level module, no other kinds);
- a nested module matches its declared module type: its imports and exports equal the
  type's, in order.

`validate_linking(module, ctx)` is called by `wasmlab.valid.module` for every module that
uses module linking; it replaces the 2.0 index spaces of `ctx` (imports and aliases are
interleaved) and validates the nested modules, each with its parent in scope.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError
from ..syntax.module import (
    ALIAS_SECTION,
    IMPORT_SECTION,
    INSTANCE_SECTION,
    MODULE_SECTION,
    TYPE_SECTION,
    Alias,
    Import,
    InstanceDef,
    Module,
    ParentType,
)
from ..syntax.signatures import Canonical, Entity, InstanceSig, ModuleSig, entity_text
from ..syntax.types import (
    SPACE_ATTRS,
    ExportType,
    ExternKind,
    FuncType,
    GlobalType,
    ImportType,
    InstanceType,
    MemType,
    ModuleType,
    TableType,
    ValType,
)
from .types import check_mem_type, check_table_type

# --- subtyping (wasmparser's `check_imports_match`, wasmtime's `MatchCx`) ------------------


def subtype_error(expected: Entity, actual: Entity) -> str | None:
    """Why `actual` cannot be used where `expected` is required, or None when it can."""
    ek, et = expected
    ak, at = actual
    if ek is not ak:
        return "wrong kind of item used for instantiate"
    if ek is ExternKind.FUNC:
        return None if et == at else "function provided for instantiation has wrong type"
    if ek is ExternKind.TABLE:
        ok = et.elem == at.elem and at.limits.matches(et.limits)
        return None if ok else "table provided for instantiation has wrong type"
    if ek is ExternKind.MEMORY:
        ok = at.limits.matches(et.limits) and et.shared == at.shared
        return None if ok else "memory provided for instantiation has wrong type"
    if ek is ExternKind.GLOBAL:
        return None if et == at else "global provided for instantiation has wrong type"
    if ek is ExternKind.INSTANCE:
        return exports_error(et.exports, at)
    if ek is ExternKind.MODULE:
        if len(et.imports) != len(at.imports):
            return "mismatched number of module imports"
        for (_, _, e), (_, _, a) in zip(et.imports, at.imports):
            why = subtype_error(e, a)
            if why:
                return why
        return exports_error(et.exports, at.instance)
    return "wrong kind of item used for instantiate"


def exports_error(expected: tuple[tuple[str, Entity], ...], actual: InstanceSig) -> str | None:
    """Every expected export must be exported by `actual` (by name) with a subtype."""
    for name, e in expected:
        a = actual.export(name)
        if a is None:
            return f"no export named `{name}`"
        why = subtype_error(e, a)
        if why:
            return why
    return None


def is_subtype(expected: Entity, actual: Entity) -> bool:
    return subtype_error(expected, actual) is None


# --- the scope of one module -------------------------------------------------------------------


@dataclass
class Scope:
    """What a module's initial sections define, in canonical types, plus its parent's view."""

    module: Module
    parent: Scope | None = None
    parent_types: int = 0  # how many of the parent's types / modules were defined before
    parent_modules: int = 0  # this nested module was declared (what it may alias)
    expected: ModuleSig | None = None  # the declared type of a nested module
    types: list[Canonical] = field(default_factory=list)
    funcs: list[FuncType] = field(default_factory=list)
    tables: list[TableType] = field(default_factory=list)
    mems: list[MemType] = field(default_factory=list)
    globals: list[GlobalType] = field(default_factory=list)
    modules: list[ModuleSig] = field(default_factory=list)
    instances: list[InstanceSig] = field(default_factory=list)
    # per nested module (module-code entry): (declared type, types and modules before it)
    declared: list[tuple[ModuleSig, int, int]] = field(default_factory=list)
    imports_seen: int = 0
    #: per kind, how many items imports and aliases define (before the module's own)
    num_imported: dict[ExternKind, int] = field(default_factory=dict)
    nested: list[Scope] = field(default_factory=list)  # filled by `resolve`

    def space(self, kind: ExternKind) -> list[Any]:
        return getattr(self, SPACE_ATTRS[kind])

    def item(self, kind: ExternKind, index: object, where: str) -> Entity:
        """The canonical type of item `index` of `kind` (instantiate argument, export)."""
        if kind is ExternKind.TYPE:
            raise ValidationError(f"cannot export types (in {where})")
        if kind not in _SPACE_WORDS:
            raise ValidationError(f"unsupported item kind {kind} (in {where})")
        space = self.space(kind)
        if not isinstance(index, int) or not 0 <= index < len(space):
            word = _SPACE_WORDS[kind]
            raise ValidationError(f"unknown {word} {index}: {word} index out of bounds (in {where})")
        return kind, space[index]


_SPACE_WORDS = {
    ExternKind.FUNC: "function",
    ExternKind.TABLE: "table",
    ExternKind.MEMORY: "memory",
    ExternKind.GLOBAL: "global",
    ExternKind.MODULE: "module",
    ExternKind.INSTANCE: "instance",
}

_FORM_WORDS = {FuncType: "function", ModuleSig: "module", InstanceSig: "instance"}


def _type_at(scope: Scope, index: object, form: type, where: str) -> Any:
    if not isinstance(index, int) or not 0 <= index < len(scope.types):
        raise ValidationError(f"unknown type {index}: type index out of bounds (in {where})")
    t = scope.types[index]
    if not isinstance(t, form):
        word = _FORM_WORDS[form]
        article = "an" if word[0] in "aeiou" else "a"
        raise ValidationError(f"type index {index} is not {article} {word} (in {where})")
    return t


def _check_valtype(t: object, where: str) -> None:
    if not isinstance(t, ValType):
        raise ValidationError(f"malformed value type {t!r} (in {where})")


def entity_of_desc(scope: Scope, kind: ExternKind, desc: object, where: str, in_type: bool = True) -> Entity:
    """The canonical type an import descriptor (or export type) names. Shared memories
    (threads) may only be described in module and instance types (`in_type`)."""
    if kind is ExternKind.FUNC:
        return kind, _type_at(scope, desc, FuncType, where)
    if kind is ExternKind.MODULE:
        return kind, _type_at(scope, desc, ModuleSig, where)
    if kind is ExternKind.INSTANCE:
        return kind, _type_at(scope, desc, InstanceSig, where)
    if kind is ExternKind.TABLE:
        if not isinstance(desc, TableType):
            raise ValidationError(f"malformed table type (in {where})")
        check_table_type(desc, where)
        return kind, desc
    if kind is ExternKind.MEMORY:
        if not isinstance(desc, MemType):
            raise ValidationError(f"malformed memory type (in {where})")
        check_mem_type(desc, where, shared_ok=True)
        if desc.shared:
            if not in_type:
                raise ValidationError(f"threads must be enabled for shared memories (in {where})")
            if desc.limits.max is None:
                raise ValidationError(f"shared memory must have maximum size (in {where})")
        return kind, desc
    if kind is ExternKind.GLOBAL:
        if not isinstance(desc, GlobalType):
            raise ValidationError(f"malformed global type (in {where})")
        _check_valtype(desc.type, where)
        return kind, desc
    raise ValidationError(f"items of kind {kind} cannot be imported or exported (in {where})")


def _exports(scope: Scope, exports: tuple[ExportType, ...], where: str) -> tuple[tuple[str, Entity], ...]:
    names: set[str] = set()
    out = []
    for ex in exports:
        if ex.name in names:
            raise ValidationError(f"duplicate export name {ex.name!r} (in {where})")
        names.add(ex.name)
        out.append((ex.name, entity_of_desc(scope, ex.kind, ex.desc, f"{where}, export {ex.name!r}")))
    return tuple(out)


def canonical_type(scope: Scope, t: object, where: str) -> Canonical:
    """The canonical form of a type definition (its indices name earlier types)."""
    if isinstance(t, FuncType):
        for v in (*t.params, *t.results):
            _check_valtype(v, where)
        return t
    if isinstance(t, InstanceType):
        return InstanceSig(_exports(scope, t.exports, where))
    if isinstance(t, ModuleType):
        imports = []
        for k, imp in enumerate(t.imports):
            if not isinstance(imp, ImportType):
                raise ValidationError(f"malformed import {k} (in {where})")
            imports.append(
                (imp.module, imp.name, entity_of_desc(scope, imp.kind, imp.desc, f"{where}, import {k}"))
            )
        return ModuleSig(tuple(imports), _exports(scope, t.exports, where))
    raise ValidationError(f"unknown kind of type definition {type(t).__name__} (in {where})")


# --- walking a module ---------------------------------------------------------------------------


def _import(scope: Scope, imp: Import, number: int) -> None:
    where = f'import "{imp.module}"' + ("" if imp.name is None else f' "{imp.name}"')
    kind, t = entity_of_desc(scope, imp.kind, imp.desc, where, in_type=False)
    scope.space(kind).append(t)
    expected = scope.expected
    if expected is not None:
        if number >= len(expected.imports) or expected.imports[number] != (imp.module, imp.name, (kind, t)):
            raise ValidationError(f"inline module type does not match declared type ({where})")


def _parent_item(space: list[Any], defined: int, index: object, word: str, where: str) -> Any:
    """Item `index` of a parent's index space, of which the first `defined` come before the
    nested module (the ones it may alias)."""
    if not isinstance(index, int) or not 0 <= index < len(space):
        raise ValidationError(f"unknown {word} {index}: {word} index out of bounds ({where})")
    if index >= defined:
        raise ValidationError(f"alias to {word} not defined in parent yet ({where})")
    return space[index]


def _alias(scope: Scope, a: Alias, where: str) -> None:
    if a.instance is None:
        parent = scope.parent
        if parent is None:
            raise ValidationError(f"no parent module to alias from ({where})")
        if a.kind is ExternKind.MODULE:
            scope.modules.append(_parent_item(parent.modules, scope.parent_modules, a.index, "module", where))
        elif a.kind is ExternKind.TYPE:
            scope.types.append(_parent_item(parent.types, scope.parent_types, a.index, "type", where))
        else:
            raise ValidationError(f"only parent types/modules can be aliased ({where})")
        return
    if not isinstance(a.instance, int) or not 0 <= a.instance < len(scope.instances):
        raise ValidationError(f"unknown instance {a.instance}: instance index out of bounds ({where})")
    exports = scope.instances[a.instance].exports
    if not isinstance(a.index, int) or not 0 <= a.index < len(exports):
        raise ValidationError(f"aliased export index out of bounds ({where})")
    kind, t = exports[a.index][1]
    if kind is not a.kind:
        raise ValidationError(f"alias kind mismatch with export kind ({where})")
    scope.space(kind).append(t)


def _instance(scope: Scope, inst: InstanceDef, where: str) -> None:
    if not isinstance(inst.module, int) or not 0 <= inst.module < len(scope.modules):
        raise ValidationError(f"unknown module {inst.module}: module index out of bounds ({where})")
    sig = scope.modules[inst.module]
    if len(inst.args) != len(sig.imports):
        raise ValidationError(
            f"wrong number of imports provided ({where}: module {inst.module} has "
            f"{len(sig.imports)} imports, {len(inst.args)} arguments given)"
        )
    for k, ((kind, index), (_, _, expected)) in enumerate(zip(inst.args, sig.imports)):
        actual = scope.item(kind, index, f"{where}, argument {k}")
        why = subtype_error(expected, actual)
        if why:
            raise ValidationError(
                f"{why} ({where}, argument {k})", expected=entity_text(expected), found=entity_text(actual)
            )
    scope.instances.append(sig.instance)


def walk_initial(scope: Scope) -> None:
    """Read the initial sections of `scope.module` in binary order, filling `scope`."""
    m = scope.module
    try:
        items = m.initial_items()
    except ValueError as e:
        raise ValidationError(f"malformed module layout: {e}") from None
    for sid, item in items:
        if sid == TYPE_SECTION:
            t = m.types[item]
            if isinstance(t, ParentType):
                raise ValidationError(f"type {item} is a parent alias but is listed as a definition")
            scope.types.append(canonical_type(scope, t, f"type {item}"))
        elif sid == IMPORT_SECTION:
            _import(scope, item, scope.imports_seen)
            scope.imports_seen += 1
        elif sid == MODULE_SECTION:
            nested = m.modules[item]
            declared = _type_at(scope, nested.module_type, ModuleSig, f"module {len(scope.modules)}")
            scope.declared.append((declared, len(scope.types), len(scope.modules)))
            scope.modules.append(declared)
        elif sid == INSTANCE_SECTION:
            _instance(scope, item, f"instance {len(scope.instances)}")
        elif sid == ALIAS_SECTION:
            _alias(
                scope, item, f"alias of {item.kind.text} {'parent' if item.instance is None else 'instance'}"
            )


def export_entity(scope: Scope, kind: ExternKind, index: int, where: str) -> Entity:
    return scope.item(kind, index, where)


def _check_exports(scope: Scope) -> None:
    m = scope.module
    expected = scope.expected
    for k, ex in enumerate(m.exports):
        if ex.kind is ExternKind.TYPE:
            raise ValidationError(f"cannot export types (export {ex.name!r})")
        if ex.kind in (ExternKind.MODULE, ExternKind.INSTANCE):
            space = scope.space(ex.kind)
            if not isinstance(ex.index, int) or not 0 <= ex.index < len(space):
                word = _SPACE_WORDS[ex.kind]
                raise ValidationError(f"unknown {word} {ex.index}: exported {word} index out of bounds")
        if expected is not None:
            ent = scope.item(ex.kind, ex.index, f"export {ex.name!r}")
            if k >= len(expected.exports) or expected.exports[k] != (ex.name, ent):
                raise ValidationError(f"inline module type does not match declared type (export {ex.name!r})")
    if expected is not None and (
        len(m.exports) != len(expected.exports) or scope.imports_seen != len(expected.imports)
    ):
        raise ValidationError("inline module type does not match declared type")


# --- entry points ---------------------------------------------------------------------------------

#: the scope of the parent while one of its nested modules is validated
_PARENT: contextvars.ContextVar[tuple[Scope, ModuleSig, int, int] | None] = contextvars.ContextVar(
    "wasmlab_linking_parent", default=None
)


@contextmanager
def _nested(parent: Scope, declared: ModuleSig, n_types: int, n_modules: int) -> Iterator[None]:
    token = _PARENT.set((parent, declared, n_types, n_modules))
    try:
        yield
    finally:
        _PARENT.reset(token)


def needs_linking(module: Module) -> bool:
    """A module that uses module linking, or any nested module (it has a declared type)."""
    return (
        _PARENT.get() is not None
        or module.uses_linking
        or any(isinstance(t, ParentType) for t in module.types)
    )


def scope_for(module: Module) -> Scope:
    """Walk `module`'s initial sections in the current nesting context (no bodies)."""
    outer = _PARENT.get()
    scope = Scope(module)
    if outer is not None:
        parent, declared, n_types, n_modules = outer
        scope.parent, scope.expected = parent, declared
        scope.parent_types, scope.parent_modules = n_types, n_modules
    walk_initial(scope)
    scope.num_imported = {k: len(scope.space(k)) for k in _SPACE_WORDS}
    for f in module.funcs:
        scope.funcs.append(_type_at(scope, f.type, FuncType, f"func {len(scope.funcs)}"))
    scope.tables.extend(t.type for t in module.tables)
    scope.mems.extend(m.type for m in module.mems)
    scope.globals.extend(g.type for g in module.globals)
    module.linked_func_types = list(scope.funcs)
    return scope


def validate_linking(module: Module, ctx: Any, validate_nested: Callable[[Module, Any], None]) -> Scope:
    """Check `module`'s module-linking parts, set the index spaces of `ctx` (the 2.0
    validation context) from them, and validate its nested modules with
    `validate_nested(module, features)` (the module validator)."""
    scope = scope_for(module)
    ctx.types = scope.types
    ctx.funcs = scope.funcs
    ctx.tables = scope.tables
    ctx.mems = scope.mems
    ctx.num_imported_globals = scope.num_imported[ExternKind.GLOBAL]
    ctx.globals = scope.globals
    ctx.linking = scope
    _check_exports(scope)
    if len(module.modules) != len(scope.declared):
        raise ValidationError("module and module code sections have inconsistent lengths")
    for k, (nested, (declared, n_types, n_modules)) in enumerate(zip(module.modules, scope.declared)):
        with _nested(scope, declared, n_types, n_modules):
            try:
                validate_nested(nested, ctx.features)
            except ValidationError as e:
                if e.message.startswith("in nested module"):
                    raise
                raise ValidationError(f"in nested module {k}: {e.message}") from None
    return scope


def resolve(module: Module) -> Scope:
    """The scopes of a (valid) module and all its nested modules, without checking bodies:
    `Scope.nested` lists the children's scopes. Used to build `TypeTables`."""
    scope = scope_for(module)
    children = []
    for nested, (declared, n_types, n_modules) in zip(module.modules, scope.declared):
        with _nested(scope, declared, n_types, n_modules):
            children.append(resolve(nested))
    scope.nested = children
    return scope


__all__ = [
    "Scope", "exports_error", "is_subtype", "needs_linking", "resolve", "scope_for", "subtype_error", "validate_linking",
]  # fmt: skip
