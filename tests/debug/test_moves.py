"""Moving forward: step, step(n), step_over, step_out, continue_, run_to, traps, limits, interrupt."""

from __future__ import annotations

import threading

import pytest

import wasmlab
from wasmlab.debug import DebugError, Session, debug
from wasmlab.errors import WasmError

from .programs import BR_TABLE, FIB, INDIRECT, MEMORY, TRAPS, load_host


def plain_steps(inst: wasmlab.Instance, name: str, *args: int) -> tuple[int, object]:
    m = inst.machine(name, *args)
    results = m.run()
    return m.steps, results


def test_paused_before_first_instruction() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5)
    assert isinstance(s, Session)
    p = s.position
    assert p.step == 0 and p.pc == 0 and p.function == "fib" and p.state == "paused"
    assert p.instr == "local.get 0"
    assert p.span is not None and p.span.line == 3
    assert s.result is None and not s.finished


def test_step_one_and_n() -> None:
    s = debug(wasmlab.load(FIB), "fib", 5)
    stop = s.step()
    assert stop.kind == "step" and stop.step == 1 and s.position.pc == 1
    s.step(4)
    assert s.position.step == 5
    s.step(0)
    assert s.position.step == 5


def test_step_to_the_end_equals_run() -> None:
    inst = wasmlab.load(FIB)
    steps, results = plain_steps(inst, "fib", 7)
    s = debug(wasmlab.load(FIB), "fib", 7)
    stop = s.step(10**9)
    assert stop.kind == "returned"
    assert s.position.step == steps and s.result == 13 and s.returned
    with pytest.raises(DebugError, match="returned"):
        s.step()
    with pytest.raises(DebugError):
        s.continue_()


def test_continue_runs_to_the_end() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 10)
    stop = s.continue_()
    assert stop.kind == "returned" and s.result == 45
    assert s.globals["zeros"].value == 3 and s.globals["odds"].value == 5


def test_step_over_a_recursive_call() -> None:
    s = debug(wasmlab.load(FIB), "fib", 6)
    while s.position.instr is None or not s.position.instr.startswith("call"):
        s.step()
    depth = s.position.depth
    stop = s.step_over()
    assert stop.kind == "step"
    assert s.position.depth == depth
    assert s.stack[-1] == 5  # fib(5)
    # on a plain instruction step_over is a step
    before = s.position.step
    s.step_over()
    assert s.position.step == before + 1


def test_step_over_stops_at_a_breakpoint_inside() -> None:
    s = debug(wasmlab.load(FIB), "fib", 4)
    while not (s.position.instr or "").startswith("call"):
        s.step()
    s.break_at(at=s.program.offset(s.function, 4))  # an instruction inside the callee
    stop = s.step_over()
    assert stop.kind == "breakpoint" and s.position.depth > 1


def test_step_out() -> None:
    s = debug(wasmlab.load(INDIRECT), "pick", 4)
    s.break_at("$square")
    assert s.continue_().kind == "breakpoint"
    assert s.position.function == "square" and s.position.depth == 2
    stop = s.step_out()
    assert stop.kind == "step" and s.position.depth == 1
    assert s.stack.values == [16]
    stop = s.step_out()  # out of the outermost frame: to the end
    assert stop.kind == "returned" and s.result == 16


def test_step_out_of_recursion_returns_to_the_right_depth() -> None:
    s = debug(wasmlab.load(FIB), "fib", 6)
    s.break_at("fib", condition=lambda s: s.frames[-1].locals["$n"] == 2)
    s.continue_()
    d = s.position.depth
    s.step_out()
    assert s.position.depth == d - 1


def test_run_to_places() -> None:
    s = debug(wasmlab.load(INDIRECT), "pick", 4)
    stop = s.run_to("$square")
    assert stop.kind == "step" and "square" in stop.reason and s.position.function == "square"
    assert s.breakpoints == []  # run_to leaves no breakpoint behind
    s2 = debug(wasmlab.load(BR_TABLE), "run", 5)
    stop = s2.run_to(line=16)
    assert s2.position.span.line == 16
    with pytest.raises(DebugError):
        s2.run_to()
    with pytest.raises(DebugError):
        s2.run_to("$nope")


def test_trap_stops_at_the_trapping_instruction_with_the_stack_intact() -> None:
    s = debug(wasmlab.load(TRAPS), "div", 0)
    stop = s.continue_()
    assert stop.kind == "trap" and "integer divide by zero" in stop.reason
    assert isinstance(stop.error, wasmlab.Trap)
    p = s.position
    assert p.state == "trapped" and p.function == "inner" and p.instr == "i32.div_s"
    assert s.stack.values == [1, 100, 0]
    assert [f.function for f in s.frames] == ["div", "inner"]
    assert s.trap is not None and s.finished and not s.returned
    with pytest.raises(DebugError, match="trapped"):
        s.step()


@pytest.mark.parametrize(
    ("name", "kind", "text"),
    [("oob", "trap", "out of bounds memory access"), ("unreachable", "trap", "unreachable")],
)
def test_other_traps(name: str, kind: str, text: str) -> None:
    s = debug(wasmlab.load(TRAPS), name)
    stop = s.continue_()
    assert stop.kind == kind and text in stop.reason


def test_indirect_call_trap() -> None:
    s = debug(wasmlab.load(INDIRECT), "bad")
    stop = s.continue_()
    assert stop.kind == "trap" and "undefined element" in stop.reason
    assert s.position.instr.startswith("call_indirect")
    assert s.stack.values == [1, 7]


def test_depth_limit_is_a_clear_stop() -> None:
    s = debug(wasmlab.load(TRAPS), "deep", 0, depth_limit=40)
    stop = s.continue_()
    assert stop.kind == "exhausted" and "call stack exhausted" in stop.reason and "40" in stop.reason
    assert len(s.frames) == 40
    assert s.frames[-1].locals[0] == 39


def test_fuel_stops_and_can_be_refilled() -> None:
    s = debug(wasmlab.load(BR_TABLE), "run", 100, fuel=50)
    stop = s.continue_()
    assert stop.kind == "fuel" and s.position.step == 50 and not s.finished
    s.add_fuel(25)
    assert s.continue_().kind == "fuel" and s.position.step == 75
    s.fuel = None
    assert s.continue_().kind == "returned" and s.result == sum(range(100))


def test_instance_fuel_is_the_default() -> None:
    inst = wasmlab.load(BR_TABLE, fuel=30)
    s = debug(inst, "run", 100)
    assert s.continue_().kind == "fuel"


def test_interrupt_from_another_thread() -> None:
    inst = wasmlab.load('(module (func (export "spin") (loop $l (br $l))))')
    s = debug(inst, "spin")
    timer = threading.Timer(0.1, s.interrupt)
    timer.start()
    stop = s.continue_()
    timer.join()
    assert stop.kind == "interrupted" and s.position.step > 0
    assert s.position.function == "spin"
    # the state stays usable: step, back, continue again
    s.step(3)
    s.back(2)
    threading.Timer(0.05, s.interrupt).start()
    assert s.continue_().kind == "interrupted"


def test_host_entry_point() -> None:
    inst, ticker = load_host()
    func = inst.exports["run"]
    assert func(3) > 0
    s = debug(wasmlab.load('(module (import "env" "f" (func $f (result i32))) (export "f" (func $f)))',
                           {"env": {"f": lambda: 7}}), "f")  # fmt: skip
    assert s.step().kind == "returned" and s.result == 7


def test_memory_program_runs_like_the_machine() -> None:
    steps, results = plain_steps(wasmlab.load(MEMORY), "fill", 6)
    s = debug(wasmlab.load(MEMORY), "fill", 6)
    s.continue_()
    assert s.position.step == steps and [s.result] == results
    assert s.memory(0).pages == 2


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: debug(wasmlab.load(FIB), "nope"), "no exported function"),
        (lambda: debug(wasmlab.load(FIB), "fib"), "takes 1 argument,"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1, 2), "takes 1 argument,"),
        (lambda: debug(object(), "fib"), "cannot debug"),
        (lambda: debug(wasmlab.load(FIB), 3.5), "cannot debug"),
        (lambda: debug(wasmlab.load(FIB), "fib", "x"), "cannot pass"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1).step(-1), ">= 0"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1).step("2"), "must be an int"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1, checkpoint_interval=0), "history needs"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1, fuel=-3), "fuel must be >= 0"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1, depth_limit=0), "depth_limit must be >= 1"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1, depth_limit="x"), "depth_limit must be an int"),
        (lambda: debug(wasmlab.load(FIB), "fib", 1).add_fuel(-1), ">= 0"),
    ],
)
def test_bad_input_is_a_wasm_error(make: object, message: str) -> None:
    with pytest.raises(WasmError, match=message):
        make()  # type: ignore[operator]


def test_closed_session_refuses_moves() -> None:
    s = debug(wasmlab.load(FIB), "fib", 3)
    s.close()
    with pytest.raises(DebugError, match="closed"):
        s.step()
    with debug(wasmlab.load(FIB), "fib", 3) as s2:
        s2.step()


def test_the_debug_module_is_callable() -> None:
    import wasmlab.debug as dbg

    s = dbg(wasmlab.load(FIB), "fib", 3)  # type: ignore[operator]
    assert isinstance(s, dbg.Session) and s.continue_().kind == "returned" and s.result == 2
