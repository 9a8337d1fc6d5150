"""Listings/s of the scraper (browser and JSON mode) vs the original's fixed-sleep scroll loop, same run.

The demo market runs in this process with `--latency-ms` added to every response. Each mode scrapes the
same models up to `--items` listings, and is checked against the market's ground truth: recall (the
search's listings up to the cap that were scraped), placeholders (rows without an image URL) and
duplicate product ids must be 100%, 0 and 0.

Browser mode runs as the flow does: the models one after another on one pooled browser (launched once,
a fresh context per model), so the rate is listings/s per browser, its start-up included.

The baseline is computed, not run: the original slept a fixed 18 s per scroll cycle and each cycle
brings one page of 25 cards, so n listings take ceil(n / 25) cycles x 18 s (its page loads and parsing
come on top, so this is its best case).

    .venv/bin/python bench/scrape.py [--items 300] [--products 4000] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq

from sneaker_core.market import DemoMarket
from sneaker_core.registry import get_model
from sneaker_core.scrape.run import scrape_model
from sneaker_core.scrape.site import PAGE_LIMIT
from sneaker_core.settings import Settings

MODELS = ("air-force-1", "air-jordan-1", "air-jordan-2")
ORIGINAL_SLEEP_S = 18.0
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def truth_slugs(url: str, query: str) -> list[str]:
    """The search's product slugs in result order, from the market's ground truth."""
    slug = {p["id"]: p["slug"] for p in httpx.get(f"{url}/__catalog.json", timeout=30).json()["products"]}
    ids = httpx.get(f"{url}/__catalog.json", params={"query": query}, timeout=30).json()["ids"]
    return [slug[i] for i in ids]


def run_mode(url: str, mode: str, items: int, data_dir: Path) -> dict[str, float]:
    """Scrape every model in `mode`; listings/s, recall, placeholders and duplicates over all of them."""
    settings = Settings(data_dir=data_dir, scrape_mode=mode, item_cap=items, scroll_wait_s=5)
    rows = expected = found = placeholders = duplicates = cycles = 0
    seconds = 0.0
    for key in MODELS:
        truth = truth_slugs(url, get_model(key).query)[:items]
        t0 = time.perf_counter()
        manifest = scrape_model(key, settings, url, f"demo-bench-{mode}", now=NOW)
        seconds += time.perf_counter() - t0
        ids = pq.read_table(data_dir / manifest["path"], columns=["product_id"]).column(0).to_pylist()
        rows += len(ids)
        cycles += math.ceil(len(ids) / PAGE_LIMIT)  # the original's scroll cycles for as many listings
        expected += len(truth)
        found += len(set(ids) & set(truth))
        placeholders += manifest["placeholders"]
        duplicates += len(ids) - len(set(ids))
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds, "recall": found / expected,
            "placeholders": placeholders, "duplicates": duplicates, "original_cycles": cycles}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=300, help="listings per model (the item cap)")
    ap.add_argument("--products", type=int, default=4000, help="demo catalog size (>= --items per model)")
    ap.add_argument("--latency-ms", type=int, default=20)
    a = ap.parse_args()
    with DemoMarket(seed=0, n_products=a.products, faults=f"latency_ms={a.latency_ms}") as m, \
            tempfile.TemporaryDirectory() as tmp:
        results = {mode: run_mode(m.url, mode, a.items, Path(tmp) / mode) for mode in ("json", "browser")}
    n = results["json"]["rows"]
    cycles = results["json"]["original_cycles"]
    original = n / (cycles * ORIGINAL_SLEEP_S)
    print(f"cores: {os.cpu_count()}  models: {len(MODELS)} x {a.items} listings  "
          f"market latency {a.latency_ms} ms")
    print(f"original (fixed {ORIGINAL_SLEEP_S:.0f} s per scroll cycle, {cycles} cycles of {PAGE_LIMIT} cards, "
          f"computed): {original:8.2f} listings/s")
    for mode, r in results.items():
        print(f"ours, {mode} mode: {r['rate']:8.1f} listings/s  ({r['rows']} in {r['seconds']:.1f} s, "
              f"{r['rate'] / original:.0f}x original)  recall {r['recall']:.1%}  "
              f"placeholders {r['placeholders']}  duplicate ids {r['duplicates']}")


if __name__ == "__main__":
    main()
