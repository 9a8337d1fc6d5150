"""Test-split evaluation of one target: accuracy, macro F1, majority baseline, per-class scores, confusion PNG.

Price targets also get within-one-bin accuracy and a dollar MAE that prices each predicted bin at the
median TRAINING price of that bin.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from sneaker_core.atomic import atomic_path
from sneaker_core.scoring import class_scores, majority_class
from sneaker_core.targets import MISSING, TargetSpec


def bin_prices(spec: TargetSpec, train_labels: np.ndarray, train_prices: np.ndarray) -> np.ndarray:
    """Dollar value of each bin: the median training price in it; an empty bin falls back to its
    midpoint, or its finite edge when open-ended."""
    if spec.edges is None:
        raise ValueError(f"{spec.name} has no price bins")
    out = np.empty(len(spec.classes))
    for k, (lo, hi) in enumerate(zip(spec.edges[:-1], spec.edges[1:])):
        inside = train_prices[(train_labels == k) & ~np.isnan(train_prices)]
        if inside.size:
            out[k] = float(np.median(inside))
        else:
            finite = [e for e in (lo, hi) if np.isfinite(e)]
            out[k] = float(np.mean(finite))
    return out


def plot_confusion(matrix: np.ndarray, classes: Sequence[str], title: str, path: Path) -> Path:
    """Confusion matrix (rows true, columns predicted) with counts, written atomically as PNG."""
    n = len(classes)
    side = max(4.0, 0.42 * n + 2.0)
    fig, ax = plt.subplots(figsize=(side, side))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(n), classes, rotation=90, fontsize=7)
    ax.set_yticks(range(n), classes, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    top = matrix.max() if matrix.size else 0
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                color = "white" if matrix[i, j] > top / 2 else "black"
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=6, color=color)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    return Path(path)


def evaluate(
    y_true: Sequence[int],
    probs: np.ndarray,
    spec: TargetSpec,
    train_labels: Sequence[int],
    *,
    true_prices: Sequence[float] | None = None,
    train_prices: Sequence[float] | None = None,
    confusion_png: Path | None = None,
) -> dict:
    """Metrics for labelled test rows (`y_true` >= 0; rows with MISSING are counted, not scored).

    `train_labels` (MISSING allowed) give the majority class; price targets also need `true_prices`
    (aligned with `y_true`) and `train_prices` (aligned with `train_labels`) for the dollar MAE.
    """
    y_all = np.asarray(y_true, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (len(y_all), len(spec.classes)):
        raise ValueError(f"probs shape {probs.shape} != ({len(y_all)}, {len(spec.classes)}) for {spec.name}")
    keep = y_all != MISSING
    y, p = y_all[keep], probs[keep]
    if y.size == 0:
        raise ValueError(f"no labelled test rows to evaluate {spec.name}")
    pred = p.argmax(axis=1)
    train = np.asarray(train_labels, dtype=np.int64)
    if not (train != MISSING).any():
        raise ValueError(f"no labelled training rows for the {spec.name} majority baseline")
    majority = majority_class(train)
    scores = class_scores(y, pred)
    labels = list(range(len(spec.classes)))
    prec, rec, f1, support = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y, pred, labels=labels)
    out: dict = {
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "majority_baseline": float(np.mean(y == majority)),
        "majority_class": spec.classes[majority],
        "n_test": int(y.size),
        "n_test_unlabelled": int((~keep).sum()),
        "per_class": {
            c: {"precision": float(prec[k]), "recall": float(rec[k]), "f1": float(f1[k]), "support": int(support[k])}
            for k, c in enumerate(spec.classes)
        },
        "confusion": matrix.tolist(),
    }
    if spec.edges is not None:
        if true_prices is None or train_prices is None:
            raise ValueError(f"{spec.name} is a price target: true_prices and train_prices are required")
        tp = np.asarray(true_prices, dtype=np.float64)[keep]
        medians = bin_prices(spec, np.asarray(train_labels, dtype=np.int64),
                             np.asarray(train_prices, dtype=np.float64))
        out["within_one_bin"] = scores["within_one"]
        out["dollar_mae_bin_median"] = float(np.mean(np.abs(medians[pred] - tp)))
        out["bin_median_prices"] = dict(zip(spec.classes, medians.round(2).tolist()))
    if confusion_png is not None:
        plot_confusion(matrix, spec.classes, f"{spec.name} (test, n={y.size})", Path(confusion_png))
    return out
