"""Prefect task: the run's self-contained HTML report (cached on everything it is drawn from)."""

from __future__ import annotations

from typing import Any

from prefect import task

from sneaker_core.report.build import build_report, report_path
from sneaker_core.runs import run_dir
from sneaker_core.settings import Settings
from tasks.caching import PERSISTED, cache_key, data_key, verified


def _key(context, params: dict[str, Any]) -> str:
    return cache_key("report", params["run_id"], params["inputs"], data_key(params["settings"]))


@task(name="build_report", task_run_name="report-{run_id}", cache_key_fn=_key, **PERSISTED)
def build_report_task(run_id: str, inputs: Any, settings: Settings) -> dict[str, Any]:
    """Build `<run>/report/index.html`; `inputs` are the upstream manifests it depends on (for the cache key)."""
    return build_report(run_dir(settings.data_dir, run_id))


def report_task_for(run_id: str, settings: Settings):
    return verified(build_report_task, report_path(run_dir(settings.data_dir, run_id)).is_file())
