"""The WebAssembly text format: lexer, module parser, WAST scripts and the printer.

Module linking extends the parser (`linking`: fields, types, the driver) and the printer
(`linking_printer`); each registers itself with its base here, so the bases never import
their extensions."""

from . import linking as _linking  # noqa: F401  (registers itself with the parser)
from . import linking_printer as _linking_printer
from .parser import parse_module
from .printer import print_wat
from .script import parse_script

_linking_printer.install()

__all__ = ["parse_module", "parse_script", "print_wat"]
