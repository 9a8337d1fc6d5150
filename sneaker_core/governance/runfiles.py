"""Every contact governance has with `<data>/runs/`: file names and the few readers/writers, in one place.

`runs/champion.json` (the serving pointer and its history), `<run>/promotion.json` (the decision on a run as
a challenger) and `<run>/drift.json` (the week's drift figures) are written here only; the run's split and
CNN probabilities are read through the training modules that own them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sneaker_core.atomic import write_json
from sneaker_core.rundir import CHAMPION, LATEST, RUNS, RunDir
from sneaker_core.training.split import load_split


def runs_root(data_dir: Path) -> Path:
    return Path(data_dir) / RUNS


def run_path(data_dir: Path, run_id: str) -> Path:
    """A run's folder; refuses ids that are not a plain folder name (they come from the command line)."""
    return RunDir.for_id(data_dir, run_id).path


def list_run_ids(data_dir: Path) -> list[str]:
    """Run folders that hold a split (a run that got past preparation), oldest first by name."""
    root = runs_root(data_dir)
    return sorted(p.name for p in root.iterdir() if RunDir(p).split.is_file()) if root.is_dir() else []


def require_run(data_dir: Path, run_id: str) -> Path:
    """The folder of an existing run; a clear error naming the known runs otherwise."""
    path = run_path(data_dir, run_id)
    if run_id not in list_run_ids(data_dir):
        known = list_run_ids(data_dir)
        raise FileNotFoundError(f"no run {run_id} under {runs_root(data_dir)}; known: "
                                f"{', '.join(known[-5:]) or 'none'} (see `sneaker models list`)")
    return path


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is unreadable ({exc}); fix or remove it") from None
    if not isinstance(obj, dict):
        raise ValueError(f"{path} is not a JSON object; fix or remove it")  # noqa: TRY004 - reported as unreadable
    return obj


def read_champion(data_dir: Path) -> dict[str, Any]:
    """`runs/champion.json`, or an empty record (no champion yet)."""
    return _read_json(runs_root(data_dir) / CHAMPION) or {"run_id": None, "history": []}


def write_champion(data_dir: Path, record: dict[str, Any]) -> Path:
    return write_json(runs_root(data_dir) / CHAMPION, record)


def latest_run_id(data_dir: Path) -> str | None:
    record = _read_json(runs_root(data_dir) / LATEST)
    return record.get("run_id") if record else None


def read_promotion(data_dir: Path, run_id: str) -> dict[str, Any] | None:
    return _read_json(RunDir.for_id(data_dir, run_id).promotion)


def write_promotion(data_dir: Path, run_id: str, decision: dict[str, Any]) -> Path:
    return write_json(RunDir.for_id(data_dir, run_id).promotion, decision)


def read_drift(data_dir: Path, run_id: str) -> dict[str, Any] | None:
    return _read_json(RunDir.for_id(data_dir, run_id).drift)


def write_drift(data_dir: Path, run_id: str, drift: dict[str, Any]) -> Path:
    return write_json(RunDir.for_id(data_dir, run_id).drift, drift)


def split_ids(data_dir: Path, run_id: str) -> dict[str, set[str]]:
    """The run's product ids per split: {"train": {...}, "val": {...}, "test": {...}}."""
    split = load_split(RunDir.for_id(data_dir, run_id))
    ids = split["product_id"].astype(str)
    return {name: set(ids[split["split"] == name]) for name in ("train", "val", "test")}


def target_classes(data_dir: Path, run_id: str) -> dict[str, list[str]]:
    raw = json.loads(RunDir.for_id(data_dir, run_id).targets.read_text(encoding="utf-8"))
    return {name: list(spec["classes"]) for name, spec in raw.items()}


def target_predictions(data_dir: Path, run_id: str, target: str) -> pd.DataFrame | None:
    """The CNN's predictions of one target on the run's held-out rows: product_id, split, true, pred (indices)."""
    path = RunDir.for_id(data_dir, run_id).probs(target)
    if not path.is_file():
        return None
    frame = pd.read_parquet(path, columns=["product_id", "split", "true", "pred"])
    return frame.assign(product_id=frame["product_id"].astype(str))
