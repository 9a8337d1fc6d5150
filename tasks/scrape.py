"""Prefect task: scrape one model into this week's snapshot (cached per model, source, ISO week, version)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.atomic import sha256_file
from sneaker_core.governance.contract import CONTRACT_VERSION, check_snapshot
from sneaker_core.registry import DEFAULT_MODELS_FILE
from sneaker_core.scrape.errors import ScrapeError
from sneaker_core.scrape.run import SCRAPER_VERSION, scrape_model
from sneaker_core.scrape.snapshot import iso_week, manifest_path, snapshot_path
from sneaker_core.settings import Settings
from tasks.caching import BACKOFF, PERSISTED, cache_key, data_key, manifest_verified


def _retriable(task, task_run, state) -> bool:
    """Retry transient failures only; blocked pages, robots refusals and configuration errors fail at once."""
    exc = state.result(raise_on_failure=False)
    if isinstance(exc, ScrapeError):
        return exc.retriable
    return not isinstance(exc, (ValueError, KeyError, FileNotFoundError, PermissionError, RuntimeError))


def models_digest(settings: Settings) -> str:
    """sha256 of the models file the scrape labels with: an edited file (a pattern, a brand) re-labels."""
    return sha256_file(settings.models_file or DEFAULT_MODELS_FILE)


def _key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key(
        f"scrape-{params['model']}", params["source"], iso_week(params["now"]), SCRAPER_VERSION, CONTRACT_VERSION,
        s.item_cap, models_digest(s), data_key(s),
    )


@task(
    name="scrape_model",
    task_run_name="scrape-{model}",
    retries=3,
    **BACKOFF,
    retry_condition_fn=_retriable,
    cache_key_fn=_key,
    **PERSISTED,
)
def scrape_model_task(model: str, settings: Settings, base_url: str, source: str, now: datetime) -> dict[str, Any]:
    """Scrape `model` and return the snapshot manifest (paths, counts, sha256), never the rows.

    A snapshot that breaks the contract fails the task at once (a ContractError is a ValueError: no retry) and,
    being a failure, is not cached: the next run scrapes the (fixed) source again.
    """
    manifest = scrape_model(model, settings, base_url, source, now=now)
    check_snapshot(Path(settings.data_dir) / manifest["path"])
    return manifest


def scrape_task_for(model: str, settings: Settings, now: datetime):
    """The scrape task, forced to recompute when this week's snapshot for `model` is missing or changed."""
    snap = snapshot_path(Path(settings.data_dir), iso_week(now), model)
    return manifest_verified(scrape_model_task, manifest_path(snap), Path(settings.data_dir))
