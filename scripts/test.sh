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
set +e
python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: no tests were collected"
  rc=0
fi
exit "$rc"
