"""`metrics.json`, assembled once from the stages' own results: the split summary, each trained target's
metrics (or why it was skipped), and the stacking stage's results (or why it was skipped)."""

from __future__ import annotations

import json

from sneaker_core.atomic import write_json
from sneaker_core.rundir import RunDir
from sneaker_core.targets import TARGETS


def _json(path) -> dict:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


def assemble_metrics(run: RunDir) -> dict:
    """Write the run's metrics.json from split.json, metrics/<target>.json, the prepare manifest's skipped
    targets and stack.json; returns it. Targets that have not written metrics are absent."""
    split_info = _json(run.split_info)
    counts = split_info.get("counts") or {}
    skipped = (run.read_manifest("prepare") or {}).get("skipped") or {}
    targets: dict = {t: {"skipped": why} for t, why in skipped.items()}
    for target in TARGETS:
        if run.target_metrics(target).is_file():
            targets[target] = _json(run.target_metrics(target))
    metrics = {
        "targets": {t: targets[t] for t in TARGETS if t in targets},
        "data": {
            "n_train": counts.get("train"), "n_val": counts.get("val"), "n_test": counts.get("test"),
            "split_digest": split_info.get("digest"), "split_fractions": split_info.get("fractions"),
            "split_seed": split_info.get("seed"), "dropped": split_info.get("dropped", {}),
        },
        **_json(run.stack_results),
    }
    write_json(run.metrics, metrics)
    return metrics
