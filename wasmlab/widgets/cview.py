"""The Debugger's C view: for a module compiled with `-g` (DWARF), the C source file with the
current line, its breakpoints and the wasm instructions of that line, and the C variables of
the selected frame with their type, value and where each lives.

Everything is read through the session (`source_position`, `source_listing`, `variables`,
`break_at("file.c:N")`, its breakpoints) and the session's `program.source` (the DWARF joined
to the instructions: which files and lines have code, the position of a breakpoint's place).
"""

from __future__ import annotations

import posixpath
from typing import Any

from wasmlab.errors import WasmError

#: lines of context asked of `source_listing` to get a whole file
WHOLE_FILE = 1 << 30


class CView:
    """The C state of one session, as the Debugger's traits hold it (see `snapshot`)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.file: str | None = None  # the file on show (a path as the compiler recorded it)
        self.chosen = False  # the user picked `file`: keep it while the position is elsewhere
        self._files: list[str] | None = None
        self._code_lines: dict[str, list[int]] = {}
        self._last_values: dict[tuple[str, str], str] = {}
        self._last_function: str | None = None

    # --- what the program has ---------------------------------------------------------------

    @property
    def smap(self) -> Any:
        return self.session.program.source

    @property
    def available(self) -> bool:
        try:
            return bool(self.smap.available)
        except WasmError:
            return False

    def files(self) -> list[str]:
        """The source files of the line table that can be read here (the others, a C
        library's sources say, were compiled elsewhere)."""
        if self._files is None:
            smap = self.smap
            self._files = [f for f in smap.info.lines.files() if f and smap.source_text(f) is not None]
        return self._files

    def code_lines(self, file: str) -> list[int]:
        """The lines of `file` a breakpoint can bind to."""
        if file not in self._code_lines:
            self._code_lines[file] = list(self.smap.info.lines.lines(file))
        return self._code_lines[file]

    def choose(self, file: str) -> None:
        """Show `file` (a path from `files()`, or a name that ends one)."""
        files = self.files()
        found = [f for f in files if f == file] or [f for f in files if posixpath.basename(f) == file]
        if not found:
            raise WasmError(f"no readable C source {file!r}; there are: {', '.join(files) or 'none'}")
        self.file = found[0]
        self.chosen = True

    # --- where the session is ---------------------------------------------------------------

    def _frame_positions(self) -> list[tuple[int, Any]]:
        """(frame index, source position) of every frame with one, innermost first."""
        s = self.session
        smap = self.smap
        out = []
        frames = s.frames
        inst = s.instance
        for k in range(len(frames) - 1, -1, -1):
            fv = frames[k]
            if not 0 <= fv.func_index < len(inst.funcs):
                continue
            pos = smap.position(inst.funcs[fv.func_index], fv.pc)
            if pos is not None:
                out.append((k, pos))
        return out

    def function_name(self, f: Any = None, pc: int | None = None) -> str:
        """The C function of instruction `pc` of `f` (the current one by default; '' when
        there is none)."""
        if f is None:
            f, pc = self.session.function, self.session.position.pc
        if f is None or pc is None:
            return ""
        smap = self.smap
        a = smap.address(f, pc)
        fn = smap.info.function_at(a) if a is not None else None
        return fn.name if fn is not None else ""

    def _selected(self) -> tuple[int, Any, Any] | None:
        """(index, function, source position) of the selected frame when it is not the
        innermost one (after `%up`, `%frame N`), else None."""
        s = self.session
        sel = s.selected_frame
        if sel is None or sel.index == len(s.frames) - 1:
            return None
        inst = s.instance
        if not 0 <= sel.func_index < len(inst.funcs):
            return None
        f = inst.funcs[sel.func_index]
        return sel.index, f, self.smap.position(f, sel.pc)

    def snapshot(self) -> dict[str, Any]:
        """The `c_*` and `variables` traits."""
        empty: dict[str, Any] = {
            "has_c": False, "c_files": [], "c_file": "", "c_source": "", "c_code_lines": [],
            "c_line": 0, "c_col": 0, "c_frame_line": 0, "c_position": "", "c_instrs": [],
            "c_breakpoint_lines": [], "variables": [],
        }  # fmt: skip
        if not self.available:
            return empty
        s = self.session
        st = dict(empty, has_c=True, c_files=self.files())
        pos = s.source_position if s.position.state != "returned" else None
        listing = None
        if pos is not None:
            listing = s.source_listing(WHOLE_FILE)
            if listing is not None and listing.found and not self.chosen:
                self.file = pos.file
        selected = self._selected()
        if selected is not None and selected[2] is not None and not self.chosen:
            if selected[2].file in st["c_files"]:
                self.file = selected[2].file
        if self.file is None and st["c_files"]:
            self.file = self._default_file(st["c_files"])
        file = self.file
        if pos is not None:
            where = f"{pos} in {self.function_name() or '?'}()"
            st["c_position"] = (
                where
                if pos.file == file or listing is None or listing.found
                else (f"{where}: the source of {pos.name} is not readable here")
            )
        if listing is not None:
            st["c_instrs"] = [
                {"pc": pc, "text": text, "current": pc == listing.pc}
                for pc, text in zip(listing.pcs, listing.instrs)
            ]
        if file is not None:
            st["c_file"] = file
            lines = self.smap.source_text(file) or []
            st["c_source"] = "\n".join(lines)
            st["c_code_lines"] = self.code_lines(file)
            st["c_breakpoint_lines"] = self._breakpoint_lines(file)
            if pos is not None and pos.file == file:
                st["c_line"], st["c_col"] = pos.line, pos.col
            if selected is not None:  # the selected frame's line (its variables are shown)
                k, f, p = selected
                if p is not None and p.file == file:
                    st["c_frame_line"] = p.line
                where = (
                    f"{p} in {self.function_name(f, s.frames[k].pc) or '?'}()"
                    if p is not None
                    else "no C line"
                )
                st["c_position"] = f"frame #{k}: {where}"
            elif (
                st["c_line"] == 0
            ):  # the innermost frame on a line of this file (a caller of a library function)
                st["c_frame_line"] = next((p.line for _, p in self._frame_positions() if p.file == file), 0)
        st["variables"] = self._variables()
        return st

    def _default_file(self, files: list[str]) -> str:
        """The file of `main`, else the first readable one."""
        try:
            fn = self.smap.info.function_named("main")
        except WasmError:
            fn = None
        if fn is not None and fn.decl is not None and fn.decl.file in files:
            return fn.decl.file
        return files[0]

    def _breakpoint_lines(self, file: str) -> list[int]:
        smap = self.smap
        lines = set()
        for bp in self.session.breakpoints:
            if not bp.enabled:
                continue
            for f, pc in bp.places:
                p = smap.position(f, pc)
                if p is not None and p.file == file:
                    lines.add(p.line)
        return sorted(lines)

    def _variables(self) -> list[dict[str, Any]]:
        s = self.session
        if s.position.state == "returned":
            self._last_values = {}
            return []
        try:
            found = s.variables
        except WasmError as e:
            return [{"name": "", "type": "", "value": "", "where": "", "is_param": False, "changed": False,
                     "error": str(e)}]  # fmt: skip
        fn = self.function_name()
        if fn != self._last_function:  # another function: nothing to compare with
            self._last_values = {}
            self._last_function = fn
        rows = []
        values = {}
        for v in found:
            key = (v.name, v.type)
            before = self._last_values.get(key)
            values[key] = v.value
            rows.append({
                "name": v.name, "type": v.type, "value": v.value, "where": v.where, "is_param": v.is_param,
                "changed": before is not None and before != v.value, "error": "",
            })  # fmt: skip
        self._last_values = values
        return rows

    # --- breakpoints --------------------------------------------------------------------------

    def toggle_break(self, line: int) -> None:
        """Set a breakpoint on `line` of the file on show, or delete the ones there."""
        file = self.file
        if file is None:
            raise WasmError("no C source file to set a breakpoint in")
        smap = self.smap
        hit = []
        for bp in list(self.session.breakpoints):
            for f, pc in bp.places:
                p = smap.position(f, pc)
                if p is not None and p.file == file and p.line == line:
                    hit.append(bp)
                    break
        if hit:
            for bp in hit:
                bp.delete()
            return
        self.session.break_at(f"{file}:{line}")


__all__ = ["CView"]
