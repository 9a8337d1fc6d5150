"""The forecast stage as the weekly flow wires it (`flows.forecast.run_forecast`) under prefect_test_harness:
files written into the run folder, the movers artifact published, a second run Cached, and a stacking that
failed still yields forecasts (without cold start)."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId
from prefect.testing.utilities import prefect_test_harness

from flows.forecast import run_forecast
from sneaker_core.rundir import BACKTEST_JSON, FORECASTS_PARQUET, RunDir
from sneaker_core.settings import Settings
from tests.forecast_fixtures import write_market_weeks

pytestmark = pytest.mark.slow
WEEKS = [f"2026-W{w:02d}" for w in range(40, 46)]


@flow
def forecast_only(settings: Settings, week: str, run_id: str, stack_result: dict | None) -> dict:
    return run_forecast(settings, week, run_id, stack_result)


def _task_state(flow_run_id, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    flt = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=flt)
            if (runs and runs[0].state and runs[0].state.is_final()) or time.monotonic() > deadline:
                return runs[0].state.name


def test_forecast_task_in_a_flow_is_cached_and_survives_a_failed_stack(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_LOCAL_STORAGE_PATH", str(tmp_path / "results"))
    settings = Settings(data_dir=tmp_path / "data")
    write_market_weeks(settings.data_dir, WEEKS, n_products=4)
    folder = RunDir.for_id(settings.data_dir, "2026-W45-x").path
    folder.mkdir(parents=True)
    predictions = folder / "predictions.csv"
    pd.DataFrame({"product_id": ["never"], "price_estimate_usd": [180.0], "price_low_usd": [150.0],
                  "price_high_usd": [220.0]}).to_csv(predictions, index=False)
    with prefect_test_harness(server_startup_timeout=180):
        states = []
        for stack in ({"predictions_csv": str(predictions)}, {"predictions_csv": str(predictions)},
                      {"failed": "stacking failed: boom"}):
            state = forecast_only(settings, WEEKS[-1], "2026-W45-x", stack, return_state=True)
            states.append((state.result(), _task_state(state.state_details.flow_run_id)))
            if len(states) == 2:
                cold = pd.read_parquet(folder / FORECASTS_PARQUET)
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["forecast-movers"])))
    (first, s1), (second, s2), (failed_stack, s3) = states
    assert (s1, s2, s3) == ("Completed", "Cached", "Completed")  # a new cold-start input recomputes
    assert first == second and first["cold_start"] == 1 and first["products"] == 5
    assert cold.loc[cold["cold_start"], "forecast_usd"].tolist() == [180.0] * 4
    assert failed_stack["cold_start"] == 0 and failed_stack["products"] == 4
    counts = json.loads((folder / BACKTEST_JSON).read_text())["counts"]
    assert counts["no_history_no_estimate"] == 1
    assert len(artifacts) == 3  # published on every run, the cached one included
    movers = artifacts[0].data if isinstance(artifacts[0].data, list) else json.loads(artifacts[0].data)
    assert movers and movers[0]["product_id"] == "p0"
