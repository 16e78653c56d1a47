"""A tiny GraphQL-introspection server on 127.0.0.1 (own thread), for CLI tests.

It answers the introspection query for configurable schemas, checks ``Authorization: Bearer``,
and can misbehave (HTML page, non-JSON). It is a test double for the parts of Twenty the
``generate``/``check`` commands touch; behaviour tests use the real emulator.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from graphql import GraphQLSchema, graphql_sync


@dataclass
class FakeTwenty:
    schemas: dict[str, GraphQLSchema]
    api_key: str = "secret-key-123"
    mode: str = "ok"  # ok | html | text
    seen_auth: list[str] = field(default_factory=list)
    url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        self.seen_auth.append(request.headers.get("Authorization", ""))
        if self.mode == "html":
            return web.Response(text="<!doctype html><html>login</html>", content_type="text/html")
        if self.mode == "text":
            return web.Response(text="Bad Gateway", status=502, content_type="text/plain")
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(
                {
                    "errors": [
                        {"message": "Token invalid.", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                }
            )
        if endpoint not in self.schemas:
            return web.Response(status=404, text="not found")
        body: dict[str, Any] = await request.json()
        result = graphql_sync(self.schemas[endpoint], body["query"])
        return web.json_response({"data": result.data})

    def start(self) -> FakeTwenty:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/{endpoint}", self._handle)
            self._runner = web.AppRunner(app)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = self._runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
