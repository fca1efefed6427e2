#!/usr/bin/env bash
# The whole test suite, from a fresh machine: Debian packages, a virtualenv, lint, pytest.
# WASMLAB_REQUIRE_ALL=1 (set by .ci/run) turns skips for a missing suite or tool into failures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! bash scripts/setup-debian.sh; then
  echo "test.sh: Debian packages could not be installed; tests needing them will skip" >&2
fi
# shellcheck disable=SC1091
source scripts/venv.sh test
ruff check .
ruff format --check .
lint-imports --no-cache
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: no tests were collected"
  rc=0
fi
[ "$rc" -eq 0 ] || exit "$rc"
# The WASI differential tests against the current wasmtime: it cannot share a venv with the
# wasmtime 0.22 that the module-linking tests pin, so it gets a venv of its own. Pinned too:
# a new release may change an answer (51 made `rmdir("link/")` ENOTDIR), and that should be
# a deliberate upgrade, not a red CI.
oracle="$root/.venv-wasmtime"
if [ ! -x "$oracle/bin/python" ]; then
  python -m venv "$oracle"
fi
if ! "$oracle/bin/python" -m pip install -q wasmtime==51.0.0 pytest >"$oracle/pip.log" 2>&1; then
  tail -n 20 "$oracle/pip.log" >&2
  echo "test.sh: could not install wasmtime 51 for the WASI and proposal comparisons" >&2
  exit 1
fi
# (-o addopts=: pyproject's --nbval needs the nbval plugin, which this venv does not have)
# (WASMLAB_NO_SKIPS=1: a comparison that skips fails, so a broken `import wasmtime` is red)
WASMLAB_NO_SKIPS=1 PYTHONPATH="$root" "$oracle/bin/python" -m pytest -q -p no:cacheprovider -o addopts= -k wasmtime \
  tests/wasi/test_wasi_programs.py tests/wasi/test_wasi_sandbox.py tests/exec/test_proposals_differential.py \
  tests/exec/test_relaxed_simd_wasmtime.py tests/exec/test_gc_smith_differential.py
