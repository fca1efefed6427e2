"""Serve the built site (`bash scripts/lite.sh serve`): a static file server on 127.0.0.1 that
sends the MIME types a browser insists on for module scripts (.mjs) and wasm (.wasm).

    python lite/serve.py [--dir lite/_output] [--port 8000] [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

TYPES = {
    ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
    ".json": "application/json", ".ipynb": "application/json", ".whl": "application/zip",
    ".zip": "application/zip", ".svg": "image/svg+xml",
}  # fmt: skip


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per error only
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            super().log_message(format, *args)


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A server for `directory` (port 0: a free one, see `server.server_address`)."""
    handler = functools.partial(Handler, directory=str(directory))
    return ThreadingHTTPServer((host, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="serve wasmlab's JupyterLite site")
    parser.add_argument("--dir", type=Path, default=ROOT / "lite" / "_output")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if not (args.dir / "index.html").exists():
        print(f"serve: no site in {args.dir} (bash scripts/lite.sh build)", file=sys.stderr)
        return 1
    server = make_server(args.dir, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"wasmlab's JupyterLite site: http://{host}:{port}/  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
