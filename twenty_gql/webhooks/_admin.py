"""``Webhooks``: create / list / get / update / delete a workspace's webhooks on ``/metadata``
(Twenty 2.43: ``webhooks``, ``webhook(id)``, ``createWebhook``, ``updateWebhook``,
``deleteWebhook``), with flat arguments. The secret is never part of a repr or a log line.

    async with TwentyClient(url, key) as client:
        hooks = Webhooks(client)
        hook = await hooks.create("https://example.com/twenty", ["company.*"], secret=secret)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec

from twenty_gql.client import TwentyClient
from twenty_gql.errors import NotFoundError
from twenty_gql.operation import Operation

from ._events import ACTIONS

__all__ = ["Webhook", "Webhooks", "check_operations"]

_OPERATION = re.compile(r"^(\*|[A-Za-z][A-Za-z0-9_]*)\.(\*|[a-z]+)$")
_FIELDS = "id targetUrl operations description secret applicationId createdAt updatedAt deletedAt"


class Webhook(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A webhook as ``/metadata`` returns it. ``secret`` is readable but never in the repr."""

    id: str
    target_url: str
    operations: tuple[str, ...]
    description: str | None = None
    secret: str = ""
    application_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None

    def __repr__(self) -> str:
        return (
            f"Webhook(id={self.id!r}, target_url={self.target_url!r}, "
            f"operations={self.operations!r}, description={self.description!r})"
        )

    __str__ = __repr__


class _List(msgspec.Struct, frozen=True):
    webhooks: list[Webhook]


class _Get(msgspec.Struct, frozen=True):
    webhook: Webhook | None


class _Create(msgspec.Struct, frozen=True, rename={"webhook": "createWebhook"}):
    webhook: Webhook


class _Update(msgspec.Struct, frozen=True, rename={"webhook": "updateWebhook"}):
    webhook: Webhook


class _Delete(msgspec.Struct, frozen=True, rename={"webhook": "deleteWebhook"}):
    webhook: Webhook


def _op(name: str, kind: Any, root: str, document: str, result: Any, idempotent: bool) -> Any:
    return Operation(
        name=name,
        document=document,
        endpoint="metadata",
        kind=kind,
        root_fields=(root,),
        result_type=result,
        idempotent=idempotent,
    )


LIST_WEBHOOKS: Operation[_List] = _op(
    "ListWebhooks",
    "query",
    "webhooks",
    f"query ListWebhooks {{ webhooks {{ {_FIELDS} }} }}",
    _List,
    True,
)
GET_WEBHOOK: Operation[_Get] = _op(
    "GetWebhook",
    "query",
    "webhook",
    f"query GetWebhook($id: UUID!) {{ webhook(id: $id) {{ {_FIELDS} }} }}",
    _Get,
    True,
)
CREATE_WEBHOOK: Operation[_Create] = _op(
    "CreateWebhook",
    "mutation",
    "createWebhook",
    "mutation CreateWebhook($input: CreateWebhookInput!) "
    f"{{ createWebhook(input: $input) {{ {_FIELDS} }} }}",
    _Create,
    False,
)
UPDATE_WEBHOOK: Operation[_Update] = _op(
    "UpdateWebhook",
    "mutation",
    "updateWebhook",
    "mutation UpdateWebhook($input: UpdateWebhookInput!) "
    f"{{ updateWebhook(input: $input) {{ {_FIELDS} }} }}",
    _Update,
    True,
)
DELETE_WEBHOOK: Operation[_Delete] = _op(
    "DeleteWebhook",
    "mutation",
    "deleteWebhook",
    f"mutation DeleteWebhook($id: UUID!) {{ deleteWebhook(id: $id) {{ {_FIELDS} }} }}",
    _Delete,
    True,
)


def check_operations(operations: Sequence[str]) -> list[str]:
    """``operations`` as a list, after checking each is ``<object|*>.<action|*>`` with a known
    action (a typo would silently never match on the server)."""
    if isinstance(operations, str) or not isinstance(operations, Sequence):
        raise ValueError(f"operations must be a list of strings, got {operations!r}")
    if not operations:
        raise ValueError("operations must name at least one event, e.g. ['*.*']")
    out: list[str] = []
    for op in operations:
        m = _OPERATION.match(op) if isinstance(op, str) else None
        if m is None or (m.group(2) != "*" and m.group(2) not in ACTIONS):
            raise ValueError(
                f"bad webhook operation {op!r}: expected '<object|*>.<action|*>' with an action "
                f"in {', '.join(ACTIONS)}"
            )
        out.append(op)
    return out


class Webhooks:
    """The webhooks of the workspace ``client`` talks to (needs the API key's
    API_KEYS_AND_WEBHOOKS permission)."""

    def __init__(self, client: TwentyClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"Webhooks({self.client!r})"

    async def list(self) -> list[Webhook]:
        """Every webhook of the workspace (oldest first)."""
        return (await self.client.execute(LIST_WEBHOOKS)).webhooks

    async def get(self, id: str) -> Webhook:
        """The webhook ``id``; raises ``NotFoundError`` when there is none."""
        found = await self.get_or_none(id)
        if found is None:
            raise NotFoundError(f"Webhook {id} not found", code="NOT_FOUND", operation="GetWebhook")
        return found

    async def get_or_none(self, id: str) -> Webhook | None:
        return (await self.client.execute(GET_WEBHOOK, {"id": id})).webhook

    async def create(
        self,
        target_url: str,
        operations: Sequence[str] = ("*.*",),
        *,
        secret: str | None = None,
        description: str | None = None,
        id: str | None = None,
    ) -> Webhook:
        """Register ``target_url`` for ``operations`` (``company.created``, ``*.updated``,
        ``person.*``, ``*.*``). Without ``secret`` the server generates one (read it from the
        result). Sends a client-generated ``id`` when given, which makes a resend safe."""
        if not isinstance(target_url, str) or not target_url.startswith(("http://", "https://")):
            raise ValueError(f"target_url must be an http(s) URL, got {target_url!r}")
        data: dict[str, Any] = {"targetUrl": target_url, "operations": check_operations(operations)}
        if secret is not None:
            if not isinstance(secret, str) or not secret:
                raise ValueError("secret must be a non-empty string (or None to let Twenty pick)")
            data["secret"] = secret
        if description is not None:
            data["description"] = description
        if id is not None:
            data["id"] = id
        result = await self.client.execute(
            CREATE_WEBHOOK, {"input": data}, idempotent=id is not None
        )
        return result.webhook

    async def update(
        self,
        id: str,
        *,
        target_url: str | None = None,
        operations: Sequence[str] | None = None,
        secret: str | None = None,
        description: str | None = None,
    ) -> Webhook:
        """Change the given attributes (None: unchanged)."""
        update: dict[str, Any] = {}
        if target_url is not None:
            if not isinstance(target_url, str) or not target_url.startswith(
                ("http://", "https://")
            ):
                raise ValueError(f"target_url must be an http(s) URL, got {target_url!r}")
            update["targetUrl"] = target_url
        if operations is not None:
            update["operations"] = check_operations(operations)
        if secret is not None:
            if not isinstance(secret, str) or not secret:
                raise ValueError("secret must be a non-empty string")
            update["secret"] = secret
        if description is not None:
            update["description"] = description
        if not update:
            raise ValueError(
                "nothing to update: pass target_url, operations, secret or description"
            )
        result = await self.client.execute(UPDATE_WEBHOOK, {"input": {"id": id, "update": update}})
        return result.webhook

    async def delete(self, id: str) -> Webhook:
        """Delete the webhook ``id``; returns it as it was."""
        return (await self.client.execute(DELETE_WEBHOOK, {"id": id})).webhook
