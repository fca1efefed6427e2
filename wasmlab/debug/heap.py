"""`Session.heap()`: the GC objects reachable from the selected frame's locals, the value
stack and the globals, as data and as a graphviz picture (`wasmlab.viz.heap`).

Objects are named by a small serial number (`#3`) for as long as they live; a struct shows
its fields by their names from the name section, an array its first elements and its
length; i31 values are written inline. Objects that the last move allocated or wrote are
highlighted (compared with the heap when the move began; a move backwards restores the
heap as it was, so the picture after `back` is the earlier heap).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exec.runtime import ArrayInst, StructInst
from ..viz.heap import HeapNode, HeapSlot, heap_graph
from .history import gc_objects
from .values import TypedValue, field_name, ref_short, serial, storage_text, type_name

if TYPE_CHECKING:
    from .session import Session


def contents(obj: Any) -> tuple:
    return tuple(obj.fields if isinstance(obj, StructInst) else obj.elements)


def heap_contents(values: list[Any]) -> dict[int, tuple[Any, tuple]]:
    """serial -> (object, its contents) for every object reachable from `values` (a baseline;
    by serial, which a replay after going back reproduces, not by identity)."""
    return {o.serial: (o, contents(o)) for o in gc_objects(values)}


def _slot(label: str, v: Any, storage: Any = None) -> HeapSlot:
    target = f"o{serial(v)}" if isinstance(v, (StructInst, ArrayInst)) else None
    if storage is not None:
        return HeapSlot(label, storage_text(v, storage), target)
    if isinstance(v, TypedValue):
        bits = v.bits
        target = f"o{serial(bits)}" if isinstance(bits, (StructInst, ArrayInst)) else None
        text = ref_short(bits) if target or bits is None and getattr(v.type, "is_ref", False) else v.text
        return HeapSlot(label, text, target)
    return HeapSlot(label, ref_short(v), target)


def _texts(values: tuple) -> tuple:
    """Contents compared across a replay: objects by serial (a replay makes new ones)."""
    return tuple(v.serial if isinstance(v, (StructInst, ArrayInst)) else v for v in values)


@dataclass
class HeapView:
    """The reachable GC heap of a paused session: root slots, objects, what the last move changed."""

    roots: list[tuple[str, list[HeapSlot]]]
    objects: list[Any]
    changed: set[int]
    step: int
    max_elements: int = 8

    def nodes(self) -> list[HeapNode]:
        out = []
        for o in self.objects:
            d = o.type
            if isinstance(o, StructInst):
                fields = d.comp.fields
                slots = [_slot(field_name(d, i), v, fields[i].storage) for i, v in enumerate(o.fields)]
                node = HeapNode(f"o{serial(o)}", f"{type_name(d)} #{serial(o)}", slots)
            else:
                storage = d.comp.field.storage
                els = o.elements
                shown = els[: self.max_elements]
                slots = [_slot(f"[{i}]", v, storage) for i, v in enumerate(shown)]
                node = HeapNode(
                    f"o{serial(o)}",
                    f"{type_name(d)} #{serial(o)} (len {len(els)})",
                    slots,
                    more=len(els) - len(shown),
                )
            node.highlighted = id(o) in self.changed
            out.append(node)
        return out

    def graph(self) -> Any:
        """The picture: a `graphviz.Digraph` (render it with `wasmlab.viz.render_svg`)."""
        return heap_graph(self.roots, self.nodes(), f"heap at step {self.step}")

    def _repr_svg_(self) -> str:
        from ..viz.render import render_svg

        return render_svg(self.graph())

    def __len__(self) -> int:
        return len(self.objects)

    def __repr__(self) -> str:
        from .values import object_text

        lines = [f"<heap at step {self.step}: {len(self.objects)} objects>"]
        lines += [
            ("* " if id(o) in self.changed else "  ") + object_text(o, self.max_elements)
            for o in self.objects
        ]
        return "\n".join(lines)


def heap_view(s: Session, max_elements: int = 8, max_objects: int = 200) -> HeapView:
    """What `Session.heap()` returns."""
    from . import inspection

    m = s.machine
    roots: list[tuple[str, list[HeapSlot]]] = []
    values: list[Any] = []
    fr = s.selected_frame
    if fr is not None:
        local_slots = []
        for name, tv in fr.locals.items():
            if getattr(tv.type, "is_ref", False):
                local_slots.append(_slot(name, tv))
                values.append(tv.bits)
        roots.append(("locals", local_slots))
        stack_slots = []
        for i, tv in enumerate(fr.stack):
            stack_slots.append(_slot(f"[{i}]", tv))
            values.append(tv.bits)
        roots.append(("stack", stack_slots))
    elif m.results is not None:
        roots.append(("results", [_slot(f"[{i}]", v) for i, v in enumerate(m.results)]))
        values += list(m.results)
    global_slots = []
    for label, g in inspection.all_globals(s):
        if getattr(g.type.type, "is_ref", False):
            global_slots.append(_slot(label, TypedValue(g.type.type, g.value)))
            values.append(g.value)
    roots.append(("globals", global_slots))
    objects = gc_objects(values)[:max_objects]
    before = s._heap_before or {}
    changed = {
        id(o) for o in objects if o.serial not in before or _texts(before[o.serial][1]) != _texts(contents(o))
    }
    return HeapView(roots, objects, changed, m.steps, max_elements)


__all__ = ["HeapView", "heap_contents", "heap_view"]
