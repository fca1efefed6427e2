"""Ctrl-C (SIGINT, no kernel) during a debug session's move in the main thread: the move
stops as `interrupt()` stops it, in an exact state from which the session goes on, even when
compiled code was running (a KeyboardInterrupt raised inside it would lose its frames). A
second Ctrl-C before the move stopped raises KeyboardInterrupt; a SIGINT handler set by
someone else (a kernel's) is left alone; so are sessions in other threads."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import wasmlab
from tests.exec.test_fast import state
from wasmlab.bench.workloads import WORKLOADS
from wasmlab.debug import debug


@pytest.fixture(autouse=True)
def default_sigint() -> Iterator[None]:
    """Each test starts and ends with Python's own SIGINT handler (a leftover Ctrl-C would
    stop the test run itself)."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    yield
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class CtrlC:
    """Send SIGINT to this process after each of `delays` (seconds), while `running` is set."""

    def __init__(self, *delays: float) -> None:
        self.delays = delays
        self.running = threading.Event()
        self.sent = 0
        self._thread = threading.Thread(target=self._send)

    def _send(self) -> None:
        for d in self.delays:
            time.sleep(d)
            if not self.running.is_set():
                return
            os.kill(os.getpid(), signal.SIGINT)
            self.sent += 1

    def __enter__(self) -> CtrlC:
        self.running.set()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running.clear()
        self._thread.join()


def machine_alone(wat: str, arg: int, steps: int) -> Any:
    m = wasmlab.load(wat).machine("run", arg, tier="machine")
    m.run(max_steps=steps)
    return m


#: (workload, argument): a loop of minutes in one compiled frame; fib, 30-odd compiled frames deep
LONG_RUNS = [(WORKLOADS[1], 10**9), (WORKLOADS[0], 45)]


@pytest.mark.parametrize("history", [False, True])
@pytest.mark.parametrize(("w", "arg"), LONG_RUNS, ids=[w.name for w, _ in LONG_RUNS])
def test_ctrl_c_stops_compiled_code_exactly(w: Any, arg: int, history: bool) -> None:
    s = debug(wasmlab.load(w.wat), "run", arg, history=history)
    assert s.machine.tier != "machine"
    for round_ in range(2):  # (and a second move, interrupted again)
        with CtrlC(0.05) as c:
            stop = s.continue_()
        assert c.sent == 1
        assert stop.kind == "interrupted", stop
        k = s.position.step
        assert 0 < k and not s.finished
        assert state(s.machine) == state(machine_alone(w.wat, arg, k)), f"move {round_}"
    other = machine_alone(w.wat, arg, k)
    s.step(7)  # and the session goes on from there
    other.run(max_steps=7)
    assert state(s.machine) == state(other)


def test_a_second_ctrl_c_raises_keyboard_interrupt() -> None:
    """A host function that does not return: the first Ctrl-C waits for it, the second ends
    the move at once (as a KeyboardInterrupt the session turns into a stop)."""
    wat = """(module (import "env" "wait" (func $wait))
      (func (export "run") (param i32) (result i32) (call $wait) (local.get 0)))"""
    started = time.monotonic()

    def wait() -> None:
        while time.monotonic() - started < 20:
            time.sleep(0.005)

    s = debug(wasmlab.load(wat, imports={"env": {"wait": wait}}), "run", 1, history=False)
    with CtrlC(0.05, 0.05) as c:
        stop = s.continue_()
    assert c.sent == 2 and time.monotonic() - started < 10
    assert stop.kind == "interrupted", stop


def test_a_handler_someone_else_set_stays() -> None:
    """A kernel routes SIGINT itself: during a move its handler is the one that runs."""
    calls: list[int] = []
    seen: list[Any] = []

    def theirs(signum: int, frame: Any) -> None:
        calls.append(signum)

    wat = """(module (import "env" "look" (func $look))
      (func (export "run") (param i32) (result i32) (call $look) (local.get 0)))"""
    s = debug(
        wasmlab.load(wat, imports={"env": {"look": lambda: seen.append(signal.getsignal(signal.SIGINT))}}),
        "run",
        3,
    )
    old = signal.signal(signal.SIGINT, theirs)
    try:
        assert s.continue_().kind == "returned"
    finally:
        signal.signal(signal.SIGINT, old)
    assert seen == [theirs] and not calls


def test_during_a_move_ctrl_c_is_the_sessions_interrupt() -> None:
    seen: list[Any] = []
    wat = """(module (import "env" "look" (func $look))
      (func (export "run") (param i32) (result i32) (call $look) (local.get 0)))"""
    s = debug(
        wasmlab.load(wat, imports={"env": {"look": lambda: seen.append(signal.getsignal(signal.SIGINT))}}),
        "run",
        3,
    )
    assert s.continue_().kind == "returned"
    assert len(seen) == 1 and seen[0] is not signal.default_int_handler


def test_a_session_in_another_thread() -> None:
    """Signals reach the main thread only: a session moved in another thread installs nothing."""
    out: list[Any] = []

    def move() -> None:
        s = debug(wasmlab.load(WORKLOADS[0].wat), "run", 15)
        out.append(s.continue_().kind)

    t = threading.Thread(target=move)
    t.start()
    t.join()
    assert out == ["returned"]
