"""What the title models predict for a batch of rows, and how each row's condition settings turn it into class
probabilities and a dollar estimate with its interval.

A row meets the models in one of three conditions (`CONDITIONS`): title only, with the numbers of its image
URL, or with market columns (retail price, release date); each condition has its own settings
(`title_models.TitleModelConfig`), and a batch may mix conditions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sneaker_core.stacking.estimate import dollar_interval

WITH_IMAGE, TITLE_ONLY, WITH_MARKET = "with_image", "title_only", "with_market"
CONDITIONS = (TITLE_ONLY, WITH_IMAGE, WITH_MARKET)


@dataclass
class TitlePrediction:
    """Raw predictions for a batch of rows: the boosted log quantiles, each row's ridge log price (the market
    ridge's on rows with market columns, else the title ridge's); `with_image` / `with_market` mark the rows the
    image-aware / the market estimator predicted (never both)."""

    classifier_proba: dict[str, np.ndarray]
    regression_proba: dict[str, np.ndarray]
    log_quantiles: np.ndarray
    ridge_log: np.ndarray
    with_image: np.ndarray
    with_market: np.ndarray | None = None

    @property
    def market_rows(self) -> np.ndarray:
        return np.zeros(len(self.with_image), dtype=bool) if self.with_market is None else self.with_market

    def _per_row(self, by_condition: Mapping[str, float]) -> np.ndarray:
        """Each row's condition value (a condition no row is in need not be given)."""
        out = np.full(len(self.with_image), by_condition[TITLE_ONLY], dtype=float)
        for condition, rows in ((WITH_IMAGE, self.with_image), (WITH_MARKET, self.market_rows)):
            if rows.any():
                out[rows] = by_condition[condition]
        return out

    def proba(self, target: str, weights: Mapping[str, Mapping[str, float]]) -> np.ndarray:
        """Classifier and regression probabilities blended with each row's condition weight for `target`."""
        w = self._per_row({c: per_target[target] for c, per_target in weights.items()})
        return blend(self.classifier_proba[target], self.regression_proba[target], w[:, None])

    def quantiles(self, ridge_shares: Mapping[str, float]) -> np.ndarray:
        """The log quantiles moved (width kept) so the median blends the boosted one and the ridge prediction with
        each row's condition share."""
        shift = self._per_row(ridge_shares) * (self.ridge_log - self.log_quantiles[:, 1])
        return self.log_quantiles + shift[:, None]

    def estimate(self, margins: Mapping[str, float], ridge_shares: Mapping[str, float]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(estimate, low, high) in dollars from `quantiles`, widened in log space by each row's condition margin."""
        return dollar_interval(self.quantiles(ridge_shares), self._per_row(margins))


def blend(p_a: np.ndarray, p_b: np.ndarray, weight_a: float | np.ndarray) -> np.ndarray:
    """Row-normalised weighted mean of two probability matrices (`weight_a` scalar or one per row, (n, 1))."""
    p = weight_a * p_a + (1.0 - weight_a) * p_b
    return p / p.sum(axis=1, keepdims=True)
