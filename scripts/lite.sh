#!/usr/bin/env bash
# wasmlab's JupyterLite site: the notebooks in the browser, nothing installed.
#   bash scripts/lite.sh build [--offline]   build it into lite/_output (packages from the registries)
#   bash scripts/lite.sh serve [--port N]    serve lite/_output on http://127.0.0.1:8000/
# Then open http://127.0.0.1:8000/ (the site's first page), or publish lite/_output on any
# static web server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cmd="${1:-}"
shift || true
case "$cmd" in
  build)
    # shellcheck disable=SC1091
    source scripts/venv.sh lite
    command -v npm >/dev/null || { echo "lite.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
    python lite/build.py "$@"
    ;;
  serve)
    py="$root/.venv/bin/python"
    [ -x "$py" ] || py=python3
    exec "$py" lite/serve.py "$@"
    ;;
  *)
    echo "usage: bash scripts/lite.sh build [--offline] | serve [--port N]" >&2
    exit 2
    ;;
esac
