"""Lag features of every series at every week, computed causally: the value at week t uses weeks <= t only.

All price features are log ratios to the series' level at t (the panel's robust level where it has one,
else the last observed weekly price), so one model serves $200 and $2,000 sneakers alike; the
gradient-boosted model predicts log(price[t + h] / level[t]). Market and brand features are the mean
returns of all series (of the brand) up to t, so they are causal too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sneaker_core.forecast.weekly import Panel

EW_HALFLIFE_WEEKS = 2.0  # the weighted-mean baseline: a week's weight halves every 2 weeks
RECENT_WEEKS = 8  # a series is forecast when it had a price in the 8 weeks up to the origin


@dataclass(frozen=True)
class Cube:
    """Features as a (weeks, series, features) array beside the panel they were computed from."""

    panel: Panel
    names: list[str]
    x: np.ndarray
    last: np.ndarray  # (weeks, series): last observed weekly price at or before each week
    ew: np.ndarray  # (weeks, series): the exponentially weighted mean of observed weekly prices
    level: np.ndarray  # (weeks, series): the panel's level, else `last`: the model's anchor

    @property
    def recent(self) -> np.ndarray:
        """(weeks, series): True where the series had a price in the RECENT_WEEKS up to that week."""
        return _age(self.panel.price.to_numpy()) < RECENT_WEEKS


def ew_mean(price: np.ndarray, halflife: float = EW_HALFLIFE_WEEKS) -> np.ndarray:
    """Exponentially weighted mean over observed weeks (weight 0.5 ** (age / halflife)), NaN before any."""
    decay = 0.5 ** (1.0 / halflife)
    seen = ~np.isnan(price)
    s = np.zeros(price.shape[1])
    w = np.zeros(price.shape[1])
    out = np.full(price.shape, np.nan)
    for t in range(price.shape[0]):
        s = decay * s + np.where(seen[t], price[t], 0.0)
        w = decay * w + seen[t]
        out[t] = np.where(w > 0, s / np.where(w > 0, w, 1.0), np.nan)
    return out


def _age(price: np.ndarray) -> np.ndarray:
    """Weeks since the last observed price (inf before the first)."""
    idx = np.where(~np.isnan(price), np.arange(price.shape[0])[:, None], -1)
    last_idx = np.maximum.accumulate(idx, axis=0)
    return np.where(last_idx >= 0, np.arange(price.shape[0])[:, None] - last_idx, np.inf)


def build_cube(panel: Panel, extra: dict[str, np.ndarray] | None = None) -> Cube:
    """Own-series and market features, plus `extra` (name -> (weeks, series) array, already causal, log
    ratios to the size's last price) for size series."""
    p = panel.price
    last = p.ffill()
    level = last if panel.level is None else panel.level.ffill()
    lv = np.log(level)
    lg = np.log(last)
    ew = ew_mean(p.to_numpy())
    ret1, ret4 = (lv - lv.shift(1)).to_numpy(), (lv - lv.shift(4)).to_numpy()
    feats: dict[str, np.ndarray] = {
        "lr_last": (lg - lv).to_numpy(),
        "lr_ew2": np.log(ew) - lv.to_numpy(),
        "lr_ew6": np.log(ew_mean(p.to_numpy(), 6.0)) - lv.to_numpy(),
        "lr_med4": np.log(p.rolling(4, min_periods=1).median()).to_numpy() - lv.to_numpy(),
        "lr_med12": np.log(p.rolling(12, min_periods=1).median()).to_numpy() - lv.to_numpy(),
        "ret1": ret1,
        "ret4": ret4,
        "vol8": (lg - lg.shift(1)).rolling(8, min_periods=3).std().to_numpy(),
        "age": _age(p.to_numpy()),
        "n_weeks": p.notna().cumsum().to_numpy(dtype=float),
        "sales4": np.log1p(panel.count.rolling(4, min_periods=1).sum().to_numpy()),
        "since_release": _weeks_since(panel),
        "premium": lv.to_numpy() - np.log(panel.info["retail_usd"].to_numpy(dtype=float))[None, :],
        "market_ret1": _group_mean(ret1, np.zeros(p.shape[1])),
        "market_ret4": _group_mean(ret4, np.zeros(p.shape[1])),
        # Brand-level information enters as the brand's mean return, not as a code: codes of the model or
        # brand let the trees memorise a few products (StockX bench, 4 weeks: 6.65 % MdAPE with them,
        # 5.8 % without).
        "brand_ret4": _group_mean(ret4, panel.info["brand"].to_numpy()),
    }
    feats.update(extra or {})
    names = list(feats)
    x = np.stack([np.asarray(feats[n], dtype=float) for n in names], axis=2)
    return Cube(panel, names, x, last.to_numpy(), ew, level.to_numpy())


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(weeks, series): the mean of `values` over the series of each one's group, week by week."""
    return pd.DataFrame(values).T.groupby(groups).transform("mean").T.to_numpy()


def _weeks_since(panel: Panel) -> np.ndarray:
    release = panel.info["release_date"].to_numpy(dtype="datetime64[ns]")
    weeks = panel.weeks.to_numpy(dtype="datetime64[ns]")
    return (weeks[:, None] - release[None, :]) / np.timedelta64(7, "D")


def training_rows(cube: Cube, origin: int, horizons: list[int], window: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(X with the horizon as last column, y) for every (t, series, h) whose target week t + h <= origin."""
    price = cube.panel.price.to_numpy()
    recent = cube.recent
    xs, ys = [], []
    for h in horizons:
        ts = np.arange(max(0, origin - h - window + 1), origin - h + 1)
        if len(ts) == 0:
            continue
        target = np.log(price[ts + h]) - np.log(cube.level[ts])
        ok = recent[ts] & ~np.isnan(target)
        xs.append(np.concatenate([cube.x[ts][ok], np.full((ok.sum(), 1), float(h))], axis=1))
        ys.append(target[ok])
    if not xs:
        return np.empty((0, len(cube.names) + 1)), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys)


def origin_rows(cube: Cube, origin: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(series indices forecast at `origin`, their X for horizon h)."""
    keys = np.flatnonzero(cube.recent[origin])
    x = np.concatenate([cube.x[origin, keys], np.full((len(keys), 1), float(h))], axis=1)
    return keys, x
