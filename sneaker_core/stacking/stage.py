"""The stacking stage of a run: fit and score the meta-models from the run's example table and CNN outputs."""

from __future__ import annotations

from sneaker_core.atomic import write_json
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings


def stack_run(run: RunDir, settings: Settings) -> dict:
    """Stack (the candidates' competition, the dollar estimate, predictions); the results go to the run's stack
    results file.

    A run with too little validation data for the meta-models (a tiny trial run), or without both price
    targets, records why under `meta.skipped` instead.
    """
    import pandas as pd

    from sneaker_core.stacking.market_join import attach_market
    from sneaker_core.stacking.meta import fit_and_evaluate

    try:
        snapshots = (run.read_manifest("prepare") or {}).get("snapshots", [])
        meta, market = attach_market(pd.read_parquet(run.examples), settings.data_dir, snapshots)
        manifest = {**fit_and_evaluate(run, meta, settings), "market_inputs": market}
    except ValueError as exc:  # too few validation rows or classes to fit a meta-model: a named outcome
        reason = f"stacking skipped: {exc}"
        write_json(run.stack_results, {"meta": {"skipped": reason}})
        run.record("stack", [run.stack_results], skipped=reason)
        return {"skipped": reason}
    run.record("stack", [run.predictions_csv, run.predictions_parquet, run.stack_results])
    return manifest
