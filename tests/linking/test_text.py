"""Module linking in the text format: the shared dumps byte for byte, every form of the
shared note, the sugar (`$i.$x`, parent aliases, `(export $i)`), errors, printing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import need_suite
from tests.linking.dumps import DUMPS, dump_bytes
from wasmlab.binary import decode, encode
from wasmlab.errors import ParseError, ValidationError
from wasmlab.syntax.module import Module, Names
from wasmlab.syntax.types import ExternKind, FuncType, InstanceType, ModuleType
from wasmlab.text import parse_module, print_wat
from wasmlab.valid import validate


def _names_of_2_0(module: Module) -> Module:
    """The module with only the names the 2.0 name section has (module, functions, locals),
    as wast 27 wrote them; the same for its nested modules."""
    n = module.names
    module.names = Names(module=n.module, funcs=n.funcs, locals=n.locals)
    for nested in module.modules:
        _names_of_2_0(nested)
    return module


@pytest.mark.parametrize("path", DUMPS)
def test_dumps_encode_to_the_recorded_bytes(path: Path) -> None:
    need_suite("module-linking", "dumps")
    module = _names_of_2_0(parse_module(path.read_text(), filename=path.name))
    assert encode(module, names=True, module_linking="pr2451") == dump_bytes(Path(str(path) + ".dump"))


NOTE_EXAMPLE = """(module
  (type $T (instance (export "f" (func $f (param i32)))))
  (type $M (module (import "x" (func)) (export "g" (func))))
  (import "i" (instance $i (export "f" (func $f (param i32)))))
  (import "m" (module $m (type $M)))
  (module $child
    (import "" (func (param i32)))
    (func $h (export "h") (param i32) local.get 0 call 0))
  (instance $c (instantiate $child (func $i.$f)))
  (alias $h2 (instance $c) (func $h))
  (alias $h3 (instance $c) (func 0))
  (module $inner
    (alias $t parent (type $T))
    (alias $mm parent (module $child))
    (import "" (instance (type $t))))
  (instance (instantiate $inner (instance $i)))
  (export "inst" (instance $c))
  (export "mod" (module $child))
  (export "h" (func $h2)))"""


def test_the_example_of_the_shared_note() -> None:
    m = parse_module(NOTE_EXAMPLE)
    validate(m)
    kinds = [(a.kind, a.instance, a.index) for a in m.aliases]
    assert kinds == [
        (ExternKind.FUNC, 0, 0),  # $i.$f, right after the import of $i
        (ExternKind.FUNC, 1, 0),  # $h2
        (ExternKind.FUNC, 1, 0),  # $h3
    ]
    inner = m.modules[1]
    t_index = next(
        i for i, t in enumerate(m.types) if isinstance(t, InstanceType)
    )  # $T (after its func type)
    assert [(a.kind, a.instance, a.index) for a in inner.aliases] == [
        (ExternKind.TYPE, None, t_index),
        (ExternKind.MODULE, None, 1),  # $child: module 0 is the imported $m
    ]
    assert inner.types[0] is m.types[t_index]
    assert [e.kind for e in m.exports] == [ExternKind.INSTANCE, ExternKind.MODULE, ExternKind.FUNC]
    assert m.names.funcs == {0: "i.$f", 1: "h2", 2: "h3"}
    assert decode(encode(m), module_linking=True).modules[1].aliases[0].kind is ExternKind.TYPE


def test_sugar_makes_aliases_after_the_instance_by_export_position() -> None:
    m = parse_module("""(module
      (import "a" (instance $a (export "x" (func $x)) (export "y" (global $y i32)) (export "z" (func $z))))
      (func (export "f") (result i32) call $a.$z global.get $a.$y call $a.$x))""")
    assert [(a.kind, a.index) for a in m.aliases] == [
        (ExternKind.FUNC, 0),
        (ExternKind.GLOBAL, 1),
        (ExternKind.FUNC, 2),
    ]
    assert m.initial_sections_or_default() == [(1, 3), (2, 1), (16, 3)]
    # a name defined in the module is not an alias, even if it looks like one
    m = parse_module("""(module
      (import "a" (instance $a (export "x" (func $x))))
      (func $a.$x (import "b" "c"))
      (func call $a.$x))""")
    assert m.aliases == [] and len(m.imports) == 2


def test_parent_aliases_come_first_last_name_first() -> None:
    m = parse_module("""(module
      (type $a (func)) (type $b (func (param i32)))
      (module $inner (func (type $b)) (func (type $a))))""")
    inner = m.modules[0]
    assert [(a.kind, a.index) for a in inner.aliases] == [(ExternKind.TYPE, 1), (ExternKind.TYPE, 0)]
    assert inner.types == [FuncType(m.types[1].params), FuncType()]
    assert [f.type for f in inner.funcs] == [0, 1]
    validate(m)


def test_export_all_makes_an_alias_and_an_export_per_export() -> None:
    m = parse_module("""(module
      (module $m (func (export "a")) (global (export "b") i32 (i32.const 1)))
      (instance $i (instantiate $m))
      (export $i))""")
    assert [(e.name, e.kind, e.index) for e in m.exports] == [
        ("a", ExternKind.FUNC, 0),
        ("b", ExternKind.GLOBAL, 0),
    ]
    assert [(a.kind, a.instance, a.index) for a in m.aliases] == [
        (ExternKind.FUNC, 0, 0),
        (ExternKind.GLOBAL, 0, 1),
    ]
    assert m.names.funcs == {}  # the made aliases have no names
    validate(m)


def test_every_import_and_item_form() -> None:
    m = parse_module("""(module
      (type $empty (instance))
      (import "a" (func))
      (import "b" "c" (instance $i (type $empty)))
      (import "d" (module $m (import "" (func)) (export "e" (memory 1 2 shared)) (export $empty)))
      (func (import "f"))
      (global (import "g") i32)
      (module $n (import "h"))
      (module $o (export "o1") (export "o2") (import "h" "i") (export "p" (func)))
      (instance (export "q") (import "r") (export "s" (func)))
      (instance $j (export "t") (instantiate $n)))""")
    validate(m)
    assert [(i.module, i.name, i.kind) for i in m.imports] == [
        ("a", None, ExternKind.FUNC),
        ("b", "c", ExternKind.INSTANCE),
        ("d", None, ExternKind.MODULE),
        ("f", None, ExternKind.FUNC),
        ("g", None, ExternKind.GLOBAL),
        ("h", None, ExternKind.MODULE),
        ("h", "i", ExternKind.MODULE),
        ("r", None, ExternKind.INSTANCE),
    ]
    assert [e.name for e in m.exports] == ["o1", "o2", "q", "t"]
    mt = m.types[m.imports[2].desc]
    assert isinstance(mt, ModuleType) and mt.exports[0].desc.shared
    assert [i.id for i in m.instances] == ["$j"]


def test_nested_modules_get_their_type_from_their_imports_and_exports() -> None:
    m = parse_module("""(module
      (module $a (import "x" (func (param i64))) (func (export "y") (result i32) i32.const 1))
      (type $t (module (export "z" (func))))
      (module $b (type $t) (func (export "z"))))""")
    a, b = m.modules
    ta = m.types[a.module_type]
    assert (
        isinstance(ta, ModuleType) and [i.module for i in ta.imports] == ["x"] and ta.exports[0].name == "y"
    )
    assert b.module_type == m.types.index(m.types[b.module_type])
    validate(m)


def test_text_round_trip_of_linking_modules() -> None:
    m = parse_module(NOTE_EXAMPLE)
    data = encode(m, names=True)
    text = print_wat(decode(data, module_linking=True))
    assert encode(parse_module(text), names=True) == data


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('(module (import "i" (instance $i (type $nope))))', "unknown type $nope"),
        (
            '(module (type (instance)) (import "i" (instance $i (type 0))) (func call $i.$f))',
            "unknown function $i.$f",
        ),
        ("(module (alias parent (type 0)))", "root module"),
        ("(module (export $nope))", "failed to find instance"),
        ("(module (alias (instance 0) (func 0)))", "reference to instance is out of bounds"),
        (
            '(module (import "" (instance $i)) (alias (instance $i) (func $f)))',
            "failed to find func named `$f`",
        ),
        ("(module (type (module (export $t))))", "unknown type $t"),
        ('(module (func) (module (export "" (func $f))) (func $f))', "before item is defined"),
        ("(module (instance (instantiate)))", "module index"),
        ("(module (instance (instantiate 0 (type 0))))", "an argument"),
        ('(module (func) (import "" (module)))', "import after function"),
    ],
)
def test_malformed_text(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_module(text)
    assert message in str(info.value)


def test_invalid_but_well_formed_text_is_a_validation_error() -> None:
    m = parse_module("(module (func $f) (module (func call $f)))")  # a parent alias of a function
    with pytest.raises(ValidationError, match="only parent types/modules can be aliased"):
        validate(m)


def test_instance_types_are_interned_first_wins() -> None:
    m = parse_module("""(module
      (type (instance))
      (type $x (instance))
      (import "" (instance))
      (import "" (instance (export "" (func)))))""")
    assert [i.desc for i in m.imports] == [0, 3]
    assert m.types[2] == FuncType() and isinstance(m.types[3], InstanceType)
