"""``DynamicObjectApi``: the untyped record facade, ``crm.object("invoice")``.

The same methods and parameters as a generated record facade (``crm.companies``), with plain
dicts in and out, for objects the bindings do not know yet (created after generation) or code
that picks the object at run time::

    invoices = crm.object("invoice")        # or DynamicObjectApi(client, "invoice")
    inv = await invoices.create({"name": "INV-1", "amount": 120})
    page = await invoices.find_many(filter={"amount": {"gte": 100}}, first=20)
    async for row in invoices.iterate():
        ...

What a record selects comes from the workspace's data model (``/metadata``), read once per
client and read again when an object is unknown or the server says a selected field is gone
(so an object or field created a second ago works at once): every active scalar field, every
composite field with its sub-fields (their shape read once by introspection: the newest
Twenty makes ``secondaryLinks`` a list of objects where 2.43 has JSON), and each many-to-one
relation as its ``<name>Id``.
One-to-many relations and polymorphic (MORPH_RELATION) targets are not selected.
Documents are built once per object (and argument set) and reused.
"""

from __future__ import annotations

import contextlib
import re
import uuid
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypeVar, cast

from twenty_gql._sentinel import NOT_GIVEN, NotGiven
from twenty_gql.bulk import (
    DEFAULT_OUTAGE_TOLERANCE,
    BulkProgress,
    BulkResult,
    OnDuplicate,
)
from twenty_gql.bulk import create_many as _create_many
from twenty_gql.datamodel import DataModel, FieldInfo, ObjectInfo
from twenty_gql.errors import (
    EmptyResultError,
    GraphQLResponseError,
    NotFoundError,
    ObjectNotFoundError,
    RecordNotFoundError,
    SchemaDriftError,
)
from twenty_gql.operation import Operation
from twenty_gql.page import Page
from twenty_gql.pagination import trash_filter, walk

__all__ = ["COMPOSITE_SUBFIELDS", "DynamicObjectApi", "composite_selections", "selection_for"]

T = TypeVar("T")
Record = dict[str, Any]

#: sub-fields of each composite type (twenty-api.md 2.2), selected in this order
COMPOSITE_SUBFIELDS: dict[str, tuple[str, ...]] = {
    "FULL_NAME": ("firstName", "lastName"),
    "LINKS": ("primaryLinkLabel", "primaryLinkUrl", "secondaryLinks"),
    "CURRENCY": ("amountMicros", "currencyCode"),
    "ADDRESS": (
        "addressStreet1",
        "addressStreet2",
        "addressStreet3",
        "addressCity",
        "addressPostcode",
        "addressState",
        "addressCountry",
        "addressLat",
        "addressLng",
    ),
    "EMAILS": ("primaryEmail", "additionalEmails"),
    "PHONES": (
        "primaryPhoneNumber",
        "primaryPhoneCountryCode",
        "primaryPhoneCallingCode",
        "additionalPhones",
    ),
    "ACTOR": ("source", "workspaceMemberId", "name", "context"),
    "RICH_TEXT": ("blocknote", "markdown"),
    "RICH_TEXT_V2": ("blocknote", "markdown"),
    "FILES": ("fileId", "label", "fileCategory"),
}
_UNSELECTED = frozenset({"TS_VECTOR", "MORPH_RELATION"})
_PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


class _Client(Protocol):
    batch_size: int
    page_size_max: int

    async def execute(
        self,
        op: Operation[T],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> T: ...


def selection_for(obj: ObjectInfo, composites: Mapping[str, str] | None = None) -> str:
    """The selection set (without braces) a dynamic record reads for ``obj``; ``composites``
    maps a composite field type to its sub-selection as the server's schema has it (else
    :data:`COMPOSITE_SUBFIELDS`)."""
    parts: list[str] = []
    for f in obj.fields:
        if f.is_active is False or f.type in _UNSELECTED:
            continue
        if f.type == "RELATION":
            if f.relation is not None and f.relation.kind == "MANY_TO_ONE":
                parts.append(f"{f.name}Id")
            continue
        sub = (composites or {}).get(f.type)
        if sub is None and f.type in COMPOSITE_SUBFIELDS:
            sub = " ".join(COMPOSITE_SUBFIELDS[f.type])
        parts.append(f"{f.name} {{ {sub} }}" if sub else f.name)
    if "id" not in parts:
        parts.insert(0, "id")
    return " ".join(parts)


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


_TYPE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
TypeFields = dict[str, list[tuple[str, str, str]]]  # type -> [(field, kind, named type)]


def _composite_type_name(field_type: str) -> str:
    """GraphQL output type of a composite field type (twenty-api.md 2.2): ``FULL_NAME`` ->
    ``FullName``; FILES fields are lists of ``FileObject``."""
    if field_type == "FILES":
        return "FileObject"
    return "".join(w[:1].upper() + w[1:].lower() for w in field_type.split("_"))


def _unwrap(ref: Any) -> tuple[str, str]:
    while isinstance(ref, Mapping) and ref.get("kind") in ("NON_NULL", "LIST"):
        ref = ref.get("ofType")
    if not isinstance(ref, Mapping):
        return "", ""
    return str(ref.get("kind") or ""), str(ref.get("name") or "")


async def _type_fields(client: _Client, names: Iterable[str]) -> TypeFields:
    """The fields of the named output types, by introspection (one request)."""
    ordered = sorted(n for n in set(names) if _TYPE_NAME.match(n))
    if not ordered:
        return {}
    body = " ".join(
        f't{i}: __type(name: "{n}") {{ name fields {{ name type {{ {_TYPE_REF} }} }} }}'
        for i, n in enumerate(ordered)
    )
    op: Operation[dict[str, Any]] = Operation(
        name="DynCompositeTypes",
        document=f"query DynCompositeTypes {{ {body} }}",
        endpoint="graphql",
        kind="query",
        root_fields=("__type",),
        result_type=dict,
        idempotent=True,
    )
    data = await client.execute(op)
    out: TypeFields = {}
    for t in data.values() if isinstance(data, dict) else ():
        if isinstance(t, Mapping) and isinstance(t.get("fields"), list):
            out[str(t.get("name"))] = [
                (str(f.get("name")), *_unwrap(f.get("type")))
                for f in t["fields"]
                if isinstance(f, Mapping)
            ]
    return out


async def composite_selections(client: _Client, field_types: Iterable[str]) -> dict[str, str]:
    """Composite field type -> its sub-selection, as the server's schema has it: Twenty's newest
    versions make some sub-fields objects (``secondaryLinks { label url }``) where older ones
    have JSON scalars. Empty when the server refuses introspection (then the static table)."""
    names = {t: _composite_type_name(t) for t in field_types if t in COMPOSITE_SUBFIELDS}
    try:
        fields = await _type_fields(client, names.values())
        nested = {sub for fl in fields.values() for _, kind, sub in fl if kind == "OBJECT"}
        fields.update(await _type_fields(client, nested - fields.keys()))
    except GraphQLResponseError:
        return {}
    out: dict[str, str] = {}
    for field_type, type_name in names.items():
        parts: list[str] = []
        for name, kind, sub in fields.get(type_name, ()):
            if kind in ("SCALAR", "ENUM"):
                parts.append(name)
            elif kind == "OBJECT":
                leaves = [n for n, k, _ in fields.get(sub, ()) if k in ("SCALAR", "ENUM")]
                if leaves:
                    parts.append(f"{name} {{ {' '.join(leaves)} }}")
        if parts:
            out[field_type] = " ".join(parts)
    return out


class _Catalog:
    """The data model as one client last read it, and the documents built from it."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectInfo] = {}
        self.ops: dict[tuple[str, str, frozenset[str]], Operation[Any]] = {}
        self.composites: dict[str, str] = {}
        self.asked: set[str] = set()

    def load(self, objects: Iterable[ObjectInfo]) -> None:
        self.objects = {o.name_singular: o for o in objects}
        self.ops.clear()


_CATALOGS: weakref.WeakKeyDictionary[Any, _Catalog] = weakref.WeakKeyDictionary()


def _catalog(client: object) -> _Catalog:
    try:
        cat = _CATALOGS.get(client)
        if cat is None:
            cat = _CATALOGS[client] = _Catalog()
    except TypeError:  # a client that cannot be weakly referenced: no sharing
        return _Catalog()
    return cat


Kind = Literal[
    "get",
    "find_many",
    "count",
    "create",
    "create_many",
    "update",
    "update_where",
    "delete",
    "delete_where",
    "restore",
    "restore_where",
    "destroy",
    "destroy_where",
]
_BY_ID = {"update": "update", "delete": "delete", "restore": "restore", "destroy": "destroy"}


def _document(
    obj: ObjectInfo, kind: Kind, args: frozenset[str], composites: Mapping[str, str]
) -> Operation[Any]:
    one, many = _pascal(obj.name_singular), _pascal(obj.name_plural)
    sel = selection_for(obj, composites)
    flt = f"{one}FilterInput"
    name = f"Dyn{_pascal(kind.replace('_', ' ').title().replace(' ', ''))}{one}"
    q: Literal["query", "mutation"] = "mutation"
    idempotent = False
    if kind == "get":
        q, idempotent = "query", True
        root = obj.name_singular
        head, call, body = f"($filter: {flt}!)", f"{root}(filter: $filter)", sel
    elif kind in ("find_many", "count"):
        q, idempotent = "query", True
        root = obj.name_plural
        types = {
            "filter": flt,
            "orderBy": f"[{one}OrderByInput]",
            "first": "Int",
            "after": "String",
            "last": "Int",
            "before": "String",
            "offset": "Int",
        }
        used = [a for a in types if a in args]
        head = "(" + ", ".join(f"${a}: {types[a]}" for a in used) + ")" if used else ""
        call = root + ("(" + ", ".join(f"{a}: ${a}" for a in used) + ")" if used else "")
        body = (
            "totalCount"
            if kind == "count"
            else f"edges {{ node {{ {sel} }} }} {_PAGE_INFO} totalCount"
        )
    elif kind == "create":
        root = f"create{one}"
        head = f"($data: {one}CreateInput!, $upsert: Boolean)"
        call, body = f"{root}(data: $data, upsert: $upsert)", sel
        idempotent = "upsert" in args
    elif kind == "create_many":
        root = f"create{many}"
        head = f"($data: [{one}CreateInput!]!, $upsert: Boolean)"
        call, body = f"{root}(data: $data, upsert: $upsert)", sel
        idempotent = "upsert" in args
    elif kind == "update":
        root = f"update{one}"
        head = f"($id: UUID!, $data: {one}UpdateInput!)"
        call, body, idempotent = f"{root}(id: $id, data: $data)", sel, True
    elif kind == "update_where":
        root = f"update{many}"
        head = f"($filter: {flt}!, $data: {one}UpdateInput!)"
        call, body, idempotent = f"{root}(filter: $filter, data: $data)", sel, True
    elif kind in _BY_ID:
        root = f"{kind}{one}"
        head, call, body = "($id: UUID!)", f"{root}(id: $id)", sel
        idempotent = kind != "destroy"
    else:  # delete_where / restore_where / destroy_where
        root = f"{kind.split('_')[0]}{many}"
        head, call, body = f"($filter: {flt}!)", f"{root}(filter: $filter)", sel
        idempotent = not kind.startswith("destroy")
    return Operation(
        name=name,
        document=f"{q} {name}{head} {{ {call} {{ {body} }} }}",
        endpoint="graphql",
        kind=q,
        root_fields=(root,),
        result_type=dict,
        idempotent=idempotent,
    )


def _given(value: Any) -> Any:
    return None if isinstance(value, NotGiven) else value


class DynamicObjectApi:
    """Records of one object by its ``nameSingular``, as dicts (see the module docstring).

    Raises :class:`~twenty_gql.errors.ObjectNotFoundError` on first use when the workspace
    has no such object, :class:`~twenty_gql.errors.RecordNotFoundError` where a record is
    required and none matches, :class:`~twenty_gql.errors.EmptyResultError` when a write
    answers null.
    """

    __slots__ = ("_catalog", "_client", "name")

    def __init__(self, client: _Client, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"object name must be a non-empty string, got {name!r}")
        self._client = client
        self.name = name
        self._catalog = _catalog(client)

    def __repr__(self) -> str:
        return f"<DynamicObjectApi {self.name!r}>"

    # -- plumbing -------------------------------------------------------------------------------

    async def _refresh(self) -> None:
        cat = self._catalog
        cat.load(await DataModel(self._client).objects())
        used = {f.type for o in cat.objects.values() for f in o.fields}
        new = (used & COMPOSITE_SUBFIELDS.keys()) - cat.asked
        if new:  # composite types are asked about once per client
            cat.asked |= new
            cat.composites.update(await composite_selections(self._client, new))

    async def info(self) -> ObjectInfo:
        """The object's metadata (read from the workspace on first use)."""
        obj = self._catalog.objects.get(self.name)
        if obj is None:
            await self._refresh()
            obj = self._catalog.objects.get(self.name)
        if obj is None:
            plural = [
                o.name_singular
                for o in self._catalog.objects.values()
                if o.name_plural == self.name
            ]
            hint = f" (did you mean {plural[0]!r}? use the nameSingular)" if plural else ""
            raise ObjectNotFoundError(
                f"the workspace has no object named {self.name!r}{hint}", object_name=self.name
            )
        return obj

    async def _fresh_for(self, data: Mapping[str, Any]) -> None:
        """Read the data model again when ``data`` names a field the last read did not have
        (a field created since), so the answer selects it too."""
        obj = await self.info()
        known = {f.name for f in obj.fields} | {f"{f.name}Id" for f in obj.fields}
        if any(k not in known for k in data):
            await self._refresh()

    async def _op(self, kind: Kind, args: frozenset[str] = frozenset()) -> Operation[Any]:
        obj = await self.info()
        key = (self.name, kind, args)
        op = self._catalog.ops.get(key)
        if op is None:
            op = self._catalog.ops[key] = _document(obj, kind, args, self._catalog.composites)
        return op

    async def _run(self, kind: Kind, variables: dict[str, Any], *, record: bool = False) -> Any:
        """Execute and return the root field's value; on a drift answer (the data model
        changed since it was read) read it again and retry once: nothing was executed.
        ``record``: the value must be an object (a record or a connection), else
        ``EmptyResultError`` naming the root field."""
        args = (
            frozenset(variables)
            if kind in ("find_many", "count")
            else frozenset(k for k in variables if k == "upsert" and variables[k])
        )
        op = await self._op(kind, args)
        try:
            try:
                data = await self._client.execute(op, variables)
            except SchemaDriftError:
                await self._refresh()
                op = await self._op(kind, args)
                data = await self._client.execute(op, variables)
        except GraphQLResponseError as exc:
            self._name_enum_values(exc)
            raise
        root = op.root_fields[0]
        value = data.get(root) if isinstance(data, dict) else None
        if record and not isinstance(value, dict):
            raise EmptyResultError(root, operation=self.name)
        return _with_uuids(value, _id_keys(await self.info()))

    def _name_enum_values(self, exc: GraphQLResponseError) -> None:
        """A wrong SELECT / MULTI_SELECT value: no generated enum names the valid values, the
        field's options (``<Object><Field>Enum``, twenty-api.md 2.3) do."""
        if not exc.enum_name or exc.enum_values or not exc.args:
            return
        obj = self._catalog.objects.get(self.name)
        for f in obj.fields if obj is not None else ():
            if f"{_pascal(self.name)}{_pascal(f.name)}Enum" == exc.enum_name and isinstance(
                f.options, list
            ):
                values = tuple(str(o.get("value")) for o in f.options if isinstance(o, dict))
                exc.enum_values = values
                exc.args = (
                    f"{exc.args[0]} (valid values of {exc.enum_name}: {', '.join(values)})",
                    *exc.args[1:],
                )
                return

    @staticmethod
    def _list(value: Any) -> list[Record]:
        return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []

    @staticmethod
    def _vars(**kw: Any) -> dict[str, Any]:
        return {k: v for k, v in kw.items() if not isinstance(v, NotGiven)}

    # -- reads ----------------------------------------------------------------------------------

    async def _get(self, flt: dict[str, Any]) -> Record | None:
        # Twenty answers a findOne without match with NOT_FOUND (RECORD_NOT_FOUND), or null
        try:
            rec = await self._run("get", {"filter": flt})
        except ObjectNotFoundError:
            raise
        except NotFoundError:
            return None
        return rec if isinstance(rec, dict) else None

    async def get(self, id: Any) -> Record:
        """The record with this id; ``RecordNotFoundError`` if none."""
        rec = await self._get({"id": {"eq": str(id)}})
        if rec is None:
            raise RecordNotFoundError(self.name, id=str(id))
        return rec

    async def find_one(self, *, filter: Mapping[str, Any]) -> Record:
        """The first record matching ``filter``; ``RecordNotFoundError`` if none."""
        rec = await self.find_one_or_none(filter=filter)
        if rec is None:
            raise RecordNotFoundError(self.name, filter=dict(filter))
        return rec

    async def find_one_or_none(self, *, filter: Mapping[str, Any]) -> Record | None:
        """The first record matching ``filter``, or None."""
        return await self._get(dict(filter))

    async def find_many(
        self,
        *,
        filter: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        order_by: Sequence[Mapping[str, Any]] | Mapping[str, Any] | NotGiven = NOT_GIVEN,
        first: int | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        last: int | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
        offset: int | NotGiven = NOT_GIVEN,
    ) -> Page[Record]:
        """One page of records (``Page``: iterate it, ``total_count``, ``end_cursor``)."""
        if isinstance(order_by, Mapping):
            order_by = [order_by]
        v = self._vars(
            filter=filter,
            orderBy=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
            offset=offset,
        )
        page: Page[Record] = Page.from_connection(await self._run("find_many", v, record=True))
        return page

    async def count(self, *, filter: Mapping[str, Any] | NotGiven = NOT_GIVEN) -> int:
        """How many records match ``filter`` (one query selecting only ``totalCount``)."""
        conn = await self._run("count", self._vars(filter=filter))
        return int(conn.get("totalCount") or 0) if isinstance(conn, dict) else 0

    async def iterate(
        self,
        *,
        filter: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        order_by: Sequence[Mapping[str, Any]] | Mapping[str, Any] | NotGiven = NOT_GIVEN,
        page_size: int | None = None,
    ) -> AsyncIterator[Record]:
        """Every record matching ``filter``, page by page (``page_size`` defaults to the
        client's ``page_size_max``)."""
        if isinstance(order_by, Mapping):
            order_by = [order_by]
        variables = self._vars(filter=filter, orderBy=order_by)

        async def fetch(page_variables: dict[str, Any]) -> Any:
            return await self._run("find_many", page_variables, record=True)

        async for rec in walk(
            fetch,
            variables,
            page_size=page_size,
            limit=self._client.page_size_max,
            name=f"{self.name} find_many",
        ):
            yield rec

    async def find_deleted(
        self,
        *,
        filter: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        order_by: Sequence[Mapping[str, Any]] | Mapping[str, Any] | NotGiven = NOT_GIVEN,
        first: int | NotGiven = NOT_GIVEN,
        after: str | NotGiven = NOT_GIVEN,
        last: int | NotGiven = NOT_GIVEN,
        before: str | NotGiven = NOT_GIVEN,
    ) -> Page[Record]:
        """One page of soft-deleted records (the trash) matching ``filter``."""
        return await self.find_many(
            filter=trash_filter(_given(filter)),
            order_by=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    def iterate_deleted(
        self,
        *,
        filter: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        order_by: Sequence[Mapping[str, Any]] | Mapping[str, Any] | NotGiven = NOT_GIVEN,
        page_size: int | None = None,
    ) -> AsyncIterator[Record]:
        """Every soft-deleted record matching ``filter``."""
        return self.iterate(
            filter=trash_filter(_given(filter)), order_by=order_by, page_size=page_size
        )

    # -- writes ---------------------------------------------------------------------------------

    async def create(self, data: Mapping[str, Any], *, upsert: bool = False) -> Record:
        """Create one record (``upsert=True``: update the one matching its id / a unique
        field instead)."""
        await self._fresh_for(data)
        v: dict[str, Any] = {"data": dict(data)}
        if upsert:
            v["upsert"] = True
        rec: Record = await self._run("create", v, record=True)
        return rec

    async def create_many(
        self,
        records: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
        *,
        upsert: bool = False,
        on_duplicate: OnDuplicate = "error",
        batch_size: int | None = None,
        concurrency: int | None = None,
        on_progress: Callable[[BulkProgress], object] | None = None,
        checkpoint: str | None = None,
        keep_records: bool = True,
        max_retries: int = 8,
        outage_tolerance: float = DEFAULT_OUTAGE_TOLERANCE,
        deadline: float | None = None,
    ) -> BulkResult[Record, Mapping[str, Any]]:
        """Create or upsert any number of records through ``twenty_gql.bulk.create_many``
        (chunked to the batch limit, per-record outcome)."""
        obj = await self.info()
        op = await self._op("create_many", frozenset({"upsert"}) if upsert else frozenset())
        root = op.root_fields[0]
        unique = tuple(sorted(f.name for f in obj.fields if _upsert_key(f)))
        keys = _id_keys(obj)
        return await _create_many(
            cast(Any, self._client),
            op,
            records,
            upsert=upsert,
            result=lambda d: (
                _with_uuids(self._list(d.get(root)), keys) if isinstance(d, dict) else None
            ),
            unique_fields=unique,
            on_duplicate=on_duplicate,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            checkpoint=checkpoint,
            keep_records=keep_records,
            max_retries=max_retries,
            outage_tolerance=outage_tolerance,
            deadline=deadline,
        )

    async def update(self, id: Any, data: Mapping[str, Any]) -> Record:
        """Update one record by id; keys left out are not sent, ``None`` sets null."""
        await self._fresh_for(data)
        rec: Record = await self._run("update", {"id": str(id), "data": dict(data)}, record=True)
        return rec

    async def update_where(
        self, *, filter: Mapping[str, Any], data: Mapping[str, Any]
    ) -> list[Record]:
        """Update every record matching ``filter``; the updated records."""
        return self._list(
            await self._run("update_where", {"filter": dict(filter), "data": dict(data)})
        )

    async def delete(self, id: Any) -> Record:
        """Soft-delete one record (to the trash; ``restore`` brings it back)."""
        rec: Record = await self._run("delete", {"id": str(id)}, record=True)
        return rec

    async def delete_where(self, *, filter: Mapping[str, Any]) -> list[Record]:
        """Soft-delete every record matching ``filter``."""
        return self._list(await self._run("delete_where", {"filter": dict(filter)}))

    async def restore(self, id: Any) -> Record:
        """Restore one soft-deleted record."""
        rec: Record = await self._run("restore", {"id": str(id)}, record=True)
        return rec

    async def restore_where(self, *, filter: Mapping[str, Any]) -> list[Record]:
        """Restore every soft-deleted record matching ``filter``."""
        return self._list(await self._run("restore_where", {"filter": dict(filter)}))

    async def destroy(self, id: Any) -> Record:
        """Permanently delete one record."""
        rec: Record = await self._run("destroy", {"id": str(id)}, record=True)
        return rec

    async def destroy_where(self, *, filter: Mapping[str, Any]) -> list[Record]:
        """Permanently delete every record matching ``filter``."""
        return self._list(await self._run("destroy_where", {"filter": dict(filter)}))


def _id_keys(obj: ObjectInfo) -> frozenset[str]:
    """The record keys holding a record id: ``id``, each many-to-one relation's ``<name>Id``
    and UUID fields. They decode to ``uuid.UUID`` like the typed facade's (one identity type:
    ``rec["companyId"] == company.id`` holds whichever facade read them)."""
    keys = {"id"}
    for f in obj.fields:
        if f.type == "UUID":
            keys.add(f.name)
        elif f.type == "RELATION" and f.relation is not None and f.relation.kind == "MANY_TO_ONE":
            keys.add(f"{f.name}Id")
    return frozenset(keys)


def _with_uuids(value: Any, keys: frozenset[str]) -> Any:
    """``value`` (a record, a list of records or a connection) with the id strings under
    ``keys`` turned into ``uuid.UUID`` (in place; a string that is no UUID is left as is)."""
    if isinstance(value, list):
        for item in value:
            _with_uuids(item, keys)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                if k in keys:
                    with contextlib.suppress(ValueError):
                        value[k] = uuid.UUID(v)
            elif isinstance(v, (dict, list)):
                _with_uuids(v, keys)
    return value


def _upsert_key(f: FieldInfo) -> bool:
    return f.name == "id" or bool(f.is_unique and f.is_active is not False)
