"""Validation of module linking (wasmtime 0.22 / wasmparser 0.71 rules) and the subtyping
wasmtime applied when the host supplies modules and instances."""

from __future__ import annotations

import pytest

from wasmlab.errors import ValidationError
from wasmlab.syntax.module import Alias, Import, InstanceDef, Module
from wasmlab.syntax.signatures import InstanceSig, ModuleSig
from wasmlab.syntax.types import (
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
from wasmlab.text import parse_module
from wasmlab.valid import validate
from wasmlab.valid.linking import subtype_error

F = ExternKind.FUNC
I32 = ValType.I32


def invalid(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate(parse_module(text))
    assert message in str(info.value), str(info.value)


def test_subtyping_of_instantiate_arguments() -> None:
    fn = (F, FuncType((I32,), ()))
    assert subtype_error(fn, fn) is None
    assert subtype_error(fn, (F, FuncType())) == "function provided for instantiation has wrong type"
    t1 = (ExternKind.TABLE, TableType(Limits(1, 5)))
    assert subtype_error(t1, (ExternKind.TABLE, TableType(Limits(2, 4)))) is None
    assert subtype_error(t1, (ExternKind.TABLE, TableType(Limits(2)))) is not None
    small = InstanceSig((("a", fn),))
    big = InstanceSig((("b", (ExternKind.GLOBAL, GlobalType(I32))), ("a", fn)))
    assert (
        subtype_error((ExternKind.INSTANCE, small), (ExternKind.INSTANCE, big)) is None
    )  # more exports: fine
    assert subtype_error((ExternKind.INSTANCE, big), (ExternKind.INSTANCE, small)) == "no export named `b`"
    m1 = ModuleSig((("x", None, fn),), (("a", fn),))
    m0 = ModuleSig((), (("a", fn),))
    assert (
        subtype_error((ExternKind.MODULE, m1), (ExternKind.MODULE, m0))
        == "mismatched number of module imports"
    )
    mem = (ExternKind.MEMORY, MemType(Limits(1, 2), shared=True))
    assert subtype_error(mem, (ExternKind.MEMORY, MemType(Limits(1, 2)))) is not None
    assert (
        subtype_error(fn, (ExternKind.GLOBAL, GlobalType(I32))) == "wrong kind of item used for instantiate"
    )


def test_parent_aliases_see_only_what_was_defined_before() -> None:
    invalid("(module (module (alias parent (module 0))))", "alias to module not defined in parent yet")
    invalid(
        "(module (type (module)) (module (type 0) (alias parent (type 1))) (type (func)))",
        "not defined in parent yet",
    )
    validate(parse_module("(module (module $a) (module (alias parent (module $a))))"))


def test_alias_rules() -> None:
    invalid(
        '(module (import "" (instance $i)) (alias (instance $i) (func 0)))',
        "aliased export index out of bounds",
    )
    invalid(
        '(module (import "" (instance $i (export "" (memory 1)))) (alias (instance $i) (func 0)))',
        "alias kind mismatch",
    )
    invalid("(module (func $f) (module (func call $f)))", "only parent types/modules can be aliased")
    with pytest.raises(ValidationError, match="no parent module"):
        validate(Module(types=[FuncType()], aliases=[Alias(ExternKind.TYPE, None, 0)]))


def test_declared_module_types_must_match() -> None:
    invalid(
        '(module (type $m (module (export "" (func)))) (module (type $m)))',
        "inline module type does not match",
    )
    invalid(
        '(module (type $m (module)) (module (type $m) (func (export ""))))',
        "inline module type does not match",
    )
    validate(
        parse_module('(module (type $m (module (export "" (func)))) (module (type $m) (func (export ""))))')
    )


def test_type_rules() -> None:
    invalid('(module (type (instance (export "" (func)) (export "" (func)))))', "duplicate export name")
    invalid('(module (type (func)) (import "" (instance (type 0))))', "is not an instance")
    invalid('(module (type (module (import "" (func (type 1))))) (type (func)))', "unknown type 1")
    invalid('(module (export "" (module 0)))', "exported module index out of bounds")
    invalid(
        '(module (import "" (memory 1 2)) (type (instance (export "m" (memory 1 shared)))))', "maximum size"
    )


def test_shared_memories_only_in_types() -> None:
    m = Module(imports=[Import("", "m", ExternKind.MEMORY, MemType(Limits(1, 2), shared=True))])
    with pytest.raises(ValidationError, match="threads"):
        validate(m)


def test_instance_arguments_are_checked() -> None:
    invalid(
        '(module (import "" (module $m (import "" (func)))) (instance (instantiate $m)))',
        "wrong number of imports",
    )
    invalid(
        '(module (import "" (module $m (import "" (func)))) (import "" (global i32)) (instance (instantiate $m (global 0))))',
        "wrong kind of item used for instantiate",
    )


BAD_ASTS = [
    lambda: Module(instances=[InstanceDef("x", [])]),  # type: ignore[arg-type]
    lambda: Module(types=[ModuleType((ImportType("", None, F, "x"),), ())]),
    lambda: Module(types=[InstanceType((ExportType("", ExternKind.TYPE, 0),))]),
    lambda: Module(imports=[Import("", None, ExternKind.MODULE, 5)]),
    lambda: Module(aliases=[Alias(F, 3, 0)]),
    lambda: Module(modules=[Module()]),
    lambda: Module(initial_sections=[(99, 1)]),
    lambda: Module(
        types=[ModuleType()], modules=[Module(module_type=0, aliases=[Alias(ExternKind.TYPE, None, 7)])]
    ),
]


@pytest.mark.parametrize("make", BAD_ASTS)
def test_bad_hand_built_modules_are_validation_errors(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        validate(make())
