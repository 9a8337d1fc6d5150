"""Champion and challenger: decide whether a finished run is served, keep `runs/champion.json` and its history.

Every finished run is a challenger. The first one is promoted; later ones only when they are not worse than the
champion on every target (see `compare.Rule`) and their week shows no drift beyond the thresholds. A refused
run is kept and marked by its `promotion.json`. `promote` / `rollback` are the manual overrides (with a reason).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sneaker_core.governance import runfiles
from sneaker_core.governance.compare import Rule, compare_target, evaluation_ids
from sneaker_core.targets import TARGETS

PROMOTED, FIRST, REFUSED, ALREADY = "promoted", "first run", "refused", "already champion"


def rule_from(settings: Any) -> Rule:
    return Rule(tolerance=settings.promotion_tolerance, confidence=settings.promotion_confidence,
                resamples=settings.promotion_resamples, min_rows=settings.promotion_min_rows, seed=settings.seed)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def compare_runs(data_dir: Path, challenger: str, champion: str, rule: Rule) -> dict[str, Any]:
    """Per-target figures of challenger vs champion on the shared evaluation rows (no files written)."""
    ids, counts = evaluation_ids(runfiles.split_ids(data_dir, challenger), runfiles.split_ids(data_dir, champion))
    a_classes, b_classes = runfiles.target_classes(data_dir, challenger), runfiles.target_classes(data_dir, champion)
    targets: dict[str, Any] = {}
    for target in TARGETS:
        a = runfiles.target_predictions(data_dir, challenger, target)
        b = runfiles.target_predictions(data_dir, champion, target)
        if a is None or b is None:
            targets[target] = {"n": 0, "verdict": "no predictions",
                               "missing": [r for r, f in ((challenger, a), (champion, b)) if f is None]}
            continue
        targets[target] = compare_target(a, b, ids, a_classes.get(target) == b_classes.get(target), rule)
    return {"evaluation_rows": len(ids), **counts, "targets": targets}


def _reasons(comparison: dict[str, Any], drift_warnings: list[str]) -> list[str]:
    reasons = [f"drift: {w}" for w in drift_warnings]
    for target, t in comparison["targets"].items():
        if t["verdict"] == "worse":
            reasons.append(f"{target}: challenger {t['challenger_accuracy']:.3f} vs champion "
                           f"{t['champion_accuracy']:.3f}, interval of the difference [{t['low']:+.3f}, "
                           f"{t['high']:+.3f}] falls below -tolerance")
        elif t["verdict"] != "not worse":
            reasons.append(f"{target}: cannot compare ({t['verdict']}, {t['n']} shared rows)")
    return reasons


def decide(data_dir: Path, run_id: str, settings: Any) -> tuple[dict[str, Any], bool]:
    """Judge run `run_id` against the champion; write its promotion.json and, if promoted, champion.json.

    Returns (decision, new). A run is judged once: a re-run of the same run id (same inputs) gets its recorded
    decision back (`new` False); later changes of champion are manual (`promote`, `rollback`).
    """
    recorded = runfiles.read_promotion(data_dir, run_id)
    if recorded is not None:
        return recorded, False
    rule = rule_from(settings)
    champion = runfiles.read_champion(data_dir)
    drift = runfiles.read_drift(data_dir, run_id) or {}
    warnings = list(drift.get("warnings", []))
    decision: dict[str, Any] = {"run_id": run_id, "decided_at": _now(), "champion_before": champion["run_id"],
                                "rule": asdict(rule), "drift_warnings": warnings}
    if champion["run_id"] == run_id:  # promoted by hand before it was judged
        decision.update(status=ALREADY, promoted=True, reasons=["this run is already the champion"])
    elif champion["run_id"] is None:
        decision.update(status=FIRST, promoted=True, reasons=["no champion yet: the first run is promoted"])
    else:
        comparison = compare_runs(data_dir, run_id, champion["run_id"], rule)
        reasons = _reasons(comparison, warnings)
        decision.update(comparison=comparison, promoted=not reasons,
                        status=REFUSED if reasons else PROMOTED,
                        reasons=reasons or ["not worse than the champion on every target; no drift warnings"])
    runfiles.write_promotion(data_dir, run_id, decision)
    if decision["promoted"] and decision["status"] != ALREADY:
        _append(data_dir, champion, run_id, "promoted", f"automatic: {decision['status']}")
    return decision, True


def _append(data_dir: Path, champion: dict[str, Any], run_id: str, action: str, reason: str) -> dict[str, Any]:
    entry = {"run_id": run_id, "action": action, "reason": reason, "at": _now(), "previous": champion["run_id"]}
    record = {"run_id": run_id, "history": [*champion["history"], entry]}
    runfiles.write_champion(data_dir, record)
    return record


def champion_stack(history: list[dict[str, Any]]) -> list[str]:
    """Champions in order, each promotion pushing and each rollback popping; the last is the current one."""
    stack: list[str] = []
    for entry in history:
        if entry["action"] == "rollback":
            stack = stack[:-1]
        else:
            stack.append(entry["run_id"])
    return stack


def promote(data_dir: Path, run_id: str, reason: str) -> dict[str, Any]:
    """Make `run_id` the champion by hand (for instance a refused run the person on call has checked)."""
    if not reason.strip():
        raise ValueError("a manual promotion needs a reason (--reason \"...\")")
    runfiles.require_run(data_dir, run_id)
    champion = runfiles.read_champion(data_dir)
    if champion["run_id"] == run_id:
        raise ValueError(f"{run_id} is already the champion")
    return _append(data_dir, champion, run_id, "manual", reason)


def rollback(data_dir: Path, reason: str) -> dict[str, Any]:
    """Serve the previous champion again; the current one is recorded as rolled back."""
    if not reason.strip():
        raise ValueError("a rollback needs a reason (--reason \"...\")")
    champion = runfiles.read_champion(data_dir)
    stack = champion_stack(champion["history"])
    if len(stack) < 2:
        raise ValueError("no previous champion to roll back to" + (f" ({stack[0]} is the first)" if stack else ""))
    record = {"run_id": stack[-2], "history": [*champion["history"], {
        "run_id": stack[-2], "action": "rollback", "reason": reason, "at": _now(), "previous": stack[-1]}]}
    runfiles.write_champion(data_dir, record)
    return record


def serving_run_dir(data_dir: Path) -> Path:
    """The run predictions are served from: the champion, else (no champion yet) the latest finished run."""
    run_id = runfiles.read_champion(data_dir)["run_id"] or runfiles.latest_run_id(data_dir)
    if not run_id:
        raise FileNotFoundError(f"no finished run under {runfiles.runs_root(data_dir)}; run `sneaker run` first")
    return runfiles.run_path(data_dir, run_id)
