"""Size-curve bench on the real StockX sales: product-sizes held out by a time split.

The last 8 weeks are the test; for every product-size sold in them, its median test price is predicted from
the weeks before by (a) the product's median x the size curve (shrunk: own -> model -> brand -> overall),
(b) the same with the model's curve only, (c) the size's own past median, (d) the product's median alone.
Prints the median absolute percentage error of each, overall and by how many past sales the size has.

    .venv/bin/python bench/sizes.py [--sales ../shared/data/stockx_sales_2017_2018.csv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import CURVE_WEEKS
from sneaker_core.forecast.sizecurve import fit_size_curve

TEST_WEEKS = 8
PAST_WEEKS = 8  # the medians (product, own) are taken over the 8 weeks before the split
BUCKETS = [(0, 0, "no past sale"), (1, 2, "1-2 past sales"), (3, 9, "3-9"), (10, 10**9, "10+")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sales", type=Path, default=Path(__file__).resolve().parents[1].parent
                    / "shared" / "data" / "stockx_sales_2017_2018.csv")
    args = ap.parse_args()
    if not args.sales.is_file():
        print(f"no sales file at {args.sales}", file=sys.stderr)
        return 2
    sales = read_sales(args.sales, "stockx")
    split = sales["date"].max().normalize() - pd.Timedelta(weeks=TEST_WEEKS) + pd.Timedelta(days=1)
    past, test = sales[sales["date"] < split], sales[sales["date"] >= split]
    recent = past[past["date"] >= split - pd.Timedelta(weeks=PAST_WEEKS)]
    curve = fit_size_curve(past[past["date"] >= split - pd.Timedelta(weeks=CURVE_WEEKS)])
    truth = test.groupby(["product", "size"])["price"].median().rename("truth").reset_index()
    info = sales.groupby("product")[["model", "brand"]].first()
    t = truth.join(info, on="product")
    t = t.join(recent.groupby("product")["price"].median().rename("product_median"), on="product")
    own = recent.groupby(["product", "size"])["price"].agg(["median", "size"])
    t = t.join(own.rename(columns={"median": "own_median", "size": "own_n"}), on=["product", "size"])
    t["own_n"] = t["own_n"].fillna(0)
    t = t[t["product_median"].notna()]
    t["curve"] = t["product_median"] * np.exp(curve.log_ratios(t))
    t["model_curve"] = t["product_median"] * np.exp(curve.log_ratios(t.assign(product="")))
    methods = {"product x curve": "curve", "product x model curve": "model_curve",
               "own past median": "own_median", "product median": "product_median"}
    print(f"StockX sales: past < {split.date()} (medians over {PAST_WEEKS} weeks, curve over {CURVE_WEEKS}), "
          f"test {split.date()}..{sales['date'].max().date()}: {len(t):,} product-sizes")
    print(f"{'product-sizes':<16} {'n':>5} " + " ".join(f"{m:>22}" for m in methods))
    for lo, hi, label in [(0, 10**9, "all"), *BUCKETS]:
        g = t[t["own_n"].between(lo, hi)]
        cells = []
        for col in methods.values():
            ok = g[col].notna()
            mdape = 100 * np.median(np.abs(g.loc[ok, col] - g.loc[ok, "truth"]) / g.loc[ok, "truth"]) \
                if ok.any() else float("nan")
            cells.append(f"{mdape:>17.2f} %" + (f"({ok.sum()})" if ok.sum() != len(g) else "").rjust(3))
        print(f"{label:<16} {len(g):>5} " + " ".join(f"{c:>22}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
