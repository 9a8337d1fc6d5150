"""Small synthetic price histories for the forecast tests (random walks, seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd

START = pd.Timestamp("2018-01-01")  # a Monday


def stockx_sales(n_products: int = 5, weeks: int = 26, per_week: int = 6, seed: int = 0) -> pd.DataFrame:
    """Sales in the shared file's spelling: ISO dates, plain numbers; sizes 9, 10, 11 (size 11 dearer)."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_products):
        brand = "Yeezy" if p % 2 else "Off-White"
        name = f"Adidas-Yeezy-Boost-350-V2-Test{p}" if p % 2 else f"Nike-Air-Presto-Off-White-Test{p}"
        level = 300 + 100 * p * np.exp(np.cumsum(rng.normal(0, 0.04, weeks)))
        for w in range(weeks):
            for _ in range(per_week):
                size = rng.choice([9.0, 10.0, 11.0])
                day = START + pd.Timedelta(days=7 * w + int(rng.integers(0, 7)))
                price = round(level[w] * (1.1 if size == 11 else 1.0) * np.exp(rng.normal(0, 0.03)))
                rows.append((day.date().isoformat(), f" {brand}", name, price, 220, "2017-06-01", size, "Ohio"))
    return pd.DataFrame(rows, columns=["Order Date", "Brand", "Sneaker Name", "Sale Price", "Retail Price",
                                       "Release Date", "Shoe Size", "Buyer Region"])


def us_spelling(sales: pd.DataFrame) -> pd.DataFrame:
    """The other copies' spelling of the same sales: `9/1/17` dates and `$1,097` money."""
    def day(iso: str) -> str:
        d = pd.Timestamp(iso)
        return f"{d.month}/{d.day}/{d.year % 100:02d}"
    return sales.assign(**{"Order Date": sales["Order Date"].map(day),
                           "Release Date": sales["Release Date"].map(day),
                           "Sale Price": sales["Sale Price"].map(lambda v: f"${v:,.0f}"),
                           "Retail Price": sales["Retail Price"].map(lambda v: f"${v:,.0f}")})


def history(n_products: int = 8, weeks: int = 24, seed: int = 0) -> pd.DataFrame:
    """A price-history frame as sneaker_core.history returns it: one row per (product, week)."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_products):
        path = (150 + 40 * p) * np.exp(np.cumsum(rng.normal(0.005, 0.05, weeks)))
        for w in range(weeks):
            day = START + pd.Timedelta(weeks=w)
            priced = rng.random() > 0.1
            iso = day.isocalendar()
            rows.append({"product_id": 1000 + p, "week": f"{iso.year}-W{iso.week:02d}", "week_start": day.date(),
                         "model": f"m{p % 3}", "brand": "nike" if p % 2 else "adidas", "search_model": f"m{p % 3}",
                         "title": f"Shoe {p}", "price_usd": round(path[w], 2) if priced else None, "priced": priced,
                         "release_date": (START - pd.Timedelta(weeks=10 * p)).date(), "retail_usd": 120.0,
                         "template_id": f"t{p}"})
    return pd.DataFrame(rows)


SIZE_PREMIUM = {"8": 0.95, "9": 1.0, "10": 1.05, "11": 1.2}


def write_market_weeks(data_dir, weeks: list[str], n_products: int = 6, seed: int = 0, spike: float = 1.3) -> None:
    """Weekly dunk-low snapshots (written by the real snapshot writer) and size tables for `weeks`: products
    priced around a stable level with noise; product p0's last week spikes by `spike` (a mover); product
    `never` is listed but never priced."""
    from datetime import UTC, datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    from sneaker_core.registry import get_model, load_models
    from sneaker_core.scrape.records import ScrapeStats, build_table
    from sneaker_core.scrape.sizes import SIZES_SCHEMA
    from sneaker_core.scrape.snapshot import sizes_path, write_snapshot

    rng = np.random.default_rng(seed)
    scraped = datetime(2026, 1, 1, tzinfo=UTC)
    for i, week in enumerate(weeks):
        prices = {f"p{p}": (120 + 30 * p) * float(np.exp(rng.normal(0, 0.05))) for p in range(n_products)}
        if i == len(weeks) - 1:
            prices["p0"] *= spike
        items = [{"product_id": pid, "title": f"Nike Dunk Low Retro {pid}", "image_url": f"http://x/{pid}.png",
                  "price_raw": f"${price:.0f}", "position": k, "page_url": f"http://x/sneakers/{pid}",
                  "release_raw": "2025-06-01", "retail_raw": 11000, "template_raw": 100 + k}
                 for k, (pid, price) in enumerate(prices.items())]
        items.append({"product_id": "never", "title": "Nike Dunk Low Retro Never", "image_url": "http://x/n.png",
                      "price_raw": None, "position": len(items), "page_url": "http://x/sneakers/never"})
        stats = ScrapeStats()
        table = build_table(items, get_model("dunk-low"), "test", scraped, stats, load_models())
        write_snapshot(table, data_dir, week, "dunk-low", "test", stats)
        rows = [{"product_id": pid, "template_id": 1, "size": float(s), "size_label": s,
                 "ask_usd": round(price * r * float(np.exp(rng.normal(0, 0.03))), 2), "currency": "USD",
                 "stock_status": "in_stock", "scraped_at": scraped}
                for pid, price in prices.items() for s, r in SIZE_PREMIUM.items()]
        path = sizes_path(data_dir, week, "dunk-low")
        pq.write_table(pa.Table.from_pylist(rows, schema=SIZES_SCHEMA), path)
