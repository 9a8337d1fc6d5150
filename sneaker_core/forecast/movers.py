"""The biggest movers: products whose forecast 4 weeks ahead moves 5 % or more from their last observed price
(the alert threshold resellers use), with the recent price path of the top ones for the report's fan charts.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sneaker_core.forecast.sizecurve import fit_size_curve

MOVE_ALERT = 0.05  # a 5 % move is the threshold resellers set price alerts at
MOVER_HORIZON = 4
PATH_WEEKS = 26  # weeks of history drawn before the forecast fan
TOP_PATHS = 6
MAX_MOVERS = 50


def movers(forecasts: pd.DataFrame, history: pd.DataFrame) -> list[dict[str, Any]]:
    """Products (size "") whose MOVER_HORIZON forecast moves MOVE_ALERT or more from their last price in
    `history` (weeks up to the origin only), biggest move first; cold starts have no last price to move from."""
    f = forecasts[(forecasts["size"] == "") & (forecasts["horizon"] == MOVER_HORIZON) & ~forecasts["cold_start"]]
    priced = history[history["priced"].astype(bool) & (history["price_usd"] > 0)]
    last = priced.sort_values("week_start").groupby(priced["product_id"].astype(str)).last()
    f = f.join(last[["price_usd", "week"]], on="product_id").dropna(subset=["price_usd"])
    f = f.assign(move_pct=(f["forecast_usd"] / f["price_usd"] - 1) * 100)
    f = f[f["move_pct"].abs() >= MOVE_ALERT * 100]
    f = f.reindex(f["move_pct"].abs().sort_values(ascending=False, kind="mergesort").index).head(MAX_MOVERS)
    return [{"product_id": r.product_id, "title": r.title, "model": r.model, "last_week": r.week,
             "last_usd": round(float(r.price_usd), 2), "target_week": r.target_week,
             "forecast_usd": float(r.forecast_usd), "low_usd": float(r.low_usd), "high_usd": float(r.high_usd),
             "move_pct": round(float(r.move_pct), 2), "method": r.method} for r in f.itertuples()]


def paths(forecasts: pd.DataFrame, history: pd.DataFrame, products: list[str]) -> dict[str, Any]:
    """Per product: its last PATH_WEEKS weekly prices (null when unpriced) and its forecast fan (horizon,
    target week, median, 80 % band)."""
    out = {}
    hist = history.assign(product_id=history["product_id"].astype(str))
    for pid in products:
        h = hist[hist["product_id"] == pid].sort_values("week_start").tail(PATH_WEEKS)
        f = forecasts[(forecasts["product_id"] == pid) & (forecasts["size"] == "")].sort_values("horizon")
        out[pid] = {"history": [[w, None if pd.isna(p) else round(float(p), 2)]
                                for w, p in zip(h["week"], h["price_usd"], strict=True)],
                    "forecast": [[int(r.horizon), r.target_week, r.forecast_usd, r.low_usd, r.high_usd]
                                 for r in f.itertuples()]}
    return out


def size_curves(asks: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per model: the price of each size relative to its product (1.0 = the product's median ask), from the
    given week's size asks (sales rows as `forecast.run.size_asks` builds them)."""
    if asks.empty:
        return {}
    curve = fit_size_curve(asks).model
    out: dict[str, dict[str, float]] = {}
    for (model, size), ratio in curve.items():
        out.setdefault(str(model), {})[str(size)] = round(math.exp(float(ratio)), 4)
    return out
