"""Re-measure the table of issue 18: each hostile input in a fresh process, with the
library's default limits: the time to instantiate, the resident size, and what comes out.

    python scripts/limits_table.py
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
import wasmlab
src, call = sys.argv[1], sys.argv[2:]
try:
    module = wasmlab.parse(bytes.fromhex(src[4:]) if src.startswith("hex:") else src)
except wasmlab.WasmError as e:
    print(json.dumps({"ms": 0, "rss_mb": rss_mb(), "rss_growth_mb": 0, "out": f"{type(e).__name__}: {e}"}))
    sys.exit(0)
before = rss_mb()
t = time.perf_counter()
try:
    inst = wasmlab.instantiate(module)
    out = "instantiated"
    if call:
        out = f"{call[0]}({call[1]}) = {getattr(inst.exports, call[0])(int(call[1]))}; {inst.store.limiter.refusal}"
except wasmlab.WasmError as e:
    out = f"{type(e).__name__}: {e}"
seconds = time.perf_counter() - t
print(json.dumps({"ms": seconds * 1000, "rss_mb": rss_mb(), "rss_growth_mb": rss_mb() - before, "out": out}))
"""

CASES = [
    ("(module (memory 65536))", []),
    ("(module (table 4294967295 funcref))", []),
    (
        '(module (table $t 1 funcref) (func (export "grow") (param i32) (result i32)'
        " (table.grow $t (ref.null func) (local.get 0))))",
        ["grow", "100000000"],
    ),
    # one function declaring 2^32-1 i32 locals (binary: type, function, code sections)
    ("hex:0061736d01000000010401600000030201000a0a010801ffffffff0f7f0b", []),
]


def main() -> int:
    for src, call in CASES:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, src, *call], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout)
        print(f"{src[:60]:<60} {r['ms']:8.2f} ms  resident {r['rss_mb']:6.1f} MB (+{r['rss_growth_mb']:.1f})")
        print(f"    {r['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
