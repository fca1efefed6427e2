"""Rebuild the committed wasm fixtures tests/c/*.wasm from tests/c/*.c.

    python tests/wasi/build_fixtures.py

Needs Debian's clang, lld, wasi-libc and libclang-rt-dev-wasm32 (scripts/setup-debian.sh).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.wasi.helpers import C_DIR, CLANG_FLAGS, PROGRAMS, build_wasm  # noqa: E402


def main() -> int:
    clang = shutil.which("clang")
    if clang is None:
        print("clang is not installed (run scripts/setup-debian.sh)", file=sys.stderr)
        return 1
    for name in PROGRAMS:
        out = C_DIR / f"{name}.wasm"
        if not build_wasm(clang, C_DIR / f"{name}.c", out):
            print(f"failed: clang {' '.join(CLANG_FLAGS)} {name}.c", file=sys.stderr)
            return 1
        print(f"{out.relative_to(C_DIR.parents[1])}: {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
