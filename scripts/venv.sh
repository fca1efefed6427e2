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
# JupyterLab's debugger sidebar gets step back / reverse continue (labextension/): built when
# missing or changed, and linked into this venv (an editable install skips data files); a venv
# whose labextensions folder is shared with another checkout (a symlink) is left alone
if bash "$root/scripts/labext.sh" >>"$log" 2>&1; then
  ext="$root/.venv/share/jupyter/labextensions"
  if [ ! -L "$ext" ]; then
    mkdir -p "$ext/@wasmlab"
    ln -sfn "$root/wasmlab/kernel/labextension" "$ext/@wasmlab/time-travel"
  fi
else
  tail -n 20 "$log" >&2
  echo "venv.sh: the labextension could not be built: JupyterLab's debugger works without its step back buttons" >&2
fi
# the test-only oracle wasmtime 0.22 aborts on CPUs newer than its raw-cpuid knows: mend it
if [ "${1:-test}" = test ] && ! python "$root/scripts/wasmtime022_cpuid.py" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "venv.sh: wasmtime 0.22 cannot start on this machine; its differential tests will say why" >&2
fi
