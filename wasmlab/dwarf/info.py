"""Functions, their scopes and variables (DWARF 3.3, 3.5, 4.1), and `DebugInfo`, what a
debugger asks of a `-g` module: where an address is in the source, which function and
variables are in scope there, and where each variable lives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..syntax import Module
from .lines import DEAD, LineTable, SourcePos, file_names
from .sections import dwarf_info, has_dwarf
from .types import CType, TypeReader


@dataclass
class Variable:
    name: str
    type: CType
    location: list[Any] | None  # the parsed expression (None: no location, optimized out)
    is_param: bool = False
    decl: SourcePos | None = None
    #: a location list instead: (low, high, expression) ranges of addresses
    location_list: list[tuple[int, int, list[Any]]] | None = None

    def ops_at(self, address: int) -> list[Any] | None:
        """The location expression valid at `address` (None: optimized out there)."""
        if self.location_list is not None:
            for low, high, ops in self.location_list:
                if low <= address < high:
                    return ops
            return None
        return self.location


@dataclass
class Scope:
    """A function body, a lexical block or an inlined call: its address ranges, its
    variables, inner scopes; `function` is set on a function's (or an inlined call's) own
    scope, `call` on an inlined call's: where the call was written (DW_AT_call_*)."""

    ranges: list[tuple[int, int]]
    variables: list[Variable] = field(default_factory=list)
    children: list[Scope] = field(default_factory=list)
    function: Function | None = field(default=None, repr=False, compare=False)
    call: SourcePos | None = None

    def covers(self, address: int) -> bool:
        return any(low <= address < high for low, high in self.ranges)


@dataclass
class Function:
    name: str
    scope: Scope
    frame_base: list[Any] | None
    decl: SourcePos | None = None
    inlined: bool = False
    result: CType | None = None  # the C return type (None: void, or not known)

    @property
    def low(self) -> int:
        return min(low for low, _ in self.scope.ranges) if self.scope.ranges else 0


@dataclass
class InlineFrame:
    """A source-level frame: a function (perhaps inlined), the variables visible in it
    (innermost block first) and its position (None: no line)."""

    function: Function
    variables: list[Variable]
    position: SourcePos | None


def _visible(scopes: list[Scope]) -> list[Variable]:
    """The variables of nested scopes, innermost first, an inner one hiding an outer one."""
    seen: set[str] = set()
    out: list[Variable] = []
    for s in reversed(scopes):
        for v in s.variables:
            if v.name not in seen:
                seen.add(v.name)
                out.append(v)
    return out


class DebugInfo:
    """The debug information of one module (None from `of` when it has none)."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.dwarf = dwarf_info(module)
        self.lines = LineTable.from_dwarf(self.dwarf)
        self.types = TypeReader()
        self._functions: list[Function] = []
        self._expr_parser: Any = None
        self._type_dies: dict[str, Any] = {}  # named types, by their C spelling
        self._cu_files: dict[int, dict[int, str]] = {}  # per CU: its line program's files
        self._locations: Any = None
        # compilation units are read when an address in them, or a name, is first asked
        # about (a program with the standard library's DWARF has hundreds)
        self._unread: list[tuple[list[tuple[int, int]], Any]] = []
        for cu in self.dwarf.iter_CUs():
            top = cu.get_top_DIE()
            low = top.attributes["DW_AT_low_pc"].value if "DW_AT_low_pc" in top.attributes else 0
            ranges = self._ranges(top, cu, low)
            if ranges:
                self._unread.append((ranges, cu))
            else:
                self._read_cu(cu)

    @property
    def functions(self) -> list[Function]:
        """Every function with code (inlined calls too), of every compilation unit."""
        self._read_all()
        return self._functions

    def _read_at(self, address: int) -> None:
        if any(low <= address < high for ranges, _ in self._unread for low, high in ranges):
            keep = []
            for ranges, cu in self._unread:
                if any(low <= address < high for low, high in ranges):
                    self._read_cu(cu)
                else:
                    keep.append((ranges, cu))
            self._unread = keep

    def _read_all(self) -> None:
        while self._unread:
            _, cu = self._unread.pop(0)
            self._read_cu(cu)

    @classmethod
    def of(cls, module: Module) -> DebugInfo | None:
        return cls(module) if has_dwarf(module) else None

    # --- addresses ---------------------------------------------------------------------------

    def address_of(self, instr_offset: int) -> int:
        """A DWARF address: an instruction's byte offset from the code section's contents."""
        return instr_offset - (self.module.code_offset or 0)

    def position(self, address: int) -> SourcePos | None:
        return self.lines.position(address)

    def scopes_at(self, address: int) -> list[Scope]:
        """The scopes holding `address`, from the function's body in to the innermost block
        (inlined calls among them)."""
        self._read_at(address)
        outer = next((f for f in self._functions if not f.inlined and f.scope.covers(address)), None)
        chain: list[Scope] = []
        scope = outer.scope if outer is not None else None
        while scope is not None:
            chain.append(scope)
            scope = next((c for c in scope.children if c.covers(address)), None)
        return chain

    def function_at(self, address: int) -> Function | None:
        """The function whose code `address` is: an inlined one where the compiler inlined it."""
        for scope in reversed(self.scopes_at(address)):
            if scope.function is not None:
                return scope.function
        return None

    def frames_at(self, address: int) -> list[InlineFrame]:
        """The source-level frames at `address`, innermost first: the inlined calls the code
        is in (each its own frame, with its own variables) and the function around them. The
        innermost frame's position is the address's line; an outer one's is where it makes
        the inlined call."""
        levels: list[tuple[Function, list[Scope]]] = []
        for scope in self.scopes_at(address):
            if scope.function is not None or not levels:
                if scope.function is None:
                    break
                levels.append((scope.function, [scope]))
            else:
                levels[-1][1].append(scope)
        frames: list[InlineFrame] = []
        position = self.position(address)
        for fn, scopes in reversed(levels):
            frames.append(InlineFrame(fn, _visible(scopes), position))
            position = scopes[0].call
        return frames

    def function_named(self, name: str) -> Function | None:
        """The function called `name` (`area`, or in full `shapes::area`)."""
        for f in self.functions:
            if f.name == name and not f.inlined:
                return f
        for f in self.functions:
            if f.name.endswith("::" + name) and not f.inlined:
                return f
        return None

    def block_at(self, address: int) -> Scope | None:
        """The innermost scope (lexical block, inlined call or function body) holding `address`."""
        chain = self.scopes_at(address)
        return chain[-1] if chain else None

    def variables_at(self, address: int) -> list[Variable]:
        """The variables in scope at `address` in its innermost (perhaps inlined) function,
        innermost block first (an inner one hides an outer one of the same name)."""
        frames = self.frames_at(address)
        return frames[0].variables if frames else []

    # --- reading -------------------------------------------------------------------------------

    def _read_cu(self, cu: Any) -> None:
        top = cu.get_top_DIE()
        base = top.attributes["DW_AT_low_pc"].value if "DW_AT_low_pc" in top.attributes else 0
        # (Rust and C++ put functions in namespaces and types: `shapes::area`)
        todo: list[tuple[Any, str]] = [(top, "")]
        while todo:
            parent, prefix = todo.pop()
            for die in parent.iter_children():
                if die.tag == "DW_TAG_subprogram":
                    f = self._function(die, cu, base)
                    if f is not None:
                        f.name = prefix + f.name
                        self._functions.append(f)
                elif die.tag in _NAMESPACES:
                    todo.append((die, f"{prefix}{_name(die)}::" if _name(die) else prefix))
                if die.tag in _NAMED_TYPES and "DW_AT_name" in die.attributes and not prefix:
                    self._type_dies.setdefault(_NAMED_TYPES[die.tag] + _name(die), die)

    def type_named(self, name: str) -> CType | None:
        """The type a C program names `name` (`int`, `frac`, `struct node`), None if unknown."""
        key = " ".join(name.split())
        if key not in self._type_dies:
            self._read_all()
        die = self._type_dies.get(key)
        return None if die is None else self.types.read(die)

    def _function(self, die: Any, cu: Any, base: int) -> Function | None:
        a = die.attributes
        ranges = self._ranges(die, cu, base)
        if not ranges:
            return None  # a declaration
        name = _name(die) or _name_of_origin(die)
        frame_base = self._expr(a["DW_AT_frame_base"].value, cu) if "DW_AT_frame_base" in a else None
        scope = Scope(ranges)
        self._fill(scope, die, cu, base, frame_base)
        typed = die
        for origin in ("DW_AT_abstract_origin", "DW_AT_specification"):
            if "DW_AT_type" not in typed.attributes and origin in typed.attributes:
                typed = typed.get_DIE_from_attribute(origin)
        result = self.types.of(typed) if "DW_AT_type" in typed.attributes else None
        fn = Function(name, scope, frame_base, self._decl(die, cu), result=result)
        scope.function = fn
        return fn

    def _fill(self, scope: Scope, die: Any, cu: Any, base: int, frame_base: Any) -> None:
        for child in die.iter_children():
            tag = child.tag
            if tag in ("DW_TAG_variable", "DW_TAG_formal_parameter"):
                scope.variables.append(self._variable(child, cu, base))
            elif tag == "DW_TAG_lexical_block":
                inner = Scope(self._ranges(child, cu, base) or scope.ranges)
                self._fill(inner, child, cu, base, frame_base)
                scope.children.append(inner)
            elif tag == "DW_TAG_inlined_subroutine":
                ranges = self._ranges(child, cu, base)
                if ranges:
                    inner = Scope(ranges, call=self._call_site(child, cu))
                    self._fill(
                        inner, child, cu, base, frame_base
                    )  # (its variables use the caller's frame base)
                    origin = (
                        child.get_DIE_from_attribute("DW_AT_abstract_origin")
                        if "DW_AT_abstract_origin" in child.attributes
                        else child
                    )
                    result = self.types.of(origin) if "DW_AT_type" in origin.attributes else None
                    fn = Function(_name_of_origin(child), inner, frame_base, inlined=True, result=result)
                    inner.function = fn
                    scope.children.append(inner)
                    self._functions.append(fn)

    def _call_site(self, die: Any, cu: Any) -> SourcePos | None:
        a = die.attributes
        if "DW_AT_call_line" not in a:
            return None
        key = cu.cu_offset
        if key not in self._cu_files:
            program = self.dwarf.line_program_for_CU(cu)
            self._cu_files[key] = file_names(program, cu) if program is not None else {}
        file = self._cu_files[key].get(a["DW_AT_call_file"].value, "?") if "DW_AT_call_file" in a else "?"
        col = a["DW_AT_call_column"].value if "DW_AT_call_column" in a else 0
        return SourcePos(file, a["DW_AT_call_line"].value, col)

    def _variable(self, die: Any, cu: Any, base: int) -> Variable:
        a = die.attributes
        origin = die.get_DIE_from_attribute("DW_AT_abstract_origin") if "DW_AT_abstract_origin" in a else die
        loc: list[Any] | None = None
        ranges = None
        if "DW_AT_location" in a:
            attr = a["DW_AT_location"]
            if attr.form in _EXPRESSION_FORMS:
                loc = self._expr(attr.value, cu)
            else:
                ranges = self._location_list(attr, die, cu, base)
        elif "DW_AT_const_value" in a:
            loc = [_Const(a["DW_AT_const_value"].value), _StackValue()]
        param = die.tag == "DW_TAG_formal_parameter"
        return Variable(_name(origin), self.types.of(origin), loc, param, self._decl(origin, cu), ranges)

    def _expr(self, data: Any, cu: Any) -> list[Any]:
        if self._expr_parser is None:
            from elftools.dwarf.dwarf_expr import DWARFExprParser

            self._expr_parser = DWARFExprParser(cu.structs)
        return list(self._expr_parser.parse_expr(data))

    def _location_list(self, attr: Any, die: Any, cu: Any, base: int) -> list[tuple[int, int, Any]]:
        from elftools.dwarf.locationlists import BaseAddressEntry, LocationEntry, LocationParser

        if self._locations is None:
            self._locations = LocationParser(self.dwarf.location_lists())
        entries = self._locations.parse_from_attribute(attr, cu["version"], die)
        out: list[tuple[int, int, Any]] = []
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, BaseAddressEntry):  # the addresses after it count from here
                base = e.base_address
            elif isinstance(e, LocationEntry):
                absolute = getattr(e, "is_absolute", False)
                low = e.begin_offset + (0 if absolute else base)
                high = e.end_offset + (0 if absolute else base)
                if low < DEAD:
                    out.append((low, high, self._expr(e.loc_expr, cu)))
        return out

    def _ranges(self, die: Any, cu: Any, base: int) -> list[tuple[int, int]]:
        a = die.attributes
        if "DW_AT_low_pc" in a and "DW_AT_high_pc" in a:
            low = a["DW_AT_low_pc"].value
            high = a["DW_AT_high_pc"].value
            if a["DW_AT_high_pc"].form != "DW_FORM_addr":
                high += low
            return [] if low >= DEAD else [(low, high)]
        if "DW_AT_ranges" in a:
            lists = self.dwarf.range_lists()
            if lists is None:
                return []
            out = []
            for r in lists.get_range_list_at_offset(a["DW_AT_ranges"].value, cu=cu):
                if hasattr(r, "base_address"):  # a base address selection entry
                    base = r.base_address
                elif hasattr(r, "begin_offset"):
                    absolute = getattr(r, "is_absolute", False)
                    out.append(
                        (r.begin_offset + (0 if absolute else base), r.end_offset + (0 if absolute else base))
                    )
            return out
        return []

    def _decl(self, die: Any, cu: Any) -> SourcePos | None:
        a = die.attributes
        if "DW_AT_decl_line" not in a:
            return None
        return SourcePos("", a["DW_AT_decl_line"].value)


#: DIEs whose children may be functions (namespaces; a Rust or C++ type's methods)
_NAMESPACES = ("DW_TAG_namespace", "DW_TAG_structure_type", "DW_TAG_class_type", "DW_TAG_union_type")

_NAMED_TYPES = {
    "DW_TAG_base_type": "", "DW_TAG_typedef": "", "DW_TAG_structure_type": "struct ",
    "DW_TAG_union_type": "union ", "DW_TAG_enumeration_type": "enum ",
}  # fmt: skip

_EXPRESSION_FORMS = ("DW_FORM_exprloc", "DW_FORM_block1", "DW_FORM_block2", "DW_FORM_block4", "DW_FORM_block")


@dataclass(frozen=True)
class _StackValue:
    op_name: str = "DW_OP_stack_value"
    args: tuple = ()


@dataclass(frozen=True)
class _Const:
    """A DW_AT_const_value, as an operation the evaluator knows (`DW_OP_constu; stack_value`)."""

    value: int
    op_name: str = "DW_OP_constu"

    @property
    def args(self) -> list[int]:
        return [self.value]


def _name(die: Any) -> str:
    a = die.attributes
    return a["DW_AT_name"].value.decode("utf-8", "replace") if "DW_AT_name" in a else ""


def _name_of_origin(die: Any) -> str:
    if "DW_AT_abstract_origin" in die.attributes:
        return _name(die.get_DIE_from_attribute("DW_AT_abstract_origin"))
    if "DW_AT_specification" in die.attributes:
        return _name(die.get_DIE_from_attribute("DW_AT_specification"))
    return "?"


__all__ = ["DebugInfo", "Function", "InlineFrame", "Scope", "Variable"]
