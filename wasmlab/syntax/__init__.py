"""Abstract syntax: value and definition types, the module AST, and the opcode table with
its stack effects (`instr_text` and `float_text` write instructions and floats as text)."""

from .features import ALL, CORE_2_0, DEFAULT, PROPOSALS, WASM_3_0, Features, FeatureSpec, as_features
from .floats import float_text
from .module import (
    NAMES_OF_SPACE,
    Alias,
    Custom,
    Data,
    Elem,
    Export,
    Expr,
    Func,
    Global,
    Import,
    InstanceDef,
    Instr,
    Memory,
    Module,
    Names,
    ParentType,
    Span,
    Table,
    Tag,
)
from .opcodes import ALL_OPS, BY_KEY, BY_NAME, SELECT_T, Op, op
from .stack_effects import EffectContext, StackRule, stack_effect
from .types import (
    EXNREF,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    V128,
    DefType,
    ExportType,
    ExternKind,
    FuncType,
    GlobalType,
    ImportType,
    InstanceType,
    Limits,
    MemType,
    ModuleType,
    TableType,
    ValType,
)

__all__ = [
    "ALL", "CORE_2_0", "DEFAULT", "WASM_3_0", "NAMES_OF_SPACE", "PROPOSALS", "FeatureSpec", "Features", "as_features",
    "Alias", "InstanceDef", "ParentType", "ALL_OPS", "BY_KEY", "BY_NAME", "SELECT_T", "EXTERNREF", "F32", "F64", "FUNCREF", "I32",
    "I64", "V128", "Custom", "Data", "DefType", "Elem", "Export", "ExportType", "Expr",
    "ExternKind", "Func", "FuncType", "Global", "GlobalType", "Import", "ImportType",
    "InstanceType", "Instr", "Limits", "MemType", "Memory", "Module", "ModuleType", "Names",
    "Op", "Span", "Table", "TableType", "Tag", "ValType", "op", "EXNREF", "EffectContext", "StackRule",
    "stack_effect", "float_text",
]  # fmt: skip
