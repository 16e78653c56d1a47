"""The soak's calls (:mod:`bench.soak`): one method per kind of call in ``MIX``, each
updating the worker's ledger with what the client was told. Mixed into the run."""

from __future__ import annotations

import random
import uuid
from typing import Any

from bench.soak_support import Ledger, SoakConfig, SoakReport, _Call
from twenty_gql.errors import (
    ConnectionDroppedError,
    HTTPStatusError,
    NotFoundError,
    TransportTimeoutError,
)

_TRANSIENT = (HTTPStatusError, ConnectionDroppedError, TransportTimeoutError)


class SoakCalls:
    """``_call_<kind>(ledger, rng, call record) -> succeeded`` for every kind in ``MIX``."""

    cfg: SoakConfig
    crm: Any
    meta: Any
    report: SoakReport
    field: tuple[Any, str] | None

    def _inconsistent(self, text: str) -> None:
        raise NotImplementedError

    async def upsert_many(self, led: Ledger, rng: random.Random) -> None:
        raise NotImplementedError

    async def _call_find_many(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        await self.crm.companies.find_many(filter={"name": {"like": f"{led.prefix}-%"}}, first=5)
        return True

    async def _call_find_one(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        marker = rng.choice(list(led.alive))
        rid = led.alive[marker][0]
        found = await self.crm.companies.find_one(filter={"id": {"eq": rid}})
        if found is None or found.name != marker:
            self._inconsistent(f"find_one({marker}) returned {found!r}")
        return True

    async def _call_update(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        marker = rng.choice(list(led.alive))
        rid = led.alive[marker][0]
        value = rng.randrange(1_000_000)
        try:
            await self.crm.companies.update(id=rid, data={"employees": value})
        except BaseException:
            led.value_unknown.add(marker)
            raise
        led.alive[marker] = (rid, value)
        led.value_unknown.discard(marker)
        return True

    async def _call_create(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        marker = led.marker()
        try:
            created = await self.crm.companies.create(data={"name": marker})
        except _TRANSIENT as exc:
            if isinstance(exc, HTTPStatusError) and exc.status not in (502, 503, 504):
                raise
            led.unknown.add(marker)
            what = f"HTTP {exc.status}" if isinstance(exc, HTTPStatusError) else ""
            self.report.expected[
                f"plain create not resent: {type(exc).__name__} {what}".rstrip()
            ] += 1
            return False
        if created is None:
            self._inconsistent(f"create({marker}) returned None")
            return False
        led.alive[marker] = (str(created.id), None)
        return True

    async def _call_upsert_one(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        """Carries a client id: resent safely after a drop."""
        marker = led.marker()
        rid = str(uuid.uuid4())
        try:
            created = await self.crm.companies.create(data={"id": rid, "name": marker}, upsert=True)
        except BaseException:
            led.unknown.add(marker)
            raise
        if created is None or str(created.id) != rid:
            self._inconsistent(f"upsert_one({marker}) returned {created!r}")
            return False
        led.alive[marker] = (rid, None)
        return True

    async def _call_delete(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        return await self._remove("delete", led, rng, rec)

    async def _call_destroy(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        return await self._remove("destroy", led, rng, rec)

    async def _remove(self, kind: str, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        marker = rng.choice(list(led.alive))
        rid = led.alive[marker][0]
        crm = self.crm.companies
        try:
            await (crm.delete(id=rid) if kind == "delete" else crm.destroy(id=rid))
        except NotFoundError:
            if rec.attempts < 2:
                raise
            self.report.expected[f"{kind} resent after an applied drop: NotFound"] += 1
            ok = False
        else:
            ok = True
        del led.alive[marker]
        led.value_unknown.discard(marker)
        (led.deleted if kind == "delete" else led.destroyed)[marker] = rid
        return ok

    async def _call_upsert_many(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        await self.upsert_many(led, rng)
        return True

    async def _call_iterate(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        seen = [
            c.name
            async for c in self.crm.companies.iterate(
                filter={"name": {"like": f"{led.prefix}-%"}}, page_size=self.cfg.page_size
            )
        ]
        names = set(seen)
        alive = set(led.alive)
        if len(names) != len(seen) or not alive <= names <= alive | led.unknown:
            self.report.iterate_mismatch += 1
        return True

    async def _call_metadata(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        objects = await self.meta.objects.find_many(paging={"first": 1})
        if not objects.edges:
            self._inconsistent("metadata objects: none")
        return True

    async def _call_metadata_one(self, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        if self.field is None:
            page = await self.meta.fields.find_many(paging={"first": 1})
            self.field = (page.edges[0].node.id, page.edges[0].node.name)
        else:
            got = await self.meta.fields.find_one(id=self.field[0])
            if got.name != self.field[1]:
                self._inconsistent(f"metadata field {self.field} read as {got.name}")
        return True
