"""Module-linking initializers: what instantiating a module does before its own definitions.

As in wasmtime 0.22 (`wasmtime_environ::Initializer`), each module has a list of
initializers in the order of its initial sections:

- `ImportInitializer(module, field, index, ty)`: take the next supplied value (from the embedder at
  top level, the next positional argument in a nested instantiation) into `index`;
- `AliasParentModule(module, index)`: push the parent's module `module`;
- `AliasInstanceExport(instance, export, name, index)`: push export number `export` of
  instance `instance` (looked up by its `name`, as the instance may export more);
- `Instantiate(module, args, index)`: instantiate module `module` with the items `args`
  (positional), giving instance `index`;
- `DefineModule(module, index)`: push the blob's module number `module` (flat list).

`Initializer` is their union, and `wasmlab.linking.instantiate` walks a list of them with
one `match`. `index` is the `(kind, position)` an initializer fills in its module's index
spaces; the walk does not need it (it appends), pictures do. Parent *type* aliases need
nothing at run time: `TypeTables` resolved them. After the initializers come the module's
own definitions, segments and start (`wasmlab.exec.instantiate.define`, `initialize`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax.types import ExternKind
from .types import EntityType

EntityIndex = tuple[ExternKind, int]


@dataclass(frozen=True)
class ImportInitializer:
    """Take the next supplied value (`Initializer::Import` in wasmtime 0.22)."""

    module: str
    field: str | None
    index: EntityIndex
    ty: EntityType

    def text(self) -> str:
        where = f'"{self.module}"' if self.field is None else f'"{self.module}" "{self.field}"'
        return f"import {where} ({self.ty})"


@dataclass(frozen=True)
class AliasParentModule:
    module: int
    index: EntityIndex

    def text(self) -> str:
        return f"alias parent module {self.module}"


@dataclass(frozen=True)
class AliasInstanceExport:
    instance: int
    export: int
    name: str
    index: EntityIndex

    def text(self) -> str:
        return f'alias instance {self.instance} export {self.export} "{self.name}" ({self.index[0].text})'


@dataclass(frozen=True)
class Instantiate:
    module: int
    args: tuple[EntityIndex, ...]
    index: EntityIndex

    def text(self) -> str:
        args = " ".join(f"({k.text} {i})" for k, i in self.args)
        return f"instantiate module {self.module}" + (f" {args}" if args else "")


@dataclass(frozen=True)
class DefineModule:
    module: int
    index: EntityIndex

    def text(self) -> str:
        return f"define module (blob module {self.module})"


Initializer = ImportInitializer | AliasParentModule | AliasInstanceExport | Instantiate | DefineModule

__all__ = [
    "AliasInstanceExport", "AliasParentModule", "DefineModule", "EntityIndex", "ImportInitializer",
    "Initializer", "Instantiate",
]  # fmt: skip
