"""The demo market's size curve beside the real one (StockX sales 2017-09 .. 2018-12, ../shared/data).

Real: per US men's size, the median over sales of (sale price / that sneaker's median sale price that week),
and the spread of that median over sneakers. Demo: per size, the median over product-weeks of (size ask /
that product's median size ask that week), over the men's-range products of the weeks up to --as-of, its
spread over products, and how often the size is in stock.
Usage: .venv/bin/python bench/market_sizes.py [--as-of 2026-11-30] [--products 600] [--weeks 8]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx
import pandas as pd

from sneaker_core.csv_files import read_csv_table
from sneaker_core.market import DemoMarket
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.sizes import RANGES, size_asks, size_range
from sneaker_core.market.truth import BUY_BAR_PATH
from sneaker_core.market.weeks import parse_as_of, week_label

SALES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "stockx_sales_2017_2018.csv"


def real_curve(path: Path) -> pd.DataFrame:
    d = read_csv_table(path, what="StockX sales", text_columns=())
    d["Order Date"] = pd.to_datetime(d["Order Date"])
    d["name"] = d["Sneaker Name"].str.lower()
    d["week"] = d["Order Date"].dt.to_period("W-SUN").dt.start_time
    d["rel"] = d["Sale Price"] / d.groupby(["name", "week"])["Sale Price"].transform("median")
    per = d.groupby(["Shoe Size", "name"])["rel"].median().groupby("Shoe Size")
    return pd.DataFrame({"real": d.groupby("Shoe Size")["rel"].median(), "real sales": d.groupby("Shoe Size").size(),
                         "real q25 over sneakers": per.quantile(0.25), "real q75 over sneakers": per.quantile(0.75)})


def demo_curve(pop: Population, first: int, last: int) -> pd.DataFrame:
    rows, offered = [], []
    for week in range(first, last + 1):
        for p in pop.at(week).products:
            if size_range(p.title, p.category) != "men" or p.price_cents is None:
                continue
            asks = size_asks(p.path.key, p.price_cents, p.model, p.title, p.category, week)
            mid = pd.Series([a.cents for a in asks if a.cents]).median()
            rows += [(a.size, p.id, a.cents / mid) for a in asks if a.cents]
            offered += [(a.size, a.cents is not None) for a in asks]
    d = pd.DataFrame(rows, columns=["size", "id", "rel"])
    per = d.groupby(["size", "id"])["rel"].median().groupby("size")
    stock = pd.DataFrame(offered, columns=["size", "in"]).groupby("size")["in"].mean()
    return pd.DataFrame({"demo": d.groupby("size")["rel"].median(), "demo asks": d.groupby("size").size(),
                         "demo q25 over products": per.quantile(0.25), "demo q75 over products": per.quantile(0.75),
                         "demo in stock": stock})


def serving_rates(products: int, week: int, n: int = 200) -> tuple[float, float, float]:
    """(market start seconds, search-JSON pages/s, buy_bar_data requests/s), sequential, one client."""
    t = time.perf_counter()
    with DemoMarket(n_products=products, as_of=week) as m, httpx.Client(base_url=m.url, timeout=30) as c:
        start = time.perf_counter() - t
        ids = [p.id for p in m.catalog.products[:n]]
        t = time.perf_counter()
        for i in range(n):
            c.get("/web-api/consumer-search/get-product-search-results",
                  params={"queryString": "air force 1", "pageLimit": 25, "pageNumber": i % 5 + 1})
        search = n / (time.perf_counter() - t)
        t = time.perf_counter()
        for pid in ids:
            c.get(BUY_BAR_PATH, params={"productTemplateId": pid, "countryCode": "US"})
        sizes = len(ids) / (time.perf_counter() - t)
    return start, search, sizes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", default=None)
    ap.add_argument("--products", type=int, default=600)
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if not SALES.exists():
        sys.exit(f"missing {SALES}: the real sales are needed for the comparison")
    last = parse_as_of(a.as_of)
    table = real_curve(SALES).join(demo_curve(Population(a.seed, a.products), last - a.weeks + 1, last), how="outer")
    table = table.reindex(sorted(set(table.index) | set(RANGES["men"])))
    print(f"Size curve, US men's sizes: real StockX sales vs demo (seed {a.seed}, {a.products} products, "
          f"{a.weeks} weeks to {week_label(last)})")
    pd.set_option("display.width", 200)
    print(table.to_string(float_format=lambda v: f"{v:.3f}" if v < 10 else f"{v:.0f}"))
    start, search, sizes = serving_rates(2500, last)
    print(f"\nServing ({2500} products): market start {start:.2f} s; search JSON pages {search:.0f}/s (baseline); "
          f"buy_bar_data {sizes:.0f}/s ({sizes / search:.2f}x)")


if __name__ == "__main__":
    main()
