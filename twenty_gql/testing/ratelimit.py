"""Twenty's API-key throttling (twenty-api.md §3.2): per workspace, token buckets that refill
continuously at ``tokens / window_ms`` per millisecond up to ``tokens``; every bucket must hold
enough tokens; one token per root resolver.

A request needing ``n`` tokens is admitted or refused as a whole (Twenty consumes one token per
resolver call, so on a request straddling the limit it fails only the later root fields; clients
see an error either way and retry the request). The refusal names the first exhausted bucket:
``Limit reached (<tokens> tokens per <window> ms)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["RateLimiter", "parse_rate_limit"]

Buckets = tuple[tuple[int, int], ...]


def parse_rate_limit(text: str) -> Buckets | None:
    """``"100/1000,100/60000"`` -> ``((100, 1000), (100, 60000))``; ``"off"`` -> None."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    buckets: list[tuple[int, int]] = []
    for part in text.split(","):
        tokens, sep, window = part.strip().partition("/")
        try:
            if not sep:
                raise ValueError
            pair = (int(tokens), int(window))
        except ValueError:
            raise ValueError(
                f"bad rate limit {part.strip()!r}: expected TOKENS/MS pairs such as "
                "'100/1000,100/60000', or 'off'"
            ) from None
        buckets.append(pair)
    return check_buckets(buckets)


def check_buckets(buckets: Sequence[Sequence[int]] | None) -> Buckets | None:
    if buckets is None:
        return None
    out: list[tuple[int, int]] = []
    for bucket in buckets:
        if (
            len(bucket) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in bucket)
            or bucket[0] < 1
            or bucket[1] < 1
        ):
            raise ValueError(
                f"bad rate limit bucket {tuple(bucket)!r}: expected (tokens, window_ms), "
                "both positive integers"
            )
        out.append((bucket[0], bucket[1]))
    if not out:
        raise ValueError("rate limit needs at least one (tokens, window_ms) bucket, or None")
    return tuple(out)


class RateLimiter:
    def __init__(
        self,
        buckets: Sequence[Sequence[int]] | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.configure(buckets)

    def configure(self, buckets: Sequence[Sequence[int]] | None) -> None:
        """Replace the buckets (all start full); None turns throttling off."""
        checked = check_buckets(buckets)
        with self._lock:
            self.buckets: Buckets | None = checked
            now = self._clock()
            self._levels = [float(t) for t, _ in checked or ()]
            self._stamps = [now for _ in checked or ()]

    def take(self, n: int) -> str | None:
        """Consume ``n`` tokens from every bucket; None when admitted, else the message."""
        if n <= 0:
            return None
        with self._lock:
            if self.buckets is None:
                return None
            now = self._clock()
            for i, (tokens, window) in enumerate(self.buckets):
                elapsed_ms = (now - self._stamps[i]) * 1000.0
                self._levels[i] = min(float(tokens), self._levels[i] + elapsed_ms * tokens / window)
                self._stamps[i] = now
            for i, (tokens, window) in enumerate(self.buckets):
                if self._levels[i] < n:
                    return f"Limit reached ({tokens} tokens per {window} ms)"
            for i in range(len(self.buckets)):
                self._levels[i] -= n
            return None

    def refund(self, n: int) -> None:
        """Give back ``n`` tokens taken for a request that never reached a resolver (it failed
        validation), as Twenty throttles inside the query runners, after validation."""
        with self._lock:
            if self.buckets is None or n <= 0:
                return
            for i, (tokens, _window) in enumerate(self.buckets):
                self._levels[i] = min(float(tokens), self._levels[i] + n)
