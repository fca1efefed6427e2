"""Spec scripts (.wast and WABT's .json): the runner behind `wasmlab wast`, and the
`spectest` host module that the scripts import from."""

from .runner import run_file
from .spectest import spectest_exports

__all__ = ["run_file", "spectest_exports"]
