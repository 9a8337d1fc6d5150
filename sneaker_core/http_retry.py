"""HTTP retries with exponential backoff, jitter and `Retry-After` (async httpx)."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

RETRIABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
RETRIABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts."""

    attempts: int = 5
    base_delay_s: float = 0.25
    max_delay_s: float = 30.0
    jitter: float = 0.5  # +- fraction of the computed delay

    def delay(self, attempt: int, response: httpx.Response | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based); `Retry-After` wins when present."""
        after = retry_after_s(response) if response is not None else None
        if after is not None:
            return min(after, self.max_delay_s)
        raw = min(self.base_delay_s * 2 ** (attempt - 1), self.max_delay_s)
        r = (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, raw * (1 + r))


def retry_after_s(response: httpx.Response) -> float | None:
    """The `Retry-After` header in seconds (numeric or HTTP date), if any."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RetriesExhaustedError(RuntimeError):
    """Every attempt failed with a retriable error; the message names the URL and the last failure."""


def _describe(exc: Exception | None, response: httpx.Response | None) -> str:
    if response is not None:
        return f"HTTP {response.status_code}"
    return f"{type(exc).__name__}: {exc}"


async def aget_with_retries(client: httpx.AsyncClient, url: str, policy: RetryPolicy, **kw) -> httpx.Response:
    """GET `url`; retry on timeouts, network errors and retriable statuses; return the first other response."""
    last_exc: Exception | None = None
    resp: httpx.Response | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            resp, last_exc = await client.get(url, **kw), None
        except RETRIABLE_ERRORS as exc:
            resp, last_exc = None, exc
        if resp is not None and resp.status_code not in RETRIABLE_STATUS:
            return resp
        if attempt < policy.attempts:
            await asyncio.sleep(policy.delay(attempt, resp))
    raise RetriesExhaustedError(f"{url}: gave up after {policy.attempts} attempts ({_describe(last_exc, resp)})")
