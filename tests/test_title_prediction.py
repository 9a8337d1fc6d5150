"""A title prediction under per-condition settings: probability blends and the ridge share of the median."""

from __future__ import annotations

import numpy as np

from sneaker_core.stacking.title_prediction import TITLE_ONLY, WITH_IMAGE, WITH_MARKET, TitlePrediction, blend


def test_blend_takes_one_weight_per_row():
    a, b = np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 1.0], [0.0, 1.0]])
    assert np.allclose(blend(a, b, np.array([[1.0], [0.25]])), [[1.0, 0.0], [0.25, 0.75]])


def test_each_row_moves_its_median_by_its_own_conditions_ridge_share():
    logq = np.tile([4.0, 5.0, 6.0], (3, 1))
    pred = TitlePrediction({}, {}, logq, np.array([6.0, 6.0, 6.0]), with_image=np.array([False, True, False]),
                           with_market=np.array([False, False, True]))
    shares = {TITLE_ONLY: 0.0, WITH_IMAGE: 0.5, WITH_MARKET: 1.0}
    assert np.allclose(pred.quantiles(shares), [[4.0, 5.0, 6.0], [4.5, 5.5, 6.5], [5.0, 6.0, 7.0]])
    estimate, low, high = pred.estimate({TITLE_ONLY: 0.0, WITH_IMAGE: 0.0, WITH_MARKET: 0.5}, shares)
    assert np.allclose(np.log(estimate), [5.0, 5.5, 6.0])
    assert np.allclose(np.log(low), [4.0, 4.5, 4.5]) and np.allclose(np.log(high), [6.0, 6.5, 7.5])
    assert np.array_equal(pred.log_quantiles, logq)  # the raw prediction is not changed
