"""Per-size estimates: a product's dollar estimate and interval times its model's size curve.

The curves are the forecast stage's (`backtest.json` of the run: per model, the price of each size relative to
its product's median ask that week, shrunk toward the brand's and the overall curve where a model has few
asks). A row asks for a size by a `size` value (`--size` on the command line, or a CSV column); every row that
asks gets `size_label` (the size as the marketplace writes it), `size_ratio` and a `size_reason` that is empty
when the ratio was applied.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sneaker_core.rundir import RunDir

ESTIMATE_COLUMNS = ("price_estimate_usd", "price_low_usd", "price_high_usd")
SIZE_COLUMNS = ("size_label", "size_ratio", "size_reason")
NO_CURVES = "no_size_curves_in_run"  # the run has no forecast stage (e.g. a train-titles run)
NO_MODEL_CURVE = "no_size_curve_for_model"  # no size asks of this model were scraped that week
UNKNOWN_SIZE = "size_not_in_curve"  # a size the model's products were not offered in
NO_ESTIMATE = "no_estimate"


def load_size_curves(run: RunDir) -> dict[str, dict[str, float]]:
    """{model: {size label: ratio}} of the run's forecast stage; empty when the run has none or it is unreadable."""
    try:
        curves = json.loads(run.backtest.read_text(encoding="utf-8")).get("size_curves", {}).get("models", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return curves if isinstance(curves, dict) else {}


def size_label(value: object) -> str:
    """A size as the marketplace labels it: `9.5`, `10` (numbers written without trailing zeros), else the text."""
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{number:g}" if np.isfinite(number) else text


def size_ratio(curves: dict[str, dict[str, float]], model: object, size: str) -> tuple[float | None, str]:
    """(ratio, "") for a model and size label the curves know, else (None, why not)."""
    if not curves:
        return None, NO_CURVES
    curve = curves.get(str(model)) if model else None
    if not curve:
        return None, NO_MODEL_CURVE
    if size not in curve:
        return None, UNKNOWN_SIZE
    return float(curve[size]), ""


def apply_sizes(wide: pd.DataFrame, sizes: pd.Series, curves: dict[str, dict[str, float]]) -> pd.DataFrame:
    """`wide` with the SIZE_COLUMNS, and its estimate columns scaled to the size on the rows whose size the curves
    know (rows that ask for no size keep the product estimate)."""
    labels = [size_label(v) for v in sizes]
    found = [size_ratio(curves, m, s) if s else (None, "") for m, s in zip(wide["model"], labels, strict=True)]
    ratio = np.array([r if r is not None else np.nan for r, _ in found])
    reason = [NO_ESTIMATE if why == "" and s and np.isnan(est) else why
              for (_, why), s, est in zip(found, labels, wide["price_estimate_usd"], strict=True)]
    out = wide.assign(size_label=labels, size_ratio=ratio, size_reason=reason)
    scale = np.where(np.isnan(ratio), 1.0, ratio)
    for col in ESTIMATE_COLUMNS:
        out[col] = (out[col].to_numpy(float) * scale).round(2)
    return out
