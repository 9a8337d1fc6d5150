"""The run directory layout shared by training, stacking and reporting, and the metrics.json merge.

<run_dir>/split.parquet, split.json, targets.json, models/<target>.keras, probs/<target>.parquet,
metrics/<target>.json, confusion/<target>.png, metrics.json.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import keras

from sneaker_core.atomic import TMP_PREFIX, write_json
from sneaker_core.targets import TARGETS, TargetSpec
from sneaker_core.training.split import SPLIT_INFO

TARGETS_FILE = "targets.json"
METRICS_FILE = "metrics.json"


def model_path(run_dir: Path, target: str) -> Path:
    return Path(run_dir) / "models" / f"{target}.keras"


def probs_path(run_dir: Path, target: str) -> Path:
    return Path(run_dir) / "probs" / f"{target}.parquet"


def target_metrics_path(run_dir: Path, target: str) -> Path:
    return Path(run_dir) / "metrics" / f"{target}.json"


def confusion_path(run_dir: Path, target: str) -> Path:
    return Path(run_dir) / "confusion" / f"{target}.png"


def save_targets(specs: dict[str, TargetSpec], run_dir: Path) -> Path:
    return write_json(Path(run_dir) / TARGETS_FILE, {name: spec.to_json() for name, spec in specs.items()})


def load_targets(run_dir: Path) -> dict[str, TargetSpec]:
    raw = json.loads((Path(run_dir) / TARGETS_FILE).read_text())
    return {name: TargetSpec.from_json(d) for name, d in raw.items()}


def load_model(path: Path) -> keras.Model:
    """Reload a saved CNN (its custom loss and augmentation layer are registered by importing `cnn`)."""
    from sneaker_core.training import cnn  # noqa: F401 - registers the custom classes with Keras

    return keras.models.load_model(path)


def save_model(model: keras.Model, path: Path) -> Path:
    """Save a .keras file atomically: a temp `.keras` file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.stem}.", suffix=".keras", dir=path.parent)
    os.close(fd)
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def merge_metrics(run_dir: Path) -> dict:
    """Gather metrics/<target>.json and split.json into metrics.json, keeping other top-level keys."""
    run_dir = Path(run_dir)
    out_path = run_dir / METRICS_FILE
    merged = json.loads(out_path.read_text()) if out_path.exists() else {}
    targets = dict(merged.get("targets", {}))
    for target in TARGETS:
        path = target_metrics_path(run_dir, target)
        if path.exists():
            targets[target] = json.loads(path.read_text())
    split_info = json.loads((run_dir / SPLIT_INFO).read_text())
    counts = split_info["counts"]
    merged["targets"] = targets
    merged["data"] = {
        **merged.get("data", {}),
        "n_train": counts["train"],
        "n_val": counts["val"],
        "n_test": counts["test"],
        "split_digest": split_info["digest"],
        "split_fractions": split_info.get("fractions"),
        "split_seed": split_info.get("seed"),
        "dropped": split_info.get("dropped", {}),
    }
    write_json(out_path, merged)
    return merged
