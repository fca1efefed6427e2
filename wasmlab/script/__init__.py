"""Running WebAssembly scripts: spec `.wast` / wast2json files (`run_file`) and a REPL session
over WAST commands (`Workspace`), the facade the kernel, the IPython magics and the command
line stand on."""

from ..exec.limits import FIELDS as LIMIT_FIELDS
from ..exec.limits import KERNEL as KERNEL_LIMITS
from ..exec.limits import LIBRARY, parse_limit
from .files import run_file
from .runner import Result, Runner, run_json
from .spectest import spectest_exports
from .values import ExternRef, FuncInst, f32_to_bits, f64_to_bits, parse_arg
from .wast import run_wast
from .workspace import (
    CHUNK,
    CommandFailed,
    Defined,
    Entry,
    GuestStream,
    Interrupted,
    Passed,
    Record,
    Registered,
    Returned,
    WasiSetup,
    Workspace,
    WorkspaceError,
    command_word,
)

__all__ = [
    "CHUNK", "CommandFailed", "KERNEL_LIMITS", "LIBRARY", "LIMIT_FIELDS", "Defined", "Entry", "ExternRef", "FuncInst", "GuestStream", "Interrupted",
    "Passed", "Record", "Registered", "Result", "Returned", "Runner", "WasiSetup", "Workspace",
    "WorkspaceError", "command_word", "parse_limit", "f32_to_bits", "f64_to_bits", "parse_arg", "run_file", "run_json",
    "run_wast", "spectest_exports",
]  # fmt: skip
