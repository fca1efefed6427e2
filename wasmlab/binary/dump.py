"""A readable dump of a binary module: sections, entries and disassembled function bodies.

In the spirit of `wasm-objdump -h -x -d`, in a format of our own: every section with its
id, offset and size; types, imports, functions, tables, memories, globals, exports, the
start function, element and data segments, custom sections; then each function body,
one instruction per line with its byte offset, its bytes and its text.
"""

from __future__ import annotations

from typing import Any

from ..errors import DecodeError
from ..syntax.features import ALL
from ..syntax.instr_text import ImmediateStyle
from ..syntax.instr_text import instr_text as syntax_instr_text
from ..syntax.module import (
    KIND_SPACE,
    Data,
    Elem,
    Expr,
    Instr,
    Module,
)
from ..syntax.types import ExternKind, FuncType
from .decode import SECTION_NAMES, decode
from .encode import encode
from .leb128 import read_u32


def section_table(data: bytes) -> list[tuple[int, int, int, int, str | None]]:
    """(id, offset of the id byte, offset of the payload, payload size, custom name) per section.

    Reads only the section headers; stops quietly at the first one that does not parse.
    """
    out: list[tuple[int, int, int, int, str | None]] = []
    d_pos = 8
    n = len(data)
    try:
        while d_pos < n:
            sid = data[d_pos]
            size, body = read_u32(data, d_pos + 1)
            name = None
            if sid == 0:
                ln, p = read_u32(data, body)
                name = data[p : p + ln].decode("utf-8", "replace")
            out.append((sid, d_pos, body, size, name))
            d_pos = body + size
    except DecodeError:
        pass
    return out


# --- instruction text ------------------------------------------------------------------------


class _DumpStyle(ImmediateStyle):
    """Plain indices; a function also by its name when it has one (`call 3 <fib>`)."""

    def __init__(self, module: Module | None) -> None:
        self.module = module

    def ref(self, space: str, idx: Any) -> str:
        if space == "func" and self.module is not None:
            return f"{idx}{_fname(self.module, idx)}"
        return str(idx)


_PLAIN_DUMP = _DumpStyle(None)


def instr_text(instr: Instr, module: Module | None = None) -> str:
    """The instruction as text: its name and immediates (with function names when known)."""
    return syntax_instr_text(instr, _DumpStyle(module) if module is not None else _PLAIN_DUMP)


def expr_text(expr: Expr, module: Module | None = None) -> str:
    """A short one-line form of a constant expression, without its final `end`."""
    body = expr[:-1] if expr and expr[-1].op.code == 0x0B and expr[-1].op.prefix is None else expr
    return "; ".join(instr_text(i, module) for i in body) or "(empty)"


# --- the dump ----------------------------------------------------------------------------------


def _fname(module: Module, funcidx: int) -> str:
    """` <name>` when the function has a name (name section or export), else nothing."""
    name = module.func_name(funcidx)
    return "" if name == f"func[{funcidx}]" else f" <{name}>"


def _named(module: Module, space: str, idx: int) -> str:
    """` <name>` when item `idx` of `space` has a name (name section or text `$id`)."""
    name = module.names.of_space(space).get(idx)
    return f" <{name}>" if name else ""


def _item_name(module: Module, kind: ExternKind, idx: int) -> str:
    if kind is ExternKind.FUNC:
        return _fname(module, idx)
    space = KIND_SPACE.get(kind)
    return _named(module, space, idx) if space else ""


def _functype_text(t: object) -> str:
    if isinstance(t, FuncType):
        p = " ".join(x.text for x in t.params)
        r = " ".join(x.text for x in t.results)
        return f"({p}) -> ({r})"
    return repr(t)


def _type_of(module: Module, typeidx: int) -> str:
    if 0 <= typeidx < len(module.types):
        return _functype_text(module.types[typeidx])
    return "<unknown type>"


def _elem_line(i: int, e: Elem, module: Module) -> str:
    head = f"  - elem[{i}]{_named(module, 'elem', i)} flags={e.flags} {e.mode} {e.type.text}"
    if e.mode == "active":
        head += f" table={e.table} offset=({expr_text(e.offset_expr or [], module)})"
    items = []
    for x in e.init:
        if len(x) <= 2 and x and x[0].op.code == 0xD2 and x[0].op.prefix is None:
            items.append(f"func[{x[0].imm}]{_fname(module, x[0].imm)}")
        else:
            items.append(f"({expr_text(x, module)})")
    return f"{head} count={len(e.init)}" + (": " + ", ".join(items) if items else "")


def _data_line(i: int, d: Data, module: Module) -> str:
    head = f"  - data[{i}]{_named(module, 'data', i)} flags={d.flags} {d.mode}"
    if d.mode == "active":
        head += f" memory={d.memory} offset=({expr_text(d.offset_expr or [], module)})"
    preview = d.init[:32]
    shown = "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x22 else f"\\{c:02x}" for c in preview)
    more = "..." if len(d.init) > 32 else ""
    return f'{head} size={len(d.init)}: "{shown}"{more}'


def dump(module: Module, data: bytes | None = None) -> str:
    """Dump `module`; `data` is the binary it was decoded from (it is encoded when absent)."""
    if data is None:
        data = encode(module)
        module = decode(data, features=ALL)  # (the module came parsed: any proposal it uses is on)
    lines: list[str] = [f"module: {len(data)} bytes"]
    section_ids = {sid for sid, *_ in section_table(data)}

    lines.append("Sections:")
    for sid, start, body, size, name in section_table(data):
        label = SECTION_NAMES.get(sid, f"unknown({sid})")
        extra = f' "{name}"' if name is not None else ""
        lines.append(
            f"  {label:<10} id={sid:<2} start={start:#010x} end={body + size:#010x} size={size:#x}{extra}"
        )

    if module.types:
        lines.append("Types:")
        for i, t in enumerate(module.types):
            lines.append(f"  - type[{i}] {_functype_text(t)}{_named(module, 'type', i)}")

    counters = {k: 0 for k in ExternKind}
    if module.imports:
        lines.append("Imports:")
        for imp in module.imports:
            idx = counters[imp.kind]
            counters[imp.kind] += 1
            where = f"{imp.module}.{imp.name}" if imp.name is not None else imp.module
            if imp.kind is ExternKind.FUNC:
                desc = f"type={imp.desc} {_type_of(module, imp.desc)}{_fname(module, idx)}"
            else:
                desc = f"{imp.desc}{_item_name(module, imp.kind, idx)}"
            lines.append(f"  - {imp.kind.text}[{idx}] {desc} <- {where}")

    n_imported = counters[ExternKind.FUNC]
    if module.funcs:
        lines.append("Functions:")
        for i, f in enumerate(module.funcs):
            idx = n_imported + i
            lines.append(f"  - func[{idx}] type={f.type} {_type_of(module, f.type)}{_fname(module, idx)}")
    if module.tables:
        lines.append("Tables:")
        for i, t in enumerate(module.tables):
            idx = counters[ExternKind.TABLE] + i
            lines.append(f"  - table[{idx}] {t.type}{_named(module, 'table', idx)}")
    if module.mems:
        lines.append("Memories:")
        for i, m in enumerate(module.mems):
            idx = counters[ExternKind.MEMORY] + i
            lines.append(f"  - memory[{idx}] pages {m.type}{_named(module, 'memory', idx)}")
    if module.tags:
        lines.append("Tags:")
        for i, t in enumerate(module.tags):
            idx = counters[ExternKind.TAG] + i
            lines.append(
                f"  - tag[{idx}] type={t.type} {_type_of(module, t.type)}{_named(module, 'tag', idx)}"
            )
    if module.globals:
        lines.append("Globals:")
        for i, g in enumerate(module.globals):
            idx = counters[ExternKind.GLOBAL] + i
            lines.append(
                f"  - global[{idx}] {g.type} = ({expr_text(g.init, module)}){_named(module, 'global', idx)}"
            )
    if module.exports:
        lines.append("Exports:")
        for e in module.exports:
            what = f"{e.kind.text}[{e.index}]{_item_name(module, e.kind, e.index)}"
            lines.append(f'  - {what} -> "{e.name}"')
    if module.start is not None:
        lines.append(f"Start: func[{module.start}]{_fname(module, module.start)}")
    if module.elems:
        lines.append("Elements:")
        for i, e in enumerate(module.elems):
            lines.append(_elem_line(i, e, module))
    if module.data_count is not None or 12 in section_ids:
        lines.append(f"DataCount: {module.data_count}")
    if module.datas:
        lines.append("Data:")
        for i, d in enumerate(module.datas):
            lines.append(_data_line(i, d, module))
    if module.customs:
        lines.append("Custom:")
        for c in module.customs:
            after = SECTION_NAMES.get(c.after, str(c.after)) if c.after else "start"
            at = f" at {c.offset:#x}" if c.offset is not None else ""
            lines.append(f'  - "{c.name}" size={len(c.data)} after={after}{at}')

    if module.funcs:
        lines.append("Code:")
        for i, f in enumerate(module.funcs):
            idx = n_imported + i
            at = f" @{f.offset:#x}" if f.offset is not None else ""
            lines.append(f"func[{idx}]{_fname(module, idx)} {_type_of(module, f.type)}{at}:")
            if f.locals:
                groups = f.local_groups or [(1, t) for t in f.locals]
                lines.append("  locals: " + ", ".join(f"{n} {t.text}" for n, t in groups))
            local_names = module.names.locals.get(idx)
            if local_names:
                lines.append("  names: " + ", ".join(f"{k}={v}" for k, v in sorted(local_names.items())))
            lines.extend(_body_lines(f.body, data, module))
    return "\n".join(lines) + "\n"


def _body_lines(body: Expr, data: bytes, module: Module) -> list[str]:
    out: list[str] = []
    depth = 1
    for k, instr in enumerate(body):
        code = instr.op.code if instr.op.prefix is None else -1
        if code in (0x05, 0x0B):
            depth -= 1
        start = instr.offset
        raw = ""
        if start is not None:
            nxt = body[k + 1].offset if k + 1 < len(body) else None
            if nxt is None:
                nxt = start + 1 if code == 0x0B else None
            if nxt is not None and nxt > start:
                chunk = data[start:nxt]
                raw = chunk[:8].hex(" ") + (" ..." if len(chunk) > 8 else "")
        where = f"{start:08x}" if start is not None else "        "
        out.append(f"  {where}: {raw:<27} | {'  ' * depth}{instr_text(instr, module)}")
        if code in (0x02, 0x03, 0x04, 0x05):
            depth += 1
    return out
