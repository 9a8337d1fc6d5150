"""Prefect task: price forecasts 1-8 weeks ahead from the history of all weekly snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from prefect import task

from sneaker_core.forecast.stage import (
    BACKTEST_JSON,
    FORECAST_VERSION,
    FORECASTS_CSV,
    FORECASTS_PARQUET,
    HORIZONS,
    forecast_stage,
    history_digest,
)
from sneaker_core.settings import Settings
from tasks.caching import PERSISTED, cache_key, data_key, verified


def _cold_digest(cold_start) -> str | None:
    if cold_start is None:
        return None
    return str(pd.util.hash_pandas_object(pd.DataFrame(cold_start), index=True).sum())


def _key(context, params: dict[str, Any]) -> str:
    return cache_key("forecast", FORECAST_VERSION, history_digest(params["history"]),
                     _cold_digest(params.get("cold_start")), HORIZONS, params["settings"].seed,
                     str(Path(params["folder"]).resolve()), data_key(params["settings"]))


@task(name="forecast", task_run_name="forecast", cache_key_fn=_key, **PERSISTED)
def forecast_task(history: pd.DataFrame, folder: Path, settings: Settings, cold_start=None) -> dict[str, Any]:
    """Forecast every product priced in the last 8 weeks; returns the manifest (paths, sha256, counts)."""
    return forecast_stage(history, folder, cold_start, seed=settings.seed)


def forecast_task_for(folder: Path):
    """Recompute when any of the stage's files is missing from `folder`."""
    ok = all((Path(folder) / f).is_file() for f in (FORECASTS_PARQUET, FORECASTS_CSV, BACKTEST_JSON))
    return verified(forecast_task, ok)
