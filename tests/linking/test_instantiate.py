"""Instantiation of linked modules: the data model (one TypeTables per blob, initializers),
first-class modules and instances from Python, shared prepared code, instance paths in traps."""

from __future__ import annotations

import pytest

import wasmlab
from wasmlab.errors import LinkError, Trap
from wasmlab.exec.compile import Layout
from wasmlab.linking import (
    AliasInstanceExport,
    AliasParentModule,
    DefineModule,
    ImportInitializer,
    Instantiate,
    ModuleValue,
    compile_blob,
)
from wasmlab.syntax.types import FuncType, ValType

COUNTER = """(module
  (module $counter
    (global $n (mut i32) (i32.const 0))
    (func $inc (export "inc") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
  (instance $c1 (instantiate $counter))
  (instance $c2 (instantiate $counter))
  (func (export "both") (result i32)
    (drop (call $c1.$inc)) (i32.add (call $c1.$inc) (call $c2.$inc))))"""


def test_the_issue_example() -> None:
    inst = wasmlab.load(COUNTER)
    assert inst.exports.both() == 3
    assert inst.exports.both() == 6
    tables = inst.type_tables
    assert tables.wasm_signatures == [FuncType((), (ValType.I32,))]
    assert "<table" in tables._repr_html_() and "sig0" in tables._repr_html_()
    g = inst.initializer_graph()
    assert "cluster_m0" in g.source and "cluster_m1" in g.source


THREE_LEVELS = """(module
  (type $api (instance (export "get" (func (result i32)))))
  (import "host" (instance $host (export "base" (global $base i32))))
  (module $outer
    (import "h" (instance $h (export "base" (global $base i32))))
    (module $inner
      (import "g" (global i32))
      (module $leaf (func (export "k") (result i32) (i32.const 5)))
      (instance $l (instantiate $leaf))
      (alias $k (instance $l) (func 0))
      (func $get (export "get") (result i32) (i32.add (global.get 0) (call $k))))
    (instance $i (instantiate $inner (global $h.$base)))
    (export "i" (instance $i))
    (export "inner" (module $inner)))
  (instance $o (instantiate $outer (instance $host)))
  (alias $oi (instance $o) (instance 0))
  (alias $get (instance $oi) (func 0))
  (func (export "get") (result i32) (call $get))
  (export "o" (instance $o)))"""


def test_one_type_tables_per_blob_and_initializers() -> None:
    module = wasmlab.parse(THREE_LEVELS)
    blob = compile_blob(module)
    assert compile_blob(module) is blob
    assert [info.path for info in blob.modules] == [
        "(top)",
        "(top)/$outer",
        "(top)/$outer/$inner",
        "(top)/$outer/$inner/$leaf",
    ]
    for info in blob.modules:
        assert info.module.linked is blob and wasmlab.type_tables(info.module) is blob.types
    top = blob.modules[0]
    kinds = [type(i) for i in top.initializers]
    assert kinds == [ImportInitializer, DefineModule, Instantiate, AliasInstanceExport, AliasInstanceExport]
    assert isinstance(top.initializers[1], DefineModule) and top.initializers[1].module == 1
    # no copies: one signature of `() -> i32` for the whole blob
    assert blob.types.wasm_signatures.count(FuncType((), (ValType.I32,))) == 1
    inner = blob.modules[2]
    assert [type(i) for i in inner.initializers] == [
        ImportInitializer,
        DefineModule,
        Instantiate,
        AliasInstanceExport,
    ]


def test_parent_module_aliases_are_initializers() -> None:
    module = wasmlab.parse("""(module
      (module $a (func $f (export "f") (result i32) (i32.const 9)))
      (module $b (alias $pa parent (module $a)) (instance $i (instantiate $pa)) (alias $f (instance $i) (func 0))
        (func $g (export "g") (result i32) (call $f)))
      (module $c (instance $i (instantiate $a)) (func (export "g") (result i32) (call $i.$f)))
      (instance $bi (instantiate $b))
      (func (export "g") (result i32) (call $bi.$g)))""")
    blob = compile_blob(module)
    assert isinstance(blob.modules[2].initializers[0], AliasParentModule)
    assert isinstance(blob.modules[3].initializers[0], AliasParentModule)  # made for `$a`
    assert wasmlab.instantiate(module).exports.g() == 9


def test_host_supplied_instances_and_modules() -> None:
    inst = wasmlab.load(THREE_LEVELS, {"host": {"base": wasmlab.Global(value=37)}})
    assert inst.exports["get"]() == 42
    # an instance that a wasm module exported, a Python mapping, or a wasmlab.Instance
    other = wasmlab.load('(module (global (export "base") i32 (i32.const 100)) (func (export "x")))')
    assert wasmlab.load(THREE_LEVELS, {"host": other}).exports["get"]() == 105
    assert wasmlab.load(THREE_LEVELS, {"host": other.exports}).exports["get"]() == 105
    with pytest.raises(LinkError, match="incompatible import type"):
        wasmlab.load(THREE_LEVELS, {"host": {"base": wasmlab.Global(value=1, type=ValType.I64)}})
    with pytest.raises(LinkError, match="no export named `base`"):
        wasmlab.load(THREE_LEVELS, {"host": {}})
    with pytest.raises(LinkError, match="not provided"):
        wasmlab.load(THREE_LEVELS)


def test_exported_modules_and_instances_are_objects() -> None:
    inst = wasmlab.load(THREE_LEVELS, {"host": {"base": wasmlab.Global(value=1)}})
    o = inst.exports["o"]
    assert isinstance(o, wasmlab.Instance)
    i = o.exports["i"]
    assert i.exports["get"]() == 6
    inner = o.exports["inner"]
    assert isinstance(inner, wasmlab.LinkedModule) and isinstance(inner.inst, ModuleValue)
    assert [name for _, name, _ in inner.sig.imports] == [None]
    again = inner.instantiate({"g": wasmlab.Global(value=10)})
    assert again.exports["get"]() == 15
    assert wasmlab.instantiate(inner, {"g": wasmlab.Global(value=20)}).exports["get"]() == 25
    # a module (exported, or parsed in Python) given to a module import
    runner = wasmlab.parse("""(module
      (import "m" (module $m (import "g" (global i32)) (export "get" (func $get (result i32)))))
      (import "v" (global $v i32))
      (instance $i (instantiate $m (global $v)))
      (func (export "run") (result i32) (call $i.$get)))""")
    assert wasmlab.instantiate(runner, {"m": inner, "v": wasmlab.Global(value=2)}).exports.run() == 7
    plain = wasmlab.parse(
        '(module (import "q" "r" (global i32)) (func (export "get") (result i32) (i32.const 8)))'
    )
    assert wasmlab.instantiate(runner, {"m": plain, "v": wasmlab.Global(value=0)}).exports.run() == 8
    wrong = wasmlab.parse('(module (func (export "get") (result i32) (i32.const 8)))')  # one import too few
    with pytest.raises(LinkError, match="module types incompatible"):
        wasmlab.instantiate(runner, {"m": wrong, "v": wasmlab.Global(value=0)})


def test_prepared_code_is_shared_by_every_instance_of_a_nested_module() -> None:
    copies = 60
    text = (
        "(module (module $m (global $g (mut i32) (i32.const 0))"
        ' (func $f (export "f") (param i32) (result i32)'
        " (global.set $g (i32.add (global.get $g) (local.get 0))) (global.get $g)))"
        + "".join(f" (instance $i{k} (instantiate $m))" for k in range(copies))
        + ' (func (export "all") (result i32) (local $s i32)'
        + "".join(
            f" (local.set $s (i32.add (local.get $s) (call $i{k}.$f (i32.const {k}))))" for k in range(copies)
        )
        + " (local.get $s)))"
    )
    inst = wasmlab.load(text)
    assert inst.exports.all() == sum(range(copies))
    instances = inst.inst.instances
    assert len(instances) == copies
    funcs = [i.funcs[0] for i in instances]
    assert len({id(f.func) for f in funcs}) == 1  # one syntax function for every instance
    prepared = funcs[0].func.prepared
    assert isinstance(prepared, Layout)
    assert all(f.layout is prepared for f in funcs)  # one side table, made once per blob
    assert len({id(i.globals[0]) for i in instances}) == copies  # but separate state


def test_traps_in_nested_instances_name_the_instance_path() -> None:
    inst = wasmlab.load("""(module
      (module $a
        (module $b (func $boom (export "boom") unreachable))
        (instance $x (instantiate $b))
        (func $mid (export "mid") (call $x.$boom)))
      (instance $y (instantiate $a))
      (func (export "run") (call $y.$mid)))""")
    with pytest.raises(Trap) as info:
        inst.exports.run()
    assert info.value.stack == ["run", "$y.$mid", "$y.$x.$boom"]
    assert "$y.$x.$boom" in str(info.value)


def test_a_trap_in_a_nested_start_fails_instantiation() -> None:
    module = wasmlab.parse(
        "(module (module $m (func $s unreachable) (start $s)) (instance (instantiate $m)))"
    )
    with pytest.raises(Trap, match="unreachable"):
        wasmlab.instantiate(module)


def test_the_debugger_steps_into_nested_instances() -> None:
    inst = wasmlab.load(COUNTER)
    m = inst.machine("both")
    names = set()
    while m.step():
        names.update(f.func.name for f in m.frames)
    assert {"$c1.$inc", "$c2.$inc"} <= names
