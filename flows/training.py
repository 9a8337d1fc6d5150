"""The run side of the weekly flow (wiring only): prepare the run, the week's drift, train the targets in lanes,
stack, judge the run as a challenger, forecast, report, then point `latest` at the finished run."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger

from flows.forecast import run_forecast
from flows.scrape import split_outcomes
from sneaker_core.rundir import RunDir
from sneaker_core.runs import run_id_for, training_inputs
from sneaker_core.settings import Settings
from sneaker_core.training.schedule import backbone_target
from tasks.artifacts import publish_metrics
from tasks.governance import publish_drift, publish_promotion
from tasks.report import report_task_for
from tasks.stack import stack_task_for
from tasks.train import prepare_task_for, train_task_for


def train_lanes(run: dict[str, Any], settings: Settings, concurrency: int) -> dict[str, dict[str, Any]]:
    """Train the run's targets (skipped ones are not submitted): the backbone target first when there is one,
    then the others from its weights in `concurrency` lanes, one target at a time per lane; {target: training
    manifest}, raising the first failure."""
    targets = list(run["targets"])
    first = backbone_target(settings, targets)
    futures = {first: train_task_for(first, run["run_id"], settings).submit(first, run, settings)} if first else {}
    backbone = futures.get(first)  # a future as a parameter: the others wait for it and get its manifest
    lanes: list = []
    for i, target in enumerate(t for t in targets if t != first):
        lane = [lanes[i - concurrency]] if i >= concurrency else []
        lanes.append(train_task_for(target, run["run_id"], settings).submit(target, run, settings, backbone,
                                                                              wait_for=lane))
        futures[target] = lanes[-1]
    return {t: futures[t].result() for t in targets}


def train_and_report(shard_list: list[dict[str, Any]], week: str, models: list[str], settings: Settings,
                     concurrency: int, latest: dict[str, Any]) -> dict[str, Any]:
    """Prepare, train, stack, judge and report one run; mark it latest (with `latest` facts); returns its
    summary."""
    log = get_run_logger()
    run_id = run_id_for(week, training_inputs(shard_list, settings))
    run = prepare_task_for(run_id, settings).submit(run_id, shard_list, settings).result()  # raises its error
    for target, why in run["skipped"].items():
        log.warning("target %s skipped: %s", target, why)
    drift = publish_drift(settings, run_id, week, models)  # warnings block promotion, not the run
    try:
        results = train_lanes(run, settings, concurrency)
    except Exception:
        run_forecast(settings, week, run_id, None)  # a failed training does not stop the forecasts
        raise
    for t, r in results.items():
        log.info("train %s: accuracy %.3f (majority %.3f) on %d test rows", t, r["accuracy"],
                 r["majority_baseline"], r["n_test"])
    stacked, stack_failed = split_outcomes(
        {"stack": stack_task_for(run_id, settings).submit(run_id, results, settings)})
    stack_result = stacked.get("stack", {"failed": stack_failed.get("stack")})
    if {"skipped", "failed"} & set(stack_result):  # the CNN results stand; the report says what is missing
        log.warning("no meta-models in this run: %s", stack_result.get("skipped") or stack_result.get("failed"))
    promotion = publish_promotion(settings, run_id)  # champion or not; shown in the report
    forecast = run_forecast(settings, week, run_id, stack_result)  # cold start: the stacking's estimate
    report = report_task_for(run_id, settings).submit(
        run_id, {"prepare": run["files"], "train": results, "stack": stack_result, "promotion": promotion,
                 "drift": drift, "forecast": forecast}, settings).result()
    log.info("report: %s", report["path"])
    metrics = publish_metrics(settings, run_id, results, run["skipped"])
    RunDir.for_id(settings.data_dir, run_id).mark_latest(latest)
    return {"run_id": run_id, "metrics": metrics, "skipped_targets": run["skipped"],
            "promoted": promotion["promoted"], "drift_warnings": drift["warnings"], "forecast": forecast}
