"""WASI calls under the debugger: recorded once through WASI's own journal, replayed without
their side effects (stepping back over fd_write and forward again prints nothing twice)."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.debug import DebugError, debug
from wasmlab.wasi import WasiConfig

HELLO = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))
"""


def test_wasi_calls_are_replayed_without_side_effects() -> None:
    out = bytearray()
    inst = wasmlab.load(HELLO, wasi=WasiConfig(stdout=out))
    s = debug(inst, "_start")
    stop = s.continue_()
    assert stop.kind == "exit" and "status 3" in stop.reason and s.position.state == "exited"
    assert bytes(out) == b"hi\nhi\n" and s.host_calls == 3
    assert s.memory(0)[8:12] == (3).to_bytes(4, "little")  # fd_write's byte count
    with pytest.raises(DebugError, match="exited"):
        s.step()
    s.goto(0)
    assert s.memory(0)[8:12] == bytes(4)
    assert s.continue_().kind == "exit"
    assert bytes(out) == b"hi\nhi\n" and s.host_calls == 3
    assert s.memory(0)[8:12] == (3).to_bytes(4, "little")
    s.back()
    assert s.position.instr == "call 1 <exit>" and not s.finished


def test_watchpoints_see_what_host_functions_write() -> None:
    """fd_write stores its byte count at 8: a watch there stops right after the call, says
    which host function wrote, and does so again when history replays the call."""
    out = bytearray()
    inst = wasmlab.load(HELLO, wasi=WasiConfig(stdout=out))
    s = debug(inst, "_start")
    w = s.watch_memory(8, 4)
    stop = s.continue_()
    assert stop.kind == "watchpoint" and stop.watch.watch is w and stop.watch.by is not None
    assert "by host function" in stop.reason and "fd_write" in stop.reason
    assert (stop.watch.old, stop.watch.new) == (bytes(4), (3).to_bytes(4, "little"))
    assert s.position.instr == "drop" and bytes(out) == b"hi\n"  # the call has completed
    # the second fd_write writes the same count: nothing changes, nothing stops
    assert s.continue_().kind == "exit" and w.hits == 1
    # from the start again: the replayed call (which prints nothing) stops there too
    s.goto(0)
    stop = s.continue_()
    assert stop.kind == "watchpoint" and s.position.instr == "drop" and bytes(out) == b"hi\nhi\n"
    assert s.continue_().kind == "exit"
    back = s.reverse_continue()
    assert back.kind == "watchpoint" and s.position.instr == "drop" and w.hits == 3


def test_watched_global_written_by_a_host_function() -> None:
    wat = """(module
      (import "env" "bump" (func $bump))
      (global $g (export "g") (mut i32) (i32.const 0))
      (func (export "main") (result i32) (call $bump) (call $bump) (global.get $g)))"""
    box: dict = {}

    def bump() -> None:
        g = box["inst"].exports.g
        g.value = g.value + 1

    inst = wasmlab.load(wat, imports={"env": {"bump": bump}})
    box["inst"] = inst
    s = debug(inst, "main")
    s.watch_global("$g")
    stop = s.continue_()
    assert stop.kind == "watchpoint" and "i32 0 -> i32 1 (by host function env.bump)" in stop.reason
    assert s.position.pc == 1
    stop = s.continue_()
    assert stop.kind == "watchpoint" and "i32 1 -> i32 2" in stop.reason
    assert s.continue_().kind == "returned"
