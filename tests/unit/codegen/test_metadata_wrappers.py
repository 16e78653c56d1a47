"""Metadata connections are selected whole, so their structs need no UNSET narrowing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "generated"))

from twenty_standard import metadata as _types  # noqa: E402


def test_connection_and_edge_fields_are_always_present() -> None:
    for name in ("ObjectConnection", "FieldConnection", "ObjectEdge", "FieldEdge"):
        struct = getattr(_types, name)
        for field in msgspec.structs.fields(struct):
            if field.name == "cursor":
                continue
            assert field.default is msgspec.NODEFAULT, f"{name}.{field.name} may be UNSET"


def test_no_document_selects_a_connection_without_its_nodes() -> None:
    documents = [
        op.document
        for name in _types.__all__
        if name.endswith("_OP")
        for op in [getattr(_types, name)]
        if hasattr(op, "document") and hasattr(op, "endpoint")
    ]
    assert len(documents) > 300
    for doc in documents:
        # a connection too deep for its nodes is left out, not selected as bare cursors
        assert not re.search(r"edges \{ cursor \}", doc), doc[:120]


def test_decoding_requires_the_edges() -> None:
    with_edges = b'{"edges": [], "pageInfo": {"hasNextPage": false, "hasPreviousPage": false}}'
    assert msgspec.json.decode(with_edges, type=_types.ObjectConnection).edges == []
    try:
        msgspec.json.decode(b'{"pageInfo": {}}', type=_types.ObjectConnection)
    except msgspec.ValidationError as exc:
        assert "edges" in str(exc)
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("a connection without edges decoded")
