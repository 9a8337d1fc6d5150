"""Prefect task: scrape one model's per-size asks (cached per model, source, ISO week, snapshot and version)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.scrape.sizes import SIZES_VERSION, scrape_sizes
from sneaker_core.scrape.snapshot import iso_week, manifest_path, sizes_path
from sneaker_core.settings import Settings
from tasks.caching import BACKOFF, PERSISTED, cache_key, data_key, manifest_verified
from tasks.scrape import _retriable


def _key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key(
        f"sizes-{params['model']}", params["source"], iso_week(params["now"]), SIZES_VERSION,
        params["scrape"]["sha256"], s.sizes_max_products, data_key(s),
    )


@task(
    name="scrape_sizes",
    task_run_name="sizes-{model}",
    retries=3,
    **BACKOFF,
    retry_condition_fn=_retriable,
    cache_key_fn=_key,
    **PERSISTED,
)
def scrape_sizes_task(model: str, scrape: dict[str, Any], settings: Settings, base_url: str, source: str,
                      now: datetime) -> dict[str, Any]:
    """Per-size asks of the products in `scrape` (its manifest); returns the sizes manifest (counts, sha256)."""
    return scrape_sizes(model, settings, base_url, source, Path(settings.data_dir) / scrape["path"], now=now)


def sizes_task_for(model: str, settings: Settings, now: datetime):
    """The sizes task, forced to recompute when this week's size table for `model` is missing or changed."""
    path = sizes_path(Path(settings.data_dir), iso_week(now), model)
    return manifest_verified(scrape_sizes_task, manifest_path(path), Path(settings.data_dir))
