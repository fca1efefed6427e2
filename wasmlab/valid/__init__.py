"""The spec's validation algorithm (chapter 3 and appendix A.3) and the machine's side tables."""

from .context import Context, declared_func_refs
from .module import validate
from .sidetable import (
    BlockInfo,
    BranchTarget,
    FuncInfo,
    analyze_function,
    analyze_functions,
    function_stack_heights,
)

__all__ = [
    "BlockInfo",
    "BranchTarget",
    "Context",
    "FuncInfo",
    "analyze_function",
    "analyze_functions",
    "declared_func_refs",
    "function_stack_heights",
    "validate",
]
