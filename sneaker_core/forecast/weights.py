"""Blend weights fit on past forecasts: the convex combinations of the methods' log forecasts on a grid,
bagged over bootstrap resamples of the judged origins."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

BLEND_STEP = 0.1  # the grid of blend weights
BAG_RESAMPLES = 25  # bootstrap resamples of the judged origins whose best blends are averaged
BAG_ROWS = 2_000  # rows judged per resample: the MdAPE of 2,000 rows is precise to a few hundredths


def ape(point, actual) -> np.ndarray:
    """Absolute percentage errors."""
    return np.abs(np.asarray(point) - np.asarray(actual)) / np.asarray(actual)


def fit_weights(points: np.ndarray, actual: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """Weights of the columns of `points` (log forecasts, one row per judged forecast of `actual`, made at
    `origin`): the mean of the grid blends with the lowest MdAPE on BAG_RESAMPLES bootstrap resamples of
    the judged origins (whole origins: one week's errors move together; at most BAG_ROWS rows each,
    seeded). Bagging keeps a blend that wins on a few origins by chance from taking all the weight (the
    single grid search on 8 origins chose blends worse than the boosted model alone on the StockX bench)."""
    grid = _simplex(points.shape[1])
    errors = ape(np.exp(points @ grid.T), actual[:, None])
    blocks = [np.flatnonzero(origin == o) for o in np.unique(origin)]
    rng = np.random.default_rng(0)
    picks = []
    for _ in range(BAG_RESAMPLES):
        rows = np.concatenate([blocks[i] for i in rng.integers(len(blocks), size=len(blocks))])
        if len(rows) > BAG_ROWS:
            rows = rng.choice(rows, BAG_ROWS, replace=False)
        picks.append(grid[int(np.argmin(np.median(errors[rows], axis=0)))])
    return np.round(np.mean(picks, axis=0), 3)


@cache
def _simplex(m: int) -> np.ndarray:
    """(combinations, m) weights on the BLEND_STEP grid that sum to 1: the single methods first, in column
    order (the caller's METHODS order), so that a tie goes to the simpler forecast."""
    n = round(1 / BLEND_STEP)
    combos = sorted((c for c in itertools.product(range(n + 1), repeat=m) if sum(c) == n),
                    key=lambda c: (-max(c), [-x for x in c]))
    return np.array(combos, dtype=float) / n
