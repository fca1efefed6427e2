"""Legacy exception handling (feature legacy-exceptions): try/catch/catch_all/delegate/rethrow
through text, printer, binary, validation, the machine in run and step modes, and the
debugger moving back over a caught exception (the caught exception lives in a hidden local,
which history restores like any other)."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.binary import decode, encode
from wasmlab.errors import DecodeError, ValidationError
from wasmlab.syntax.features import ALL
from wasmlab.text import parse_module, print_wat
from wasmlab.valid import validate

WAT = """
(module
  (tag $e (param i32))
  (tag $f)
  (func $thrower (param i32) (local.get 0) (throw $e))
  (func $inner (param i32) (result i32)
    (try (result i32)
      (do (local.get 0) (call $thrower) (i32.const 0))
      (catch $e (i32.const 100) (i32.add))
      (catch_all (i32.const -1))))
  (func (export "caught") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "rethrown") (param i32) (result i32)
    (try (result i32)
      (do
        (try (do (local.get 0) (throw $e))
          (catch $e (drop) (rethrow 0)))
        (i32.const 0))
      (catch $e)))
  (func (export "delegated") (result i32)
    (try $outer (result i32)
      (do
        (try (do (throw $f)) (delegate $outer))
        (i32.const 0))
      (catch $f (i32.const 7))))
  (func (export "to-caller") (try (do (throw $f)) (delegate 0)))
  (func (export "flat") (param i32) (result i32)
    try (result i32)
      local.get 0
      throw $e
    catch $e
      i32.const 1
      i32.add
    end)
)
"""


def _load() -> wasmlab.Instance:
    return wasmlab.load(WAT, features="all")


def test_run_mode() -> None:
    ex = _load().exports
    assert ex["caught"](5) == 105
    assert ex["rethrown"](9) == 9
    assert ex["delegated"]() == 7
    assert ex["flat"](41) == 42
    with pytest.raises(wasmlab.WasmError):
        ex["to-caller"]()


def test_step_mode_and_back() -> None:
    inst = _load()
    session = wasmlab.debug(inst, "rethrown", 3)
    session.continue_()
    assert session.result == [3] or session.result == 3
    total = session.step_count
    session.goto(total // 2)
    session.continue_()
    assert session.result == [3] or session.result == 3
    for n in range(total):  # every position, reached backwards, runs on to the same end
        session.goto(n)
        session.continue_()
        assert session.step_count == total


def test_text_printer_and_binary() -> None:
    module = parse_module(WAT)
    validate(module, features=ALL)
    data = encode(module)
    assert encode(decode(data, features=frozenset({"exceptions", "legacy-exceptions"}))) == data
    for folded in (False, True):
        assert encode(parse_module(print_wat(module, folded=folded))) == data


def test_off_without_the_feature() -> None:
    module = parse_module(WAT)
    with pytest.raises(ValidationError, match="legacy-exceptions"):
        validate(module, features=frozenset({"exceptions"}))
    with pytest.raises(DecodeError, match="illegal opcode"):
        decode(encode(module), features=frozenset({"exceptions"}))


def test_the_feature_brings_tags() -> None:
    """`legacy-exceptions` alone is enough: its tags are the exceptions proposal's."""
    assert wasmlab.load(WAT, features="legacy-exceptions").exports["caught"](1) == 101
