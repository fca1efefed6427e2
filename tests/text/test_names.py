"""Names of every index space: the text's `$ids` for types, functions, locals, tables,
memories, globals, elem and data segments go into `Module.names`, into the `name` section
(2.0's subsections 0-2 and the extended name section's 4-9, as WABT, wasm-tools and LLVM write
them) and back out of the printer, in definitions and in every immediate that refers to them.
WABT's `wat2wasm --debug-names` is the referee."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_suite, need_tool
from wasmlab.binary import decode, encode
from wasmlab.cli import main as cli_main
from wasmlab.syntax.module import NAME_SUBSECTIONS, NAMES_OF_SPACE, Module, Names
from wasmlab.text import parse_module, parse_script, print_wat
from wasmlab.text.script import ModuleCommand

NAMED = """(module $demo
  (type $sig (func (param i32) (result i32)))
  (import "env" "m" (memory $imem 1))
  (memory $mem 1)
  (global $g (mut i32) (i32.const 0))
  (table $t 1 funcref)
  (table $t2 1 funcref)
  (elem $e (table $t) (i32.const 0) func $f)
  (data $d (memory $mem) (i32.const 0) "hi")
  (func $f (type $sig) (param $x i32) (result i32)
    (global.set $g (local.get $x))
    (i32.store $mem offset=4 (i32.const 0) (local.get $x))
    (memory.init $mem $d (i32.const 0) (i32.const 0) (i32.const 1))
    (table.init $t2 $e (i32.const 0) (i32.const 0) (i32.const 1))
    (table.copy $t $t2 (i32.const 0) (i32.const 0) (i32.const 1))
    (memory.copy $imem $mem (i32.const 0) (i32.const 0) (i32.const 1))
    (drop (memory.size $mem))
    (drop (local.get $x) (block (type $sig) (call_indirect $t2 (type $sig) (i32.const 0))))
    data.drop $d elem.drop $e
    (global.get $g))
  (export "g" (global $g)) (export "m" (memory $mem)) (export "t" (table $t)))
"""

WANT = Names(
    module="demo", funcs={0: "f"}, locals={0: {0: "x"}}, types={0: "sig"}, tables={0: "t", 1: "t2"},
    memories={0: "imem", 1: "mem"}, globals={0: "g"}, elems={0: "e"}, datas={0: "d"},
)  # fmt: skip


def _named() -> Module:
    return parse_module(NAMED)


def test_the_text_names_every_index_space() -> None:
    assert _named().names == WANT


def test_names_survive_the_name_section() -> None:
    data = encode(_named(), names=True)
    assert decode(data, features="multi-memory").names == WANT
    assert decode(encode(_named()), features="multi-memory").names == Names()  # only with names=True


def test_the_printer_uses_the_names_everywhere() -> None:
    text = print_wat(decode(encode(_named(), names=True), features="multi-memory"))
    for expected in [
        "(type $sig (;0;) (func", "(import \"env\" \"m\" (memory $imem (;0;) 1))", "(memory $mem (;1;) 1)",
        "(global $g (;0;) (mut i32)", "(table $t2 (;1;) 1 funcref)", "(elem $e (;0;)", "(data $d (;0;) (memory $mem)",
        "global.set $g", "i32.store $mem offset=4", "memory.init $mem $d", "table.init $t2 $e",
        "table.copy $t $t2", "memory.copy $imem $mem", "memory.size $mem", "block (type $sig)",
        "call_indirect $t2 (type $sig)", "data.drop $d", "elem.drop $e", '(export "g" (global $g))',
        '(export "m" (memory $mem))', '(export "t" (table $t))', "(func $f (;0;) (type $sig) (param $x i32)",
    ]:  # fmt: skip
        assert expected in text, expected
    again = parse_module(text)
    assert again.names == WANT
    assert encode(again, names=True) == encode(_named(), names=True)


def test_unnamed_and_clashing_names_fall_back_to_numbers() -> None:
    m = parse_module(
        "(module (global $g i32 (i32.const 1)) (global i32 (i32.const 2)) (func (drop (global.get 1))))"
    )
    m.names.globals[1] = "g"  # the same name twice (a name section may say so): only the first is used
    text = print_wat(m)
    assert "(global $g (;0;) i32" in text and "(global (;1;) i32" in text and "global.get 1" in text
    assert parse_module(text).names.globals == {0: "g"}


def test_name_subsections_are_read_in_order_and_unknown_ones_skipped() -> None:
    names = Names(globals={0: "a"}, datas={0: "b"})
    from wasmlab.binary.encode import encode_names

    payload = encode_names(names)
    assert [payload[0], payload[payload.index(0x09)]] == [0x07, 0x09]
    assert set(NAME_SUBSECTIONS.values()) == set(NAMES_OF_SPACE.values())


@pytest.mark.parametrize(
    ("payload", "names"),
    [
        (bytes([7, 5, 1, 0, 9]) + b"g", Names()),  # the global's name runs past its subsection
        (bytes([7, 4, 1, 0, 1, 0x67, 4, 4, 1, 0, 1, 0x74]), Names()),  # types (4) after globals (7)
        (bytes([7, 5, 1, 0, 2, 0xFF, 0xFE]), Names()),  # not UTF-8
        (
            bytes([3, 6, 1, 0, 1, 0, 1, 0x62, 7, 4, 1, 0, 1, 0x67]),
            Names(labels={0: {0: "b"}}, globals={0: "g"}),
        ),
        (bytes([7, 4, 1, 0, 1, 0x67, 11, 1, 0]), Names(globals={0: "g"})),  # tags (11): not known, skipped
    ],
)
def test_a_malformed_or_partly_known_name_section_never_fails_decoding(payload: bytes, names: Names) -> None:
    from wasmlab.binary.decode import decode_names

    module = parse_module("(module (global i32 (i32.const 0)) (type (func)))")
    module.names = Names()
    data = encode(module) + bytes([0, len(payload) + 5, 4]) + b"name" + payload
    assert decode(data).names == names
    assert decode_names(payload) == names


def test_same_bytes_as_wat2wasm_debug_names(tmp_path: Path) -> None:
    tool = need_tool("wat2wasm")
    src = tmp_path / "named.wat"
    src.write_text(NAMED)
    subprocess.run([tool, "--debug-names", str(src), "-o", str(tmp_path / "wabt.wasm")], check=True)
    assert encode(_named(), names=True) == (tmp_path / "wabt.wasm").read_bytes()
    assert (
        cli_main(
            ["parse", "--debug-names", "--features", "multi-memory", str(src), "-o", str(tmp_path / "o.wasm")]
        )
        == 0
    )
    assert (tmp_path / "o.wasm").read_bytes() == (tmp_path / "wabt.wasm").read_bytes()


def test_every_named_suite_module_names_what_wabt_names(tmp_path: Path) -> None:
    """Every text module of the core suite with a `$id` in it: the names our name section
    carries are the names of WABT's (which also lists functions without local names)."""
    tool = need_tool("wat2wasm")
    core = need_suite("core")
    checked, differ = 0, []
    for path in sorted(core.glob("*.wast")):
        for cmd in parse_script(path.read_text(), filename=path.name):
            if not isinstance(cmd, ModuleCommand) or cmd.module is None or "$" not in (cmd.text or ""):
                continue
            (tmp_path / "m.wat").write_text(cmd.text or "")
            run = [
                tool,
                "--debug-names",
                "--no-check",
                str(tmp_path / "m.wat"),
                "-o",
                str(tmp_path / "m.wasm"),
            ]
            if subprocess.run(run, capture_output=True).returncode:
                continue
            wabt = decode((tmp_path / "m.wasm").read_bytes()).names
            wabt.locals = {f: names for f, names in wabt.locals.items() if names}
            checked += 1
            ours = decode(encode(cmd.module, names=True)).names
            ours.labels = {}  # WABT does not write label names
            if ours != wabt:
                differ.append(f"{path.name}:{cmd.line}")
    assert checked >= 400
    assert not differ, differ


def test_kernel_completion_offers_names_of_every_space() -> None:
    """A module loaded from a binary (no source to scan): its name section's names complete."""
    from wasmlab.kernel.complete import identifiers
    from wasmlab.kernel.workspace import Workspace

    text = """(module (type $sig (func)) (memory $mem 1) (global $g i32 (i32.const 0))
      (table $t 1 funcref) (elem $e func $f) (data $d "x") (func $f (type $sig) (local $l i32)))"""
    module = decode(encode(parse_module(text), names=True))
    ws = Workspace()
    ws.add_module(None, module, source=None, filename=None)
    assert {"$sig", "$mem", "$g", "$t", "$e", "$d", "$f", "$l"} <= set(identifiers(ws, ""))


def test_the_dump_names_what_has_a_name() -> None:
    from wasmlab.binary.dump import dump

    data = encode(_named(), names=True)
    text = dump(decode(data, features="multi-memory"), data)
    for expected in ["type[0] (i32) -> (i32) <sig>", "memory[0] 1 <imem> <- env.m", "table[1] 1 funcref <t2>",
                     "memory[1] pages 1 <mem>", "= (i32.const 0) <g>", 'global[0] <g> -> "g"', "elem[0] <e> ",
                     "data[0] <d> "]:  # fmt: skip
        assert expected in text, expected


LABELS = """(module (func $f (result i32)
  (block $out (loop $l (br_if $l (i32.const 0)) (br $out)))
  (if (i32.const 1) (then (block $x (block $x (br 1)))) (else (br 0)))
  (block $out (result i32) (i32.const 1) (br_table $out $out 0 (i32.const 0)))))"""


def test_label_names_are_kept_and_printed_where_they_are_unambiguous() -> None:
    m = parse_module(LABELS)
    assert m.names.labels == {0: {0: "out", 1: "l", 3: "x", 4: "x", 5: "out"}}  # block 2: the if
    assert decode(encode(m, names=True)).names.labels == m.names.labels
    for folded in (False, True):
        text = print_wat(decode(encode(m, names=True)), folded=folded)
        assert "br_if $l" in text and "br $out" in text and "br_table $out $out $out" in text
        assert "br 1" in text  # the outer $x, hidden by the inner one: only its depth says which
        again = parse_module(text)
        assert encode(again, names=True) == encode(m, names=True)
