"""DWARF read from a module's `.debug_*` custom sections with pyelftools.

A wasm binary built with `-g` carries DWARF 4 or 5 in custom sections named like the ELF
sections (`.debug_info`, `.debug_line`, ...). pyelftools builds a `DWARFInfo` from section
streams, so no ELF file is needed. Addresses in line tables and `DW_AT_low_pc` are offsets
from the start of the code section's contents (`Module.code_offset` in the binary).
"""

from __future__ import annotations

import io
from typing import Any

from ..errors import WasmError
from ..syntax import Module

#: the DWARFInfo constructor's section arguments, by custom section name
_SECTIONS = {
    ".debug_info": "debug_info_sec", ".debug_aranges": "debug_aranges_sec",
    ".debug_abbrev": "debug_abbrev_sec", ".debug_frame": "debug_frame_sec",
    ".debug_str": "debug_str_sec", ".debug_loc": "debug_loc_sec",
    ".debug_ranges": "debug_ranges_sec", ".debug_line": "debug_line_sec",
    ".debug_pubtypes": "debug_pubtypes_sec", ".debug_pubnames": "debug_pubnames_sec",
    ".debug_addr": "debug_addr_sec", ".debug_str_offsets": "debug_str_offsets_sec",
    ".debug_line_str": "debug_line_str_sec", ".debug_loclists": "debug_loclists_sec",
    ".debug_rnglists": "debug_rnglists_sec", ".debug_types": "debug_types_sec",
}  # fmt: skip


class DwarfError(WasmError):
    """The module's debug information cannot be read (say which section and why)."""


def has_dwarf(module: Module) -> bool:
    return any(c.name == ".debug_info" for c in module.customs)


def dwarf_info(module: Module) -> Any:
    """A pyelftools `DWARFInfo` over the module's `.debug_*` sections (DwarfError when there
    is no `.debug_info`, or when pyelftools is not installed)."""
    try:
        from elftools.dwarf.dwarfinfo import DebugSectionDescriptor, DwarfConfig, DWARFInfo
    except ImportError:  # pragma: no cover - a declared dependency
        raise DwarfError("reading DWARF needs pyelftools (pip install pyelftools)") from None
    found: dict[str, Any] = {}
    for c in module.customs:
        arg = _SECTIONS.get(c.name)
        if arg is not None and arg not in found:
            found[arg] = DebugSectionDescriptor(io.BytesIO(c.data), c.name, None, len(c.data), 0)
    if "debug_info_sec" not in found:
        raise DwarfError("the module has no .debug_info section (build it with -g)")
    args = {name: found.get(name) for name in _ARG_ORDER}
    config = DwarfConfig(little_endian=True, machine_arch="wasm", default_address_size=4)
    return DWARFInfo(config, **args)


_ARG_ORDER = (
    "debug_info_sec", "debug_aranges_sec", "debug_abbrev_sec", "debug_frame_sec", "eh_frame_sec",
    "debug_str_sec", "debug_loc_sec", "debug_ranges_sec", "debug_line_sec", "debug_pubtypes_sec",
    "debug_pubnames_sec", "debug_addr_sec", "debug_str_offsets_sec", "debug_line_str_sec",
    "debug_loclists_sec", "debug_rnglists_sec", "debug_sup_sec", "gnu_debugaltlink_sec",
    "debug_types_sec",
)  # fmt: skip
