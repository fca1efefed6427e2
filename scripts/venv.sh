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
log="$root/.venv/pip.log"
if ! { python -m pip install --upgrade pip && python -m pip install -e "$root[${1:-test}]"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "venv.sh: pip install failed (full log: $log)" >&2
  exit 1
fi
# an editable install skips data files: register the kernel in the venv explicitly
if ! python -m wasmlab.kernel install --sys-prefix >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "venv.sh: installing the wasmlab kernelspec failed" >&2
  exit 1
fi
# the test-only oracle wasmtime 0.22 aborts on CPUs newer than its raw-cpuid knows: mend it
if [ "${1:-test}" = test ] && ! python "$root/scripts/wasmtime022_cpuid.py" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "venv.sh: wasmtime 0.22 cannot start on this machine; its differential tests will say why" >&2
fi
