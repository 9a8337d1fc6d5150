"""Prefect task: download, normalise and store one model's images (cached on the snapshot's digest)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task

from sneaker_core.images.pipeline import ImagesFailedError, images_manifest_json, process_model_images
from sneaker_core.settings import Settings
from tasks.caching import BACKOFF, PERSISTED, cache_key, data_key, manifest_verified

IMAGE_SETTINGS = ("image_size", "resize_at_source", "jpeg_quality", "max_image_bytes", "max_image_pixels",
                  "min_image_ok_fraction")


def _key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key(
        f"images-{params['model']}", params["scrape"]["sha256"], {k: getattr(s, k) for k in IMAGE_SETTINGS},
        data_key(s),
    )


def _retriable(task, task_run, state) -> bool:
    """A model whose images mostly fail is reported, not retried; network trouble is retried."""
    return not isinstance(state.result(raise_on_failure=False), (ImagesFailedError, ValueError, OSError))


@task(
    name="download_images",
    task_run_name="images-{model}",
    retries=2,
    **BACKOFF,
    retry_condition_fn=_retriable,
    cache_key_fn=_key,
    **PERSISTED,
)
def download_images(model: str, scrape: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Images of one model's snapshot; returns the images manifest summary (counts, reasons, digests)."""
    get_run_logger().info("images of %s in process %d on %s", model, os.getpid(), socket.gethostname())
    return process_model_images(Path(settings.data_dir) / scrape["path"], settings)


def images_task_for(model: str, week: str, settings: Settings):
    """The images task, forced to recompute when its manifest or the files it lists are missing or changed."""
    return manifest_verified(download_images, images_manifest_json(settings, week, model), Path(settings.data_dir))
