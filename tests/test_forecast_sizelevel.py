"""The size level's parts: a weighted median, the product's size-mix-adjusted level and a size's own
recency-weighted premium over its parent."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sneaker_core.forecast.sizelevel import (
    PREMIUM_HALFLIFE_WEEKS,
    PREMIUM_SALES,
    PREMIUM_WEEKS,
    mix_adjusted_level,
    own_premium,
    weighted_median,
)


def test_weighted_median_is_the_first_value_reaching_half_the_weight():
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.ones(3)) == 2.0
    assert weighted_median(np.array([3.0, 1.0, 2.0]), np.array([1.0, 3.0, 1.0])) == 1.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 2.0])) == 2.0  # cum 1, 2 = half
    assert weighted_median(np.array([5.0]), np.array([0.01])) == 5.0


def test_mix_adjusted_level_divides_each_sale_by_its_size_ratio_at_the_week():
    # one product, sizes 0 (ratio 1) and 1 (ratio 1.2 in week 0, 1.1 in week 1); date-sorted sales
    day = pd.to_datetime(["2018-01-01", "2018-01-02", "2018-01-02", "2018-01-09"]).to_numpy()
    week = np.array([0, 0, 0, 1])
    series = np.array([0, 1, 0, 1])
    price = np.array([100.0, 120.0, 90.0, 121.0])
    ratio = np.log(np.array([[1.0, 1.2], [1.0, 1.1], [1.0, 1.1]]))
    got = np.exp(mix_adjusted_level(week, day, np.log(price), series, np.zeros(4, int), ratio, 1, n=2))[:, 0]
    # week 0: Tuesday's 120 / 1.2 = 100 and 90 (an even count: the median of logs is their geometric mean)
    assert math.isclose(got[0], math.sqrt(100.0 * 90.0))
    # week 1: the 2nd last sale is one of Tuesday's two, so both count; week 1's ratios adjust all three:
    # 120 / 1.1, 90, 121 / 1.1 = 110 -> 109.09 (the raw median would be 120: the size mix moved, not the price)
    assert math.isclose(got[1], 120 / 1.1)
    assert math.isclose(got[2], got[1])  # a week without sales keeps the last ones
    assert np.isnan(mix_adjusted_level(week + 1, day, np.log(price), series, np.zeros(4, int), ratio, 1, 2)[0, 0])
    early = mix_adjusted_level(week[:3], day[:3], np.log(price[:3]), series[:3], np.zeros(3, int), ratio, 1, n=3)
    assert math.isclose(np.exp(early[0, 0]), 100.0)  # 100, 120 / 1.2, 90
    assert math.isclose(np.exp(early[1, 0]), 100.0)  # 100, 120 / 1.1, 90: re-adjusted, no later sale read


def test_own_premium_is_the_shrunk_recency_weighted_median_of_recent_residuals():
    ends = (pd.date_range("2018-01-08", periods=12, freq="7D")).to_numpy()  # each week's end (next Monday)
    day = pd.to_datetime(["2018-01-03", "2018-01-13"]).to_numpy()  # weeks 0 and 1
    week = np.array([0, 1])
    residual = np.array([-0.2, 0.1])
    got = own_premium(week, day, residual, np.array([1, 1]), ends, 2)
    assert (got[:, 0] == 0).all()  # a series without sales
    w0 = 0.5 ** (5 / 7 / PREMIUM_HALFLIFE_WEEKS)  # Wednesday's sale, 5 days before week 0 ends
    assert math.isclose(got[0, 1], -0.2 * w0 / (w0 + PREMIUM_SALES))
    # week 1: the Saturday sale (2 days old) outweighs the older one: it is the median
    w = 0.5 ** (np.array([12, 2]) / 7 / PREMIUM_HALFLIFE_WEEKS)
    assert math.isclose(got[1, 1], 0.1 * w.sum() / (w.sum() + PREMIUM_SALES))
    # later weeks: the same sales, older, pull less; none after PREMIUM_WEEKS
    assert 0 < got[4, 1] < got[2, 1] < got[1, 1]
    assert got[PREMIUM_WEEKS, 1] != 0 and got[PREMIUM_WEEKS + 1, 1] == 0
