"""The object views the core schema is built from: an active object with its active, resolvable
fields and relation targets, plus the naming rules and the resolver interface the builder uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twenty_gql.testing.model import (
    RELATION_TYPES,
    FieldMeta,
    ObjectMeta,
    pascal,
)

__all__ = [
    "AggregateSpec",
    "ObjectView",
    "Resolver",
    "ResolverProvider",
    "enum_type_name",
    "make_views",
    "number_kind",
    "type_name",
]

Resolver = Callable[..., Any]


def type_name(obj: ObjectMeta) -> str:
    return pascal(obj.nameSingular)


def enum_type_name(obj: ObjectMeta, fld: FieldMeta) -> str:
    return f"{pascal(obj.nameSingular)}{pascal(fld.name)}Enum"


def number_kind(fld: FieldMeta) -> str:
    """``Float`` / ``Int`` / ``BigInt`` from ``settings.dataType`` of a NUMBER field."""
    settings = fld.settings if isinstance(fld.settings, dict) else {}
    data_type = str(settings.get("dataType") or "float").lower()
    return {"int": "Int", "bigint": "BigInt"}.get(data_type, "Float")


@dataclass(frozen=True)
class AggregateSpec:
    """How to compute one aggregate field of a connection (twenty-api.md §1.4)."""

    op: str  # countUniqueValues, countEmpty, ..., min, max, avg, sum, countTrue, countFalse, totalCount
    field: str | None
    sub: str | None = None


@dataclass
class ObjectView:
    """An object with its active, resolvable fields (what the builder and resolvers work on)."""

    obj: ObjectMeta
    fields: list[FieldMeta]
    by_name: dict[str, FieldMeta]
    #: FK column name -> the MANY_TO_ONE field
    join_columns: dict[str, FieldMeta]
    targets: dict[str, ObjectMeta]  # relation field name -> target object


def make_views(
    objects: dict[str, ObjectMeta], fields: dict[str, FieldMeta]
) -> dict[str, ObjectView]:
    """Active objects with their active fields; relations to missing/inactive ends are skipped."""
    views: dict[str, ObjectView] = {}
    for obj in objects.values():
        if not obj.isActive:
            continue
        flds: list[FieldMeta] = []
        targets: dict[str, ObjectMeta] = {}
        for fid in obj.fieldIds:
            fld = fields.get(fid)
            if fld is None or not fld.isActive:
                continue
            if fld.type in RELATION_TYPES:
                target = objects.get(fld.relationTargetObjectMetadataId or "")
                inverse = fields.get(fld.relationTargetFieldMetadataId or "")
                if target is None or not target.isActive or fld.relationType is None:
                    continue
                if fld.relationType == "ONE_TO_MANY" and (inverse is None or not inverse.isActive):
                    continue
                targets[fld.name] = target
            flds.append(fld)
        views[obj.nameSingular] = ObjectView(
            obj=obj,
            fields=flds,
            by_name={f.name: f for f in flds},
            join_columns={
                f.joinColumnName or f"{f.name}Id": f
                for f in flds
                if f.relationType == "MANY_TO_ONE"
            },
            targets=targets,
        )
    return views


class ResolverProvider:
    """Interface the builder calls to get resolvers (implemented in ``resolvers.py``)."""

    def root(self, method: str, view: ObjectView) -> Resolver:
        raise NotImplementedError

    def many_to_one(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        raise NotImplementedError

    def one_to_many(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        raise NotImplementedError

    def aggregate(self, spec: AggregateSpec) -> Resolver:
        raise NotImplementedError

    def empty(self) -> Resolver:
        raise NotImplementedError

    def search(self) -> Resolver:
        raise NotImplementedError
