"""What the GraphQL schema does not say: which objects are custom, field defaults, uniqueness.

Two sources, and the site says which one it used:

* the workspace's metadata API
  (``objects { isCustom fieldsList { isUnique defaultValue options } }``)
  when the docs are built from a live server (``--url``); Twenty's newest metadata schema has
  no ``isCustom`` (twenty-api.md §4.2): the query selects what the schema has and standard vs
  custom then comes from the list below;
* otherwise the emulator's list of Twenty's standard objects
  (``twenty_gql/testing/data/standard-objects.json``): an object in that list is standard,
  any other is custom; defaults and uniqueness come from that list (custom objects: Twenty's
  default fields of a new custom object). SELECT / MULTI_SELECT options are then shown by
  value only: their labels and colors are the workspace's own, read from the live API only.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema

__all__ = [
    "VALUES_ONLY",
    "WITH_LABELS",
    "FieldMeta",
    "ModelInfo",
    "OptionMeta",
    "fetch_model_info",
    "standard_model_info",
]

VALUES_ONLY = (
    "SELECT and MULTI_SELECT options are shown by value only: their labels and colors come "
    "from the workspace's live metadata API (build the docs with --url)"
)
WITH_LABELS = "SELECT and MULTI_SELECT option labels and colors from the workspace's metadata API"


@dataclass(frozen=True)
class OptionMeta:
    """One SELECT / MULTI_SELECT option as the metadata API lists it (untrusted text)."""

    value: str
    label: str = ""
    color: str = ""


@dataclass(frozen=True)
class FieldMeta:
    default: str = ""  # JSON text of the default, "" when none
    unique: bool = False
    options: tuple[OptionMeta, ...] = ()  # from the live metadata API only


@dataclass(frozen=True)
class ModelInfo:
    source: str  # one sentence for the site: where standard/custom comes from
    custom: dict[str, bool] = field(default_factory=dict)  # nameSingular -> isCustom
    fields: dict[str, dict[str, FieldMeta]] = field(default_factory=dict)
    default_custom: bool = True  # objects absent from ``custom``
    custom_fields: dict[str, FieldMeta] = field(default_factory=dict)  # a new custom object's
    options_source: str = VALUES_ONLY  # one sentence: where option labels come from

    def is_custom(self, name: str) -> bool:
        return self.custom.get(name, self.default_custom)

    def field(self, obj: str, name: str) -> FieldMeta:
        own = self.fields.get(obj)
        if own is not None and name in own:
            return own[name]
        if self.is_custom(obj):
            return self.custom_fields.get(name, FieldMeta())
        return FieldMeta()


def _default_text(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _options(raw: Any) -> tuple[OptionMeta, ...]:
    """``options`` of a metadata field (JSON: ``[{value, label, color, position}]``), in
    ``position`` order; anything not shaped so is left out."""
    found = (
        [o for o in raw if isinstance(o, dict) and isinstance(o.get("value"), str)]
        if isinstance(raw, list)
        else []
    )
    found.sort(key=lambda o: o["position"] if isinstance(o.get("position"), int) else 1 << 30)
    return tuple(
        OptionMeta(
            o["value"],
            o["label"] if isinstance(o.get("label"), str) else "",
            o["color"] if isinstance(o.get("color"), str) else "",
        )
        for o in found
    )


def _fields(raw: Any, options: bool = False) -> dict[str, FieldMeta]:
    out: dict[str, FieldMeta] = {}
    for f in raw or ():
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            out[f["name"]] = FieldMeta(
                _default_text(f.get("defaultValue")),
                f.get("isUnique") is True,
                _options(f.get("options")) if options else (),
            )
    return out


def standard_model_info() -> ModelInfo:
    """The emulator's standard-object list (no server needed)."""
    text = (resources.files("twenty_gql.testing") / "data" / "standard-objects.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    return ModelInfo(
        source=(
            "standard vs custom from the emulator's list of Twenty's standard objects "
            "(an object not in that list is marked custom); defaults and uniqueness from the "
            "same list (no live metadata API was read)"
        ),
        custom={o["nameSingular"]: False for o in data["objects"]},
        fields={o["nameSingular"]: _fields(o.get("fields")) for o in data["objects"]},
        custom_fields=_fields(data.get("customObjectDefaultFields")),
    )


def _query(schema: GraphQLSchema | None) -> tuple[str, bool]:
    """The metadata query this schema can answer, and whether it selects ``isCustom`` (gone
    from Twenty's newest Object DTO: twenty-api.md §4.2); "" when there is no ``objects``."""
    q = schema.query_type if schema is not None else None
    obj = schema.type_map.get("Object") if schema is not None else None
    fld = schema.type_map.get("Field") if schema is not None else None
    if q is None or "objects" not in q.fields or not isinstance(obj, GraphQLObjectType):
        return "", False
    has_custom = "isCustom" in obj.fields
    field_sel = ""
    if "fieldsList" in obj.fields and isinstance(fld, GraphQLObjectType):
        wanted = [n for n in ("name", "isUnique", "defaultValue", "options") if n in fld.fields]
        field_sel = f" fieldsList {{ {' '.join(wanted)} }}" if "name" in wanted else ""
    custom = " isCustom" if has_custom else ""
    return (
        "query TwentyGqlDocsModel { objects(paging: {first: 1000}) { edges { node { "
        f"nameSingular{custom}{field_sel} }} }} }} }}",
        has_custom,
    )


async def _post(url: str, api_key: str | None, query: str) -> Any:
    import aiohttp

    from codegen.introspect import endpoint_url, json_headers

    headers = json_headers(api_key)
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(endpoint_url(url, "metadata"), json={"query": query}, headers=headers) as resp,
    ):
        return json.loads(await resp.read())


def fetch_model_info(
    url: str, api_key: str | None, schema: GraphQLSchema | None
) -> ModelInfo | None:
    """Defaults and uniqueness from the live metadata API, and ``isCustom`` where the
    workspace's metadata ``schema`` still has it (else standard vs custom from the standard
    list); None when the API cannot answer (the caller falls back to
    :func:`standard_model_info`). The key is never kept."""
    query, has_custom = _query(schema)
    if not query:
        return None
    try:
        payload = asyncio.run(_post(url, api_key, query))
        nodes = [e["node"] for e in payload["data"]["objects"]["edges"]]
        fields = {n["nameSingular"]: _fields(n.get("fieldsList"), options=True) for n in nodes}
    except Exception:
        return None
    labels = any(f.options for own in fields.values() for f in own.values())
    options_source = WITH_LABELS if labels else VALUES_ONLY
    if has_custom:
        return ModelInfo(
            source="standard vs custom, defaults and uniqueness from the workspace's metadata "
            "API (isCustom, defaultValue, isUnique)",
            custom={n["nameSingular"]: n.get("isCustom") is True for n in nodes},
            fields=fields,
            options_source=options_source,
        )
    standard = standard_model_info()
    return ModelInfo(
        source="standard vs custom from the emulator's list of Twenty's standard objects (this "
        "workspace's metadata schema has no isCustom; an object not in the list is marked "
        "custom); defaults and uniqueness from the workspace's metadata API (defaultValue, "
        "isUnique)",
        custom={n["nameSingular"]: standard.is_custom(n["nameSingular"]) for n in nodes},
        fields=fields,
        options_source=options_source,
    )
