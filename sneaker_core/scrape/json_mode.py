"""JSON mode: page through the marketplace's search endpoint with httpx (fast, no browser)."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx

from sneaker_core.http_retry import RetryPolicy, aget_with_retries
from sneaker_core.registry import ModelSpec
from sneaker_core.scrape import site
from sneaker_core.scrape.errors import BlockedError, ScrapeError
from sneaker_core.scrape.records import TIME_FIELDS, ScrapeStats


def _payload(model: str, resp: httpx.Response, url: str) -> Any:
    """The JSON body of a search response, or the scrape outcome its failure means."""
    if resp.status_code in (401, 403):
        raise BlockedError(model, f"HTTP {resp.status_code} from {url} (bot wall); try later or lower the rate")
    if resp.status_code >= 400:
        raise ScrapeError(model, f"HTTP {resp.status_code} from {url}")
    try:
        return resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        if site.looks_like_challenge(resp.text):
            raise BlockedError(model, f"challenge page instead of JSON at {url}") from None
        raise ScrapeError(model, f"response of {url} is not JSON: {resp.text[:80]!r}") from None


async def scrape_json(
    spec: ModelSpec, base: str, client: httpx.AsyncClient, policy: RetryPolicy, item_cap: int,
    delay_s: float, stats: ScrapeStats, rng: random.Random,
) -> list[dict[str, Any]]:
    """Raw items (product_id, title, image_url, price_raw, position, page_url and the raw time fields) in result
    order, up to the cap."""
    items: list[dict[str, Any]] = []
    page, position = 1, 0
    while len(items) < item_cap:
        url = site.api_url(base, spec.query, page)
        resp = await aget_with_retries(client, url, policy)
        payload = _payload(spec.key, resp, url)
        if isinstance(payload, dict) and payload.get("error"):
            raise ScrapeError(spec.key, f"{url} answered with an error body: {str(payload['error'])[:120]}")
        products = list(site.iter_products(payload))
        stats.pages += 1
        if page == 1 and not products:
            raise BlockedError(spec.key, f"no products at {url} where results were expected")
        for p in products:
            fields, reason = site.product_fields(p)
            position += 1
            if fields is None:
                stats.skip(reason or "bad_product")
                continue
            items.append(
                {
                    "product_id": fields["slug"],
                    "title": fields["title"],
                    "image_url": fields["image_url"],
                    "price_raw": fields["price_raw"],
                    "position": position - 1,
                    "page_url": site.product_url(base, fields["slug"]),
                    **{k: fields[k] for k in TIME_FIELDS},
                }
            )
        if len(products) < site.PAGE_LIMIT:
            break
        page += 1
        if delay_s:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * delay_s)
    if len(items) >= item_cap:
        stats.cap_reached = True
    return items[:item_cap]
