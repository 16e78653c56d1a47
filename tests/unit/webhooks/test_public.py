"""``twenty_gql.webhooks`` exports exactly what exists (ruff RUF022 keeps it sorted)."""

from __future__ import annotations

import twenty_gql.webhooks as webhooks


def test_all_is_sorted_complete_and_public() -> None:
    exported = list(webhooks.__all__)
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert hasattr(webhooks, name), name
        assert not name.startswith("_")
    public = {
        n
        for n, v in vars(webhooks).items()
        if n.isidentifier()
        and not n.startswith("_")
        and not getattr(v, "__name__", "").startswith("twenty_gql.")
    }
    assert public - set(exported) <= {"annotations"}
