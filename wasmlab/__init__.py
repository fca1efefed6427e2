"""wasmlab: explore and step-debug WebAssembly. A pure-Python engine underneath.

The public surface is listed in docs/api.md: parse, decode, validate, encode, print_wat,
instantiate, load, the Instance/Func/Memory/Table/Global wrappers, the WasmError family and
`Workspace` (a REPL session over WAST commands, from `wasmlab.script`).
"""

from . import debug
from .api import (
    Func,
    Global,
    Instance,
    LinkedModule,
    Memory,
    Table,
    decode,
    encode,
    graph,
    instantiate,
    load,
    parse,
    print_wat,
    tier_setting,
    type_tables,
    validate,
)
from .errors import (
    DecodeError,
    Exhaustion,
    LimitExceeded,
    LinkError,
    ParseError,
    Trap,
    ValidationError,
    WasmError,
)
from .exec.limits import KERNEL as KERNEL_LIMITS
from .exec.limits import StoreLimits as Limits
from .script import Workspace
from .wasi import WasiConfig

__version__ = "0.1.0"


def load_ipython_extension(ip: object) -> None:
    """`%load_ext wasmlab` in IPython: the %%wat and %wasm magics (wasmlab.kernel.magics)."""
    from .kernel.magics import load_ipython_extension as f

    f(ip)


__all__ = [
    "DecodeError", "Exhaustion", "KERNEL_LIMITS", "LimitExceeded", "Limits", "debug", "Func", "Global", "Instance", "LinkError", "LinkedModule", "Memory",
    "ParseError", "Table", "Trap", "ValidationError", "WasiConfig", "WasmError", "Workspace", "decode", "encode",
    "graph", "instantiate", "load", "parse", "print_wat", "tier_setting", "type_tables", "validate",
]  # fmt: skip
