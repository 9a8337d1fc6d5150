"""Week-over-week drift of one model's snapshot against its previous one: listing count, unpriced share, median
price, and the population stability index (PSI) of the price distribution and of the label mix.

PSI = sum((cur - base) * ln(cur / base)) over bins; prices are binned at the baseline's deciles, labels by
value (the model label, or `(<status>)` for unlabelled rows). Rule of thumb: < 0.1 stable, > 0.25 shifted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sneaker_core.governance.contract import ContractError, check_frame, read_frame
from sneaker_core.scrape.snapshot import snapshot_path, snapshot_weeks

EPS = 1e-4  # floor of a bin's share, so an empty bin counts as a large shift instead of an infinity


@dataclass(frozen=True)
class Thresholds:
    count_change: float
    unpriced_change: float
    median_change: float
    price_psi: float
    label_psi: float

    @classmethod
    def from_settings(cls, s: Any) -> Thresholds:
        return cls(s.drift_max_count_change, s.drift_max_unpriced_change, s.drift_max_median_change,
                   s.drift_max_price_psi, s.drift_max_label_psi)


def psi(base: pd.Series, current: pd.Series) -> float:
    """PSI of two share vectors over the union of their bins (missing bins have share 0, floored at EPS)."""
    b, c = base.align(current, fill_value=0.0)
    b, c = np.clip(b.to_numpy(float), EPS, None), np.clip(c.to_numpy(float), EPS, None)
    return float(np.sum((c - b) * np.log(c / b)))


def price_shares(prices: pd.Series, edges: np.ndarray) -> pd.Series:
    bins = np.searchsorted(edges, prices.to_numpy(float), side="right")
    return pd.Series(bins).value_counts(normalize=True)


def label_shares(frame: pd.DataFrame) -> pd.Series:
    labels = frame["model"].where(frame["model"].notna() & (frame["model"] != ""), "(" + frame["status"] + ")")
    return labels.value_counts(normalize=True)


def _relative(new: float, old: float) -> float | None:
    return None if not old or math.isnan(old) or math.isnan(new) else new / old - 1.0


def compare_weeks(previous: pd.DataFrame, current: pd.DataFrame, limits: Thresholds) -> dict[str, Any]:
    """Drift figures of `current` against `previous`, and a warning for each one beyond its threshold."""
    prev_prices, cur_prices = previous["price_usd"].dropna(), current["price_usd"].dropna()
    medians = [float(p.median()) if len(p) else math.nan for p in (prev_prices, cur_prices)]
    figures: dict[str, Any] = {
        "listings": [len(previous), len(current)],
        "count_change": _relative(len(current), len(previous)),
        "unpriced_change": float(current["price_usd"].isna().mean() - previous["price_usd"].isna().mean()),
        "median_price": [None if math.isnan(m) else m for m in medians],
        "median_change": _relative(medians[1], medians[0]),
        "label_psi": psi(label_shares(previous), label_shares(current)),
    }
    if len(prev_prices) >= 10 and len(cur_prices):
        edges = np.unique(np.quantile(prev_prices, np.linspace(0.1, 0.9, 9)))
        figures["price_psi"] = psi(price_shares(prev_prices, edges), price_shares(cur_prices, edges))
    else:
        figures["price_psi"] = None
    checks = (("count_change", limits.count_change, "listing count", True),
              ("unpriced_change", limits.unpriced_change, "unpriced share", True),
              ("median_change", limits.median_change, "median price", True),
              ("price_psi", limits.price_psi, "price PSI", False),
              ("label_psi", limits.label_psi, "label-mix PSI", False))
    warnings = []
    for key, limit, name, signed in checks:
        value = figures[key]
        if value is not None and abs(value) > limit:
            shown = f"{value:+.0%} (limit ±{limit:.0%})" if signed else f"{value:.2f} (limit {limit:.2f})"
            warnings.append(f"{name} {shown}")
    return {**figures, "warnings": warnings}


def baseline(data_dir: Path, week: str, model: str) -> tuple[str | None, pd.DataFrame | None, list[str]]:
    """The latest earlier snapshot of `model` that keeps the contract: (week, frame, skipped weeks with why)."""
    skipped = []
    for earlier in reversed([w for w in snapshot_weeks(data_dir, model) if w < week]):
        path = snapshot_path(data_dir, earlier, model)
        try:
            frame = read_frame(path)
            check_frame(frame, str(path))
        except (ContractError, OSError, ValueError) as exc:
            skipped.append(f"{earlier}: {str(exc)[:200]}")
            continue
        return earlier, frame, skipped
    return None, None, skipped


def model_drift(data_dir: Path, week: str, model: str, limits: Thresholds) -> dict[str, Any]:
    """Drift of this week's snapshot of `model`; `status` says `compared` or why there is nothing to compare."""
    base_week, base, skipped = baseline(data_dir, week, model)
    if base is None:
        return {"model": model, "week": week, "status": "no earlier snapshot", "skipped": skipped, "warnings": []}
    current = read_frame(snapshot_path(data_dir, week, model))
    return {"model": model, "week": week, "baseline_week": base_week, "status": "compared", "skipped": skipped,
            **compare_weeks(base, current, limits)}


def week_drift(data_dir: Path, week: str, models: list[str], limits: Thresholds) -> dict[str, Any]:
    """Drift of every model of the run; `warnings` are prefixed by the model and block promotion."""
    per_model = {m: model_drift(data_dir, week, m, limits) for m in sorted(models)}
    return {"week": week, "thresholds": asdict(limits), "models": per_model,
            "warnings": [f"{m}: {w}" for m, d in per_model.items() for w in d["warnings"]]}
