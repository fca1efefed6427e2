"""Graphviz in the browser. Under Pyodide (`sys.platform == "emscripten"`, the JupyterLite
site built by `scripts/lite.sh`) there is no `dot` program to run; the site serves the npm
package `@viz-js/viz` (Graphviz compiled to WebAssembly, one ES module) and this module lays
graphs out with it, in the kernel's worker.

Loading the module is asynchronous (a dynamic `import()` and the instantiation of its wasm),
while `render` is synchronous: `start()` begins loading without waiting (`%load_ext wasmlab`
and the lite kernel call it), `await ready()` waits for it (the lite kernel does before its
first cell). The module's address is `$WASMLAB_VIZ_URL`, else the copy the site's `@wasmlab/lite`
extension ships (`<site>/extensions/@wasmlab/lite/static/viz.js`).
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import WasmError

#: where the site's extension serves @viz-js/viz, below the site's root
SITE_PATH = "extensions/@wasmlab/lite/static/viz.js"

_instance: Any = None  # the Viz instance, once loaded
_loading: Any = None  # the JavaScript promise of it


def viz_url() -> str:
    """The address of `@viz-js/viz`'s ES module: `$WASMLAB_VIZ_URL`, else beside the site."""
    url = os.environ.get("WASMLAB_VIZ_URL")
    if url:
        return url
    from js import location  # the worker's own script, somewhere below <site>/extensions/

    href = str(location.href)
    root = href.split("/extensions/")[0] if "/extensions/" in href else href.rsplit("/", 1)[0]
    return f"{root}/{SITE_PATH}"


def _loaded(instance: Any) -> None:
    global _instance
    _instance = instance


def start() -> Any:
    """Begin loading `@viz-js/viz` (once); the promise of its instance, or None when loaded."""
    global _loading
    if _instance is not None:
        return None
    if _loading is None:
        from pyodide.code import run_js
        from pyodide.ffi import create_once_callable

        load = run_js("(url) => import(url).then((m) => m.instance())")
        _loading = load(viz_url())
        _loading.then(create_once_callable(_loaded))
    return _loading


async def ready() -> None:
    """Wait until `render` can lay graphs out."""
    promise = start()
    if promise is not None:
        _loaded(await promise)


def render(source: str, fmt: str = "svg") -> bytes:
    """Lay out DOT `source` in format `fmt` with the loaded Graphviz."""
    if _instance is None:
        start()
        raise WasmError("the graph renderer (@viz-js/viz) is still loading: run the cell again")
    from js import Object
    from pyodide.ffi import to_js

    options = to_js({"format": fmt}, dict_converter=Object.fromEntries)
    result = _instance.render(source, options)
    if str(result.status) != "success":
        errors = [str(e.message) for e in result.errors] if result.errors else []
        raise WasmError(f"graph layout failed: {'; '.join(errors) or result.status}")
    return str(result.output).encode("utf-8")


__all__ = ["SITE_PATH", "ready", "render", "start", "viz_url"]
