"""WASI preview1 for wasmlab: run C programs built with wasi-libc, sandboxed to preopened
directories, with every call recordable and replayable for the debugger.

    cfg = WasiConfig(args=["wc", "/data/words.txt"], preopens={"/data": "data"}, stdout=bytearray())
    inst = wasmlab.load("wc.wasm", wasi=cfg)
    status = cfg.run(inst)          # 0, the proc_exit code, or 134 after a trap
    print(cfg.output.decode())

Modules: `constants` (errno, rights, signatures), `memory` (checked guest memory access that
journals writes), `sandbox` (path resolution inside a directory capability), `streams`
(standard input/output adapters), `fds` (descriptor table), `preview1` (the functions),
`journal` (Effect, ProcExit: record and replay), `config` (WasiConfig, run).
"""

from .config import TRAP_EXIT_STATUS, WasiConfig, WasiFunction, format_trap, wasi_imports
from .journal import Effect, ProcExit
from .sandbox import Errno

__all__ = [
    "TRAP_EXIT_STATUS", "Effect", "Errno", "ProcExit", "WasiConfig", "WasiFunction", "format_trap",
    "wasi_imports",
]  # fmt: skip
