"""The opcode table: every WebAssembly 2.0 instruction (and the proposals'), described once.

Each row gives the binary encoding (optional prefix byte + LEB128 code), the kind of
immediates, the stack signature, the feature that introduced it, whether it is a constant
instruction, and a one-line description. A signature is `params:results`, or `@rule` for an
instruction whose stack effect depends on its immediates or context: the rule of that name
in `stack_effects.RULES` (control, calls, parametric, variable, table and reference
instructions). `[const]` marks a constant instruction (spec 3.3.10), `[const:feature]` one
that is constant only with a proposal. Decoder, encoder, text parser, printer, validator,
machine dispatch, tracer and kernel completion all read this table
(`tests/syntax/test_instruction_table.py` walks every row through each of them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .stack_effects import RULES, StackRule
from .types import ValType

#: immediate kinds, see `Instr` for the Python value of each
IMMEDIATE_KINDS = (
    "none", "blocktype", "label", "br_table", "func", "call_indirect", "local", "global",
    "table", "elem", "data", "memarg", "memarg_lane", "memory", "i32", "i64", "f32", "f64",
    "select_t", "reftype", "table_copy", "table_init", "memory_init", "memory_copy",
    "memory_fill", "v128", "shuffle", "lane", "tag", "try_table",
    # typed function references and GC
    "type", "field", "type_n", "type_data", "type_elem", "type_type", "cast", "cast_null", "br_on_cast",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Op:
    name: str
    prefix: int | None  # None, 0xFC or 0xFD
    code: int
    imm: str
    params: tuple[ValType, ...] | None  # None: the row names a stack rule
    results: tuple[ValType, ...] | None
    feature: str
    desc: str
    rule: StackRule | None = None  # the stack rule of a row without a fixed signature
    #: None: not a constant instruction; "mvp": constant in 2.0; else the proposal that makes it one
    const: str | None = None

    @property
    def key(self) -> int:
        """A unique integer: the code, or (prefix << 8 | code) for prefixed instructions
        (prefix << 16 | code for the codes above 0xFF, such as relaxed SIMD's)."""
        if self.prefix is None:
            return self.code
        return (self.prefix << 8) | self.code if self.code < 0x100 else (self.prefix << 16) | self.code

    @property
    def encoding(self) -> str:
        return f"{self.code:#04x}" if self.prefix is None else f"{self.prefix:#04x} {self.code}"

    @property
    def signature(self) -> str:
        if self.rule is not None:
            return self.rule.signature
        p = " ".join(t.text for t in self.params or ())
        r = " ".join(t.text for t in self.results or ())
        return f"[{p}] -> [{r}]"

    @property
    def natural_alignment(self) -> int:
        """log2 of the access width in bytes, for memory instructions."""
        return _NATURAL_ALIGN.get(self.name, 0)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


# name  code  immediates  signature  feature  [const]?  description
_CORE = """
unreachable 0x00 none @unreachable mvp trap unconditionally
nop 0x01 none : mvp do nothing
block 0x02 blocktype @block mvp begin a block; a branch to it jumps to its end
loop 0x03 blocktype @block mvp begin a loop; a branch to it jumps back to its start
if 0x04 blocktype @if mvp pop an i32; run the then-arm if it is non-zero, else the else-arm
else 0x05 none @else mvp begin the else-arm of an if
end 0x0b none @end mvp end a block, loop, if or function
br 0x0c label @br mvp branch to the enclosing label of the given depth
br_if 0x0d label @br_if mvp pop an i32; branch if it is non-zero
br_table 0x0e br_table @br_table mvp pop an i32 index; branch to the label it selects (or the default)
return 0x0f none @return mvp return from the current function
call 0x10 func @call mvp call a function by index
call_indirect 0x11 call_indirect @call_indirect mvp pop an i32; call the function at that table slot, checking its type
throw 0x08 tag @throw exceptions throw an exception of a tag, carrying the tag's parameters
throw_ref 0x0a none @throw_ref exceptions pop an exnref; throw that exception again (trap on null)
try_table 0x1f try_table @block exceptions a block whose catch clauses branch out when an exception reaches them
try 0x06 blocktype @block legacy-exceptions begin a try block (legacy exceptions); its catch handlers follow its body
catch 0x07 tag @catch legacy-exceptions end a try body (or handler) and begin the handler of a tag; it gets the exception's values
catch_all 0x19 none @else legacy-exceptions end a try body (or handler) and begin the handler of any exception
delegate 0x18 label @end legacy-exceptions end a try block; an exception in its body goes on from the given label outward
rethrow 0x09 label @rethrow legacy-exceptions throw again the exception caught by the handler of the given label
return_call 0x12 func @return_call tail-call call a function in place of the current one (a tail call)
return_call_indirect 0x13 call_indirect @return_call_indirect tail-call pop an i32; tail-call the function at that table slot
drop 0x1a none @drop mvp throw away the top value
select 0x1b none @select mvp pop a condition; keep the first value if it is non-zero, else the second
select 0x1c select_t @select reference-types typed select
local.get 0x20 local @local.get mvp push a local's value
local.set 0x21 local @local.set mvp pop a value into a local
local.tee 0x22 local @local.tee mvp store the top value into a local, keeping it on the stack
global.get 0x23 global @global.get mvp [const] push a global's value
global.set 0x24 global @global.set mvp pop a value into a mutable global
table.get 0x25 table @table.get reference-types push the reference at a table slot
table.set 0x26 table @table.set reference-types store a reference into a table slot
i32.load 0x28 memarg i32:i32 mvp load 4 bytes as i32
i64.load 0x29 memarg i32:i64 mvp load 8 bytes as i64
f32.load 0x2a memarg i32:f32 mvp load 4 bytes as f32
f64.load 0x2b memarg i32:f64 mvp load 8 bytes as f64
i32.load8_s 0x2c memarg i32:i32 mvp load 1 byte, sign-extended to i32
i32.load8_u 0x2d memarg i32:i32 mvp load 1 byte, zero-extended to i32
i32.load16_s 0x2e memarg i32:i32 mvp load 2 bytes, sign-extended to i32
i32.load16_u 0x2f memarg i32:i32 mvp load 2 bytes, zero-extended to i32
i64.load8_s 0x30 memarg i32:i64 mvp load 1 byte, sign-extended to i64
i64.load8_u 0x31 memarg i32:i64 mvp load 1 byte, zero-extended to i64
i64.load16_s 0x32 memarg i32:i64 mvp load 2 bytes, sign-extended to i64
i64.load16_u 0x33 memarg i32:i64 mvp load 2 bytes, zero-extended to i64
i64.load32_s 0x34 memarg i32:i64 mvp load 4 bytes, sign-extended to i64
i64.load32_u 0x35 memarg i32:i64 mvp load 4 bytes, zero-extended to i64
i32.store 0x36 memarg i32,i32: mvp store an i32 as 4 bytes
i64.store 0x37 memarg i32,i64: mvp store an i64 as 8 bytes
f32.store 0x38 memarg i32,f32: mvp store an f32 as 4 bytes
f64.store 0x39 memarg i32,f64: mvp store an f64 as 8 bytes
i32.store8 0x3a memarg i32,i32: mvp store the low byte of an i32
i32.store16 0x3b memarg i32,i32: mvp store the low 2 bytes of an i32
i64.store8 0x3c memarg i32,i64: mvp store the low byte of an i64
i64.store16 0x3d memarg i32,i64: mvp store the low 2 bytes of an i64
i64.store32 0x3e memarg i32,i64: mvp store the low 4 bytes of an i64
memory.size 0x3f memory :i32 mvp push the memory's size in 64 KiB pages
memory.grow 0x40 memory i32:i32 mvp grow memory by n pages; push the old size or -1
i32.const 0x41 i32 :i32 mvp [const] push a constant i32
i64.const 0x42 i64 :i64 mvp [const] push a constant i64
f32.const 0x43 f32 :f32 mvp [const] push a constant f32
f64.const 0x44 f64 :f64 mvp [const] push a constant f64
i32.eqz 0x45 none i32:i32 mvp 1 if the value is zero, else 0
i32.eq 0x46 none i32,i32:i32 mvp 1 if equal
i32.ne 0x47 none i32,i32:i32 mvp 1 if not equal
i32.lt_s 0x48 none i32,i32:i32 mvp signed less than
i32.lt_u 0x49 none i32,i32:i32 mvp unsigned less than
i32.gt_s 0x4a none i32,i32:i32 mvp signed greater than
i32.gt_u 0x4b none i32,i32:i32 mvp unsigned greater than
i32.le_s 0x4c none i32,i32:i32 mvp signed less or equal
i32.le_u 0x4d none i32,i32:i32 mvp unsigned less or equal
i32.ge_s 0x4e none i32,i32:i32 mvp signed greater or equal
i32.ge_u 0x4f none i32,i32:i32 mvp unsigned greater or equal
i64.eqz 0x50 none i64:i32 mvp 1 if the value is zero, else 0
i64.eq 0x51 none i64,i64:i32 mvp 1 if equal
i64.ne 0x52 none i64,i64:i32 mvp 1 if not equal
i64.lt_s 0x53 none i64,i64:i32 mvp signed less than
i64.lt_u 0x54 none i64,i64:i32 mvp unsigned less than
i64.gt_s 0x55 none i64,i64:i32 mvp signed greater than
i64.gt_u 0x56 none i64,i64:i32 mvp unsigned greater than
i64.le_s 0x57 none i64,i64:i32 mvp signed less or equal
i64.le_u 0x58 none i64,i64:i32 mvp unsigned less or equal
i64.ge_s 0x59 none i64,i64:i32 mvp signed greater or equal
i64.ge_u 0x5a none i64,i64:i32 mvp unsigned greater or equal
f32.eq 0x5b none f32,f32:i32 mvp 1 if equal (false for NaN)
f32.ne 0x5c none f32,f32:i32 mvp 1 if not equal (true for NaN)
f32.lt 0x5d none f32,f32:i32 mvp less than
f32.gt 0x5e none f32,f32:i32 mvp greater than
f32.le 0x5f none f32,f32:i32 mvp less or equal
f32.ge 0x60 none f32,f32:i32 mvp greater or equal
f64.eq 0x61 none f64,f64:i32 mvp 1 if equal (false for NaN)
f64.ne 0x62 none f64,f64:i32 mvp 1 if not equal (true for NaN)
f64.lt 0x63 none f64,f64:i32 mvp less than
f64.gt 0x64 none f64,f64:i32 mvp greater than
f64.le 0x65 none f64,f64:i32 mvp less or equal
f64.ge 0x66 none f64,f64:i32 mvp greater or equal
i32.clz 0x67 none i32:i32 mvp count leading zero bits
i32.ctz 0x68 none i32:i32 mvp count trailing zero bits
i32.popcnt 0x69 none i32:i32 mvp count one bits
i32.add 0x6a none i32,i32:i32 mvp [const:extended-const] add, wrapping
i32.sub 0x6b none i32,i32:i32 mvp [const:extended-const] subtract, wrapping
i32.mul 0x6c none i32,i32:i32 mvp [const:extended-const] multiply, wrapping
i32.div_s 0x6d none i32,i32:i32 mvp signed division, truncating; traps on zero and overflow
i32.div_u 0x6e none i32,i32:i32 mvp unsigned division; traps on zero
i32.rem_s 0x6f none i32,i32:i32 mvp signed remainder (sign of the dividend); traps on zero
i32.rem_u 0x70 none i32,i32:i32 mvp unsigned remainder; traps on zero
i32.and 0x71 none i32,i32:i32 mvp bitwise and
i32.or 0x72 none i32,i32:i32 mvp bitwise or
i32.xor 0x73 none i32,i32:i32 mvp bitwise exclusive or
i32.shl 0x74 none i32,i32:i32 mvp shift left by the count modulo 32
i32.shr_s 0x75 none i32,i32:i32 mvp arithmetic shift right by the count modulo 32
i32.shr_u 0x76 none i32,i32:i32 mvp logical shift right by the count modulo 32
i32.rotl 0x77 none i32,i32:i32 mvp rotate left by the count modulo 32
i32.rotr 0x78 none i32,i32:i32 mvp rotate right by the count modulo 32
i64.clz 0x79 none i64:i64 mvp count leading zero bits
i64.ctz 0x7a none i64:i64 mvp count trailing zero bits
i64.popcnt 0x7b none i64:i64 mvp count one bits
i64.add 0x7c none i64,i64:i64 mvp [const:extended-const] add, wrapping
i64.sub 0x7d none i64,i64:i64 mvp [const:extended-const] subtract, wrapping
i64.mul 0x7e none i64,i64:i64 mvp [const:extended-const] multiply, wrapping
i64.div_s 0x7f none i64,i64:i64 mvp signed division, truncating; traps on zero and overflow
i64.div_u 0x80 none i64,i64:i64 mvp unsigned division; traps on zero
i64.rem_s 0x81 none i64,i64:i64 mvp signed remainder (sign of the dividend); traps on zero
i64.rem_u 0x82 none i64,i64:i64 mvp unsigned remainder; traps on zero
i64.and 0x83 none i64,i64:i64 mvp bitwise and
i64.or 0x84 none i64,i64:i64 mvp bitwise or
i64.xor 0x85 none i64,i64:i64 mvp bitwise exclusive or
i64.shl 0x86 none i64,i64:i64 mvp shift left by the count modulo 64
i64.shr_s 0x87 none i64,i64:i64 mvp arithmetic shift right by the count modulo 64
i64.shr_u 0x88 none i64,i64:i64 mvp logical shift right by the count modulo 64
i64.rotl 0x89 none i64,i64:i64 mvp rotate left by the count modulo 64
i64.rotr 0x8a none i64,i64:i64 mvp rotate right by the count modulo 64
f32.abs 0x8b none f32:f32 mvp absolute value (clears the sign bit)
f32.neg 0x8c none f32:f32 mvp negate (flips the sign bit)
f32.ceil 0x8d none f32:f32 mvp round up to an integer
f32.floor 0x8e none f32:f32 mvp round down to an integer
f32.trunc 0x8f none f32:f32 mvp round toward zero to an integer
f32.nearest 0x90 none f32:f32 mvp round to the nearest integer, ties to even
f32.sqrt 0x91 none f32:f32 mvp square root
f32.add 0x92 none f32,f32:f32 mvp add
f32.sub 0x93 none f32,f32:f32 mvp subtract
f32.mul 0x94 none f32,f32:f32 mvp multiply
f32.div 0x95 none f32,f32:f32 mvp divide
f32.min 0x96 none f32,f32:f32 mvp minimum (NaN if either is NaN; -0 below +0)
f32.max 0x97 none f32,f32:f32 mvp maximum (NaN if either is NaN; +0 above -0)
f32.copysign 0x98 none f32,f32:f32 mvp the first value with the sign of the second
f64.abs 0x99 none f64:f64 mvp absolute value (clears the sign bit)
f64.neg 0x9a none f64:f64 mvp negate (flips the sign bit)
f64.ceil 0x9b none f64:f64 mvp round up to an integer
f64.floor 0x9c none f64:f64 mvp round down to an integer
f64.trunc 0x9d none f64:f64 mvp round toward zero to an integer
f64.nearest 0x9e none f64:f64 mvp round to the nearest integer, ties to even
f64.sqrt 0x9f none f64:f64 mvp square root
f64.add 0xa0 none f64,f64:f64 mvp add
f64.sub 0xa1 none f64,f64:f64 mvp subtract
f64.mul 0xa2 none f64,f64:f64 mvp multiply
f64.div 0xa3 none f64,f64:f64 mvp divide
f64.min 0xa4 none f64,f64:f64 mvp minimum (NaN if either is NaN; -0 below +0)
f64.max 0xa5 none f64,f64:f64 mvp maximum (NaN if either is NaN; +0 above -0)
f64.copysign 0xa6 none f64,f64:f64 mvp the first value with the sign of the second
i32.wrap_i64 0xa7 none i64:i32 mvp keep the low 32 bits of an i64
i32.trunc_f32_s 0xa8 none f32:i32 mvp truncate an f32 to a signed i32; traps on NaN or overflow
i32.trunc_f32_u 0xa9 none f32:i32 mvp truncate an f32 to an unsigned i32; traps on NaN or overflow
i32.trunc_f64_s 0xaa none f64:i32 mvp truncate an f64 to a signed i32; traps on NaN or overflow
i32.trunc_f64_u 0xab none f64:i32 mvp truncate an f64 to an unsigned i32; traps on NaN or overflow
i64.extend_i32_s 0xac none i32:i64 mvp sign-extend an i32 to i64
i64.extend_i32_u 0xad none i32:i64 mvp zero-extend an i32 to i64
i64.trunc_f32_s 0xae none f32:i64 mvp truncate an f32 to a signed i64; traps on NaN or overflow
i64.trunc_f32_u 0xaf none f32:i64 mvp truncate an f32 to an unsigned i64; traps on NaN or overflow
i64.trunc_f64_s 0xb0 none f64:i64 mvp truncate an f64 to a signed i64; traps on NaN or overflow
i64.trunc_f64_u 0xb1 none f64:i64 mvp truncate an f64 to an unsigned i64; traps on NaN or overflow
f32.convert_i32_s 0xb2 none i32:f32 mvp signed i32 to the nearest f32
f32.convert_i32_u 0xb3 none i32:f32 mvp unsigned i32 to the nearest f32
f32.convert_i64_s 0xb4 none i64:f32 mvp signed i64 to the nearest f32
f32.convert_i64_u 0xb5 none i64:f32 mvp unsigned i64 to the nearest f32
f32.demote_f64 0xb6 none f64:f32 mvp f64 to the nearest f32
f64.convert_i32_s 0xb7 none i32:f64 mvp signed i32 to f64 (exact)
f64.convert_i32_u 0xb8 none i32:f64 mvp unsigned i32 to f64 (exact)
f64.convert_i64_s 0xb9 none i64:f64 mvp signed i64 to the nearest f64
f64.convert_i64_u 0xba none i64:f64 mvp unsigned i64 to the nearest f64
f64.promote_f32 0xbb none f32:f64 mvp f32 to f64 (exact)
i32.reinterpret_f32 0xbc none f32:i32 mvp the bits of an f32 as an i32
i64.reinterpret_f64 0xbd none f64:i64 mvp the bits of an f64 as an i64
f32.reinterpret_i32 0xbe none i32:f32 mvp the bits of an i32 as an f32
f64.reinterpret_i64 0xbf none i64:f64 mvp the bits of an i64 as an f64
i32.extend8_s 0xc0 none i32:i32 sign-ext sign-extend the low 8 bits
i32.extend16_s 0xc1 none i32:i32 sign-ext sign-extend the low 16 bits
i64.extend8_s 0xc2 none i64:i64 sign-ext sign-extend the low 8 bits
i64.extend16_s 0xc3 none i64:i64 sign-ext sign-extend the low 16 bits
i64.extend32_s 0xc4 none i64:i64 sign-ext sign-extend the low 32 bits
ref.null 0xd0 reftype @ref.null reference-types [const] push a null reference of the given type
ref.is_null 0xd1 none @ref.is_null reference-types 1 if the reference is null
ref.func 0xd2 func @ref.func reference-types [const] push a reference to a function
call_ref 0x14 type @call_ref function-references pop a function reference of the type; call it (trap on null)
return_call_ref 0x15 type @return_call_ref function-references pop a function reference; tail-call it (trap on null)
ref.eq 0xd3 none @ref.eq gc 1 if two eq references are the same object (or equal i31s)
ref.as_non_null 0xd4 none @ref.as_non_null function-references trap on a null reference; else keep it, as non-null
br_on_null 0xd5 label @br_on_null function-references branch if the reference is null (dropping it); else keep it
br_on_non_null 0xd6 label @br_on_non_null function-references branch with the reference if it is not null; else drop it
"""

#: GC's instructions (prefix 0xFB); `ref.test`/`ref.cast` have a row per nullability
_FB = """
struct.new 0 type @struct.new gc [const:gc] allocate a struct from its field values
struct.new_default 1 type @struct.new_default gc [const:gc] allocate a struct with every field zero or null
struct.get 2 field @struct.get gc read a field of a struct (trap on null)
struct.get_s 3 field @struct.get gc read a packed field, sign-extended
struct.get_u 4 field @struct.get gc read a packed field, zero-extended
struct.set 5 field @struct.set gc write a mutable field of a struct (trap on null)
array.new 6 type @array.new gc [const:gc] allocate an array of n copies of a value
array.new_default 7 type @array.new_default gc [const:gc] allocate an array of n zeros or nulls
array.new_fixed 8 type_n @array.new_fixed gc [const:gc] allocate an array from the n values on the stack
array.new_data 9 type_data @array.new_data gc allocate an array from bytes of a data segment
array.new_elem 10 type_elem @array.new_elem gc allocate an array from references of an element segment
array.get 11 type @array.get gc read an element of an array (trap on null or out of bounds)
array.get_s 12 type @array.get gc read a packed element, sign-extended
array.get_u 13 type @array.get gc read a packed element, zero-extended
array.set 14 type @array.set gc write an element of a mutable array
array.len 15 none @array.len gc push an array's length
array.fill 16 type @array.fill gc fill n elements of an array with a value
array.copy 17 type_type @array.copy gc copy n elements between arrays (overlap is fine)
array.init_data 18 type_data @array.init_data gc copy elements from bytes of a data segment into an array
array.init_elem 19 type_elem @array.init_elem gc copy references from an element segment into an array
ref.test 20 cast @ref.test gc 1 if the reference has the given type
ref.test 21 cast_null @ref.test gc 1 if the reference has the given (nullable) type
ref.cast 22 cast @ref.cast gc keep the reference as the given type (trap if it has not that type)
ref.cast 23 cast_null @ref.cast gc keep the reference as the given (nullable) type (trap if not)
br_on_cast 24 br_on_cast @br_on_cast gc branch with the reference if it has the second type
br_on_cast_fail 25 br_on_cast @br_on_cast gc branch with the reference if it has not the second type
any.convert_extern 26 none @any.convert_extern gc [const:gc] an external reference as an internal one
extern.convert_any 27 none @extern.convert_any gc [const:gc] an internal reference as an external one
ref.i31 28 none @ref.i31 gc [const:gc] box the low 31 bits of an i32 as an i31 reference
i31.get_s 29 none @i31.get gc the i31 reference's value, sign-extended to i32 (trap on null)
i31.get_u 30 none @i31.get gc the i31 reference's value, zero-extended to i32 (trap on null)
"""

_FC = """
i32.trunc_sat_f32_s 0 none f32:i32 sat-trunc truncate an f32 to a signed i32, saturating (NaN gives 0)
i32.trunc_sat_f32_u 1 none f32:i32 sat-trunc truncate an f32 to an unsigned i32, saturating (NaN gives 0)
i32.trunc_sat_f64_s 2 none f64:i32 sat-trunc truncate an f64 to a signed i32, saturating (NaN gives 0)
i32.trunc_sat_f64_u 3 none f64:i32 sat-trunc truncate an f64 to an unsigned i32, saturating (NaN gives 0)
i64.trunc_sat_f32_s 4 none f32:i64 sat-trunc truncate an f32 to a signed i64, saturating (NaN gives 0)
i64.trunc_sat_f32_u 5 none f32:i64 sat-trunc truncate an f32 to an unsigned i64, saturating (NaN gives 0)
i64.trunc_sat_f64_s 6 none f64:i64 sat-trunc truncate an f64 to a signed i64, saturating (NaN gives 0)
i64.trunc_sat_f64_u 7 none f64:i64 sat-trunc truncate an f64 to an unsigned i64, saturating (NaN gives 0)
memory.init 8 memory_init i32,i32,i32: bulk-memory copy bytes from a passive data segment into memory
data.drop 9 data : bulk-memory drop a data segment's bytes
memory.copy 10 memory_copy i32,i32,i32: bulk-memory copy bytes within memory (overlap is fine)
memory.fill 11 memory_fill i32,i32,i32: bulk-memory fill bytes of memory with one value
table.init 12 table_init i32,i32,i32: bulk-memory copy references from an element segment into a table
elem.drop 13 elem : bulk-memory drop an element segment
table.copy 14 table_copy i32,i32,i32: bulk-memory copy references between tables
table.grow 15 table @table.grow reference-types grow a table by n slots filled with a value; push the old size or -1
table.size 16 table :i32 reference-types push a table's size
table.fill 17 table @table.fill reference-types fill table slots with one reference
"""

_SIMD_LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}

_FD = """
v128.load 0x00 memarg i32:v128 load 16 bytes
v128.load8x8_s 0x01 memarg i32:v128 load 8 bytes, sign-extend each to 16 bits
v128.load8x8_u 0x02 memarg i32:v128 load 8 bytes, zero-extend each to 16 bits
v128.load16x4_s 0x03 memarg i32:v128 load 4 16-bit values, sign-extend each to 32 bits
v128.load16x4_u 0x04 memarg i32:v128 load 4 16-bit values, zero-extend each to 32 bits
v128.load32x2_s 0x05 memarg i32:v128 load 2 32-bit values, sign-extend each to 64 bits
v128.load32x2_u 0x06 memarg i32:v128 load 2 32-bit values, zero-extend each to 64 bits
v128.load8_splat 0x07 memarg i32:v128 load 1 byte into every lane
v128.load16_splat 0x08 memarg i32:v128 load 2 bytes into every lane
v128.load32_splat 0x09 memarg i32:v128 load 4 bytes into every lane
v128.load64_splat 0x0a memarg i32:v128 load 8 bytes into every lane
v128.store 0x0b memarg i32,v128: store 16 bytes
v128.const 0x0c v128 :v128 [const] push a constant v128
i8x16.shuffle 0x0d shuffle v128,v128:v128 pick 16 bytes from the two vectors by lane index
i8x16.swizzle 0x0e none v128,v128:v128 pick bytes of the first vector by the indices in the second
i8x16.splat 0x0f none i32:v128 an i32's low byte in every lane
i16x8.splat 0x10 none i32:v128 an i32's low 16 bits in every lane
i32x4.splat 0x11 none i32:v128 an i32 in every lane
i64x2.splat 0x12 none i64:v128 an i64 in every lane
f32x4.splat 0x13 none f32:v128 an f32 in every lane
f64x2.splat 0x14 none f64:v128 an f64 in every lane
i8x16.extract_lane_s 0x15 lane v128:i32 a lane, sign-extended
i8x16.extract_lane_u 0x16 lane v128:i32 a lane, zero-extended
i8x16.replace_lane 0x17 lane v128,i32:v128 replace a lane
i16x8.extract_lane_s 0x18 lane v128:i32 a lane, sign-extended
i16x8.extract_lane_u 0x19 lane v128:i32 a lane, zero-extended
i16x8.replace_lane 0x1a lane v128,i32:v128 replace a lane
i32x4.extract_lane 0x1b lane v128:i32 a lane
i32x4.replace_lane 0x1c lane v128,i32:v128 replace a lane
i64x2.extract_lane 0x1d lane v128:i64 a lane
i64x2.replace_lane 0x1e lane v128,i64:v128 replace a lane
f32x4.extract_lane 0x1f lane v128:f32 a lane
f32x4.replace_lane 0x20 lane v128,f32:v128 replace a lane
f64x2.extract_lane 0x21 lane v128:f64 a lane
f64x2.replace_lane 0x22 lane v128,f64:v128 replace a lane
v128.not 0x4d none v128:v128 bitwise not
v128.and 0x4e none v128,v128:v128 bitwise and
v128.andnot 0x4f none v128,v128:v128 bitwise and with the complement of the second
v128.or 0x50 none v128,v128:v128 bitwise or
v128.xor 0x51 none v128,v128:v128 bitwise exclusive or
v128.bitselect 0x52 none v128,v128,v128:v128 bits of the first where the mask is 1, of the second where 0
v128.any_true 0x53 none v128:i32 1 if any bit is set
v128.load8_lane 0x54 memarg_lane i32,v128:v128 load 1 byte into a lane
v128.load16_lane 0x55 memarg_lane i32,v128:v128 load 2 bytes into a lane
v128.load32_lane 0x56 memarg_lane i32,v128:v128 load 4 bytes into a lane
v128.load64_lane 0x57 memarg_lane i32,v128:v128 load 8 bytes into a lane
v128.store8_lane 0x58 memarg_lane i32,v128: store a 1-byte lane
v128.store16_lane 0x59 memarg_lane i32,v128: store a 2-byte lane
v128.store32_lane 0x5a memarg_lane i32,v128: store a 4-byte lane
v128.store64_lane 0x5b memarg_lane i32,v128: store an 8-byte lane
v128.load32_zero 0x5c memarg i32:v128 load 4 bytes into lane 0, zero the rest
v128.load64_zero 0x5d memarg i32:v128 load 8 bytes into lane 0, zero the rest
f32x4.demote_f64x2_zero 0x5e none v128:v128 demote both f64 lanes; upper lanes zero
f64x2.promote_low_f32x4 0x5f none v128:v128 promote the two low f32 lanes
i8x16.abs 0x60 none v128:v128 lane-wise absolute value
i8x16.neg 0x61 none v128:v128 lane-wise negation
i8x16.popcnt 0x62 none v128:v128 lane-wise count of one bits
i8x16.all_true 0x63 none v128:i32 1 if every lane is non-zero
i8x16.bitmask 0x64 none v128:i32 the lanes' sign bits as an integer
i8x16.narrow_i16x8_s 0x65 none v128,v128:v128 narrow to signed saturated bytes
i8x16.narrow_i16x8_u 0x66 none v128,v128:v128 narrow to unsigned saturated bytes
f32x4.ceil 0x67 none v128:v128 lane-wise round up
f32x4.floor 0x68 none v128:v128 lane-wise round down
f32x4.trunc 0x69 none v128:v128 lane-wise round toward zero
f32x4.nearest 0x6a none v128:v128 lane-wise round to nearest, ties to even
i8x16.shl 0x6b none v128,i32:v128 lane-wise shift left
i8x16.shr_s 0x6c none v128,i32:v128 lane-wise arithmetic shift right
i8x16.shr_u 0x6d none v128,i32:v128 lane-wise logical shift right
i8x16.add 0x6e none v128,v128:v128 lane-wise add, wrapping
i8x16.add_sat_s 0x6f none v128,v128:v128 lane-wise add, signed saturating
i8x16.add_sat_u 0x70 none v128,v128:v128 lane-wise add, unsigned saturating
i8x16.sub 0x71 none v128,v128:v128 lane-wise subtract, wrapping
i8x16.sub_sat_s 0x72 none v128,v128:v128 lane-wise subtract, signed saturating
i8x16.sub_sat_u 0x73 none v128,v128:v128 lane-wise subtract, unsigned saturating
f64x2.ceil 0x74 none v128:v128 lane-wise round up
f64x2.floor 0x75 none v128:v128 lane-wise round down
i8x16.min_s 0x76 none v128,v128:v128 lane-wise signed minimum
i8x16.min_u 0x77 none v128,v128:v128 lane-wise unsigned minimum
i8x16.max_s 0x78 none v128,v128:v128 lane-wise signed maximum
i8x16.max_u 0x79 none v128,v128:v128 lane-wise unsigned maximum
f64x2.trunc 0x7a none v128:v128 lane-wise round toward zero
i8x16.avgr_u 0x7b none v128,v128:v128 lane-wise unsigned rounding average
i16x8.extadd_pairwise_i8x16_s 0x7c none v128:v128 add adjacent signed byte pairs
i16x8.extadd_pairwise_i8x16_u 0x7d none v128:v128 add adjacent unsigned byte pairs
i32x4.extadd_pairwise_i16x8_s 0x7e none v128:v128 add adjacent signed 16-bit pairs
i32x4.extadd_pairwise_i16x8_u 0x7f none v128:v128 add adjacent unsigned 16-bit pairs
i16x8.abs 0x80 none v128:v128 lane-wise absolute value
i16x8.neg 0x81 none v128:v128 lane-wise negation
i16x8.q15mulr_sat_s 0x82 none v128,v128:v128 lane-wise Q15 rounding saturating multiply
i16x8.all_true 0x83 none v128:i32 1 if every lane is non-zero
i16x8.bitmask 0x84 none v128:i32 the lanes' sign bits as an integer
i16x8.narrow_i32x4_s 0x85 none v128,v128:v128 narrow to signed saturated 16-bit lanes
i16x8.narrow_i32x4_u 0x86 none v128,v128:v128 narrow to unsigned saturated 16-bit lanes
i16x8.extend_low_i8x16_s 0x87 none v128:v128 sign-extend the low 8 bytes
i16x8.extend_high_i8x16_s 0x88 none v128:v128 sign-extend the high 8 bytes
i16x8.extend_low_i8x16_u 0x89 none v128:v128 zero-extend the low 8 bytes
i16x8.extend_high_i8x16_u 0x8a none v128:v128 zero-extend the high 8 bytes
i16x8.shl 0x8b none v128,i32:v128 lane-wise shift left
i16x8.shr_s 0x8c none v128,i32:v128 lane-wise arithmetic shift right
i16x8.shr_u 0x8d none v128,i32:v128 lane-wise logical shift right
i16x8.add 0x8e none v128,v128:v128 lane-wise add, wrapping
i16x8.add_sat_s 0x8f none v128,v128:v128 lane-wise add, signed saturating
i16x8.add_sat_u 0x90 none v128,v128:v128 lane-wise add, unsigned saturating
i16x8.sub 0x91 none v128,v128:v128 lane-wise subtract, wrapping
i16x8.sub_sat_s 0x92 none v128,v128:v128 lane-wise subtract, signed saturating
i16x8.sub_sat_u 0x93 none v128,v128:v128 lane-wise subtract, unsigned saturating
f64x2.nearest 0x94 none v128:v128 lane-wise round to nearest, ties to even
i16x8.mul 0x95 none v128,v128:v128 lane-wise multiply, wrapping
i16x8.min_s 0x96 none v128,v128:v128 lane-wise signed minimum
i16x8.min_u 0x97 none v128,v128:v128 lane-wise unsigned minimum
i16x8.max_s 0x98 none v128,v128:v128 lane-wise signed maximum
i16x8.max_u 0x99 none v128,v128:v128 lane-wise unsigned maximum
i16x8.avgr_u 0x9b none v128,v128:v128 lane-wise unsigned rounding average
i16x8.extmul_low_i8x16_s 0x9c none v128,v128:v128 multiply the low signed bytes, widening
i16x8.extmul_high_i8x16_s 0x9d none v128,v128:v128 multiply the high signed bytes, widening
i16x8.extmul_low_i8x16_u 0x9e none v128,v128:v128 multiply the low unsigned bytes, widening
i16x8.extmul_high_i8x16_u 0x9f none v128,v128:v128 multiply the high unsigned bytes, widening
i32x4.abs 0xa0 none v128:v128 lane-wise absolute value
i32x4.neg 0xa1 none v128:v128 lane-wise negation
i32x4.all_true 0xa3 none v128:i32 1 if every lane is non-zero
i32x4.bitmask 0xa4 none v128:i32 the lanes' sign bits as an integer
i32x4.extend_low_i16x8_s 0xa7 none v128:v128 sign-extend the low 16-bit lanes
i32x4.extend_high_i16x8_s 0xa8 none v128:v128 sign-extend the high 16-bit lanes
i32x4.extend_low_i16x8_u 0xa9 none v128:v128 zero-extend the low 16-bit lanes
i32x4.extend_high_i16x8_u 0xaa none v128:v128 zero-extend the high 16-bit lanes
i32x4.shl 0xab none v128,i32:v128 lane-wise shift left
i32x4.shr_s 0xac none v128,i32:v128 lane-wise arithmetic shift right
i32x4.shr_u 0xad none v128,i32:v128 lane-wise logical shift right
i32x4.add 0xae none v128,v128:v128 lane-wise add, wrapping
i32x4.sub 0xb1 none v128,v128:v128 lane-wise subtract, wrapping
i32x4.mul 0xb5 none v128,v128:v128 lane-wise multiply, wrapping
i32x4.min_s 0xb6 none v128,v128:v128 lane-wise signed minimum
i32x4.min_u 0xb7 none v128,v128:v128 lane-wise unsigned minimum
i32x4.max_s 0xb8 none v128,v128:v128 lane-wise signed maximum
i32x4.max_u 0xb9 none v128,v128:v128 lane-wise unsigned maximum
i32x4.dot_i16x8_s 0xba none v128,v128:v128 multiply signed 16-bit lanes and add adjacent pairs
i32x4.extmul_low_i16x8_s 0xbc none v128,v128:v128 multiply the low signed 16-bit lanes, widening
i32x4.extmul_high_i16x8_s 0xbd none v128,v128:v128 multiply the high signed 16-bit lanes, widening
i32x4.extmul_low_i16x8_u 0xbe none v128,v128:v128 multiply the low unsigned 16-bit lanes, widening
i32x4.extmul_high_i16x8_u 0xbf none v128,v128:v128 multiply the high unsigned 16-bit lanes, widening
i64x2.abs 0xc0 none v128:v128 lane-wise absolute value
i64x2.neg 0xc1 none v128:v128 lane-wise negation
i64x2.all_true 0xc3 none v128:i32 1 if every lane is non-zero
i64x2.bitmask 0xc4 none v128:i32 the lanes' sign bits as an integer
i64x2.extend_low_i32x4_s 0xc7 none v128:v128 sign-extend the low 32-bit lanes
i64x2.extend_high_i32x4_s 0xc8 none v128:v128 sign-extend the high 32-bit lanes
i64x2.extend_low_i32x4_u 0xc9 none v128:v128 zero-extend the low 32-bit lanes
i64x2.extend_high_i32x4_u 0xca none v128:v128 zero-extend the high 32-bit lanes
i64x2.shl 0xcb none v128,i32:v128 lane-wise shift left
i64x2.shr_s 0xcc none v128,i32:v128 lane-wise arithmetic shift right
i64x2.shr_u 0xcd none v128,i32:v128 lane-wise logical shift right
i64x2.add 0xce none v128,v128:v128 lane-wise add, wrapping
i64x2.sub 0xd1 none v128,v128:v128 lane-wise subtract, wrapping
i64x2.mul 0xd5 none v128,v128:v128 lane-wise multiply, wrapping
i64x2.eq 0xd6 none v128,v128:v128 lane-wise equal (all ones or zero)
i64x2.ne 0xd7 none v128,v128:v128 lane-wise not equal
i64x2.lt_s 0xd8 none v128,v128:v128 lane-wise signed less than
i64x2.gt_s 0xd9 none v128,v128:v128 lane-wise signed greater than
i64x2.le_s 0xda none v128,v128:v128 lane-wise signed less or equal
i64x2.ge_s 0xdb none v128,v128:v128 lane-wise signed greater or equal
i64x2.extmul_low_i32x4_s 0xdc none v128,v128:v128 multiply the low signed 32-bit lanes, widening
i64x2.extmul_high_i32x4_s 0xdd none v128,v128:v128 multiply the high signed 32-bit lanes, widening
i64x2.extmul_low_i32x4_u 0xde none v128,v128:v128 multiply the low unsigned 32-bit lanes, widening
i64x2.extmul_high_i32x4_u 0xdf none v128,v128:v128 multiply the high unsigned 32-bit lanes, widening
f32x4.abs 0xe0 none v128:v128 lane-wise absolute value
f32x4.neg 0xe1 none v128:v128 lane-wise negation
f32x4.sqrt 0xe3 none v128:v128 lane-wise square root
f32x4.add 0xe4 none v128,v128:v128 lane-wise add
f32x4.sub 0xe5 none v128,v128:v128 lane-wise subtract
f32x4.mul 0xe6 none v128,v128:v128 lane-wise multiply
f32x4.div 0xe7 none v128,v128:v128 lane-wise divide
f32x4.min 0xe8 none v128,v128:v128 lane-wise minimum (NaN-propagating)
f32x4.max 0xe9 none v128,v128:v128 lane-wise maximum (NaN-propagating)
f32x4.pmin 0xea none v128,v128:v128 lane-wise pseudo-minimum (b < a ? b : a)
f32x4.pmax 0xeb none v128,v128:v128 lane-wise pseudo-maximum (a < b ? b : a)
f64x2.abs 0xec none v128:v128 lane-wise absolute value
f64x2.neg 0xed none v128:v128 lane-wise negation
f64x2.sqrt 0xef none v128:v128 lane-wise square root
f64x2.add 0xf0 none v128,v128:v128 lane-wise add
f64x2.sub 0xf1 none v128,v128:v128 lane-wise subtract
f64x2.mul 0xf2 none v128,v128:v128 lane-wise multiply
f64x2.div 0xf3 none v128,v128:v128 lane-wise divide
f64x2.min 0xf4 none v128,v128:v128 lane-wise minimum (NaN-propagating)
f64x2.max 0xf5 none v128,v128:v128 lane-wise maximum (NaN-propagating)
f64x2.pmin 0xf6 none v128,v128:v128 lane-wise pseudo-minimum (b < a ? b : a)
f64x2.pmax 0xf7 none v128,v128:v128 lane-wise pseudo-maximum (a < b ? b : a)
i32x4.trunc_sat_f32x4_s 0xf8 none v128:v128 lane-wise saturating truncation to signed i32
i32x4.trunc_sat_f32x4_u 0xf9 none v128:v128 lane-wise saturating truncation to unsigned i32
f32x4.convert_i32x4_s 0xfa none v128:v128 lane-wise signed i32 to f32
f32x4.convert_i32x4_u 0xfb none v128:v128 lane-wise unsigned i32 to f32
i32x4.trunc_sat_f64x2_s_zero 0xfc none v128:v128 saturating truncation of both f64 lanes to signed i32; upper lanes zero
i32x4.trunc_sat_f64x2_u_zero 0xfd none v128:v128 saturating truncation of both f64 lanes to unsigned i32; upper lanes zero
f64x2.convert_low_i32x4_s 0xfe none v128:v128 the two low signed i32 lanes to f64
f64x2.convert_low_i32x4_u 0xff none v128:v128 the two low unsigned i32 lanes to f64
"""

# relaxed SIMD (3.0): results the spec leaves to the implementation; the machine gives
# wasmtime's deterministic ones (see exec.simd)
_FD_RELAXED = """
i8x16.relaxed_swizzle 0x100 none v128,v128:v128 select bytes by index (out-of-range indices: 0 here)
i32x4.relaxed_trunc_f32x4_s 0x101 none v128:v128 truncate f32 lanes to signed i32 (saturating here)
i32x4.relaxed_trunc_f32x4_u 0x102 none v128:v128 truncate f32 lanes to unsigned i32 (saturating here)
i32x4.relaxed_trunc_f64x2_s_zero 0x103 none v128:v128 truncate both f64 lanes to signed i32, upper lanes zero
i32x4.relaxed_trunc_f64x2_u_zero 0x104 none v128:v128 truncate both f64 lanes to unsigned i32, upper lanes zero
f32x4.relaxed_madd 0x105 none v128,v128,v128:v128 a * b + c lane-wise (fused, one rounding, here)
f32x4.relaxed_nmadd 0x106 none v128,v128,v128:v128 -(a * b) + c lane-wise (fused here)
f64x2.relaxed_madd 0x107 none v128,v128,v128:v128 a * b + c lane-wise (fused, one rounding, here)
f64x2.relaxed_nmadd 0x108 none v128,v128,v128:v128 -(a * b) + c lane-wise (fused here)
i8x16.relaxed_laneselect 0x109 none v128,v128,v128:v128 pick each byte from a or b by a mask (bitwise here)
i16x8.relaxed_laneselect 0x10a none v128,v128,v128:v128 pick each 16-bit lane from a or b by a mask (bitwise here)
i32x4.relaxed_laneselect 0x10b none v128,v128,v128:v128 pick each 32-bit lane from a or b by a mask (bitwise here)
i64x2.relaxed_laneselect 0x10c none v128,v128,v128:v128 pick each 64-bit lane from a or b by a mask (bitwise here)
f32x4.relaxed_min 0x10d none v128,v128:v128 lane-wise minimum (NaN and -0 as f32x4.min here)
f32x4.relaxed_max 0x10e none v128,v128:v128 lane-wise maximum (NaN and -0 as f32x4.max here)
f64x2.relaxed_min 0x10f none v128,v128:v128 lane-wise minimum (NaN and -0 as f64x2.min here)
f64x2.relaxed_max 0x110 none v128,v128:v128 lane-wise maximum (NaN and -0 as f64x2.max here)
i16x8.relaxed_q15mulr_s 0x111 none v128,v128:v128 lane-wise Q15 rounding multiply (saturating here)
i16x8.relaxed_dot_i8x16_i7x16_s 0x112 none v128,v128:v128 multiply byte lanes and add adjacent pairs to 16 bits
i32x4.relaxed_dot_i8x16_i7x16_add_s 0x113 none v128,v128,v128:v128 byte dot product of four lanes each, added to c's 32-bit lanes
"""

# lane-wise comparisons, in their encoding order
_SIMD_CMP = [
    ("i8x16", 0x23, ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]),
    ("i16x8", 0x2D, ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]),
    ("i32x4", 0x37, ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]),
    ("f32x4", 0x41, ["eq", "ne", "lt", "gt", "le", "ge"]),
    ("f64x2", 0x47, ["eq", "ne", "lt", "gt", "le", "ge"]),
]
_CMP_WORDS = {
    "eq": "equal", "ne": "not equal", "lt_s": "signed less than", "lt_u": "unsigned less than",
    "gt_s": "signed greater than", "gt_u": "unsigned greater than", "le_s": "signed less or equal",
    "le_u": "unsigned less or equal", "ge_s": "signed greater or equal",
    "ge_u": "unsigned greater or equal", "lt": "less than", "gt": "greater than",
    "le": "less or equal", "ge": "greater or equal",
}  # fmt: skip

_NATURAL_ALIGN: dict[str, int] = {}


def _types(text: str) -> tuple[ValType, ...]:
    return tuple(ValType.from_text(t) for t in text.split(",") if t)  # type: ignore[misc]


def _row(name: str, prefix: int | None, code: int, imm: str, sig: str, feature: str, desc: str) -> Op:
    const = None
    if desc.startswith("[const"):
        mark, _, desc = desc.partition(" ")
        const = mark[7:-1] if mark.startswith("[const:") else "mvp"
    if sig.startswith("@"):
        return Op(name, prefix, code, imm, None, None, feature, desc, RULES[sig[1:]], const)
    p, _, r = sig.partition(":")
    return Op(name, prefix, code, imm, _types(p), _types(r), feature, desc, None, const)


def _build() -> list[Op]:
    ops: list[Op] = []
    for line in _CORE.strip().splitlines():
        name, code, imm, sig, feature, desc = line.split(" ", 5)
        ops.append(_row(name, None, int(code, 16), imm, sig, feature, desc))
    for line in _FC.strip().splitlines():
        name, code, imm, sig, feature, desc = line.split(" ", 5)
        ops.append(_row(name, 0xFC, int(code), imm, sig, feature, desc))
    for line in _FB.strip().splitlines():
        name, code, imm, sig, feature, desc = line.split(" ", 5)
        ops.append(_row(name, 0xFB, int(code), imm, sig, feature, desc))
    for line in _FD.strip().splitlines():
        name, code, imm, sig, desc = line.split(" ", 4)
        ops.append(_row(name, 0xFD, int(code, 16), imm, sig, "simd", desc))
    for line in _FD_RELAXED.strip().splitlines():
        name, code, imm, sig, desc = line.split(" ", 4)
        ops.append(_row(name, 0xFD, int(code, 16), imm, sig, "relaxed-simd", desc))
    for shape, base, names in _SIMD_CMP:
        for i, suffix in enumerate(names):
            desc = f"lane-wise {_CMP_WORDS[suffix]} (all ones or zero)"
            ops.append(
                Op(
                    f"{shape}.{suffix}",
                    0xFD,
                    base + i,
                    "none",
                    (ValType.V128,) * 2,
                    (ValType.V128,),
                    "simd",
                    desc,
                )
            )
    return ops


ALL_OPS: list[Op] = _build()
#: by key (code, or prefix<<8|code)
BY_KEY: dict[int, Op] = {op.key: op for op in ALL_OPS}
#: by text name; `select` names the untyped form (the typed one is `SELECT_T`)
BY_NAME: dict[str, Op] = {}
for _op in ALL_OPS:
    BY_NAME.setdefault(_op.name, _op)
SELECT_T: Op = BY_KEY[0x1C]

_WIDTH = {"8": 0, "16": 1, "32": 2, "64": 3}


def _natural_alignments() -> None:
    for op in ALL_OPS:
        if op.imm not in ("memarg", "memarg_lane"):
            continue
        base = op.name.split(".", 1)[1]
        if op.name in ("v128.load", "v128.store"):
            _NATURAL_ALIGN[op.name] = 4
        elif base.startswith(("load8x8", "load16x4", "load32x2")):
            _NATURAL_ALIGN[op.name] = 3
        elif base.startswith(("load", "store")):
            digits = "".join(ch for ch in base.split("_")[0] if ch.isdigit())
            if digits:
                _NATURAL_ALIGN[op.name] = _WIDTH[digits]
            else:
                _NATURAL_ALIGN[op.name] = 2 if op.name[1:3] == "32" else 3


_natural_alignments()


def op(name: str) -> Op:
    """The row for an instruction name (`KeyError` if there is none)."""
    return BY_NAME[name]
