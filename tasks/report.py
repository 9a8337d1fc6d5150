"""Prefect task: the run's metrics.json and self-contained HTML report (cached on everything they are drawn from)."""

from __future__ import annotations

from typing import Any

from prefect import task

from sneaker_core.report.build import finish_run
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from tasks.caching import PERSISTED, cache_key, data_key, verified


def _key(context, params: dict[str, Any]) -> str:
    return cache_key("report", params["run_id"], params["inputs"], data_key(params["settings"]))


@task(name="build_report", task_run_name="report-{run_id}", cache_key_fn=_key, **PERSISTED)
def build_report_task(run_id: str, inputs: Any, settings: Settings) -> dict[str, Any]:
    """Assemble metrics.json and build the report; `inputs` are the upstream manifests (for the cache key)."""
    return finish_run(RunDir.for_id(settings.data_dir, run_id))


def report_task_for(run_id: str, settings: Settings):
    return verified(build_report_task, RunDir.for_id(settings.data_dir, run_id).verify("report"))
