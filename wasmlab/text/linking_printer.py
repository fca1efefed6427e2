"""Printing modules that use module linking (called by `wasmlab.text.printer`).

The initial sections are printed in binary order with every index written out: type
definitions (module and instance types name their types `(type N)`), imports (single-level
ones without a field name), aliases, nested modules (with their declared `(type N)`) and
instances. Nothing is left for the parser to work out, so it keeps the written order and
the text encodes to the same bytes as the module it was printed from.
"""

from __future__ import annotations

from typing import Any

from ..syntax.module import (
    ALIAS_SECTION,
    IMPORT_SECTION,
    INSTANCE_SECTION,
    KIND_SPACE,
    MODULE_SECTION,
    TYPE_SECTION,
    Alias,
    Import,
    InstanceDef,
)
from ..syntax.types import ExternKind, InstanceType, MemType, ModuleType
from . import printer
from .printer import INDENT, _Printer, escape_name, global_type_text, limits_text


def mem_type_text(mt: MemType) -> str:
    text = limits_text(mt.limits)
    return f"{text} shared" if getattr(mt, "shared", False) else text


def item_text(kind: ExternKind, desc: Any) -> str:
    """An item of a module or instance type, or an import's description, by index."""
    if kind is ExternKind.FUNC:
        return f"(func (type {desc}))"
    if kind is ExternKind.TABLE:
        return f"(table {limits_text(desc.limits)} {desc.elem.text})"
    if kind is ExternKind.MEMORY:
        return f"(memory {mem_type_text(desc)})"
    if kind is ExternKind.GLOBAL:
        return f"(global {global_type_text(desc)})"
    return f"({kind.text} (type {desc}))"


def _where(module: str, name: str | None) -> str:
    return escape_name(module) if name is None else f"{escape_name(module)} {escape_name(name)}"


def module_type_text(t: ModuleType) -> str:
    parts = ["module"]
    parts += [f"(import {_where(i.module, i.name)} {item_text(i.kind, i.desc)})" for i in t.imports]
    parts += [f"(export {escape_name(e.name)} {item_text(e.kind, e.desc)})" for e in t.exports]
    return "(" + " ".join(parts) + ")"


def instance_type_text(t: InstanceType) -> str:
    parts = ["instance"] + [f"(export {escape_name(e.name)} {item_text(e.kind, e.desc)})" for e in t.exports]
    return "(" + " ".join(parts) + ")"


def _import_text(pr: _Printer, imp: Import, idx: int) -> str:
    desc = pr.import_desc(imp, idx) or f"({imp.kind.text} (;{idx};) (type {pr.ref('type', imp.desc)}))"
    return f"(import {_where(imp.module, imp.name)} {desc})"


def _alias_text(pr: _Printer, a: Alias, idx: int) -> str:
    space = KIND_SPACE.get(a.kind)
    name = pr.ids[space].get(idx) if space else None
    head = f"(alias {name + ' ' if name else ''}(;{a.kind.text} {idx};)"
    source = "parent" if a.instance is None else f"(instance {a.instance})"
    return f"{head} {source} ({a.kind.text} {a.index}))"


def _instance_text(inst: InstanceDef, idx: int) -> str:
    args = "".join(f" ({kind.text} {i})" for kind, i in inst.args)
    return f"(instance (;{idx};) (instantiate {inst.module}{args}))"


def _nested_lines(nested: Any) -> list[str]:
    lines = printer.print_wat(nested).rstrip("\n").split("\n")
    declared = f"(type {nested.module_type})"
    if len(lines) == 1 and lines[0].endswith(")"):
        lines[0] = lines[0][:-1] + f" {declared})"
    else:
        lines[0] += f" {declared}"
    return lines


def print_linking(pr: _Printer) -> str:
    """`_Printer.run` for a module that uses module linking."""
    m = pr.m
    pr.open_module()
    func_types: list[Any] = []
    for sid, item in m.initial_items():
        if sid == IMPORT_SECTION and item.kind is ExternKind.FUNC:
            func_types.append(pr.type_at(item.desc))
        elif sid == ALIAS_SECTION and item.kind is ExternKind.FUNC:
            func_types.append(None)  # (its type is the instance's or parent's)
    pr.func_types = func_types + [pr.type_at(f.type) for f in m.funcs]
    counters = dict.fromkeys(ExternKind, 0)
    next_type = 0
    for sid, item in m.initial_items():
        if sid == TYPE_SECTION:
            t = m.types[item]
            from .printer import TYPE_PRINTERS

            printer = TYPE_PRINTERS.get(type(t))
            text = printer(t) if printer is not None else f";; {t} cannot be printed"
            pr.emit(1, f"(type {pr.decl('type', item)} {text})")
            next_type = item + 1
        elif sid == IMPORT_SECTION:
            pr.emit(1, _import_text(pr, item, counters[item.kind]))
            counters[item.kind] += 1
        elif sid == ALIAS_SECTION:
            if item.kind is ExternKind.TYPE:
                pr.emit(1, _alias_text(pr, item, next_type))
                next_type += 1
            else:
                pr.emit(1, _alias_text(pr, item, counters[item.kind]))
                counters[item.kind] += 1
        elif sid == MODULE_SECTION:
            for line in _nested_lines(m.modules[item]):
                pr.lines.append(INDENT + line)
            counters[ExternKind.MODULE] += 1
        elif sid == INSTANCE_SECTION:
            pr.emit(1, _instance_text(item, counters[ExternKind.INSTANCE]))
            counters[ExternKind.INSTANCE] += 1
    return pr.definitions(m, counters)


_TYPE_TEXT: dict[type, Any] = {ModuleType: module_type_text, InstanceType: instance_type_text}


def install() -> None:
    printer.TYPE_PRINTERS.update(_TYPE_TEXT)
    printer.LINKING_PRINT = print_linking


__all__ = ["instance_type_text", "item_text", "module_type_text", "print_linking"]
