"""A cell's text cut into WAST runs and `%` command lines, and the paren scan that tells
whether WAT text is finished (also used by `is_complete`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Chunk:
    kind: str  # "wast" | "magic"
    text: str
    line: int  # 1-based line of the cell where it starts


def scan_parens(text: str) -> tuple[int, bool, bool]:
    """(paren depth at the end, inside a string, inside a block comment) for WAT text."""
    depth = 0
    i = 0
    n = len(text)
    comment = 0
    while i < n:
        c = text[i]
        if comment:
            if text.startswith("(;", i):
                comment += 1
                i += 2
                continue
            if text.startswith(";)", i):
                comment -= 1
                i += 2
                continue
            i += 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                return depth, True, False
            i += 1
            continue
        if text.startswith(";;", i):
            j = text.find("\n", i)
            if j < 0:
                break
            i = j
            continue
        if text.startswith("(;", i):
            comment = 1
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        i += 1
    return depth, False, comment > 0


def split_cell(code: str) -> list[Chunk]:
    """WAST runs and `%` lines, in order. A `%` line counts only outside any open paren."""
    chunks: list[Chunk] = []
    buf: list[str] = []
    start = 1
    depth_text = ""
    for n, line in enumerate(code.splitlines(), start=1):
        if line.lstrip().startswith("%") and not buf_open(depth_text):
            if buf and "".join(buf).strip():
                chunks.append(Chunk("wast", "\n".join(buf), start))
            buf = []
            depth_text = ""
            chunks.append(Chunk("magic", line.strip(), n))
            start = n + 1
            continue
        if not buf:
            start = n
        buf.append(line)
        depth_text += line + "\n"
    if buf and "\n".join(buf).strip():
        chunks.append(Chunk("wast", "\n".join(buf), start))
    return chunks


def buf_open(text: str) -> bool:
    if not text:
        return False
    depth, in_string, in_comment = scan_parens(text)
    return depth > 0 or in_string or in_comment


__all__ = ["Chunk", "buf_open", "scan_parens", "split_cell"]
