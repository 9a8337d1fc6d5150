"""Choose what to publish: every candidate is scored by the same grouped cross-validation on the validation rows.

Each candidate is fit on the other folds' rows (the logistic regression's own grid search runs inside those
rows, so its choice of settings is part of what is scored) and predicts the held-out fold; fixed candidates (the CNN, the
title model: fit on training rows) predict every row as they are. The winner is the simplest candidate (earliest
in the given order) whose out-of-fold accuracy is within one paired standard error of the best one's: a few
hundred validation rows cannot tell apart a lead smaller than that, and the simpler candidate varies less from
one sample to the next. A candidate that cannot be fit on some fold is out of the competition with its reason. Only the rows passed in are read:
the test rows never take part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, GroupKFold

from sneaker_core.scoring import class_scores

CV_FOLDS = 3
SCORES = ("accuracy", "within_one", "macro_f1")


def full_proba(model, X: pd.DataFrame, n_classes: int) -> np.ndarray:
    """predict_proba spread over all n classes (a class the model never saw gets probability 0)."""
    out = np.zeros((len(X), n_classes))
    out[:, np.asarray(model.classes_, dtype=int)] = model.predict_proba(X)
    return out


def _fit(model, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray):
    """Fit, passing the product groups to a candidate that searches its own settings by grouped CV."""
    return model.fit(X, y, groups=groups) if isinstance(model, GridSearchCV) else model.fit(X, y)


def oof_proba(model, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, n_classes: int, folds: int) -> np.ndarray:
    """Out-of-fold class probabilities of a clone of `model` over grouped folds (no group on both sides)."""
    oof = np.zeros((len(y), n_classes))
    for a, b in GroupKFold(n_splits=folds).split(X, y, groups):
        oof[b] = full_proba(_fit(clone(model), X.iloc[a], y[a], groups[a]), X.iloc[b], n_classes)
    return oof


@dataclass
class Competition:
    """The outcome: out-of-fold scores per candidate, the ones that failed (name -> reason), the winner, its lead
    in accuracy over the best other candidate (negative when a simpler candidate within one standard error won),
    and every surviving candidate refit on all rows."""

    scores: dict[str, dict] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    selected: str = ""
    lead: float | None = None
    fitted: dict[str, object] = field(default_factory=dict)
    folds: int = 0
    rows: int = 0

    def summary(self) -> dict:
        """JSON-ready: the winner, its lead, and each candidate's CV scores (or why it failed)."""
        return {"selected": self.selected, "lead_over_next_cv_accuracy": self.lead, "cv_folds": self.folds,
                "cv_rows": self.rows,
                "candidates": {**{k: {f"cv_{s}": v[s] for s in SCORES} for k, v in self.scores.items()},
                               **{k: {"failed": reason} for k, reason in self.failed.items()}}}


def _rank(scores: dict) -> float:
    return scores["accuracy"] + 1e-3 * scores["within_one"]


def compete(candidates: Mapping[str, object], X: pd.DataFrame, y: np.ndarray, groups: np.ndarray,
            n_classes: int, folds: int = CV_FOLDS) -> Competition:
    """Score every candidate by grouped CV on (X, y), pick the best, refit the survivors on all rows."""
    y, groups = np.asarray(y), np.asarray(groups)
    folds = min(folds, len(set(groups)))
    if folds < 2:
        raise ValueError(f"{len(set(groups))} product group(s) in the validation rows; the selection needs 2")
    out = Competition(folds=folds, rows=len(y))
    hits: dict[str, np.ndarray] = {}
    for name, model in candidates.items():
        try:
            oof = oof_proba(model, X, y, groups, n_classes, folds)
            out.fitted[name] = _fit(clone(model), X, y, groups)
        except ValueError as exc:  # e.g. a fold without two classes, too few groups for an inner grid search
            out.failed[name] = f"{type(exc).__name__}: {exc}"
            continue
        out.scores[name] = class_scores(y, oof.argmax(axis=1))
        hits[name] = oof.argmax(axis=1) == y
    if not out.scores:
        raise ValueError(f"no candidate could be fit on the validation rows: {out.failed}")
    order = list(out.scores)
    best = max(order, key=lambda k: _rank(out.scores[k]))  # the first of equals
    out.selected = next(k for k in order if out.scores[best]["accuracy"] - out.scores[k]["accuracy"]
                        <= paired_se(hits[best], hits[k]))
    others = [out.scores[k]["accuracy"] for k in order if k != out.selected]
    if others:
        out.lead = out.scores[out.selected]["accuracy"] - max(others)
    return out


def paired_se(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of the difference in accuracy of two candidates scored on the same rows (hits 0/1)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return float(np.std(d, ddof=1) / np.sqrt(len(d))) if len(d) > 1 else 0.0
