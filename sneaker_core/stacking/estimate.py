"""The dollar estimate: quantile gradient boosting on log price (10%, 50%, 90%); its scores are in `sneaker_core.scoring`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.stats import norm
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

QUANTILES = (0.1, 0.5, 0.9)
_Z90 = norm.ppf(0.9)  # a 10-90% interval spans 2 * 1.2816 standard deviations
# The trees are small: one OpenMP thread is barely slower alone and ten times faster on a busy machine.
TREE_THREADS = 1


class PriceEstimator:
    """Three quantile HistGradientBoosting regressors on log(price); `dollar_interval` turns their output into dollars."""

    def __init__(self, categorical: np.ndarray | None = None, learning_rate: float = 0.05, max_iter: int = 300,
                 min_samples_leaf: int = 20, seed: int = 0) -> None:
        self.params = {"learning_rate": learning_rate, "max_iter": max_iter, "min_samples_leaf": min_samples_leaf,
                       "random_state": seed, "early_stopping": False}
        self.categorical = categorical
        self.models: dict[float, HistGradientBoostingRegressor] = {}
        self.keep: np.ndarray | None = None

    def fit(self, X: np.ndarray, prices_usd: np.ndarray) -> PriceEstimator:
        """Fit on log price; columns without a single value in X (all NaN) are left out."""
        y = np.log(np.asarray(prices_usd, dtype=float))
        self.keep = ~np.all(np.isnan(X), axis=0)
        cat = None if self.categorical is None else self.categorical[self.keep]
        cat = cat if cat is not None and cat.any() else None
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            for q in QUANTILES:
                self.models[q] = HistGradientBoostingRegressor(
                    loss="quantile", quantile=q, categorical_features=cat, **self.params).fit(X[:, self.keep], y)
        return self

    def predict_log(self, X: np.ndarray) -> np.ndarray:
        """(n, 3) log-price quantiles, sorted per row so low <= median <= high."""
        if not self.models:
            raise RuntimeError("PriceEstimator.predict_log called before fit")
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            out = np.column_stack([self.models[q].predict(X[:, self.keep]) for q in QUANTILES])
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

