"""Predict rows that may have only a title (search_model and image optional) with a saved title model.

Output columns: the input columns, `model`, `brand`, `label_status`, `pred_price_decile` (index 0-9),
`pred_price_decile_class`, `pred_price_band` (the band's lower edge in dollars), `pred_price_band_class`,
`price_estimate_usd`, `price_low_usd`, `price_high_usd`, `p_price_decile__<class>`, `p_price_band__<class>`,
and `reason` (empty for predicted rows; why a row got no prediction otherwise).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.catalog import label_with_search
from sneaker_core.registry import ModelSpec
from sneaker_core.rundir import RunDir
from sneaker_core.stacking.features import feature_frame
from sneaker_core.stacking.predictions import TargetOutput, wide_table, write_csv
from sneaker_core.stacking.title_models import TITLE_TARGETS, TitleModel
from sneaker_core.stacking.title_run import load_title_model
from sneaker_core.titles import normalise_title

EMPTY_TITLE = "empty title"
OUTPUT_FIXED = ("model", "brand", "label_status", "price_estimate_usd", "price_low_usd", "price_high_usd", "reason")


def read_title_csv(csv_path: Path | str) -> pd.DataFrame:
    """A CSV with at least a `title` column, read as text (no NaN guessing)."""
    path = Path(csv_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist or is not a file")
    try:
        # blank lines are rows too: they are reported as "empty title", not silently skipped
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a readable CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    if "title" not in df.columns:
        raise ValueError(f"{path} has no `title` column; found {', '.join(df.columns) or 'none'}")
    return df


def predict_title_rows(df: pd.DataFrame, model: TitleModel, models: Sequence[ModelSpec]) -> pd.DataFrame:
    """One output row per input row, in order, labelled against `models` (the models registry); rows without
    a usable title carry a reason instead."""
    df = df.reset_index(drop=True)
    search = df["search_model"] if "search_model" in df.columns else pd.Series("", index=df.index)
    labels = [label_with_search(str(t), str(s).strip(), models) for t, s in zip(df["title"], search)]
    usable = np.array([bool(normalise_title(t)) for t in df["title"]], dtype=bool)
    frame = feature_frame(df.assign(model=[lab.model or "" for lab in labels],
                                    brand=[lab.brand or "" for lab in labels]))
    base = df.drop(columns=[c for c in df.columns if c in OUTPUT_FIXED or c.startswith(("p_", "pred_"))])
    base = base.assign(model=[lab.model for lab in labels], brand=[lab.brand for lab in labels],
                       label_status=[lab.status for lab in labels])
    n = len(df)
    probas = {t: np.full((n, len(model.classes[t])), np.nan) for t in TITLE_TARGETS}
    estimate = np.full((n, 3), np.nan)
    if usable.any():
        blended, pred = model.predict_proba(frame[usable])
        for t in TITLE_TARGETS:
            probas[t][usable] = blended[t]
        estimate[usable] = np.column_stack(pred.estimate(model.config.interval_margins))
    # wide_table needs finite rows for argmax; fill, then blank the unusable rows again
    filled = {t: TargetOutput(model.classes[t], np.nan_to_num(p, nan=0.0)) for t, p in probas.items()}
    wide = wide_table(base, filled)
    band_lower = np.asarray(model.edges["price_band"][:-1])
    wide["pred_price_band"] = band_lower[wide["pred_price_band"].to_numpy()].round().astype(int)
    for col in [c for c in wide.columns if c.startswith(("pred_", "p_"))]:
        wide[col] = wide[col].where(usable, None)
    for col in ("pred_price_decile", "pred_price_band"):
        wide[col] = wide[col].astype("Int64")
    wide["price_estimate_usd"], wide["price_low_usd"], wide["price_high_usd"] = estimate.T.round(2)
    wide["reason"] = np.where(usable, "", EMPTY_TITLE)
    return wide


def predict_csv(csv_path: Path | str, run: RunDir, out_path: Path | str, models: Sequence[ModelSpec]) -> dict:
    """Predict every row of a CSV with the run's title model; write the wide CSV atomically; return counts."""
    model = load_title_model(run)
    table = predict_title_rows(read_title_csv(csv_path), model, models)
    write_csv(table, out_path)
    reasons = Counter(r for r in table["reason"] if r)
    return {"rows": len(table), "predicted": int((table["reason"] == "").sum()), "skipped": dict(reasons),
            "out": str(out_path)}
