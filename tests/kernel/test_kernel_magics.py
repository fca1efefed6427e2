"""The IPython extension: %load_ext wasmlab, %%wat NAME, %wasm / %%wasm, the Debugger widget."""

from __future__ import annotations

from typing import Any

import pytest

import wasmlab

IPython = pytest.importorskip("IPython")


@pytest.fixture
def ip() -> Any:
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_line_magic("load_ext", "wasmlab")
    yield shell
    shell.run_line_magic("reset", "-f")


def displayed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    shown: list[Any] = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


def test_wat_cell_binds_an_instance(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = displayed(monkeypatch)
    ip.run_cell_magic(
        "wat",
        "fib",
        """(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))""",
    )
    fib = ip.user_ns["fib"]
    assert isinstance(fib, wasmlab.Instance) and fib.exports.fib(15) == 610
    assert "module $fib" in shown[0].text
    ip.run_line_magic("wasm", '(invoke $fib "fib" (i32.const 10))')
    assert shown[-1].text == "(i32.const 55)"


def test_wat_with_python_imports(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    displayed(monkeypatch)
    seen: list[int] = []
    ip.user_ns["env"] = {"env": {"log": seen.append}}
    ip.run_cell_magic(
        "wat",
        "logger --imports env",
        """(module
  (import "env" "log" (func $log (param i32)))
  (func (export "run") (call $log (i32.const 42))))""",
    )
    ip.user_ns["logger"].exports.run()
    assert seen == [42]


def test_errors_are_one_message(
    ip: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    displayed(monkeypatch)
    ip.run_cell_magic("wat", "bad", "(module (func (result i32) (i64.const 1)))")
    err = capsys.readouterr().err
    assert "ValidationError" in err and "Traceback" not in err and "bad" not in ip.user_ns
    ip.run_cell_magic("wat", "1x", "(module)")
    assert "not a Python name" in capsys.readouterr().err
    ip.run_line_magic("wasm", "%frobnicate")
    assert "UnknownCommand" in capsys.readouterr().err
    ip.run_cell_magic("wat", "m --imports", "(module)")
    assert "usage" in capsys.readouterr().err


def test_wasm_commands_and_debugger(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = displayed(monkeypatch)
    ip.run_cell_magic("wasm", "", '(module $sq (func (export "sq") (param i32) (result i32)'
                      " (i32.mul (local.get 0) (local.get 0))))")  # fmt: skip
    ip.run_line_magic("wasm", "debug sq 7")
    bundle = shown[-1].data
    assert "application/vnd.jupyter.widget-view+json" in bundle
    ip.run_line_magic("wasm", "step 2")
    assert shown[-1].text.startswith("step 2:")
    ip.run_line_magic("wasm", "")
    assert "%step" in shown[-1].text


def test_debugger_widget_in_python(ip: Any) -> None:
    from wasmlab.debug import debug
    from wasmlab.widgets import Debugger

    inst = wasmlab.load(
        '(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))'
    )
    w = Debugger(debug(inst, "f", 1))
    assert repr(w).startswith("<Debugger f: step 0:")
    w.send_action("continue")
    assert w.run_state == "returned" and "returned 2" in w.position
