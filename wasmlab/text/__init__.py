"""The WebAssembly text format: lexer, module parser, WAST scripts and the printer."""

from . import linking as _linking  # noqa: F401  (registers module linking's fields, types and driver)
from .parser import parse_module
from .printer import print_wat
from .script import parse_script

__all__ = ["parse_module", "parse_script", "print_wat"]
