"""Forecast bench on the real StockX sales: rolling origins whose target weeks are the history's last 8.

For each horizon (1, 2, 4, 8 weeks) and level (product, product-size) it prints the median absolute
percentage error of persistence (last week's median), the level (median of the last sales; for a size,
its product's size-mix-adjusted level times its premium), the gradient-boosted model and the blend of them
the backtest chose at each origin (judged on that origin's past only), and the coverage of
the chosen 80 % intervals. The goals compare the chosen blend with persistence.

    .venv/bin/python bench/forecast.py [--sales ../shared/data/stockx_sales_2017_2018.csv] [--json OUT]
        [--last-target 2018-10-15 --weeks 24]   # an earlier window, to make design choices on

Design choices are made on an earlier window (the 24 target weeks 2018-05-07..10-15) and only confirmed on
the last 8 weeks, which stay the bench.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from sneaker_core.forecast.backtest import evaluate, summarise
from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import backtest_levels
from sneaker_core.forecast.weekly import monday, panel_from_sales

HORIZONS = [1, 2, 4, 8]
TEST_WEEKS = 8
GOALS = {"product": (1.0, 0.90), "product-size": (1.0, 0.92)}  # chosen / persistence at 1 and 4 weeks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sales", type=Path, default=Path(__file__).resolve().parents[1].parent
                    / "shared" / "data" / "stockx_sales_2017_2018.csv")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--last-target", help="the last target week (a date in it); default the history's last")
    ap.add_argument("--weeks", type=int, default=TEST_WEEKS, help="target weeks, up to the last (default 8)")
    args = ap.parse_args()
    if not args.sales.is_file():
        print(f"no sales file at {args.sales}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sales = read_sales(args.sales, "stockx")
    weeks = panel_from_sales(sales, by_size=False).weeks
    last = len(weeks) - 1 if args.last_target is None else int(weeks.searchsorted(
        monday(pd.Series([pd.Timestamp(args.last_target)])).iloc[0]))
    first = last - args.weeks + 1
    pairs = [(t - h, h) for h in HORIZONS for t in range(first, last + 1)]
    origins = sorted({o for o, _ in pairs})
    product, size = backtest_levels(sales, origins, HORIZONS)
    weeks = product.cube.panel.weeks
    print(f"StockX sales {sales['date'].min().date()}..{sales['date'].max().date()}: {len(sales):,} sales; "
          f"target weeks {weeks[first].date()}..{weeks[last].date()}, "
          f"origins {weeks[origins[0]].date()}..{weeks[origins[-1]].date()}")
    figures = {}
    for name, level in (("product", product), ("product-size", size)):
        s = summarise(evaluate(level.table, pairs))
        figures[name] = s
        print(f"\n{name} level: MdAPE % per horizon (chosen = the backtest's blend at each origin)")
        print(f"{'h':>3} {'n':>6} {'persist':>8} {'level':>8} {'gbm':>8} {'chosen':>8} "
              f"{'vs pers':>8} {'cover80':>8}")
        for h, r in s.items():
            print(f"{h:>3} {r['n']:>6} {r['persistence']:>8.2f} {r['level']:>8.2f} "
                  f"{r.get('gbm', float('nan')):>8.2f} "
                  f"{r['chosen']:>8.2f} {r['chosen'] / r['persistence'] - 1:>+8.1%} {r['coverage']:>7.1f}%")
        one, four = GOALS[name]
        met = [s[1]["chosen"] <= one * s[1]["persistence"], s[4]["chosen"] <= four * s[4]["persistence"],
               all(72 <= r["coverage"] <= 88 for r in s.values())]
        print(f"goals: 1 wk <= persistence {'met' if met[0] else 'NOT met'}; 4 wk <= {four:.0%} of persistence "
              f"{'met' if met[1] else 'NOT met'}; coverage 72-88 % {'met' if met[2] else 'NOT met'}")
    print(f"\nruntime {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
