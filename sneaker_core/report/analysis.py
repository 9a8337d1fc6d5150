"""Numbers the report derives from the run's files: calibration bins, per-model accuracy, price errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sneaker_core.report.load import RunInputs
from sneaker_core.scoring import price_metrics
from sneaker_core.targets import MISSING

PRICE_COLUMNS = ("true_price_usd", "price_estimate_usd", "price_low_usd", "price_high_usd")


def prob_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("p__")]


def labelled_test(probs: pd.DataFrame) -> pd.DataFrame:
    """Test-split rows with a known true class, plus `confidence` (max probability) and `correct`."""
    rows = probs[(probs["split"] == "test") & (probs["true"] != MISSING)]
    p = rows[prob_columns(rows)].to_numpy(dtype=np.float64)
    out = rows[["product_id", "true"]].copy()
    out["confidence"] = p.max(axis=1) if len(rows) else np.zeros(0)
    out["correct"] = p.argmax(axis=1) == rows["true"].to_numpy() if len(rows) else np.zeros(0, bool)
    return out.reset_index(drop=True)


def calibration(probs: pd.DataFrame, n_bins: int = 10) -> tuple[pd.DataFrame, float]:
    """Reliability bins of max-probability confidence vs accuracy (test split), and the expected calibration
    error (bin-size-weighted mean |accuracy - confidence|). Empty bins are left out."""
    rows = labelled_test(probs)
    if rows.empty:
        raise ValueError("no labelled test rows")
    edges = np.linspace(0.0, 1.0, n_bins + 1).round(12)
    idx = np.clip(np.digitize(rows["confidence"], edges[1:-1]), 0, n_bins - 1)  # [lo, hi); 1.0 in the last
    grouped = rows.assign(bin=idx).groupby("bin")
    bins = pd.DataFrame({
        "lo": edges[:-1], "hi": edges[1:],
    }).join(grouped.agg(n=("correct", "size"), confidence=("confidence", "mean"), accuracy=("correct", "mean")))
    bins = bins.dropna(subset=["n"]).astype({"n": int})
    ece = float((bins["n"] * (bins["accuracy"] - bins["confidence"]).abs()).sum() / bins["n"].sum())
    return bins.reset_index(drop=True), ece


def true_models(run: RunInputs) -> tuple[pd.Series | None, str | None]:
    """Product id -> true sneaker model, from the model CNN's probs (with targets.json classes), else from
    predictions.csv's `true_model`; (None, reason) when neither is there."""
    probs, classes = run.probs.get("model"), run.classes("model")
    if probs is not None and classes:
        known = probs[(probs["true"] >= 0) & (probs["true"] < len(classes))]
        names = pd.Series(np.asarray(classes, dtype=object)[known["true"].to_numpy()], index=known["product_id"])
        return names[~names.index.duplicated()], None
    pred = run.predictions
    if pred is not None and "true_model" in pred.columns:
        known = pred.dropna(subset=["true_model"])
        names = pd.Series(known["true_model"].astype(str).to_numpy(), index=known["product_id"])
        return names[~names.index.duplicated()], None
    return None, "needs probs/model.parquet with targets.json classes, or a true_model column in predictions.csv"


def per_model_accuracy(run: RunInputs, models: pd.Series) -> pd.DataFrame:
    """Test accuracy of each target's CNN per true sneaker model: columns `<target>` (accuracy) and
    `<target>_n` (scored rows), one row per model, sorted by model."""
    parts = {}
    for target, probs in run.probs.items():
        rows = labelled_test(probs)
        rows = rows.assign(model=rows["product_id"].map(models)).dropna(subset=["model"])
        grouped = rows.groupby("model")["correct"]
        parts[target] = grouped.mean()
        parts[f"{target}_n"] = grouped.size()
    if not parts:
        return pd.DataFrame()
    return pd.DataFrame(parts).sort_index()


def test_predictions(run: RunInputs) -> tuple[pd.DataFrame, str]:
    """predictions.csv rows of the test split (by its own `split` column, else split.parquet), and a note
    saying which rows were used."""
    pred = run.predictions
    if pred is None:
        raise ValueError("predictions.csv is not available")
    if "split" in pred.columns:
        return pred[pred["split"] == "test"], "test rows (split column of predictions.csv)"
    if run.split is not None:
        test_ids = set(run.split.loc[run.split["split"] == "test", "product_id"])
        return pred[pred["product_id"].isin(test_ids)], "test rows (split.parquet)"
    return pred, "all rows of predictions.csv (no split information to select test rows)"


def price_errors(pred: pd.DataFrame) -> pd.DataFrame:
    """Rows with a positive true price and estimate: the price columns, `ape` (absolute percentage error,
    a fraction) and `inside` (true price within the 10-90 % interval, NaN when no interval)."""
    missing = [c for c in PRICE_COLUMNS[:2] if c not in pred.columns]
    if missing:
        raise ValueError(f"predictions.csv lacks {', '.join(missing)}")
    df = pred.copy()
    for c in PRICE_COLUMNS:
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df.columns else np.nan
    df = df[(df["true_price_usd"] > 0) & (df["price_estimate_usd"] > 0)].copy()
    df["ape"] = (df["price_estimate_usd"] - df["true_price_usd"]).abs() / df["true_price_usd"]
    has_interval = df["price_low_usd"].notna() & df["price_high_usd"].notna()
    inside = (df["price_low_usd"] <= df["true_price_usd"]) & (df["true_price_usd"] <= df["price_high_usd"])
    df["inside"] = np.where(has_interval, inside.astype(float), np.nan)
    return df


def price_summary(errors: pd.DataFrame) -> dict[str, float | int | None]:
    """MdAPE (fraction), MAE (dollars) and 10-90 % interval coverage of priced rows (`scoring.price_metrics`)."""
    return price_metrics(errors["true_price_usd"], errors["price_estimate_usd"], errors["price_low_usd"],
                         errors["price_high_usd"])
