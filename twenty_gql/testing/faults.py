"""Fault injection for reliability tests: added latency, proxy-style 502/503 answers, and
connections dropped after the request was read (before the write is applied, or after).

Decisions come from one ``random.Random``; pass ``seed`` for reproducible runs.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

__all__ = ["FaultPlan", "Faults"]


def _rate(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class FaultPlan:
    """What to do with one request: ``status`` 502/503 (answer like a proxy, not applied),
    ``drop`` (close the connection without a response; applied first when ``apply_first``)."""

    status: int | None = None
    drop: bool = False
    apply_first: bool = False


NO_FAULT = FaultPlan()


class Faults:
    def __init__(
        self,
        *,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        drop_rate: float = 0.0,
        drop_after_apply: bool = False,
        seed: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.set(
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            drop_rate=drop_rate,
            drop_after_apply=drop_after_apply,
        )

    def set(
        self,
        *,
        latency_ms: float | None = None,
        fault_rate: float | None = None,
        drop_rate: float | None = None,
        drop_after_apply: bool | None = None,
        seed: int | None = None,
    ) -> None:
        """Change any of the settings (None keeps the current value)."""
        with self._lock:
            if latency_ms is not None:
                if (
                    isinstance(latency_ms, bool)
                    or not isinstance(latency_ms, (int, float))
                    or latency_ms < 0
                ):
                    raise ValueError(f"latency_ms must be >= 0, got {latency_ms!r}")
                self.latency_ms = float(latency_ms)
            if fault_rate is not None:
                self.fault_rate = _rate("fault_rate", fault_rate)
            if drop_rate is not None:
                self.drop_rate = _rate("drop_rate", drop_rate)
            if drop_after_apply is not None:
                self.drop_after_apply = bool(drop_after_apply)
            if seed is not None:
                self._rng.seed(seed)

    def plan(self) -> FaultPlan:
        with self._lock:
            if self.fault_rate == 0.0 and self.drop_rate == 0.0:
                return NO_FAULT
            if self._rng.random() < self.fault_rate:
                return FaultPlan(status=503 if self._rng.random() < 0.5 else 502)
            if self._rng.random() < self.drop_rate:
                return FaultPlan(drop=True, apply_first=self.drop_after_apply)
            return NO_FAULT
