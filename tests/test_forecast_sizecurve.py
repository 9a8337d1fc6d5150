"""Size curves: exact ratios where data agree, shrinkage where a cell is thin, fallbacks where it is absent."""

from __future__ import annotations

import math

import pandas as pd

from sneaker_core.forecast.sizecurve import fit_size_curve


def _sales(rows):
    return pd.DataFrame(rows, columns=["product", "model", "brand", "size", "price"])


def test_noise_free_sales_give_exact_ratios_and_fallbacks():
    rows = []
    for p in ("a", "b"):
        rows += [(p, "m1", "B", "9", 100.0)] * 3 + [(p, "m1", "B", "10", 110.0)] * 2
    curve = fit_size_curve(_sales(rows))
    # product median is 100 (3 of 5 sales at 100): size 10 sells at 1.1x
    assert math.isclose(curve.log_ratio("a", "m1", "B", "10"), math.log(1.1))
    assert math.isclose(curve.log_ratio("a", "m1", "B", "9"), 0.0, abs_tol=1e-12)
    assert math.isclose(curve.log_ratio("new", "m1", "B", "10"), math.log(1.1))  # the model's curve
    assert math.isclose(curve.log_ratio("new", "other", "B", "10"), math.log(1.1))  # the brand's
    assert math.isclose(curve.log_ratio("new", "other", "X", "10"), math.log(1.1))  # overall
    assert curve.log_ratio("new", "other", "X", "15") == 0.0  # a size never seen: the product's price


def test_a_thin_cell_is_shrunk_toward_its_model():
    rows = []
    for p in "abcdfghijklm":  # twelve products agree that size 10 is ~10 % dearer; sales vary +-20 %
        for i in range(20):
            rows += [(p, "m1", "B", "9", 100.0 + 10 * (i % 5)), (p, "m1", "B", "10", 110.0 + 11 * (i % 5))]
    rows += [("e", "m1", "B", "9", 100.0)] * 20 + [("e", "m1", "B", "10", 150.0)]  # one odd sale of size 10
    curve = fit_size_curve(_sales(rows))
    own = math.log(150.0 / 100.0)
    model = curve.log_ratio("new", "m1", "B", "10")
    shrunk = curve.log_ratio("e", "m1", "B", "10")
    assert model < shrunk < own
    assert shrunk - model < 0.5 * (own - model)  # one sale moves it less than half way
    assert abs(curve.log_ratio("a", "m1", "B", "10") - model) < 0.01  # a well-sold cell agrees with its model
