"""Which related objects a root field's selection reaches (for permission checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from twenty_gql.testing.model import ObjectMeta
from twenty_gql.testing.views import ObjectView

__all__ = ["selected_relation_targets"]


def selected_relation_targets(
    info: Any, view: ObjectView, view_of: Callable[[str], ObjectView | None]
) -> Iterator[ObjectMeta]:
    """Target objects of the relation fields selected below the root field of ``info``
    (connections, edges and composite sub-fields are walked through; fragments inlined)."""
    fragments = getattr(info, "fragments", None) or {}
    seen: set[tuple[str, str]] = set()
    stack: list[tuple[SelectionSetNode | None, ObjectView]] = [
        (node.selection_set, view) for node in getattr(info, "field_nodes", None) or ()
    ]
    while stack:
        sel_set, current = stack.pop()
        if sel_set is None:
            continue
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                target = current.targets.get(sel.name.value)
                target_view = view_of(target.nameSingular) if target is not None else None
                if target is not None and target_view is not None:
                    yield target
                    stack.append((sel.selection_set, target_view))
                else:
                    stack.append((sel.selection_set, current))
            elif isinstance(sel, InlineFragmentNode):
                stack.append((sel.selection_set, current))
            elif isinstance(sel, FragmentSpreadNode):
                key = (sel.name.value, current.obj.nameSingular)
                frag = fragments.get(sel.name.value)
                if frag is not None and key not in seen:
                    seen.add(key)
                    stack.append((frag.selection_set, current))
