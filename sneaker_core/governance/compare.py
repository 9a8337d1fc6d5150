"""Champion vs challenger on the same rows: which products may be scored, and a paired bootstrap per target.

The evaluation rows are the challenger's test products that were in neither run's training or validation
split (by product id). Both runs' CNN predictions on those rows come from their own `probs/<target>.parquet`,
which holds every held-out (validation and test) product of that run: since the split is a stable hash of the
product group, a product that is test for the challenger is test for the champion too when both runs saw it.
Products new since the champion's run have no champion prediction and are counted, not scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sneaker_core.targets import MISSING


@dataclass(frozen=True)
class Rule:
    """The promotion rule: challenger minus champion accuracy, lower end of a two-sided `confidence` paired
    bootstrap interval, must be at least `-tolerance` on every target with at least `min_rows` shared rows."""

    tolerance: float
    confidence: float
    resamples: int
    min_rows: int
    seed: int = 0


def evaluation_ids(challenger: dict[str, set[str]], champion: dict[str, set[str]]) -> tuple[set[str], dict]:
    """The challenger's test products minus anything either run trained or validated on; counts of exclusions."""
    seen_by_champion = champion["train"] | champion["val"]
    seen_by_challenger = challenger["train"] | challenger["val"]
    test = challenger["test"]
    rows = test - seen_by_champion - seen_by_challenger
    return rows, {"challenger_test": len(test), "in_champion_train_or_val": len(test & seen_by_champion)}


def paired_interval(a_correct: np.ndarray, b_correct: np.ndarray, rule: Rule) -> dict[str, float]:
    """Mean of a - b (per-row correctness, 0/1) and its percentile bootstrap interval, rows resampled in pairs."""
    d = np.asarray(a_correct, dtype=float) - np.asarray(b_correct, dtype=float)
    rng = np.random.default_rng(rule.seed)
    means = np.empty(rule.resamples)
    step = max(1, 2_000_000 // max(len(d), 1))  # bound the index matrix to ~16 MB
    for start in range(0, rule.resamples, step):
        stop = min(start + step, rule.resamples)
        means[start:stop] = d[rng.integers(0, len(d), (stop - start, len(d)))].mean(axis=1)
    alpha = (1.0 - rule.confidence) / 2
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return {"difference": float(d.mean()), "low": float(low), "high": float(high)}


def compare_target(challenger: pd.DataFrame, champion: pd.DataFrame, ids: set[str], same_classes: bool,
                   rule: Rule) -> dict:
    """Both runs' accuracy on the shared evaluation rows of one target, the paired interval and the verdict.

    With identical classes both runs are scored against the challenger's (newer) labels; a target whose
    classes differ (price deciles are refit on each run's training prices) is scored against each run's own.
    """
    a = challenger[challenger["product_id"].isin(ids)]
    b = champion[champion["product_id"].isin(ids)]
    pair = a.merge(b, on="product_id", suffixes=("_a", "_b"), validate="one_to_one")
    truth_b = pair["true_a"] if same_classes else pair["true_b"]
    labelled = (pair["true_a"] != MISSING) & (truth_b != MISSING)
    pair, truth_b = pair[labelled], truth_b[labelled]
    out: dict = {"n": len(pair), "not_predicted_by_champion": len(set(a["product_id"]) - set(b["product_id"])),
                 "truth": "challenger labels" if same_classes else "each run's own labels"}
    if len(pair) < rule.min_rows:
        return {**out, "verdict": "too few rows"}
    a_ok = (pair["pred_a"] == pair["true_a"]).to_numpy()
    b_ok = (pair["pred_b"] == truth_b).to_numpy()
    stats = paired_interval(a_ok, b_ok, rule)
    verdict = "not worse" if stats["low"] >= -rule.tolerance else "worse"
    return {**out, "challenger_accuracy": float(a_ok.mean()), "champion_accuracy": float(b_ok.mean()), **stats,
            "verdict": verdict}
