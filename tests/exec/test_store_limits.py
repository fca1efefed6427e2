"""Store limits (`wasmlab.Limits`): refusals at instantiation are LinkErrors naming the item
and the limit; refused grows return -1 and say which limit refused them."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab import Limits, LinkError, WasmError

GROWER = """(module
  (memory (export "mem") 0)
  (table $t (export "tab") 1 funcref)
  (func (export "mgrow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"""


def test_huge_table_is_a_link_error_naming_table_and_limit() -> None:
    with pytest.raises(LinkError) as e:
        wasmlab.load("(module (table 4294967295 funcref))")
    assert (
        str(e.value) == "table 0: 4,294,967,295 elements exceeds the limit of 10,000,000 (max_table_elements)"
    )


def test_memory_over_the_limit_names_it() -> None:
    with pytest.raises(LinkError) as e:
        wasmlab.load("(module (memory $heap 2))", limits=Limits(max_memory=65536))
    assert str(e.value) == "memory 0 ($heap): 128 KiB exceeds the limit of 64 KiB per memory (max_memory)"


def test_store_total_and_counts() -> None:
    lim = Limits(max_store_memory=3 * 65536)
    with pytest.raises(LinkError, match="max_store_memory"):
        wasmlab.load("(module (memory 2) (memory 2))", limits=lim, features="multi-memory")
    with pytest.raises(LinkError, match=r"over the limit of 1 tables \(max_tables\)"):
        wasmlab.load("(module (table 1 funcref) (table 1 funcref))", limits=Limits(max_tables=1))
    with pytest.raises(LinkError, match=r"max_memories"):
        wasmlab.load("(module (memory 1))", limits=Limits(max_memories=0))
    inst = wasmlab.load("(module)", limits=Limits(max_instances=1))
    with pytest.raises(LinkError, match=r"max_instances"):
        wasmlab.instantiate(inst.module, store=inst.store)


def test_the_whole_32_bit_memory_instantiates_by_default() -> None:
    inst = wasmlab.load('(module (memory (export "m") 65536))')
    mem = inst.exports.m
    assert len(mem) == 1 << 32
    mem.write((1 << 32) - 4, b"\1\2\3\4")
    assert mem.read((1 << 32) - 4, 4) == b"\1\2\3\4"


def test_memory_grow_refused_returns_minus_one_and_says_why() -> None:
    inst = wasmlab.load(GROWER, limits=Limits(max_memory=2 * 65536))
    ex = inst.exports
    assert ex.mgrow(1) == 0
    ex.store(65532, 7)
    assert ex.load(65532) == 7
    assert ex.mgrow(2) == -1
    assert inst.store.limiter.refusal == (
        "memory.grow of memory 0 refused: 192 KiB exceeds the limit of 128 KiB per memory (max_memory)"
    )
    assert ex.mgrow(1) == 1
    with pytest.raises(wasmlab.Trap, match="out of bounds memory access"):
        ex.load(2 * 65536 - 3)


def test_table_grow_refused_returns_minus_one() -> None:
    inst = wasmlab.load(GROWER)
    assert inst.exports.tgrow(100_000_000) == -1
    assert (
        "100,000,001 elements exceeds the limit of 10,000,000 (max_table_elements)"
        in inst.store.limiter.refusal
    )
    assert inst.exports.tgrow(10) == 1


def test_debugger_stop_names_the_refusing_limit() -> None:
    inst = wasmlab.load(GROWER, limits=Limits(max_memory=65536))
    s = wasmlab.debug(inst, "mgrow", 5)
    stop = s.continue_()
    assert stop.kind == "returned"
    assert "memory.grow of memory 0 refused" in stop.reason and "(max_memory)" in stop.reason


def test_fuel_limit_applies_to_calls() -> None:
    src = '(module (func (export "spin") (loop (br 0))))'
    inst = wasmlab.load(src, limits=Limits(fuel=1000))
    with pytest.raises(wasmlab.Exhaustion, match="fuel"):
        inst.exports.spin()


def test_limits_are_checked() -> None:
    with pytest.raises(WasmError, match="max_memory must be a whole number"):
        Limits(max_memory=-1)
    with pytest.raises(WasmError, match="unknown limit 'max_bananas'"):
        Limits().replace(max_bananas=1)
    with pytest.raises(WasmError, match="limits must be a wasmlab.Limits"):
        wasmlab.load("(module)", limits={"max_memory": 1})  # type: ignore[arg-type]


def test_kernel_defaults_are_lower_than_the_library() -> None:
    lib, ker = Limits(), wasmlab.KERNEL_LIMITS
    for name in ("max_memory", "max_store_memory", "max_table_elements", "max_instances", "history_bytes"):
        assert getattr(ker, name) < getattr(lib, name), name


def test_failed_instantiations_do_not_use_up_the_store() -> None:
    base = wasmlab.load("(module)", limits=Limits(max_store_memory=3 * 65536, max_instances=3))
    trapping = wasmlab.parse("(module (memory 2) (func $s unreachable) (start $s))")
    for _ in range(5):
        with pytest.raises(wasmlab.Trap, match="unreachable"):
            wasmlab.instantiate(trapping, store=base.store)
    ok = wasmlab.instantiate(wasmlab.parse("(module (memory 2))"), store=base.store)
    assert base.store.limiter.memory_bytes == 2 * 65536
    assert base.store.limiter.instances == 2
    with pytest.raises(LinkError, match="max_store_memory"):
        wasmlab.instantiate(wasmlab.parse("(module (memory 2))"), store=base.store)
    assert ok.store is base.store
