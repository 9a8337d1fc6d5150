"""Warm vs cold `weekly_refresh(until="shards")`: the same inputs twice into one data directory, same run.

Cold: an empty data directory (scrape, download, normalise, write shards). Warm: the same call again; every
task should be Cached after its files are re-verified. Both run under one temporary Prefect server (its
start is not timed) against an in-process demo market with `--latency-ms` added per response.

    .venv/bin/python bench/flow_cache.py [--models 3] [--items 120] [--products 1500]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sneaker_core.registry import enabled_models


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=3, help="first N enabled models")
    ap.add_argument("--items", type=int, default=120, help="item cap per model")
    ap.add_argument("--products", type=int, default=1500, help="demo catalog size")
    ap.add_argument("--latency-ms", type=int, default=20)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-flow-cache-"))
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(tmp / "results"))  # before Prefect is imported
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from prefect.logging import disable_run_logger
    from prefect.testing.utilities import prefect_test_harness

    from flows.weekly_refresh import weekly_refresh
    from sneaker_core.market import DemoMarket

    models = [m.key for m in enabled_models()][: a.models]
    params = {"models": models, "item_cap": a.items, "scrape_mode": "json", "until": "shards",
              "as_of": "2026-11-23", "data_dir": str(tmp / "data"), "image_size": 224}
    times = []
    with DemoMarket(seed=0, n_products=a.products, faults=f"latency_ms={a.latency_ms}") as m, \
            prefect_test_harness(server_startup_timeout=240), disable_run_logger():
        for _ in ("cold", "warm"):
            t0 = time.perf_counter()
            out = weekly_refresh(source=m.url, **params)
            times.append(time.perf_counter() - t0)
    examples = sum(s["examples"] for s in out["shards"].values())
    print(f"cores: {os.cpu_count()}  models: {len(models)}  item cap {a.items}  examples {examples}  "
          f"market latency {a.latency_ms} ms")
    print(f"cold flow (until=shards): {times[0]:7.2f} s")
    print(f"warm flow (all cached):   {times[1]:7.2f} s  ({times[0] / times[1]:.1f}x faster)")


if __name__ == "__main__":
    main()
