"""Side tables for the machine: stack heights, blocks and branch targets."""

from __future__ import annotations

import pytest

from wasmlab.errors import ValidationError
from wasmlab.syntax import BY_NAME, I32, Export, ExternKind, Func, FuncType, Import, Instr, Module
from wasmlab.valid import (
    BlockInfo,
    BranchTarget,
    analyze_function,
    analyze_functions,
    function_stack_heights,
)


def I(name: str, imm: object = None) -> Instr:  # noqa: E743
    return Instr(BY_NAME[name], imm)


def module(body: list[Instr], params=(), results=(), types=()) -> Module:
    return Module(
        types=[FuncType(tuple(params), tuple(results)), *types],
        imports=[Import("env", "f", ExternKind.FUNC, 0)],  # funcidx 0 is imported
        funcs=[Func(0, [], body)],
        exports=[Export("f", ExternKind.FUNC, 1)],
    )


def test_heights_count_operands_only() -> None:
    body = [I("local.get", 0), I("i32.const", 1), I("i32.add"), I("end")]
    m = module(body, params=[I32, I32], results=[I32])
    assert function_stack_heights(m, 1) == [0, 1, 2, 1]
    info = analyze_function(m, 1)
    assert info.max_height == 2 and info.results == 1 and info.blocks == {} and info.branches == {}


def test_unreachable_heights_are_none() -> None:
    body = [I("block"), I("br", 0), I("i32.const", 1), I("drop"), I("end"), I("nop"), I("end")]
    assert function_stack_heights(module(body), 1) == [0, 0, None, None, None, 0, 0]


def test_block_branch_targets_after_end() -> None:
    #  0 i32.const 9   1 block (result i32)   2 i32.const 1   3 i32.const 0   4 br_if 0
    #  5 drop   6 i32.const 2   7 end   8 i32.add   9 end
    body = [
        I("i32.const", 9), I("block", I32), I("i32.const", 1), I("i32.const", 0), I("br_if", 0),
        I("drop"), I("i32.const", 2), I("end"), I("i32.add"), I("end"),
    ]  # fmt: skip
    info = analyze_function(module(body, results=[I32]), 1)
    assert info.heights == [0, 1, 1, 2, 3, 2, 1, 2, 2, 1]
    assert info.blocks == {1: BlockInfo(1, "block", None, 7, 0, 1, 1)}
    assert info.branches == {4: (BranchTarget(8, 1, 1, 0),)}
    assert info.end_of == {1: 7}


def test_loop_targets_its_start_and_keeps_params() -> None:
    # (type 1) = [i32] -> [i32]
    body = [I("i32.const", 3), I("loop", 1), I("i32.const", 1), I("i32.sub"), I("local.tee", 0), I("local.get", 0), I("br_if", 0), I("end"), I("end")]  # fmt: skip
    m = Module(
        types=[FuncType((I32,), (I32,)), FuncType((I32,), (I32,))],
        funcs=[Func(0, [], body)],
    )
    info = analyze_function(m, 0)
    assert info.blocks[1] == BlockInfo(1, "loop", None, 7, 1, 1, 0)
    assert info.branches[6] == (BranchTarget(2, 1, 0, 0, loop=True),)


def test_if_else_br_table_and_return() -> None:
    body = [
        I("block"),  # 0
        I("local.get", 0),  # 1
        I("if"),  # 2
        I("i32.const", 0),  # 3
        I("br_table", ((0, 1), 2)),  # 4: if-label, block, function
        I("else"),  # 5
        I("return"),  # 6
        I("end"),  # 7
        I("end"),  # 8
        I("end"),  # 9
    ]
    info = analyze_function(module(body, params=[I32]), 1)
    assert info.blocks[2] == BlockInfo(2, "if", 5, 7, 0, 0, 0)
    assert info.branches[4] == (BranchTarget(8, 0, 0, 0), BranchTarget(9, 0, 0, 1), BranchTarget(10, 0, 0, 2))
    assert info.branches[6] == (BranchTarget(10, 0, 0, 2),)
    assert info.heights[5] is None and info.heights[6] == 0
    assert info.end_of[5] == 7


def test_analyze_functions_and_errors() -> None:
    m = module([I("end")])
    infos = analyze_functions(m)
    assert [i.funcidx for i in infos] == [1]
    with pytest.raises(ValidationError, match="no body"):
        analyze_function(m, 0)
    with pytest.raises(ValidationError, match="type mismatch"):
        analyze_function(module([I("i32.add"), I("end")]), 1)
