"""The size level borrows the product's level: a size's level is its own last price, shrunk toward the
product's level times the size's premium; the boosted model competes for sizes at short horizons only."""

from __future__ import annotations

import numpy as np

from sneaker_core.forecast.models import EW_MEAN, GBM, LEVEL, PERSISTENCE
from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import SHRINK_SALES, SIZE_GBM_UP_TO, backtest_levels
from tests.forecast_fixtures import stockx_sales


def test_size_level_is_its_last_price_shrunk_toward_the_product_level(tmp_path):
    path = tmp_path / "sales.csv"
    stockx_sales(n_products=3, weeks=20, per_week=4).to_csv(path, index=False)
    product, size = backtest_levels(read_sales(path, "stockx"), [18], [2, 4])
    o, h = 18, 2
    # sales give a level: it is a method (the product's median of its last sales) and the EW mean is not
    at = product.table[(product.table["origin"] == o) & (product.table["horizon"] == h)]
    assert {PERSISTENCE, LEVEL} <= set(at["method"]) and EW_MEAN not in set(at["method"])
    lv = at[at["method"] == LEVEL]
    assert np.allclose(lv["point"], product.cube.level[o, lv["series"].to_numpy()])
    pcols = list(product.cube.panel.price.columns)
    at = size.table[size.table["origin"] == o]
    assert set(at.loc[at["horizon"] == h, "method"]) == {PERSISTENCE, LEVEL, GBM}
    assert set(at.loc[at["horizon"] == 4, "method"]) == {PERSISTENCE, LEVEL}  # 4 > SIZE_GBM_UP_TO
    assert h <= SIZE_GBM_UP_TO < 4
    rows = at[(at["horizon"] == h) & (at["method"] == LEVEL)]
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
        assert np.isclose(got, level, rtol=1e-9)
        shares.append(own)
    assert 0.3 < min(shares) < max(shares) < 1  # thin sizes lean on the product more
