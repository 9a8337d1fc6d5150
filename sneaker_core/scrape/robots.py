"""robots.txt: fetched once per scrape, and every path the scraper needs checked against it."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import httpx

from sneaker_core.http_retry import RetryPolicy, aget_with_retries
from sneaker_core.scrape.errors import RobotsDisallowedError


async def check_robots(
    client: httpx.AsyncClient, base: str, urls: list[str], user_agent: str, model: str, policy: RetryPolicy
) -> None:
    """Raise RobotsDisallowedError naming the first URL robots.txt forbids; a missing robots.txt allows all."""
    resp = await aget_with_retries(client, f"{base}/robots.txt", policy)
    if resp.status_code >= 400:
        return
    parser = RobotFileParser()
    parser.parse(resp.text.splitlines())
    for url in urls:
        if not parser.can_fetch(user_agent, url):
            raise RobotsDisallowedError(
                model, f"{base}/robots.txt disallows {url} for user agent {user_agent!r}; this model is skipped"
            )
