#!/usr/bin/env bash
# Builds the JupyterLab extension in labextension/ (step back / reverse continue in the
# debugger sidebar) into wasmlab/kernel/labextension/, the prebuilt copy the wheel ships
# (share/jupyter/labextensions/@wasmlab/time-travel), when it is missing or its sources
# changed. Needs node and npm (scripts/setup-debian.sh installs them); JupyterLab's Python
# package gives the core it builds against. Usage: bash scripts/labext.sh [--force]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/labextension"
out="$root/wasmlab/kernel/labextension"
py=python  # the venv's (venv.sh activates it): JupyterLab is installed there
stamp() {
  (cd "$src" && cat package.json tsconfig.json src/*.ts style/*.css) | sha256sum | cut -d' ' -f1
}
want="$(stamp)"
if [ "${1:-}" != "--force" ] && [ -f "$out/.source-sha256" ] && [ "$(cat "$out/.source-sha256")" = "$want" ] \
   && ls "$out"/static/remoteEntry.*.js >/dev/null 2>&1; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "labext.sh: npm is not installed (scripts/setup-debian.sh installs nodejs and npm)" >&2
  exit 1
fi
core="$("$py" -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
log="$src/build.log"
cd "$src"
if ! { npm install --no-audit --no-fund --loglevel=error && npx tsc \
       && rm -rf "$out" && node node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$core" .; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "labext.sh: building the labextension failed (full log: $log)" >&2
  exit 1
fi
echo "$want" >"$out/.source-sha256"
echo "labext.sh: built $out"
