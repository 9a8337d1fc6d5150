"""The README's forecast chart: one real StockX product's weekly median sale price, the forecast fan
(median and 80 % interval) `sneaker forecast` makes 8 weeks ahead, and what then happened.

The origin is 8 weeks before the last sale, so the outcome weeks were never read by the forecast. The product
is the one with the most sales in the 8 weeks up to the origin. Writes docs/forecast.png (a plot, no data rows).

    .venv/bin/python bench/forecast_chart.py [--sales ../shared/data/stockx_sales_2017_2018.csv] [--out PNG]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import forecast_sales
from sneaker_core.forecast.weekly import monday, panel_from_sales
from sneaker_core.report.plots import plt, to_png

ROOT = Path(__file__).resolve().parents[1]
WEEKS_AHEAD = 8
HISTORY_WEEKS = 26


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sales", type=Path, default=ROOT.parent / "shared" / "data" / "stockx_sales_2017_2018.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "forecast.png")
    args = ap.parse_args()
    if not args.sales.is_file():
        print(f"no sales file at {args.sales}", file=sys.stderr)
        return 2
    sales = read_sales(args.sales, "stockx")
    last_week = monday(pd.Series([sales["date"].max()])).iloc[0]
    as_of = last_week - pd.Timedelta(weeks=WEEKS_AHEAD) + pd.Timedelta(days=6)  # the origin week's Sunday
    known = sales[sales["date"] <= as_of]
    recent = known[known["date"] > as_of - pd.Timedelta(weeks=8)]
    product = recent["product"].value_counts().index[0]
    fc = forecast_sales(known, as_of, WEEKS_AHEAD, by_size=False)
    fc = fc[fc["product"] == product].sort_values("horizon")
    weekly = panel_from_sales(sales[sales["product"] == product], by_size=False).price[product]
    past = weekly[weekly.index <= as_of].tail(HISTORY_WEEKS)
    after = weekly[weekly.index > as_of]
    fan_days = [past.index[-1], *pd.to_datetime(fc["week_start"])]
    last = past.dropna().iloc[-1]
    outcome = after.reindex(pd.to_datetime(fc["week_start"])).to_numpy()
    inside = (outcome >= fc["low_usd"].to_numpy()) & (outcome <= fc["high_usd"].to_numpy())
    ape = np.abs(fc["forecast_usd"].to_numpy() / outcome - 1)
    ape_persist = np.abs(last / outcome - 1)
    print(f"{product}: origin week {past.index[-1].date()}, methods by horizon {dict(zip(fc['horizon'], fc['method'], strict=True))}; "
          f"{int(np.isfinite(outcome).sum())} outcome weeks, MdAPE {np.nanmedian(ape):.1%} "
          f"(persistence {np.nanmedian(ape_persist):.1%}), 80 % interval held {int(inside.sum())} of "
          f"{int(np.isfinite(outcome).sum())}")

    fig, ax = plt.subplots(figsize=(8.4, 4.2))
    ax.plot(past.index, past.to_numpy(), marker="o", markersize=3, color="#1d2433",
            label="weekly median sale (read by the forecast)")
    ax.fill_between(fan_days, [last, *fc["low_usd"]], [last, *fc["high_usd"]], color="#2563eb", alpha=0.2,
                    label="80 % interval")
    ax.plot(fan_days, [last, *fc["forecast_usd"]], color="#2563eb", linestyle="--", marker="o", markersize=3,
            label="forecast (median)")
    ax.plot(after.index, after.to_numpy(), marker="x", markersize=5, linestyle=":", color="#dc2626",
            label="what happened (never read)")
    ax.axvline(past.index[-1], color="#9aa1ad", linewidth=1)
    ax.set(ylabel="USD", title=f"{product.replace('-', ' ')}: forecast from {past.index[-1].date()} "
                                f"(StockX sales)")
    ax.legend(fontsize=8, loc="best")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(to_png(fig))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
