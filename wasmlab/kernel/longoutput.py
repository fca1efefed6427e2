"""Long outputs: what a cell shows is bounded; what is cut is kept, in a file.

`Kept` is one cut text (a trace of millions of lines, a huge table): its head is shown
with a note, the whole of it is in a temporary file that `%output last` pages through.
`cut(text)` gives the text to show and the `Kept`, if anything was cut."""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Iterable

SHOW_CHARS = 256 * 1024  # what one output shows at most
SHOW_LINES = 2_000  # lines of a long listing shown (the first ones, then the last few)
TAIL_LINES = 200


class Kept:
    """A text kept whole in a temporary file (deleted with the workspace's next one)."""

    def __init__(self, what: str) -> None:
        self.what = what
        f = tempfile.NamedTemporaryFile(
            "w", prefix="wasmlab-output-", suffix=".txt", delete=False, encoding="utf-8"
        )
        self.path = f.name
        self._file = f
        self.chars = 0
        self.lines = 0

    def write(self, text: str) -> None:
        self._file.write(text)
        self.chars += len(text)
        self.lines += text.count("\n")

    def done(self) -> None:
        self._file.close()

    def read(self, start: int = 0, n: int = 1 << 16) -> str:
        with open(self.path, encoding="utf-8") as f:
            if start:
                f.read(start)
            return f.read(n)

    def delete(self) -> None:
        self._file.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass


def note(kept: Kept, shown: str) -> str:
    return (
        f"[wasmlab: {kept.what} cut: {shown} shown of {kept.lines:,} lines ({kept.chars:,} characters); "
        f"all of it is in {kept.path}; %output last [START [N]] shows more]"
    )


LINE_CHARS = 2_000  # characters of one line of an error shown


def clip(line: str, limit: int = LINE_CHARS) -> str:
    """One line of an error, cut (with a note) when it is longer than `limit`."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… [{len(line) - limit:,} more characters not shown]"


def cut(text: str, what: str) -> tuple[str, Kept | None]:
    """`text` if short enough, else its head and a note, and the whole kept in a file."""
    if len(text) <= SHOW_CHARS:
        return text, None
    kept = Kept(what)
    kept.write(text)
    kept.done()
    head = text[:SHOW_CHARS]
    return f"{head}\n{note(kept, f'the first {SHOW_CHARS:,} characters')}", kept


def cut_lines(lines: Iterable[str], what: str) -> tuple[list[str], Kept | None]:
    """The first SHOW_LINES lines, then (when there were more) a note and the last
    TAIL_LINES; every line goes to a file once there are too many to show. Memory stays
    bounded however many lines come."""
    head: list[str] = []
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    kept: Kept | None = None
    for line in lines:
        if len(head) < SHOW_LINES:
            head.append(line)
            continue
        if kept is None:
            kept = Kept(what)
            kept.write("\n".join(head) + "\n")
        kept.write(line + "\n")
        tail.append(line)
    if kept is None:
        return head, None
    kept.done()
    shown = f"the first {len(head):,} and the last {len(tail):,} lines"
    return [*head, note(kept, shown), *tail], kept


__all__ = ["Kept", "LINE_CHARS", "SHOW_CHARS", "SHOW_LINES", "clip", "cut", "cut_lines", "note"]
