"""`weekly_refresh`: scrape -> images -> shards (per model) -> train (per target) -> stack -> forecast -> report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.images import images_flow, submit_images
from flows.runners import RunnerKind, image_task_runner
from flows.scrape import as_of_time, split_outcomes, submit_scrapes, submit_sizes
from flows.training import train_and_report
from sneaker_core.runs import data_dir_lock
from sneaker_core.scrape.snapshot import iso_week
from sneaker_core.settings import Settings
from sneaker_core.sources import open_source
from sneaker_core.training.preflight import check_training
from tasks.artifacts import StageProgress, publish_counts
from tasks.shards import shards_task_for


@flow(name="weekly-refresh", task_runner=ThreadPoolTaskRunner(max_workers=4))
def weekly_refresh(
    models: list[str] | None = None,
    item_cap: int | None = None,
    source: str | None = None,
    scrape_mode: str | None = None,
    image_size: int | None = None,
    train_image_size: int | None = None,
    epochs: int | None = None,
    architecture: str | None = None,
    market_products: int | None = None,
    train_concurrency: int = 1,
    until: Literal["shards", "report"] = "report",
    as_of: str | None = None,
    data_dir: str | None = None,
    task_runner: RunnerKind = "threads",
    dask_workers: int = 2,
) -> dict[str, Any]:
    """The weekly job. Every stage is a cached task; a model that fails is reported and left out downstream.

    `until="shards"` stops after the data stages (scrape, images, shards), e.g. to refresh data only.
    `task_runner="dask"` runs the image stage as an `images` subflow on a local Dask cluster of `dask_workers`
    processes (the `dask` extra) instead of this flow's threads; the cache is the same either way.
    """
    image_runner = image_task_runner(task_runner, dask_workers)
    settings = Settings.with_overrides(
        item_cap=item_cap, source=source, scrape_mode=scrape_mode, image_size=image_size,
        train_image_size=train_image_size, epochs=epochs, architecture=architecture,
        market_products=market_products, data_dir=data_dir,
    )
    if until == "report":
        check_training(settings)  # fails now, before any scrape, if the training settings cannot work
    now = as_of_time(as_of)
    week = iso_week(now)
    with data_dir_lock(settings.data_dir):  # the whole run, training included, holds the data directory
        return _stages(settings, models, now, week, until, train_concurrency, image_runner)


def _submit_shards(scrapes: dict[str, Any], images: dict[str, Any], week: str, settings: Settings
                   ) -> dict[str, Any]:
    """One shards task per model in `images` (futures or results): {model key: future}."""
    return {m: shards_task_for(m, week, settings).submit(m, scrapes[m], images[m], settings) for m in images}


def _stages(settings: Settings, models: list[str] | None, now: datetime, week: str, until: str,
            train_concurrency: int, image_runner: TaskRunner | None) -> dict[str, Any]:
    """The stages in order (wiring only); called by `weekly_refresh` under the data-directory lock."""
    log = get_run_logger()
    with open_source(settings, as_of=now) as base_url:  # the demo market serves the run's week
        progress = StageProgress("scrape and images")
        scrapes = submit_scrapes(settings, base_url, models, now)
        sizes = submit_sizes(scrapes, settings, base_url, now)  # nothing downstream waits for them
        if image_runner is None:  # per model, images start when its scrape ends and shards when its images end
            images = submit_images(scrapes, week, settings)
            shards = _submit_shards(scrapes, images, week, settings)
            progress.follow({**scrapes, **images, **shards})
            scraped, scrape_failed = split_outcomes(scrapes)
            imaged, image_failed = split_outcomes(images, scrape_failed)
        else:  # every scrape first, then the `images` subflow on `image_runner`, then shards
            scraped, scrape_failed = split_outcomes(scrapes)
            imaged, image_failed = images_flow.with_options(task_runner=image_runner)(scraped, week, settings)
            shards = _submit_shards(scraped, imaged, week, settings)
            progress.follow({**scrapes, **shards})
        sharded, shard_failed = split_outcomes(shards, {**image_failed, **scrape_failed})
        sized, sizes_failed = split_outcomes(sizes, scrape_failed)
    failed = {**shard_failed, **image_failed, **scrape_failed}
    for model, why in failed.items():
        log.warning("model %s left out of this run: %s", model, why)
    for model, why in sizes_failed.items():
        log.warning("no size table for model %s this run: %s", model, why)
    sizes_out = {"sizes": {m: {k: s[k] for k in ("path", "rows", "asks")} for m, s in sized.items()},
                 "sizes_failed": sizes_failed}
    publish_counts(scraped, imaged, sharded, failed)
    if not sharded:
        raise RuntimeError(f"no model produced shards; failures: {failed}")
    if until == "shards":
        return {"week": week, "models": sorted(sharded), "failed": failed, "shards": sharded, **sizes_out}

    shard_list = [sharded[m] for m in sorted(sharded)]
    latest = {"week": week, "models": sorted(sharded), "failed": failed, "sizes_failed": sizes_failed}
    run = train_and_report(shard_list, week, sorted(sharded), settings, train_concurrency, latest)
    return {**run, "week": week, "models": sorted(sharded), "failed": failed, **sizes_out}
