"""Feature sets by name: WebAssembly 3.0 by default, strict 2.0 on request."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.errors import ValidationError
from wasmlab.syntax.features import ALL, CORE_2_0, DEFAULT, PROPOSALS, WASM_3_0, as_features

GC_MODULE = """(module (type $p (struct (field i32)))
  (func (export "f") (result i32) (struct.get $p 0 (struct.new $p (i32.const 7)))))"""


def test_names_of_sets() -> None:
    assert as_features(None) == DEFAULT == WASM_3_0
    assert as_features("3.0") == WASM_3_0 == ALL - {"legacy-exceptions"}
    assert as_features("all") == ALL == frozenset(PROPOSALS)
    assert as_features("2.0") == as_features("none") == as_features("") == CORE_2_0 == frozenset()
    assert as_features("2.0,tail-call") == {"tail-call"}
    assert as_features("3.0,legacy-exceptions") == ALL
    with pytest.raises(ValueError, match="unknown feature 'stringref'"):
        as_features("3.0,stringref")


def test_the_default_is_3_0_and_2_0_is_strict() -> None:
    assert wasmlab.load(GC_MODULE).exports.f() == 7
    with pytest.raises(ValidationError, match="gc feature|function-references feature"):
        wasmlab.load(GC_MODULE, features="2.0")
    with pytest.raises(ValidationError, match="legacy-exceptions"):
        wasmlab.parse("(module (func (try (do))))")
    wasmlab.parse("(module (func (try (do))))", features="all")
