"""The forecast engine: exact baselines, a backtest that never looks past its origin, and a CLI whose
forecasts do not change when every price after --as-of changes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.forecast.backtest import Choice, backtest_table, blend, choose, chosen_forecasts
from sneaker_core.forecast.features import build_cube, ew_mean
from sneaker_core.forecast.models import BLEND, EW_MEAN, GBM, PERSISTENCE
from sneaker_core.forecast.weekly import panel_from_weekly
from tests.forecast_fixtures import history, stockx_sales

runner = CliRunner()


def _panel(prices: dict[str, list[float]]):
    rows = [{"key": k, "week_start": pd.Timestamp("2018-01-01") + pd.Timedelta(weeks=w), "price": v,
             "product": k, "size": "", "model": "m", "brand": "b", "release_date": None, "retail_usd": 100.0}
            for k, vs in prices.items() for w, v in enumerate(vs)]
    return panel_from_weekly(pd.DataFrame(rows))


def test_persistence_and_ew_mean_exact_values():
    nan = float("nan")
    panel = _panel({"a": [100.0, nan, 110.0, 120.0, nan]})
    d = 0.5 ** 0.5  # half-life 2 weeks
    ew = ew_mean(panel.price.to_numpy())[:, 0]
    assert ew[0] == 100.0 and ew[1] == 100.0
    assert math.isclose(ew[2], (110 + 100 * d**2) / (1 + d**2))
    assert math.isclose(ew[3], (120 + 110 * d + 100 * d**3) / (1 + d + d**3))
    assert math.isclose(ew[4], (120 * d + 110 * d**2 + 100 * d**4) / (d + d**2 + d**4))
    bt = backtest_table(build_cube(panel), [1, 3], [1])
    point = bt.set_index(["origin", "method"])["point"]
    assert point[(1, PERSISTENCE)] == 100.0 and point[(3, PERSISTENCE)] == 120.0
    assert math.isclose(point[(3, EW_MEAN)], ew[3])
    actual = bt.set_index(["origin", "method"])["actual"]
    assert actual[(1, PERSISTENCE)] == 110.0 and math.isnan(actual[(3, PERSISTENCE)])


def _history_panel(weeks=24, seed=0):
    h = history(weeks=weeks, seed=seed)
    weekly = pd.DataFrame({"key": h["product_id"].astype(str), "week_start": h["week_start"],
                           "price": h["price_usd"].astype(float), "product": h["product_id"].astype(str), "size": "",
                           "model": h["model"], "brand": h["brand"], "release_date": h["release_date"],
                           "retail_usd": h["retail_usd"]})
    return panel_from_weekly(weekly)


def test_backtest_never_uses_weeks_after_its_origin():
    panel = _history_panel()
    origin = 16
    changed_price = panel.price.copy()
    changed_price.iloc[origin + 1:] *= 3.0  # every later price changes
    changed = type(panel)(changed_price, panel.count, panel.info)
    cols = ["origin", "series", "horizon", "method", "point", "low", "high"]
    a = backtest_table(build_cube(panel), [origin], [1, 2])
    b = backtest_table(build_cube(changed), [origin], [1, 2])
    cut = backtest_table(build_cube(panel.upto(panel.weeks[origin])), [origin], [1, 2])
    assert (a["method"] == GBM).any()  # the learned model took part
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(a[cols], cut[cols])
    assert not np.allclose(a["actual"], b["actual"], equal_nan=True)  # only the outcomes differ


def test_choice_judges_only_outcomes_known_at_the_origin():
    panel = _history_panel()
    bt = backtest_table(build_cube(panel), range(4, 20), [1, 2])
    choice = choose(bt, 18, [1, 2], k=8)
    assert choice[1].n_eval == len(bt[(bt["horizon"] == 1) & bt["origin"].between(10, 17)
                                      & (bt["method"] == PERSISTENCE) & bt["actual"].notna()])
    later = bt.copy()
    later.loc[later["origin"] + later["horizon"] > 18, "actual"] *= 5  # outcomes after week 18
    assert choose(later, 18, [1, 2], k=8) == choice
    rows = chosen_forecasts(bt, 18, choice)
    assert ((rows["low"] <= rows["point"]) & (rows["point"] <= rows["high"])).all()


def _cli(tmp_path, sales: pd.DataFrame, name: str) -> pd.DataFrame:
    src, out = tmp_path / f"{name}.csv", tmp_path / f"{name}-out.csv"
    sales.to_csv(src, index=False)
    result = runner.invoke(app, ["forecast", str(src), "--as-of", "2018-05-27", "--weeks", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, keep_default_na=False)


def test_cli_forecast_never_reads_the_future(tmp_path):
    sales = stockx_sales(n_products=4, weeks=26)
    future = pd.to_datetime(sales["Order Date"]) > pd.Timestamp("2018-05-27")
    assert future.any()
    changed = sales.copy()
    changed.loc[future, "Sale Price"] = changed.loc[future, "Sale Price"] * 4 + 1
    a, b = _cli(tmp_path, sales, "a"), _cli(tmp_path, changed, "b")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["product", "size", "week_start", "horizon", "forecast_usd", "low_usd", "high_usd",
                               "method"]
    assert set(a["week_start"]) == {"2018-05-28", "2018-06-04"} and set(a["horizon"]) == {1, 2}
    assert a["product"].nunique() == 4 and len(a[a["size"] == ""]) == 8 and len(a[a["size"] != ""]) == 24
    assert ((a["low_usd"] <= a["forecast_usd"]) & (a["forecast_usd"] <= a["high_usd"])).all()


def _table(rows):
    """A backtest table from (origin, series, method, point, low, high, actual) at horizon 1."""
    return pd.DataFrame([{"origin": o, "series": s, "horizon": 1, "method": m, "point": p, "low": lo, "high": hi,
                          "actual": a} for o, s, m, p, lo, hi, a in rows])


def test_blend_is_the_weighted_geometric_mean_of_the_methods():
    bt = _table([(0, 0, PERSISTENCE, 100.0, 100.0, 100.0, 105.0), (0, 0, GBM, 121.0, 110.0, 132.0, 105.0),
                 (0, 1, PERSISTENCE, 50.0, 50.0, 50.0, 60.0)])  # series 1 has no GBM forecast
    b = blend(bt, {PERSISTENCE: 0.5, GBM: 0.5})
    assert len(b) == 1 and b["method"].iloc[0] == BLEND and b["actual"].iloc[0] == 105.0
    assert np.allclose(b[["point", "low", "high"]].iloc[0], [110.0, math.sqrt(11_000), math.sqrt(13_200)])
    # the forecast falls back to persistence for a series a weighted method did not forecast
    rows = chosen_forecasts(bt, 0, {1: Choice({PERSISTENCE: 0.5, GBM: 0.5}, 0.0, 1, {})})
    assert sorted(zip(rows["series"], rows["method"], rows["point"].round(6))) == [
        (0, BLEND, 110.0), (1, PERSISTENCE, 50.0)]


def test_choice_fits_the_blend_weights_on_past_outcomes():
    # every outcome is 0.3 of the way from persistence to the model in logs: the blend 0.7 / 0.3 is exact
    rows = []
    for o in range(8):
        for s in range(5):
            p, g = 100.0 + 10 * s, 100.0 * 1.1 ** (s - 2 + o % 3)
            actual = math.exp(0.7 * math.log(p) + 0.3 * math.log(g))
            rows += [(o, s, PERSISTENCE, p, p, p, actual), (o, s, GBM, g, g / 1.2, g * 1.2, actual),
                     (o, s, EW_MEAN, p * 0.8, p * 0.8, p * 0.8, actual)]
    choice = choose(_table(rows), 8, [1])[1]
    assert choice.weights == {PERSISTENCE: 0.7, GBM: 0.3} and choice.method == BLEND
    assert choice.mdape[BLEND] < 1e-12 < choice.mdape[PERSISTENCE] and choice.n_eval == 40
    # the same outcomes equal to the model's own forecast: all the weight on it, named as the method
    model = {(o, s): p for o, s, m, p, *_ in rows if m == GBM}
    exact = [(o, s, m, p, lo, hi, model[(o, s)]) for o, s, m, p, lo, hi, _ in rows]
    assert choose(_table(exact), 8, [1])[1].method == GBM
    # a tie between equal forecasts goes to the simpler method
    tie = [(o, s, m, p, lo, hi, a) for o, s, m, p, lo, hi, a in exact if m != EW_MEAN]
    tie += [(o, s, EW_MEAN, p, lo, hi, a) for o, s, m, p, lo, hi, a in tie if m == GBM]
    assert choose(_table(tie), 8, [1])[1].weights == {EW_MEAN: 1.0}


def test_bagged_weights_give_a_minority_of_origins_some_weight_but_never_the_majority():
    # outcomes equal persistence on origins 0-4 and the model (20 % above) on origins 5-7: the one best blend
    # on all 8 origins is persistence alone; resamples where the model's origins are the majority pick it
    rows = [(o, s, m, p, p, p, 100.0 * (1.2 if o >= 5 else 1.0)) for o in range(8) for s in range(5)
            for m, p in ((PERSISTENCE, 100.0), (GBM, 120.0))]
    choice = choose(_table(rows), 8, [1])[1]
    assert choice.method == BLEND and set(choice.weights) == {PERSISTENCE, GBM}
    assert 0 < choice.weights[GBM] < 0.5 and math.isclose(sum(choice.weights.values()), 1.0)
    assert choose(_table(rows), 8, [1])[1] == choice  # seeded


def test_a_point_forecast_margin_pools_the_shorter_horizons_scores_grown_by_sqrt_h():
    # persistence misses by exactly 0.1 in logs at both horizons; the model is far below and gets no weight
    rows = []
    for h in (1, 4):
        for o in range(12):
            rows += [{"origin": o, "series": 0, "horizon": h, "method": m, "point": p, "low": p, "high": p,
                      "actual": 100.0 * math.exp(0.1)} for m, p in ((PERSISTENCE, 100.0), (GBM, 50.0))]
    choice = choose(pd.DataFrame(rows), 12, [1, 4])
    assert choice[1].weights == {PERSISTENCE: 1.0} and choice[4].weights == {PERSISTENCE: 1.0}
    assert math.isclose(choice[1].widen, 0.1)
    # 8 own scores of 0.1 and 8 one-week scores grown to 0.1 * sqrt(4 / 1): the 80 % quantile of the 16
    assert math.isclose(choice[4].widen, 0.2)


def test_level_is_the_median_of_the_last_sales_in_whole_days_and_never_reads_later_weeks(monkeypatch):
    from sneaker_core.forecast import weekly

    monkeypatch.setattr(weekly, "LEVEL_SALES", 3)
    days = ["2018-01-01", "2018-01-02", "2018-01-02", "2018-01-10", "2018-01-10", "2018-01-22"]
    sales = pd.DataFrame({"date": pd.to_datetime(days), "product": "a", "size": "", "model": "m", "brand": "b",
                          "release_date": None, "retail_usd": 100.0,
                          "price": [100.0, 120.0, 110.0, 200.0, 210.0, 400.0]})
    level = weekly.panel_from_sales(sales, by_size=False).level["a"].tolist()
    # week 1: the 3rd last sale is one of Tuesday's two, so both count: median of 110, 120, 200, 210
    assert level == [110.0, 160.0, 160.0, 210.0]
    changed = sales.assign(price=sales["price"].where(sales["date"] < pd.Timestamp("2018-01-15"), 9.0))
    assert weekly.panel_from_sales(changed, by_size=False).level["a"].tolist()[:3] == level[:3]
    assert weekly.panel_from_sales(sales, by_size=True).level is None  # sizes borrow their product's
