"""Twenty's cross-object ``search`` query (core API; twenty-server ``SearchResolver`` /
``SearchService``, 2.43).

``search(searchInput: String!, limit: Int!, after: String, includedObjectNameSingulars:
[String!], filter: ObjectRecordFilterInput, excludedObjectNameSingulars: [String!]):
SearchResultConnection!`` searches every active, searchable object (minus excluded, only the
included when given) through its ``searchVector`` (the fields named in the vector's
``asExpressionFromFields``), applies ``filter`` (id / createdAt / updatedAt / deletedAt, and/or/
not; soft-deleted records only when the filter names ``deletedAt``), and answers
``{edges: [{node: SearchRecord, cursor}], pageInfo: {endCursor, hasNextPage}}`` where a
``SearchRecord`` is ``recordId, objectNameSingular, label, imageUrl, tsRankCD, tsRank``.

As in Twenty: each word of the input is a prefix (``word:*``); a record matches when any word
does; results are sorted by ``tsRankCD`` then ``tsRank`` (both descending), then the object's
priority (person, company, opportunity, note, task), then metadata order and record id;
``label`` is the label identifier's value (a full name's first and last name joined by a
space); ``imageUrl`` is the company logo URL from its domain, else the image identifier's value
or ""; the cursor is base64 JSON ``{lastRanks: {tsRankCD, tsRank}, lastRecordIdsPerObject}``;
``limit`` above 100 is refused ("Limit cannot exceed 100 items"); an empty input lists records.

Inferred (Postgres computes them): the rank values. Here ``tsRankCD`` is the share of words
matched when every word matches (else 0) and ``tsRank`` the share of words matched, times
0.0607927 (Postgres' rank of one matching lexeme), so "all words" sorts before "some words"
like Twenty, but the numbers are not Postgres'.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from twenty_gql.testing.errors import bad_input
from twenty_gql.testing.filters import compile_filter, mentions_deleted_at, search_sources
from twenty_gql.testing.model import FieldMeta
from twenty_gql.testing.paging import Record, RecordReader
from twenty_gql.testing.views import ObjectView

__all__ = ["PRIORITY", "run_search"]

SEARCH_LIMIT_MAX = 100
#: twenty-server STANDARD_OBJECTS_BY_PRIORITY_RANK (the higher, the earlier)
PRIORITY = {"person": 5, "company": 4, "opportunity": 3, "note": 2, "task": 1}
_ONE_LEXEME_RANK = 0.0607927
_WORD = re.compile(r"\w+", re.UNICODE)


def run_search(reader: RecordReader, views: list[ObjectView], args: dict[str, Any]) -> Any:
    limit = args["limit"]
    if limit > SEARCH_LIMIT_MAX:
        raise bad_input("Limit cannot exceed 100 items", "INVALID_ARGS_FIRST")
    if limit < 0:
        raise bad_input("limit must be non-negative", "INVALID_ARGS_FIRST")
    terms = [w.lower() for w in _WORD.findall(str(args["searchInput"]))]
    after = _decode(args.get("after"))
    included = args.get("includedObjectNameSingulars") or []
    excluded = args.get("excludedObjectNameSingulars") or []
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for order, view in enumerate(views):
        obj = view.obj
        if not (obj.isSearchable and obj.isActive) or obj.nameSingular in excluded:
            continue
        if included and obj.nameSingular not in included:
            continue
        vector = next((f for f in view.fields if f.type == "TS_VECTOR"), None)
        if vector is None:
            continue
        for node in _object_hits(reader, view, vector, terms, args.get("filter"), after):
            key = (-node["tsRankCD"], -node["tsRank"], -PRIORITY.get(obj.nameSingular, 0), order)
            found.append(((*key, node["recordId"]), node))
    found.sort(key=lambda item: item[0])
    page = [node for _key, node in found[:limit]]
    last_ids = dict(after["lastRecordIdsPerObject"]) if after else {}
    edges = []
    for node in page:
        last_ids[node["objectNameSingular"]] = node["recordId"]
        cursor = {
            "lastRanks": {"tsRankCD": node["tsRankCD"], "tsRank": node["tsRank"]},
            "lastRecordIdsPerObject": dict(last_ids),
        }
        edges.append({"node": node, "cursor": _encode(cursor)})
    return {
        "edges": edges,
        "pageInfo": {
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": len(found) > limit,
        },
    }


def _object_hits(
    reader: RecordReader,
    view: ObjectView,
    vector: FieldMeta,
    terms: list[str],
    filt: Any,
    after: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    pred = compile_filter(view, _record_filter(filt))
    with_deleted = mentions_deleted_at(filt)
    sources = search_sources(view, vector)
    name = view.obj.nameSingular
    out = []
    for rec in reader.table(view).values():
        if (rec.get("deletedAt") is not None and not with_deleted) or not pred(rec):
            continue
        ranks = _ranks(_tokens(rec, sources), terms)
        if ranks is None or not _after(ranks, rec["id"], name, after):
            continue
        out.append(
            {
                "recordId": rec["id"],
                "objectNameSingular": name,
                "label": _label(view, rec),
                "imageUrl": _image(view, rec),
                "tsRankCD": ranks[0],
                "tsRank": ranks[1],
            }
        )
    return out


def _record_filter(filt: Any) -> Any:
    return filt if isinstance(filt, dict) else None


def _tokens(rec: Record, sources: list[str]) -> list[str]:
    words: list[str] = []
    for name in sources:
        words.extend(w.lower() for w in _WORD.findall(_text(rec.get(name))))
    return words


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _ranks(tokens: list[str], terms: list[str]) -> tuple[float, float] | None:
    """(tsRankCD, tsRank), or None when the record does not match."""
    if not terms:
        return (0.0, 0.0) if tokens else None
    matched = sum(1 for t in terms if any(tok.startswith(t) for tok in tokens))
    if matched == 0:
        return None
    share = matched / len(terms)
    return (share if matched == len(terms) else 0.0, round(share * _ONE_LEXEME_RANK, 7))


def _after(ranks: tuple[float, float], rid: str, name: str, after: dict[str, Any] | None) -> bool:
    """Twenty's cursor condition: strictly lower ranks, or equal ranks and a greater id."""
    if after is None:
        return True
    last = after["lastRanks"]
    cd, rank = float(last["tsRankCD"]), float(last["tsRank"])
    if ranks[0] != cd:
        return ranks[0] < cd
    if ranks[1] != rank:
        return ranks[1] < rank
    last_id = after["lastRecordIdsPerObject"].get(name)
    return last_id is None or rid > last_id


def _label(view: ObjectView, rec: Record) -> str:
    fld = _by_id(view, view.obj.labelIdentifierFieldMetadataId)
    if fld is None:
        return ""
    value = rec.get(fld.name)
    if fld.type == "FULL_NAME":
        value = value or {}
        return f"{value.get('firstName') or ''} {value.get('lastName') or ''}"
    return "" if value is None else str(value)


def _image(view: ObjectView, rec: Record) -> str:
    if view.obj.nameSingular == "company":
        url = ((rec.get("domainName") or {}).get("primaryLinkUrl") or "").strip()
        host = re.sub(r"^[a-z]+://", "", url, flags=re.IGNORECASE).split("/")[0]
        host = host.removeprefix("www.")
        return f"https://twenty-icons.com/{host}" if host else ""
    fld = _by_id(view, view.obj.imageIdentifierFieldMetadataId)
    value = rec.get(fld.name) if fld is not None else None
    return value if isinstance(value, str) else ""


def _by_id(view: ObjectView, field_id: str | None) -> FieldMeta | None:
    return next((f for f in view.fields if f.id == field_id), None) if field_id else None


def _encode(data: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode(cursor: Any) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        data = json.loads(base64.b64decode(str(cursor), validate=True))
        ranks = data["lastRanks"]
        float(ranks["tsRankCD"])
        float(ranks["tsRank"])
        if not isinstance(data["lastRecordIdsPerObject"], dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise bad_input(f"Invalid cursor: {cursor!r}", "INVALID_CURSOR") from None
    return dict(data)
