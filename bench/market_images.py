"""Demo-market image throughput: cold renders, cache hits, and HTTP downloads with 16 parallel clients.

Prints images/s for each and the ratios against the cold render (the baseline measured in the same run).
Usage: .venv/bin/python bench/market_images.py [N]   (N distinct products, default 60)
"""

from __future__ import annotations

import io
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from PIL import Image

from sneaker_core.market import DemoMarket
from sneaker_core.market.render import ImageCache, RenderSpec, encode_png, render_image

SMALL = 128  # the stored image size of the demo profile (settings.DEMO_IMAGE_SIZES)


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main(n: int = 60) -> None:
    with DemoMarket(seed=0, n_products=max(n, 60)) as m:
        products = [p for p in m.catalog.products if p.relisting_of is None][:n]
        specs = [RenderSpec(p.render_key, p.title, p.model, p.brand_name, p.category) for p in products]

        t = time.perf_counter()
        images = [render_image(s) for s in specs]
        draw_s = time.perf_counter() - t
        t = time.perf_counter()
        for img in images:
            encode_png(img)
        encode_s = time.perf_counter() - t
        cold = rate(n, draw_s + encode_s)

        # a cold request at the pipeline's stored size (128 px): drawn and shrunk in memory, against the same
        # pixels through the encoded 750 px original (encode, decode, shrink)
        t = time.perf_counter()
        for p in products:
            m.image_bytes(p, SMALL)
        small_s = time.perf_counter() - t
        t = time.perf_counter()
        for img in images:
            with Image.open(io.BytesIO(encode_png(img))) as im:
                shrunk = im.resize((SMALL, SMALL), Image.Resampling.LANCZOS)
            shrunk.save(io.BytesIO(), format="PNG")
        via_png_s = time.perf_counter() - t + draw_s

        cache = ImageCache()
        for s in specs:
            cache.get(s)
        t = time.perf_counter()
        reps = 50
        for _ in range(reps):
            for s in specs:
                cache.get(s)
        cached = rate(n * reps, time.perf_counter() - t)

        urls = [f"{m.url}/images/{p.image_id}.png" for p in products]
        with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=16)) as c, ThreadPoolExecutor(16) as pool:
            t = time.perf_counter()
            cold_http = list(pool.map(lambda u: c.get(u).status_code, urls))
            cold_http_s = time.perf_counter() - t
            t = time.perf_counter()
            warm_http = list(pool.map(lambda u: c.get(u).status_code, urls * 5))
            warm_http_s = time.perf_counter() - t
        assert set(cold_http) == set(warm_http) == {200}

    print(f"products: {n}")
    print(f"cold render+encode: {cold:8.1f} images/s  (draw {rate(n, draw_s):.1f}/s, encode {rate(n, encode_s):.1f}/s)")
    print(f"cold {SMALL} px:        {rate(n, small_s):8.1f} images/s  (through the encoded original: "
          f"{rate(n, via_png_s):.1f}/s, {via_png_s / small_s:.1f}x slower)")
    print(f"cache hit:          {cached:8.1f} images/s  ({cached / cold:.0f}x cold)")
    print(f"HTTP x16, cold:     {rate(n, cold_http_s):8.1f} images/s  ({rate(n, cold_http_s) / cold:.1f}x cold)")
    print(f"HTTP x16, cached:   {rate(5 * n, warm_http_s):8.1f} images/s  ({rate(5 * n, warm_http_s) / cold:.1f}x cold)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
