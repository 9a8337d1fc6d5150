"""Headline scores, one definition for the CNNs, the meta-models, the title models, the report and the benches:
class scores (accuracy, macro F1, within one bin) and price scores (MdAPE, MAE, 10-90 % interval coverage)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score


def class_scores(true: np.ndarray, pred: np.ndarray) -> dict:
    """Accuracy, macro F1 (over the classes present in the truth or the predictions) and within-one-bin accuracy
    on the rows whose truth is known (>= 0)."""
    true = np.asarray(true)
    pred = np.asarray(pred)
    known = true >= 0
    t, p = true[known], pred[known]
    if t.size == 0:
        return {"accuracy": None, "macro_f1": None, "within_one": None, "n": 0}
    return {
        "accuracy": float(np.mean(t == p)),
        "macro_f1": float(f1_score(t, p, average="macro", zero_division=0)),
        "within_one": float(np.mean(np.abs(t - p) <= 1)),
        "n": int(t.size),
    }


def majority_class(train_true: np.ndarray) -> int:
    """The most common known (>= 0) training class."""
    train_true = np.asarray(train_true)
    return int(np.bincount(train_true[train_true >= 0]).argmax())


def majority_scores(train_true: np.ndarray, true: np.ndarray) -> dict:
    """Scores of always predicting the most common training class."""
    return class_scores(true, np.full(len(true), majority_class(train_true)))


def price_metrics(true_usd: np.ndarray, estimate: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict:
    """Median absolute percentage error, mean absolute error (dollars) and the share of truths inside [low, high]
    (over the rows that have an interval; None when none has)."""
    t = np.asarray(true_usd, dtype=float)
    if t.size == 0:
        return {"mdape": None, "mae": None, "coverage_10_90": None, "n": 0}
    est, lo, hi = (np.asarray(a, dtype=float) for a in (estimate, low, high))
    has_interval = ~(np.isnan(lo) | np.isnan(hi))
    inside = (t >= lo) & (t <= hi)
    return {
        "mdape": float(np.median(np.abs(est - t) / t)),
        "mae": float(np.mean(np.abs(est - t))),
        "coverage_10_90": float(np.mean(inside[has_interval])) if has_interval.any() else None,
        "n": int(t.size),
    }
