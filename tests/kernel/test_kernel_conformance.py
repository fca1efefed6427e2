"""The Jupyter protocol conformance suite (jupyter_kernel_test) against the wasmlab kernel."""

from __future__ import annotations

import unittest

import jupyter_kernel_test

from tests.kernel.conftest import SPEC_DIR
from tests.kernel.driver import KERNEL_NAME

FIB = """(module $fib
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"""


@unittest.skipIf(SPEC_DIR is None, "wasmlab.kernel is not importable: pip install -e . first")
class WasmlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "wast"
    file_extension = ".wat"

    code_hello_world = "%echo hello, world"

    completion_samples = [
        {"text": "i32.ad", "matches": {"i32.add"}},
        {"text": "(module (func (f64.sqr", "matches": {"f64.sqrt"}},
        {"text": "%ste", "matches": {"%step", "%stepl"}},
        {"text": "%gr", "matches": {"%graph"}},
    ]

    complete_code_samples = [
        "(module)",
        '(invoke "fib" (i32.const 3))',
        "%step 3",
        FIB,
        '(module (data "(("))',
    ]
    incomplete_code_samples = [
        "(module",
        "(module (func (param i32)",
        '(module (data "abc',
        "(module (; open",
    ]
    invalid_code_samples = ["(module))", ")"]

    code_generate_error = "(module (func (result i32) (i64.const 1)))"

    code_execute_result = [
        {"code": FIB + '\n(invoke "fib" (i32.const 20))', "result": "(i32.const 6765)"},
        {"code": '(module (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5))))\n'
                 '(invoke "half" (f64.const 3))', "result": "(f64.const 1.5)"},
    ]  # fmt: skip

    code_display_data = [
        {"code": "%help", "mime": "text/html"},
        {"code": FIB, "mime": "text/html"},
        {"code": "%types", "mime": "text/plain"},
        {"code": "%graph calls", "mime": "image/svg+xml"},
        {"code": "%graph cfg fib", "mime": "image/svg+xml"},
    ]

    code_inspect_sample = "i32.add"


if __name__ == "__main__":  # pragma: no cover
    unittest.main()
