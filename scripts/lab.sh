#!/usr/bin/env bash
# Sets up .venv and opens JupyterLab on the teaching notebooks with the wasmlab kernel.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$root/scripts/venv.sh" lab
exec wasmlab lab "$@"
