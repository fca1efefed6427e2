"""No MemoryError or RecursionError leaves wasmlab: each allocation site is made to fail
(monkeypatched to raise MemoryError) and a WasmError subclass with a clear message comes
out instead (or, for a grow, the instruction returns -1 and says why)."""

from __future__ import annotations

from typing import Any

import pytest

import wasmlab
from wasmlab import DecodeError, Exhaustion, LinkError, ParseError, Trap, ValidationError
from wasmlab.exec import pages, runtime

SRC = """(module
  (memory (export "m") 1)
  (table $t 2 funcref)
  (func (export "mgrow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"""


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise MemoryError("simulated")


def test_memory_allocation_at_instantiation(monkeypatch: pytest.MonkeyPatch) -> None:
    module = wasmlab.parse(SRC)
    monkeypatch.setattr(runtime, "allocate", _fail)
    with pytest.raises(LinkError, match=r"^memory 0: cannot allocate 1 pages \(simulated\)$"):
        wasmlab.instantiate(module)


def test_the_os_refusing_a_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMmap:
        MAP_PRIVATE = MAP_ANONYMOUS = 0

        @staticmethod
        def mmap(*args: Any, **kwargs: Any) -> Any:
            raise OSError(12, "Cannot allocate memory")

    module = wasmlab.parse(SRC)
    monkeypatch.setattr(pages, "mmap", NoMmap)
    with pytest.raises(LinkError, match="memory 0: cannot allocate 1 pages .*Cannot allocate memory"):
        wasmlab.instantiate(module)


def test_table_allocation_at_instantiation(monkeypatch: pytest.MonkeyPatch) -> None:
    module = wasmlab.parse(SRC)
    monkeypatch.setattr(runtime, "slots", _fail)
    with pytest.raises(
        LinkError, match=r"^table 0 \(\$t\): cannot allocate 2 elements \(out of host memory\)$"
    ):
        wasmlab.instantiate(module)


def test_memory_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = wasmlab.load(SRC)
    monkeypatch.setattr(runtime, "resized", _fail)
    assert inst.exports.mgrow(1) == -1
    assert inst.store.limiter.refusal == "memory.grow of memory 0 refused: the host could not map 2 pages"
    assert len(inst.exports.m) == 65536
    assert inst.store.limiter.memory_bytes == 65536
    monkeypatch.undo()
    assert inst.exports.mgrow(1) == 1


def test_table_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    inst = wasmlab.load(SRC)
    monkeypatch.setattr(runtime, "slots", _fail)
    assert inst.exports.tgrow(5) == -1
    assert inst.store.limiter.refusal == "table.grow of table 0 ($t) refused: out of host memory"


def test_inside_a_running_instruction() -> None:
    from wasmlab.exec.compile import compile_function

    inst = wasmlab.load(SRC)
    f = inst.inst.exports["add"]
    code = compile_function(f)
    code[0] = lambda S, L, pc: _fail()  # the first instruction's handler runs out of memory
    f.code = f.fast = code
    f.translated = False  # (runs these handlers, not the compiled tier's code)
    with pytest.raises(Exhaustion, match="resources exhausted: MemoryError"):
        inst.exports.add(1, 2)
    assert inst.exports.mgrow(0) == 1  # the instance still answers


def test_in_a_host_function() -> None:
    def hog(x: int) -> int:
        raise MemoryError("the host function ran out")

    inst = wasmlab.load(
        '(module (import "h" "hog" (func $hog (param i32) (result i32)))'
        ' (func (export "f") (result i32) (call $hog (i32.const 1))))',
        {"h": {"hog": hog}},
    )
    with pytest.raises(Trap, match="host function h.hog failed: MemoryError"):
        inst.exports.f()


@pytest.mark.parametrize("error", [MemoryError("simulated"), RecursionError("simulated")])
def test_decode_parse_validate(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    import wasmlab.binary
    import wasmlab.text
    import wasmlab.valid

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise error

    name = type(error).__name__
    binary = wasmlab.encode(wasmlab.parse(SRC))
    monkeypatch.setattr(wasmlab.binary, "decode_auto", boom)
    with pytest.raises(DecodeError, match=f"out of host resources while decoding the binary \\({name}\\)"):
        wasmlab.parse(binary)
    monkeypatch.setattr(wasmlab.text, "parse_module", boom)
    with pytest.raises(ParseError, match=f"out of host resources while parsing the text \\({name}\\)"):
        wasmlab.parse(SRC)
    monkeypatch.undo()
    module = wasmlab.parse(SRC)
    monkeypatch.setattr(wasmlab.valid, "validate", boom)
    with pytest.raises(ValidationError, match=f"out of host resources while validating \\({name}\\)"):
        wasmlab.validate(module)


def test_instantiation_as_a_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmlab.exec import instantiate as inst_mod

    module = wasmlab.parse(SRC)
    monkeypatch.setattr(inst_mod, "define", _fail)
    with pytest.raises(
        LinkError, match=r"instantiation ran out of host resources \(MemoryError: simulated\)"
    ):
        wasmlab.instantiate(module)
