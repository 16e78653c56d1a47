"""Resolvers of the emulated core API against the store (twenty-api.md §1.6-§1.9, §3.1, §3.5).

Every root resolver runs synchronously and either completes all its writes or none: inputs are
normalised and validated into new record dicts first, then written in one go. The layers below
(``paging``, ``record_index``, ``record_input``, ``group_by``) hold reads, indexes, input
normalisation and grouping; this module holds the resolver factories, queries and mutations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from twenty_gql.testing.errors import bad_input, not_found
from twenty_gql.testing.filters import compile_filter, mentions_deleted_at, order_keys
from twenty_gql.testing.group_by import GroupBy
from twenty_gql.testing.model import FieldMeta
from twenty_gql.testing.paging import Connection, Record, empty_page_info, is_empty
from twenty_gql.testing.record_index import get_path
from twenty_gql.testing.record_input import default_value
from twenty_gql.testing.relations_selected import selected_relation_targets
from twenty_gql.testing.roles import ADMIN, Role, operation_permission, permission_denied
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.search import run_search
from twenty_gql.testing.views import AggregateSpec, ObjectView, ResolverProvider
from twenty_gql.testing.webhooks import webhook_events

__all__ = ["Connection", "CoreResolvers", "default_value"]

Resolver = Callable[..., Any]


class CoreResolvers(GroupBy, ResolverProvider):
    """The resolvers the core schema is built with (``ResolverProvider``)."""

    def create_many(self, view: ObjectView, data: list[Record]) -> list[Record]:
        """``createMany`` without the GraphQL layer (used to load the demo seed)."""
        return self._createMany(view, data)

    # ---- resolver factories ----------------------------------------------------------

    def root(self, method: str, view: ObjectView) -> Resolver:
        fn: Callable[..., Any] = getattr(self, f"_{method}")
        name = view.obj.nameSingular
        needs = operation_permission(method)

        def resolve(_root: Any, info: Any, **args: Any) -> Any:
            current = self.ws.view(name)
            if current is None:  # pragma: no cover - schema is rebuilt on every change
                raise bad_input(f"Object {name} no longer exists")
            role = (info.context or {}).get("role", ADMIN) if info is not None else ADMIN
            if info is not None:
                self._check_complexity(current, info, method, args)
            if role is not ADMIN:
                self._check_permissions(role, current, needs, info)
            with self.ws.store.lock, webhook_events(self.ws, current, method) as emit:
                return emit(fn(current, **args))

        return resolve

    def _check_complexity(
        self, view: ObjectView, info: Any, method: str, args: dict[str, Any]
    ) -> None:
        """Twenty's COMMON_QUERY_COMPLEXITY_LIMIT: 1 + relation fields selected (+ relation
        orderBy keys for findMany)."""
        complexity = 1 + sum(1 for _ in selected_relation_targets(info, view, self.ws.view))
        if method == "findMany":
            for item in args.get("orderBy") or []:
                complexity += sum(1 for key in (item or {}) if key in view.targets)
        limit = self.settings.query_complexity_limit
        if complexity > limit:
            raise bad_input(
                "Query complexity is too high. Please, reduce the amount of relation fields "
                f"requested. Query complexity: {complexity}. Maximum complexity: {limit}.",
                "TOO_COMPLEX_QUERY",
            )

    def _check_permissions(
        self, role: Role, view: ObjectView, needs: tuple[str, ...], info: Any
    ) -> None:
        """Twenty's object permissions: the operation's own, then read on every related
        object the selection reaches (system objects are not checked)."""
        if not view.obj.isSystem and not all(role.allows(view.obj.nameSingular, p) for p in needs):
            raise permission_denied()
        for target in selected_relation_targets(info, view, self.ws.view):
            if not target.isSystem and not role.allows(target.nameSingular, "read"):
                raise permission_denied()

    def many_to_one(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        join = fld.joinColumnName or f"{fld.name}Id"
        target = view.targets[fld.name].nameSingular

        def resolve(parent: Record, _info: Any) -> Any:
            rec = self.lookup(target, parent.get(join))
            if rec is None or rec.get("deletedAt") is not None:
                return None
            return rec

        return resolve

    def one_to_many(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        target_name = view.targets[fld.name].nameSingular
        inverse_id = fld.relationTargetFieldMetadataId

        def resolve(parent: Record, _info: Any, **args: Any) -> Any:
            target = self.ws.view(target_name)
            inverse = self.ws.field_or_none(inverse_id) if inverse_id else None
            if target is None or inverse is None:
                return Connection([], [], empty_page_info())
            join = inverse.joinColumnName or f"{inverse.name}Id"
            pid = parent.get("id")
            filt = args.get("filter")
            pred = compile_filter(target, filt)
            with_deleted = mentions_deleted_at(filt)
            children = self.children(target, join).get(pid, ())
            rows = [r for r in children if (with_deleted or r.get("deletedAt") is None) and pred(r)]
            return self.paginate(target, rows, args, cap=self.settings.relation_page_max)

        return resolve

    def aggregate(self, spec: AggregateSpec) -> Resolver:
        def resolve(conn: Connection, _info: Any) -> Any:
            return conn.aggregate(spec)

        return resolve

    def search(self) -> Resolver:
        """The cross-object ``search`` query (see ``search.py``)."""

        def resolve(_root: Any, _info: Any, **args: Any) -> Any:
            views = [v for v in (self.ws.view(n) for n in self.ws.view_names()) if v is not None]
            with self.ws.store.lock:
                return run_search(self, views, args)

        return resolve

    def empty(self) -> Resolver:
        return lambda _root, _info: None

    # ---- queries ---------------------------------------------------------------------

    def _findMany(self, view: ObjectView, **args: Any) -> Connection:
        rows = self.visible_rows(view, args.get("filter"))
        return self.paginate(view, rows, args)

    def _findOne(self, view: ObjectView, filter: dict[str, Any] | None = None) -> Record:
        if not filter:
            raise bad_input("Missing filter argument", "INVALID_ARGS_FILTER")
        rows = self.visible_rows(view, filter)
        if not rows:
            raise not_found()
        if len(rows) > 1:
            keys = order_keys(view, None)
            rows = [r for _k, r in self.sort(rows, keys)]
        return rows[0]

    def _findDuplicates(
        self, view: ObjectView, ids: list[str] | None = None, data: list[Record] | None = None
    ) -> list[Connection]:
        if not ids and not data:
            raise bad_input(
                'You have to provide either "data" or "ids" argument', "INVALID_ARGS_DATA"
            )
        if ids and data:
            raise bad_input(
                'You cannot provide both "data" and "ids" arguments', "INVALID_ARGS_DATA"
            )
        table = self.table(view)
        probes: list[tuple[str | None, Record]] = []
        for rid in ids or []:
            rec = table.get(rid)
            if rec is None:
                raise not_found()
            probes.append((rid, rec))
        for item in data or []:
            probes.append((None, self.normalize(view, item, None)))
        criteria = [self.criterion_paths(view, group) for group in view.obj.duplicateCriteria or []]
        out = []
        for probe_id, probe in probes:
            matches = []
            for rec in table.values():
                if rec["id"] == probe_id or rec.get("deletedAt") is not None:
                    continue
                for paths in criteria:
                    values = [get_path(probe, p) for p in paths]
                    if any(is_empty(v) for v in values):
                        continue
                    if all(get_path(rec, p) == v for p, v in zip(paths, values, strict=False)):
                        matches.append(rec)
                        break
            out.append(self.paginate(view, matches, {}))
        return out

    # ---- mutations -------------------------------------------------------------------

    def _createOne(self, view: ObjectView, data: Record, upsert: bool | None = None) -> Record:
        return self._createMany(view, [data], upsert)[0]

    def _createMany(
        self, view: ObjectView, data: list[Record], upsert: bool | None = None
    ) -> list[Record]:
        limit = self.settings.batch_limit
        if len(data) > limit:
            raise bad_input(
                f"Maximum number of records to upsert is {limit}.",
                "TOO_MANY_RECORDS_TO_UPDATE",
            )
        table = self.table(view)
        next_pos = self.max_position(view) + 1
        results: list[Record] = []
        updates: dict[str, Record] = {}
        inserts: list[Record] = []
        now = now_iso()
        for item in data:
            existing = None
            if upsert:
                probe = self.normalize(view, item, None)
                existing = self.match_existing(view, probe)
                if existing is not None and existing["id"] in updates:
                    existing = updates[existing["id"]]
            if existing is not None:
                values = self.normalize(
                    view, {k: v for k, v in item.items() if k != "id"}, existing
                )
                merged = dict(existing)
                merged.update(values)
                merged["updatedAt"] = values.get("updatedAt", now)
                if "updatedBy" in view.by_name:
                    merged["updatedBy"] = self.actor()
                updates[merged["id"]] = merged
                results.append(merged)
            else:
                values = self.normalize(view, item, None)
                if values.get("id") in table or any(values.get("id") == r["id"] for r in inserts):
                    raise bad_input(
                        "Duplicate Id. Please set a unique one.",
                        "DUPLICATE_ENTRY",
                        "Duplicate Id. Please set a unique one.",
                    )
                rec = self.new_record(view, values, next_pos)
                if "position" not in values:
                    next_pos += 1
                inserts.append(rec)
                results.append(rec)
        # updates may appear several times in results; point them at the final version
        results = [updates.get(r["id"], r) for r in results]
        self.check_unique(view, list(updates.values()) + inserts, set(updates))
        self.write(view, list(updates.values()) + inserts)
        return results

    def _get(self, view: ObjectView, rid: str, with_deleted: bool = False) -> Record:
        rec = self.table(view).get(rid)
        if rec is None or (not with_deleted and rec.get("deletedAt") is not None):
            raise not_found()
        return rec

    def _apply_update(self, view: ObjectView, rec: Record, data: Record) -> Record:
        values = self.normalize(view, data, rec)
        if "id" in values and values["id"] != rec["id"]:
            raise bad_input("The id of a record cannot be changed", "INVALID_ARGS_DATA")
        merged = dict(rec)
        merged.update(values)
        if "updatedAt" not in values:
            merged["updatedAt"] = now_iso()
        if "updatedBy" in view.by_name:
            merged["updatedBy"] = self.actor()
        return merged

    def _updateOne(self, view: ObjectView, id: str, data: Record) -> Record:
        rec = self._get(view, id)
        merged = self._apply_update(view, rec, data)
        self.check_unique(view, [merged], {rec["id"]})
        self.write(view, [merged])
        return merged

    def _updateMany(self, view: ObjectView, data: Record, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter)
        limit = self.settings.batch_limit
        if len(rows) > limit:
            raise bad_input(
                f"Cannot update more than {limit} records at once",
                "TOO_MANY_RECORDS_TO_UPDATE",
                f"You can only update up to {limit} records at once.",
            )
        merged = [self._apply_update(view, r, data) for r in rows]
        self.check_unique(view, merged, {r["id"] for r in rows})
        self.write(view, merged)
        return self._ordered(view, merged)

    def _ordered(self, view: ObjectView, rows: list[Record]) -> list[Record]:
        return [r for _k, r in self.sort(rows, order_keys(view, None))]

    def _soft_delete(self, view: ObjectView, rows: Iterable[Record]) -> list[Record]:
        now = now_iso()
        out = [dict(rec, deletedAt=now) for rec in rows]
        self.write(view, out)
        return out

    def _deleteOne(self, view: ObjectView, id: str) -> Record:
        return self._soft_delete(view, [self._get(view, id)])[0]

    def _deleteMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter)
        self._check_many_limit(rows)
        return self._ordered(view, self._soft_delete(view, rows))

    def _restore(self, view: ObjectView, rows: Iterable[Record]) -> list[Record]:
        restored = [dict(rec, deletedAt=None) for rec in rows]
        self.check_unique(view, restored, {r["id"] for r in restored})
        self.write(view, restored)
        return restored

    def _restoreOne(self, view: ObjectView, id: str) -> Record:
        return self._restore(view, [self._get(view, id, with_deleted=True)])[0]

    def _restoreMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = [r for r in self.visible_rows(view, filter, with_deleted=True) if r.get("deletedAt")]
        self._check_many_limit(rows)
        return self._ordered(view, self._restore(view, rows))

    def _destroy(self, view: ObjectView, rows: list[Record]) -> list[Record]:
        ids = {r["id"] for r in rows}
        for rec in rows:
            self.ws.store.remove(view.obj.id, rec["id"])
        self.ws.on_records_destroyed(view, ids)
        return rows

    def _destroyOne(self, view: ObjectView, id: str) -> Record:
        rec = self._get(view, id, with_deleted=True)
        if self.settings.destroy_requires_soft_delete and rec.get("deletedAt") is None:
            raise not_found()
        return self._destroy(view, [rec])[0]

    def _destroyMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter, with_deleted=True)
        if self.settings.destroy_requires_soft_delete:
            rows = [r for r in rows if r.get("deletedAt") is not None]
        self._check_many_limit(rows)
        return self._ordered(view, self._destroy(view, rows))

    def _check_many_limit(self, rows: list[Record]) -> None:
        """deleteMany/destroyMany/restoreMany cap (off by default: UNCONFIRMED in Twenty)."""
        limit = self.settings.batch_limit
        if self.settings.limit_delete_many and len(rows) > limit:
            raise bad_input(
                f"Cannot update more than {limit} records at once",
                "TOO_MANY_RECORDS_TO_UPDATE",
                f"You can only update up to {limit} records at once.",
            )

    def _mergeMany(
        self,
        view: ObjectView,
        ids: list[str],
        conflictPriorityIndex: int,
        dryRun: bool | None = None,
    ) -> Record:
        if len(ids) < 2:
            raise bad_input("At least 2 records are required to merge", "INVALID_ARGS_DATA")
        if len(set(ids)) != len(ids):
            raise bad_input("Cannot merge a record with itself", "INVALID_ARGS_DATA")
        if not 0 <= conflictPriorityIndex < len(ids):
            raise bad_input(
                f"conflictPriorityIndex {conflictPriorityIndex} is out of range",
                "INVALID_ARGS_DATA",
            )
        records = [self._get(view, rid) for rid in ids]
        priority = records[conflictPriorityIndex]
        others = [r for r in records if r is not priority]
        merged = dict(priority)
        for fld in view.fields:
            if fld.relationType == "ONE_TO_MANY" or fld.name in (
                "id",
                "createdAt",
                "updatedAt",
                "deletedAt",
                "createdBy",
                "updatedBy",
                "position",
            ):
                continue
            key = fld.joinColumnName if fld.relationType == "MANY_TO_ONE" else fld.name
            assert key is not None
            if fld.type in ("MULTI_SELECT", "ARRAY"):
                union: list[Any] = []
                for r in [priority, *others]:
                    for v in r.get(key) or []:
                        if v not in union:
                            union.append(v)
                merged[key] = union if union else merged.get(key)
                continue
            if is_empty(merged.get(key)):
                for r in others:
                    if not is_empty(r.get(key)):
                        merged[key] = r.get(key)
                        break
        if dryRun:
            return merged
        merged["updatedAt"] = now_iso()
        self.check_unique(view, [merged], {r["id"] for r in records})
        self.ws.reassign_relations(view, [r["id"] for r in others], priority["id"])
        self._soft_delete(view, others)
        self.write(view, [merged])
        return merged
