"""`TypeTables`: every function, module and instance signature of one compiled blob.

As in wasmtime, one `TypeTables` is shared by a top-level module and all the modules
nested in it: modules refer to signatures by index (`SignatureIndex`, `ModuleTypeIndex`,
`InstanceTypeIndex`), never by copies. Signatures are interned, so a type a nested module
aliases from its parent, or declares again with the same shape, has one index.

- `wasm_signatures[i]`: a `FuncType`;
- `module_signatures[i]`: `ModuleSignature(imports=[(module, field or None, EntityType)],
  exports=InstanceTypeIndex)` (the exports of a module are the type of its instances);
- `instance_signatures[i]`: `InstanceSignature(exports={name: EntityType})` (in order).

An `EntityType` is a kind plus an index into these tables (functions, modules, instances)
or the table/memory/global type itself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from ..syntax.types import ExternKind, FuncType
from ..valid.linking import Entity, InstanceSig, ModuleSig

_TABLE_PREFIX = {ExternKind.FUNC: "sig", ExternKind.MODULE: "mod", ExternKind.INSTANCE: "inst"}


@dataclass(frozen=True)
class EntityType:
    """The type of an importable/exportable item: `kind` and a TypeTables index (func,
    module, instance) or the TableType/MemType/GlobalType itself."""

    kind: ExternKind
    index: Any

    @property
    def ref(self) -> str | None:
        """The TypeTables entry it names (`sig3`, `mod0`, `inst1`), None for the other kinds."""
        prefix = _TABLE_PREFIX.get(self.kind)
        return None if prefix is None else f"{prefix}{self.index}"

    def text(self) -> str:
        ref = self.ref
        return f"{self.kind.text} {self.index if ref is None else ref}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class ModuleSignature:
    imports: tuple[tuple[str, str | None, EntityType], ...]
    exports: int  # InstanceTypeIndex


@dataclass(frozen=True)
class InstanceSignature:
    exports: tuple[tuple[str, EntityType], ...]

    def get(self, name: str) -> EntityType | None:
        for n, e in self.exports:
            if n == name:
                return e
        return None

    def export_name(self, position: int) -> str:
        return self.exports[position][0]


@dataclass
class TypeTables:
    """The signature tables of one blob (see the module docstring)."""

    wasm_signatures: list[FuncType] = field(default_factory=list)
    module_signatures: list[ModuleSignature] = field(default_factory=list)
    instance_signatures: list[InstanceSignature] = field(default_factory=list)
    _index: dict[Any, tuple[str, int]] = field(default_factory=dict, repr=False)

    # --- interning ---------------------------------------------------------------------------

    def intern(self, t: FuncType | ModuleSig | InstanceSig) -> tuple[str, int]:
        """("func"|"module"|"instance", index) of a canonical type, added when new."""
        known = self._index.get(t)
        if known is not None:
            return known
        if isinstance(t, FuncType):
            out = ("func", len(self.wasm_signatures))
            self.wasm_signatures.append(t)
        elif isinstance(t, InstanceSig):
            exports = tuple((name, self.entity(e)) for name, e in t.exports)
            out = ("instance", len(self.instance_signatures))
            self.instance_signatures.append(InstanceSignature(exports))
        elif isinstance(t, ModuleSig):
            imports = tuple((m, f, self.entity(e)) for m, f, e in t.imports)
            exports = self.intern(t.instance)[1]
            out = ("module", len(self.module_signatures))
            self.module_signatures.append(ModuleSignature(imports, exports))
        else:  # pragma: no cover - validation only makes these three
            raise TypeError(f"not a canonical type: {t!r}")
        self._index[t] = out
        return out

    def entity(self, e: Entity) -> EntityType:
        kind, t = e
        if kind in (ExternKind.FUNC, ExternKind.MODULE, ExternKind.INSTANCE):
            return EntityType(kind, self.intern(t)[1])
        return EntityType(kind, t)

    # --- reading back ------------------------------------------------------------------------

    def canonical(self, e: EntityType) -> Entity:
        """The canonical (structural) type of an entity, for subtype checks."""
        kind = e.kind
        if kind is ExternKind.FUNC:
            return kind, self.wasm_signatures[e.index]
        if kind is ExternKind.INSTANCE:
            return kind, self.instance_sig(e.index)
        if kind is ExternKind.MODULE:
            return kind, self.module_sig(e.index)
        return kind, e.index

    def instance_sig(self, index: int) -> InstanceSig:
        sig = self.instance_signatures[index]
        return InstanceSig(tuple((n, self.canonical(e)) for n, e in sig.exports))

    def module_sig(self, index: int) -> ModuleSig:
        sig = self.module_signatures[index]
        imports = tuple((m, f, self.canonical(e)) for m, f, e in sig.imports)
        return ModuleSig(imports, self.instance_sig(sig.exports).exports)

    def __len__(self) -> int:
        return len(self.wasm_signatures) + len(self.module_signatures) + len(self.instance_signatures)

    # --- showing -----------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, str]]:
        """(name, signature text) for every entry: sigN, modN, instN."""
        out = [(f"sig{i}", str(t)) for i, t in enumerate(self.wasm_signatures)]
        for i, m in enumerate(self.module_signatures):
            imports = ", ".join(
                f'"{mod}"' + ("" if f is None else f' "{f}"') + f": {e}" for mod, f, e in m.imports
            )
            out.append((f"mod{i}", f"imports [{imports}] exports inst{m.exports}"))
        for i, s in enumerate(self.instance_signatures):
            exports = ", ".join(f'"{n}": {e}' for n, e in s.exports)
            out.append((f"inst{i}", f"exports {{{exports}}}"))
        return out

    def __str__(self) -> str:
        return "\n".join(f"{name:>7}  {text}" for name, text in self.rows())

    def _repr_html_(self) -> str:
        head = "<tr><th>kind</th><th>index</th><th>signature</th></tr>"
        body = []
        kinds = {"sig": "function", "mod": "module", "ins": "instance"}
        for name, text in self.rows():
            kind = kinds[name[:3]]
            body.append(
                f"<tr><td>{kind}</td><td><code>{html.escape(name)}</code></td>"
                f"<td style='text-align:left'><code>{html.escape(text)}</code></td></tr>"
            )
        caption = (
            f"<caption>TypeTables: {len(self.wasm_signatures)} function, "
            f"{len(self.module_signatures)} module, {len(self.instance_signatures)} instance signatures"
            "</caption>"
        )
        return f"<table class='wasmlab-type-tables'>{caption}{head}{''.join(body)}</table>"

    def graph(self) -> Any:
        """The tables as a `graphviz.Digraph` (see `wasmlab.viz.type_tables`)."""
        from ..viz.type_tables import type_tables_graph

        return type_tables_graph(self)


__all__ = ["EntityType", "InstanceSignature", "ModuleSignature", "TypeTables"]
