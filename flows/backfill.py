"""The `backfill` flow: the weekly job's data stages for each of N past weeks, oldest first, one subflow each."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger

from flows.weekly_refresh import weekly_refresh
from sneaker_core.backfill import backfill_weeks, check_source
from sneaker_core.scrape.snapshot import iso_week
from sneaker_core.settings import Settings


@flow(name="backfill")
def backfill(
    weeks: int,
    models: list[str] | None = None,
    source: str | None = None,
    item_cap: int | None = None,
    scrape_mode: str | None = None,
    image_size: int | None = None,
    market_products: int | None = None,
    data_dir: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """`weekly_refresh(until="shards")` as of Monday 06:00 UTC of each of the `weeks` ISO weeks before `now`'s.

    Every week's tasks are cached on their own (the scrape key holds the week), so a second backfill is all
    Cached and one that was stopped resumes at the first task it had not finished. Returns, per week, the
    models with shards, the failed models and the subflow run's id.
    """
    settings = Settings.with_overrides(source=source, data_dir=data_dir)
    check_source(settings)
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    log = get_run_logger()
    out: dict[str, Any] = {}
    for as_of in backfill_weeks(weeks, moment):
        week = iso_week(as_of)
        state = weekly_refresh.with_options(flow_run_name=f"backfill-{week}")(
            models=models, item_cap=item_cap, source=settings.source, scrape_mode=scrape_mode, image_size=image_size,
            market_products=market_products, until="shards", as_of=as_of.isoformat(), data_dir=data_dir,
            return_state=True)
        result = state.result()  # a week without any shards stops the backfill; a re-run resumes there
        out[week] = {"models": result["models"], "failed": result["failed"],
                     "flow_run_id": str(state.state_details.flow_run_id)}
        log.info("backfill %s: %d models, %d failed", week, len(result["models"]), len(result["failed"]))
    return out
