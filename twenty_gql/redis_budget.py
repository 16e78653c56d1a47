"""One rate budget for every process and host using a workspace: Twenty's token buckets in Redis.

    from twenty_gql.redis_budget import RedisBudget

    budget = RedisBudget("redis://127.0.0.1:6379/0", namespace="acme-prod")
    async with TwentyClient(url, key, rate_limit=budget) as client:
        ...
    await budget.aclose()

Needs the ``redis`` extra (``pip install 'twenty-gql[redis]'``: redis-py's asyncio API).

What is kept, in one Redis hash per workspace (key ``twenty_gql:budget:{<hash>}``, the hash of
the client's base url and ``namespace``; never the API key):

* the token buckets (capacity, window, level, time stamp), refilled continuously by Redis's own
  clock (``TIME``), so hosts with skewed clocks share one time line;
* what the clients learned from throttle answers (``Limit reached (T tokens per W ms)``) and
  the learned batch limit (every client reads it with its next token);

The key expires after two of its longest windows without use (the server's buckets are full
again by then), which also lets a changed configuration take effect.

Every operation is one atomic Lua script (``EVALSHA``, falling back to ``EVAL`` when Redis lost
its script cache: redis-py's ``Script``). Waiting is a reservation: the script takes the tokens
at once, letting a bucket go below zero, and answers how long the caller must wait for its
turn; the caller sleeps exactly that long (no polling), so calls are served in the order they
reached Redis, across all processes. Each bucket is kept ``latency`` seconds of refill short
of full (see :class:`RedisBudget`). A reservation further away than ``max_wait`` seconds is not
made: the caller sleeps until it would be within reach and asks again. A caller cancelled while
waiting gives its tokens back.

When Redis cannot be reached, ``on_unavailable="local"`` (default) paces with an in-process
budget of the same shape until Redis answers again (tried at most once a second; logged as a
warning, at most every 30 s);
``"raise"`` raises :class:`~twenty_gql.budget.BudgetUnavailableError` instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from twenty_gql.budget import BucketStats, BudgetUnavailableError, RateBudget, SchedulerStats
from twenty_gql.errors import ConfigurationError
from twenty_gql.scheduling import RateLimit, Scheduler

try:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError
except ImportError as _exc:  # pragma: no cover - exercised by the install docs, not the tests
    raise ImportError(
        "twenty_gql.redis_budget needs redis-py: pip install 'twenty-gql[redis]'"
    ) from _exc

if TYPE_CHECKING:
    from redis.commands.core import AsyncScript

__all__ = ["RedisBudget", "budget_key"]

logger = logging.getLogger("twenty_gql")

_KEY_PREFIX = "twenty_gql:budget:"
_PROBE_EVERY = 1.0  # seconds between attempts to reach Redis again while pacing locally

# ARGV: op, nconf, (cap, window_ms) * nconf, op args...
# state fields: n; c<i> capacity, w<i> window ms, l<i> level, t<i> stamp ms, x<i> learned; bl
_LUA = r"""
local key = KEYS[1]
local op = ARGV[1]
local nconf = tonumber(ARGV[2])
local a = 3 + 2 * nconf
local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + tonumber(tm[2]) / 1000

local raw = redis.call('HGETALL', key)
local s = {}
for i = 1, #raw, 2 do s[raw[i]] = raw[i + 1] end
local n = tonumber(s['n'])
local cap, win, lvl, ts, lrn = {}, {}, {}, {}, {}
if n == nil then
  n = nconf
  for i = 1, n do
    cap[i] = tonumber(ARGV[1 + 2 * i]); win[i] = tonumber(ARGV[2 + 2 * i])
    lvl[i] = cap[i]; ts[i] = now; lrn[i] = 0
  end
else
  for i = 1, n do
    cap[i] = tonumber(s['c' .. i]); win[i] = tonumber(s['w' .. i])
    lvl[i] = tonumber(s['l' .. i]); ts[i] = tonumber(s['t' .. i]); lrn[i] = tonumber(s['x' .. i])
  end
end
local bl = tonumber(s['bl'] or '0')
for i = 1, n do
  if now > ts[i] then
    lvl[i] = math.min(cap[i], lvl[i] + (now - ts[i]) * cap[i] / win[i])
    ts[i] = now
  end
end

local function save()
  local longest = 0
  for i = 1, n do
    redis.call('HSET', key, 'c' .. i, tostring(cap[i]), 'w' .. i, tostring(win[i]),
      'l' .. i, tostring(lvl[i]), 't' .. i, tostring(ts[i]), 'x' .. i, tostring(lrn[i]))
    if win[i] > longest then longest = win[i] end
  end
  redis.call('HSET', key, 'n', tostring(n), 'bl', tostring(bl))
  redis.call('PEXPIRE', key, math.ceil(2 * longest) + 1000)
end

local function state()
  local out = {tostring(bl), tostring(n)}
  for i = 1, n do
    out[#out + 1] = tostring(cap[i]); out[#out + 1] = tostring(win[i])
    out[#out + 1] = tostring(lvl[i]); out[#out + 1] = tostring(lrn[i])
  end
  return out
end

if op == 'acquire' then
  local want = tonumber(ARGV[a]); local max_wait = tonumber(ARGV[a + 1])
  local slack = tonumber(ARGV[a + 2])
  local wait = 0
  for i = 1, n do
    -- the server's bucket stops refilling at its capacity while our request is on its way:
    -- count a full bucket as 'slack' ms of refill short of full
    lvl[i] = math.min(lvl[i], cap[i] - slack * cap[i] / win[i])
    local take = math.min(want, cap[i])
    if lvl[i] < take then
      wait = math.max(wait, (take - lvl[i]) * win[i] / cap[i])
    end
  end
  if wait <= max_wait then
    for i = 1, n do lvl[i] = lvl[i] - math.min(want, cap[i]) end
    save()
    return {'ok', tostring(wait), unpack(state())}
  end
  save()
  return {'later', tostring(wait - max_wait), unpack(state())}
elseif op == 'refund' then
  local back = tonumber(ARGV[a])
  for i = 1, n do lvl[i] = math.min(cap[i], lvl[i] + math.min(back, cap[i])) end
  save()
elseif op == 'throttled' then
  local tokens = tonumber(ARGV[a]); local window = tonumber(ARGV[a + 1])
  if tokens > 0 and window > 0 then
    local best, dist = 1, nil
    for i = 1, n do
      local d = math.abs(math.log(win[i] / window))
      if dist == nil or d < dist then best, dist = i, d end
    end
    cap[best] = tokens; win[best] = window; lrn[best] = 1
    lvl[best] = math.min(lvl[best], tokens)
  end
  for i = 1, n do
    if window <= 0 or math.abs(win[i] - window) <= 1e-6 * window then
      lvl[i] = math.min(lvl[i], 0)
    end
  end
  save()
elseif op == 'batch' then
  local limit = tonumber(ARGV[a])
  if limit >= 1 and (bl == 0 or limit < bl) then bl = limit end
  save()
elseif op ~= 'snapshot' then
  return redis.error_reply('twenty_gql budget: unknown op ' .. op)
end
return {'ok', '0', unpack(state())}
"""


def budget_key(url: str, namespace: str = "default") -> str:
    """The Redis key of a workspace's budget: a hash of its base url and ``namespace``."""
    digest = hashlib.sha256(f"{namespace}\x00{url.rstrip('/')}".encode()).hexdigest()[:32]
    return f"{_KEY_PREFIX}{{{digest}}}"


def _where(client: Any) -> str:
    """host:port (or socket path) of a redis client, for messages: never its password."""
    try:
        kw = client.connection_pool.connection_kwargs
    except AttributeError:
        return "redis"
    if kw.get("path"):
        return f"redis at {kw['path']}"
    return f"redis at {kw.get('host', '?')}:{kw.get('port', '?')}"


class RedisBudget(RateBudget):
    """Twenty's token buckets for one workspace, kept in Redis and shared by every client
    (process, host) that uses the same Redis, workspace url and ``namespace``.

    ``redis``: a ``redis.asyncio.Redis`` (yours to close) or a ``redis://`` url (closed by
    :meth:`aclose`). ``namespace``: tells workspaces apart that share a url (on Twenty Cloud,
    every workspace is ``https://api.twenty.com``: use the workspace's name or id).
    ``rate_limit``: the buckets to start from (what other clients learned wins).
    ``workspace_url``: set by ``TwentyClient`` when the budget is given to it.
    ``max_wait``: the longest reservation (seconds) made at once. ``latency``: how long a
    request may take from its turn to the server's rate check (connection set-up, a busy
    server). The server's bucket stops refilling at its capacity while requests are on their
    way, so each bucket is kept ``latency x rate`` tokens short of full: as long as requests
    arrive within ``latency`` of their turn, the server never throttles. Cost: that much less
    initial burst (Twenty's 100/1 s bucket paces from the first call; its 100/60 s one gives up
    1.7 tokens).
    ``on_unavailable``: what to do when Redis cannot be reached (``"local"``: pace in this
    process; ``"raise"``).
    """

    def __init__(
        self,
        redis: aioredis.Redis | str,
        *,
        namespace: str = "default",
        rate_limit: RateLimit | None = None,
        workspace_url: str | None = None,
        max_wait: float = 60.0,
        latency: float = 1.0,
        on_unavailable: Literal["local", "raise"] = "local",
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not isinstance(namespace, str) or not namespace:
            raise ConfigurationError(f"namespace must be a non-empty str, got {namespace!r}")
        if rate_limit is None:
            rate_limit = RateLimit()
        if not isinstance(rate_limit, RateLimit):
            raise ConfigurationError(
                f"rate_limit must be a twenty_gql.RateLimit, got {rate_limit!r}"
            )
        if isinstance(max_wait, bool) or not isinstance(max_wait, (int, float)) or max_wait <= 0:
            raise ConfigurationError(f"max_wait must be seconds > 0, got {max_wait!r}")
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
            raise ConfigurationError(f"latency must be seconds >= 0, got {latency!r}")
        if on_unavailable not in ("local", "raise"):
            raise ConfigurationError(
                f"on_unavailable must be 'local' or 'raise', got {on_unavailable!r}"
            )
        if isinstance(redis, str):
            try:
                self._redis: aioredis.Redis = aioredis.Redis.from_url(redis)
            except ValueError as exc:
                raise ConfigurationError(f"not a redis url: {exc}") from None
            self._owned = True
        elif isinstance(redis, aioredis.Redis):
            self._redis = redis
            self._owned = False
        else:
            raise ConfigurationError(
                f"redis must be a redis.asyncio.Redis or a redis:// url, got {type(redis).__name__}"
            )
        self.namespace = namespace
        self.rate_limit = rate_limit
        self.max_wait = float(max_wait)
        self.latency = float(latency)
        self.on_unavailable = on_unavailable
        self._sleep = sleep
        self._conf: list[int | float] = [len(rate_limit.buckets)]
        for tokens, window in rate_limit.buckets:
            self._conf += [tokens, float(window) * 1000.0]
        self._script: AsyncScript = self._redis.register_script(_LUA)
        self._key: str | None = None
        self._url: str | None = None
        if workspace_url is not None:
            self.bind(workspace_url)
        self.waits = 0
        self.waited = 0.0
        self.waiting = 0
        self.batch_limit = None
        self._last: tuple[float, list[Any]] | None = None  # (monotonic, script state)
        self._local: Scheduler | None = None  # pacing while Redis is unreachable
        self._warned = -1e9
        self._probe_at = 0.0
        self._tasks: set[asyncio.Task[None]] = set()

    # -- identity -------------------------------------------------------------------------------

    def bind(self, url: str) -> None:
        url = url.rstrip("/")
        if self._url is not None and self._url != url:
            raise ConfigurationError(
                "this RedisBudget is bound to another workspace url; create one budget per "
                "workspace"
            )
        self._url = url
        self._key = budget_key(url, self.namespace)

    @property
    def key(self) -> str:
        if self._key is None:
            raise ConfigurationError(
                "RedisBudget has no workspace url: pass workspace_url=... or give it to a "
                "TwentyClient (rate_limit=budget)"
            )
        return self._key

    def __repr__(self) -> str:
        return f"<RedisBudget {_where(self._redis)} namespace={self.namespace!r} key={self._key!r}>"

    async def aclose(self) -> None:
        """Wait for pending refunds; close the Redis connection when the budget opened it."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._owned:
            await self._redis.aclose()

    async def __aenter__(self) -> RedisBudget:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # -- the script -----------------------------------------------------------------------------

    async def _call(self, op: str, *args: int | float) -> list[Any] | None:
        """Run ``op``; its answer, or None when Redis is unreachable and we pace locally."""
        key = self.key
        if self._local is not None and time.monotonic() < self._probe_at:
            return None  # Redis was down a moment ago: do not pay its connect retries per call
        try:
            answer = await self._script(keys=[key], args=[op, *self._conf, *args])
        except (RedisError, OSError) as exc:
            self._unavailable(exc)
            self._probe_at = time.monotonic() + _PROBE_EVERY
            return None
        if self._local is not None:
            logger.warning(
                "twenty_gql: rate budget: %s is back; sharing again", _where(self._redis)
            )
            self._local = None
        out = [v.decode() if isinstance(v, bytes) else v for v in answer]
        self._last = (time.monotonic(), out[2:])
        bl = int(float(out[2]))
        if bl >= 1:
            self.batch_limit = bl if self.batch_limit is None else min(bl, self.batch_limit)
        return out

    def _unavailable(self, exc: BaseException) -> None:
        """Raise, or switch to local pacing (warning at most every 30 s)."""
        where = _where(self._redis)
        cause = f"{type(exc).__name__}: {exc}"
        if self.on_unavailable == "raise":
            raise BudgetUnavailableError(f"rate budget: {where} unavailable ({cause})") from None
        if self._local is None:
            self._local = Scheduler(self.rate_limit, sleep=self._sleep)
        now = time.monotonic()
        if now - self._warned >= 30.0:
            self._warned = now
            logger.warning(
                "twenty_gql: rate budget: %s unavailable (%s); pacing in this process", where, cause
            )

    # -- RateBudget -----------------------------------------------------------------------------

    async def acquire(self, tokens: int = 1) -> None:
        counted = False
        while True:
            answer = await self._call(
                "acquire", tokens, self.max_wait * 1000.0, self.latency * 1000.0
            )
            if answer is None:
                assert self._local is not None
                await self._local.acquire(tokens)
                return
            wait = float(answer[1]) / 1000.0
            if answer[0] == "ok" and wait <= 0.0:
                return
            if not counted:
                counted = True
                self.waits += 1
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("twenty_gql: rate budget: waiting %.3fs for a token", wait)
            self.waiting += 1
            self.waited += wait
            try:
                await self._sleep(wait)
            except asyncio.CancelledError:
                if answer[0] == "ok":
                    self.refund(tokens)  # our turn will not be used: give it to the next
                raise
            finally:
                self.waiting -= 1
            if answer[0] == "ok":
                return

    def refund(self, tokens: int) -> None:
        """Give ``tokens`` back (in a background task: called where awaiting is not wanted)."""
        task = asyncio.ensure_future(self._refund(tokens))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _refund(self, tokens: int) -> None:
        try:
            if await self._call("refund", tokens) is None and self._local is not None:
                self._local.refund(tokens)
        except BudgetUnavailableError as exc:
            logger.warning("twenty_gql: %s; %d tokens not given back", exc, tokens)

    async def throttled(self, tokens: int | None, window: float | None) -> None:
        t = tokens if tokens and window else 0
        w = window * 1000.0 if window else 0.0  # 0: drain every bucket
        if await self._call("throttled", t, w) is None:
            assert self._local is not None
            await self._local.throttled(tokens, window)

    async def learn_batch_limit(self, limit: int) -> None:
        if await self._call("batch", limit) is None:
            assert self._local is not None
            await self._local.learn_batch_limit(limit)
            self.batch_limit = self._local.batch_limit

    async def get_batch_limit(self) -> int | None:
        await self._call("snapshot")  # every answer carries the shared batch limit
        return self.batch_limit

    async def snapshot(self) -> SchedulerStats:
        """The shared state now, from Redis (refilled to Redis's clock)."""
        answer = await self._call("snapshot")
        if answer is None:
            assert self._local is not None
            return self._stats(None, fallback=True)
        return self._stats(answer[2:])

    def cached_snapshot(self) -> SchedulerStats | None:
        """The shared state as the last script answered it (no round trip; None before the
        first call). ``tokens_left`` is as of that answer, not refilled since."""
        if self._local is not None:
            return self._stats(None, fallback=True)
        return None if self._last is None else self._stats(self._last[1])

    def _stats(self, state: Sequence[Any] | None, *, fallback: bool = False) -> SchedulerStats:
        if state is None:
            assert self._local is not None
            local = self._local.snapshot()
            buckets = local.buckets
        else:
            n = int(float(state[1]))
            buckets = tuple(
                BucketStats(
                    tokens=round(float(state[2 + 4 * i])),
                    window=float(state[3 + 4 * i]) / 1000.0,
                    tokens_left=float(state[4 + 4 * i]),
                    learned=float(state[5 + 4 * i]) > 0,
                )
                for i in range(n)
            )
        return SchedulerStats(
            backend="redis",
            buckets=buckets,
            waits=self.waits,
            waiting=self.waiting,
            batch_limit=self.batch_limit,
            waited=self.waited,
            key=self._key,
            fallback=fallback,
        )
