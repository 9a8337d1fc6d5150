"""Forecast a sales history: products and product-sizes, each horizon's blend of methods chosen by backtest.

Product level first; the size level then borrows strength from it: a size's level (the anchor of its
`level` and gradient-boosted forecasts) is its product's size-mix-adjusted level times the size's premium
(the size curve: its own recent ratio to the product, shrunk toward its model's, brand's and the overall
curve by how many sales it has), moved by the size's own recent deviation from that (see sizelevel).

The product's forecast change is not carried over to its sizes: on the StockX weeks before the bench's
(target weeks 2018-05-07..10-15) the size level times the product's chosen change erred more than the size
level alone at every horizon (4 weeks: 5.26 vs 5.08 % MdAPE, with the size's own last price shrunk toward
the product's level as the size level), and so did the product's chosen forecast times the size premium
(5.53 %): much of a product's change from its level is the mix of sizes its last sales happened to be in,
which a size does not have. Extrapolating the trend of the size-mix-adjusted level (its change over the
last 4 or 8 weeks, damped by 0.25..1) erred more than the level at every horizon (4 weeks: 5.07..6.29 vs
4.86 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sneaker_core.forecast.backtest import backtest_table, choose, chosen_forecasts, needed_origins
from sneaker_core.forecast.features import RECENT_WEEKS, Cube, build_cube
from sneaker_core.forecast.sales_csv import SalesError
from sneaker_core.forecast.sizecurve import fit_size_curve
from sneaker_core.forecast.sizelevel import mix_adjusted_level, own_premium
from sneaker_core.forecast.weekly import LEVEL_SALES, Panel, monday, panel_from_sales, series_key

# On the weeks before the bench's the boosted model erred more than the size level at 4 and 8 weeks (5.75 vs
# 5.08, 7.43 vs 6.38 % MdAPE) and the blends that included it were worse than without (5.22 vs 5.09 %).
SIZE_GBM_UP_TO = 2
CURVE_WEEKS = 13  # the size curve at week t is fit on the sales of the 13 weeks up to t
OUT_COLUMNS = ["product", "size", "week_start", "horizon", "forecast_usd", "low_usd", "high_usd", "method"]


@dataclass(frozen=True)
class Level:
    """One level's features and its backtest table (every method at every origin needed)."""

    cube: Cube
    table: pd.DataFrame


def backtest_levels(sales: pd.DataFrame, origins: list[int], horizons: list[int], end=None, by_size=True,
                    seed: int = 0) -> tuple[Level, Level | None]:
    """Product and product-size backtest tables covering what `choose` needs at each of `origins`
    (week indices of the panel built from `sales`, which runs to the week of `end` when given)."""
    size_origins = needed_origins(origins, horizons)
    products = panel_from_sales(sales, by_size=False, end=end)
    pcube = build_cube(products)
    ptable = backtest_table(pcube, needed_origins(size_origins, horizons), horizons, seed=seed)
    product = Level(pcube, ptable)
    if not by_size or (sales["size"] == "").all():
        return product, None
    sizes = panel_from_sales(sales[sales["size"] != ""], by_size=True, end=products.weeks[-1])
    scube = _size_cube(sales, sizes, pcube)
    return product, Level(scube, backtest_table(scube, size_origins, horizons, gbm_up_to=SIZE_GBM_UP_TO,
                                                seed=seed))


def _size_cube(sales: pd.DataFrame, sizes: Panel, pcube: Cube) -> Cube:
    col = pcube.panel.price.columns.get_indexer(sizes.info["product"])
    df = sales[sales["size"] != ""].sort_values("date", kind="stable")
    df = df.assign(week=monday(df["date"]).to_numpy())
    ratio = np.zeros(sizes.price.shape)
    for t, week in enumerate(sizes.weeks):
        window = df[(df["week"] <= week) & (df["week"] > week - pd.Timedelta(weeks=CURVE_WEEKS))]
        if len(window):
            ratio[t] = fit_size_curve(window).log_ratios(sizes.info)
    # the size level (see sizelevel): the product's size-mix-adjusted level times the size's premium, moved
    # by the size's own recent deviation from it
    week = sizes.weeks.searchsorted(df["week"])
    day = df["date"].to_numpy(dtype="datetime64[ns]")
    series = sizes.price.columns.get_indexer([series_key(p, s) for p, s in zip(df["product"], df["size"],
                                                                                strict=True)])
    products, group = np.unique(sizes.info["product"].to_numpy(), return_inverse=True)
    log_price = np.log(df["price"].to_numpy(dtype=float))
    adjusted = mix_adjusted_level(week, day, log_price, series, group[series], ratio, len(products), LEVEL_SALES)
    parent = adjusted[:, group] + ratio
    ends = (sizes.weeks + pd.Timedelta(days=7)).to_numpy(dtype="datetime64[ns]")
    premium = own_premium(week, day, log_price - parent[week, series], series, ends, sizes.price.shape[1])
    last = np.log(sizes.price.ffill().to_numpy())
    level = pd.DataFrame(np.exp(parent + premium), index=sizes.weeks, columns=sizes.price.columns)
    extra = {
        "size_ratio": ratio,
        "lr_curve": np.log(pcube.ew[:, col]) + ratio - last,
        "lr_parent_level": parent - last,
        "parent_ret4": pcube.x[:, col, pcube.names.index("ret4")],
        "parent_sales4": pcube.x[:, col, pcube.names.index("sales4")],
    }
    return build_cube(Panel(sizes.price, sizes.count, sizes.info, level), extra)


def forecast_sales(sales: pd.DataFrame, as_of, weeks: int, by_size: bool = True, seed: int = 0
                   ) -> pd.DataFrame:
    """OUT_COLUMNS for every product and product-size with a sale in the 8 weeks up to `as_of`, for
    weeks 1..`weeks` after the week of `as_of`. `sales` must hold nothing after `as_of`."""
    as_of = pd.Timestamp(as_of)
    if (sales["date"] > as_of).any():
        raise ValueError("sales after --as-of reached the forecast")
    horizons = list(range(1, weeks + 1))
    n_weeks = len(pd.date_range(monday(sales["date"]).min(), monday(pd.Series([as_of])).iloc[0], freq="7D"))
    window = monday(pd.Series([as_of])).iloc[0] - pd.Timedelta(weeks=RECENT_WEEKS - 1)
    if not (sales["date"] >= window).any():
        raise SalesError(f"no sale in the {RECENT_WEEKS} weeks up to --as-of {as_of.date()} (from {window.date()}): "
                         "nothing is recent enough to forecast")
    product, size = backtest_levels(sales, [n_weeks - 1], horizons, end=as_of, by_size=by_size, seed=seed)
    out = pd.concat([final_rows(level, horizons, n_weeks - 1) for level in (product, size) if level],
                    ignore_index=True)[OUT_COLUMNS]
    if out["low_usd"].isna().any():
        raise SalesError(f"history up to --as-of is too short to backtest ({n_weeks} week(s)): the intervals "
                         "need forecasts judged on earlier weeks; give at least 3 weeks of sales")
    return out


def final_rows(level: Level, horizons: list[int], origin: int) -> pd.DataFrame:
    """The chosen, calibrated forecasts at `origin` in the output layout."""
    rows = chosen_forecasts(level.table, origin, choose(level.table, origin, horizons))
    info = level.cube.panel.info.iloc[rows["series"].to_numpy()]
    start = level.cube.panel.weeks[origin]
    out = pd.DataFrame({
        "product": info["product"].to_numpy(), "size": info["size"].to_numpy(),
        "week_start": [(start + pd.Timedelta(weeks=int(h))).date().isoformat() for h in rows["horizon"]],
        "horizon": rows["horizon"].to_numpy(), "forecast_usd": rows["point"].round(2).to_numpy(),
        "low_usd": rows["low"].round(2).to_numpy(), "high_usd": rows["high"].round(2).to_numpy(),
        "method": rows["method"].to_numpy()})
    return out.sort_values(["product", "size", "horizon"], ignore_index=True)
