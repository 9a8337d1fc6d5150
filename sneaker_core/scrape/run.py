"""Scrape one model into this week's snapshot: robots check, browser or JSON mode, labelling, manifest."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from sneaker_core.browser import ensure_chromium
from sneaker_core.http_retry import RetriesExhaustedError
from sneaker_core.registry import ModelSpec, get_model, load_models
from sneaker_core.scrape import site
from sneaker_core.scrape.browser_mode import scrape_browser
from sneaker_core.scrape.errors import TransientScrapeError
from sneaker_core.scrape.json_mode import scrape_json
from sneaker_core.scrape.politeness import host_slot
from sneaker_core.scrape.records import ScrapeStats, build_table
from sneaker_core.scrape.robots import check_robots
from sneaker_core.scrape.snapshot import iso_week, write_snapshot
from sneaker_core.settings import Settings

SCRAPER_VERSION = "2"  # 2: release_date, retail_usd and template_id (snapshot schema 2)


async def _fetch(spec: ModelSpec, base: str, settings: Settings, stats: ScrapeStats,
                 rng: random.Random, json_mode: bool) -> list[dict[str, Any]]:
    """Check robots.txt for the URLs this scrape needs, then (JSON mode) page through the search endpoint."""
    policy = settings.retry_policy()
    headers = {"User-Agent": settings.user_agent, "Accept": "application/json, text/html"}
    timeout = httpx.Timeout(settings.request_timeout_s)
    async with httpx.AsyncClient(headers=headers, timeout=timeout, follow_redirects=True) as client:
        needed = [site.api_url(base, spec.query, 1)] if json_mode else [site.search_url(base, spec.query)]
        await check_robots(client, base, needed, settings.user_agent, spec.key, policy)
        if not json_mode:
            return []
        return await scrape_json(spec, base, client, policy, settings.item_cap,
                                 settings.politeness_delay_s(), stats, rng)


def scrape_model(
    model_key: str, settings: Settings, base_url: str, source_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """Scrape one model and write `<data>/raw/<week>/<model>.parquet`; return its manifest.

    Raises a ScrapeError subclass (blocked, robots_disallowed, transient) instead of writing an empty snapshot.
    """
    spec = get_model(model_key, settings.models_file)
    now = now or datetime.now(UTC)
    week = iso_week(now)
    stats = ScrapeStats()
    rng = random.Random(f"{settings.seed}:{spec.key}:{week}")
    json_mode = settings.scrape_mode == "json"
    with host_slot(base_url, settings.scrape_workers):
        try:
            items = asyncio.run(_fetch(spec, base_url, settings, stats, rng, json_mode))
        except RetriesExhaustedError as exc:
            raise TransientScrapeError(spec.key, str(exc)) from exc
        if not json_mode:
            chromium = ensure_chromium(settings.chromium, install=False)
            items = scrape_browser(
                spec, base_url, chromium, settings.user_agent, settings.request_timeout_s, settings.item_cap,
                settings.stale_scrolls, settings.scroll_wait_s, settings.politeness_delay_s(), stats, rng,
            )
    table = build_table(items, spec, source_id, now, stats, load_models(settings.models_file))
    manifest = write_snapshot(table, Path(settings.data_dir), week, spec.key, source_id, stats)
    manifest.update(mode=settings.scrape_mode, scraper_version=SCRAPER_VERSION, scraped_at=now.isoformat())
    return manifest
