"""Training throughput (images/s) of the baseline vs the default CNN at several image sizes, one run.

Synthetic uint8 images held in memory (no decoding), a warm-up fit to trace/compile, then timed steps.
The default model's ratio is against the baseline measured in the same run on the same machine.

    .venv/bin/python bench/train.py [--sizes 128 224] [--batch 32] [--steps 6] [--warmup 2]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from rich.console import Console
from rich.table import Table

from sneaker_core.training.cnn import build_model, configure_devices, gpus
from sneaker_core.training.preflight import ARCHITECTURES

N_CLASSES = 24


def images_per_s(arch: str, size: int, batch: int, steps: int, warmup: int, strategy) -> float:
    """Timed training throughput over `steps` steps after `warmup` steps."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (batch * 4, size, size, 3), dtype=np.uint8)
    y = rng.integers(0, N_CLASSES, batch * 4)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).repeat().batch(batch).prefetch(2)
    with strategy.scope():
        model = build_model(arch, N_CLASSES, size, seed=0, decay_steps=steps + warmup)
    model.fit(ds, steps_per_epoch=warmup, epochs=1, shuffle=False, verbose=0)
    t0 = time.perf_counter()
    model.fit(ds, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=0)
    return batch * steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 224])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    strategy = configure_devices()
    device = f"{len(gpus())} GPU(s), mixed precision + XLA" if gpus() else f"CPU ({os.cpu_count()} cores)"
    table = Table(title=f"training images/s, batch {args.batch}, {args.steps} timed steps, {device}")
    for col in ("size", *ARCHITECTURES, "params baseline", "params default", "default / baseline"):
        table.add_column(col, justify="right")
    for size in args.sizes:
        rates = {a: images_per_s(a, size, args.batch, args.steps, args.warmup, strategy) for a in ARCHITECTURES}
        params = {a: build_model(a, N_CLASSES, size, seed=0).count_params() for a in ARCHITECTURES}
        table.add_row(str(size), *(f"{rates[a]:.1f}" for a in ARCHITECTURES),
                      *(f"{params[a]:,}" for a in ARCHITECTURES), f"{rates['default'] / rates['baseline']:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
