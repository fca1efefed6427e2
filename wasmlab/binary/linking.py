"""The module-linking proposal's binary format, as wasmtime 0.22 shipped it.

Two encodings existed within weeks of each other; both decode, and `encode` writes either:

| thing                         | "pr2451" (wasmparser 0.68) | "0.22" (wasmparser 0.71) |
|-------------------------------|----------------------------|--------------------------|
| module / instance / alias / module-code section | ids 100 / 101 / 102 / 103 | ids 14 / 15 / 16 / 17 |
| single-level import marker (in the field slot) | bytes `01 c0`      | bytes `00 ff`            |

Type, import, module, instance and alias sections may repeat and interleave before the
function section; `Module.initial_sections` keeps their order so re-encoding gives the same
bytes. Module types (form 0x61) are `vec(import) vec(exporttype)`, instance types (0x62)
`vec(exporttype)`, where `exporttype = name importdesc`. The instance section holds
`0x00 moduleidx vec(kind idx)`; the alias section `0x00 instanceidx kind exportpos` or
`0x01 kind idx` (an item of the parent module); the module-code section a `vec` of complete
modules, each prefixed by its size.

Importing this module registers the decoding rows in `wasmlab.binary.decode`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..errors import DecodeError
from ..syntax.module import (
    ALIAS_SECTION,
    IMPORT_SECTION,
    INSTANCE_SECTION,
    MODULE_CODE_SECTION,
    MODULE_SECTION,
    TYPE_SECTION,
    Alias,
    InstanceDef,
    Module,
    ParentType,
)
from ..syntax.types import ExportType, ExternKind, ImportType, InstanceType, Limits, MemType, ModuleType
from . import encode as core_encode
from .decode import (
    LINKING_IMPORT_KINDS,
    LINKING_SECTION_DECODERS,
    LINKING_TYPE_FORMS,
    Decoder,
    import_desc,
    import_field,
)
from .encode import IMPORT_DESC_ENCODERS, TYPE_ENCODERS, EncodeError, _name, _u32

#: encoding name -> (section ids for module, instance, alias, module code; import marker)
ENCODINGS: dict[str, tuple[dict[int, int], bytes]] = {
    "0.22": (
        {MODULE_SECTION: 14, INSTANCE_SECTION: 15, ALIAS_SECTION: 16, MODULE_CODE_SECTION: 17},
        b"\x00\xff",
    ),
    "pr2451": (
        {MODULE_SECTION: 100, INSTANCE_SECTION: 101, ALIAS_SECTION: 102, MODULE_CODE_SECTION: 103},
        b"\x01\xc0",
    ),
}

#: the kinds an instantiate argument or alias may name (7, type, only in parent aliases)
_ITEM_KINDS = {k.value: k for k in ExternKind if k is not ExternKind.TAG}


# --- decoding -----------------------------------------------------------------------------------


def _mem_type(d: Decoder) -> MemType:
    """A memory type whose flags may say `shared` (bit 1) besides `max` (bit 0)."""
    at = d.pos
    flags = d.u32()
    if flags > 3:
        raise d.fail("malformed memory type flags", at)
    lo = d.u32()
    hi = d.u32() if flags & 1 else None
    return MemType(Limits(lo, hi), bool(flags & 2))


def _kind(d: Decoder, what: str) -> ExternKind:
    at = d.pos
    kind = _ITEM_KINDS.get(d.byte())
    if kind is None:
        raise d.fail(f"malformed {what} kind", at)
    return kind


def _import_type(d: Decoder) -> ImportType:
    module = d.name()
    name = import_field(d)
    kind, desc = import_desc(d)
    return ImportType(module, name, kind, desc)


def _export_type(d: Decoder) -> ExportType:
    name = d.name()
    kind, desc = import_desc(d)
    return ExportType(name, kind, desc)


def _module_type(d: Decoder) -> ModuleType:
    imports = tuple(d.vec(_import_type))
    exports = tuple(d.vec(_export_type))
    return ModuleType(imports, exports)


def _instance_type(d: Decoder) -> InstanceType:
    return InstanceType(tuple(d.vec(_export_type)))


def _module_section(d: Decoder, size: int, start: int) -> None:
    decls = d.vec(Decoder.u32)
    d.module_decls.extend(decls)
    d.layout.append((MODULE_SECTION, len(decls)))


def _instance(d: Decoder) -> InstanceDef:
    at = d.pos
    if d.byte() != 0x00:
        raise d.fail("malformed instance: expected 0x00 (instantiate)", at)
    module = d.u32()
    args = []
    for _ in range(d.length()):
        kind = _kind(d, "instantiate argument")
        args.append((kind, d.u32()))
    return InstanceDef(module, args, at)


def _instance_section(d: Decoder, size: int, start: int) -> None:
    instances = d.vec(_instance)
    d.module.instances.extend(instances)
    d.layout.append((INSTANCE_SECTION, len(instances)))


def _alias(d: Decoder) -> Alias:
    at = d.pos
    form = d.byte()
    if form == 0x00:
        instance = d.u32()
        kind = _kind(d, "alias")
        return Alias(kind, instance, d.u32(), at)
    if form == 0x01:
        kind = _kind(d, "alias")
        index = d.u32()
        alias = Alias(kind, None, index, at)
        return alias
    raise d.fail(f"malformed alias: unknown form {form:#04x}", at)


def _alias_section(d: Decoder, size: int, start: int) -> None:
    aliases = d.vec(_alias)
    m = d.module
    for a in aliases:
        if a.kind is ExternKind.TYPE:
            if a.instance is None and d.parent_types is not None and a.index < len(d.parent_types):
                m.types.append(d.parent_types[a.index])
            else:
                m.types.append(ParentType(a.index))
    m.aliases.extend(aliases)
    d.layout.append((ALIAS_SECTION, len(aliases)))


def _module_code_section(d: Decoder, size: int, start: int) -> None:
    count_at = d.pos
    count = d.length()
    if count != len(d.module_decls) or d.module.modules:
        raise d.fail("module and module code section have inconsistent lengths", count_at)
    for i in range(count):
        length = d.length()
        body = d.pos
        blob = d.take(length)
        try:
            nested = Decoder(
                blob, linking=True, parent_types=list(d.module.types), features=d.features
            ).decode()
        except DecodeError as e:
            raise DecodeError(e.reason, (e.offset or 0) + body) from None
        nested.module_type = d.module_decls[i]
        d.module.modules.append(nested)


LINKING_TYPE_FORMS.update({0x61: _module_type, 0x62: _instance_type})
LINKING_IMPORT_KINDS[2] = _mem_type
LINKING_SECTION_DECODERS.update(
    {
        14: _module_section,
        15: _instance_section,
        16: _alias_section,
        17: _module_code_section,
        100: _module_section,
        101: _instance_section,
        102: _alias_section,
        103: _module_code_section,
    }
)


# --- encoding -----------------------------------------------------------------------------------

Writer = Callable[[bytearray, object], None]


def check_encoding(name: str) -> None:

    if name not in ENCODINGS:
        raise EncodeError(f"unknown module-linking encoding {name!r} (known: {', '.join(ENCODINGS)})")


def write_field(out: bytearray, name: str | None, encoding: str) -> None:

    if name is None:
        out += ENCODINGS[encoding][1]
    else:
        _name(out, name)


def write_import_desc(out: bytearray, kind: ExternKind, desc: object) -> None:

    out.append(int(kind))
    if kind in (ExternKind.MODULE, ExternKind.INSTANCE):
        _u32(out, desc)  # type: ignore[arg-type]
        return
    if kind is ExternKind.MEMORY and getattr(desc, "shared", False):
        lim = desc.limits  # type: ignore[attr-defined]
        out.append(2 if lim.max is None else 3)
        _u32(out, lim.min)
        if lim.max is not None:
            _u32(out, lim.max)
        return
    writer = IMPORT_DESC_ENCODERS.get(int(kind))
    if writer is None:
        raise EncodeError(f"cannot encode an import of kind {kind!r}")
    writer(out, desc)


def write_module_type(out: bytearray, t: ModuleType, encoding: str) -> None:

    out.append(0x61)
    _u32(out, len(t.imports))
    for imp in t.imports:
        _name(out, imp.module)
        write_field(out, imp.name, encoding)
        write_import_desc(out, imp.kind, imp.desc)
    _u32(out, len(t.exports))
    for ex in t.exports:
        _name(out, ex.name)
        write_import_desc(out, ex.kind, ex.desc)


def write_instance_type(out: bytearray, t: InstanceType) -> None:

    out.append(0x62)
    _u32(out, len(t.exports))
    for ex in t.exports:
        _name(out, ex.name)
        write_import_desc(out, ex.kind, ex.desc)


def _write_type(out: bytearray, t: object, encoding: str) -> None:

    if isinstance(t, ModuleType):
        write_module_type(out, t, encoding)
    elif isinstance(t, InstanceType):
        write_instance_type(out, t)
    else:
        writer = TYPE_ENCODERS.get(type(t))
        if writer is None:
            raise EncodeError(f"cannot encode the type {t!r}")
        writer(out, t)


def _write_import(out: bytearray, imp: object, encoding: str) -> None:

    _name(out, imp.module)  # type: ignore[attr-defined]
    write_field(out, imp.name, encoding)  # type: ignore[attr-defined]
    write_import_desc(out, imp.kind, imp.desc)  # type: ignore[attr-defined]


def _write_instance(out: bytearray, inst: InstanceDef) -> None:

    out.append(0x00)
    _u32(out, inst.module)
    _u32(out, len(inst.args))
    for kind, idx in inst.args:
        out.append(int(kind))
        _u32(out, idx)


def _write_alias(out: bytearray, a: Alias) -> None:

    if a.instance is None:
        out.append(0x01)
        out.append(int(a.kind))
        _u32(out, a.index)
    else:
        out.append(0x00)
        _u32(out, a.instance)
        out.append(int(a.kind))
        _u32(out, a.index)


def initial_sections(module: Module, encoding: str) -> list[tuple[int, bytes]]:
    """The interleaved initial sections of `module` as (canonical id, payload), in order."""

    try:
        items = module.initial_items()
    except ValueError as e:
        raise EncodeError(str(e)) from None
    out: list[tuple[int, bytes]] = []
    pos = 0
    for sid, count in module.initial_sections_or_default():
        chunk = items[pos : pos + count]
        pos += count
        payload = bytearray()
        _u32(payload, count)
        for _, item in chunk:
            if sid == TYPE_SECTION:
                _write_type(payload, module.types[item], encoding)  # type: ignore[index]
            elif sid == IMPORT_SECTION:
                _write_import(payload, item, encoding)
            elif sid == MODULE_SECTION:
                nested = module.modules[item]  # type: ignore[index]
                if nested.module_type is None:
                    raise EncodeError(f"nested module {item} has no declared module type")
                _u32(payload, nested.module_type)
            elif sid == INSTANCE_SECTION:
                _write_instance(payload, item)  # type: ignore[arg-type]
            else:
                _write_alias(payload, item)  # type: ignore[arg-type]
        out.append((sid, bytes(payload)))
    return out


def module_code_section(module: Module, encode_nested: Callable[[Module], bytes]) -> bytes | None:

    if not module.modules:
        return None
    out = bytearray()
    _u32(out, len(module.modules))
    for nested in module.modules:
        blob = encode_nested(nested)
        _u32(out, len(blob))
        out += blob
    return bytes(out)


def section_id(canonical: int, encoding: str) -> int:
    return ENCODINGS[encoding][0].get(canonical, canonical)


def install() -> None:
    """Make the core encoder write module-linking modules through this module (the decoding
    rows are registered when it is imported)."""
    core_encode.LINKING = sys.modules[__name__]


__all__ = ["ENCODINGS", "check_encoding", "install", "initial_sections", "module_code_section", "section_id"]
