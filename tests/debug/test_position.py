"""`Session.position`: the record front ends read (step, function, pc, instruction, byte
offset, source span), the same whichever way the session got there (forward, back, goto)."""

from __future__ import annotations

import dataclasses

import pytest

import wasmlab
from wasmlab.debug import debug

WAT = """(module
  (func $sq (param $x i32) (result i32)
    local.get $x
    local.get $x
    i32.mul)
  (func $f (export "f") (param $n i32) (result i32)
    local.get $n
    call $sq
    i32.const 1
    i32.add))
"""

#: (function, func_index, pc, source line, op) of each instruction in the order it runs
ORDER = [
    ("f", 1, 0, 7, "local.get"),
    ("f", 1, 1, 8, "call"),
    ("sq", 0, 0, 3, "local.get"),
    ("sq", 0, 1, 4, "local.get"),
    ("sq", 0, 2, 5, "i32.mul"),
    ("sq", 0, 3, None, "end"),
    ("f", 1, 2, 9, "i32.const"),
    ("f", 1, 3, 10, "i32.add"),
    ("f", 1, 4, None, "end"),
]


def _offsets() -> dict[tuple[int, int], int | None]:
    """Byte offsets as the decoder of the encoded module sees them."""
    decoded = wasmlab.decode(wasmlab.encode(wasmlab.parse(WAT)))
    return {(i, pc): ins.offset for i, f in enumerate(decoded.funcs) for pc, ins in enumerate(f.body)}


def test_position_of_a_wat_function() -> None:
    s = debug(wasmlab.load(WAT), "f", 6)
    offsets = _offsets()
    lines = WAT.splitlines()
    for step, (name, index, pc, line, op) in enumerate(ORDER):
        pos = s.position
        assert (pos.step, pos.state, pos.function, pos.func_index, pos.pc, pos.op) == (
            step, "paused", name, index, pc, op,
        )  # fmt: skip
        assert pos.instance == "instance" and pos.path is None
        assert pos.depth == (2 if name == "sq" else 1)
        assert pos.offset == offsets[(index, pc)]
        assert pos.instr is not None and pos.instr.split()[0] == op
        assert s.function is not None and s.function.index == index
        if line is not None:  # (an implicit `end` has no text of its own)
            assert pos.span is not None and (pos.line, pos.col) == (pos.span.line, pos.span.col) == (line, 5)
            assert lines[line - 1][pos.col - 1 :].startswith(op)
        s.step()
    pos = s.position
    assert pos.state == "returned" and pos.step == len(ORDER) and s.result == 37
    assert (pos.function, pos.func_index, pos.pc, pos.offset, pos.span, pos.line, pos.col, pos.op) == (
        None,
    ) * 8
    assert s.function is None and s.instance is s.program.root and s.results_text == "[i32 37]"
    with pytest.raises(dataclasses.FrozenInstanceError):
        pos.pc = 3  # type: ignore[misc]


def test_position_after_back_and_goto_is_the_one_reached_going_forward() -> None:
    s = debug(wasmlab.load(WAT), "f", 6, checkpoint_interval=3)
    seen = [s.position]
    while not s.finished:
        s.step()
        seen.append(s.position)
    assert len(seen) == len(ORDER) + 1
    for n in (4, 0, 7, 2, len(ORDER), 5):
        stop = s.goto(n)
        assert s.position == seen[n] == stop.position
    s.goto(len(ORDER))
    for n in range(len(ORDER) - 1, -1, -1):
        s.back()
        assert s.position == seen[n]
    s.goto(6)
    assert s.back(3).position == seen[3] and s.position.function == "sq" and s.position.pc == 1


def test_position_at_a_trap_and_of_a_host_function_called_directly() -> None:
    inst = wasmlab.load(
        """(module (func (export "div") (param i32) (result i32)
                     (i32.div_u (i32.const 1) (local.get 0))))"""
    )
    s = debug(inst, "div", 0)
    s.continue_()
    pos = s.position
    assert pos.state == "trapped" and pos.op == "i32.div_u" and pos.pc == 2 and pos.line == 2
    s.back()
    assert s.position.state == "paused" and s.position.pc == 2 and s.position.step == pos.step

    host = wasmlab.load(
        '(module (import "env" "h" (func $h (result i32))) (export "h" (func $h)))',
        {"env": {"h": lambda: 5}},
    )
    s = debug(host, "h")
    assert s.position.function == "env.h" and s.position.pc is None and s.function is None
    s.step()
    assert s.position.state == "returned" and s.result == 5
