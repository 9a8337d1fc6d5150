"""The dollar estimate: quantile gradient boosting on log price (10%, 50%, 90%); its scores are in `sneaker_core.scoring`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

QUANTILES = (0.1, 0.5, 0.9)
_Z90 = norm.ppf(0.9)  # a 10-90% interval spans 2 * 1.2816 standard deviations
# The trees are small: one OpenMP thread is barely slower alone and ten times faster on a busy machine.
TREE_THREADS = 1


class PriceEstimator(BaseEstimator):
    """Three quantile HistGradientBoosting regressors on log(price); `dollar_interval` turns their output into dollars.

    `categorical` marks the columns of X that are label codes (one bool per column, or None). An `offset` (log
    dollars per row, e.g. the log retail price) makes the trees learn log(price) - offset, the premium over it,
    which piecewise-constant trees fit far better than a price they would have to rebuild from the retail price.
    """

    def __init__(self, categorical: np.ndarray | None = None, learning_rate: float = 0.05, max_iter: int = 300,
                 min_samples_leaf: int = 20, seed: int = 0) -> None:
        self.categorical = categorical
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.min_samples_leaf = min_samples_leaf
        self.seed = seed

    def fit(self, X: np.ndarray, prices_usd: np.ndarray, offset: np.ndarray | None = None) -> PriceEstimator:
        """Fit on log price (minus `offset`); columns without a single value in X (all NaN) are left out."""
        X = np.asarray(X, dtype=float)
        y = np.log(np.asarray(prices_usd, dtype=float)) - (0.0 if offset is None else np.asarray(offset, dtype=float))
        self.keep_ = ~np.all(np.isnan(X), axis=0)
        cat = None if self.categorical is None else np.asarray(self.categorical, dtype=bool)[self.keep_]
        cat = cat if cat is not None and cat.any() else None
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            self.models_ = {q: HistGradientBoostingRegressor(
                loss="quantile", quantile=q, categorical_features=cat, learning_rate=self.learning_rate,
                max_iter=self.max_iter, min_samples_leaf=self.min_samples_leaf, random_state=self.seed,
                early_stopping=False).fit(X[:, self.keep_], y) for q in QUANTILES}
        return self

    def predict_log(self, X: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
        """(n, 3) log-price quantiles (the `offset` the estimator was fit with added back), sorted per row so
        low <= median <= high."""
        check_is_fitted(self, "models_")
        X = np.asarray(X, dtype=float)
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            out = np.column_stack([self.models_[q].predict(X[:, self.keep_]) for q in QUANTILES])
        if offset is not None:
            out += np.asarray(offset, dtype=float)[:, None]
        return np.sort(out, axis=1)


def dollar_interval(log_quantiles: np.ndarray, margin: float | np.ndarray = 0.0
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, low, high) in dollars from (n, 3) log quantiles, the interval widened in log space by `margin`
    (one number, or one per row)."""
    q = log_quantiles
    return np.exp(q[:, 1]), np.exp(q[:, 0] - margin), np.exp(q[:, 2] + margin)


def bin_probabilities(log_quantiles: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    """Probability of each price bin, reading the 10/50/90% log quantiles as a normal distribution."""
    lo, mid, hi = log_quantiles[:, 0], log_quantiles[:, 1], log_quantiles[:, 2]
    sigma = np.maximum((hi - lo) / (2 * _Z90), 0.05)
    logs = np.array([np.log(e) if e > 0 and not math.isinf(e) else (math.inf if e > 0 else -math.inf)
                     for e in edges])
    cdf = norm.cdf((logs[None, :] - mid[:, None]) / sigma[:, None])
    probs = np.clip(np.diff(cdf, axis=1), 1e-9, None)
    return probs / probs.sum(axis=1, keepdims=True)

