"""Per-condition settings of a fitted title model, chosen on validation rows as each condition meets them.

A row is predicted title-only (no number in its image URL, no market columns), with its image-URL numbers, or
with its market columns (retail price, release date), and the conditions behave differently (the image numbers
and the retail price make the regression far stronger), so each condition gets its own settings, chosen on the
validation rows presented as that condition faces them: the title-only settings on every validation row with
its image URL and market columns blanked, the image settings on the rows whose URL gives numbers (market columns
blanked), the market settings on the rows that carry market columns.
- blend weight per target: the classifier share (`BLEND_GRID`) with the lowest validation log loss of the
  true bin; a proper score varies smoothly with the weight, where the accuracy of a few thousand rows jumps;
- ridge share: the share of the ridge prediction in the median (`BLEND_GRID`) with the lowest validation median
  absolute log error (the dollar estimate is scored by its median percentage error), kept at the equal blend
  unless the best share beats it by more than one bootstrap standard error;
- interval margin, on the quantiles moved to that median: split-conformal widening of the log 10-90% interval (conformalised quantile regression):
  the ceil((n+1)·0.8)/n empirical quantile of the validation miss distances max(low - y, y - high), so a new
  row falls inside with probability >= 0.8; never below 0 (an interval that already covers is kept).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from sneaker_core.stacking.market_features import without_market
from sneaker_core.stacking.title_models import EQUAL_SHARE, TITLE_TARGETS, TitleModel, TitleModelConfig
from sneaker_core.stacking.title_prediction import (
    CONDITIONS,
    TITLE_ONLY,
    WITH_IMAGE,
    WITH_MARKET,
    TitlePrediction,
    blend,
)
from sneaker_core.targets import assign_bins

BLEND_GRID = tuple(round(0.1 * k, 1) for k in range(11))
SHARE_BOOTSTRAPS = 200
NOMINAL_COVERAGE = 0.8


def condition_views(model: TitleModel, frame: pd.DataFrame) -> dict[str, TitlePrediction]:
    """The prediction of `frame` as each condition meets it: image URLs and market columns blanked, market
    columns blanked, and as given."""
    no_market = without_market(frame)
    return {TITLE_ONLY: model.predict(no_market.assign(image="")), WITH_IMAGE: model.predict(no_market),
            WITH_MARKET: model.predict(frame)}


def oof_views(model: TitleModel, frame: pd.DataFrame, prices_usd: np.ndarray, groups: np.ndarray, folds: int
              ) -> dict[str, TitlePrediction]:
    """`condition_views` of every row, each predicted by a clone of `model` fit on the other product groups'
    rows (grouped folds), in row order: held-out predictions to calibrate on without a separate split."""
    groups = np.asarray(groups)
    parts: dict[str, list[TitlePrediction]] = {c: [] for c in CONDITIONS}
    order = []
    for a, b in GroupKFold(n_splits=min(folds, len(set(groups)))).split(frame, groups=groups):
        fitted = clone(model).fit(frame.iloc[a], prices_usd[a], groups[a].tolist())
        for condition, pred in condition_views(fitted, frame.iloc[b]).items():
            parts[condition].append(pred)
        order.append(b)
    back = np.argsort(np.concatenate(order))
    return {c: _concat(preds, back) for c, preds in parts.items()}


def _concat(preds: list[TitlePrediction], rows: np.ndarray) -> TitlePrediction:
    """Predictions of consecutive batches as one, rows reordered by `rows`."""
    def stack(get) -> np.ndarray:
        return np.concatenate([get(p) for p in preds])[rows]

    targets = preds[0].classifier_proba
    return TitlePrediction(
        classifier_proba={t: stack(lambda p, t=t: p.classifier_proba[t]) for t in targets},
        regression_proba={t: stack(lambda p, t=t: p.regression_proba[t]) for t in targets},
        log_quantiles=stack(lambda p: p.log_quantiles), ridge_log=stack(lambda p: p.ridge_log),
        with_image=stack(lambda p: p.with_image), with_market=stack(lambda p: p.market_rows))


def best_weight(classifier: np.ndarray, regression: np.ndarray, true: np.ndarray) -> float:
    """The classifier share in `BLEND_GRID` whose blend gives the true bins the lowest mean log loss."""
    rows = np.arange(len(true))

    def log_loss(w: float) -> float:
        return float(-np.mean(np.log(blend(classifier, regression, w)[rows, true] + 1e-12)))

    return min(BLEND_GRID, key=log_loss)


def best_ridge_share(pred: TitlePrediction, rows: np.ndarray, prices_usd: np.ndarray) -> float:
    """The ridge share in `BLEND_GRID` whose median gives `rows` the lowest median absolute log error, unless the
    equal blend (`EQUAL_SHARE`) is within one bootstrap standard error of it: estimated combination weights often
    do worse on new rows than equal ones, and on a thousand rows the error is nearly flat across shares, so a
    share must earn its departure from the equal blend."""
    y = np.log(prices_usd[rows])
    errors = {share: np.abs(pred.quantiles(dict.fromkeys(CONDITIONS, share))[rows, 1] - y) for share in BLEND_GRID}
    best = min(BLEND_GRID, key=lambda share: float(np.median(errors[share])))
    resamples = np.random.default_rng(0).integers(0, len(y), (SHARE_BOOTSTRAPS, len(y)))
    gain = np.median(errors[EQUAL_SHARE][resamples], axis=1) - np.median(errors[best][resamples], axis=1)
    advantage = float(np.median(errors[EQUAL_SHARE]) - np.median(errors[best]))
    return best if advantage > gain.std() else EQUAL_SHARE


def interval_margin(log_quantiles: np.ndarray, prices_usd: np.ndarray, coverage: float = NOMINAL_COVERAGE) -> float:
    """The conformal log-space widening that makes the 10-90% interval cover `coverage` of new rows."""
    y = np.log(np.asarray(prices_usd, dtype=float))
    miss = np.maximum(log_quantiles[:, 0] - y, y - log_quantiles[:, 2])
    n = len(miss)
    level = min(math.ceil((n + 1) * coverage) / n, 1.0)
    return max(float(np.quantile(miss, level, method="higher")), 0.0)


def calibrate(model: TitleModel, views: dict[str, TitlePrediction], prices_usd: np.ndarray) -> dict:
    """Each condition's blend weights, ridge share and interval margin chosen on held-out rows (`condition_views`: every row
    title-only, the rows whose URL gives numbers, the rows with market columns); a condition with no such rows is
    left out. The model is
    not changed: `calibrated` puts the choice into a config."""
    prices_usd = np.asarray(prices_usd, dtype=float)
    chosen: dict = {}
    for condition, pred in views.items():
        rows = {WITH_IMAGE: pred.with_image, WITH_MARKET: pred.market_rows}.get(
            condition, np.ones(len(prices_usd), dtype=bool))
        if not rows.any():
            continue
        weights = {}
        for target in TITLE_TARGETS:
            true = assign_bins(prices_usd[rows], model.edges[target])
            weights[target] = best_weight(pred.classifier_proba[target][rows], pred.regression_proba[target][rows],
                                          true)
        share = best_ridge_share(pred, rows, prices_usd)
        quantiles = pred.quantiles(dict.fromkeys(CONDITIONS, share))[rows]
        chosen[condition] = {"blend_weights": weights, "ridge_share": share,
                             "interval_margin": interval_margin(quantiles, prices_usd[rows]), "rows": int(rows.sum())}
    return chosen


def calibrated_oof(base: TitleModel, frame: pd.DataFrame, prices_usd: np.ndarray, groups, folds: int
                   ) -> tuple[dict[str, TitlePrediction], dict, TitleModelConfig]:
    """The grouped out-of-fold views of every row by clones of the unfitted `base` (`oof_views`), what `calibrate`
    chose on them, and `base`'s config with those choices (`calibrated`). A one-line error when the rows come from
    fewer than `folds` product groups: each fold holds out groups of its own."""
    groups = np.asarray(groups)
    if len(set(groups)) < folds:
        raise ValueError(f"the priced rows come from {len(set(groups))} product groups; the title models' "
                         f"grouped {folds}-fold calibration needs at least {folds}")
    views = oof_views(base, frame, prices_usd, groups, folds)
    chosen = calibrate(base, views, prices_usd)
    return views, chosen, calibrated(base.config or TitleModelConfig(), chosen)


def calibrated(config: TitleModelConfig, chosen: dict) -> TitleModelConfig:
    """A copy of `config` with the blend weights, ridge shares and interval margins `calibrate` chose (others
    kept)."""
    return replace(config,
                   blend_weights={**config.blend_weights, **{c: v["blend_weights"] for c, v in chosen.items()}},
                   interval_margins={**config.interval_margins,
                                     **{c: v["interval_margin"] for c, v in chosen.items()}},
                   ridge_shares={**config.ridge_shares, **{c: v["ridge_share"] for c, v in chosen.items()}})
