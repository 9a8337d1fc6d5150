"""Scrape one model's per-size asks: one `buy_bar_data` request per product of this week's snapshot.

Politeness as for the search scrape: robots.txt checked first, the same retries and backoff per request
(`http_retry`), a jittered delay between requests, and a host slot. A 401/403 or a challenge page means the
marketplace blocks us: the model's whole size table fails (BlockedError) and nothing is written. Anything wrong
with one product (no template id, a 404, an answer that is not JSON) or one entry is counted with its reason.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.atomic import atomic_path, sha256_file, write_json
from sneaker_core.http_retry import RetriesExhaustedError, RetryPolicy, aget_with_retries
from sneaker_core.labeller import KEEP_STATUSES
from sneaker_core.scrape import site
from sneaker_core.scrape.errors import BlockedError, TransientScrapeError
from sneaker_core.scrape.politeness import host_slot
from sneaker_core.scrape.robots import check_robots
from sneaker_core.scrape.size_entries import CURRENCY, SizeEntries, parse_size_entries
from sneaker_core.scrape.snapshot import iso_week, manifest_path, sizes_path
from sneaker_core.settings import Settings

SIZES_VERSION = "1"
SIZES_SCHEMA = pa.schema([
    ("product_id", pa.string()), ("template_id", pa.int64()), ("size", pa.float64()), ("size_label", pa.string()),
    ("ask_usd", pa.float64()), ("currency", pa.string()), ("stock_status", pa.string()),
    ("scraped_at", pa.timestamp("us", tz="UTC")),
])


def _template_id(value: Any) -> int | None:
    """A positive integer template id (the search JSON's `id`), else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):  # a column with nulls reads back as floats
        tid = int(value) if value.is_integer() else None
    else:
        try:
            tid = int(str(value).strip())
        except ValueError:
            return None
    return tid if tid is not None and tid > 0 else None


def products_to_fetch(snapshot: pd.DataFrame, max_products: int) -> tuple[list[tuple[str, int]], Counter[str]]:
    """[(product_id, template_id)] of the snapshot's trusted rows in result order, up to `max_products`, and
    the count of every other row by reason."""
    skipped: Counter[str] = Counter()
    chosen: list[tuple[str, int]] = []
    has_ids = "template_id" in snapshot.columns
    for row in snapshot.sort_values("position").itertuples(index=False):
        if row.status not in KEEP_STATUSES:
            skipped["not_a_labelled_sneaker"] += 1
            continue
        tid = _template_id(row.template_id) if has_ids else None
        if tid is None:
            skipped["no_template_id"] += 1
        elif len(chosen) >= max_products:
            skipped["beyond_max_products"] += 1
        else:
            chosen.append((row.product_id, tid))
    return chosen, skipped


def _answer(model: str, resp: httpx.Response, url: str) -> tuple[Any, str | None]:
    """(JSON payload, None), or (None, reason) for a product-level failure; raises when we are blocked."""
    if resp.status_code in (401, 403):
        raise BlockedError(model, f"HTTP {resp.status_code} from {url} (bot wall); try later or lower the rate")
    if resp.status_code >= 400:
        return None, f"http_{resp.status_code}"
    try:
        return resp.json(), None
    except (json.JSONDecodeError, UnicodeDecodeError):
        if site.looks_like_challenge(resp.text):
            raise BlockedError(model, f"challenge page instead of JSON at {url}") from None
        return None, "answer_not_json"


async def fetch_sizes(model: str, base: str, products: list[tuple[str, int]], settings: Settings,
                      rng: random.Random) -> tuple[dict[str, SizeEntries], Counter[str]]:
    """{product_id: parsed entries} of the products answered, and the count of the others by reason."""
    policy: RetryPolicy = settings.retry_policy()
    headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
    delay = settings.politeness_delay_s()
    answered: dict[str, SizeEntries] = {}
    failed: Counter[str] = Counter()
    async with httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(settings.request_timeout_s),
                                 follow_redirects=True) as client:
        if products:
            await check_robots(client, base, [site.sizes_url(base, products[0][1])], settings.user_agent, model,
                               policy)
        for i, (product_id, tid) in enumerate(products):
            if i and delay:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * delay)
            url = site.sizes_url(base, tid)
            payload, why = _answer(model, await aget_with_retries(client, url, policy), url)
            if why:
                failed[why] += 1
            else:
                answered[product_id] = parse_size_entries(payload)
    return answered, failed


def _table(products: list[tuple[str, int]], answered: dict[str, SizeEntries], now: datetime) -> pa.Table:
    rows = [{"product_id": pid, "template_id": tid, **r, "currency": CURRENCY, "scraped_at": now}
            for pid, tid in products if pid in answered for r in answered[pid].rows]
    return pa.Table.from_pylist(rows, schema=SIZES_SCHEMA)


def scrape_sizes(model: str, settings: Settings, base_url: str, source: str, snapshot: Path,
                 now: datetime | None = None) -> dict[str, Any]:
    """Fetch the sizes of `snapshot`'s products and write `<data>/raw/<week>/<model>.sizes.parquet` with its
    manifest; return the manifest. Raises BlockedError, RobotsDisallowedError or TransientScrapeError."""
    now = now or datetime.now(UTC)
    week = iso_week(now)
    products, skipped = products_to_fetch(pd.read_parquet(snapshot), settings.sizes_max_products)
    rng = random.Random(f"{settings.seed}:{model}:{week}:sizes")
    with host_slot(base_url, settings.scrape_workers):
        try:
            answered, failed = asyncio.run(fetch_sizes(model, base_url, products, settings, rng))
        except RetriesExhaustedError as exc:
            raise TransientScrapeError(model, str(exc)) from exc
    table = _table(products, answered, now)
    data_dir = Path(settings.data_dir)
    path = sizes_path(data_dir, week, model)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    rel = path.relative_to(data_dir).as_posix()
    manifest = {
        "model": model, "week": week, "source": source, "path": rel, "sha256": sha256_file(path),
        "files": [{"path": rel, "sha256": sha256_file(path)}],
        "products": len(products), "answered": len(answered),
        "with_offers": sum(any(r["ask_usd"] is not None for r in e.rows) for e in answered.values()),
        "rows": table.num_rows, "asks": table.num_rows - table.column("ask_usd").null_count,
        "skipped_products": dict(sorted((skipped + failed).items())),
        "skipped_entries": dict(sorted(sum((e.skipped for e in answered.values()), Counter()).items())),
        "other_condition": sum(e.other_condition for e in answered.values()),
        "sizes_version": SIZES_VERSION, "scraped_at": now.isoformat(),
    }
    write_json(manifest_path(path), manifest)
    return manifest
