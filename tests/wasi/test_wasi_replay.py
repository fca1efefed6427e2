"""Record and replay: a WASI call's results and memory writes are recorded once; replaying
them reproduces exactly what the guest saw, without printing or reading anything again."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmlab
from tests.wasi.helpers import Guest
from wasmlab.errors import Trap
from wasmlab.wasi import Effect, ProcExit, WasiConfig, WasiFunction

NUMBERS = b"5 -3 12 7 0 99 -42\n"


def _load(wasm_programs: dict[str, Path], name: str, **kw: object) -> tuple[WasiConfig, wasmlab.Instance]:
    kw.setdefault("stdout", bytearray())
    kw.setdefault("stderr", bytearray())
    cfg = WasiConfig(args=[name], **kw)  # type: ignore[arg-type]
    return cfg, wasmlab.load(wasm_programs[name], wasi=cfg)


def _memory(inst: wasmlab.Instance) -> bytes:
    return bytes(inst.exports["memory"].data)


def test_journal_records_results_writes_and_output(wasm_programs: dict[str, Path]) -> None:
    cfg, inst = _load(wasm_programs, "clockrand")
    cfg.journal = []
    assert cfg.run(inst) == 0
    names = [e.name for e in cfg.journal]
    assert "clock_time_get" in names and "random_get" in names and "poll_oneoff" in names
    clock = next(e for e in cfg.journal if e.name == "clock_time_get")
    assert clock.results == (0,) and [len(new) for _, _, new in clock.writes] == [8]
    rand = next(e for e in cfg.journal if e.name == "random_get")
    assert sum(len(new) for _, _, new in rand.writes) == 32
    printed = b"".join(data for e in cfg.journal for fd, data in e.output if fd == 1)
    assert printed == cfg.output


@pytest.mark.parametrize("name", ["qsort", "clockrand", "exit3", "hello", "floats"])
def test_replay_reproduces_the_run_without_side_effects(name: str, wasm_programs: dict[str, Path]) -> None:
    live_cfg, live = _load(wasm_programs, name, stdin=NUMBERS)
    live_cfg.journal = []
    status = live_cfg.run(live)
    replay_cfg, again = _load(wasm_programs, name, stdin=b"")  # no input: all of it is replayed
    replay_cfg.replay_from(live_cfg.journal)
    assert replay_cfg.run(again) == status
    assert replay_cfg.output == b"" and replay_cfg.errors == b""  # nothing printed twice
    assert _memory(again) == _memory(live)
    assert again is not live and replay_cfg.machine.steps == live_cfg.machine.steps
    assert not replay_cfg.replaying


def test_effects_undo_and_redo(wasm_programs: dict[str, Path]) -> None:
    g = Guest(WasiConfig(stdin=b"hello"))
    start = bytes(g.mem.data)
    arr, (buf,) = g.iovec(8)
    after_setup = bytes(g.mem.data)
    effect = g.funcs["fd_read"].host.record(0, arr, 1, g.alloc(4))
    assert isinstance(effect, Effect) and effect.errno == 0
    assert g.read(buf, 5) == b"hello"
    filled = bytes(g.mem.data)
    effect.undo(g.mem)
    assert bytes(g.mem.data) == after_setup != start
    host = g.funcs["fd_read"].host
    assert isinstance(host, WasiFunction)
    assert host.replay(effect) == 0
    assert bytes(g.mem.data) == filled
    assert g.read_fd(0) == (0, b"")  # the input was consumed once only


def test_proc_exit_replays_as_proc_exit() -> None:
    g = Guest(WasiConfig())
    effect = g.funcs["proc_exit"].host.record(5)
    assert effect.exit_code == 5 and effect.results == ()
    with pytest.raises(ProcExit) as info:
        g.funcs["proc_exit"].host.replay(effect)
    assert info.value.code == 5


def test_recorder_callback_and_divergence() -> None:
    g = Guest(WasiConfig(stdout=bytearray()))
    seen: list[Effect] = []
    g.cfg.recorder = seen.append
    arr, (buf,) = g.iovec(4)
    g.mem.data[buf : buf + 4] = b"once"
    nwritten = g.alloc(4)
    assert g.call("fd_write", 1, arr, 1, nwritten) == 0
    assert [e.name for e in seen] == ["fd_write"] and seen[0].output == [(1, b"once")]
    g.cfg.recorder = None
    g.mem.data[nwritten : nwritten + 4] = bytes(4)
    g.cfg.replay_from(seen)
    assert g.call("fd_write", 1, arr, 1, nwritten) == 0  # replayed: not written again
    assert g.cfg.output == b"once" and g.u32(nwritten) == 4 and not g.cfg.replaying
    g.cfg.replay_from(seen)
    with pytest.raises(Trap, match="replay diverged"):
        g.call("fd_close", 1)
    assert not g.cfg.replaying


@pytest.mark.parametrize("name", ["hello", "qsort", "exit3"])
def test_stepping_backwards_in_the_debugger_replays(name: str, wasm_programs: dict[str, Path]) -> None:
    """With wasmlab.debug: run to the end, go back to the start, run again: the program's
    output is printed once, the WASI functions ran once, and memory ends the same."""
    debug = pytest.importorskip("wasmlab.debug").debug
    cfg, inst = _load(wasm_programs, name, stdin=NUMBERS)
    s = debug(inst, "_start")
    s.continue_()
    steps, calls, out, mem = s.step_count, s.host_calls, cfg.output, _memory(inst)
    assert out
    s.goto(0)
    s.continue_()
    assert (s.step_count, s.host_calls, cfg.output) == (steps, calls, out)
    assert _memory(inst) == mem
    s.back(steps // 2)  # backwards over fd_write and forwards again
    s.continue_()
    assert cfg.output == out and s.host_calls == calls
    if name == "exit3":
        assert isinstance(s.trap, ProcExit) and s.trap.code == 3
