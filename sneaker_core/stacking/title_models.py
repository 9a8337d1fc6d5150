"""Title-side price models: decile and band classifiers plus the dollar estimate, from a title alone.

Two stages, both fit on the same rows:
1. sparse title features (`TitleFeaturizer`) -> a ridge regression of log price (out-of-fold over product
   groups, so stage 2 sees honest predictions) and logistic-regression classifiers for deciles and bands;
2. the ridge prediction + dense attributes/label codes/image-URL numbers (`image_url`) -> quantile gradient
   boosting (10/50/90%) of log price (`PriceEstimator`). Its quantiles also give bin probabilities (normal in
   log space), which are blended with the classifiers' probabilities.
Stage 2 is up to three estimators fit on every row: the title-only one reads neither the image-URL numbers nor
the market columns (retail price, age since release: `market_features`), the image one the image-URL numbers,
the market one both, a second ridge (title features + market block), and learns the log premium over retail
(`_offset`). A row with a retail price or release date is predicted by the market one, else a row whose image URL
gives a number by the image one, else by the title-only one; a condition no training row had is never used.
The estimate's median blends the boosted median with the row's ridge prediction: the errors of two different
models partly cancel, and boosted trees alone are jumpy on a thousand rows. Each condition has its own classifier
blend weights, ridge share and interval margin (`TitleModelConfig`), chosen on held-out rows by `title_calibrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold
from sklearn.utils.validation import check_is_fitted

from sneaker_core.stacking.estimate import PriceEstimator, bin_probabilities
from sneaker_core.stacking.features import LabelCodes, TitleFeaturizer, categorical_mask, dense_title_features
from sneaker_core.stacking.image_url import IMAGE_COLUMNS
from sneaker_core.stacking.market_features import MARKET_COLUMNS, has_market, linear_market_block
from sneaker_core.stacking.title_prediction import (
    CONDITIONS,
    TITLE_ONLY,
    WITH_IMAGE,
    WITH_MARKET,
    TitlePrediction,
)
from sneaker_core.targets import assign_bins, bin_names

TITLE_TARGETS = ("price_decile", "price_band")
MARKET_RIDGE = "ridge_market_log_price"
EQUAL_SHARE = 0.5  # the ridge's share in the median until calibration shows another one is clearly better


@dataclass(frozen=True)
class TitleModelConfig:
    """Settings of the title models. The per-condition blend weights (classifier share, per target), ridge shares
    (the ridge prediction's share in the median) and interval margins (log-space widening of the 10-90% interval)
    are chosen on held-out rows: `title_calibrate.calibrated` returns a new config with them, for the model that
    is then fit."""

    ridge_alpha: float = 1.0
    logreg_c: float = 3.0
    logreg_max_iter: int = 300
    folds: int = 5
    hgb_learning_rate: float = 0.05
    hgb_max_iter: int = 300
    hgb_min_samples_leaf: int = 10
    seed: int = 0
    blend_weights: dict[str, dict[str, float]] = field(
        default_factory=lambda: {c: {t: 0.5 for t in TITLE_TARGETS} for c in CONDITIONS})
    interval_margins: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CONDITIONS, 0.0))
    ridge_shares: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CONDITIONS, EQUAL_SHARE))

    def to_json(self) -> dict:
        return asdict(self)


def _has_image(dense: pd.DataFrame) -> np.ndarray:
    """Rows whose image URL gave at least one number."""
    return dense[list(IMAGE_COLUMNS)].notna().any(axis=1).to_numpy()


def _ridge_log(dense: pd.DataFrame) -> np.ndarray:
    """Each row's ridge log price: the market ridge's where the row has market columns, else the title ridge's."""
    return np.where(has_market(dense), dense[MARKET_RIDGE], dense["ridge_log_price"])


def _offset(condition: str, dense: pd.DataFrame) -> np.ndarray | None:
    """What the condition's trees learn the log price on top of: the market one, the log retail price (the premium
    is what title and age must explain; the ridge prediction where retail is unknown); the others, nothing."""
    return None if condition != WITH_MARKET else np.where(dense["has_retail"] > 0, dense["log_retail"], _ridge_log(dense))


def _full_proba(model: LogisticRegression, X, n_classes: int) -> np.ndarray:
    """predict_proba spread over all n classes (a class absent from training gets probability 0)."""
    out = np.zeros((X.shape[0], n_classes))
    out[:, model.classes_] = model.predict_proba(X)
    return out


class TitleModel(BaseEstimator):
    """Predicts price decile, price band and a dollar estimate with a 10-90% interval from title rows.

    Parameters are the bin edges and the settings (`config`; defaults when None); `fit` sets the fitted parts
    (`featurizer_`, `codes_`, `ridge_`, `classifiers_`, `estimators_`; `market_ridge_` and `market_scale_`
    when a training row had market columns, else None) and `config_`, the settings in force.
    """

    def __init__(self, decile_edges: Sequence[float] = (), band_edges: Sequence[float] = (),
                 config: TitleModelConfig | None = None) -> None:
        self.decile_edges = decile_edges
        self.band_edges = band_edges
        self.config = config

    @property
    def edges(self) -> dict[str, list[float]]:
        """The bin edges per target, as floats."""
        return {"price_decile": [float(e) for e in self.decile_edges],
                "price_band": [float(e) for e in self.band_edges]}

    @property
    def bin_classes(self) -> dict[str, list[str]]:
        """The class names per target (`targets.bin_names` of its edges)."""
        return {t: bin_names(e) for t, e in self.edges.items()}

    def _oof_ridge(self, X, y: np.ndarray, groups: Sequence[str]) -> np.ndarray:
        config = self.config_
        n_groups = len(set(groups))
        folds = min(config.folds, n_groups)
        if folds < 2:
            raise ValueError(f"need at least 2 product groups to fit the title models, got {n_groups}")
        oof = np.zeros(len(y))
        splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=config.seed)
        for fit_idx, pred_idx in splitter.split(X, y, groups=list(groups)):
            oof[pred_idx] = Ridge(alpha=config.ridge_alpha).fit(X[fit_idx], y[fit_idx]).predict(X[pred_idx])
        return oof

    def _market_X(self, X, frame: pd.DataFrame):
        """Title features with the (scaled) linear market block appended."""
        block = linear_market_block(frame[list(MARKET_COLUMNS)]) / self.market_scale_
        return sp.hstack([X, sp.csr_matrix(block)]).tocsr()

    def _dense(self, frame: pd.DataFrame, ridge_pred: np.ndarray, market_pred: np.ndarray) -> pd.DataFrame:
        dense = dense_title_features(frame, self.codes_).reset_index(drop=True)
        dense.insert(0, "ridge_log_price", ridge_pred)
        dense.insert(1, MARKET_RIDGE, np.where(has_market(dense), market_pred, np.nan))
        return dense

    def fit(self, frame: pd.DataFrame, prices_usd: np.ndarray, groups: Sequence[str]) -> TitleModel:
        """Fit on a feature frame (see `features.feature_frame`), prices in dollars and product groups."""
        prices_usd = np.asarray(prices_usd, dtype=float)
        if np.any(~np.isfinite(prices_usd)) or np.any(prices_usd <= 0):
            raise ValueError("title models need a positive, finite price on every training row")
        self.config_ = self.config or TitleModelConfig()
        config = self.config_
        y = np.log(prices_usd)
        self.featurizer_ = TitleFeaturizer()
        X = self.featurizer_.fit_transform(frame)
        self.codes_ = LabelCodes().fit(frame)
        oof = self._oof_ridge(X, y, groups)
        self.ridge_ = Ridge(alpha=config.ridge_alpha).fit(X, y)
        market_oof = np.full(len(y), np.nan)
        self.market_ridge_ = self.market_scale_ = None
        if has_market(frame).any():
            self.market_scale_ = np.maximum(np.abs(linear_market_block(frame[list(MARKET_COLUMNS)])).max(axis=0), 1.0)
            X_market = self._market_X(X, frame)
            market_oof = self._oof_ridge(X_market, y, groups)
            self.market_ridge_ = Ridge(alpha=config.ridge_alpha).fit(X_market, y)
        self.classifiers_ = {
            target: LogisticRegression(C=config.logreg_c, max_iter=config.logreg_max_iter).fit(
                X, assign_bins(prices_usd, edges))
            for target, edges in self.edges.items()}
        dense = self._dense(frame, oof, market_oof)
        market_only = {*MARKET_COLUMNS, MARKET_RIDGE}
        variants = {TITLE_ONLY: [c for c in dense.columns if c not in {*IMAGE_COLUMNS, *market_only}]}
        if _has_image(dense).any():
            variants[WITH_IMAGE] = [c for c in dense.columns if c not in market_only]
        if self.market_ridge_ is not None:
            variants[WITH_MARKET] = list(dense.columns)
        self.estimators_ = {key: (columns, self._estimator(columns).fit(dense[columns].to_numpy(dtype=float),
                                                                       prices_usd, _offset(key, dense)))
                            for key, columns in variants.items()}
        return self

    def _estimator(self, columns: list[str]) -> PriceEstimator:
        config = self.config_
        return PriceEstimator(
            categorical=categorical_mask(columns), learning_rate=config.hgb_learning_rate,
            max_iter=config.hgb_max_iter, min_samples_leaf=config.hgb_min_samples_leaf, seed=config.seed,
        )

    def predict(self, frame: pd.DataFrame) -> TitlePrediction:
        """Rows with market columns use the market estimator, other rows whose image URL gives any number the
        image-aware one, the rest the title-only one (a condition the model was not fit for falls back)."""
        check_is_fitted(self, "estimators_")
        X = self.featurizer_.transform(frame)
        market_pred = (self.market_ridge_.predict(self._market_X(X, frame)) if self.market_ridge_ is not None
                       else np.full(len(frame), np.nan))
        dense = self._dense(frame, self.ridge_.predict(X), market_pred)
        with_market = has_market(dense) & (WITH_MARKET in self.estimators_)
        has_image = _has_image(dense) & (WITH_IMAGE in self.estimators_) & ~with_market
        logq = np.zeros((len(dense), 3))
        title_only = ~has_image & ~with_market
        for key, rows in ((WITH_MARKET, with_market), (WITH_IMAGE, has_image), (TITLE_ONLY, title_only)):
            if rows.any():
                columns, estimator = self.estimators_[key]
                offset = _offset(key, dense.loc[rows])
                logq[rows] = estimator.predict_log(dense.loc[rows, columns].to_numpy(dtype=float), offset)
        classes = self.bin_classes
        return TitlePrediction(
            classifier_proba={t: _full_proba(m, X, len(classes[t])) for t, m in self.classifiers_.items()},
            regression_proba={t: bin_probabilities(logq, e) for t, e in self.edges.items()},
            log_quantiles=logq,
            ridge_log=_ridge_log(dense),
            with_image=has_image,
            with_market=with_market,
        )

    def predict_proba(self, frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], TitlePrediction]:
        """Blended class probabilities per target (with the settings in force) and the raw prediction."""
        pred = self.predict(frame)
        return {t: pred.proba(t, self.config_.blend_weights) for t in TITLE_TARGETS}, pred
