"""Canonical module and instance types (the module-linking proposal).

A module or instance type written with type indices (`syntax.types.ModuleType`,
`InstanceType`) is made *canonical* by validation: its entries hold the canonical types of
what they name instead of indices. Canonical types compare structurally and need no
context (a type aliased from the parent means the same thing in the child), so they are
what subtyping (`wasmlab.valid.linking`) compares and what `wasmlab.linking.TypeTables`
interns. An `Entity` is a kind with such a type (or the table/memory/global type itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import ExternKind, FuncType

#: (kind, canonical payload): FuncType | TableType | MemType | GlobalType | ModuleSig | InstanceSig
Entity = tuple[ExternKind, Any]


@dataclass(frozen=True)
class InstanceSig:
    """The type of an instance: its exports, in order, with their canonical types."""

    exports: tuple[tuple[str, Entity], ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("instance", self.exports)))

    def __hash__(self) -> int:  # kept: canonical types nest deeply and are hashed often
        return self._hash

    def export(self, name: str) -> Entity | None:
        for n, e in self.exports:
            if n == name:
                return e
        return None

    def __str__(self) -> str:
        return "(instance" + "".join(f' (export "{n}" {entity_text(e)})' for n, e in self.exports) + ")"


@dataclass(frozen=True)
class ModuleSig:
    """The type of a module: its imports (module, field or None, type) and exports, in order."""

    imports: tuple[tuple[str, str | None, Entity], ...] = ()
    exports: tuple[tuple[str, Entity], ...] = ()
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("module", self.imports, self.exports)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def instance(self) -> InstanceSig:
        """The type of an instance of this module."""
        return InstanceSig(self.exports)

    def __str__(self) -> str:
        parts = []
        for m, f, e in self.imports:
            where = f'"{m}"' if f is None else f'"{m}" "{f}"'
            parts.append(f" (import {where} {entity_text(e)})")
        parts += [f' (export "{n}" {entity_text(e)})' for n, e in self.exports]
        return "(module" + "".join(parts) + ")"


Canonical = FuncType | ModuleSig | InstanceSig


def entity_text(e: Entity) -> str:
    kind, t = e
    if kind is ExternKind.FUNC:
        return f"(func {t})"
    if kind in (ExternKind.MODULE, ExternKind.INSTANCE):
        return str(t)
    return f"({kind.text} {t})"


__all__ = ["Canonical", "Entity", "InstanceSig", "ModuleSig", "entity_text"]
