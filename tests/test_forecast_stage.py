"""The weekly flow's forecast stage on a synthetic price history."""

from __future__ import annotations

import json

import pandas as pd

from sneaker_core.forecast.stage import (
    BACKTEST_JSON,
    FORECASTS_CSV,
    FORECASTS_PARQUET,
    OUT_COLUMNS,
    forecast_history,
    write_forecasts,
)
from tests.forecast_fixtures import START, history


def _with_new_release(h: pd.DataFrame) -> pd.DataFrame:
    last = h[h["week_start"] == h["week_start"].max()].iloc[[0]].copy()
    new = last.assign(product_id=9999, title="New Release", price_usd=float("nan"), priced=False)
    return pd.concat([h, new], ignore_index=True)


def test_stage_forecasts_never_read_the_future():
    h = _with_new_release(history(weeks=24))
    origin = START + pd.Timedelta(weeks=18)
    changed = h.copy()
    later = pd.to_datetime(changed["week_start"]) > origin
    changed.loc[later, "price_usd"] = changed.loc[later, "price_usd"] * 2
    changed.loc[later, "priced"] = True
    a, ra = forecast_history(h, as_of_week=origin, horizons=(1, 2))
    b, rb = forecast_history(changed, as_of_week=origin, horizons=(1, 2))
    pd.testing.assert_frame_equal(a, b)
    assert ra == rb


def test_stage_output_cold_start_and_files(tmp_path):
    h = _with_new_release(history(weeks=20))
    h.loc[h["product_id"] == 1007, "priced"] = False  # never priced, no estimate: counted, not forecast
    h.loc[h["product_id"] == 1007, "price_usd"] = float("nan")
    cold = pd.DataFrame({"product_id": ["9999"], "estimate_usd": [250.0], "low_usd": [200.0], "high_usd": [320.0]})
    forecasts, report = forecast_history(h, cold)
    assert list(forecasts.columns) == OUT_COLUMNS
    assert set(forecasts["horizon"]) == {1, 2, 4, 8}
    assert set(forecasts["origin_week"]) == {"2018-W20"}
    assert forecasts.loc[forecasts["horizon"] == 8, "target_week"].unique().tolist() == ["2018-W28"]
    new = forecasts[forecasts["product_id"] == "9999"]
    assert len(new) == 4 and new["cold_start"].all() and (new["method"] == "cold_start").all()
    assert new["forecast_usd"].tolist() == [250.0] * 4 and new["low_usd"].tolist() == [200.0] * 4
    assert forecasts.loc[~forecasts["cold_start"], "product_id"].nunique() == 7
    assert report["counts"] == {"forecast": 7, "not_recent": 0, "cold_start": 1, "no_history_no_estimate": 1}
    assert set(report["choice"]) == {1, 2, 4, 8}
    assert forecasts.loc[forecasts["product_id"] == "1000", "title"].unique().tolist() == ["Shoe 0"]
    manifest = write_forecasts(tmp_path, forecasts, report)
    assert set(manifest["files"]) == {FORECASTS_PARQUET, FORECASTS_CSV, BACKTEST_JSON}
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / FORECASTS_PARQUET), forecasts)
    assert json.loads((tmp_path / BACKTEST_JSON).read_text())["origin_week"] == "2018-W20"
