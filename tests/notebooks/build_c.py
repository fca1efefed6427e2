"""Rebuild the C programs the notebooks debug at the source level (built with -g):

    python tests/notebooks/build_c.py

notebooks/c/grades.wasm (notebook 10) from notebooks/c/grades.c, with Debian's clang and
wasi-libc (scripts/setup-debian.sh), in notebooks/ so that the debug information records the
source as `c/grades.c`, a path relative to the notebook. `test_notebooks.py` checks that the
committed binary is this build of the committed source.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: the notebooks' C programs built with debug information (source, binary), relative to NOTEBOOKS
PROGRAMS = [("c/grades.c", "c/grades.wasm")]
FLAGS = ["--target=wasm32-wasi", "-O0", "-g", "-fdebug-compilation-dir=."]


def command(clang: str, source: str, out: str) -> list[str]:
    return [clang, *FLAGS, source, "-o", out]


def build(clang: str, source: str, out: str) -> subprocess.CompletedProcess[str]:
    """Compile `source` to `out` (paths relative to notebooks/, or `out` absolute)."""
    return subprocess.run(command(clang, source, out), cwd=NOTEBOOKS, capture_output=True, text=True)


def main() -> int:
    clang = shutil.which("clang")
    if clang is None:
        print("clang is not installed (run scripts/setup-debian.sh)", file=sys.stderr)
        return 1
    for source, out in PROGRAMS:
        r = build(clang, source, out)
        if r.returncode != 0:
            print(f"failed: {' '.join(command('clang', source, out))}\n{r.stderr}", file=sys.stderr)
            return 1
        print(f"notebooks/{out}: {(NOTEBOOKS / out).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
