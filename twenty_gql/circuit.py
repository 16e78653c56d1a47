"""A circuit breaker per endpoint: when the server is gone, calls fail fast instead of each one
waiting out its retries.

States (``CircuitState``):

* ``closed``: calls go through. A failure that says the server is unreachable (a connection
  that could not be opened, a connect or read timeout) counts; any answer from the server
  (even a GraphQL error or an HTTP 503) resets the count, and so does a connection the server
  closed (it was there to close it). After ``failures`` such failures in a row,
  or when ``silence`` seconds pass with failures and no answer, the circuit opens.
* ``open``: calls raise :class:`~twenty_gql.errors.ServiceUnavailableError` at once (nothing
  is sent) until the next probe is due: ``probe_base`` seconds after opening, then doubling
  up to ``probe_cap`` after each failed probe.
* ``half_open``: one call (the probe) goes through; the others keep failing fast. An answer
  closes the circuit; another unreachable failure opens it again.

Defaults (:class:`CircuitPolicy`): 5 failures, 30 s of silence, probes after 0.5 s doubling
to 10 s. ``TwentyClient(circuit=None)`` turns the breaker off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from twenty_gql.errors import ConnectError, ServiceUnavailableError, TransportTimeoutError

__all__ = ["CircuitPolicy", "CircuitState", "EndpointCircuit", "is_unreachable"]

CircuitState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class CircuitPolicy:
    """When an endpoint's circuit opens and how it probes for recovery (see module doc)."""

    failures: int = 5
    silence: float = 30.0
    probe_base: float = 0.5
    probe_cap: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.failures, int) or isinstance(self.failures, bool):
            raise TypeError(f"failures must be an int, got {self.failures!r}")
        if self.failures < 1:
            raise ValueError(f"failures must be >= 1, got {self.failures}")
        for name in ("silence", "probe_base", "probe_cap"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")


def is_unreachable(exc: BaseException) -> bool:
    """Whether a failure says the server could not be reached (counts toward opening)."""
    if isinstance(exc, ServiceUnavailableError):
        return False
    return isinstance(exc, (ConnectError, TransportTimeoutError)) and exc.retryable


class EndpointCircuit:
    """The breaker of one endpoint (``graphql`` or ``metadata``) of one client."""

    def __init__(
        self,
        endpoint: str,
        policy: CircuitPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, CircuitState, CircuitState, BaseException | None], None]
        | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.policy = policy
        self._clock = clock
        self._on_change = on_change
        self.state: CircuitState = "closed"
        self.failures = 0  # unreachable failures in a row
        self.opened_at: float | None = None  # wall clock (time.time())
        self.last_cause: BaseException | None = None
        self.opened_count = 0
        self.fast_failures = 0
        self._last_answer = clock()
        self._probe_interval = policy.probe_base
        self._next_probe = 0.0
        self._probing = False

    # -- before a send -----------------------------------------------------------------------

    def admit(self, *, sent_before: bool = False) -> bool:
        """Allow a send (True when it is the half-open probe) or raise
        ``ServiceUnavailableError``. ``sent_before``: an earlier attempt of the same call may
        have reached the server (carried on the error as ``request_sent``)."""
        if self.state == "closed":
            return False
        now = self._clock()
        if not self._probing and now >= self._next_probe:
            self._probing = True
            self._set("half_open", None)
            return True
        self.fast_failures += 1
        raise ServiceUnavailableError(
            f"{self.endpoint}: the server is unreachable (circuit open since "
            f"{time.strftime('%H:%M:%S', time.localtime(self.opened_at or 0))}; last cause: "
            f"{type(self.last_cause).__name__ if self.last_cause else 'unknown'}); "
            "not sent",
            endpoint=self.endpoint,
            since=self.opened_at or time.time(),
            last_cause=self.last_cause,
            retry_in=max(0.0, self._next_probe - now),
            request_sent=sent_before,
        )

    # -- after a send ------------------------------------------------------------------------

    def record(self, exc: BaseException | None, probe: bool) -> None:
        """The outcome of an admitted send: None or an error that is not an unreachable
        failure means the server answered (the endpoint is reachable)."""
        if probe:
            self._probing = False
        if exc is None or not is_unreachable(exc):
            self._answered()
            return
        self.failures += 1
        self.last_cause = exc
        now = self._clock()
        if self.state == "half_open":
            self._probe_interval = min(self.policy.probe_cap, self._probe_interval * 2)
            self._open(now, exc)
        elif self.state == "closed" and (
            self.failures >= self.policy.failures or now - self._last_answer >= self.policy.silence
        ):
            self.opened_at = time.time()
            self.opened_count += 1
            self._open(now, exc)

    def _answered(self) -> None:
        self.failures = 0
        self._last_answer = self._clock()
        if self.state != "closed":
            self._probe_interval = self.policy.probe_base
            self.opened_at = None
            self._set("closed", None)

    def cancelled(self, probe: bool) -> None:
        """The send was cancelled: no verdict."""
        if probe:
            self._probing = False
            self._next_probe = self._clock()

    def _open(self, now: float, cause: BaseException) -> None:
        self._next_probe = now + self._probe_interval
        self._set("open", cause)

    def _set(self, state: CircuitState, cause: BaseException | None) -> None:
        old, self.state = self.state, state
        if old != state and self._on_change is not None:
            self._on_change(self.endpoint, old, state, cause)
