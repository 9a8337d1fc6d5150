"""Predict rows that may have only a title (search_model, image, retail_usd and release_date optional) with a
saved title model.

Output columns: the input columns, `model`, `brand`, `label_status`, `pred_price_decile` (index 0-9),
`pred_price_decile_class`, `pred_price_band` (the band's lower edge in dollars), `pred_price_band_class`,
`price_estimate_usd`, `price_low_usd`, `price_high_usd` (for the size a `size` column asks for, with
`size_label`, `size_ratio` and `size_reason`), `net_payout_usd` (what the seller receives at the
estimate under the fee schedule, `sneaker_core.payout`), `p_price_decile__<class>`, `p_price_band__<class>`,
and `reason` (empty for predicted rows; why a row got no prediction otherwise). Input columns whose names
these use (or that start with `p_` / `pred_`) are kept as `input_<name>`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.catalog import label_with_search
from sneaker_core.csv_files import RENAMED_ATTR, check_output_path, keep_clashing_columns, read_csv_table
from sneaker_core.payout import FeeSchedule, net_payouts
from sneaker_core.registry import ModelSpec
from sneaker_core.rundir import RunDir
from sneaker_core.stacking.features import feature_frame
from sneaker_core.stacking.market_features import market_counts
from sneaker_core.stacking.predictions import TargetOutput, wide_table, write_csv
from sneaker_core.stacking.size_estimate import SIZE_COLUMNS, apply_sizes, load_size_curves
from sneaker_core.stacking.title_models import TITLE_TARGETS, TitleModel
from sneaker_core.stacking.title_run import load_title_model
from sneaker_core.titles import normalise_title

EMPTY_TITLE = "empty title"
OUTPUT_FIXED = ("model", "brand", "label_status", "price_estimate_usd", "price_low_usd", "price_high_usd",
                *SIZE_COLUMNS, "net_payout_usd", "reason")


def read_title_csv(csv_path: Path | str) -> pd.DataFrame:
    """A CSV with at least a `title` column, read as text (no NaN guessing); blank lines are rows too: they
    are reported as "empty title", not silently skipped."""
    return read_csv_table(csv_path, what="CSV", required=("title",), blank_lines=True)


def predict_title_rows(df: pd.DataFrame, model: TitleModel, models: Sequence[ModelSpec], schedule: FeeSchedule,
                       as_of=None, size_curves: dict | None = None) -> pd.DataFrame:
    """One output row per input row, in order, labelled against `models` (the models registry); rows without a
    usable title carry a reason instead. Optional `retail_usd` / `release_date` columns feed the market estimate,
    the age taken at `as_of` (or each row's `as_of` column); an optional `size` column scales the estimate and
    its interval by the model's size curve (`size_estimate`)."""
    df = df.reset_index(drop=True)
    search = df["search_model"] if "search_model" in df.columns else pd.Series("", index=df.index)
    labels = [label_with_search(str(t), str(s).strip(), models) for t, s in zip(df["title"], search)]
    usable = np.array([bool(normalise_title(t)) for t in df["title"]], dtype=bool)
    frame = feature_frame(df.assign(model=[lab.model or "" for lab in labels],
                                    brand=[lab.brand or "" for lab in labels]), as_of)
    base, renamed = keep_clashing_columns(df, OUTPUT_FIXED, output_prefixes=("p_", "pred_"))
    base = base.assign(model=[lab.model for lab in labels], brand=[lab.brand for lab in labels],
                       label_status=[lab.status for lab in labels])
    n = len(df)
    probas = {t: np.full((n, len(model.bin_classes[t])), np.nan) for t in TITLE_TARGETS}
    estimate = np.full((n, 3), np.nan)
    if usable.any():
        blended, pred = model.predict_proba(frame[usable])
        for t in TITLE_TARGETS:
            probas[t][usable] = blended[t]
        config = model.config_
        estimate[usable] = np.column_stack(pred.estimate(config.interval_margins, config.ridge_shares))
    # wide_table needs finite rows for argmax; fill, then blank the unusable rows again
    filled = {t: TargetOutput(model.bin_classes[t], np.nan_to_num(p, nan=0.0)) for t, p in probas.items()}
    wide = wide_table(base, filled)
    band_lower = np.asarray(model.edges["price_band"][:-1])
    wide["pred_price_band"] = band_lower[wide["pred_price_band"].to_numpy()].round().astype(int)
    for col in [c for c in wide.columns if c.startswith(("pred_", "p_"))]:
        wide[col] = wide[col].where(usable, None)
    for col in ("pred_price_decile", "pred_price_band"):
        wide[col] = wide[col].astype("Int64")
    wide["price_estimate_usd"], wide["price_low_usd"], wide["price_high_usd"] = estimate.T.round(2)
    if "size" in df.columns:
        wide = apply_sizes(wide, df["size"], size_curves or {})
    wide["net_payout_usd"] = net_payouts(wide["price_estimate_usd"], schedule)
    wide["reason"] = np.where(usable, "", EMPTY_TITLE)
    wide.attrs[RENAMED_ATTR] = renamed
    return wide


def predict_csv(csv_path: Path | str, run: RunDir, out_path: Path | str, models: Sequence[ModelSpec],
                schedule: FeeSchedule, as_of=None) -> dict:
    """Predict every row of a CSV with the run's title model; write the wide CSV atomically; return counts (and,
    per market column, how many values were usable and why the others were not)."""
    check_output_path(out_path, csv_path)
    rows = read_title_csv(csv_path)
    table = predict_title_rows(rows, load_title_model(run), models, schedule, as_of, load_size_curves(run))
    write_csv(table, out_path)
    reasons = Counter(r for r in table["reason"] if r)
    return {"rows": len(table), "predicted": int((table["reason"] == "").sum()), "skipped": dict(reasons),
            "market_inputs": market_counts(rows), "out": str(out_path), "renamed": table.attrs[RENAMED_ATTR]}
