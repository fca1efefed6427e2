"""Registers the module-linking graph kinds (`initializers`, `types`) with `wasmlab.viz`."""

from __future__ import annotations

from ..viz import initializers as _initializers  # noqa: F401  (registers "initializers")
from ..viz import type_tables as _type_tables  # noqa: F401  (registers "types")
