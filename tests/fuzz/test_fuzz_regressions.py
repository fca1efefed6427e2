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
