"""Prefect tasks: prepare a run (split, targets, example table, images), then train one CNN per target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.rundir import RunDir
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
    return cache_key("prepare", params["run_id"], s.split, s.seed, s.price_band_edges, s.train_image_size,
                     data_key(s))


@task(name="prepare_run", task_run_name="prepare-{run_id}", cache_key_fn=_prepare_key, **PERSISTED)
def prepare_run_task(run_id: str, shards: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Read the shards once: the run's leak-free split, target specs, example table and decoded images."""
    from sneaker_core.training.prepare import prepare_run

    return {"run_id": run_id,
            **prepare_run(shard_paths(shards, settings), RunDir.for_id(settings.data_dir, run_id), settings)}


def prepare_task_for(run_id: str, settings: Settings):
    return verified(prepare_run_task, RunDir.for_id(settings.data_dir, run_id).verify("prepare"))


def _train_key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    prepared = sorted(f["sha256"] for f in params["run"]["files"])
    backbone = params.get("backbone")  # a fine-tuning's own inputs: the CNN it starts from and its epochs
    warm = backbone and [backbone["model_sha256"], s.finetune_epochs]
    return cache_key(f"train-{params['target']}", params["run"]["run_id"], prepared,
                     {k: getattr(s, k) for k in TRAIN_SETTINGS}, warm, data_key(s))


@task(name="train_target", task_run_name="train-{target}", cache_key_fn=_train_key, **PERSISTED)
def train_target_task(target: str, run: dict[str, Any], settings: Settings,
                      backbone: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train, save, reload and evaluate the CNN of one target (from the CNN of the `backbone` training
    manifest when given); returns its small manifest."""
    from sneaker_core.training.fit import train_target

    return train_target(target, RunDir.for_id(settings.data_dir, run["run_id"]), settings,
                        backbone["target"] if backbone else None)


def train_task_for(target: str, run_id: str, settings: Settings):
    return verified(train_target_task, RunDir.for_id(settings.data_dir, run_id).verify(f"train-{target}"))
