"""The demo market in time beside the real StockX history (2017-09 .. 2018-12, ../shared/data).

Prints, for the real weekly median sale prices and for the demo market's weekly lowest asks over the year up
to --as-of: the distribution of week-over-week changes (|log change| quantiles, share of weeks moving 5 % or
more), and the path after release (price / retail and price / release-week price by weeks since release).
The real figures are computed here from the CSV; the demo's from its ground-truth paths.
Usage: .venv/bin/python bench/market_time.py [--as-of 2026-11-30] [--products 1500] [--weeks 52]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.csv_files import read_csv_table
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.weeks import parse_as_of, week_label

SALES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "stockx_sales_2017_2018.csv"
BINS = [(-8, -4), (-4, -1), (-1, 0), (0, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 26), (26, 39), (39, 52)]


def change_stats(logs: np.ndarray) -> dict[str, float]:
    a = np.abs(logs)
    q = np.quantile(a, [0.25, 0.5, 0.75, 0.9])
    return {"n": len(a), "q25": q[0], "median": q[1], "q75": q[2], "q90": q[3],
            "share_5pct": float(np.mean(np.abs(np.exp(logs) - 1) >= 0.05))}


def real_weeks(path: Path) -> pd.DataFrame:
    """One row per (sneaker, Monday week): median sale price, retail, weeks since release, brand."""
    d = read_csv_table(path, what="StockX sales", text_columns=())
    d["Order Date"], d["Release Date"] = pd.to_datetime(d["Order Date"]), pd.to_datetime(d["Release Date"])
    d["name"] = d["Sneaker Name"].str.lower()
    d["week"] = d["Order Date"].dt.to_period("W-SUN").dt.start_time
    w = d.groupby(["name", "week"]).agg(price=("Sale Price", "median"), retail=("Retail Price", "first"),
                                        release=("Release Date", "first"), group=("Brand", "first")).reset_index()
    w["group"] = w["group"].str.strip()
    w["since"] = (w["week"] - w["release"].dt.to_period("W-SUN").dt.start_time).dt.days // 7
    return w.sort_values(["name", "week"])


def real_changes(w: pd.DataFrame) -> np.ndarray:
    prev = w.groupby("name")[["price", "week"]].shift()
    ok = (w["week"] - prev["week"]) == pd.Timedelta(days=7)
    return np.log(w.loc[ok, "price"] / prev.loc[ok, "price"]).to_numpy()


def demo_weeks(pop: Population, first: int, last: int) -> pd.DataFrame:
    rows = []
    for p in pop.products_between(first, last):
        path = p.path
        for w in range(max(first, path.announce), min(last + 1, path.leave)):
            c = path.price_cents(w)
            if c is not None:
                rows.append((p.id, w, c / 100, path.retail, w - path.release,
                             "hyped" if path.hyped else "general release"))
    return pd.DataFrame(rows, columns=["name", "week", "price", "retail", "since", "group"]).sort_values(
        ["name", "week"])


def demo_changes(w: pd.DataFrame) -> np.ndarray:
    prev = w.groupby("name")[["price", "week"]].shift()
    ok = (w["week"] - prev["week"]) == 1
    return np.log(w.loc[ok, "price"] / prev.loc[ok, "price"]).to_numpy()


def release_shape(w: pd.DataFrame) -> pd.DataFrame:
    """Per group and weeks-since-release bin: median over products of their median price/retail, and of
    price relative to the product's release-week price."""
    w = w[w["retail"].notna() & (w["retail"] > 0)].copy()
    w["prem"] = w["price"] / w["retail"]
    base = w[w["since"] == 0].set_index("name")["price"]
    w["vs_release"] = w["price"] / w["name"].map(base)
    out = []
    for group, g in w.groupby("group"):
        for lo, hi in BINS:
            b = g[(g["since"] >= lo) & (g["since"] < hi)]
            per = b.groupby("name")[["prem", "vs_release"]].median()
            out.append((group, f"[{lo},{hi})", len(per), per["prem"].median(), per["vs_release"].median()))
    return pd.DataFrame(out, columns=["group", "weeks since release", "products", "price/retail",
                                      "price/release week"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--products", type=int, default=1500)
    ap.add_argument("--weeks", type=int, default=52)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if not SALES.exists():
        sys.exit(f"missing {SALES}: the real history is needed for the comparison")
    last = parse_as_of(a.as_of)
    t = time.perf_counter()
    real = real_weeks(SALES)
    real_s = time.perf_counter() - t
    t = time.perf_counter()
    pop = Population(a.seed, a.products)
    demo = demo_weeks(pop, last - a.weeks + 1, last)
    demo_s = time.perf_counter() - t
    pd.set_option("display.width", 160)
    print(f"real: {real['name'].nunique()} sneakers, {len(real)} sneaker-weeks ({real_s:.1f} s) | demo: seed "
          f"{a.seed}, {a.products} products, {a.weeks} weeks to {week_label(last)}: {demo['name'].nunique()} "
          f"products, {len(demo)} priced product-weeks ({demo_s:.1f} s)")
    stats = pd.DataFrame({"real (weekly median sale)": change_stats(real_changes(real)),
                          "demo (weekly lowest ask)": change_stats(demo_changes(demo))}).T
    print("\nWeek-over-week change, |log change| quantiles and share of weeks moving >= 5 %:")
    print(stats.to_string(float_format=lambda v: f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}"))
    new = sum(p.path.announce > last - a.weeks + 1 for p in pop.products_between(last - a.weeks + 1, last))
    print(f"\ndemo: {new} products announced in the window ({new / a.weeks:.1f} a week); "
          f"upcoming at {week_label(last)}: {sum(p.path.release > last for p in pop.at(last).products)}")
    print("\nPath after release (median over products; real groups are brands, demo groups hyped / general):")
    window = pop.products_between(last - 156 + 1, last)  # three years of releases for a fuller picture
    releases = demo_weeks(pop, last - 156 + 1, last)
    releases = releases[releases["name"].isin({p.id for p in window if p.path.release > last - 156})]
    table = pd.concat([release_shape(real).assign(source="real"), release_shape(releases).assign(source="demo")])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\n(real weekly medians: {statistics.median(real['price']):.0f} $; demo weekly asks: "
          f"{statistics.median(demo['price']):.0f} $; {math.fsum(demo['since'] < 0)} pre-release product-weeks)")


if __name__ == "__main__":
    main()
