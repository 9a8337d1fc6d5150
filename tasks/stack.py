"""Prefect task: stacked meta-models, the dollar estimate and the predictions tables of a run."""

from __future__ import annotations

from typing import Any

from prefect import task

from sneaker_core.payout import schedule_from
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from sneaker_core.stacking import STACKING_VERSION
from tasks.caching import PERSISTED, cache_key, data_key, verified


def _key(context, params: dict[str, Any]) -> str:
    trained = {t: m["model_sha256"] for t, m in sorted(params["trained"].items())}
    s: Settings = params["settings"]
    # The fee schedule only sets predictions.csv's net payouts: a new schedule re-stacks, never re-trains.
    return cache_key("stack", STACKING_VERSION, params["run_id"], trained, s.seed, schedule_from(s), data_key(s))


@task(name="stack", task_run_name="stack-{run_id}", cache_key_fn=_key, **PERSISTED)
def stack_task(run_id: str, trained: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Meta-models on the trained CNNs' outputs plus title features; returns the stacking manifest."""
    from sneaker_core.stacking.stage import stack_run

    return stack_run(RunDir.for_id(settings.data_dir, run_id), settings)


def stack_task_for(run_id: str, settings: Settings):
    """Recompute when the files the stage recorded are missing or changed."""
    return verified(stack_task, RunDir.for_id(settings.data_dir, run_id).verify("stack"))
