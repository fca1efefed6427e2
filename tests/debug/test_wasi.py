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
