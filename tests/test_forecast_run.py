"""The weekly flow's forecast stage on a tiny data dir of weekly snapshots written by the real snapshot writer."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sneaker_core.forecast.movers import MOVE_ALERT
from sneaker_core.forecast.run import RUN_COLUMNS, forecast_run, size_tables_digest
from sneaker_core.history import snapshots_digest
from sneaker_core.rundir import BACKTEST_JSON, FORECASTS_CSV, FORECASTS_PARQUET
from tests.forecast_fixtures import write_market_weeks

WEEKS = [f"2026-W{w:02d}" for w in range(38, 46)]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("data")
    write_market_weeks(d, WEEKS)
    return d


def _read(folder: Path) -> tuple[pd.DataFrame, dict]:
    return pd.read_parquet(folder / FORECASTS_PARQUET), json.loads((folder / BACKTEST_JSON).read_text())


def test_forecasts_products_sizes_and_movers(data_dir, tmp_path):
    manifest = forecast_run(data_dir, WEEKS[-1], tmp_path)
    assert set(manifest["files"]) == {FORECASTS_PARQUET, FORECASTS_CSV, BACKTEST_JSON}
    f, report = _read(tmp_path)
    assert list(f.columns) == RUN_COLUMNS and set(f["origin_week"]) == {"2026-W45"}
    whole = f[f["size"] == ""]
    assert sorted(whole["product_id"].unique()) == [f"p{p}" for p in range(6)]
    assert sorted(whole["horizon"].unique()) == [1, 2, 4, 8] and len(whole) == 24
    sized = f[f["size"] != ""]
    assert sorted(sized["size"].unique()) == ["10", "11", "8", "9"] and len(sized) == 6 * 4 * 4
    assert (sized["low_usd"] <= sized["forecast_usd"]).all() and (sized["forecast_usd"] <= sized["high_usd"]).all()
    assert report["sizes"]["product_sizes"] == 24
    # "never" is listed every week and never priced: no stacking estimate, so counted, not forecast
    assert report["counts"] | {"cold_start_source": None} == {
        "forecast": 6, "not_recent": 0, "cold_start": 0, "no_history_no_estimate": 1, "cold_start_source": None}
    assert report["history"]["files"] == len(WEEKS)
    moves = [m["move_pct"] for m in report["movers"]]
    assert report["movers"][0]["product_id"] == "p0"  # its last week spiked 30 %: the forecast falls back
    assert all(abs(m) >= MOVE_ALERT * 100 for m in moves) and moves == sorted(moves, key=abs, reverse=True)
    p0 = report["movers"][0]
    assert p0["forecast_usd"] == whole.query("product_id == 'p0' and horizon == 4")["forecast_usd"].item()
    assert p0["move_pct"] == pytest.approx((p0["forecast_usd"] / p0["last_usd"] - 1) * 100, abs=0.01)
    assert len(report["paths"]["p0"]["history"]) == len(WEEKS) and len(report["paths"]["p0"]["forecast"]) == 4
    curve = report["size_curves"]["models"]["dunk-low"]
    assert curve["11"] > curve["10"] > curve["8"]  # the fixture's size premium: 8 < 9 < 10 < 11


def test_a_later_week_changes_nothing_for_an_earlier_run(tmp_path):
    data = tmp_path / "data"
    write_market_weeks(data, WEEKS[:-1])
    key = snapshots_digest(data, WEEKS[-2])
    forecast_run(data, WEEKS[-2], tmp_path / "before")
    sizes_key = size_tables_digest(data, WEEKS[-2])
    write_market_weeks(data, WEEKS[-1:], seed=1)  # a later week (snapshot and size table) arrives
    assert snapshots_digest(data, WEEKS[-2]) == key != snapshots_digest(data, WEEKS[-1])
    assert size_tables_digest(data, WEEKS[-2]) == sizes_key != size_tables_digest(data, WEEKS[-1])
    forecast_run(data, WEEKS[-2], tmp_path / "after")
    before, after = _read(tmp_path / "before"), _read(tmp_path / "after")
    pd.testing.assert_frame_equal(before[0], after[0])
    assert before[1] == after[1] and before[1]["origin_week"] == "2026-W44"


def test_cold_start_from_the_stacking_estimate_and_without_it(data_dir, tmp_path):
    predictions = tmp_path / "predictions.csv"
    pd.DataFrame({"product_id": ["never", "p1"], "title": ["x", "y"], "price_estimate_usd": [210.0, 99.0],
                  "price_low_usd": [150.0, 80.0], "price_high_usd": [300.0, 120.0]}).to_csv(predictions, index=False)
    forecast_run(data_dir, WEEKS[-1], tmp_path / "with", predictions)
    f, report = _read(tmp_path / "with")
    cold = f[f["cold_start"]]
    assert cold["product_id"].unique().tolist() == ["never"] and (cold["method"] == "cold_start").all()
    assert cold["forecast_usd"].tolist() == [210.0] * 4 and cold["high_usd"].tolist() == [300.0] * 4
    assert report["counts"]["cold_start"] == 1 and report["counts"]["no_history_no_estimate"] == 0
    # a failed stack leaves no table (or one of another layout): forecasts still written, no cold start
    (tmp_path / "other.csv").write_text("product_id,estimate\nnever,1\n")
    for path in (tmp_path / "missing.csv", tmp_path / "other.csv", None):
        forecast_run(data_dir, WEEKS[-1], tmp_path / "without", path)
        f, report = _read(tmp_path / "without")
        assert not f["cold_start"].any() and f["product_id"].nunique() == 6
        assert report["counts"]["no_history_no_estimate"] == 1
