"""Size curves: the price of size s relative to its product, per model, shrunk toward the brand's and the
overall curve where a model has few sales (empirical Bayes: each level's spread around its parent is
estimated by moments, and a group with n sales keeps n / (n + sigma^2 / tau^2) of its own deviation).

Learned from a long table with columns product, model, brand, size, price (one row per sale or ask).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_TAU2 = 1e-6  # keeps the prior strength finite where a level shows no spread at all


@dataclass(frozen=True)
class SizeCurve:
    """Log price ratios (size / product median): `overall` by size, `brand`, `model` and `own` (the
    product-size, shrunk toward its model's curve) indexed by (group, size)."""

    overall: pd.Series
    brand: pd.Series
    model: pd.Series
    own: pd.Series

    def log_ratio(self, product: str, model: str, brand: str, size: str) -> float:
        """The most specific estimate there is: the product-size's own, its model's, its brand's, overall, 0."""
        for table, key in ((self.own, (product, size)), (self.model, (model, size)),
                           (self.brand, (brand, size))):
            if key in table.index:
                return float(table[key])
        return float(self.overall.get(size, 0.0))

    def log_ratios(self, info: pd.DataFrame) -> np.ndarray:
        """`log_ratio` for each row of a frame with columns product, model, brand, size."""
        return np.array([self.log_ratio(r.product, r.model, r.brand, r.size) for r in info.itertuples()])


def fit_size_curve(sales: pd.DataFrame) -> SizeCurve:
    """Fit the curves; sizes are labels (strings), so `8.5` and `8.5W` are different sizes."""
    df = sales[["product", "model", "brand", "size", "price"]].copy()
    df = df[df["size"] != ""]
    df["r"] = np.log(df["price"]) - np.log(df.groupby("product")["price"].transform("median"))
    cells = df.groupby(["product", "size"]).agg(model=("model", "first"), brand=("brand", "first"),
                                                r=("r", "mean"), n=("r", "size")).reset_index()
    sigma2 = float(np.nanmean((df["r"] - df.groupby(["product", "size"])["r"].transform("mean")) ** 2)) \
        if len(df) else 0.0
    overall = _weighted(cells, ["size"])
    brand = _shrunk(_weighted(cells, ["brand", "size"]), overall, "size", sigma2)
    model_raw = _weighted(cells, ["model", "size"])
    parent = cells.groupby(["model", "size"])["brand"].first()
    model = _shrunk(model_raw, brand.reindex(list(zip(parent.values, parent.index.get_level_values(1),
                                                      strict=True))).to_numpy(), None, sigma2)
    own_prior = model.reindex(list(zip(cells["model"], cells["size"], strict=True))).to_numpy()
    own_frame = cells.set_index(["product", "size"])[["r", "n"]]
    own = _shrunk(own_frame, own_prior, None, sigma2)
    return SizeCurve(overall["r"], brand, model, own)


def _weighted(cells: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sale-weighted mean log ratio and sale count per group."""
    g = cells.assign(rn=cells["r"] * cells["n"]).groupby(by)[["rn", "n"]].sum()
    return pd.DataFrame({"r": g["rn"] / g["n"], "n": g["n"]})


def _shrunk(groups: pd.DataFrame, prior, prior_on: str | None, sigma2: float) -> pd.Series:
    """Pull each group's mean toward its prior by n / (n + sigma2 / tau2)."""
    if prior_on is not None:  # prior is a Series indexed by one level of the groups' index
        prior = prior["r"].reindex(groups.index.get_level_values(prior_on)).to_numpy()
    prior = np.asarray(prior, dtype=float)
    dev = groups["r"].to_numpy() - prior
    n = groups["n"].to_numpy(dtype=float)
    tau2 = max(float(np.mean(dev**2) - np.mean(sigma2 / n)), MIN_TAU2) if len(n) else MIN_TAU2
    weight = n / (n + sigma2 / tau2)
    return pd.Series(prior + weight * dev, index=groups.index)
