"""Completion, inspection (Shift+Tab) and `is_complete` for WAST cells and `%` commands."""

from __future__ import annotations

import re
from typing import Any

from wasmlab.syntax import ALL_OPS, BY_NAME, NAMES_OF_SPACE, Alias, ExternKind, Import

from . import registry
from .cells import scan_parens
from .workspace import Workspace

#: text-format keywords that are not instructions
KEYWORDS = (
    "module", "func", "param", "result", "local", "type", "import", "export", "memory", "table",
    "global", "mut", "data", "elem", "start", "offset", "item", "declare", "then", "else", "funcref",
    "externref", "i32", "i64", "f32", "f64", "v128", "register", "invoke", "get", "assert_return",
    "assert_trap", "assert_exhaustion", "assert_invalid", "assert_malformed", "assert_unlinkable",
    "binary", "quote", "nan:canonical", "nan:arithmetic", "ref.extern", "ref.null",
)  # fmt: skip

OP_NAMES = sorted({op.name for op in ALL_OPS})
WORDS = sorted(set(OP_NAMES) | set(KEYWORDS))
_IDCHAR = re.compile(r"[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]")
_ID_RE = re.compile(r"\$[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+")


def token_bounds(code: str, pos: int) -> tuple[int, int]:
    """[start, end) of the word around `pos` (identifier characters of the text format)."""
    pos = max(0, min(pos, len(code)))
    start = pos
    while start > 0 and _IDCHAR.match(code[start - 1]):
        start -= 1
    end = pos
    while end < len(code) and _IDCHAR.match(code[end]):
        end += 1
    return start, end


def _line_at(code: str, pos: int) -> tuple[str, int]:
    start = code.rfind("\n", 0, pos) + 1
    end = code.find("\n", pos)
    return code[start : end if end >= 0 else len(code)], start


def identifiers(ws: Workspace, code: str) -> list[str]:
    """`$ids` in the cell and in every defined module's source and names."""
    found: set[str] = set(_ID_RE.findall(code))
    for e in ws.entries.values():
        if e.name:
            found.add(e.name)
        if e.source:
            found.update(_ID_RE.findall(e.source))
        m = e.module
        for space in NAMES_OF_SPACE:
            found.update(f"${n}" for n in m.names.of_space(space).values())
        for names in m.names.locals.values():
            found.update(f"${n}" for n in names.values())
    return sorted(found)


def complete(ws: Workspace, code: str, pos: int) -> dict[str, Any]:
    """A complete_reply's content (status ok, matches, cursor_start, cursor_end)."""
    line, line_start = _line_at(code, pos)
    col = pos - line_start
    before = line[:col]
    stripped = before.lstrip()
    # inside a string: export names after invoke/get
    if before.count('"') % 2 == 1:
        qstart = before.rfind('"') + 1
        prefix = before[qstart:]
        names = [n for n in ws.export_names() if n.startswith(prefix)]
        end = pos
        while end < len(code) and code[end] not in '"\n':
            end += 1
        return _reply(names, line_start + qstart, end)
    start, end = token_bounds(code, pos)
    word = code[start:pos]
    if stripped.startswith("%"):
        parts = stripped.split()
        if len(parts) <= 1 and not before.endswith(" "):
            names = ["%" + n for n in registry.all_names() if ("%" + n).startswith(stripped)]
            s = line_start + len(before) - len(stripped)
            return _reply(names, s, end)
        cmd = registry.lookup(parts[0][1:])
        nth = len(parts) - (0 if before.endswith(" ") else 1)
        options = _command_args(ws, cmd, nth) if cmd else []
        return _reply([o for o in options if o.startswith(word)], start, end)
    if word.startswith("$"):
        return _reply([i for i in identifiers(ws, code) if i.startswith(word)], start, end)
    return _reply([w for w in WORDS if w.startswith(word)], start, end)


def _command_args(ws: Workspace, cmd: Any, nth: int) -> list[str]:
    modules = [e.name for e in ws.entries.values() if e.name]
    if cmd.args == "module":
        return modules
    if cmd.args == "graph":
        if nth == 1:
            from wasmlab.viz import kinds

            return sorted(set(kinds()) | {"initializers", "types"})
        return _func_names(ws) + modules
    if cmd.args in ("export", "func"):
        return (_export_funcs(ws) if nth == 1 else []) + (modules if nth == 1 else [])
    if cmd.args == "watch" and nth == 1:
        return ["memory", "global", "local", "expr"]
    if cmd.args == "set" and nth == 1:
        return ["global", "stack", "memory", "local", "var", *_selected_locals(ws)]
    if cmd.args == "expr":
        return _selected_locals(ws) + ["global"]
    return []


def _selected_locals(ws: Workspace) -> list[str]:
    """The names of the selected frame's locals (for %p and %set), none without a session."""
    s = ws.session
    f = getattr(s, "selected_frame", None) if s is not None else None
    return [n for n in f.locals if n.startswith("$")] if f is not None else []


def _export_funcs(ws: Workspace) -> list[str]:
    out: list[str] = []
    for e in ws.entries.values():
        out.extend(n for n in e.func_exports if n not in out)
    return out


def _func_names(ws: Workspace) -> list[str]:
    out = set(_export_funcs(ws))
    for e in ws.entries.values():
        out.update(f"${n}" for n in e.module.names.funcs.values())
    return sorted(out)


def _reply(matches: list[str], start: int, end: int) -> dict[str, Any]:
    return {"status": "ok", "matches": sorted(dict.fromkeys(matches)), "cursor_start": start,
            "cursor_end": end, "metadata": {}}  # fmt: skip


# --- inspection ---------------------------------------------------------------------------


def inspect(ws: Workspace, code: str, pos: int) -> str | None:
    """Text for Shift+Tab: an instruction's signature and description, a function's
    signature and source, a command's usage. None when nothing is known."""
    start, end = token_bounds(code, pos)
    if start == end and pos > 0:
        start, end = token_bounds(code, pos - 1)
    word = code[start:end]
    if not word:
        return None
    if word.startswith("%"):
        cmd = registry.lookup(word[1:])
        return f"{cmd.usage}\n{cmd.help}" if cmd else None
    op = BY_NAME.get(word)
    if op is not None:
        imm = "" if op.imm == "none" else f"\nimmediates: {op.imm}"
        return f"{op.name}  {op.signature}\n{op.desc}{imm}\nencoding: {op.encoding}  ({op.feature})"
    return _inspect_func(ws, word)


def _inspect_func(ws: Workspace, word: str) -> str | None:
    bare = word[1:] if word.startswith("$") else word
    for e in reversed(list(ws.entries.values())):
        m = e.module
        idx = None
        for i, n in m.names.funcs.items():
            if n == bare:
                idx = i
        if idx is None and not word.startswith("$"):
            for ex in m.exports:
                if ex.kind is ExternKind.FUNC and ex.name == word:
                    idx = ex.index
        if idx is None:
            continue
        ft = m.func_type(idx)
        head = f"func {m.func_name(idx)} {ft}   (in module {e.label}, function {idx})"
        f = m.func_source(idx)
        if isinstance(f, Import):
            return f"{head}\nimported from {f.module}.{f.name}"
        if isinstance(f, Alias):
            return f"{head}\n{f}"
        src = _span_text(e.source, f.span)
        if src is None:
            from wasmlab.viz import instr_text

            src = "\n".join(instr_text(i, m, idx) for i in f.body)
        return f"{head}\n{src}"
    return None


def _span_text(source: str | None, span: Any) -> str | None:
    if source is None or span is None:
        return None
    lines = source.splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    chunk = lines[span.line - 1 : span.end_line]
    if not chunk:
        return None
    chunk[0] = " " * (span.col - 1) + chunk[0][span.col - 1 :]
    if span.line == span.end_line:
        chunk[0] = chunk[0][: span.end_col - 1]
    else:
        chunk[-1] = chunk[-1][: span.end_col - 1]
    import textwrap

    return textwrap.dedent("\n".join(chunk))


# --- is_complete --------------------------------------------------------------------------


def is_complete(code: str) -> dict[str, str]:
    """complete / incomplete (with an indent) / invalid, by paren balance outside strings and
    comments. `%` lines stand alone."""
    text = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%"))
    depth, in_string, in_comment = scan_parens(text)
    if depth < 0:
        return {"status": "invalid"}
    if depth > 0 or in_string or in_comment:
        return {"status": "incomplete", "indent": "  " * max(depth, 1)}
    return {"status": "complete"}


__all__ = ["KEYWORDS", "OP_NAMES", "complete", "identifiers", "inspect", "is_complete", "token_bounds"]
