"""Images/s through download + decode + normalise + encode, ours vs the original's approach, same run.

The demo market runs in its own process with 20 ms added latency per request and serves its 750x750
RGBA PNGs (rendered once in a warm-up pass, so neither side pays for rendering). The baseline is the
original's loop: one GET after another, then Pillow on that image, one at a time (with the same
normaliser, so both sides produce the same JPEGs and only the orchestration differs). Ours is
`process_model_images` on a snapshot of the same URLs, into an empty store (so it also writes the store
and the manifest).

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
import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.images.normalise import normalise
from sneaker_core.images.pipeline import process_model_images
from sneaker_core.settings import Settings


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children (the normaliser workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def start_market(n: int, latency_ms: int) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "sneaker_core.market", "--products", str(max(n, 10)),
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=240, help="images per side")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--baseline-n", type=int, default=None, help="images for the (slow) baseline; default n")
    a = ap.parse_args()
    proc, base = start_market(a.n, a.latency_ms)
    try:
        ids = [p["image_id"] for p in httpx.get(f"{base}/__catalog.json", timeout=60).json()["products"]]
        urls = [f"{base}/images/{i}.png" for i in ids[: a.n]]
        mean_bytes = asyncio.run(warm_up(urls))
        with tempfile.TemporaryDirectory() as tmp:
            s = Settings(data_dir=Path(tmp) / "data")
            base_n = a.baseline_n or a.n
            c0 = cpu_s()
            t_base = baseline(urls[:base_n], s)
            c_base = (cpu_s() - c0) / base_n
            snap = write_snapshot(s.path("raw", "bench", "bench.parquet"), urls)
            c0, t0 = cpu_s(), time.perf_counter()
            summary = process_model_images(snap, s)
            t_ours, c_ours = time.perf_counter() - t0, (cpu_s() - c0) / a.n
            assert summary["ok"] == a.n, summary
            t1 = time.perf_counter()
            again = process_model_images(snap, s)
            t_rerun = time.perf_counter() - t1
    finally:
        proc.terminate()
        proc.wait(10)
    ours, orig = a.n / t_ours, base_n / t_base
    print(f"cores: {os.cpu_count()}  images: {a.n} (mean {mean_bytes / 1024:.0f} KiB, 750x750 RGBA PNG)  "
          f"latency: {a.latency_ms} ms  output: {s.image_size}px JPEG q{s.jpeg_quality}")
    print(f"original (sequential GET + PIL): {orig:8.1f} images/s  ({base_n} in {t_base:.2f} s)")
    print(f"ours (async httpx + processes):  {ours:8.1f} images/s  ({a.n} in {t_ours:.2f} s)")
    print(f"ratio: {ours / orig:.1f}x  (target >= 10x)")
    cores = os.cpu_count() or 1
    bound = (a.latency_ms / 1000 + c_base) / (c_ours / cores)
    print(f"CPU per image: original {c_base * 1000:.1f} ms, ours {c_ours * 1000:.1f} ms (incl. store + manifest); "
          f"ceiling on {cores} idle cores = (latency + original CPU) / (our CPU / cores) = {bound:.1f}x; "
          f"load average now {os.getloadavg()[0]:.1f}")
    print(f"re-run from the store: {a.n / t_rerun:8.1f} images/s, downloaded {again['downloaded']}, "
          f"reused {again['reused']}")


if __name__ == "__main__":
    main()
