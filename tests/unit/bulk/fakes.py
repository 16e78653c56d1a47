"""A small in-memory model of Twenty's ``create<Plural>`` for bulk unit tests.

It is not a double that accepts anything: it enforces a batch limit (Twenty's message), validates
every record (a batch with one invalid record is rejected whole, nothing applied), implements
upsert matching by id and by a unique key (``domainName.primaryLinkUrl``), rejects duplicate ids
or keys on plain creates, and injects failures the way the runtime surfaces them once its own
retries are exhausted: throttling, 503s, connections dropped before or after the write applied.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twenty_gql.errors import (
    ConnectionDroppedError,
    GraphQLResponseError,
    HTTPStatusError,
    error_from_graphql,
)
from twenty_gql.operation import Operation

CREATE_OP: Operation[dict[str, Any]] = Operation(
    name="CreateCompanies",
    document="mutation CreateCompanies($data: [CompanyCreateInput!]!, $upsert: Boolean) "
    "{ createCompanies(data: $data, upsert: $upsert) { id name } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("createCompanies",),
    result_type=dict,
    idempotent=False,
)
UPDATE_OP: Operation[dict[str, Any]] = Operation(
    name="UpdateCompanies",
    document="mutation UpdateCompanies($data: CompanyUpdateInput!, $filter: CompanyFilterInput!) "
    "{ updateCompanies(data: $data, filter: $filter) { id name } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("updateCompanies",),
    result_type=dict,
    idempotent=True,
)
DELETE_OP: Operation[dict[str, Any]] = Operation(
    name="DeleteCompanies",
    document="mutation DeleteCompanies($filter: CompanyFilterInput!) "
    "{ deleteCompanies(filter: $filter) { id } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("deleteCompanies",),
    result_type=dict,
    idempotent=True,
)


# Failures as the runtime raises them once its own retries are exhausted (the real error types:
# bulk classifies by type).


def FakeGraphQLError(message: str, code: str, sub_code: str | None = None) -> GraphQLResponseError:
    ext = {"code": code, **({"subCode": sub_code} if sub_code else {})}
    return error_from_graphql([{"message": message, "extensions": ext}])


def FakeThrottled() -> GraphQLResponseError:
    return FakeGraphQLError(
        "Limit reached (100 tokens per 2000 ms)", "BAD_USER_INPUT", "LIMIT_REACHED"
    )


def FakeTransportError(message: str) -> ConnectionDroppedError:
    return ConnectionDroppedError(message)


def FakeHTTPStatusError(status: int) -> HTTPStatusError:
    return HTTPStatusError(status, f"HTTP {status}")


class Killed(BaseException):
    """The process died (SIGKILL) — not an Exception, so nothing catches it."""


@dataclass
class FakeServer:
    batch_limit: int = 60
    throttle_rate: float = 0.0
    fault_rate: float = 0.0
    drop_rate: float = 0.0
    drop_after_apply: bool = True
    seed: int = 1
    latency: float = 0.0
    unauthenticated_after: int | None = None
    kill_after: int | None = None  # raise Killed on this call, after the write applied
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: int = 0
    applied_calls: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    records_received: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @staticmethod
    def key_of(record: Mapping[str, Any]) -> str | None:
        dn = record.get("domainName")
        if isinstance(dn, Mapping):
            url = dn.get("primaryLinkUrl")
            return url if isinstance(url, str) and url else None
        return None

    def validate(self, record: Mapping[str, Any]) -> None:
        name = record.get("name")
        if not isinstance(name, str) or name.startswith("BAD"):
            raise FakeGraphQLError(f"Invalid value for field name: {name!r}", "BAD_USER_INPUT")
        if "id" in record and record["id"] is not None:
            try:
                uuid.UUID(str(record["id"]))
            except ValueError:
                raise FakeGraphQLError(f"Invalid UUID {record['id']!r}", "BAD_USER_INPUT") from None

    def apply_create(self, data: list[Mapping[str, Any]], upsert: bool) -> list[dict[str, Any]]:
        if len(data) > self.batch_limit:
            raise FakeGraphQLError(
                f"Maximum number of records to upsert is {self.batch_limit}.",
                "BAD_USER_INPUT",
                "TOO_MANY_RECORDS_TO_UPDATE",
            )
        for record in data:
            self.validate(record)
        by_key = {self.key_of(r): r for r in self.by_id.values() if self.key_of(r)}
        staged: list[tuple[str, dict[str, Any]]] = []
        for record in data:
            rid = record.get("id")
            key = self.key_of(record)
            match = None
            if upsert:
                m_id = self.by_id.get(str(rid)) if rid else None
                m_key = by_key.get(key) if key else None
                if m_id is not None and m_key is not None and m_id is not m_key:
                    raise FakeGraphQLError(
                        "Multiple records found with the same unique field values",
                        "BAD_USER_INPUT",
                        "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT",
                    )
                match = m_id or m_key
            else:
                if rid and str(rid) in self.by_id:
                    raise FakeGraphQLError(
                        "Duplicate Id. Please set a unique one.", "BAD_USER_INPUT"
                    )
                if key and key in by_key:
                    raise FakeGraphQLError(
                        "Duplicate Domain. Please set a unique one.", "BAD_USER_INPUT"
                    )
            if match is not None:
                staged.append((match["id"], {**match, **record, "id": match["id"]}))
            else:
                new_id = str(rid) if rid else str(uuid.uuid4())
                staged.append((new_id, {**record, "id": new_id}))
        out = []
        for rid, rec in staged:
            self.by_id[rid] = rec
            k = self.key_of(rec)
            if k:
                by_key[k] = rec
            out.append({"id": rid, "name": rec.get("name")})
        return out

    def apply_filter(self, variables: Mapping[str, Any], delete: bool) -> list[dict[str, Any]]:
        ids = variables["filter"]["id"]["in"]
        if len(ids) > self.batch_limit:
            raise FakeGraphQLError(
                f"Cannot update more than {self.batch_limit} records at once",
                "BAD_USER_INPUT",
                "TOO_MANY_RECORDS_TO_UPDATE",
            )
        out = []
        for rid in ids:
            rec = self.by_id.get(rid)
            if rec is None:
                continue
            if delete:
                rec["deletedAt"] = "now"
            else:
                rec.update(variables["data"])
            out.append({"id": rid, "name": rec.get("name")})
        return out


class FakeClient:
    """Stands in for TwentyClient: ``execute`` + ``batch_size`` + ``max_concurrency``."""

    def __init__(self, server: FakeServer, batch_size: int = 60, max_concurrency: int = 4) -> None:
        self.server = server
        self.batch_size = batch_size
        self.max_concurrency = max_concurrency
        self.sent: list[tuple[str, int, bool]] = []

    def learn_batch_limit(self, limit: int) -> None:  # as TwentyClient.learn_batch_limit
        self.batch_size = min(self.batch_size, limit)

    async def execute(
        self,
        op: Operation[Any],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        s = self.server
        assert variables is not None
        s.calls += 1
        call_number = s.calls
        s.in_flight += 1
        s.max_in_flight = max(s.max_in_flight, s.in_flight)
        try:
            await asyncio.sleep(s.latency)
            if s.unauthenticated_after is not None and call_number > s.unauthenticated_after:
                raise FakeGraphQLError("Unauthenticated", "UNAUTHENTICATED")
            roll = s.rng.random()
            if roll < s.throttle_rate:
                raise FakeThrottled()
            roll -= s.throttle_rate
            if roll < s.fault_rate:
                raise FakeHTTPStatusError(503)
            roll -= s.fault_rate
            drop = roll < s.drop_rate
            if drop and not s.drop_after_apply:
                raise FakeTransportError("connection dropped before the request was applied")
            if op is CREATE_OP:
                data = list(variables["data"])
                self.sent.append(("create", len(data), bool(variables.get("upsert"))))
                s.records_received += len(data)
                rows = s.apply_create(data, bool(variables.get("upsert")))
                result: dict[str, Any] = {"createCompanies": rows}
            elif op is UPDATE_OP:
                result = {"updateCompanies": s.apply_filter(variables, delete=False)}
            elif op is DELETE_OP:
                result = {"deleteCompanies": s.apply_filter(variables, delete=True)}
            else:  # pragma: no cover - a test wiring mistake
                raise AssertionError(f"unexpected operation {op.name}")
            s.applied_calls += 1
            if s.kill_after is not None and s.applied_calls >= s.kill_after:
                raise Killed()
            if drop:
                raise FakeTransportError("connection dropped after the write applied")
            return result
        finally:
            s.in_flight -= 1
