"""What the GraphQL schema does not say: which objects are custom, field defaults, uniqueness.

Two sources, and the site says which one it used:

* the workspace's metadata API (``objects { isCustom fieldsList { isUnique defaultValue } }``)
  when the docs are built from a live server (``--url``);
* otherwise the emulator's list of Twenty's standard objects
  (``twenty_gql/testing/data/standard-objects.json``): an object in that list is standard,
  any other is custom; defaults and uniqueness come from that list (custom objects: Twenty's
  default fields of a new custom object).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = ["FieldMeta", "ModelInfo", "fetch_model_info", "standard_model_info"]


@dataclass(frozen=True)
class FieldMeta:
    default: str = ""  # JSON text of the default, "" when none
    unique: bool = False


@dataclass(frozen=True)
class ModelInfo:
    source: str  # one sentence for the site: where standard/custom comes from
    custom: dict[str, bool] = field(default_factory=dict)  # nameSingular -> isCustom
    fields: dict[str, dict[str, FieldMeta]] = field(default_factory=dict)
    default_custom: bool = True  # objects absent from ``custom``
    custom_fields: dict[str, FieldMeta] = field(default_factory=dict)  # a new custom object's

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


def _fields(raw: Any) -> dict[str, FieldMeta]:
    out: dict[str, FieldMeta] = {}
    for f in raw or ():
        if isinstance(f, dict) and isinstance(f.get("name"), str):
            out[f["name"]] = FieldMeta(
                _default_text(f.get("defaultValue")), f.get("isUnique") is True
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


_QUERY = (
    "query TwentyGqlDocsModel { objects(paging: {first: 1000}) { edges { node { "
    "nameSingular isCustom fieldsList { name isUnique defaultValue } } } } }"
)


async def _post(url: str, api_key: str | None) -> Any:
    import aiohttp

    from codegen.introspect import endpoint_url

    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(
            endpoint_url(url, "metadata"), json={"query": _QUERY}, headers=headers
        ) as resp,
    ):
        return json.loads(await resp.read())


def fetch_model_info(url: str, api_key: str | None) -> ModelInfo | None:
    """``isCustom``, defaults and uniqueness from the live metadata API; None when it cannot
    answer (the caller falls back to :func:`standard_model_info`). The key is never kept."""
    try:
        payload = asyncio.run(_post(url, api_key))
        edges = payload["data"]["objects"]["edges"]
        nodes = [e["node"] for e in edges]
        return ModelInfo(
            source="standard vs custom, defaults and uniqueness from the workspace's metadata API "
            "(isCustom, defaultValue, isUnique)",
            custom={n["nameSingular"]: n["isCustom"] is True for n in nodes},
            fields={n["nameSingular"]: _fields(n.get("fieldsList")) for n in nodes},
        )
    except Exception:
        return None
