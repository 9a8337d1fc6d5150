"""The stacking stage of a run: collect the CNN metrics, then fit and score the meta-models."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sneaker_core.atomic import write_json
from sneaker_core.settings import Settings


def stack_run(run_dir: Path, shard_paths: Sequence[Path], settings: Settings) -> dict:
    """Write `metrics.json` from the per-target CNN metrics, then stack (meta A/B, dollar estimate, predictions).

    The CNN metrics are merged first, so a run whose stacking fails still has its metrics.json. A run with too
    little validation data for the meta-models (a tiny trial run) records why under `meta.skipped` instead.
    """
    from sneaker_core.shards.reader import read_metadata
    from sneaker_core.stacking.market_join import attach_market
    from sneaker_core.stacking.meta import fit_and_evaluate
    from sneaker_core.training.runinfo import merge_metrics

    merged = merge_metrics(Path(run_dir))
    try:
        meta, market = attach_market(read_metadata(shard_paths), settings.data_dir)
        return {**fit_and_evaluate(Path(run_dir), meta, settings), "market_inputs": market}
    except ValueError as exc:  # too few validation rows or classes to fit a meta-model: a named outcome
        reason = f"stacking skipped: {exc}"
        write_json(Path(run_dir) / "metrics.json", {**merged, "meta": {"skipped": reason}})
        return {"skipped": reason}
