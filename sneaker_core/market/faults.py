"""Seeded, repeatable fault injection for the demo market (errors, throttling, latency, truncation, bot walls)."""

from __future__ import annotations

import hashlib
import struct
import threading
from collections import Counter
from dataclasses import dataclass, fields
from urllib.parse import parse_qs, urlsplit

MAX_LATENCY_MS = 10_000.0  # beyond the scrapers' own timeouts, a longer delay only tests nothing more slowly
RATE_FIELDS = ("error_rate", "truncate_rate", "throttle_rate", "challenge_rate", "forbidden_rate")
# Searches blocked on every request ('|'-separated search texts): a bot wall on some models only.
QUERY_FIELDS = ("challenge_queries", "forbidden_queries")


@dataclass(frozen=True)
class FaultSpec:
    """Fault rates in [0, 1] and a latency in ms added to every response."""

    error_rate: float = 0.0
    latency_ms: float = 0.0
    truncate_rate: float = 0.0
    throttle_rate: float = 0.0
    challenge_rate: float = 0.0
    forbidden_rate: float = 0.0
    challenge_queries: tuple[str, ...] = ()  # their search page and JSON answer a challenge page (HTTP 200)
    forbidden_queries: tuple[str, ...] = ()  # ... a challenge page with HTTP 403

    def __post_init__(self) -> None:
        for name in RATE_FIELDS:
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:  # also false for nan
                raise ValueError(f"fault {name}={v} is out of range; use a rate between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError(f"fault latency_ms={self.latency_ms} is negative; use 0 or more milliseconds")
        if not self.latency_ms <= MAX_LATENCY_MS:  # also true for nan; nan, inf, 1e300 would fail every request
            raise ValueError(f"fault latency_ms={self.latency_ms} is out of range; use 0 to {MAX_LATENCY_MS:g} "
                             "milliseconds")

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse 'error_rate=0.2,latency_ms=50,forbidden_queries=air jordan 1|bapesta'; unknown keys or bad
        numbers raise ValueError naming them."""
        valid = [f.name for f in fields(cls)]
        values: dict[str, float | tuple[str, ...]] = {}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            key, sep, raw = part.partition("=")
            key = key.strip()
            if not sep:
                raise ValueError(f"fault {part.strip()!r} lacks '=value'; write e.g. error_rate=0.2")
            if key not in valid:
                raise ValueError(f"unknown fault {key!r}; valid keys: {', '.join(valid)}")
            if key in values:
                raise ValueError(f"fault {key} is given twice; give each fault once")
            if key in QUERY_FIELDS:
                values[key] = tuple(q.strip().lower() for q in raw.split("|") if q.strip())
                continue
            try:
                values[key] = float(raw)
            except ValueError:
                raise ValueError(f"fault {key}={raw.strip()!r} is not a number") from None
        return cls(**values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class Decision:
    """What to do with one request: 'ok', 'error', 'throttle', 'challenge', 'forbidden' or 'truncate'."""

    action: str
    fraction: float = 1.0  # share of the body to send when truncating


OK = Decision("ok")


class FaultInjector:
    """Decides each request's fault from hash(seed, fault, URL, n-th request of that URL): retries differ."""

    def __init__(self, spec: FaultSpec, seed: int = 0):
        self.spec, self.seed = spec, seed
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def _u(self, fault: str, url: str, n: int) -> float:
        digest = hashlib.sha256(f"{self.seed}\x1f{fault}\x1f{url}\x1f{n}".encode()).digest()
        return struct.unpack(">Q", digest[:8])[0] / 2**64

    def decide(self, kind: str, url: str) -> Decision:
        """kind: 'search' (HTML page), 'json', 'image' or 'other' (robots, catalog, product pages)."""
        s = self.spec
        if not s.active or kind == "other":
            return OK
        blocked = self._blocked_query(kind, url)
        if blocked:
            with self._lock:
                self.counts[blocked] += 1
            return Decision(blocked)
        with self._lock:
            n = self._seen[url]
            self._seen[url] += 1
        checks: list[tuple[str, float]] = [("forbidden", s.forbidden_rate)]
        if kind in ("search", "json"):
            checks.append(("challenge", s.challenge_rate))
        if kind in ("json", "image"):
            checks += [("throttle", s.throttle_rate), ("error", s.error_rate)]
        if kind == "image":
            checks.append(("truncate", s.truncate_rate))
        decision = OK
        for fault, rate in checks:
            if rate > 0 and self._u(fault, url, n) < rate:
                frac = 0.2 + 0.7 * self._u("fraction", url, n) if fault == "truncate" else 1.0
                decision = Decision(fault, frac)
                break
        with self._lock:
            self.counts[decision.action] += 1
        return decision

    def _blocked_query(self, kind: str, url: str) -> str | None:
        """'challenge' or 'forbidden' when `url` searches a query the spec blocks, else None."""
        if kind not in ("search", "json") or not (self.spec.challenge_queries or self.spec.forbidden_queries):
            return None
        qs = parse_qs(urlsplit(url).query)
        query = (qs.get("query") or qs.get("queryString") or [""])[0].strip().lower()
        if query in self.spec.forbidden_queries:
            return "forbidden"
        return "challenge" if query in self.spec.challenge_queries else None
