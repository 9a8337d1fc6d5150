"""The `scrape` flow: one `scrape_model` task per enabled model, a few at a time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from sneaker_core.registry import resolve_models
from sneaker_core.settings import Settings
from sneaker_core.sources import open_source, source_id
from tasks.scrape import scrape_task_for


def as_of_time(as_of: str | None) -> datetime:
    """The moment a run stands for (its ISO week keys the scrape cache); now, or an ISO date for backfills."""
    if not as_of:
        return datetime.now(UTC)
    ts = datetime.fromisoformat(as_of)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def submit_scrapes(settings: Settings, base_url: str, models: list[str] | None, now: datetime) -> dict:
    """Submit one scrape task per model (shared by this flow and `weekly_refresh`): {model key: future}."""
    src = source_id(settings)
    return {
        spec.key: scrape_task_for(spec.key, settings, now).submit(spec.key, settings, base_url, src, now)
        for spec in resolve_models(models, settings.models_file)
    }


def split_outcomes(futures: dict) -> tuple[dict[str, Any], dict[str, str]]:
    """({model: result} of completed futures, {model: error message} of failed ones)."""
    wait(list(futures.values()))
    done, failed = {}, {}
    for model, fut in futures.items():
        if fut.state.is_completed():
            done[model] = fut.result()
        else:
            failed[model] = str(fut.state.result(raise_on_failure=False))
    return done, failed


@flow(name="scrape", task_runner=ThreadPoolTaskRunner(max_workers=4))
def scrape_flow(
    models: list[str] | None = None,
    mode: str | None = None,
    source: str | None = None,
    item_cap: int | None = None,
    as_of: str | None = None,
    data_dir: str | None = None,
) -> dict[str, Any]:
    """Scrape the enabled (or named) models into this week's snapshots; failed models are listed, not fatal."""
    settings = Settings.with_overrides(scrape_mode=mode, source=source, item_cap=item_cap, data_dir=data_dir)
    now = as_of_time(as_of)
    with open_source(settings, as_of=now if as_of else None) as base_url:
        done, failed = split_outcomes(submit_scrapes(settings, base_url, models, now))
    return {"scraped": done, "failed": failed}
