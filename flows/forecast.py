"""Wiring of the weekly flow's forecast stage: the run's week and folder in, the stacking's dollar estimate as
the cold start when stacking produced one; a failed forecast is reported, never fatal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.scrape import split_outcomes
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from tasks.artifacts import publish_movers
from tasks.forecast import forecast_task_for


def run_forecast(settings: Settings, week: str, run_id: str, stack_result: dict[str, Any] | None
                 ) -> dict[str, Any]:
    """Forecast into the run folder; `stack_result` None (training failed) or without predictions (stacking
    skipped or failed) means no cold start. Returns the manifest, or {"failed": why}."""
    folder = RunDir.for_id(settings.data_dir, run_id).path
    cold = (stack_result or {}).get("predictions_csv")
    future = forecast_task_for(folder).submit(week, folder, settings, Path(cold) if cold else None)
    done, failed = split_outcomes({"forecast": future})
    if "forecast" not in done:
        return {"failed": failed["forecast"]}
    publish_movers(done["forecast"])
    return done["forecast"]
