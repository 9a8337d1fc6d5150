"""Stacked meta-models on the four CNNs' outputs plus title features; evaluated on the test split only.

Layering, so that no level sees the rows it is scored on:
- the CNNs and the title model (`TitleModel`: word/char TF-IDF, attributes, labels) learn from TRAIN;
- meta-model A (multinomial logistic regression) and B (HistGradientBoosting) learn from VAL: features
  are the probabilities of all four CNNs, the CNN-predicted model and brand, the title model's class
  probabilities and log-price quantiles, and the parsed title attributes and labels; each picks its own
  settings from a small grid by grouped cross-validation on VAL; the dollar estimate (quantile GB) too;
- everything is scored on TEST: each CNN alone, title-only, meta A, meta B, the majority baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from sneaker_core.rundir import RunDir
from sneaker_core.scoring import class_scores
from sneaker_core.settings import Settings
from sneaker_core.stacking.estimate import TREE_THREADS, PriceEstimator, dollar_interval
from sneaker_core.stacking.features import (
    LabelCodes,
    categorical_mask,
    cnn_prob_features,
    dense_title_features,
    feature_frame,
)
from sneaker_core.stacking.image_url import IMAGE_COLUMNS
from sneaker_core.stacking.title_calibrate import interval_margin
from sneaker_core.stacking.title_models import TITLE_TARGETS, TitleModel, TitleModelConfig
from sneaker_core.targets import MISSING, PRICE_TARGETS, TargetSpec

LOGREG_GRID = ({"C": 0.1}, {"C": 1.0}, {"C": 10.0})
BOOSTED_GRID = ({"learning_rate": 0.05, "max_leaf_nodes": 7}, {"learning_rate": 0.1, "max_leaf_nodes": 15})
CV_FOLDS = 3
META_COLUMNS = ("product_id", "title", "price", "model", "brand", "search_model", "group_key")


def read_probs(run: RunDir, specs: dict[str, TargetSpec]) -> dict[str, pd.DataFrame]:
    """The CNN probabilities of every trained target (those in `specs`); a missing one is an error naming
    the file."""
    out = {}
    for target, spec in specs.items():
        path = run.probs(target)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: the {target} CNN has not written its probabilities")
        df = pd.read_parquet(path)
        missing = [f"p__{c}" for c in spec.classes if f"p__{c}" not in df.columns]
        if missing:
            raise ValueError(f"{path} lacks probability columns {missing[:3]}... for {target}")
        out[target] = df
    return out


def fit_title_model(meta_df: pd.DataFrame, split: pd.DataFrame, specs: dict[str, TargetSpec], seed: int
                    ) -> TitleModel:
    """The title model, fit on the TRAIN split's priced products with the run's price bin edges."""
    train = meta_df.merge(split[split["split"] == "train"][["product_id"]], on="product_id")
    train = train[pd.to_numeric(train["price"], errors="coerce") > 0]
    if train["group_key"].nunique() < 2:
        raise ValueError(f"need priced train products from at least 2 groups for the title model, got {len(train)}")
    model = TitleModel(specs["price_decile"].edges, specs["price_band"].edges, TitleModelConfig(seed=seed))
    return model.fit(feature_frame(train), train["price"].to_numpy(float), train["group_key"].tolist())


def cnn_truth(probs: pd.DataFrame, product_ids: pd.Series) -> np.ndarray:
    """The class index the CNN run recorded as truth per product (MISSING where it has none)."""
    true = probs.drop_duplicates("product_id").set_index("product_id")["true"].reindex(product_ids.tolist())
    return true.fillna(MISSING).to_numpy(np.int64)


def meta_features(rows: pd.DataFrame, probs: dict[str, pd.DataFrame], title_model: TitleModel,
                  codes: LabelCodes) -> pd.DataFrame:
    """One dense row per product of `rows`: CNN probs + CNN-predicted model/brand + title-model outputs."""
    pids = rows["product_id"].tolist()
    frame = feature_frame(rows.reset_index(drop=True))
    pred = title_model.predict(frame)
    parts = [cnn_prob_features(probs, pids)]
    for target in [t for t in ("model", "brand") if t in probs]:
        p = probs[target].drop_duplicates("product_id").set_index("product_id")["pred"].reindex(pids)
        parts.append(pd.DataFrame({f"code_cnn_{target}": p.to_numpy(float)}))
    for target in TITLE_TARGETS:
        blended = pred.proba(target, title_model.config.blend_weights)
        parts.append(pd.DataFrame(blended, columns=[f"title_{target}__{c}" for c in title_model.classes[target]]))
    parts.append(pd.DataFrame(pred.log_quantiles, columns=["title_logq10", "title_logq50", "title_logq90"]))
    parts.append(dense_title_features(frame, codes).drop(columns=list(IMAGE_COLUMNS)).reset_index(drop=True))
    return pd.concat(parts, axis=1)


def make_logreg(columns: list[str], C: float, seed: int):
    """Scaled numeric columns + one-hot categorical codes -> multinomial logistic regression."""
    cat = [c for c in columns if c.startswith("code_")]
    num = [c for c in columns if not c.startswith("code_")]
    prep = ColumnTransformer([("num", StandardScaler(), num),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    return make_pipeline(prep, LogisticRegression(C=C, max_iter=1000, random_state=seed))


class BoostedMeta:
    """HistGradientBoostingClassifier on the dense features; all-NaN columns are left out, one OpenMP thread."""

    def __init__(self, columns: list[str], seed: int, **params) -> None:
        self.columns = columns
        self.params = {"max_iter": 100, "early_stopping": False, "random_state": seed, **params}
        self.keep: np.ndarray | None = None
        self.model: HistGradientBoostingClassifier | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> BoostedMeta:
        self.keep = ~np.all(np.isnan(X), axis=0)
        cat = categorical_mask(self.columns)[self.keep]
        self.model = HistGradientBoostingClassifier(categorical_features=cat if cat.any() else None, **self.params)
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            self.model.fit(X[:, self.keep], y)
        return self

    @property
    def classes_(self) -> np.ndarray:
        return self.model.classes_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        with threadpool_limits(TREE_THREADS, user_api="openmp"):
            return self.model.predict_proba(X[:, self.keep])


def _logreg_input(X: pd.DataFrame) -> pd.DataFrame:
    """NaN probabilities -> 0; categorical codes -> strings for the one-hot encoder (-1 = none)."""
    codes = {c: X[c].fillna(-1).astype(int).astype(str) for c in X.columns if c.startswith("code_")}
    return X.fillna(0.0).assign(**codes)


def _fit(kind: str, X: pd.DataFrame, y: np.ndarray, seed: int, params: dict):
    if kind == "logreg":
        return make_logreg(list(X.columns), seed=seed, **params).fit(_logreg_input(X), y)
    return BoostedMeta(list(X.columns), seed, **params).fit(X.to_numpy(float), y)


def predict_proba(kind: str, model, X: pd.DataFrame, n_classes: int) -> np.ndarray:
    """Class probabilities over all n classes (a class unseen in VAL gets 0)."""
    if kind == "logreg":
        p, classes = model.predict_proba(_logreg_input(X)), model[-1].classes_
    else:
        p, classes = model.predict_proba(X.to_numpy(float)), model.classes_
    out = np.zeros((len(X), n_classes))
    out[:, classes] = p
    return out


def select_and_fit(kind: str, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, n_classes: int,
                   seed: int) -> tuple[object, dict]:
    """Grouped CV on VAL over the kind's small grid (accuracy, ties by within-one); refit the best."""
    grid = LOGREG_GRID if kind == "logreg" else BOOSTED_GRID
    folds = min(CV_FOLDS, len(set(groups)))
    cv: dict[str, float] = {}
    if folds >= 2 and len(grid) > 1:
        for i, params in enumerate(grid):
            oof = np.zeros((len(y), n_classes))
            for a, b in GroupKFold(n_splits=folds).split(X, y, groups):
                oof[b] = predict_proba(kind, _fit(kind, X.iloc[a], y[a], seed, params), X.iloc[b], n_classes)
            s = class_scores(y, oof.argmax(1))
            cv[str(i)] = s["accuracy"] + 1e-3 * s["within_one"]
        best = grid[int(max(cv, key=cv.get))]
    else:
        best = grid[0]
    info = {"params": best, "cv_accuracy": max(cv.values()) if cv else None, "cv_folds": folds,
            "grid": list(grid)}
    return _fit(kind, X, y, seed, best), info


def fit_and_evaluate(run: RunDir, meta_df: pd.DataFrame, settings: Settings) -> dict:
    """Fit meta A/B and the dollar estimate on VAL, score on TEST, write predictions + metrics; return a manifest."""
    from sneaker_core.stacking.meta_outputs import write_outputs
    from sneaker_core.training.runinfo import load_targets

    missing = [c for c in META_COLUMNS if c not in meta_df.columns]
    if missing:
        raise ValueError(f"metadata lacks columns {missing}; expected {list(META_COLUMNS)}")
    specs = load_targets(run)
    untrained = [t for t in PRICE_TARGETS if t not in specs]
    if untrained:
        raise ValueError(f"the meta-models need both price targets; {', '.join(untrained)} was not trained")
    probs = read_probs(run, specs)
    split = pd.read_parquet(run.split)
    meta_df = meta_df.drop_duplicates("product_id").reset_index(drop=True)
    meta_df["price"] = pd.to_numeric(meta_df["price"], errors="coerce")
    title_model = fit_title_model(meta_df, split, specs, settings.seed)
    scored = probs["price_decile"][["product_id", "split"]].drop_duplicates("product_id")
    rows = {s: scored[scored["split"] == s][["product_id"]].merge(meta_df, on="product_id", how="left")
            .assign(title=lambda d: d["title"].fillna("")) for s in ("val", "test")}
    codes = LabelCodes().fit(feature_frame(meta_df))
    X = {s: meta_features(rows[s], probs, title_model, codes) for s in rows}
    truth = {s: {t: cnn_truth(probs[t], rows[s]["product_id"]) for t in specs} for s in rows}
    train_rows = meta_df.merge(split[split["split"] == "train"][["product_id"]], on="product_id")
    result = {"models": {"logreg": {}, "boosted": {}}, "test_proba": {}, "truth": truth, "rows": rows,
              "specs": specs, "probs": probs, "title_model": title_model, "X": X,
              "train_truth": {t: specs[t].encode(train_rows["price"].where(train_rows["price"] > 0).tolist())
                              for t in PRICE_TARGETS}}
    groups = rows["val"]["group_key"].fillna(rows["val"]["product_id"].astype(str)).to_numpy()
    for target in PRICE_TARGETS:
        y, n = truth["val"][target], len(specs[target].classes)
        known = y != MISSING
        if known.sum() < 2 or len(set(y[known])) < 2:
            raise ValueError(f"{target}: VAL has {known.sum()} labelled rows in {len(set(y[known]))} classes; "
                             "the meta-models need at least 2 of each")
        for kind in ("logreg", "boosted"):
            model, info = select_and_fit(kind, X["val"][known], y[known], groups[known], n, settings.seed)
            result["models"][kind][target] = info
            result["test_proba"][(kind, target)] = predict_proba(kind, model, X["test"], n)
    priced_val = rows["val"]["price"].to_numpy(float) > 0
    X_val, prices = X["val"][priced_val].to_numpy(float), rows["val"]["price"].to_numpy(float)[priced_val]
    new_estimator = partial(PriceEstimator, categorical=categorical_mask(list(X["val"].columns)), max_iter=200,
                            seed=settings.seed)
    margin = oof_interval_margin(new_estimator, X_val, prices, groups[priced_val])
    logq = new_estimator().fit(X_val, prices).predict_log(X["test"].to_numpy(float))
    result["estimate"] = dollar_interval(logq, margin)
    result["interval_margin"] = margin
    return write_outputs(run, result)


def oof_interval_margin(new_estimator: Callable[[], PriceEstimator], X: np.ndarray, prices: np.ndarray,
                        groups: np.ndarray) -> float:
    """Split-conformal widening of the log 10-90% interval from grouped out-of-fold predictions on VAL
    (the estimator is fit on VAL itself, so its own residuals there would be too small)."""
    folds = min(CV_FOLDS, len(set(groups)))
    if folds < 2:
        return 0.0
    oof = np.zeros((len(prices), 3))
    for a, b in GroupKFold(n_splits=folds).split(X, prices, groups):
        oof[b] = new_estimator().fit(X[a], prices[a]).predict_log(X[b])
    return interval_margin(oof, prices)
