"""Python callables imported where the function type names the module's own types
(`(param (ref null $p))`): they take the module's canonical type (found by the fuzzer: such
an import made the stub for it raise a ValueError, and a callable was refused at linking)."""

from __future__ import annotations

import wasmlab
from wasmlab.fuzz.target import Budget, imports_for

WAT = """(module
  (type $p (struct (field i32)))
  (import "host" "make" (func $make (result (ref null $p))))
  (import "host" "take" (func $take (param (ref null $p)) (result i32)))
  (func (export "null") (result i32) (call $take (call $make)))
  (func (export "made") (result i32) (call $take (struct.new $p (i32.const 4)))))"""


def test_python_callables_of_typed_reference_signatures() -> None:
    seen: list[object] = []
    inst = wasmlab.load(WAT, {"host": {"make": lambda: None, "take": lambda r: seen.append(r) or 5}})
    assert inst.exports.null() == 5 and seen == [None]
    assert inst.exports.made() == 5 and seen[1] is not None


def test_the_fuzzers_stubs_for_them() -> None:
    module = wasmlab.parse(WAT)
    imports = imports_for(module, Budget())
    assert imports is not None
    assert wasmlab.instantiate(module, imports).exports.null() == 0
