"""Prefect task: write one model's TFRecord shards (cached on the snapshot and image digests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.settings import Settings
from sneaker_core.shard_schema import SCHEMA_VERSION
from sneaker_core.shards.writer import shard_manifest_path, write_model_shards  # no TensorFlow at import
from tasks.caching import PERSISTED, cache_key, data_key, manifest_verified


def _key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key(
        f"shards-{params['model']}", params["scrape"]["sha256"], params["images"]["content_digest"],
        s.shard_size, SCHEMA_VERSION, data_key(s),
    )


@task(name="write_shards", task_run_name="shards-{model}", cache_key_fn=_key, **PERSISTED)
def write_shards(model: str, scrape: dict[str, Any], images: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Shards of one model; returns the shard manifest (paths, counts, sha256 per shard)."""
    data_dir = Path(settings.data_dir)
    return write_model_shards(data_dir / scrape["path"], Path(images["manifest_path"]), settings)


def shards_task_for(model: str, week: str, settings: Settings):
    """The shards task, forced to recompute when its shards are missing or changed."""
    return manifest_verified(write_shards, shard_manifest_path(settings, week, model), Path(settings.data_dir))
