"""``DataModel(client)``: the workspace's data model with flat keyword arguments.

The metadata API (``/metadata``) takes GraphQL-shaped nesting (``input={"field": {...,
"relationCreationPayload": {...}}}``) and ids; this facade takes names::

    dm = DataModel(client)                       # or CoreApi(client).data_model
    invoice = await dm.create_object(name_singular="invoice", name_plural="invoices",
                                     label_singular="Invoice", label_plural="Invoices")
    await dm.create_number_field("invoice", name="amount", label="Amount")
    await dm.create_select_field("invoice", name="status", label="Status",
                                 options=[("DRAFT", "Draft"), ("PAID", "Paid")], default="DRAFT")
    await dm.create_relation_field(from_object="invoice", to_object="company", name="company",
                                   label="Company", target_name="invoices",
                                   target_label="Invoices")
    await dm.delete_field("invoice", "amount")   # deactivates first, as Twenty requires

Names are checked before anything is sent (:class:`~twenty_gql.errors.MetadataNameError`); an
unknown object or field raises :class:`~twenty_gql.errors.ObjectNotFoundError`. Results are
frozen :class:`ObjectInfo` / :class:`FieldInfo`. The documents are written here, once (no
code generation needed): the generated ``MetadataApi`` remains for everything else.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, Protocol, TypeVar

import msgspec

from twenty_gql.errors import MetadataNameError, ObjectNotFoundError
from twenty_gql.operation import Operation

__all__ = [
    "DataModel",
    "FieldInfo",
    "ObjectInfo",
    "RelationInfo",
    "SelectOption",
]

T = TypeVar("T")
RelationKind = Literal["MANY_TO_ONE", "ONE_TO_MANY"]


class _Executor(Protocol):
    async def execute(
        self,
        op: Operation[T],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> T: ...


class RelationInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A relation field's other side: ``kind`` seen from this field, the target object's
    ``nameSingular`` and the inverse field's name."""

    kind: str
    target_object: str
    target_field: str


class FieldInfo(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One field of an object, as the metadata API describes it."""

    id: uuid.UUID
    name: str
    label: str
    type: str
    object_metadata_id: uuid.UUID
    description: str | None = None
    icon: str | None = None
    is_active: bool | None = None
    is_system: bool | None = None
    is_nullable: bool | None = None
    is_unique: bool | None = None
    default_value: Any = None
    options: Any = None
    relation: RelationInfo | None = None


class ObjectInfo(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One object of the data model, with its fields."""

    id: uuid.UUID
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    description: str | None = None
    icon: str | None = None
    is_active: bool = True
    is_system: bool = False
    fields: tuple[FieldInfo, ...] = msgspec.field(default=(), name="fieldsList")

    def field(self, name: str) -> FieldInfo:
        """The field named ``name``; ``ObjectNotFoundError`` when the object has none."""
        for f in self.fields:
            if f.name == name:
                return f
        raise ObjectNotFoundError(
            f"object {self.name_singular!r} has no field {name!r} (fields: "
            f"{', '.join(sorted(f.name for f in self.fields))})",
            object_name=self.name_singular,
            field_name=name,
        )


class SelectOption(msgspec.Struct, frozen=True):
    """One option of a SELECT / MULTI_SELECT field (``color`` picked when left out)."""

    value: str
    label: str
    color: str | None = None


# -- documents ------------------------------------------------------------------------------------

_FIELD = (
    "fragment DMField on Field { id name label type description icon isActive isSystem "
    "isNullable isUnique defaultValue options objectMetadataId relation { type "
    "targetObjectMetadata { nameSingular } targetFieldMetadata { name } } }"
)
_OBJECT = (
    "fragment DMObject on Object { id nameSingular namePlural labelSingular labelPlural "
    "description icon isActive isSystem fieldsList { ...DMField } }"
)


def _op(name: str, kind: Literal["query", "mutation"], root: str, body: str) -> Operation[Any]:
    frags = _OBJECT + " " + _FIELD if "DMObject" in body else _FIELD if "DMField" in body else ""
    return Operation(
        name=name,
        document=f"{kind} {name}{body} {frags}".strip(),
        endpoint="metadata",
        kind=kind,
        root_fields=(root,),
        result_type=dict,
        idempotent=kind == "query" or root.startswith("update"),
    )


_LIST = _op(
    "DataModelObjects",
    "query",
    "objects",
    "($after: ConnectionCursor) { objects(paging: {first: 1000, after: $after}) "
    "{ edges { node { ...DMObject } } pageInfo { hasNextPage endCursor } } }",
)
_CREATE_OBJECT = _op(
    "DataModelCreateObject",
    "mutation",
    "createOneObject",
    "($input: CreateOneObjectInput!) { createOneObject(input: $input) { ...DMObject } }",
)
_UPDATE_OBJECT = _op(
    "DataModelUpdateObject",
    "mutation",
    "updateOneObject",
    "($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { ...DMObject } }",
)
_DELETE_OBJECT = _op(
    "DataModelDeleteObject",
    "mutation",
    "deleteOneObject",
    "($input: DeleteOneObjectInput!) { deleteOneObject(input: $input) { id } }",
)
_CREATE_FIELD = _op(
    "DataModelCreateField",
    "mutation",
    "createOneField",
    "($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { ...DMField } }",
)
_UPDATE_FIELD = _op(
    "DataModelUpdateField",
    "mutation",
    "updateOneField",
    "($input: UpdateOneFieldMetadataInput!) { updateOneField(input: $input) { ...DMField } }",
)
_DELETE_FIELD = _op(
    "DataModelDeleteField",
    "mutation",
    "deleteOneField",
    "($input: DeleteOneFieldInput!) { deleteOneField(input: $input) { id } }",
)

# -- validation (Twenty's IsValidMetadataName: camelCase; names at most 63 characters) ----------

_CAMEL: Final = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_OPTION_VALUE: Final = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_MAX_NAME: Final = 63
_COLORS: Final = (
    "green",
    "turquoise",
    "sky",
    "blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
    "gray",
)


def _name(what: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise MetadataNameError(
            f"{what} must be a non-empty string, got {value!r}", what=what, value=value
        )
    if not _CAMEL.match(value):
        raise MetadataNameError(
            f"{what} {value!r} must be camelCase (a lower-case letter, then letters and digits: "
            f"e.g. {_camel_hint(value)!r})",
            what=what,
            value=value,
        )
    if len(value) > _MAX_NAME:
        raise MetadataNameError(
            f"{what} {value!r} is longer than {_MAX_NAME} characters", what=what, value=value
        )
    return value


def _camel_hint(value: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", value) or ["name"]
    first = words[0].lstrip("0123456789") or "name"
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _label(what: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MetadataNameError(
            f"{what} must be a non-empty string, got {value!r}", what=what, value=value
        )
    return value


def _quoted(value: str) -> str:
    """Twenty stores text / select defaults as SQL literals: ``'value'``."""
    return "'" + value.replace("'", "''") + "'"


def _options(options: Iterable[SelectOption | tuple[str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, opt in enumerate(options):
        if isinstance(opt, SelectOption):
            value, label, color = opt.value, opt.label, opt.color
        elif isinstance(opt, tuple) and len(opt) == 2:
            value, label, color = opt[0], opt[1], None
        else:
            raise MetadataNameError(
                f"options[{i}] must be a (value, label) pair or a SelectOption, got {opt!r}",
                what=f"options[{i}]",
                value=opt,
            )
        if not isinstance(value, str) or not _OPTION_VALUE.match(value):
            raise MetadataNameError(
                f"options[{i}] value {value!r} must match [_A-Za-z][_0-9A-Za-z]* "
                "(e.g. 'IN_PROGRESS')",
                what=f"options[{i}].value",
                value=value,
            )
        if value in seen:
            raise MetadataNameError(
                f"options[{i}] repeats the value {value!r}", what=f"options[{i}].value", value=value
            )
        seen.add(value)
        out.append(
            {
                "value": value,
                "label": _label(f"options[{i}].label", label),
                "position": i,
                "color": color or _COLORS[i % len(_COLORS)],
            }
        )
    if not out:
        raise MetadataNameError("options must not be empty", what="options", value=[])
    return out


def _object_info(raw: Any) -> ObjectInfo:
    node = dict(raw)
    node["fieldsList"] = [_flat_field(f) for f in node.get("fieldsList") or ()]
    return msgspec.convert(node, ObjectInfo)


def _flat_field(raw: Mapping[str, Any]) -> dict[str, Any]:
    node = dict(raw)
    rel = node.get("relation")
    if isinstance(rel, Mapping):
        node["relation"] = {
            "kind": rel.get("type"),
            "target_object": (rel.get("targetObjectMetadata") or {}).get("nameSingular"),
            "target_field": (rel.get("targetFieldMetadata") or {}).get("name"),
        }
    return node


def _field_info(raw: Any) -> FieldInfo:
    return msgspec.convert(_flat_field(raw), FieldInfo)


class DataModel:
    """The flat metadata facade over one client (see the module docstring).

    Objects are looked up by ``nameSingular``; every lookup reads the data model afresh
    (one ``objects`` query), so a change made elsewhere is seen at once.
    """

    __slots__ = ("_client",)

    def __init__(self, client: _Executor) -> None:
        self._client = client

    # -- objects --------------------------------------------------------------------------------

    async def objects(self) -> list[ObjectInfo]:
        """Every object of the workspace (active or not, system ones included), with fields."""
        out: list[ObjectInfo] = []
        after: str | None = None
        while True:
            data = await self._client.execute(_LIST, {"after": after} if after else None)
            conn = data["objects"]
            out.extend(_object_info(e["node"]) for e in conn["edges"])
            info = conn.get("pageInfo") or {}
            after = info.get("endCursor")
            if not info.get("hasNextPage") or not after:
                return out

    async def get_object(self, name: str) -> ObjectInfo:
        """The object whose ``nameSingular`` is ``name``; ``ObjectNotFoundError`` if none."""
        _name("name", name)
        found = await self.objects()
        for obj in found:
            if obj.name_singular == name:
                return obj
        close = sorted(o.name_singular for o in found if o.name_plural == name)
        hint = f" (did you mean {close[0]!r}? objects are named by nameSingular)" if close else ""
        raise ObjectNotFoundError(
            f"the workspace has no object named {name!r}{hint}", object_name=name
        )

    async def create_object(
        self,
        *,
        name_singular: str,
        name_plural: str,
        label_singular: str,
        label_plural: str,
        description: str | None = None,
        icon: str | None = None,
    ) -> ObjectInfo:
        """Create a custom object (Twenty adds its standard fields: id, name, createdAt...)."""
        obj: dict[str, Any] = {
            "nameSingular": _name("name_singular", name_singular),
            "namePlural": _name("name_plural", name_plural),
            "labelSingular": _label("label_singular", label_singular),
            "labelPlural": _label("label_plural", label_plural),
        }
        if name_singular == name_plural:
            raise MetadataNameError(
                f"name_singular and name_plural must differ, both are {name_singular!r}",
                what="name_plural",
                value=name_plural,
            )
        if description is not None:
            obj["description"] = description
        if icon is not None:
            obj["icon"] = icon
        data = await self._client.execute(_CREATE_OBJECT, {"input": {"object": obj}})
        return _object_info(data["createOneObject"])

    async def update_object(
        self,
        name: str,
        *,
        name_singular: str | None = None,
        name_plural: str | None = None,
        label_singular: str | None = None,
        label_plural: str | None = None,
        description: str | None = None,
        icon: str | None = None,
        is_active: bool | None = None,
    ) -> ObjectInfo:
        """Change the object named ``name``; arguments left as None are not sent."""
        update: dict[str, Any] = {}
        if name_singular is not None:
            update["nameSingular"] = _name("name_singular", name_singular)
        if name_plural is not None:
            update["namePlural"] = _name("name_plural", name_plural)
        if label_singular is not None:
            update["labelSingular"] = _label("label_singular", label_singular)
        if label_plural is not None:
            update["labelPlural"] = _label("label_plural", label_plural)
        for key, value in (("description", description), ("icon", icon), ("isActive", is_active)):
            if value is not None:
                update[key] = value
        if not update:
            raise MetadataNameError(
                "update_object() was given nothing to change", what="update", value={}
            )
        obj = await self.get_object(name)
        data = await self._client.execute(
            _UPDATE_OBJECT, {"input": {"id": str(obj.id), "update": update}}
        )
        return _object_info(data["updateOneObject"])

    async def delete_object(self, name: str) -> uuid.UUID:
        """Delete the custom object named ``name`` and its records; returns its id."""
        obj = await self.get_object(name)
        data = await self._client.execute(_DELETE_OBJECT, {"input": {"id": str(obj.id)}})
        return uuid.UUID(str(data["deleteOneObject"]["id"]))

    # -- fields ---------------------------------------------------------------------------------

    async def _create_field(
        self, object: str, ftype: str, name: str, label: str, extra: dict[str, Any]
    ) -> FieldInfo:
        field = {
            "type": ftype,
            "name": _name("name", name),
            "label": _label("label", label),
            **extra,
        }
        obj = await self.get_object(object)
        field["objectMetadataId"] = str(obj.id)
        data = await self._client.execute(_CREATE_FIELD, {"input": {"field": field}})
        return _field_info(data["createOneField"])

    @staticmethod
    def _common(description: str | None, nullable: bool | None, icon: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if description is not None:
            out["description"] = description
        if nullable is not None:
            out["isNullable"] = nullable
        if icon is not None:
            out["icon"] = icon
        return out

    async def create_text_field(
        self,
        object: str,
        *,
        name: str,
        label: str,
        description: str | None = None,
        nullable: bool | None = None,
        default: str | None = None,
        icon: str | None = None,
    ) -> FieldInfo:
        """Add a TEXT field to ``object`` (its ``nameSingular``)."""
        extra = self._common(description, nullable, icon)
        if default is not None:
            if not isinstance(default, str):
                raise MetadataNameError(
                    f"default of a text field must be a str, got {default!r}",
                    what="default",
                    value=default,
                )
            extra["defaultValue"] = _quoted(default)
        return await self._create_field(object, "TEXT", name, label, extra)

    async def create_number_field(
        self,
        object: str,
        *,
        name: str,
        label: str,
        description: str | None = None,
        nullable: bool | None = None,
        default: float | None = None,
        decimals: int | None = None,
        icon: str | None = None,
    ) -> FieldInfo:
        """Add a NUMBER field to ``object``; ``decimals`` is the display precision."""
        extra = self._common(description, nullable, icon)
        if default is not None:
            if isinstance(default, bool) or not isinstance(default, (int, float)):
                raise MetadataNameError(
                    f"default of a number field must be a number, got {default!r}",
                    what="default",
                    value=default,
                )
            extra["defaultValue"] = default
        if decimals is not None:
            extra["settings"] = {"decimals": decimals}
        return await self._create_field(object, "NUMBER", name, label, extra)

    async def create_select_field(
        self,
        object: str,
        *,
        name: str,
        label: str,
        options: Sequence[SelectOption | tuple[str, str]],
        default: str | None = None,
        description: str | None = None,
        nullable: bool | None = None,
        icon: str | None = None,
    ) -> FieldInfo:
        """Add a SELECT field; ``options`` are ``(value, label)`` pairs or ``SelectOption``;
        ``default`` is one of the values."""
        opts = _options(options)
        extra = self._common(description, nullable, icon)
        extra["options"] = opts
        if default is not None:
            self._check_default(default, opts)
            extra["defaultValue"] = _quoted(default)
        return await self._create_field(object, "SELECT", name, label, extra)

    async def create_multi_select_field(
        self,
        object: str,
        *,
        name: str,
        label: str,
        options: Sequence[SelectOption | tuple[str, str]],
        default: Sequence[str] | None = None,
        description: str | None = None,
        nullable: bool | None = None,
        icon: str | None = None,
    ) -> FieldInfo:
        """Add a MULTI_SELECT field; ``default`` is a list of option values."""
        opts = _options(options)
        extra = self._common(description, nullable, icon)
        extra["options"] = opts
        if default is not None:
            for d in default:
                self._check_default(d, opts)
            extra["defaultValue"] = [_quoted(d) for d in default]
        return await self._create_field(object, "MULTI_SELECT", name, label, extra)

    @staticmethod
    def _check_default(default: object, opts: list[dict[str, Any]]) -> None:
        values = [o["value"] for o in opts]
        if default not in values:
            raise MetadataNameError(
                f"default {default!r} is not one of the option values {values}",
                what="default",
                value=default,
            )

    async def create_relation_field(
        self,
        *,
        from_object: str,
        to_object: str,
        name: str,
        label: str,
        target_name: str,
        target_label: str,
        kind: RelationKind = "MANY_TO_ONE",
        icon: str | None = None,
        target_icon: str | None = None,
        description: str | None = None,
    ) -> FieldInfo:
        """Relate ``from_object`` to ``to_object``: a field ``name`` on ``from_object`` and its
        inverse ``target_name`` on ``to_object``. ``kind`` is seen from ``from_object``:
        MANY_TO_ONE (each ``from`` record points at one ``to`` record: ``<name>Id``) or
        ONE_TO_MANY."""
        if kind not in ("MANY_TO_ONE", "ONE_TO_MANY"):
            raise MetadataNameError(
                f"kind must be 'MANY_TO_ONE' or 'ONE_TO_MANY', got {kind!r}",
                what="kind",
                value=kind,
            )
        _name("target_name", target_name)
        _label("target_label", target_label)
        target = await self.get_object(to_object)
        payload: dict[str, Any] = {
            "type": kind,
            "targetObjectMetadataId": str(target.id),
            "targetFieldName": target_name,
            "targetFieldLabel": target_label,
            "targetFieldIcon": target_icon or "IconLink",
        }
        extra = self._common(description, None, icon)
        extra["relationCreationPayload"] = payload
        return await self._create_field(from_object, "RELATION", name, label, extra)

    async def deactivate_field(self, object: str, name: str) -> FieldInfo:
        """Deactivate a field (hidden, data kept); a no-op read when it already is inactive."""
        fld = (await self.get_object(object)).field(_name("name", name))
        if fld.is_active is False:
            return fld
        data = await self._client.execute(
            _UPDATE_FIELD, {"input": {"id": str(fld.id), "update": {"isActive": False}}}
        )
        return _field_info(data["updateOneField"])

    async def delete_field(self, object: str, name: str) -> uuid.UUID:
        """Delete a field and its data (deactivating it first, as Twenty requires); returns
        its id."""
        fld = (await self.get_object(object)).field(_name("name", name))
        if fld.is_active and fld.type not in ("RELATION", "MORPH_RELATION"):
            await self._client.execute(
                _UPDATE_FIELD, {"input": {"id": str(fld.id), "update": {"isActive": False}}}
            )
        data = await self._client.execute(_DELETE_FIELD, {"input": {"id": str(fld.id)}})
        return uuid.UUID(str(data["deleteOneField"]["id"]))
