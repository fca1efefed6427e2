"""Module linking as wasmtime 0.22 shipped it: compiled blobs, TypeTables, initializers.

- `compile_blob(module)`: the `Blob` of a validated top-level module (one `TypeTables`
  shared by all its nested modules, a flat list of `ModuleInfo` with their initializers);
- `instantiate(store, value, supply)`: the walk over a module's initializers;
- `ModuleValue`, `HostInstance`: modules and instances as first-class values;
- `check_value`, `value_error`: wasmtime 0.22's import matching.

Binary and text formats live in `wasmlab.binary.linking` and `wasmlab.text`; validation in
`wasmlab.valid.linking`; pictures in `wasmlab.viz.initializers` and `wasmlab.viz.type_tables`.
"""

from .blob import Blob, ModuleInfo, compile_blob, module_sig
from .initializers import (
    AliasInstanceExport,
    AliasParentModule,
    DefineModule,
    ImportInitializer,
    Initializer,
    Instantiate,
)
from .instantiate import instantiate, top_level_supply
from .types import EntityType, TypeTables
from .values import HostInstance, ModuleValue, check_value, entity_of_value, kind_of, value_error

__all__ = [
    "AliasInstanceExport", "AliasParentModule", "Blob", "DefineModule", "EntityType",
    "HostInstance", "ImportInitializer", "Initializer", "Instantiate", "ModuleInfo", "ModuleValue", "TypeTables", "check_value", "compile_blob",
    "entity_of_value", "instantiate", "kind_of", "module_sig", "top_level_supply", "value_error",
]  # fmt: skip
