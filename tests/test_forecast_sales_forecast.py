"""The size level borrows the product's: the product's size-mix-adjusted level times the size's premium,
moved by the size's own recent deviation; the boosted model competes for sizes at short horizons only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sneaker_core.forecast.models import EW_MEAN, GBM, LEVEL, PERSISTENCE
from sneaker_core.forecast.sales_csv import read_sales
from sneaker_core.forecast.sales_forecast import SIZE_GBM_UP_TO, backtest_levels
from sneaker_core.forecast.sizelevel import (
    PREMIUM_HALFLIFE_WEEKS,
    PREMIUM_SALES,
    PREMIUM_WEEKS,
    weighted_median,
)
from sneaker_core.forecast.weekly import LEVEL_SALES, monday
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
    at = size.table[size.table["origin"] == o]
    assert set(at.loc[at["horizon"] == h, "method"]) == {PERSISTENCE, LEVEL, GBM}
    assert set(at.loc[at["horizon"] == 4, "method"]) == {PERSISTENCE, LEVEL}  # 4 > SIZE_GBM_UP_TO
    assert h <= SIZE_GBM_UP_TO < 4
    rows = at[(at["horizon"] == h) & (at["method"] == LEVEL)]
    assert len(rows) == 9  # 3 products x 3 sizes
    sales = read_sales(path, "stockx")
    weeks, cols = size.cube.panel.weeks, size.cube.panel.price.columns
    ratio = size.cube.x[:, :, size.cube.names.index("size_ratio")]

    def parent(t, product, sz):  # the product's last 20 sales (whole days) over their size ratios at t
        past = sales[(sales["product"] == product) & (sales["date"] < weeks[t] + pd.Timedelta(days=7))]
        past = past[past["date"] >= past["date"].sort_values().iloc[-LEVEL_SALES]]
        adjusted = np.log(past["price"]) - [ratio[t, cols.get_loc(f"{product}|{z}")] for z in past["size"]]
        return np.median(adjusted) + ratio[t, cols.get_loc(f"{product}|{sz}")]

    end = weeks[o] + pd.Timedelta(days=7)
    premiums = []
    for j, got in zip(rows["series"], rows["point"], strict=True):
        product, sz = size.cube.panel.info[["product", "size"]].iloc[j]
        own = sales[(sales["product"] == product) & (sales["size"] == sz) & (sales["date"] < end)
                    & (sales["date"] >= end - pd.Timedelta(weeks=PREMIUM_WEEKS))]
        residual = [np.log(p) - parent(int(weeks.searchsorted(monday(pd.Series([d])).iloc[0])), product, sz)
                    for d, p in zip(own["date"], own["price"], strict=True)]
        w = 0.5 ** ((end - own["date"]).dt.days.to_numpy() / 7 / PREMIUM_HALFLIFE_WEEKS)
        premium = weighted_median(np.array(residual), w) * w.sum() / (w.sum() + PREMIUM_SALES)
        assert np.isclose(got, np.exp(parent(o, product, sz) + premium), rtol=1e-9)
        assert np.isclose(size.cube.level[o, j], got, rtol=1e-9)
        premiums.append(premium)
    assert 0.005 < np.max(np.abs(premiums)) < 0.1  # the sizes' own sales move them off their parents


def test_size_level_never_reads_a_later_sale(tmp_path):
    path = tmp_path / "sales.csv"
    stockx_sales(n_products=3, weeks=20, per_week=4).to_csv(path, index=False)
    sales = read_sales(path, "stockx")
    o = 12
    _, size = backtest_levels(sales, [o], [1])
    later = sales["date"] >= size.cube.panel.weeks[o + 1]
    changed = sales.assign(price=sales["price"].where(~later, sales["price"] * 3 + 1))
    _, other = backtest_levels(changed, [o], [1])
    assert np.array_equal(size.cube.level[:o + 1], other.cube.level[:o + 1], equal_nan=True)
    assert np.array_equal(size.cube.x[:o + 1], other.cube.x[:o + 1], equal_nan=True)
    assert not np.allclose(size.cube.level[o + 1:], other.cube.level[o + 1:])  # later weeks did change
