"""Prefect tasks: record a run's split and targets, then train one CNN per target (cached per target)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.runs import run_dir
from sneaker_core.settings import Settings
from tasks.caching import PERSISTED, cache_key, data_key, verified

# TensorFlow loads inside the task bodies, so importing the flow (deploy, serve, the UI) stays fast.

TRAIN_SETTINGS = ("architecture", "epochs", "batch_size", "train_image_size", "patience", "warmup_epochs",
                  "seed")


def shard_paths(shards: list[dict[str, Any]], settings: Settings) -> list[Path]:
    """Absolute shard paths from shard manifests."""
    return [Path(settings.data_dir) / s["path"] for m in shards for s in m["shards"]]


def _prepare_key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key("prepare", params["run_id"], s.split, s.seed, s.price_band_edges, data_key(s))


@task(name="prepare_run", task_run_name="prepare-{run_id}", cache_key_fn=_prepare_key, **PERSISTED)
def prepare_run_task(run_id: str, shards: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Record the run's leak-free split and the target specs fit on its training split."""
    from sneaker_core.training.fit import prepare_run

    return {"run_id": run_id, **prepare_run(shard_paths(shards, settings), run_dir(settings.data_dir, run_id),
                                            settings)}


def prepare_task_for(run_id: str, settings: Settings):
    folder = run_dir(settings.data_dir, run_id)
    return verified(prepare_run_task, all((folder / f).is_file() for f in ("split.parquet", "targets.json")))


def _train_key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    return cache_key(
        f"train-{params['target']}", params["run"]["run_id"], params["run"]["split_digest"],
        {k: getattr(s, k) for k in TRAIN_SETTINGS}, data_key(s),
    )


@task(name="train_target", task_run_name="train-{target}", cache_key_fn=_train_key, **PERSISTED)
def train_target_task(target: str, run: dict[str, Any], shards: list[dict[str, Any]], settings: Settings
                      ) -> dict[str, Any]:
    """Train, save, reload and evaluate the CNN of one target; returns its small manifest."""
    from sneaker_core.training.fit import train_target

    return train_target(target, shard_paths(shards, settings), Path(run["run_dir"]), settings)


def train_task_for(target: str, run_id: str, settings: Settings):
    from sneaker_core.training import runinfo

    folder = run_dir(settings.data_dir, run_id)
    needed = (runinfo.model_path(folder, target), runinfo.probs_path(folder, target),
              runinfo.target_metrics_path(folder, target))
    return verified(train_target_task, all(p.is_file() for p in needed))
