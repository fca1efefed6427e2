"""A real kernel under abuse: memory and table bombs, a 1e9-instruction loop (interrupted),
10 MB cells, a trace of millions of lines, a WASI program writing 100 MB to stdout and a
host function that raises. After each, the kernel answers and earlier modules are intact."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.kernel.driver import Driver

EARLIER = """(module $earlier
  (func (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call 0 (i32.sub (local.get $n) (i32.const 1)))
                     (call 0 (i32.sub (local.get $n) (i32.const 2))))))))"""

LOOP = """(module $loop
  (memory 1)
  (table $t 1 funcref)
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "mgrow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0))))"""

FLOOD = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start") (local $i i32)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 65536))
    (loop $l
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1600))))))"""


@pytest.fixture(scope="module")
def kernel() -> Any:
    from tests.kernel.conftest import need_kernel

    need_kernel()
    d = Driver()
    try:
        d.ok(EARLIER)
        d.ok(LOOP)
        yield d
    finally:
        d.close()


def _still_fine(kernel: Driver) -> None:
    r = kernel.ok('(invoke $earlier "fib" (i32.const 10))')
    assert "(i32.const 55)" in r.text()
    r = kernel.ok('(invoke $loop "count" (i32.const 5))')
    assert "(i32.const 5)" in r.text()


def _error(kernel: Driver, code: str) -> str:
    r = kernel.execute(code)
    assert r.status == "error", r.text()
    return "\n".join(r.of("error")[0]["traceback"])


def test_memory_bomb(kernel: Driver) -> None:
    tb = _error(kernel, "(module $bomb (memory 65536))")
    assert "LinkError" in tb and "memory 0: 4 GiB exceeds the limit of 256 MiB per memory (max_memory)" in tb
    r = kernel.ok('(invoke $loop "mgrow" (i32.const 65535))')
    assert "(i32.const -1)" in r.text()
    r = kernel.ok("%limits")
    assert "last refused: memory.grow of memory 0 refused" in r.text() and "(max_memory)" in r.text()
    _still_fine(kernel)


def test_table_bomb(kernel: Driver) -> None:
    tb = _error(kernel, "(module $tbomb (table 4294967295 funcref))")
    assert "table 0: 4,294,967,295 elements exceeds the limit of 1,000,000 (max_table_elements)" in tb
    r = kernel.ok('(invoke $loop "tgrow" (i32.const 100000000))')
    assert "(i32.const -1)" in r.text()
    assert "(max_table_elements)" in kernel.ok("%limits").text()
    _still_fine(kernel)


def test_limits_can_be_set_and_reset(kernel: Driver) -> None:
    kernel.ok("%limits max_memory=128K")
    tb = _error(kernel, "(module $three (memory 3))")
    assert "192 KiB exceeds the limit of 128 KiB per memory (max_memory)" in tb
    r = kernel.execute("%limits max_memory=lots")
    assert r.status == "error" and "not a size: 'lots'" in r.text()
    assert "256 MiB" in kernel.ok("%limits reset").text()
    kernel.ok("(module $three (memory 3))")
    _still_fine(kernel)


SCRIBBLE = """(module $scribble
  (memory 64)
  (func (export "scribble") (param $n i32) (local $i i32)
    (loop $l
      (i32.store (i32.and (i32.mul (local.get $i) (i32.const 4100)) (i32.const 0x3ffffc)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))"""


def test_history_over_its_budget_keeps_a_window(kernel: Driver) -> None:
    kernel.ok(SCRIBBLE)
    kernel.ok("%limits history_bytes=1M")
    kernel.ok("%debug $scribble scribble 100000")
    kernel.ok("%continue")
    r = kernel.ok("%history")
    m = re.search(r"reachable from step (\d+)", r.text())
    assert m, r.text()
    first = int(m.group(1))
    tb = _error(kernel, "%goto 0")
    assert "before the reachable history" in tb and "history_bytes" in tb
    kernel.ok(f"%goto {first + 5}")
    assert "(the history reaches back to step" in kernel.ok("%back 100").text()
    kernel.ok("%limits reset")
    _still_fine(kernel)


def test_interrupt_a_billion_instruction_loop(kernel: Driver) -> None:
    msg_id = kernel.kc.execute('(invoke $loop "count" (i32.const 1000000000))')
    time.sleep(1.0)
    kernel.km.interrupt_kernel()
    reply = kernel.shell_reply(msg_id, timeout=30)["content"]
    kernel.collect(msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    _still_fine(kernel)


def test_ten_megabyte_cells(kernel: Driver) -> None:
    r = kernel.ok(
        ";; " + "y" * 10_000_000 + '\n(module $after (func (export "one") (result i32) (i32.const 1)))'
    )
    assert "$after" in r.text()
    r = kernel.execute("x" * 10_000_000)
    assert r.status == "error"
    tb = "\n".join(r.of("error")[0]["traceback"])
    assert "unknown operator" in tb and "more characters not shown" in tb
    assert len(tb) < 20_000
    _still_fine(kernel)


def test_a_trace_of_millions_of_lines_is_cut(kernel: Driver) -> None:
    kernel.ok("%debug $loop count 100000000")
    msg_id = kernel.kc.execute("%trace 5000000")
    time.sleep(4.0)  # some hundred thousand lines, then stop
    kernel.km.interrupt_kernel()
    kernel.shell_reply(msg_id, timeout=60)
    outs = kernel.collect(msg_id, timeout=60)
    text = "\n".join(c["data"].get("text/plain", "") for t, c in outs if t == "display_data")
    assert "[wasmlab: trace cut: the first 2,000 and the last 200 lines shown" in text
    assert len(text) < 1_000_000
    r = kernel.ok("%output last 0 300")
    assert "trace: characters 0 to 300 of" in r.text()
    _still_fine(kernel)


def test_a_wasi_program_writing_100_mb(kernel: Driver, tmp_path: Path) -> None:
    wat = tmp_path / "flood.wat"
    wat.write_text(FLOOD)
    kernel.ok(f"%load {wat} $flood --wasi")
    r = kernel.execute("%run $flood", timeout=300)
    assert r.status == "ok", r.text()[-2000:]
    text = r.text()
    assert "exit status 0" in text
    assert "stdout cut here after 65,536 bytes" in text
    assert len(text) < 200_000
    r = kernel.ok("%output stdout 104857500 1000")
    assert "stdout: bytes 104,857,500 to 104,857,600 of 104,857,600" in r.text()
    assert "x" * 100 in r.text()
    _still_fine(kernel)


def test_a_host_function_that_raises() -> None:
    """Host functions come from Python: in the IPython kernel (`%%wat --imports`)."""
    from jupyter_client.kernelspec import KernelSpecManager

    from tests.conftest import skip_or_fail

    if "python3" not in KernelSpecManager().find_kernel_specs():
        skip_or_fail("the python3 (ipykernel) kernelspec is not installed")
    k = Driver("python3")
    try:
        k.ok("%load_ext wasmlab")
        k.ok('%%wat early\n(module (func (export "two") (result i32) (i32.const 2)))')
        k.ok('def boom(x):\n    raise RuntimeError("the host broke")\nimps = {"env": {"boom": boom}}')
        k.ok(
            '%%wat m --imports imps\n(module (import "env" "boom" (func $boom (param i32) (result i32)))'
            ' (func (export "f") (result i32) (call $boom (i32.const 1))))'
        )
        r = k.execute("m.exports.f()")
        assert r.status == "error"
        assert r.content["ename"] == "Trap"
        assert "host function env.boom failed: RuntimeError('the host broke')" in r.content["evalue"]
        assert k.ok("early.exports.two()").of("execute_result")[0]["data"]["text/plain"] == "2"
    finally:
        k.close()
