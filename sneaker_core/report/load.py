"""Read what a run directory holds for its report; every missing or unreadable input becomes a reason string."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sneaker_core.csv_files import read_csv_table
from sneaker_core.rundir import RunDir
from sneaker_core.targets import TARGETS

PROBS_REQUIRED = ("product_id", "split", "true")


@dataclass
class RunInputs:
    """Everything the report reads; `missing` maps an input's relative path to why it is not usable."""

    run_dir: Path
    metrics: dict = field(default_factory=dict)
    targets: dict[str, dict] = field(default_factory=dict)
    probs: dict[str, pd.DataFrame] = field(default_factory=dict)
    predictions: pd.DataFrame | None = None
    split: pd.DataFrame | None = None
    forecast: dict | None = None  # the forecast stage's backtest.json (backtest, movers, paths, size curves)
    missing: dict[str, str] = field(default_factory=dict)

    def target_names(self) -> list[str]:
        """The four standard targets first, then any other target targets.json or metrics.json names."""
        return list(dict.fromkeys([*TARGETS, *self.targets, *self.target_metrics()]))

    def skipped(self, target: str) -> str | None:
        """Why the run skipped `target` (metrics.json says so), or None when it was trained."""
        why = self.target_metrics(target).get("skipped")
        return str(why) if why is not None else None

    def trained_names(self) -> list[str]:
        """`target_names` less the targets the run skipped."""
        return [t for t in self.target_names() if self.skipped(t) is None]

    def target_metrics(self, target: str | None = None) -> dict:
        """metrics.json's `targets` block (or one target's entry); {} where absent or malformed."""
        block = self.metrics.get("targets")
        block = block if isinstance(block, dict) else {}
        if target is None:
            return block
        entry = block.get(target)
        return entry if isinstance(entry, dict) else {}

    def classes(self, target: str) -> list[str] | None:
        spec = self.targets.get(target)
        classes = spec.get("classes") if isinstance(spec, dict) else None
        return [str(c) for c in classes] if isinstance(classes, list) else None


def inside(run_dir: Path, rel: str) -> Path | None:
    """`run_dir / rel` if it stays inside the run directory, else None (a hostile or broken path)."""
    root = Path(run_dir).resolve()
    path = (root / rel).resolve()
    return path if path.is_relative_to(root) else None


def _read(run_dir: Path, rel: str, missing: dict[str, str], reader):
    path = inside(run_dir, rel)
    if path is None:
        missing[rel] = "path points outside the run directory"
        return None
    if not path.is_file():
        missing[rel] = "file not found"
        return None
    try:
        return reader(path)
    except (OSError, ValueError, TypeError, KeyError) as exc:  # pyarrow/pandas/json errors derive from these
        missing[rel] = f"unreadable ({type(exc).__name__}: {str(exc)[:160]})"
        return None


def _json_object(path: Path) -> dict:
    obj = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(obj, dict):
        raise TypeError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


def _probs_frame(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    lacking = [c for c in PROBS_REQUIRED if c not in df.columns]
    if lacking or not any(c.startswith("p__") for c in df.columns):
        raise ValueError(f"lacks columns {lacking or ['p__<class>']}")
    df["product_id"] = df["product_id"].astype(str)
    return df


def _predictions_csv(path: Path) -> pd.DataFrame:
    return read_csv_table(path, what="predictions", required=("product_id",), text_columns=("product_id", "title"))


def _split_frame(path: Path) -> pd.DataFrame:
    df = pd.read_parquet(path)
    if not {"product_id", "split"} <= set(df.columns):
        raise ValueError("lacks product_id/split columns")
    df["product_id"] = df["product_id"].astype(str)
    return df


def load_run(folder: RunDir) -> RunInputs:
    """Read the run's metrics, target specs, CNN probabilities, predictions table, split and the forecast
    stage's backtest."""
    folder = folder.opened()
    run_dir = folder.path
    run = RunInputs(run_dir=run_dir)
    run.metrics = _read(run_dir, folder.rel(folder.metrics), run.missing, _json_object) or {}
    run.targets = _read(run_dir, folder.rel(folder.targets), run.missing, _json_object) or {}
    for target in run.trained_names():
        rel = run.target_metrics(target).get("probs_path") or folder.rel(folder.probs(target))
        frame = _read(run_dir, str(rel), run.missing, _probs_frame)
        if frame is not None:
            run.probs[target] = frame
    run.predictions = _read(run_dir, folder.rel(folder.predictions_csv), run.missing, _predictions_csv)
    run.split = _read(run_dir, folder.rel(folder.split), run.missing, _split_frame)
    run.forecast = _read(run_dir, folder.rel(folder.backtest), run.missing, _json_object)
    return run
