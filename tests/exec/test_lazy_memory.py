"""Lazy linear memory: declaring or growing a big memory costs no resident memory; the
pages written do. Resident sizes are read in a child process (/proc/self/statm)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import wasmlab
from wasmlab import Limits

BIG = Limits(max_memory=4 << 30, max_store_memory=4 << 30)


def _rss_mb(code: str) -> float:
    """Run `code` in a fresh interpreter; it prints a resident size in MB as its last line."""
    prelude = textwrap.dedent(
        """
        import os
        def rss_mb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


needs_proc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")


@needs_proc
def test_declaring_4_gib_costs_almost_nothing() -> None:
    grew = _rss_mb(
        """
        import wasmlab
        m = wasmlab.parse("(module (memory (export \\"m\\") 65536))")
        before = rss_mb()
        inst = wasmlab.instantiate(m)
        inst.exports.m.write((1 << 32) - 1, b"x")
        print(rss_mb() - before)
        """
    )
    assert grew < 10


@needs_proc
def test_growing_costs_what_is_written() -> None:
    grew = _rss_mb(
        """
        import wasmlab
        inst = wasmlab.load('''(module (memory (export "m") 0)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))''')
        before = rss_mb()
        assert inst.exports.grow(65535) == 0
        mem = inst.exports.m
        for page in range(0, 65535, 64):  # one page in 64: 1024 pages, 64 MiB
            mem.write(page * 65536, b"\\1" * 65536)
        print(rss_mb() - before)
        """
    )
    assert 60 < grew < 100


def test_memory_from_zero_pages_grows_and_works() -> None:
    inst = wasmlab.load(
        """(module (memory (export "m") 0)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size))
          (func (export "st") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "ld") (param i32) (result i64) (i64.load (local.get 0)))
          (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "b") (param i32) (result i32) (i32.load8_u (local.get 0))))"""
    )
    ex = inst.exports
    with pytest.raises(wasmlab.Trap, match="out of bounds"):
        ex.ld(0)
    assert ex.size() == 0
    assert ex.grow(2) == 0
    assert ex.size() == 2
    ex.st(2 * 65536 - 8, 0x0102030405060708)
    assert ex.ld(2 * 65536 - 8) == 0x0102030405060708
    ex.fill(10, 0xAB, 5)
    assert ex.b(14) == 0xAB and ex.b(15) == 0
    with pytest.raises(wasmlab.Trap, match="out of bounds"):
        ex.st(2 * 65536 - 7, 1)
    with pytest.raises(wasmlab.Trap, match="out of bounds"):
        ex.fill(2 * 65536, 1, 1)


def test_debugger_goes_back_across_a_grow_from_zero() -> None:
    inst = wasmlab.load(
        """(module (memory (export "m") 0)
          (func (export "run") (result i32)
            (drop (memory.grow (i32.const 1)))
            (i32.store (i32.const 100) (i32.const 42))
            (i32.load (i32.const 100))))"""
    )
    s = wasmlab.debug(inst, "run")
    assert s.continue_().kind == "returned"
    assert inst.exports.m.read(100, 4) == (42).to_bytes(4, "little")
    s.goto(0)
    assert len(inst.exports.m) == 0
    assert s.continue_().kind == "returned"
    assert s.results_text == "[i32 42]"
    assert len(inst.exports.m) == 65536


def test_history_budget_drops_oldest_and_shows_the_window() -> None:
    src = """(module (memory (export "m") 64)
      (func (export "run") (local $i i32)
        (loop $l
          (i32.store (i32.mul (local.get $i) (i32.const 65536)) (local.get $i))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 64))))))"""
    inst = wasmlab.load(src)
    s = wasmlab.debug(inst, "run", checkpoint_interval=20, history_bytes=4 * 65536)
    s.continue_()
    h = s.history
    assert h.first > 0
    assert h.nbytes <= 4 * 65536 + 64 * 65536  # the last checkpoint is always kept
    assert f"reachable from step {h.first}" in repr(h)
    with pytest.raises(wasmlab.debug.DebugError, match="before the reachable history"):
        s.goto(0)
    s.goto(h.first)
    assert s.position.step == h.first
    s.goto(h.first + 5)
    stop = s.back(100)
    assert stop.step == h.first and f"(the history reaches back to step {h.first} only)" in stop.reason


def test_restoring_memory_size_keeps_the_store_account() -> None:
    inst = wasmlab.load(
        """(module (memory 1)
          (func (export "g") (result i32) (memory.grow (i32.const 3))))""",
        limits=BIG,
    )
    lim = inst.store.limiter
    assert lim.memory_bytes == 65536
    s = wasmlab.debug(inst, "g")
    s.continue_()
    assert lim.memory_bytes == 4 * 65536
    s.goto(0)
    assert lim.memory_bytes == 65536


@needs_proc
def test_debugging_a_big_memory_costs_what_is_written() -> None:
    grew = _rss_mb(
        """
        import wasmlab
        logged = []
        inst = wasmlab.load('''(module (import "env" "log" (func $log (param i32)))
          (memory (export "m") 4096)
          (func (export "run")
            (i32.store (i32.const 1000000) (i32.const 7))
            (call $log (i32.const 1))
            (i32.store (i32.const 200000000) (i32.const 9))))''', {"env": {"log": logged.append}})
        before = rss_mb()
        s = wasmlab.debug(inst, "run")
        s.step(3)
        assert [c.lo for c in s.changes.memory] == [1000000], s.changes
        s.continue_()
        s.back(1)
        s.goto(0)
        s.continue_()
        assert logged == [1]
        print(rss_mb() - before)
        """
    )
    assert grew < 50


def test_growing_while_a_view_of_the_bytes_is_alive() -> None:
    inst = wasmlab.load(
        """(module (memory (export "m") 1)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))"""
    )
    mem = inst.exports.m
    mem.write(8, b"\x2a\0\0\0")
    view = memoryview(mem.data)  # the mapping cannot be resized in place now: it is copied
    assert inst.exports.grow(2) == 1
    assert len(mem) == 3 * 65536 and inst.exports.ld(8) == 42 and inst.exports.ld(3 * 65536 - 4) == 0
    view.release()
