#!/usr/bin/env bash
# Creates (once) and refreshes .venv with wasmlab installed editable plus the given extras.
# Usage: source scripts/venv.sh EXTRAS   (e.g. "test" or "lab")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"
if [ ! -x "$root/.venv/bin/python" ]; then
  "$py" -m venv "$root/.venv"
fi
# shellcheck disable=SC1091
. "$root/.venv/bin/activate"
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e "$root[${1:-test}]"
