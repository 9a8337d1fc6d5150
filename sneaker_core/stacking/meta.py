"""The stacking stage's models: the title model, the meta features, the competition per price target and the
dollar estimate; evaluated on the test split only.

Layering, so that no level sees the rows it is scored on:
- the CNNs and the title model (`TitleModel`: word/char TF-IDF, attributes, labels) learn from TRAIN. The title
  model's blend weights and interval margins are chosen on out-of-fold predictions of the TRAIN rows (grouped
  folds), so the validation rows stay unseen by it. The CNN outputs on TRAIN rows cannot serve the same way:
  the CNN was fit on them, so its probabilities there are far more confident than on new rows;
- the candidates for each price target (the target's CNN alone, title-only, a two-weight pooling of the two,
  meta-model A: multinomial logistic regression, meta-model B: `BoostedMeta`) compete in one grouped
  cross-validation on VAL (`selection.compete`) and the winner's predictions are published. Meta features are
  the probabilities of all four CNNs, the CNN-predicted model and brand, the title model's class probabilities
  and log-price quantiles, and the parsed title attributes and labels;
- the dollar estimate: the title model's quantiles or a quantile GB on the meta features fit on VAL, whichever
  has the lower grouped out-of-fold MdAPE on VAL;
- everything is scored on TEST (`meta_outputs`), which no choice reads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from sneaker_core.payout import schedule_from
from sneaker_core.rundir import RunDir
from sneaker_core.scoring import price_metrics
from sneaker_core.settings import Settings
from sneaker_core.stacking.candidates import price_candidates
from sneaker_core.stacking.estimate import TREE_THREADS, PriceEstimator, dollar_interval
from sneaker_core.stacking.features import (
    LabelCodes,
    categorical_mask,
    cnn_prob_features,
    dense_title_features,
    feature_frame,
)
from sneaker_core.stacking.image_url import IMAGE_COLUMNS
from sneaker_core.stacking.selection import CV_FOLDS, compete, full_proba
from sneaker_core.stacking.title_calibrate import calibrated_oof, interval_margin
from sneaker_core.stacking.title_models import TITLE_TARGETS, TitleModel, TitleModelConfig
from sneaker_core.targets import MISSING, PRICE_TARGETS, TargetSpec

TITLE_LOGQ = ("title_logq10", "title_logq50", "title_logq90")
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
                    ) -> tuple[TitleModel, dict]:
    """The title model fit on the TRAIN split's priced products with the run's price bin edges, its settings chosen
    on grouped out-of-fold predictions of those products; returns the model and what was chosen."""
    train = meta_df.merge(split[split["split"] == "train"][["product_id"]], on="product_id")
    train = train[pd.to_numeric(train["price"], errors="coerce") > 0].reset_index(drop=True)
    groups = split_groups(train, split)
    frame, prices = feature_frame(train), train["price"].to_numpy(float)
    base = TitleModel(specs["price_decile"].edges, specs["price_band"].edges, TitleModelConfig(seed=seed))
    _, chosen, config = calibrated_oof(base, frame, prices, groups, CV_FOLDS)
    model = clone(base).set_params(config=config).fit(frame, prices, groups.tolist())
    return model, {"fit_on": "train", "settings_chosen_on": "out-of-fold train rows", "settings": chosen}


def split_groups(rows: pd.DataFrame, split: pd.DataFrame) -> np.ndarray:
    """The product group of each row as the run's split drew it (`group` of split.parquet: title keys merged
    across identical images), so no cross-validation fold shares a group, or an image, with another."""
    group = rows["product_id"].map(split.drop_duplicates("product_id").set_index("product_id")["group"])
    return group.fillna(rows["product_id"].astype(str)).astype(str).to_numpy()


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
        blended = pred.proba(target, title_model.config_.blend_weights)
        parts.append(pd.DataFrame(blended, columns=[f"title_{target}__{c}" for c in title_model.bin_classes[target]]))
    parts.append(pd.DataFrame(pred.quantiles(title_model.config_.ridge_shares), columns=list(TITLE_LOGQ)))
    parts.append(dense_title_features(frame, codes).drop(columns=list(IMAGE_COLUMNS)).reset_index(drop=True))
    return pd.concat(parts, axis=1)


def fit_and_evaluate(run: RunDir, meta_df: pd.DataFrame, settings: Settings) -> dict:
    """Fit the title model on TRAIN; let the candidates compete on VAL; score on TEST, write predictions + metrics;
    return a manifest."""
    # The models are small (hundreds to a few thousand rows): one BLAS/OpenMP thread each is as fast alone and ten
    # times faster on a busy machine, where threads that wait for each other spin.
    with threadpool_limits(TREE_THREADS):
        return _fit_and_evaluate(run, meta_df, settings)


def _fit_and_evaluate(run: RunDir, meta_df: pd.DataFrame, settings: Settings) -> dict:
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
    title_model, title_info = fit_title_model(meta_df, split, specs, settings.seed)
    scored = probs["price_decile"][["product_id", "split"]].drop_duplicates("product_id")
    rows = {s: scored[scored["split"] == s][["product_id"]].merge(meta_df, on="product_id", how="left")
            .assign(title=lambda d: d["title"].fillna("")) for s in ("val", "test")}
    codes = LabelCodes().fit(feature_frame(meta_df))
    X = {s: meta_features(rows[s], probs, title_model, codes) for s in rows}
    truth = {s: {t: cnn_truth(probs[t], rows[s]["product_id"]) for t in specs} for s in rows}
    train_rows = meta_df.merge(split[split["split"] == "train"][["product_id"]], on="product_id")
    result = {"competitions": {}, "test_proba": {}, "truth": truth, "rows": rows, "specs": specs, "probs": probs,
              "title_info": title_info, "X": X,
              "train_truth": {t: specs[t].encode(train_rows["price"].where(train_rows["price"] > 0).tolist())
                              for t in PRICE_TARGETS}}
    groups = split_groups(rows["val"], split)
    for target in PRICE_TARGETS:
        y, n = truth["val"][target], len(specs[target].classes)
        known = y != MISSING
        if known.sum() < 2 or len(set(y[known])) < 2:
            raise ValueError(f"{target}: VAL has {known.sum()} labelled rows in {len(set(y[known]))} classes; "
                             "the meta-models need at least 2 of each")
        candidates = price_candidates(target, list(X["val"].columns), settings.seed)
        competition = compete(candidates, X["val"][known], y[known], groups[known], n)
        result["competitions"][target] = competition
        for name, model in competition.fitted.items():
            result["test_proba"][(name, target)] = full_proba(model, X["test"], n)
    priced_val = rows["val"]["price"].to_numpy(float) > 0
    result["estimate"], result["estimate_selection"] = fit_estimate(
        X["val"][priced_val], rows["val"]["price"].to_numpy(float)[priced_val], groups[priced_val], X["test"],
        settings.seed)
    result["fee_schedule"] = schedule_from(settings)  # the net payout column of the predictions (output only)
    return write_outputs(run, result)


def oof_log_quantiles(new_estimator: Callable[[], PriceEstimator], X: np.ndarray, prices: np.ndarray,
                      groups: np.ndarray) -> np.ndarray:
    """Grouped out-of-fold log quantiles (the estimator is fit on VAL itself, so its own residuals there would be
    too small for the interval margin and too kind to its MdAPE)."""
    oof = np.zeros((len(prices), 3))
    for a, b in GroupKFold(n_splits=min(CV_FOLDS, len(set(groups)))).split(X, prices, groups):
        oof[b] = new_estimator().fit(X[a], prices[a]).predict_log(X[b])
    return oof


def fit_estimate(X_val: pd.DataFrame, prices: np.ndarray, groups: np.ndarray, X_test: pd.DataFrame, seed: int
                 ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict]:
    """The dollar estimate for TEST rows and how it was chosen: the title model's quantiles (fit on TRAIN, so VAL
    scores them as they are) against a quantile GB on the meta features (grouped out-of-fold on VAL); the lower
    MdAPE wins (ties: the title model). Each interval is widened by its split-conformal margin on VAL."""
    if len(set(groups)) < 2:
        raise ValueError(f"{len(set(groups))} priced product group(s) in VAL; the dollar estimate needs 2")
    new_estimator = partial(PriceEstimator, categorical=categorical_mask(list(X_val.columns)), max_iter=200,
                            seed=seed)
    logq = {"title_only": X_val[list(TITLE_LOGQ)].to_numpy(float),
            "meta": oof_log_quantiles(new_estimator, X_val.to_numpy(float), prices, groups)}
    margins = {k: interval_margin(q, prices) for k, q in logq.items()}
    cv = {k: price_metrics(prices, *dollar_interval(q, margins[k])) for k, q in logq.items()}
    selected = min(logq, key=lambda k: (cv[k]["mdape"], k != "title_only"))
    if selected == "meta":
        test_logq = new_estimator().fit(X_val.to_numpy(float), prices).predict_log(X_test.to_numpy(float))
    else:
        test_logq = X_test[list(TITLE_LOGQ)].to_numpy(float)
    info = {"selected": selected, "interval_log_margin": round(float(margins[selected]), 4),
            "cv_folds": min(CV_FOLDS, len(set(groups))), "cv_rows": len(prices),
            "candidates": {k: {"cv_mdape": v["mdape"], "cv_mae": v["mae"]} for k, v in cv.items()}}
    return dollar_interval(test_logq, margins[selected]), info
