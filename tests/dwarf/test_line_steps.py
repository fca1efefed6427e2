"""A property of stepping by source line, over the C test programs from random starting
points (a breakpoint on a random line of the program, its first, second or third hit):
`next_line` N times and then `back_line` N times visits the same lines in reverse order and
ends in exactly the state it started from (`Session.position`). The forward moves stay in
the starting frame: a `next_line` out of the function (it stops in the middle of the
caller's line, as gdb's `next` does) is undone and ends the forward run, since `back_line`
from there goes to the start of the caller's line, as gdb's `reverse-next` does."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import wasmlab
from tests.dwarf.programs import NAMES, session, source, wasm

_tmp: list[pytest.TempPathFactory] = []


@pytest.fixture(autouse=True, scope="module")
def _factory(tmp_path_factory: pytest.TempPathFactory) -> None:
    _tmp.append(tmp_path_factory)


@cache
def session_of(name: str) -> tuple[wasmlab.debug.Session, list[int]]:
    """A session of program `name` (-O0), reused (it goes back to step 0 for each example),
    and the lines of its own source file that have code."""
    s = session(wasm(_tmp[0], name))
    info = s.program.source.info
    (path,) = info.lines.match_file(source(name).name)
    return s, info.lines.lines(path)


def place(s: wasmlab.debug.Session) -> tuple[object, ...]:
    pos = s.source_position
    return (s.position.function, s.machine.depth, pos.line if pos else None)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(NAMES),
    pick=st.floats(0, 1, exclude_max=True),
    hit=st.integers(1, 3),
    n=st.integers(1, 8),
)
def test_back_line_retraces_next_line(name: str, pick: float, hit: int, n: int) -> None:
    s, lines = session_of(name)
    s.goto(0)
    s.clear_breakpoints()
    line = lines[int(pick * len(lines))]
    s.break_at(f"{source(name).name}:{line}")
    for _ in range(hit):
        stop = s.continue_()
        if stop.kind != "breakpoint":
            break
    s.clear_breakpoints()
    assume(stop.kind == "breakpoint")
    start, depth = s.position, s.machine.depth
    seen = [place(s)]
    for _ in range(n):
        before = s.position.step
        if s.next_line().kind != "step" or s.machine.depth != depth:
            s.goto(before)  # it left the frame (or the run ended): not part of the property
            break
        seen.append(place(s))
    back = [place(s)]
    for _ in range(len(seen) - 1):
        s.back_line()
        back.append(place(s))
    assert back == list(reversed(seen))
    assert s.position == start
