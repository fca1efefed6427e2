"""Lets the test-only oracle wasmtime 0.22.0 start on CPUs newer than it knows.

wasmtime 0.22 detects the host CPU with raw-cpuid 8.1.2, whose `get_extended_feature_info`
asserts that CPUID leaf 7, sub-leaf 0 returns EAX == 0. EAX there is the highest sub-leaf of
leaf 7, which is 1 or 2 on current CPUs (AMD Zen 4/5, recent Intel), so `wasmtime.Config()`
panics and aborts the whole Python process (raw-cpuid 9 dropped the assertion).

This script checks, in a child process, whether the installed wasmtime 0.22 can make a
`Config`. When it aborts with exactly that assertion, it removes the assertion's conditional
jump (`test eax,eax; jne <panic>` right after `cpuid` with EAX = 7, ECX = 0) from the
installed `_libwasmtime.so` and checks again. Nothing else in the library is touched; the
sub-leaf 0 feature bits it then reads are the ones wasmtime 0.22 was written for.

Usage: python scripts/wasmtime022_cpuid.py   (exit 0: usable; 1: still unusable; 2: not 0.22)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = "import wasmtime; wasmtime.Engine(wasmtime.Config())"
ASSERTION = "assertion failed: res.eax == 0"
# mov eax,7; xor ecx,ecx; mov rsi,rbx; cpuid; xchg rsi,rbx; test eax,eax; jne rel8
LEAF7 = bytes.fromhex("b8 07 00 00 00 31 c9 48 89 de 0f a2 48 87 f3 85 c0 75")


def probe() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)


def library() -> Path | None:
    try:
        from importlib.metadata import files, version

        if version("wasmtime") != "0.22.0":
            return None
        found = [f for f in files("wasmtime") or [] if f.name == "_libwasmtime.so"]
    except Exception:
        return None
    return Path(str(found[0].locate())) if found else None


def patch(path: Path) -> bool:
    data = bytearray(path.read_bytes())
    at = data.find(LEAF7)
    if at < 0 or data.find(LEAF7, at + 1) >= 0:
        return False
    jne = at + len(LEAF7) - 1
    data[jne : jne + 2] = b"\x90\x90"
    path.write_bytes(bytes(data))
    return True


def main() -> int:
    lib = library()
    if lib is None:
        print("wasmtime022_cpuid: wasmtime 0.22.0 is not installed here; nothing to do")
        return 2
    first = probe()
    if first.returncode == 0:
        return 0
    if ASSERTION not in first.stderr:
        print(f"wasmtime022_cpuid: wasmtime 0.22 fails to start:\n{first.stderr[-2000:]}", file=sys.stderr)
        return 1
    if not patch(lib):
        print(f"wasmtime022_cpuid: the leaf-7 check was not found once in {lib}", file=sys.stderr)
        return 1
    again = probe()
    if again.returncode != 0:
        print(f"wasmtime022_cpuid: still fails after the patch:\n{again.stderr[-2000:]}", file=sys.stderr)
        return 1
    print(f"wasmtime022_cpuid: removed raw-cpuid 8.1.2's leaf-7 sub-leaf assertion from {lib}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
