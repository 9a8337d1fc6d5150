"""Headline classification scores, one definition for the CNNs, the meta-models, the title models and the benches."""

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
