"""What a cell shows: rich outputs (a MIME bundle with a text/plain fallback) and errors.

Outputs are plain data so the kernel, the IPython extension and the tests all use them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wasmlab.errors import (
    DecodeError,
    Exhaustion,
    LinkError,
    ParseError,
    Trap,
    ValidationError,
    WasmError,
)
from wasmlab.script import Interrupted, WorkspaceError

CSS_CLASS = "wasmlab-out"
NO_MATH = "tex2jax_ignore mathjax_ignore"  # the classes MathJax 2 and 3 leave alone


def no_math_html(html_text: str) -> str:
    """HTML that no notebook typesets as math: `$` written as `&#36;` and the whole wrapped in
    an element of the classes MathJax skips (JupyterLab typesets the DOM, where `&#36;` is a
    `$` again, so the class is what counts there; the entity keeps source scanners away)."""
    if html_text.startswith(f'<div class="{NO_MATH}">'):
        return html_text
    return f'<div class="{NO_MATH}">' + html_text.replace("$", "&#36;") + "</div>"


def no_math_markdown(text: str) -> str:
    """Markdown with every `$` escaped (`\\$`), so none opens a formula."""
    return text.replace("\\$", "$").replace("$", "\\$")


@dataclass
class Output:
    """One display: `data` maps MIME types to content; `result` marks an execute_result.

    Every output is made safe from the notebook's math typesetter here, the one door all
    the kernel's displays go through: `$n=i32 10, $i=i32 7` is text, never a formula."""

    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    result: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.data.get("text/html"), str):
            self.data["text/html"] = no_math_html(self.data["text/html"])
        if isinstance(self.data.get("text/markdown"), str):
            self.data["text/markdown"] = no_math_markdown(self.data["text/markdown"])

    @property
    def text(self) -> str:
        return str(self.data.get("text/plain", ""))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return self.data, self.metadata


class CellError(Exception):
    """A user's mistake, shown as one error output: a name, a message, the lines to print."""

    def __init__(self, ename: str, evalue: str, lines: Sequence[str] | None = None) -> None:
        super().__init__(evalue)
        self.ename = ename
        self.evalue = evalue
        self.lines = list(lines) if lines is not None else evalue.splitlines() or [evalue]

    def traceback(self) -> list[str]:
        """The error as the lines a front end prints (ANSI-coloured name on the first line)."""
        first, *rest = self.lines or [""]
        return [f"\x1b[0;31m{self.ename}\x1b[0m: {first}", *rest]

    def __str__(self) -> str:
        return "\n".join([f"{self.ename}: {self.lines[0] if self.lines else ''}", *self.lines[1:]])


def text_output(text: str, result: bool = False) -> Output:
    return Output({"text/plain": text}, result=result)


def rich(text: str, html_text: str | None = None, *, svg: str | None = None, result: bool = False,
         extra: dict[str, Any] | None = None) -> Output:  # fmt: skip
    data: dict[str, Any] = {"text/plain": text}
    if html_text is not None:
        data["text/html"] = html_text
    if svg is not None:
        data["image/svg+xml"] = svg
    if extra:
        data.update(extra)
    return Output(data, result=result)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str | None = None,
          highlight: set[int] | None = None) -> tuple[str, str]:  # fmt: skip
    """(text, html) of a table; `highlight` marks row numbers (changed values)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], max((len(x) for x in c.splitlines()), default=0))
    lines = []
    if caption:
        lines.append(caption)
    if headers:
        lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for n, row in enumerate(cells):
        mark = "*" if highlight and n in highlight else ""
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + (" " + mark if mark else "")
        )
    if not rows:
        lines.append("(none)")
    text = "\n".join(lines)
    # (JupyterLab's tables are `table-layout: fixed`: long cells overflowed and were clipped)
    parts = [f'<table class="{CSS_CLASS}" style="table-layout:auto;margin-left:0;max-width:100%">']
    if caption:
        parts.append(
            f'<caption style="text-align:left;font-weight:bold;white-space:nowrap">{esc(caption)}</caption>'
        )
    if headers:
        parts.append(
            "<thead><tr>"
            + "".join(f"<th style='text-align:left'>{esc(h)}</th>" for h in headers)
            + "</tr></thead>"
        )
    parts.append("<tbody>")
    for n, row in enumerate(cells):
        style = " style='background:#fff3b0'" if highlight and n in highlight else ""
        tds = "".join(
            f"<td style='text-align:left;font-family:monospace;white-space:pre-wrap'>{esc(c)}</td>"
            for c in row
        )
        parts.append(f"<tr{style}>{tds}</tr>")
    if not rows:
        parts.append(f"<tr><td colspan='{max(len(headers), 1)}'><i>none</i></td></tr>")
    parts.append("</tbody></table>")
    return text, "".join(parts)


def table_output(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str | None = None,
                 highlight: set[int] | None = None) -> Output:  # fmt: skip
    text, html_text = table(headers, rows, caption, highlight)
    return rich(text, html_text)


def pre_output(text: str, title: str | None = None) -> Output:
    head = f"<div style='font-weight:bold'>{esc(title)}</div>" if title else ""
    return rich(text, f"{head}<pre class='{CSS_CLASS}'>{esc(text)}</pre>")


# --- errors -------------------------------------------------------------------------------


def _excerpt(source: str | None, line: int | None, col: int | None, end_col: int | None = None) -> list[str]:
    if source is None or line is None:
        return []
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1]
    c = max((col or 1) - 1, 0)
    width = max((end_col or 0) - (col or 0), 1) if end_col and end_col > (col or 0) else 1
    return [text, " " * c + "^" * min(width, max(len(text) - c, 1))]


def describe_error(exc: BaseException, source: str | None = None, filename: str | None = None,
                   span: Any = None, context: str | None = None) -> CellError:  # fmt: skip
    """One clear error for a WasmError: where (line:column), what, the source line."""
    if isinstance(exc, CellError):
        return exc
    prefix = f"{context}: " if context else ""
    if isinstance(exc, ParseError):
        return CellError("ParseError", exc.reason, [prefix + str(exc)] if prefix else str(exc).splitlines())
    if isinstance(exc, ValidationError):
        sp = exc.span or span
        head = f"{prefix}invalid module: {exc}"
        if sp is not None and getattr(sp, "line", None) is not None:
            head = f"{filename or getattr(sp, 'filename', None) or '<cell>'}:{sp.line}:{sp.col}: {head}"
            return CellError("ValidationError", str(exc), [head, *_excerpt(source, sp.line, sp.col)])
        return CellError("ValidationError", str(exc), [head])
    if isinstance(exc, Trap):
        name = "Exhaustion" if isinstance(exc, Exhaustion) else "Trap"
        lines = [f"{prefix}{line}" if i == 0 else line for i, line in enumerate(str(exc).splitlines())]
        if span is not None and getattr(span, "line", None) is not None:
            where = f"{filename or getattr(span, 'filename', None) or '<cell>'}:{span.line}:{span.col}"
            lines.insert(1, f"  at {where}")
            lines[2:2] = ["  " + x for x in _excerpt(source, span.line, span.col)]
        return CellError(name, exc.kind, lines)
    if isinstance(exc, LinkError):
        return CellError("LinkError", str(exc), [f"{prefix}{exc}"])
    if isinstance(exc, DecodeError):
        return CellError("DecodeError", str(exc), [f"{prefix}malformed binary: {exc}"])
    if isinstance(exc, WorkspaceError):
        return CellError(exc.kind, exc.message, exc.lines)
    if isinstance(exc, Interrupted):
        return CellError("Interrupted", str(exc), [str(exc)])
    if isinstance(exc, WasmError):
        return CellError(
            type(exc).__name__,
            str(exc),
            [prefix + x if i == 0 else x for i, x in enumerate(str(exc).splitlines() or [""])],
        )
    return CellError("InternalError", f"{type(exc).__name__}: {exc}",
                     [f"{prefix}internal error (a wasmlab bug, please report it): {type(exc).__name__}: {exc}"])  # fmt: skip


__all__ = [
    "MAX_WIDTH_PT", "CellError", "Interrupted", "NO_MATH", "Output", "describe_error", "esc", "fit_width",
    "graph_output", "no_math_html", "no_math_markdown", "pre_output", "rich", "table", "table_output",
    "text_output",
]  # fmt: skip


# --- pictures ---------------------------------------------------------------------------------


def graph_output(graph: object, title: str) -> object:
    """The picture as SVG and as PNG too: a notebook that is not trusted (a fresh clone)
    shows no SVG, only the "safe" types, so its stored graphs need the PNG to be pictures."""
    import base64

    from wasmlab.viz import render_png, render_svg

    source = graph.source  # type: ignore[attr-defined]
    try:
        svg = render_svg(graph)
    except WasmError as e:
        return rich(f"{title} (DOT source; {e})\n{source}", f"<p>{esc(str(e))}</p><pre>{esc(source)}</pre>")
    try:
        extra = {"image/png": base64.b64encode(render_png(graph)).decode("ascii")}
    except WasmError:  # a renderer that draws no PNG (Graphviz in the browser): the SVG alone
        extra = {}
    return rich(f"{title} (DOT source)\n{source}", svg=fit_width(svg), extra=extra)


#: the widest picture a notebook shows as drawn (points; 720 pt = 960 px): JupyterLab shows an
#: SVG output at its own size, so a wider one ran past the output's right edge
MAX_WIDTH_PT = 720.0


def fit_width(svg: str, max_pt: float = MAX_WIDTH_PT) -> str:
    """`svg` scaled down (width and height, the viewBox kept) to at most `max_pt` wide."""
    import re

    m = re.match(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if m is None or float(m.group(1)) <= max_pt:
        return svg
    w, h = float(m.group(1)), float(m.group(2))
    k = max_pt / w
    return f'<svg width="{w * k:.0f}pt" height="{h * k:.0f}pt"' + svg[m.end() :]
