"""Source text for the debugger's code view, and where each instruction is in it.

A module parsed from text is shown as its own source (instruction spans come from the
parser). A module without source (decoded from a binary, or built in Python) is printed
with `wasmlab.print_wat` and the printed text parsed again: the reparsed module has the
same functions and bodies, so its spans place every instruction of the original.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wasmlab.errors import WasmError
from wasmlab.syntax import ExternKind, Module, Span

#: how the front end that created a session tells where a module's text is:
#: module -> (text, filename) or None
SourceLookup = Callable[[Module], "tuple[str, str | None] | None"]


@dataclass
class SourceView:
    """The text shown for a module; `span(funcidx, pc)` places an instruction in it."""

    text: str
    first_line: int  # line number of text's first line
    spans: dict[int, list[Span | None]]  # funcidx -> span per pc (None: unknown)
    original: bool  # True: the module's own source (its spans are the instructions' spans)

    def span(self, funcidx: int, pc: int) -> Span | None:
        body = self.spans.get(funcidx)
        if body is None or not 0 <= pc < len(body):
            return None
        return body[pc]

    def places_on_line(self, line: int) -> list[tuple[int, int]]:
        """(funcidx, pc) of the first instruction of each run written on `line`."""
        out = []
        for f, body in self.spans.items():
            prev = False
            for pc, sp in enumerate(body):
                here = sp is not None and sp.line == line
                if here and not prev:
                    out.append((f, pc))
                prev = here
        return out


def _func_spans(module: Module) -> dict[int, list[Span | None]]:
    nimp = module.base_index(ExternKind.FUNC)
    return {nimp + i: [ins.span for ins in f.body] for i, f in enumerate(module.funcs)}


def _trim(text: str) -> tuple[str, int]:
    """Drop leading blank lines (a cell's text is padded to keep its line numbers)."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) - 1 and not lines[first].strip():
        first += 1
    body = "\n".join(lines[first:]).rstrip("\n")
    return body, first + 1


def _listing(module: Module) -> SourceView:
    """A flat listing, one instruction per line (when the printer cannot help)."""
    from wasmlab.viz import instr_text

    lines: list[str] = []
    spans: dict[int, list[Span | None]] = {}
    nimp = module.base_index(ExternKind.FUNC)
    for i, f in enumerate(module.funcs):
        idx = nimp + i
        lines.append(f"(func {module.func_name(idx)} {module.func_type(idx)}")
        body: list[Span | None] = []
        depth = 1
        for ins in f.body:
            name = ins.op.name
            if name in ("end", "else"):
                depth = max(depth - 1, 0)
            text = "  " * (depth + 1) + instr_text(ins, module, idx)
            lines.append(text)
            n = len(lines)
            body.append(Span(n, depth * 2 + 3, n, len(text) + 1))
            if name in ("block", "loop", "if", "else", "try_table"):
                depth += 1
        lines.append(")")
        spans[idx] = body
    return SourceView("\n".join(lines), 1, spans, original=False)


def source_view(module: Module, lookup: SourceLookup | None = None) -> SourceView:
    """The text to show for `module`."""
    found = lookup(module) if lookup is not None else None
    if found is not None and found[0]:
        spans = _func_spans(module)
        if any(sp is not None for body in spans.values() for sp in body):
            text, first = _trim(found[0])
            if first > 1:
                # keep the text's own line numbers: spans refer to them
                return SourceView(text, first, spans, original=True)
            return SourceView(text, 1, spans, original=True)
    try:
        from wasmlab.text import parse_module, print_wat

        printed = print_wat(module)
        again = parse_module(printed, filename="<printed>")
        if len(again.funcs) == len(module.funcs) and all(
            len(a.body) == len(b.body) for a, b in zip(again.funcs, module.funcs)
        ):
            return SourceView(printed.rstrip("\n"), 1, _func_spans(again), original=False)
    except (WasmError, ImportError, RecursionError):
        pass
    return _listing(module)


class SourceCache:
    """One SourceView per module, made on first use."""

    def __init__(self, lookup: SourceLookup | None = None) -> None:
        self.lookup = lookup
        self._views: dict[int, tuple[Module, SourceView]] = {}

    def get(self, module: Module) -> SourceView:
        hit = self._views.get(id(module))
        if hit is not None and hit[0] is module:
            return hit[1]
        view = source_view(module, self.lookup)
        self._views[id(module)] = (module, view)
        return view


def span_dict(span: Any) -> dict[str, int] | None:
    if span is None:
        return None
    return {"line": span.line, "col": span.col, "end_line": span.end_line, "end_col": span.end_col}


__all__ = ["SourceCache", "SourceLookup", "SourceView", "source_view", "span_dict"]
