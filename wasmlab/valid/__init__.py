"""The spec's validation algorithm (chapter 3 and appendix A.3).

The machine's side table (branch targets, values kept and dropped) is computed from the
same rules by `wasmlab.exec.compile.layout` when a function is first compiled.
"""

from .context import Context, declared_func_refs
from .module import validate

__all__ = ["Context", "declared_func_refs", "validate"]
