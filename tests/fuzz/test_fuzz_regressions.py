"""Inputs the fuzzer (`python -m wasmlab.fuzz`) found, each made small and kept here: the engine
must answer them with a `WasmError` that says where, quickly."""

from __future__ import annotations

import time

import pytest

import wasmlab
from wasmlab import Exhaustion

LOOPING_START = """
(module
  (func $spin (loop $l (br $l)))
  (func (export "f") (result i32) (i32.const 7))
  (start $spin))
"""


def test_start_function_runs_on_the_instantiation_fuel() -> None:
    """A start function that never ends used to hang `instantiate(..., fuel=N)` (the fuel bound
    only exported calls): it now ends in Exhaustion naming the start function."""
    module = wasmlab.parse(LOOPING_START)
    began = time.monotonic()
    with pytest.raises(Exhaustion) as info:
        wasmlab.instantiate(module, fuel=1000)
    assert time.monotonic() - began < 5
    assert "all fuel consumed" in str(info.value)
    assert "spin" in str(info.value)


def test_instantiation_fuel_leaves_the_store_as_it_was() -> None:
    store = wasmlab.api.Store()
    module = wasmlab.parse(LOOPING_START)
    with pytest.raises(Exhaustion):
        wasmlab.instantiate(module, fuel=100, store=store)
    assert store.start_fuel is None
    quick = wasmlab.parse('(module (func $s) (start $s) (func (export "f") (result i32) (i32.const 7)))')
    inst = wasmlab.instantiate(quick, fuel=100, store=store)
    assert inst.exports.f() == 7


def test_nested_module_with_an_unknown_type_index_is_a_validation_error() -> None:
    """Module linking text: a nested module whose `(type 1)` names no type made the parser's
    entity bookkeeping (`text/linking.py`, `_fill_entity`) index past its type list
    (IndexError); now the validator says which type and where."""
    src = '(module (type $m (module)) (module (type 1) (func (export ""))))'
    module = wasmlab.text.parse_module(src)
    with pytest.raises(wasmlab.ValidationError, match=r"unknown type 1.*module 0"):
        wasmlab.validate(module)
