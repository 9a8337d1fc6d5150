"""Rolling-origin backtest and the per-horizon blend of methods with conformal 80 % intervals.

`backtest_table` forecasts at each origin from the weeks up to it only (features are causal, the model is
trained on targets at or before the origin). `choose` then judges, for an origin o and horizon h, the
forecasts made at the K origins o-h-K+1 .. o-h, whose outcomes were all known by o: a convex blend of the
methods' log forecasts with a low median absolute percentage error is chosen (bagged over resamples of
those origins), and its interval is widened (or narrowed) by the conformal score quantile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sneaker_core.forecast.features import Cube, origin_rows, training_rows
from sneaker_core.forecast.models import (
    BLEND,
    EW_MEAN,
    GBM,
    LEVEL,
    METHODS,
    PERSISTENCE,
    QuantileGBM,
)
from sneaker_core.forecast.weights import ape, fit_weights

COVERAGE = 0.8
EVAL_ORIGINS = 16  # K: origins per horizon that judge the methods (8 let noise pick the blends)
TRAIN_WINDOW = 52  # weeks of origins the gradient-boosted model learns from
# The model is refit every 2nd week (the one fit at week o - o % 2 serves o): half the bench's time, and a
# week-old model still learned only from outcomes before the origin.
REFIT_WEEKS = 2


@dataclass(frozen=True)
class Choice:
    weights: dict[str, float]  # method -> weight of its log forecast (they sum to 1)
    widen: float  # log-space conformal margin added to both ends of the interval
    n_eval: int
    mdape: dict[str, float]  # each method's alone, and the blend's

    @property
    def method(self) -> str:
        """The one method with all the weight, else BLEND."""
        return next((m for m, w in self.weights.items() if w == 1.0), BLEND)


def backtest_table(cube: Cube, origins, horizons: list[int], gbm_up_to: int | None = None,
                   seed: int = 0, max_rows: int = 25_000) -> pd.DataFrame:
    """Every method's forecast (point, low, high) at every origin and horizon, with the outcome (NaN when
    the target week has no price or lies beyond the panel); the boosted model competes at horizons up to
    `gbm_up_to` weeks only (None: all)."""
    price = cube.panel.price.to_numpy()
    frames = []
    fitted: dict[int, QuantileGBM | None] = {}
    for o in origins:
        fit_at = o - o % REFIT_WEEKS  # a function of o alone, so every caller gets the same model at o
        if fit_at not in fitted:
            x, y = training_rows(cube, fit_at, horizons, TRAIN_WINDOW)
            fitted = {fit_at: QuantileGBM(seed + fit_at, max_rows).fit(x, y)}
        gbm = fitted[fit_at]
        for h in horizons:
            keys, xo = origin_rows(cube, o, h)
            level = cube.level[o, keys]
            # Where the panel has a level it is the smooth baseline: on the StockX weeks before the bench's,
            # the EW mean erred more than the level at every horizon and level, and blends without it did
            # no worse.
            points = {PERSISTENCE: cube.last[o, keys]}
            if cube.panel.level is None:
                points[EW_MEAN] = cube.ew[o, keys]
            else:
                points[LEVEL] = level
            bands = {m: (v, v, v) for m, v in points.items()}
            if gbm is not None and len(keys) and (gbm_up_to is None or h <= gbm_up_to):
                q = gbm.predict(xo)
                bands[GBM] = tuple(level * np.exp(q[:, i]) for i in (1, 0, 2))
            actual = price[o + h, keys] if o + h < len(price) else np.full(len(keys), np.nan)
            for m, (pt, lo, hi) in bands.items():
                frames.append(pd.DataFrame({"origin": o, "series": keys, "horizon": h, "method": m,
                                            "point": pt, "low": lo, "high": hi, "actual": actual}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["origin", "series", "horizon", "method", "point", "low", "high", "actual"])


def needed_origins(origins, horizons: list[int], k: int = EVAL_ORIGINS) -> list[int]:
    """The origins to be forecast at so that `origins` can each be judged on their own past."""
    lo = min(origins) - max(horizons) - k + 1
    return list(range(max(lo, 0), max(origins) + 1))


def judged_rows(bt: pd.DataFrame, origin: int, h: int, k: int = EVAL_ORIGINS) -> pd.DataFrame:
    """The forecasts for horizon h whose outcomes were known at `origin` (the last k such origins)."""
    sel = bt[(bt["horizon"] == h) & (bt["origin"] <= origin - h) & (bt["origin"] > origin - h - k)]
    return sel[sel["actual"].notna()]


def choose(bt: pd.DataFrame, origin: int, horizons: list[int], k: int = EVAL_ORIGINS) -> dict[int, Choice]:
    """Per horizon: the convex blend (of log forecasts) of the methods fit on the judged rows by
    `fit_weights`, and its conformal margin (pooled with the shorter horizons' in
    `horizons` when a point method has weight, see `_shorter_scores`). Forecast combinations are more
    robust than picking one method: a single pick on a few origins flips between near-equals.
    A horizon with nothing to judge borrows the choice of the nearest judged shorter horizon, its margin
    grown by sqrt(h / h0); with nothing judged at all, persistence without an interval (widen = NaN)."""
    choices: dict[int, Choice] = {}
    for h in sorted(horizons):
        rows = judged_rows(bt, origin, h, k)
        if rows.empty:
            continue
        logs = _log_bands(rows)
        mdape = {m: float(np.median(ape(np.exp(logs["point"][m]), logs["actual"]))) for m in logs["point"]}
        best = fit_weights(logs["point"].to_numpy(), logs["actual"].to_numpy(),
                           logs["actual"].index.get_level_values("origin").to_numpy())
        weights = {m: float(w) for m, w in zip(logs["point"].columns, best, strict=True) if w > 0}
        mdape[BLEND] = float(np.median(ape(np.exp(logs["point"].to_numpy() @ best), logs["actual"])))
        scores = [_scores(blend(rows, weights))]
        if weights.get(GBM, 0.0) < 1.0:
            scores += _shorter_scores(bt, origin, h, weights, [j for j in horizons if j < h], k)
        widen = _margin(np.concatenate(scores))
        choices[h] = Choice(weights, widen, len(logs["actual"]), mdape)
    for h in sorted(horizons):
        if h not in choices:
            shorter = [j for j in choices if j < h]
            if shorter:
                h0 = max(shorter)
                c = choices[h0]
                choices[h] = Choice(c.weights, c.widen * math.sqrt(h / h0) if c.widen > 0 else c.widen, 0, {})
            else:
                choices[h] = Choice({PERSISTENCE: 1.0}, float("nan"), 0, {})
    return choices


def _log_bands(rows: pd.DataFrame) -> dict[str, pd.DataFrame | pd.Series]:
    """Log point/low/high as (origin, series) x method frames over the rows every method forecast, in
    METHODS order, and the outcome."""
    wide = rows.pivot_table(index=["origin", "series"], columns="method", values=["point", "low", "high"])
    # a method missing from a few rows (no model fit at an origin) gives way rather than drop the rows
    methods = [m for m in METHODS if m in wide["point"].columns and wide["point"][m].notna().mean() >= 0.9]
    wide = wide[[(c, m) for c in ("point", "low", "high") for m in methods]].dropna()
    out: dict[str, pd.DataFrame | pd.Series] = {c: np.log(wide[c][methods]) for c in ("point", "low", "high")}
    out["actual"] = rows.groupby(["origin", "series"])["actual"].first().reindex(wide.index)
    return out


def blend(rows: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """One row per (origin, series, horizon) that every weighted method forecast: point, low and high are
    the weighted geometric means of the methods' (method = the choice's name)."""
    rows = rows[rows["method"].isin(list(weights)) & rows["point"].notna()]
    w = rows["method"].map(weights)
    keys = ["origin", "series", "horizon"]
    logged = rows[keys].assign(**{c: np.log(rows[c]) * w for c in ("point", "low", "high")}, n=1)
    g = logged.groupby(keys, sort=True).agg(point=("point", "sum"), low=("low", "sum"), high=("high", "sum"),
                                            n=("n", "sum"))
    g = np.exp(g[g["n"] == len(weights)][["point", "low", "high"]])
    g["actual"] = rows.groupby(keys, sort=True)["actual"].first()
    name = next((m for m, v in weights.items() if v == 1.0), BLEND)
    return g.reset_index().assign(method=name)[["origin", "series", "horizon", "method", "point", "low", "high",
                                                "actual"]]


def _shorter_scores(bt: pd.DataFrame, origin: int, h: int, weights: dict[str, float], shorter: list[int],
                    k: int) -> list[np.ndarray]:
    """A point method's margin is its whole half-width. A long horizon is judged on older weeks than a short
    one, so when volatility changes its margin lags: the shorter horizons' scores, grown by sqrt(h / j) as a
    random walk's spread grows, join its own (the StockX bench's 8-week size-level coverage was 62 % on the
    own scores alone)."""
    return [_scores(blend(judged_rows(bt, origin, j, k), weights)) * math.sqrt(h / j) for j in shorter]


def _scores(g: pd.DataFrame) -> np.ndarray:
    """How far each outcome fell outside its (low, high) band, in log dollars (negative inside)."""
    return np.maximum(np.log(g["low"] / g["actual"]), np.log(g["actual"] / g["high"])).to_numpy()


def _margin(score: np.ndarray) -> float:
    """The conformal margin: the COVERAGE quantile (finite-sample corrected) of the scores."""
    level = min(1.0, math.ceil((len(score) + 1) * COVERAGE) / len(score))
    return float(np.quantile(score, level, method="higher"))


def chosen_forecasts(bt: pd.DataFrame, origin: int, choices: dict[int, Choice]) -> pd.DataFrame:
    """The rows of `origin` with each horizon's chosen blend (persistence where a weighted method did not
    forecast), its interval widened by the margin."""
    rows = bt[bt["origin"] == origin]
    out = []
    for h, c in choices.items():
        at = rows[rows["horizon"] == h]
        weights = c.weights if set(c.weights) <= set(at["method"]) else {PERSISTENCE: 1.0}
        r = blend(at, weights)
        rest = at[(at["method"] == PERSISTENCE) & ~at["series"].isin(r["series"])]
        r = pd.concat([r, rest[r.columns]], ignore_index=True)
        r["low"] = np.minimum(r["low"] * math.exp(-c.widen), r["point"])
        r["high"] = np.maximum(r["high"] * math.exp(c.widen), r["point"])
        out.append(r)
    return pd.concat(out, ignore_index=True) if out else rows.iloc[:0]


def evaluate(bt: pd.DataFrame, pairs: list[tuple[int, int]], k: int = EVAL_ORIGINS) -> pd.DataFrame:
    """Out-of-sample rows for each (origin, horizon) in `pairs`: the method chosen at that origin (from its
    own past only) with its calibrated interval, beside every method's point, and the outcome."""
    out = []
    horizons = sorted(bt["horizon"].unique())
    for o, h in pairs:
        chosen = chosen_forecasts(bt, o, {h: choose(bt, o, [j for j in horizons if j <= h], k)[h]})
        rows = bt[(bt["origin"] == o) & (bt["horizon"] == h)]
        wide = rows.pivot(index="series", columns="method", values="point")
        chosen = chosen.join(wide, on="series")
        out.append(chosen[chosen["actual"].notna()])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def summarise(ev: pd.DataFrame) -> dict[int, dict[str, float]]:
    """Per horizon: MdAPE (%) of each method (over the rows it forecast) and of the chosen one, interval
    coverage (%), row count."""
    summary: dict[int, dict[str, float]] = {}
    for h, g in ev.groupby("horizon"):
        s = {m: round(100 * float(np.median(ape(g[m], g["actual"])[g[m].notna()])), 2)
             for m in METHODS if m in g and g[m].notna().any()}
        s["chosen"] = round(100 * float(np.median(ape(g["point"], g["actual"]))), 2)
        s["coverage"] = round(100 * float(((g["low"] <= g["actual"]) & (g["actual"] <= g["high"])).mean()), 1)
        s["n"] = len(g)
        summary[int(h)] = s
    return summary
