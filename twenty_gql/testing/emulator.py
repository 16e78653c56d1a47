"""``TwentyEmulator``: run the emulated Twenty API on loopback from Python (CONTRACTS §3).

async with TwentyEmulator(seed="standard", rate_limit=((10, 500),)) as emu:
    ...  # emu.url, emu.api_key, emu.workspace, emu.revoke_key(), emu.set_faults(...)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from twenty_gql.testing.auth import KeyRing
from twenty_gql.testing.faults import Faults
from twenty_gql.testing.ratelimit import RateLimiter, check_buckets
from twenty_gql.testing.roles import Role
from twenty_gql.testing.seeds import SEEDS
from twenty_gql.testing.server import EmulatorServer, EmulatorStats, build_app
from twenty_gql.testing.webhooks import WebhookRegistry, close_webhooks, webhooks_of
from twenty_gql.testing.workspace import Workspace

__all__ = ["DEFAULT_RATE_LIMIT", "TwentyEmulator", "is_loopback"]

DEFAULT_RATE_LIMIT: tuple[tuple[int, int], ...] = ((100, 1000), (100, 60000))
THROTTLE_CODES = ("BAD_USER_INPUT", "RATE_LIMITED")
_UNSET: Any = object()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TwentyEmulator:
    """A local Twenty API (``/graphql``, ``/metadata``, ``/rest/metadata``) on an aiohttp server.

    ``api_key``: a literal key to accept (kept across restarts); by default a signed JWT-shaped
    key is issued. ``rate_limit``: ``(tokens, window_ms)`` buckets, or None for no throttling.
    ``throttle_code``: ``BAD_USER_INPUT`` (Twenty <= 2.x) or ``RATE_LIMITED`` (newest mapping).
    ``fault_seed`` makes fault decisions reproducible. ``allow_remote`` is needed to bind a
    non-loopback host: the emulator has no TLS and a demo key, so it must not face a network.
    ``role``: the role of ``api_key`` (a ``Role`` or a spec like ``"read-only"``,
    ``"no-delete"``, ``"read-only,company=rw"``; see ``twenty_gql.testing.roles``); default admin.
    """

    def __init__(
        self,
        seed: str = "standard",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        data_path: str | Path | None = None,
        batch_limit: int = 60,
        page_max: int = 200,
        page_default: int = 60,
        rate_limit: Sequence[Sequence[int]] | None = DEFAULT_RATE_LIMIT,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        drop_rate: float = 0.0,
        drop_after_apply: bool = False,
        fault_seed: int | None = None,
        throttle_code: str = "BAD_USER_INPUT",
        throttle_metadata: bool = False,
        max_body_bytes: int = 5 * 1024 * 1024,
        allow_remote: bool = False,
        role: Role | str | None = None,
    ) -> None:
        if seed not in SEEDS:
            raise ValueError(f"unknown seed {seed!r}: expected one of {', '.join(SEEDS)}")
        for name, value in (
            ("batch_limit", batch_limit),
            ("page_max", page_max),
            ("page_default", page_default),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(host, str) or not host:
            raise ValueError("host must be a non-empty string")
        if not allow_remote and not is_loopback(host):
            raise ValueError(
                f"refusing to bind non-loopback host {host!r}: the emulator has no TLS and "
                "accepts a demo key; pass allow_remote=True to expose it anyway"
            )
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
        if throttle_code not in THROTTLE_CODES:
            raise ValueError(
                f"throttle_code must be one of {THROTTLE_CODES}, got {throttle_code!r}"
            )
        if (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or max_body_bytes < 1024
        ):
            raise ValueError(f"max_body_bytes must be an integer >= 1024, got {max_body_bytes!r}")
        self.host, self.port = host, port
        self._seed = seed
        self._data_path = data_path
        self._limits = {
            "batch_limit": batch_limit,
            "page_max": page_max,
            "page_default": page_default,
        }
        key_role = Role.of(role)
        self._keys = KeyRing()
        if api_key is not None:
            self._keys.add_static(api_key, key_role)
            self._api_key = api_key
        else:
            self._api_key = self._keys.issue(role=key_role)
        self._limiter = RateLimiter(check_buckets(rate_limit))
        self._faults = Faults(
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            drop_rate=drop_rate,
            drop_after_apply=drop_after_apply,
            seed=fault_seed,
        )
        self._throttle_code = throttle_code
        self._throttle_metadata = throttle_metadata
        self._max_body_bytes = max_body_bytes
        self._allow_remote = allow_remote  # also lets webhooks reach non-loopback targets
        self._workspace: Workspace | None = None
        self._server: EmulatorServer | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    def __repr__(self) -> str:  # never shows the key
        state = self._url or "stopped"
        return f"TwentyEmulator(seed={self._seed!r}, url={state!r})"

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> TwentyEmulator:
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        workspace = Workspace(self._seed, data_path=self._data_path, **self._limits)
        try:
            server = EmulatorServer(
                workspace,
                self._keys,
                self._limiter,
                self._faults,
                throttle_code=self._throttle_code,
                max_body_bytes=self._max_body_bytes,
                throttle_metadata=self._throttle_metadata,
            )
            runner = web.AppRunner(
                build_app(server), access_log=None, handle_signals=False, shutdown_timeout=1.0
            )
            await runner.setup()
            try:
                site = web.TCPSite(runner, self.host, self.port)
                await site.start()
            except BaseException:
                await runner.cleanup()
                raise
        except BaseException:
            workspace.close()
            raise
        port = runner.addresses[0][1]
        hooks = webhooks_of(workspace)
        hooks.workspace_id, hooks.allow_remote = self._keys.workspace_id, self._allow_remote
        self._workspace, self._server, self._runner = workspace, server, runner
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self._url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        runner, workspace = self._runner, self._workspace
        self._runner = self._server = None
        self._url = None
        try:
            if runner is not None:
                await runner.cleanup()
        finally:
            if workspace is not None:
                close_webhooks(workspace)
                workspace.close()
            self._workspace = None

    async def __aenter__(self) -> TwentyEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---- what tests use -----------------------------------------------------------------------

    def _running(self) -> EmulatorServer:
        if self._server is None:
            raise RuntimeError("the emulator is not running (use 'async with TwentyEmulator()')")
        return self._server

    @property
    def url(self) -> str:
        self._running()
        assert self._url is not None
        return self._url

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def workspace(self) -> Workspace:
        self._running()
        assert self._workspace is not None
        return self._workspace

    @property
    def webhooks(self) -> WebhookRegistry:
        """The workspace's webhooks and their ``deliveries`` (twenty_gql.testing.webhooks)."""
        return webhooks_of(self.workspace)

    async def webhooks_idle(self, timeout: float | None = 60.0) -> None:
        """Wait until every webhook delivery queued so far is done (from any event loop)."""
        await self.webhooks.idle(timeout)

    @property
    def stats(self) -> EmulatorStats:
        """A snapshot of the counters (requests, faults_injected, dropped, throttled, ...)."""
        return self._running().stats

    def issue_key(self, expires_in: float | None = None, *, role: Role | str | None = None) -> str:
        """A new valid key with ``role`` (default admin); ``expires_in`` seconds (negative:
        already expired)."""
        return self._keys.issue(expires_in, role=Role.of(role))

    def revoke_key(self, key: str | None = None) -> None:
        """Revoke ``key`` (default: ``api_key``): later requests with it get FORBIDDEN."""
        target = self._api_key if key is None else key
        if not self._keys.revoke(target):
            raise ValueError("not a key of this emulator")

    def set_limits(
        self,
        *,
        batch_limit: int | None = None,
        page_max: int | None = None,
        page_default: int | None = None,
        relation_page_max: int | None = None,
        rate_limit: Sequence[Sequence[int]] | None = _UNSET,
        throttle_code: str | None = None,
    ) -> None:
        """Change limits at run time (None keeps a value; ``rate_limit=None`` turns throttling
        off; a new ``rate_limit`` starts with full buckets)."""
        server = self._running()
        settings = server.workspace.settings
        for name, value in (
            ("batch_limit", batch_limit),
            ("page_max", page_max),
            ("page_default", page_default),
            ("relation_page_max", relation_page_max),
        ):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if throttle_code is not None and throttle_code not in THROTTLE_CODES:
            raise ValueError(
                f"throttle_code must be one of {THROTTLE_CODES}, got {throttle_code!r}"
            )
        if rate_limit is not _UNSET:
            self._limiter.configure(rate_limit)
        for name, value in (
            ("batch_limit", batch_limit),
            ("page_max", page_max),
            ("page_default", page_default),
            ("relation_page_max", relation_page_max),
        ):
            if value is not None:
                setattr(settings, name, value)
        if throttle_code is not None:
            server.throttle_code = throttle_code

    def set_faults(
        self,
        *,
        latency_ms: float | None = None,
        fault_rate: float | None = None,
        drop_rate: float | None = None,
        drop_after_apply: bool | None = None,
        seed: int | None = None,
    ) -> None:
        """Change fault injection at run time (None keeps a value)."""
        self._faults.set(
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            drop_rate=drop_rate,
            drop_after_apply=drop_after_apply,
            seed=seed,
        )
