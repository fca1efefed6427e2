"""The WebAssembly text format: lexer, module parser, WAST scripts and the printer."""

from .parser import parse_module

__all__ = ["parse_module"]
