"""Variables against gdb: each C test program built natively with `gcc -O0 -g` runs under
`gdb -batch`, and built for wasm32-wasi with `clang -O0 -g` under wasmlab, with breakpoints
on the same lines (those marked `/* stop */`). At every stop, the value gdb's `info args` and
`info locals` print for each argument and local equals the `value` of wasmlab's
`Session.variables`; pointers are compared by what they point at (their addresses differ
between the two machines), `*p` printed by gdb against `Session.eval_c("*p")`.

At -O2 (wasm only) every variable shown at a stop has the value the -O0 build has at the
same stop (the same line's same hit), or is `<optimized out>`."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_tool
from tests.dwarf.programs import NAMES, native, session, source, stop_lines, wasm
from wasmlab.debug import DebugError
from wasmlab.errors import WasmError

#: what gdb runs at each stop (gdb's own Python; nothing of wasmlab's)
GDB_SCRIPT = r"""
import gdb

class Stop(gdb.Breakpoint):
    def stop(self):
        frame = gdb.selected_frame()
        print("@@stop %d" % frame.find_sal().line)
        print("@@args")
        print(gdb.execute("info args", to_string=True), end="")
        print("@@locals")
        print(gdb.execute("info locals", to_string=True), end="")
        print("@@pointees")
        block, seen = frame.block(), set()
        while block is not None and not block.is_global and not block.is_static:
            for sym in block:
                if not (sym.is_variable or sym.is_argument) or sym.name in seen:
                    continue
                seen.add(sym.name)
                t = sym.type.strip_typedefs()
                if t.code != gdb.TYPE_CODE_PTR:
                    continue
                target = t.target().strip_typedefs()
                if target.code in (gdb.TYPE_CODE_VOID, gdb.TYPE_CODE_FUNC) or target.sizeof == 1:
                    continue
                if int(sym.value(frame)) != 0:
                    print("*%s = %s" % (sym.name, sym.value(frame).dereference().format_string()))
            block = block.superblock
        print("@@end")
        return False

for line in LINES:
    Stop("%s:%d" % (FILE, line))
"""

Stop = tuple[int, dict[str, str]]
OPTIMIZED_OUT = "<optimized out>"  # line, {name or *name: value text}


def gdb_stops(binary: Path, file: str, lines: list[int]) -> list[Stop]:
    script = binary.with_suffix(".gdb.py")
    script.write_text(f"LINES = {lines!r}\nFILE = {file!r}\n" + GDB_SCRIPT)
    out = subprocess.run(
        [need_tool("gdb"), "-batch", "-nx", "-ex", "set width 0", "-ex", "set pagination off",
         "-ex", f"source {script}", "-ex", "run", str(binary)],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    stops: list[Stop] = []
    values: dict[str, str] = {}
    for line in out.splitlines():
        if line.startswith("@@stop "):
            values = {}
            stops.append((int(line.split()[1]), values))
        elif line.startswith("@@") or line in ("No arguments.", "No locals."):
            continue
        elif stops and (m := re.match(r"^(\*?\w+) = (.*)$", line)):
            values.setdefault(m[1], m[2])  # an inner block's variable hides an outer one's
    assert stops, f"gdb stopped nowhere:\n{out[-2000:]}"
    return stops


def wasmlab_stops(path: Path, file: str, lines: list[int]) -> list[Stop]:
    s = session(path)
    for line in lines:
        try:
            s.break_at(f"{file}:{line}")
        except DebugError:  # -O2: a line the optimiser left without code
            continue
    stops: list[Stop] = []
    while True:
        stop = s.continue_()
        if stop.kind != "breakpoint":
            assert stop.kind in ("exit", "returned"), stop
            return stops
        values: dict[str, str] = {}
        for v in s.variables:
            values[v.name] = v.value
            t = s.eval_c(v.name).type.strip() if v.value != OPTIMIZED_OUT else None
            target = t.target.strip() if t is not None and t.kind == "pointer" and t.target else None
            if (
                target is not None
                and target.kind not in ("void", "function")
                and target.byte_size != 1
                and v.value != "0x0"
            ):
                try:
                    values["*" + v.name] = s.eval_c("*" + v.name).text
                except WasmError as e:
                    values["*" + v.name] = f"<{e}>"
        stops.append((s.source_position.line, values))


def normal(text: str) -> str:
    """Addresses differ between a native process and wasm memory: 0x0 stays, others go."""
    return re.sub(r"0x[0-9a-f]*[1-9a-f][0-9a-f]*", "0x?", text)


@pytest.mark.parametrize("name", NAMES)
def test_variables_equal_gdbs(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    lines, file = stop_lines(name), source(name).name
    theirs = gdb_stops(native(tmp_path_factory, name), file, lines)
    ours = wasmlab_stops(wasm(tmp_path_factory, name), file, lines)
    assert [line for line, _ in ours] == [line for line, _ in theirs]
    compared = 0
    for (line, gdb_values), (_, our_values) in zip(theirs, ours, strict=True):
        g = {k: normal(v) for k, v in gdb_values.items()}
        w = {k: normal(v) for k, v in our_values.items()}
        assert w == g, f"{file}:{line}"
        compared += len(g)
    assert compared >= 2 * len(theirs)


def frame_stops(path: Path, file: str, lines: list[int], callers: bool = False) -> list[Stop]:
    """At each stop: the variables of the innermost frame and of the calls inlined there
    (each its own frame; with `callers`, of every frame of the program's own source),
    keyed `function#k.name` (k: the how-manyth frame of that function from the innermost)."""
    s = session(path)
    for line in lines:
        try:
            s.break_at(f"{file}:{line}")
        except DebugError:
            continue
    stops: list[Stop] = []
    while s.continue_().kind == "breakpoint":
        values: dict[str, str] = {}
        seen: dict[str, int] = {}
        for f in reversed(s.source_frames):
            if f.position is None or f.position.name != file:
                continue
            if not callers and f.frame != s.machine.depth - 1:
                break
            k = seen[f.function] = seen.get(f.function, -1) + 1
            values.update({f"{f.function}#{k}.{v.name}": v.value for v in f.variables})
        stops.append((s.source_position.line, values))
    return stops


def agrees(shown: str, plain: str | None) -> bool:
    """Whether a -O2 value agrees with the -O0 one: equal, but for the members or elements
    shown as `<optimized out>` (a struct in pieces, some of them optimized out)."""
    if plain is None:
        return False
    shown, plain = expand(shown), expand(plain)
    pattern = ".*?".join(re.escape(part) for part in shown.split(OPTIMIZED_OUT))
    return re.fullmatch(pattern, plain) is not None


def expand(text: str) -> str:
    """`0 <repeats 3 times>` written out as `0, 0, 0` (one run may be printed either way)."""
    return re.sub(
        r"((?<=[{ ])[^{}, <][^{},]*?) <repeats (\d+) times>", lambda m: ", ".join([m[1]] * int(m[2])), text
    )


def optimized_report(
    name: str, tmp: pytest.TempPathFactory, callers: bool = False
) -> tuple[int, int, list[str]]:
    """(variables shown at the -O2 build's stops, in every frame, inlined ones included,
    how many have a value, the values that are wrong). The optimiser may drop a line's code in some places (an unrolled loop's first
    rounds folded into constants) or repeat it, so the -O2 stops of a line are matched in
    order to the -O0 stops of that line: each to the first one, at or after the previous
    match, whose variables have every value the -O2 stop shows; none is a wrong value.
    Callers' frames (`callers`) are reported, not checked: clang's location lists for a
    caller can be wrong (recursion.c's `i` is "6" across the whole unrolled loop of calls
    to insert, as llvm-dwarfdump shows too)."""
    lines, file = stop_lines(name), source(name).name
    plain: dict[int, list[dict[str, str]]] = {}
    for line, values in frame_stops(wasm(tmp, name, "-O0"), file, lines, callers=True):
        plain.setdefault(line, []).append({k: normal(v) for k, v in values.items()})
    at: dict[int, int] = {}
    shown = available = 0
    wrong: list[str] = []
    for line, values in frame_stops(wasm(tmp, name, "-O2"), file, lines, callers):
        known = {k: normal(v) for k, v in values.items() if not k.startswith("*") and v != OPTIMIZED_OUT}
        shown += sum(1 for k in values if not k.startswith("*"))
        available += len(known)
        rest = plain.get(line, [])[at.get(line, 0) :]
        match = next(
            (k for k, v in enumerate(rest) if all(agrees(x, v.get(n)) for n, x in known.items())), None
        )
        if match is None:
            expected = rest[0] if rest else {}
            wrong += [
                f"{file}:{line}: {n} = {x}, at -O0 {expected.get(n)}"
                for n, x in known.items()
                if not agrees(x, expected.get(n))
            ]
        else:
            at[line] = at.get(line, 0) + match
    return shown, available, wrong


@pytest.mark.parametrize("name", NAMES)
def test_optimized_variables_are_right_or_optimized_out(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shown, available, wrong = optimized_report(name, tmp_path_factory)
    print(f"{name} -O2: {available} of {shown} variables available")
    assert wrong == []
