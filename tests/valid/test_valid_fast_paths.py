"""The checker's fast paths (locals, 32-bit memory arguments, one-operand signatures) agree
with the typing rules: well-typed code passes, subtyping still goes through the rules, and
every error keeps its message and instruction. The cycle collector is on again afterwards."""

from __future__ import annotations

import gc

import pytest

from wasmlab.errors import ValidationError
from wasmlab.syntax.features import ALL, CORE_2_0
from wasmlab.text import parse_module
from wasmlab.valid import validate


def _check(wat: str, features: frozenset[str] = CORE_2_0) -> None:
    validate(parse_module(wat, features=features), features=features)


@pytest.mark.parametrize("features", [CORE_2_0, ALL])
def test_well_typed_locals_and_memory(features: frozenset[str]) -> None:
    _check(
        """(module (memory 1)
          (func (param i32) (result i64) (local i64 f32)
            local.get 0 i64.extend_i32_u local.tee 1 local.set 1
            local.get 0 i32.load offset=4 align=4 drop
            local.get 0 i32.load8_u offset=65535 drop
            f32.const 1 local.set 2 local.get 2 f32.neg drop
            local.get 1))""",
        features,
    )


@pytest.mark.parametrize(
    ("body", "message", "instr"),
    [
        ("i32.const 1 local.set 0", "type mismatch: expected [i64], found [i32]", "local.set"),
        ("i32.const 1 local.tee 0 drop", "type mismatch: expected [i64], found [i32]", "local.tee"),
        ("local.set 0", "type mismatch: expected [i64], found []", "local.set"),
        ("local.get 3 drop", "unknown local 3", "local.get"),
        ("i64.const 1 local.set 7", "unknown local 7", "local.set"),
        ("f32.const 0 f32.neg i32.eqz drop", "type mismatch: expected [i32], found [f32]", "i32.eqz"),
        ("i32.eqz drop", "type mismatch: expected [i32], found []", "i32.eqz"),
        (
            "i32.const 0 i32.load align=8 drop",
            "alignment must not be larger than natural (8 > 4 bytes)",
            "i32.load",
        ),
    ],
)
def test_errors_keep_their_messages(body: str, message: str, instr: str) -> None:
    with pytest.raises(ValidationError) as info:
        _check(f"(module (memory 1) (func (param i64) {body}))")
    assert info.value.reason.startswith(message)
    assert info.value.instr == instr
    assert gc.isenabled()


def test_subtyping_and_non_nullable_locals_go_through_the_rules() -> None:
    _check(
        """(module (type $f (func)) (func $g (type $f)) (elem declare func $g)
          (func (local funcref) (local (ref $f))
            ref.func $g local.set 0
            ref.func $g local.tee 1 local.set 0
            local.get 1 drop))""",
        ALL,
    )
    with pytest.raises(ValidationError) as info:
        _check("(module (type $f (func)) (func (local (ref $f)) local.get 0 drop))", ALL)
    assert info.value.reason.startswith("uninitialized local 0")


def test_a_64_bit_memory_takes_i64_addresses() -> None:
    _check("(module (memory i64 1) (func i64.const 0 i32.load offset=8 drop))", ALL)
    with pytest.raises(ValidationError) as info:
        _check("(module (memory i64 1) (func i32.const 0 i32.load drop))", ALL)
    assert info.value.reason.startswith("type mismatch: expected [i64], found [i32]")
