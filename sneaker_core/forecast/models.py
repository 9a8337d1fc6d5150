"""The candidate forecasters: persistence, the robust level where the panel has one (median of the last
sales; for a size, its product's size-mix-adjusted level times its premium) else the exponentially weighted
mean, and a global gradient-boosted quantile model (10 / 50 / 90 %) of log(price[t + h] / level) on the lag
features of all series."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

PERSISTENCE = "persistence"
EW_MEAN = "ew_mean"
GBM = "gbm"
LEVEL = "level"
BLEND = "blend"  # a convex combination of the methods' log forecasts, see backtest.choose
# Tie-break order of the backtest's choice: the simpler method wins a tie.
METHODS = (PERSISTENCE, LEVEL, EW_MEAN, GBM)
QUANTILES = (0.1, 0.5, 0.9)
MIN_TRAIN_ROWS = 200  # below this the model is not fit and the baselines compete alone
# One OpenMP thread: the fits are small, and spinning threads on a shared machine cost 20x (measured).
THREADS = 1
GBM_PARAMS = {"max_iter": 100, "learning_rate": 0.06, "max_leaf_nodes": 15, "min_samples_leaf": 40,
              "l2_regularization": 1.0}


class QuantileGBM:
    """Three HistGradientBoostingRegressor(loss='quantile') models sharing one training set."""

    def __init__(self, seed: int = 0, max_rows: int = 25_000):
        self.seed = seed
        self.max_rows = max_rows
        self.models: list[HistGradientBoostingRegressor] = []
        self.keep: np.ndarray | None = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> QuantileGBM | None:
        """Fit on at most `max_rows` rows (a seeded sample); None when there are too few rows to learn from."""
        if len(y) < MIN_TRAIN_ROWS:
            return None
        if len(y) > self.max_rows:
            pick = np.random.default_rng(self.seed).choice(len(y), self.max_rows, replace=False)
            x, y = x[pick], y[pick]
        self.keep = ~np.isnan(x).all(axis=0)  # a feature never observed (all NaN) breaks sklearn's binning
        with threadpool_limits(THREADS):
            self.models = [HistGradientBoostingRegressor(loss="quantile", quantile=q, random_state=self.seed,
                                                         **GBM_PARAMS).fit(x[:, self.keep], y) for q in QUANTILES]
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(rows, 3) predicted log ratios, sorted so low <= median <= high."""
        with threadpool_limits(THREADS):
            return np.sort(np.column_stack([m.predict(x[:, self.keep]) for m in self.models]), axis=1)
