"""Prefect task: price forecasts 1-8 weeks ahead from the snapshots of weeks up to the run's week."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from sneaker_core.atomic import sha256_file
from sneaker_core.forecast.run import forecast_run, size_tables_digest
from sneaker_core.forecast.stage import FORECAST_VERSION, HORIZONS
from sneaker_core.history import snapshots_digest
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from tasks.caching import PERSISTED, cache_key, data_key, verified


def _key(context, params: dict[str, Any]) -> str:
    s: Settings = params["settings"]
    cold = params.get("cold_start_path")
    cold_sha = sha256_file(Path(cold)) if cold is not None and Path(cold).is_file() else None
    return cache_key("forecast", FORECAST_VERSION, snapshots_digest(Path(s.data_dir), params["week"]),
                     size_tables_digest(Path(s.data_dir), params["week"]),
                     params["week"], HORIZONS, s.seed, cold_sha, str(Path(params["folder"]).resolve()),
                     data_key(s))


@task(name="forecast", task_run_name="forecast-{week}", cache_key_fn=_key, **PERSISTED)
def forecast_task(week: str, folder: Path, settings: Settings, cold_start_path: Path | None = None
                  ) -> dict[str, Any]:
    """Forecast every product priced in the 8 weeks up to `week`; returns the manifest (paths, sha256, counts)."""
    return forecast_run(settings.data_dir, week, folder, cold_start_path, seed=settings.seed)


def forecast_task_for(folder: Path):
    """Recompute when any of the stage's files is missing from `folder`."""
    run = RunDir(Path(folder))
    ok = all(p.is_file() for p in (run.forecasts_parquet, run.forecasts_csv, run.backtest))
    return verified(forecast_task, ok)
