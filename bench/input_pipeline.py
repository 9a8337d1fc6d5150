"""Examples/s of the training input paths vs what a training step consumes, at 128 and 224 px, same run.

Shards hold the demo market's product pictures, normalised to 224 px JPEGs as the image stage stores them.
Before: the shard reader as training used it every epoch (shuffle, repeat, decode, resize, batch). After:
prepare decodes the shards once (`read_examples`, timed too) into a memory-mapped uint8 array, and each epoch
gathers shuffled batches from it (`array_dataset`). The training step is the project's CNN
(`settings.architecture`) on an in-memory batch, so neither side waits on the other.

    .venv/bin/python bench/input_pipeline.py [--examples 512] [--batches 30]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from sneaker_core.atomic import sha256_bytes
from sneaker_core.images.normalise import normalise
from sneaker_core.market.server import DemoMarket
from sneaker_core.settings import Settings
from sneaker_core.shard_schema import encode_example
from sneaker_core.shards.reader import make_dataset, read_examples
from sneaker_core.training.cnn import build_model
from sneaker_core.training.fit import array_dataset


def write_shards(folder: Path, n: int, per_shard: int, stored_size: int) -> list[Path]:
    """`n` examples cycling over 64 distinct product pictures, `per_shard` to a file."""
    market = DemoMarket(n_products=64)
    jpegs = [normalise(market.image_bytes(p), stored_size, 95, 10**8)[0] for p in market.catalog.products]
    paths = []
    for start in range(0, n, per_shard):
        path = folder / f"bench-{start // per_shard:05d}.tfrecord"
        with tf.io.TFRecordWriter(str(path)) as w:
            for i in range(start, min(n, start + per_shard)):
                img = jpegs[i % len(jpegs)]
                w.write(encode_example({"image": img, "product_id": f"p{i}", "title": "bench", "price": 100.0 + i,
                                        "model": "bench", "brand": "bench", "search_model": "bench",
                                        "group_key": "bench", "scraped_at": "2024-06-03T10:00:00+00:00",
                                        "image_sha256": sha256_bytes(img)}))
        paths.append(path)
    return paths


def reader_rate(paths: list[Path], size: int, batch: int, batches: int) -> float:
    ds = iter(make_dataset(paths, image_size=size, batch_size=batch, shuffle=True, repeat=True))
    for _ in range(3):  # warm up: autotune, file handles, first decodes
        next(ds)
    t0 = time.perf_counter()
    for _ in range(batches):
        next(ds)["image"].numpy()
    return batches * batch / (time.perf_counter() - t0)


def array_rate(folder: Path, paths: list[Path], size: int, batch: int, batches: int) -> tuple[float, float]:
    """(examples/s of the one decoding pass, examples/s of shuffled batches gathered from the mapped array)."""
    t0 = time.perf_counter()
    _, images = read_examples(paths, size)
    once = len(images) / (time.perf_counter() - t0)
    np.save(folder / f"images-{size}.npy", images)
    mapped = np.load(folder / f"images-{size}.npy", mmap_mode="r")
    rows = np.arange(len(mapped))
    ds = iter(array_dataset(mapped, rows, rows % 10, batch, shuffle_seed=0).repeat())
    for _ in range(3):
        next(ds)
    t0 = time.perf_counter()
    for _ in range(batches):
        next(ds)[0].numpy()
    return once, batches * batch / (time.perf_counter() - t0)


def train_rate(arch: str, size: int, batch: int, steps: int) -> float:
    model = build_model(arch, 10, size, seed=0)  # type: ignore[arg-type]
    x = np.random.default_rng(0).integers(0, 255, (batch, size, size, 3), dtype=np.uint8)
    y = np.arange(batch) % 10
    for _ in range(2):  # warm up: tracing
        model.train_on_batch(x, y)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return steps * batch / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=512)
    ap.add_argument("--batches", type=int, default=30, help="reader batches timed")
    ap.add_argument("--steps", type=int, default=6, help="training steps timed")
    a = ap.parse_args()
    s = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_shards(Path(tmp), a.examples, 128, s.image_size)
        print(f"cores: {os.cpu_count()}  shards: {len(paths)} x 128 examples of {s.image_size}px JPEG  "
              f"batch: {s.batch_size}  model: {s.architecture}  load average: {os.getloadavg()[0]:.1f}")
        for size in (128, 224):
            read = reader_rate(paths, size, s.batch_size, a.batches)
            once, mapped = array_rate(Path(tmp), paths, size, s.batch_size, a.batches)
            train = train_rate(s.architecture, size, s.batch_size, a.steps)
            print(f"{size:4d} px: before (decode every epoch) {read:8.1f} examples/s   after: decode once "
                  f"{once:8.1f} examples/s, then per epoch {mapped:9.1f} examples/s   training step {train:7.1f} "
                  f"examples/s   per-epoch input ratio before {read / train:5.1f}x, after {mapped / train:6.1f}x")


if __name__ == "__main__":
    main()
