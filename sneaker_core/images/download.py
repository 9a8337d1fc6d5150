"""Async image downloads with httpx: per-host concurrency, timeouts, retries with backoff, a size cap.

Every URL ends as a `Download` holding either the body or a named reason: `http_<code>` (a 4xx other
than 429, or a retriable status such as 503 or 429 that never cleared), `timeout`, `connection_error`,
`too_large`, `empty`, `not_an_image` (text served, whatever the content type says), `unsupported_format`,
`bad_url`, `bad_encoding` (a body whose content-encoding does not decode). Retries and their delays
follow `sneaker_core.http_retry.RetryPolicy` (exponential backoff, jitter, capped `Retry-After`).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from sneaker_core.http_retry import RETRIABLE_ERRORS, RETRIABLE_STATUS, RetryPolicy
from sneaker_core.images.normalise import BadImage, check_magic
from sneaker_core.settings import Settings

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml")


@dataclass(frozen=True)
class Download:
    """The outcome of fetching one URL: `data` when it is ok, else a `reason`."""

    url: str
    data: bytes | None
    reason: str | None = None
    detail: str = ""
    attempts: int = 1


def sized_url(url: str, width: int) -> str:
    """The URL asking an image CDN for at most `width` px, when it carries a larger `width=` query (as GOAT's
    transform URLs do: `...png?action=crop&width=750`); any other URL unchanged."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "width" and v.isdigit() and int(v) > width for k, v in query):
        return url
    query = [(k, str(width) if k == "width" else v) for k, v in query]
    return parts._replace(query=urlencode(query)).geturl()


# httpcore's pool checks every idle connection each time a request starts or ends, so one pool of 16
# connections costs more CPU per request than normalising a small image; requests rotate over several
# clients of a few connections each instead (the per-host limit still bounds them all together).
CONNECTIONS_PER_CLIENT = 4


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The CA bundle, loaded once per process (~70 ms) and shared by every client."""
    return httpx.create_ssl_context()


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class Downloader:
    """Fetches image URLs concurrently; use as `async with Downloader(settings) as d: await d.fetch(url)`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._clients: list[httpx.AsyncClient] = []
        self._next = 0
        self.policy: RetryPolicy = settings.retry_policy()

    async def __aenter__(self) -> Self:
        s = self.settings
        self._clients = [httpx.AsyncClient(
            headers={"User-Agent": s.user_agent, "Accept": "image/avif,image/webp,image/png,image/*;q=0.8"},
            timeout=httpx.Timeout(s.request_timeout_s), verify=_tls_context(),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=2 * CONNECTIONS_PER_CLIENT),
            follow_redirects=True,
        ) for _ in range(max(1, s.per_host_concurrency // CONNECTIONS_PER_CLIENT))]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients:
            await client.aclose()

    def _slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc
        if host not in self._host_slots:
            self._host_slots[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._host_slots[host]

    async def fetch(self, url: str) -> Download:
        """Download one URL with retries; never raises for a network or content problem."""
        policy = self.policy
        for attempt in range(1, policy.attempts + 1):
            last = attempt == policy.attempts
            try:
                async with self._slot(url):
                    async with asyncio.timeout(self.settings.request_timeout_s):
                        return await self._attempt(url, attempt)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                return Download(url, None, "bad_url", str(exc), attempt)
            except httpx.DecodingError as exc:
                return Download(url, None, "bad_encoding", str(exc), attempt)
            except _RetryableStatus as exc:
                if last:
                    return Download(url, None, f"http_{exc.response.status_code}", str(exc), attempt)
                await asyncio.sleep(policy.delay(attempt, exc.response))
            except (TimeoutError, *RETRIABLE_ERRORS) as exc:
                if last:
                    timed_out = isinstance(exc, (TimeoutError, httpx.TimeoutException))
                    reason = "timeout" if timed_out else "connection_error"
                    return Download(url, None, reason, f"{type(exc).__name__}: {exc}", attempt)
                await asyncio.sleep(policy.delay(attempt))
            except httpx.HTTPError as exc:  # other protocol errors: not worth retrying
                return Download(url, None, "connection_error", f"{type(exc).__name__}: {exc}", attempt)
        raise AssertionError("unreachable: the last attempt always returns")

    async def _attempt(self, url: str, attempt: int) -> Download:
        assert self._clients, "use Downloader as an async context manager"
        cap = self.settings.max_image_bytes
        self._next = (self._next + 1) % len(self._clients)
        async with self._clients[self._next].stream("GET", url) as resp:
            code = resp.status_code
            if code in RETRIABLE_STATUS:
                raise _RetryableStatus(resp)
            if code >= 400:
                return Download(url, None, f"http_{code}", f"HTTP {code}", attempt)
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype.startswith(_TEXT_TYPES):
                return Download(url, None, "not_an_image", f"content-type {ctype}", attempt)
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                return Download(url, None, "too_large", f"content-length {declared} > {cap}", attempt)
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    return Download(url, None, "too_large", f"body over {cap} bytes", attempt)
        data = bytes(body)
        try:
            check_magic(data)
        except BadImage as exc:
            return Download(url, None, exc.reason, str(exc), attempt)
        return Download(url, data, None, "", attempt)
