"""The `images` flow: the image stage as its own flow run, so that it can run on another task runner (Dask)."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.scrape import split_outcomes
from sneaker_core.settings import Settings
from tasks.images import images_task_for


def submit_images(scrapes: dict[str, Any], week: str, settings: Settings) -> dict[str, Any]:
    """One images task per model in `scrapes` (futures or manifests): {model key: future}."""
    return {m: images_task_for(m, week, settings).submit(m, scrape, settings) for m, scrape in scrapes.items()}


@flow(name="images")
def images_flow(scraped: dict[str, dict[str, Any]], week: str, settings: Settings
                ) -> tuple[dict[str, Any], dict[str, str]]:
    """One images task per scraped model on this flow's task runner: ({model: manifest}, {model: error})."""
    return split_outcomes(submit_images(scraped, week, settings))
