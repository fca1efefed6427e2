"""Modules and instances as first-class run-time values, and matching them against types.

A module value (`ModuleValue`) is a module of a blob plus the module list its parent
aliases read when it is instantiated from Python (nested `Instantiate` initializers use
the instantiating module's list, as wasmtime 0.22 did). An instance value is a
`wasmlab.exec.runtime.ModuleInst`; a host may also supply a mapping of exports, which
becomes a `HostInstance`.

`check_value` is wasmtime 0.22's `MatchCx`: functions and globals must have equal types,
tables and memories fit the expected limits (current sizes), an instance must export every
expected name with a matching item (it may export more), a module must have as many
imports, each matching in order, and export what is expected (it may export more).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import LinkError
from ..exec.runtime import ModuleInst
from ..syntax.signatures import Entity, InstanceSig, ModuleSig, entity_text
from ..syntax.types import ExternKind
from ..valid.linking import subtype_error

if TYPE_CHECKING:
    from .blob import Blob, ModuleInfo


class ModuleValue:
    """A module as a value: module `index` of `blob`, with the module list its parent
    aliases read (`parent_modules`) when it is instantiated from Python."""

    def __init__(self, blob: Blob, index: int = 0, parent_modules: list[Any] | None = None) -> None:
        self.blob = blob
        self.index = index
        self.parent_modules = parent_modules if parent_modules is not None else []

    @property
    def info(self) -> ModuleInfo:
        return self.blob.modules[self.index]

    @property
    def module(self) -> Any:
        """The syntax `Module`."""
        return self.info.module

    @property
    def sig(self) -> ModuleSig:
        """Its module type (canonical)."""
        return self.blob.types.module_signatures[self.info.signature]

    @property
    def type(self) -> ModuleSig:
        return self.sig

    @property
    def type_tables(self) -> Any:
        return self.blob.types

    @property
    def name(self) -> str:
        return self.info.label

    def __repr__(self) -> str:
        return f"<Module {self.name} {self.sig}>"


class HostInstance(ModuleInst):
    """An instance made by the host from a mapping of export name -> item."""

    def __init__(self, exports: Mapping[str, Any], name: str = "host") -> None:
        from ..syntax.module import Module

        super().__init__(Module(), name)
        self.exports = dict(exports)


# --- the types of values ---------------------------------------------------------------------------


def kind_of(value: Any) -> ExternKind | None:
    """The kind of a run-time item: the core kinds, then modules and instances."""
    from ..exec.instantiate import extern_kind

    kind = extern_kind(value)
    if kind is not None:
        return kind
    if isinstance(value, ModuleValue):
        return ExternKind.MODULE
    if isinstance(value, ModuleInst):
        return ExternKind.INSTANCE
    return None


def entity_of_value(value: Any) -> Entity:
    """The (canonical) type of a run-time item; tables and memories with their current size."""
    kind = kind_of(value)
    if kind is ExternKind.FUNC:
        return kind, value.type
    if kind is ExternKind.TABLE:
        t = value.type
        return kind, type(t)(t.limits.resized(len(value.elements)), t.elem)
    if kind is ExternKind.MEMORY:
        t = value.type
        return kind, type(t)(t.limits.resized(value.pages))
    if kind is ExternKind.GLOBAL:
        return kind, value.type
    if kind is ExternKind.MODULE:
        return kind, value.sig
    if kind is ExternKind.INSTANCE:
        return kind, InstanceSig(tuple((n, entity_of_value(v)) for n, v in value.exports.items()))
    raise LinkError(f"not a WebAssembly item: {value!r}")


def value_error(expected: Entity, value: Any) -> str | None:
    """Why `value` cannot be supplied where `expected` is imported, or None."""
    ek, et = expected
    actual_kind = kind_of(value)
    if actual_kind is not ek:
        got = actual_kind.text if actual_kind else type(value).__name__
        return f"expected {ek.text}, got {got}"
    if ek is ExternKind.FUNC:
        return None if value.type == et else f"function type {value.type} is not {et}"
    if ek is ExternKind.TABLE:
        ok = value.type.elem == et.elem and value.type.limits.resized(len(value.elements)).matches(et.limits)
        return None if ok else "table type mismatch"
    if ek is ExternKind.MEMORY:
        ok = not et.shared and value.type.limits.resized(value.pages).matches(et.limits)
        return None if ok else "memory type mismatch"
    if ek is ExternKind.GLOBAL:
        return None if value.type == et else f"global type {value.type} is not {et}"
    if ek is ExternKind.INSTANCE:
        for name, e in et.exports:
            if name not in value.exports:
                return f"instance has no export named `{name}`"
            why = value_error(e, value.exports[name])
            if why:
                return f"export `{name}`: {why}"
        return None
    if ek is ExternKind.MODULE:
        why = subtype_error(expected, (ExternKind.MODULE, value.sig))
        return None if why is None else f"module types incompatible ({why})"
    return f"cannot import items of kind {ek.text}"


def check_value(expected: Entity, value: Any, what: str) -> None:
    why = value_error(expected, value)
    if why is not None:
        raise LinkError(f"incompatible import type for {what}: {why} (expected {entity_text(expected)})")


__all__ = ["HostInstance", "ModuleValue", "check_value", "entity_of_value", "kind_of", "value_error"]
