"""The size level borrows the product's forecast: its size-curve forecast applies the product's forecast
change to the size's own last price, shrunk toward the product's level times the size's premium."""

from __future__ import annotations

import numpy as np

from sneaker_core.forecast.backtest import choose, chosen_forecasts
from sneaker_core.forecast.models import EW_MEAN, LEVEL, PERSISTENCE, SIZE_CURVE
from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import SHRINK_SALES, backtest_levels
from tests.forecast_fixtures import stockx_sales


def test_size_curve_is_the_product_change_on_the_shrunk_size_level(tmp_path):
    path = tmp_path / "sales.csv"
    stockx_sales(n_products=3, weeks=20, per_week=4).to_csv(path, index=False)
    product, size = backtest_levels(read_sales(path, "stockx"), [18], [2])
    o, h = 18, 2
    # sales give a level: it is a method (the product's median of its last sales) and the EW mean is not
    at = product.table[(product.table["origin"] == o) & (product.table["horizon"] == h)]
    assert {PERSISTENCE, LEVEL} <= set(at["method"]) and EW_MEAN not in set(at["method"])
    lv = at[at["method"] == LEVEL]
    assert np.allclose(lv["point"], product.cube.level[o, lv["series"].to_numpy()])
    chosen = chosen_forecasts(product.table, o, choose(product.table, o, [h]))
    product_point = dict(zip(chosen["series"], chosen["point"], strict=True))
    pcols = list(product.cube.panel.price.columns)
    rows = size.table[(size.table["origin"] == o) & (size.table["horizon"] == h)
                      & (size.table["method"] == SIZE_CURVE)]
    assert len(rows) == 9  # 3 products x 3 sizes
    shares = []
    for j, got in zip(rows["series"], rows["point"], strict=True):
        p = pcols.index(size.cube.panel.info["product"].iloc[j])
        n = size.cube.panel.count.iloc[o - 3:o + 1, j].sum()
        own = n / (n + SHRINK_SALES)
        ratio = size.cube.x[o, j, size.cube.names.index("size_ratio")]
        p_level = product.cube.level[o, p]
        level = size.cube.last[o, j] ** own * (p_level * np.exp(ratio)) ** (1 - own)
        assert np.isclose(size.cube.level[o, j], level, rtol=1e-9)
        assert np.isclose(got, level * product_point[p] / p_level, rtol=1e-9)
        shares.append(own)
    assert 0.3 < min(shares) < max(shares) < 1  # thin sizes lean on the product more
