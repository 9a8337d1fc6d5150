"""Small synthetic run folders for the governance tests: a split, targets.json and CNN predictions per target,
with accuracies chosen by the test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.atomic import atomic_path
from sneaker_core.rundir import RunDir
from sneaker_core.targets import TARGETS, TargetSpec
from sneaker_core.training.runinfo import save_targets
from sneaker_core.training.split import save_split

CLASSES = {"price_decile": 10, "price_band": 10, "model": 24, "brand": 6}


def write_run(data_dir: Path, run_id: str, split: dict[str, str], accuracy: float, seed: int,
              decile_names: str = "d", memorised: bool = False) -> Path:
    """A run whose CNNs are right on `accuracy` of its held-out rows (and, with `memorised`, on every training
    row, which also gets a prediction: a trap for code that scores a champion on what it trained on)."""
    run = RunDir.for_id(data_dir, run_id).create()
    frame = pd.DataFrame({"product_id": list(split), "group": list(split), "split": list(split.values())})
    frame.attrs = {"fractions": [0.6, 0.2, 0.2], "seed": 0, "dropped": {}}
    save_split(frame, run)
    specs = {t: TargetSpec(t, tuple(f"{decile_names if t == 'price_decile' else t}{k}" for k in range(n)))
             for t, n in CLASSES.items()}
    save_targets(specs, run)
    rng = np.random.default_rng(seed)
    rows = frame if memorised else frame[frame["split"] != "train"]
    for target in TARGETS:
        k = CLASSES[target]
        true = np.array([int(p[1:]) % k for p in rows["product_id"]])  # the same truth in every run
        right = rng.random(len(rows)) < accuracy
        if memorised:
            right |= (rows["split"] == "train").to_numpy()
        pred = np.where(right, true, (true + 1) % k)
        with atomic_path(run.probs(target)) as tmp:
            pd.DataFrame({"product_id": rows["product_id"].to_numpy(), "split": rows["split"].to_numpy(),
                          "true": true, "pred": pred, "p__x": 1.0}).to_parquet(tmp, index=False)
    return run.path


def split_of(i: int, changed: bool) -> str:
    """Products i % 10 < 6 train, 6-7 val, 8-9 test; with `changed`, i % 10 == 5 moves from train to test."""
    r = i % 10
    if changed and r == 5:
        return "test"
    return "train" if r < 6 else "val" if r < 8 else "test"


def champion_split(n: int = 1500) -> dict[str, str]:
    return {f"p{i:05d}": split_of(i, False) for i in range(n)}


def challenger_split(n: int = 2000) -> dict[str, str]:
    """500 products new since the champion's run, and the champion's i % 10 == 5 training products now test."""
    return {f"p{i:05d}": split_of(i, True) for i in range(n)}
