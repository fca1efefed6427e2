"""`TypeTables`: every function, module and instance signature of one compiled blob.

As in wasmtime, one `TypeTables` is shared by a top-level module and all the modules
nested in it: modules refer to signatures by index (`SignatureIndex`, `ModuleTypeIndex`,
`InstanceTypeIndex`), never by copies. Signatures are interned, so a type a nested module
aliases from its parent, or declares again with the same shape, has one index.

- `wasm_signatures[i]`: a `FuncType`;
- `module_signatures[i]`: a canonical `ModuleSig` (its imports, and its exports, which are
  the type of its instances: `instance_index(sig)` is their InstanceTypeIndex);
- `instance_signatures[i]`: a canonical `InstanceSig` (its exports, in order).

The tables hold the one structural form of module and instance types
(`wasmlab.syntax.signatures`); what wasmtime writes as indices into the tables is an
`EntityType`, a kind plus an index (functions, modules, instances) or the
table/memory/global type itself: `entity(e)` gives it for a canonical entity, and the
text and pictures show the tables that way.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from ..syntax.signatures import Entity, InstanceSig, ModuleSig
from ..syntax.types import ExternKind, FuncType

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


@dataclass
class TypeTables:
    """The signature tables of one blob (see the module docstring)."""

    wasm_signatures: list[FuncType] = field(default_factory=list)
    module_signatures: list[ModuleSig] = field(default_factory=list)
    instance_signatures: list[InstanceSig] = field(default_factory=list)
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
            for _, e in t.exports:
                self.entity(e)
            out = ("instance", len(self.instance_signatures))
            self.instance_signatures.append(t)
        elif isinstance(t, ModuleSig):
            for _, _, e in t.imports:
                self.entity(e)
            self.intern(t.instance)
            out = ("module", len(self.module_signatures))
            self.module_signatures.append(t)
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
            return kind, self.instance_signatures[e.index]
        if kind is ExternKind.MODULE:
            return kind, self.module_signatures[e.index]
        return kind, e.index

    def instance_index(self, sig: ModuleSig) -> int:
        """The InstanceTypeIndex of the instances of a module signature (its exports)."""
        return self.intern(sig.instance)[1]

    def __len__(self) -> int:
        return len(self.wasm_signatures) + len(self.module_signatures) + len(self.instance_signatures)

    # --- showing -----------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, str]]:
        """(name, signature text) for every entry: sigN, modN, instN."""
        out = [(f"sig{i}", str(t)) for i, t in enumerate(self.wasm_signatures)]
        entity = self.entity
        for i, m in enumerate(self.module_signatures):
            imports = ", ".join(
                f'"{mod}"' + ("" if f is None else f' "{f}"') + f": {entity(e)}" for mod, f, e in m.imports
            )
            out.append((f"mod{i}", f"imports [{imports}] exports inst{self.instance_index(m)}"))
        for i, s in enumerate(self.instance_signatures):
            exports = ", ".join(f'"{n}": {entity(e)}' for n, e in s.exports)
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


__all__ = ["EntityType", "TypeTables"]
