"""What a ``TwentyClient`` tells a service about itself, without any metrics library.

* ``TwentyClient(on_event=callback)``: ``callback(ClientEvent)`` after every request, before
  every retry, on every throttling wait (the server's or the client's own pacing) and on every
  circuit state change. Export them to Prometheus, StatsD, OpenTelemetry or a log. A callback
  that raises is logged and ignored. Events never hold the API key.
* ``client.stats()``: a :class:`ClientStats` snapshot (counters since the client was created,
  circuit states, what the client learnt about the server).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from twenty_gql.circuit import CircuitState

__all__ = ["ClientEvent", "ClientStats", "EventKind", "emit"]

logger = logging.getLogger("twenty_gql")

EventKind = Literal["request", "retry", "throttle_wait", "circuit"]


@dataclass(frozen=True)
class ClientEvent:
    """One observable step of a client.

    * ``request``: one HTTP attempt finished; ``duration`` its seconds, ``error`` its failure
      (None when it returned data).
    * ``retry``: a failed attempt will be resent after ``duration`` seconds; ``attempt`` is the
      retry number (1 for the first resend), ``error`` the failure.
    * ``throttle_wait``: a wait for the rate limit of ``duration`` seconds: the client's own
      pacing (``error`` None) or the server's throttling answer (``error`` the
      ``ThrottledError``; a ``retry`` event follows).
    * ``circuit``: the endpoint's circuit went from ``previous`` to ``state``; ``error`` the
      failure that opened it.
    """

    kind: EventKind
    endpoint: str
    operation: str | None = None
    duration: float = 0.0
    attempt: int = 0
    error: BaseException | None = None
    state: CircuitState | None = None
    previous: CircuitState | None = None


@dataclass(frozen=True)
class ClientStats:
    """A snapshot of ``TwentyClient.stats()``.

    ``requests`` HTTP attempts sent; ``retries`` resends; ``throttled`` throttling answers
    from the server; ``paced`` calls the client's own rate limiter made wait; ``failed_fast``
    calls refused by an open circuit; ``deadline_exceeded`` calls that ran out of time;
    ``in_flight`` calls running now. ``circuits`` each endpoint's state and ``circuit_opened``
    how often it opened. Learnt limits: ``batch_size`` (records per bulk call) and
    ``rate_limit`` (the token buckets mirrored, as ``(tokens, window_seconds)``; empty with
    no client-side limiter). ``tokens_left`` per bucket when the rate budget reports it.
    """

    requests: int
    retries: int
    throttled: int
    paced: int
    failed_fast: int
    deadline_exceeded: int
    in_flight: int
    circuits: Mapping[str, CircuitState]
    circuit_opened: Mapping[str, int]
    batch_size: int
    rate_limit: tuple[tuple[float, float], ...] = ()
    tokens_left: tuple[float, ...] | None = None

    @property
    def throttle_waits(self) -> int:
        """Waits caused by the rate limit: the server's throttling plus client-side pacing."""
        return self.throttled + self.paced


def emit(callback: Callable[[ClientEvent], object] | None, event: ClientEvent) -> None:
    """Hand ``event`` to ``callback``; a failing callback never breaks a call."""
    if callback is None:
        return
    try:
        callback(event)
    except Exception:
        logger.exception("twenty_gql: the on_event callback raised; ignoring")
