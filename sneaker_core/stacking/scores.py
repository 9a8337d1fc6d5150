"""Classification scores shared by the title models, the meta-models and the benchmark."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score


def class_scores(true: np.ndarray, pred: np.ndarray, n_classes: int) -> dict:
    """Accuracy, macro F1 and within-one-bin accuracy on the rows whose truth is known (>= 0)."""
    true = np.asarray(true)
    pred = np.asarray(pred)
    known = true >= 0
    t, p = true[known], pred[known]
    if t.size == 0:
        return {"accuracy": None, "macro_f1": None, "within_one": None, "n": 0}
    return {
        "accuracy": float(np.mean(t == p)),
        "macro_f1": float(f1_score(t, p, labels=list(range(n_classes)), average="macro", zero_division=0)),
        "within_one": float(np.mean(np.abs(t - p) <= 1)),
        "n": int(t.size),
    }


def majority_scores(train_true: np.ndarray, true: np.ndarray, n_classes: int) -> dict:
    """Scores of always predicting the most common training class."""
    train_true = np.asarray(train_true)
    counts = np.bincount(train_true[train_true >= 0], minlength=n_classes)
    return class_scores(true, np.full(len(true), int(counts.argmax())), n_classes)


def blend(p_a: np.ndarray, p_b: np.ndarray, weight_a: float | np.ndarray) -> np.ndarray:
    """Row-normalised weighted mean of two probability matrices (`weight_a` scalar or one per row, (n, 1))."""
    p = weight_a * p_a + (1.0 - weight_a) * p_b
    return p / p.sum(axis=1, keepdims=True)
