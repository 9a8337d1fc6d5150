"""Train the title models on a catalog CSV, save/load them in a run directory, predict title rows.

`train_titles` chooses the per-condition blend weights, ridge shares and interval margins (`title_calibrate`) on
grouped out-of-fold predictions of every priced row (`title_calibrate.calibrated_oof`: each row predicted by
models that never saw its product group), then fits the models with those settings on all priced rows, decile
edges included. Choosing on all rows' out-of-fold predictions rather than on one held-out fifth gives the settings
five times the rows; the out-of-fold scores it reports as validation chose a handful of scalars on the same rows,
so they run slightly optimistic (bench/retail_model.py scores the same protocol on outer folds no choice reads).
Optional `retail_usd` / `release_date` columns feed the market condition; the age is taken at each row's `as_of`
column or else at the `as_of` date given (the date the catalog's prices were seen).
"""

from __future__ import annotations

import json
import pickle
import platform
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone

from sneaker_core.atomic import atomic_path, write_json
from sneaker_core.catalog import label_catalog
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.scoring import class_scores, majority_scores, price_metrics
from sneaker_core.settings import DEFAULT_PRICE_BAND_EDGES
from sneaker_core.stacking.features import feature_frame
from sneaker_core.stacking.market_features import market_counts
from sneaker_core.stacking.title_calibrate import calibrated_oof
from sneaker_core.stacking.title_models import (
    TITLE_ONLY,
    TITLE_TARGETS,
    WITH_IMAGE,
    WITH_MARKET,
    TitleModel,
    TitleModelConfig,
    TitlePrediction,
)
from sneaker_core.targets import assign_bins, edges_from_json, edges_to_json, fit_decile_edges

TITLES_STAGE = "titles"
TITLE_FOLDS = 5  # grouped folds of the settings' out-of-fold calibration
FORMAT_VERSION = 6  # bump when the saved model's layout (its attributes) changes; older files are refused


def priced_rows(labelled: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows with a parsed price, and the count of dropped rows per price reason."""
    priced = labelled["price_usd"].notna()
    dropped = Counter(str(r) for r in labelled.loc[~priced, "price_reason"])
    return labelled[priced].reset_index(drop=True), dict(sorted(dropped.items()))


def evaluate(model: TitleModel, pred: TitlePrediction, prices: np.ndarray, train_prices: np.ndarray,
             config: TitleModelConfig) -> dict:
    """Scores of a fitted model's prediction of held-out rows with the settings of `config`: per target
    blended/classifier/regression/majority, and the dollar estimate."""
    weights = config.blend_weights
    estimate = pred.estimate(config.interval_margins, config.ridge_shares)
    out: dict = {"price_estimate": price_metrics(prices, *estimate)}
    for target in TITLE_TARGETS:
        edges = model.edges[target]
        true = assign_bins(prices, edges)
        out[target] = {
            "blended": class_scores(true, pred.proba(target, weights).argmax(1)),
            "classifier": class_scores(true, pred.classifier_proba[target].argmax(1)),
            "regression": class_scores(true, pred.regression_proba[target].argmax(1)),
            "majority": majority_scores(assign_bins(train_prices, edges), true),
            "blend_weights": {c: w[target] for c, w in weights.items()},
        }
    return out


def unfitted_title_models(prices: np.ndarray, config: TitleModelConfig) -> TitleModel:
    """The title models a catalog trains: decile edges from its `prices`, the default $ bands, `config`."""
    return TitleModel(fit_decile_edges(prices), list(DEFAULT_PRICE_BAND_EDGES), config)


def train_titles(csv_path: Path | str, run_dir: Path | str, seed: int = 0,
                 config: TitleModelConfig | None = None, log: Callable[[str], None] = print,
                 as_of: str | None = None, models_file: Path | None = None) -> dict:
    """Calibrate and validate out of fold (`calibrated_oof`), fit on all priced rows (labelled with `models_file`,
    else the built-in models), save model + manifest + decile edges."""
    run = RunDir(Path(run_dir))
    labelled = label_catalog(csv_path, models_file=models_file)
    rows, dropped = priced_rows(labelled)
    log(f"{len(labelled)} rows, {len(rows)} priced; dropped: {dropped or 'none'}")
    if len(rows) < 20:
        raise ValueError(f"{csv_path}: only {len(rows)} priced rows; need at least 20 to train title models")
    frame, prices, groups = feature_frame(rows, as_of), rows["price_usd"].to_numpy(float), rows["group_key"]
    market = market_counts(rows)
    log(f"market columns of the priced rows: {json.dumps(market)}")
    log(f"grouped {TITLE_FOLDS}-fold out-of-fold calibration and validation: {len(rows)} rows, "
        f"{groups.nunique()} product groups")
    base = unfitted_title_models(prices, config or TitleModelConfig(seed=seed))
    views, _, config = calibrated_oof(base, frame, prices, groups, TITLE_FOLDS)
    validation = evaluate(base, views[TITLE_ONLY], prices, prices, config)
    with_image = evaluate(base, views[WITH_IMAGE], prices, prices, config)
    with_market = evaluate(base, views[WITH_MARKET], prices, prices, config)
    log(f"validation, title-only (image URLs and market columns blanked): {json.dumps(summary_line(validation))}")
    log(f"validation, image URLs as given: {json.dumps(summary_line(with_image))}")
    if views[WITH_MARKET].market_rows.any():
        log(f"validation, image URLs and market columns as given: {json.dumps(summary_line(with_market))}")

    model = clone(base).set_params(config=config).fit(frame, prices, groups.tolist())
    manifest = {
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "catalog": str(csv_path),
        "rows": len(labelled), "priced_rows": len(rows), "dropped": dropped,
        "validation_split": {"method": f"GroupKFold({TITLE_FOLDS}) out-of-fold on group_key",
                             "settings_chosen_on": "the same out-of-fold predictions", "rows": len(rows)},
        "validation": validation,  # title-only rows, as `sneaker predict` meets them
        "validation_with_image": with_image,
        "validation_with_market": with_market,
        "market_inputs": {"counts": market, "as_of": as_of if as_of is not None else "each row's as_of column"},
        "final_fit": "all priced rows (decile edges refit on them too)",
        "config": config.to_json(),
        "decile_edges": edges_to_json(model.edges["price_decile"]),
        "band_edges": edges_to_json(model.edges["price_band"]),
        "versions": {"python": platform.python_version(), "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__, "joblib": joblib.__version__},
    }
    save_title_model(model, run, manifest)
    log(f"saved title models to {run.path}")
    return manifest


def summary_line(scores: dict) -> dict:
    """The headline figures of `evaluate`'s output."""
    return {
        "decile_accuracy": scores["price_decile"]["blended"]["accuracy"],
        "decile_within_one": scores["price_decile"]["blended"]["within_one"],
        "band_accuracy": scores["price_band"]["blended"]["accuracy"],
        "band_majority": scores["price_band"]["majority"]["accuracy"],
        "mdape": scores["price_estimate"]["mdape"],
        "mae": scores["price_estimate"]["mae"],
        "coverage_10_90": scores["price_estimate"]["coverage_10_90"],
    }


def save_title_model(model: TitleModel, run: RunDir, manifest: dict) -> None:
    """Model (joblib), manifest (JSON) and decile edges (JSON list of 11, infinities as null), atomically; their
    sha256 go to the run's `titles` stage manifest, which `load_title_model` checks before unpickling."""
    run.create()
    with atomic_path(run.title_model) as tmp:
        joblib.dump(model, tmp)
    write_json(run.decile_edges, edges_to_json(model.edges["price_decile"]))
    write_json(run.title_manifest, manifest)
    run.record(TITLES_STAGE, [run.title_model, run.title_manifest, run.decile_edges])


def load_title_model(run: RunDir) -> TitleModel:
    """The saved title model, unpickled only once its sha256 matches the run's record; a one-line error when the
    run has none, the file changed, or its files disagree."""
    path = run.title_model
    if not path.is_file():
        raise RunDirError(f"{run.path} has no title model; train one with `sneaker train-titles`")
    manifest = run.trusted(TITLES_STAGE, run.title_manifest)
    saved_format = json.loads(manifest.read_text(encoding="utf-8")).get("format_version")
    if saved_format != FORMAT_VERSION:
        raise RunDirError(f"{path} has format {saved_format}, this version reads {FORMAT_VERSION}; "
                          "retrain it with `sneaker train-titles`")
    verified = run.trusted(TITLES_STAGE, path)
    try:
        model = joblib.load(verified)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, AttributeError, ImportError, OSError) as exc:
        raise RunDirError(f"{path} is corrupt ({type(exc).__name__}); retrain it with `sneaker train-titles`") from None
    if not isinstance(model, TitleModel):
        raise RunDirError(f"{path} holds a {type(model).__name__}, not a TitleModel")
    saved = edges_from_json(json.loads(run.trusted(TITLES_STAGE, run.decile_edges).read_text(encoding="utf-8")))
    if saved != model.edges["price_decile"]:
        raise RunDirError(f"{run.decile_edges} does not match the saved model's decile edges")
    return model
