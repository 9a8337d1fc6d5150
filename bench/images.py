"""Images/s through download + decode + normalise + encode, ours vs the original's approach, same run.

The demo market runs in its own process with 20 ms added latency per request and serves its 750x750
RGBA PNGs, or a smaller width on request like GOAT's CDN (`?action=crop&width=N`); every variant is
rendered once in a warm-up pass, so no side pays for rendering. The baseline is the original's loop: one
GET after another of the URL as scraped (750 px), then Pillow on that image, one at a time (with the same
normaliser). Ours is `process_model_images` on a snapshot of the same URLs, into an empty store (so it
also writes the store and the manifest), twice: fetching the 750 px originals (only the orchestration
differs from the baseline), and with the default `resize_at_source` (asking the CDN for the stored size).
The mean pixel difference between the two stores shows what resizing at the CDN costs in fidelity.

    .venv/bin/python bench/images.py [--n 240] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from sneaker_core.images.download import sized_url
from sneaker_core.images.normalise import normalise
from sneaker_core.images.pipeline import process_model_images
from sneaker_core.settings import Settings


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (the normaliser workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def start_market(n: int, latency_ms: int) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "sneaker_cli.main", "market", "--products", str(max(n, 10)),
           "--faults", f"latency_ms={latency_ms}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("Demo market on "):
        proc.kill()
        raise RuntimeError(f"demo market did not start: {line!r}")
    return proc, line.removeprefix("Demo market on ")


async def warm_up(urls: list[str]) -> int:
    """Fetch every image once so the market has rendered it; returns the mean body size."""
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=60) as client:
        async def get(u: str) -> int:
            async with sem:
                return len((await client.get(u)).content)
        sizes = await asyncio.gather(*(get(u) for u in urls))
    return sum(sizes) // len(sizes)


def baseline(urls: list[str], s: Settings) -> float:
    """The original's approach: a new connection per image (like `requests.get`), then Pillow on it, one
    image at a time. One client is reused so that its setup (TLS context) is not charged to each image."""
    t0 = time.perf_counter()
    with httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        for u in urls:
            data = client.get(u).content
            normalise(data, s.image_size, s.jpeg_quality, s.max_image_pixels)
    return time.perf_counter() - t0


def write_snapshot(path: Path, urls: list[str]) -> Path:
    now = datetime.now(UTC)
    rows = [{"product_id": f"p{i}", "title": "bench", "image_url": u, "price_raw": None, "price_usd": None,
             "price_reason": "no_price", "search_model": "bench", "position": i, "page_url": "",
             "scraped_at": now, "source": "demo", "model": "bench", "brand": "bench", "status": "ok",
             "label_reason": ""} for i, u in enumerate(urls)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def timed_run(snap: Path, s: Settings, n: int) -> tuple[float, float, dict]:
    """Wall seconds and CPU seconds per image of `process_model_images` into an empty store."""
    c0, t0 = cpu_s(), time.perf_counter()
    summary = process_model_images(snap, s)
    seconds, cpu = time.perf_counter() - t0, (cpu_s() - c0) / n
    assert summary["ok"] == n, summary
    return seconds, cpu, summary


def pixel_difference(run_a: tuple[Path, dict], run_b: tuple[Path, dict]) -> float:
    """Mean absolute difference (0-255) between the stored JPEGs of two runs (data dir, summary) over the same rows."""
    stores = [[d / p for p in pd.read_parquet(r["manifest_path"])["store_path"]] for d, r in (run_a, run_b)]
    return float(np.mean([np.abs(np.asarray(Image.open(x), np.int16) - np.asarray(Image.open(y), np.int16)).mean()
                          for x, y in zip(*stores, strict=True)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=240, help="images per side")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--baseline-n", type=int, default=None, help="images for the (slow) baseline; default n")
    a = ap.parse_args()
    proc, base = start_market(a.n, a.latency_ms)
    try:
        ids = [p["image_id"] for p in httpx.get(f"{base}/__catalog.json", timeout=60).json()["products"]]
        urls = [f"{base}/images/{i}.png?action=crop&width=750" for i in ids[: a.n]]  # as the scraper records them
        with tempfile.TemporaryDirectory() as tmp:
            s = Settings(data_dir=Path(tmp) / "sized")
            full = s.model_copy(update={"data_dir": Path(tmp) / "full", "resize_at_source": False})
            mean_bytes = asyncio.run(warm_up(urls))
            sized_bytes = asyncio.run(warm_up([sized_url(u, s.image_size) for u in urls]))
            base_n = a.baseline_n or a.n
            c0 = cpu_s()
            t_base = baseline(urls[:base_n], s)
            c_base = (cpu_s() - c0) / base_n
            snaps = [write_snapshot(x.path("raw", "bench", "bench.parquet"), urls) for x in (s, full)]
            t_full, c_full, r_full = timed_run(snaps[1], full, a.n)
            t_ours, c_ours, r_ours = timed_run(snaps[0], s, a.n)
            t1 = time.perf_counter()
            again = process_model_images(snaps[0], s)
            t_rerun = time.perf_counter() - t1
            diff = pixel_difference((Path(s.data_dir), r_ours), (Path(full.data_dir), r_full))
    finally:
        proc.terminate()
        proc.wait(10)
    ours, ours_full, orig = a.n / t_ours, a.n / t_full, base_n / t_base
    cores = os.cpu_count() or 1
    print(f"cores: {cores}  images: {a.n} (750x750 RGBA PNG, mean {mean_bytes / 1024:.0f} KiB; "
          f"{s.image_size} px from the CDN: {sized_bytes / 1024:.0f} KiB)  latency: {a.latency_ms} ms  "
          f"output: {s.image_size}px JPEG q{s.jpeg_quality}")
    print(f"original (sequential GET + PIL, 750 px):      {orig:8.1f} images/s  ({base_n} in {t_base:.2f} s, "
          f"CPU {c_base * 1000:.1f} ms/image)")
    print(f"ours, 750 px originals (async + processes):   {ours_full:8.1f} images/s  ({a.n} in {t_full:.2f} s, "
          f"CPU {c_full * 1000:.1f} ms/image)  {ours_full / orig:.1f}x")
    print(f"ours, default (asks the CDN for {s.image_size} px):     {ours:8.1f} images/s  ({a.n} in {t_ours:.2f} s, "
          f"CPU {c_ours * 1000:.1f} ms/image)  {ours / orig:.1f}x  (target >= 10x)")
    print(f"stored images, CDN-resized vs resized here: mean |difference| {diff:.2f} of 255 per pixel; "
          f"load average now {os.getloadavg()[0]:.1f}")
    print(f"re-run from the store: {a.n / t_rerun:8.1f} images/s, downloaded {again['downloaded']}, "
          f"reused {again['reused']}")


if __name__ == "__main__":
    main()
