"""The size level: the product's size-mix-adjusted level times the size's premium, moved by the size's own
recent deviation from it.

Much of a product's week-to-week change is which sizes its last sales happened to be in. Dividing each sale
by its size's curve ratio (as known at the week) before taking the median of the product's last sales
removes that; a size's forecast is then that level times its ratio (the parent), times the recency-weighted
median of its own sales' deviations from their parent at the time (a sale's weight halves every
PREMIUM_HALFLIFE_WEEKS), shrunk by w / (w + PREMIUM_SALES) where w is the sum of those weights.

On the StockX weeks before the forecast bench's (target weeks 2018-05-07..10-15) as a forecast of a size's
weekly median 1/2/4/8 weeks ahead it erred 3.19/3.96/4.86/6.43 % (MdAPE) where the size's own last price
shrunk toward the unadjusted product level erred 3.35/4.14/5.08/6.38 and persistence 3.66/4.44/5.39/6.68.
"""

from __future__ import annotations

import numpy as np

from sneaker_core.forecast.weekly import last_sales

PREMIUM_HALFLIFE_WEEKS = 1.0  # 2 weeks erred less at 4 weeks (4.82 %) but more at 1 week (3.33 %)
PREMIUM_SALES = 2.0  # a size with 2 sales' worth of recent weight keeps half of its own deviation
PREMIUM_WEEKS = 8  # own sales older than this carry under 0.4 % of the weight and are left out


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the cumulative weight (values sorted) reaches half the total."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(np.asarray(weights, dtype=float)[order])
    return float(np.asarray(values, dtype=float)[order][np.searchsorted(cum, 0.5 * cum[-1])])


def mix_adjusted_level(week: np.ndarray, day: np.ndarray, log_price: np.ndarray, series: np.ndarray,
                       group: np.ndarray, ratio: np.ndarray, n_groups: int, n: int) -> np.ndarray:
    """(weeks, groups) log level: per week t, the median of each group's (product's) last `n` sales (whole
    days, see `last_sales`), each divided by its series' ratio at t (`ratio`: (weeks, series) logs).
    Sales are date-sorted rows: week index, day, log price, series column, group column. NaN before a
    group's first sale."""
    out = np.full((ratio.shape[0], n_groups), np.nan)
    for g in np.unique(group):
        idx = np.flatnonzero(group == g)
        starts, ends = last_sales(week[idx], day[idx], ratio.shape[0], n)
        for t in np.flatnonzero(ends > 0):
            rows = idx[starts[t]:ends[t]]
            out[t, g] = np.median(log_price[rows] - ratio[t, series[rows]])
    return out


def own_premium(week: np.ndarray, day: np.ndarray, residual: np.ndarray, series: np.ndarray,
                week_ends: np.ndarray, n_series: int) -> np.ndarray:
    """(weeks, series) log premium over the parent: the recency-weighted median of each series' residuals
    (sales up to the end of week t, from the last PREMIUM_WEEKS weeks; weight 0.5 ** (age / half-life), age
    from `week_ends[t]`), shrunk toward 0 by w / (w + PREMIUM_SALES); 0 without a recent sale."""
    out = np.zeros((len(week_ends), n_series))
    for s in np.unique(series):
        idx = np.flatnonzero(series == s)
        for t in range(week[idx[0]], min(week[idx[-1]] + PREMIUM_WEEKS, len(week_ends))):
            rows = idx[(week[idx] <= t) & (week[idx] > t - PREMIUM_WEEKS)]
            if len(rows):
                w = 0.5 ** ((week_ends[t] - day[rows]) / np.timedelta64(7, "D") / PREMIUM_HALFLIFE_WEEKS)
                out[t, s] = weighted_median(residual[rows], w) * w.sum() / (w.sum() + PREMIUM_SALES)
    return out
