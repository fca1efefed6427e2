"""Line tables (DWARF 6.2): which source line each code address belongs to.

`LineTable.rows` holds every row of every compilation unit's line program, in address
order within each sequence. `position(address)` answers with the row that covers an address
(the last row at or before it, in the same sequence); `addresses(file, line)` gives the
addresses a breakpoint on that line binds to: the first address of each `is_stmt` row of
that line (a line split over several places, e.g. a loop header, has several).
"""

from __future__ import annotations

import bisect
import posixpath
from dataclasses import dataclass
from typing import Any

#: DW_LNS_negate_stmt (DWARF 6.2.5.2)
_NEGATE_STMT = 6

#: wasm-ld writes the addresses of code it dropped as 0xfffffffe or 0xffffffff; their line
#: sequences are left out (as llvm-dwarfdump does)
DEAD = 0xFFFFFFFE


@dataclass(frozen=True)
class SourcePos:
    """A place in the source: file path (as the compiler wrote it), line and column (1-based;
    0 for "no line" / "no column")."""

    file: str
    line: int
    col: int = 0

    @property
    def name(self) -> str:
        return posixpath.basename(self.file)

    def __str__(self) -> str:
        return f"{self.name}:{self.line}" + (f":{self.col}" if self.col else "")


@dataclass(frozen=True)
class Row:
    address: int
    pos: SourcePos
    is_stmt: bool
    end_sequence: bool
    prologue_end: bool = False
    file_index: int = 0  # in the line program's file table
    isa: int = 0
    discriminator: int = 0
    basic_block: bool = False
    epilogue_begin: bool = False

    @property
    def flags(self) -> list[str]:
        """The row's flags, named and ordered as llvm-dwarfdump prints them."""
        named = [
            ("is_stmt", self.is_stmt), ("basic_block", self.basic_block), ("prologue_end", self.prologue_end),
            ("epilogue_begin", self.epilogue_begin), ("end_sequence", self.end_sequence),
        ]  # fmt: skip
        return [name for name, on in named if on]


@dataclass(frozen=True)
class LineProgram:
    """One compilation unit's line program: where it is in `.debug_line`, its file table
    (index -> path) and its rows in the program's order."""

    offset: int
    version: int
    files: dict[int, str]
    rows: list[Row]


class LineTable:
    """The line rows of all compilation units (see the module docstring)."""

    def __init__(self, rows: list[Row], programs: list[LineProgram] | None = None) -> None:
        self.programs = programs or []
        self.rows = sorted(rows, key=lambda r: (r.address, r.end_sequence))
        self._addresses = [r.address for r in self.rows]
        # per row: the position of the statement it belongs to (the latest is_stmt row at or
        # before it in its sequence; a row that is not a statement continues the one before)
        self._statements: list[SourcePos] = []
        current: SourcePos | None = None
        for r in self.rows:
            if r.is_stmt or current is None:
                current = r.pos
            self._statements.append(current)
            if r.end_sequence:
                current = None

    @classmethod
    def from_dwarf(cls, info: Any) -> LineTable:
        rows: list[Row] = []
        programs: list[LineProgram] = []
        for cu in info.iter_CUs():
            program = info.line_program_for_CU(cu)
            if program is None:
                continue
            files = file_names(program, cu)
            mine: list[Row] = []
            header = program.header
            stmt_list = cu.get_top_DIE().attributes.get("DW_AT_stmt_list")
            offset = stmt_list.value if stmt_list is not None else 0
            programs.append(LineProgram(offset, header["version"], files, mine))
            default_stmt = bool(program.header["default_is_stmt"])
            stmt = default_stmt  # the state machine's is_stmt (pyelftools clears it at an end)
            dead = False  # in a sequence of code the linker dropped
            fresh = True  # the next row starts a sequence
            for entry in program.get_entries():
                s = entry.state
                if s is None:
                    if entry.command == _NEGATE_STMT:
                        stmt = not stmt
                    continue
                if fresh:
                    dead = s.address >= DEAD
                fresh = s.end_sequence
                if not s.end_sequence:
                    stmt = bool(s.is_stmt)
                is_stmt = stmt
                if s.end_sequence:
                    stmt = default_stmt
                if dead:
                    continue
                file = files.get(s.file, "?")
                pos = SourcePos(file, s.line, s.column)
                row = Row(
                    s.address, pos, is_stmt, s.end_sequence, bool(s.prologue_end), s.file, s.isa,
                    s.discriminator, bool(s.basic_block), bool(s.epilogue_begin),
                )  # fmt: skip
                rows.append(row)
                mine.append(row)
        return cls(rows, programs)

    def dump(self) -> str:
        """The line programs as `llvm-dwarfdump --debug-line` prints their rows: per
        program its offset and file table, then one row a line (address, line, column,
        file, ISA, discriminator, flags)."""
        out: list[str] = []
        for p in self.programs:
            out.append(f"debug_line[0x{p.offset:08x}] (DWARF {p.version})")
            out += [f"file_names[{k:3d}]: {path}" for k, path in sorted(p.files.items())]
            out.append("")
            out.append("Address            Line   Column File   ISA Discriminator Flags")
            out.append("------------------ ------ ------ ------ --- ------------- -------------")
            for r in p.rows:
                flags = "".join(" " + f for f in r.flags)
                out.append(
                    f"0x{r.address:016x} {r.pos.line:6d} {r.pos.col:6d} {r.file_index:6d} {r.isa:3d} "
                    f"{r.discriminator:13d} {flags}"
                )
            out.append("")
        return "\n".join(out)

    def position(self, address: int) -> SourcePos | None:
        """The source position of the instruction at `address` (None outside every sequence,
        or on a row with line 0: code the compiler made up)."""
        k = bisect.bisect_right(self._addresses, address) - 1
        while k >= 0 and self.rows[k].address == address and self.rows[k].end_sequence:
            k -= 1
        if k < 0 or self.rows[k].end_sequence:
            return None
        pos = self.rows[k].pos
        return pos if pos.line else None

    def statement(self, address: int) -> SourcePos | None:
        """The position of the statement the instruction at `address` belongs to: its row's,
        or, for a row that is not `is_stmt` (a loop's branch back, code the compiler moved),
        the latest `is_stmt` row's before it. Moves by line stop where this changes, as
        gdb's do (None where `position` is None)."""
        k = bisect.bisect_right(self._addresses, address) - 1
        while k >= 0 and self.rows[k].address == address and self.rows[k].end_sequence:
            k -= 1
        if k < 0 or self.rows[k].end_sequence or not self.rows[k].pos.line:
            return None  # (line 0: code the compiler made up belongs to no statement)
        pos = self._statements[k]
        return pos if pos.line else None

    def body_start(self, low: int, high: int) -> int:
        """Where a function's body starts, past its prologue: the row marked `prologue_end`
        in [low, high), else the second statement row, else `low` (as gdb breaks on a
        function)."""
        inside = [r for r in self.rows if low <= r.address < high and not r.end_sequence]
        for r in inside:
            if r.prologue_end:
                return r.address
        stmts = [r for r in inside if r.is_stmt]
        return stmts[1].address if len(stmts) > 1 else low

    def files(self) -> list[str]:
        return sorted({r.pos.file for r in self.rows})

    def match_file(self, name: str) -> list[str]:
        """The files a user's `name` means: the same path, or paths ending in `/name`."""
        exact = [f for f in self.files() if f == name]
        return exact or [f for f in self.files() if f.endswith("/" + name) or posixpath.basename(f) == name]

    def addresses(self, file: str, line: int) -> list[int]:
        """Addresses a breakpoint on `file:line` binds to (see the module docstring)."""
        out: list[int] = []
        prev: Row | None = None
        for r in self.rows:
            starts = r.pos.line == line and r.pos.file == file and r.is_stmt and not r.end_sequence
            if starts and not (prev is not None and prev.pos == r.pos and not prev.end_sequence):
                out.append(r.address)
            prev = r
        return sorted(set(out))

    def lines(self, file: str) -> list[int]:
        """The lines of `file` that have code (a breakpoint can bind to them)."""
        return sorted(
            {
                r.pos.line
                for r in self.rows
                if r.pos.file == file and r.is_stmt and r.pos.line and not r.end_sequence
            }
        )


def file_names(program: Any, cu: Any) -> dict[int, str]:
    """File index -> path, for DWARF 4 (1-based, include_directory) and 5 (0-based)."""
    header = program.header
    version = header["version"]
    dirs = [_text(d) for d in header.get("include_directory", [])]
    comp_dir = (
        _text(cu.get_top_DIE().attributes.get("DW_AT_comp_dir").value)
        if cu.get_top_DIE().attributes.get("DW_AT_comp_dir")
        else ""
    )
    out: dict[int, str] = {}
    for i, entry in enumerate(header.get("file_entry", [])):
        name = _text(entry.name)
        d = entry.dir_index
        if version >= 5:
            base = dirs[d] if d < len(dirs) else ""
            index = i
        else:
            base = dirs[d - 1] if 0 < d <= len(dirs) else comp_dir
            index = i + 1
        out[index] = name if name.startswith("/") or not base else posixpath.join(base, name)
    return out


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


__all__ = ["LineProgram", "LineTable", "Row", "SourcePos"]
