"""Record input: create/update input -> stored values (twenty-api.md §1.8): relation
``connect``/``disconnect``, join columns, composite merges, positions, defaults, actors, ids."""

from __future__ import annotations

import json
import uuid
from typing import Any

from twenty_gql.testing.errors import bad_input
from twenty_gql.testing.model import COMPOSITE_TYPES, FieldMeta, capitalize
from twenty_gql.testing.paging import Record
from twenty_gql.testing.record_index import RecordIndex
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.views import ObjectView

__all__ = ["RecordWriter", "default_value", "parse_uuid"]


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def default_value(fld: FieldMeta) -> Any:
    """The value Twenty stores when a create omits ``fld`` (defaultValue with SQL quotes removed)."""
    dv = fld.defaultValue
    if fld.type in COMPOSITE_TYPES:
        base: dict[str, Any] = {
            s.name: ("" if s.type == "TEXT" else None) for s in COMPOSITE_TYPES[fld.type]
        }
        if isinstance(dv, dict):
            for k, v in dv.items():
                if k in base:
                    base[k] = _unquote(v)
        return base
    if dv is None:
        if fld.type in ("MULTI_SELECT", "ARRAY") and not fld.isNullable:
            return []
        return None
    if dv == "uuid":
        return str(uuid.uuid4())
    if dv == "now":
        return now_iso()
    if isinstance(dv, list):
        return [_unquote(v) for v in dv]
    return _unquote(dv)


def parse_uuid(value: Any, name: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise bad_input(f"Invalid UUID for {name}: {value!r}", "INVALID_ARGS_DATA") from None


class RecordWriter(RecordIndex):
    def normalize(self, view: ObjectView, data: dict[str, Any], existing: Record | None) -> Record:
        """Create/update input -> stored values (partial: only the keys given)."""
        out: Record = {}
        for key, value in data.items():
            if key in view.join_columns:
                fld = view.join_columns[key]
                out[key] = self._fk(view, fld, value)
                continue
            fld_or_none = view.by_name.get(key)
            if fld_or_none is None:
                raise bad_input(f"Unknown field {key!r} on {view.obj.nameSingular}")
            fld = fld_or_none
            if fld.relationType == "MANY_TO_ONE":
                join = fld.joinColumnName or f"{fld.name}Id"
                out[join] = self._relation_input(view, fld, value)
                continue
            if fld.relationType is not None:
                raise bad_input(f"One-to-many relation {key} cannot be written directly")
            if value is None:
                if not fld.isNullable and fld.name not in ("deletedAt",):
                    raise bad_input(f"Field {key} cannot be null", "INVALID_ARGS_DATA")
                out[key] = default_value(fld) if fld.type in COMPOSITE_TYPES else None
                continue
            if key == "id":
                out[key] = parse_uuid(value, "id")
            elif fld.type in COMPOSITE_TYPES:
                base = dict(existing.get(key) or {}) if existing else default_value(fld)
                if not isinstance(base, dict):
                    base = default_value(fld)
                base.update(value)
                out[key] = _transform_composite(fld.type, base)
            elif fld.type == "POSITION":
                out[key] = self._position(view, value)
            elif fld.type == "UUID":
                out[key] = parse_uuid(value, key)
            elif fld.type == "FILES":
                out[key] = [dict(f, fileCategory=f.get("fileCategory", "OTHER")) for f in value]
            else:
                out[key] = value
        return out

    def _fk(self, view: ObjectView, fld: FieldMeta, value: Any) -> Any:
        if value is None:
            return None
        rid = parse_uuid(value, fld.joinColumnName or fld.name)
        target = view.targets[fld.name].nameSingular
        if self.lookup(target, rid) is None:
            raise bad_input(
                f"Cannot set {fld.joinColumnName}: no {target} record with id {rid}",
                "INVALID_ARGS_DATA",
            )
        return rid

    def _relation_input(self, view: ObjectView, fld: FieldMeta, value: Any) -> Any:
        if not isinstance(value, dict):
            raise bad_input(f"{fld.name} expects {{connect}} or {{disconnect}}")
        connect = value.get("connect")
        disconnect = value.get("disconnect")
        if connect and disconnect:
            raise bad_input(f"Cannot connect and disconnect {fld.name} at the same time")
        if disconnect:
            return None
        if not connect:
            raise bad_input(f"{fld.name} expects {{connect}} or {{disconnect}}")
        where = connect.get("where") or {}
        target = self.ws.view(view.targets[fld.name].nameSingular)
        assert target is not None
        matches = self._where_unique(target, where)
        if len(matches) != 1:
            raise bad_input(
                f"Connect: no {target.obj.nameSingular} record matches {json.dumps(where, sort_keys=True)}"
                if not matches
                else f"Connect: several {target.obj.nameSingular} records match",
                "INVALID_ARGS_DATA",
            )
        return matches[0]["id"]

    def _where_unique(self, view: ObjectView, where: dict[str, Any]) -> list[Record]:
        conds = {k: v for k, v in where.items() if v is not None}
        if not conds:
            raise bad_input("A where clause needs at least one unique field", "INVALID_ARGS_DATA")
        out = []
        for rec in self.table(view).values():
            if rec.get("deletedAt") is not None:
                continue
            ok = True
            for k, v in conds.items():
                if isinstance(v, dict):
                    sub = rec.get(k) or {}
                    if any(sub.get(sk) != sv for sk, sv in v.items() if sv is not None):
                        ok = False
                elif rec.get(k) != v:
                    ok = False
            if ok:
                out.append(rec)
        return out

    def _position(self, view: ObjectView, value: Any) -> float:
        if value in ("first", "last"):
            positions = [
                float(r["position"])
                for r in self.table(view).values()
                if r.get("position") is not None
            ]
            if not positions:
                return 0.0
            return min(positions) - 1 if value == "first" else max(positions) + 1
        return float(value)

    def actor(self) -> dict[str, Any]:
        return {
            "source": "API",
            "name": self.settings.actor_name,
            "workspaceMemberId": None,
            "context": {},
        }

    def _given_actor(self, given: Any) -> dict[str, Any]:
        """The API actor, keeping a ``source`` / ``context`` the input gave."""
        actor = self.actor()
        if isinstance(given, dict):
            if given.get("source"):
                actor["source"] = given["source"]
            if given.get("context") is not None:
                actor["context"] = given["context"]
        return actor

    def new_record(self, view: ObjectView, values: Record, next_position: float) -> Record:
        now = now_iso()
        rec: Record = {}
        for fld in view.fields:
            if fld.relationType == "ONE_TO_MANY":
                continue
            if fld.relationType == "MANY_TO_ONE":
                join = fld.joinColumnName or f"{fld.name}Id"
                rec[join] = values.get(join)
                continue
            if fld.name in values:
                rec[fld.name] = values[fld.name]
                continue
            if fld.type == "TS_VECTOR":
                rec[fld.name] = None
                continue
            rec[fld.name] = default_value(fld)
        rec["id"] = values.get("id") or str(uuid.uuid4())
        rec.setdefault("createdAt", now)
        if rec.get("createdAt") is None:
            rec["createdAt"] = now
        if "updatedAt" in rec and "updatedAt" not in values:
            rec["updatedAt"] = now
        for actor_field in ("createdBy", "updatedBy"):
            if actor_field in view.by_name:
                rec[actor_field] = self._given_actor(values.get(actor_field))
        if "position" in view.by_name and "position" not in values:
            rec["position"] = next_position
        _check_required(view, rec)
        return rec

    def criterion_paths(self, view: ObjectView, group: list[str]) -> list[tuple[str, ...]]:
        """duplicateCriteria names (``domainNamePrimaryLinkUrl``) -> record paths."""
        flat: dict[str, tuple[str, ...]] = {}
        for fld in view.fields:
            if fld.type in COMPOSITE_TYPES:
                for s in COMPOSITE_TYPES[fld.type]:
                    flat[fld.name + capitalize(s.name)] = (fld.name, s.name)
            flat[fld.name] = (fld.name,)
        return [flat[n] for n in group if n in flat]


def _check_required(view: ObjectView, rec: Record) -> None:
    for fld in view.fields:
        if (
            fld.relationType is None
            and not fld.isNullable
            and rec.get(fld.name) is None
            and fld.type != "TS_VECTOR"
        ):
            raise bad_input(f"Field {fld.name} is required", "INVALID_ARGS_DATA")


def _transform_composite(kind: str, value: Record) -> Record:
    """Twenty's record transformers: ``transformEmailsValue`` lower-cases e-mails,
    ``transformLinksValue`` lower-cases a URL's scheme and host and drops a trailing slash
    (``lowercaseUrlOriginAndRemoveTrailingSlash``); upserts match on the transformed values."""
    from twenty_gql.bulk import normalise_unique_value

    if kind == "EMAILS" and isinstance(value.get("primaryEmail"), str):
        value["primaryEmail"] = normalise_unique_value("primaryEmail", value["primaryEmail"])
    elif kind == "LINKS" and isinstance(value.get("primaryLinkUrl"), str):
        value["primaryLinkUrl"] = normalise_unique_value("primaryLinkUrl", value["primaryLinkUrl"])
    return value
