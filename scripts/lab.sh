#!/usr/bin/env bash
# Sets up .venv and opens JupyterLab on the teaching notebooks with the wasmlab kernel.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# npm builds JupyterLab's step back / reverse continue buttons (scripts/labext.sh) on first setup
if ! command -v npm >/dev/null 2>&1 && ! bash "$root/scripts/setup-debian.sh" nodejs; then
  echo "lab.sh: nodejs could not be installed: the debugger panel will have no step back buttons" >&2
fi
# shellcheck disable=SC1091
source "$root/scripts/venv.sh" lab
exec wasmlab lab "$@"
