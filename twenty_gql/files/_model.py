"""The workspace's data model as files need it (cached): FILES fields, the attachment's join
column for an object, and whether the server's ``FileObject`` has a signed ``url``."""

from __future__ import annotations

from typing import Any

from twenty_gql.client import TwentyClient
from twenty_gql.files._values import _ident, _pascal

_MODEL = """query TwentyGqlFilesModel {
  objects(paging: {first: 1000}) {
    edges { node { id nameSingular namePlural fieldsList {
      id name type settings morphRelations { targetObjectMetadata { nameSingular } }
    } } }
  }
}"""
_FILE_OBJECT = (
    """query TwentyGqlFileObjectShape { __type(name: "FileObject") { fields { name } } }"""
)


class _DataModel:
    """The data-model lookups of :class:`~twenty_gql.files.Files` (a base class of it)."""

    client: TwentyClient
    _model: dict[str, dict[str, Any]] | None
    _file_object_fields: frozenset[str] | None

    async def _objects(self) -> dict[str, dict[str, Any]]:
        if self._model is None:
            data = await self.client.execute_raw(
                _MODEL, endpoint="metadata", operation_name="TwentyGqlFilesModel", idempotent=True
            )
            edges = ((data.get("objects") or {}).get("edges")) or []
            model: dict[str, dict[str, Any]] = {}
            for edge in edges:
                node = edge.get("node") or {}
                fields = {f["name"]: f for f in node.get("fieldsList") or [] if "name" in f}
                model[node.get("nameSingular", "")] = {**node, "fields": fields}
            self._model = model
        return self._model

    async def _object(self, name: str, field_name: str | None = None) -> dict[str, Any]:
        """The object's metadata; fetched again once when it (or ``field_name``) is missing
        from the cached model (the data model may have changed since)."""
        _ident("object", name)
        obj = (await self._objects()).get(name)
        if obj is None or (field_name is not None and field_name not in obj["fields"]):
            self._model = None
            obj = (await self._objects()).get(name)
        if obj is None:
            raise ValueError(f"no object named {name!r} in this workspace")
        return obj

    async def _files_field(self, object: str, field_name: str) -> dict[str, Any]:
        obj = await self._object(object, _ident("field", field_name))
        fld: dict[str, Any] | None = obj["fields"].get(field_name)
        if fld is None:
            raise ValueError(f"{object} has no field {field_name!r}")
        if fld.get("type") != "FILES":
            raise ValueError(f"{object}.{field_name} is a {fld.get('type')} field, not FILES")
        return fld

    async def _files_fields(self, object: str) -> list[str]:
        obj = await self._object(object)
        return sorted(n for n, f in obj["fields"].items() if f.get("type") == "FILES")

    async def _attachment_column(self, object: str) -> str | None:
        """The attachment join column pointing at ``object`` (``targetCompanyId`` in newer
        Twenty, ``companyId`` in older), or None when attachments cannot target it."""
        model = await self._objects()
        attachment = model.get("attachment")
        if attachment is None:
            return None
        fields = attachment["fields"]
        for fld in fields.values():  # Twenty >= 1.x: one MORPH_RELATION field, e.g. `target`
            targets = fld.get("morphRelations") or []
            if fld.get("type") == "MORPH_RELATION" and any(
                (rel.get("targetObjectMetadata") or {}).get("nameSingular") == object
                for rel in targets
            ):
                return f"{fld['name']}{_pascal(object)}Id"  # its core view: targetCompanyId
        for name in (f"target{_pascal(object)}", object):  # per-target relation fields
            fld = fields.get(name)
            if fld is not None and fld.get("type") in ("RELATION", "MORPH_RELATION"):
                settings = fld.get("settings") or {}
                join = settings.get("joinColumnName") if isinstance(settings, dict) else None
                return str(join or f"{name}Id")
        return None

    async def _file_object_has(self, name: str) -> bool:
        if self._file_object_fields is None:
            data = await self.client.execute_raw(
                _FILE_OBJECT, operation_name="TwentyGqlFileObjectShape", idempotent=True
            )
            t = data.get("__type") or {}
            self._file_object_fields = frozenset(f["name"] for f in t.get("fields") or [])
        return name in self._file_object_fields

    async def _file_selection(self) -> str:
        return "fileId label url" if await self._file_object_has("url") else "fileId label"
