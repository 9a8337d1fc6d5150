"""The forecast stage of the weekly flow: the price history of all weeks in, forecasts 1, 2, 4 and 8 weeks
ahead with 80 % intervals out, for every product priced in any of the last 8 weeks; products never priced
get the cold-start (cross-sectional) estimate, marked as such.

The history has one row per (product_id, week): week (ISO `yyyy-Www`), week_start (Monday), model, brand,
search_model, title, price_usd (null when unpriced), priced, release_date, retail_usd, template_id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sneaker_core.atomic import atomic_path, sha256_file, write_json
from sneaker_core.csv_files import write_csv_table
from sneaker_core.forecast.backtest import (
    backtest_table,
    choose,
    chosen_forecasts,
    evaluate,
    needed_origins,
    summarise,
)
from sneaker_core.forecast.features import RECENT_WEEKS, build_cube
from sneaker_core.forecast.weekly import monday, panel_from_weekly
from sneaker_core.rundir import BACKTEST_JSON, FORECASTS_CSV, FORECASTS_PARQUET

FORECAST_VERSION = 5  # bump when the stage's logic changes: cached forecasts are then recomputed
HORIZONS = (1, 2, 4, 8)
COLD_START = "cold_start"
HISTORY_COLUMNS = ("product_id", "week_start", "model", "brand", "title", "price_usd", "priced",
                   "release_date", "retail_usd")
OUT_COLUMNS = ["product_id", "title", "model", "origin_week", "horizon", "target_week", "forecast_usd",
               "low_usd", "high_usd", "method", "cold_start"]


class HistoryError(ValueError):
    """A history frame the stage cannot read (missing columns)."""


def iso_week(day: pd.Timestamp) -> str:
    year, week, _ = pd.Timestamp(day).isocalendar()
    return f"{year}-W{week:02d}"


def forecast_history(history: pd.DataFrame, cold_start: pd.DataFrame | pd.Series | None = None,
                     as_of_week: pd.Timestamp | None = None, horizons=HORIZONS, seed: int = 0
                     ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(forecasts in OUT_COLUMNS, backtest dict). Only weeks up to `as_of_week` (default: the last) are read.
    `cold_start`: product_id -> estimate_usd (a Series, or a frame with product_id, estimate_usd and
    optional low_usd / high_usd)."""
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise HistoryError(f"price history lacks column(s) {', '.join(missing)}")
    h = history.assign(week_start=monday(history["week_start"]).to_numpy(),
                       product_id=history["product_id"].astype(str))
    if as_of_week is not None:
        h = h[h["week_start"] <= pd.Timestamp(as_of_week)]
    if h.empty:
        raise HistoryError("price history has no weeks up to the forecast origin")
    horizons = sorted(horizons)
    origin_day = h["week_start"].max()
    titles = h.sort_values("week_start").groupby("product_id")[["title", "model"]].last()
    priced = h["priced"].astype(bool) & h["price_usd"].notna() & (h["price_usd"] > 0)
    weekly = pd.DataFrame({"key": h["product_id"], "week_start": h["week_start"],
                           "price": h["price_usd"].where(priced), "product": h["product_id"], "size": "",
                           "model": h["model"], "brand": h["brand"].fillna(""),
                           "release_date": h["release_date"], "retail_usd": h["retail_usd"]})
    frames, report = [], {"origin_week": iso_week(origin_day), "horizons": horizons}
    if priced.any():
        panel = panel_from_weekly(weekly, end=origin_day)
        origin = len(panel.weeks) - 1
        pairs = [(t - k, k) for k in horizons for t in range(origin - RECENT_WEEKS + 1, origin + 1) if t - k >= 0]
        cube = build_cube(panel)
        bt = backtest_table(cube, needed_origins([origin] + [o for o, _ in pairs], horizons), horizons,
                            seed=seed)
        choices = choose(bt, origin, horizons)
        rows = chosen_forecasts(bt, origin, choices)
        ids = panel.info.index[rows["series"].to_numpy()]
        frames.append(pd.DataFrame({"product_id": ids, "horizon": rows["horizon"].to_numpy(),
                                    "forecast_usd": rows["point"].to_numpy(), "low_usd": rows["low"].to_numpy(),
                                    "high_usd": rows["high"].to_numpy(), "method": rows["method"].to_numpy(),
                                    "cold_start": False}))
        report["choice"] = {k: {"method": c.method, "weights": c.weights, "n_judged": c.n_eval,
                                "widen_log": None if np.isnan(c.widen) else round(c.widen, 5),
                                "mdape_pct": {m: round(100 * v, 2) for m, v in c.mdape.items()}}
                            for k, c in choices.items()}
        report["evaluation"] = summarise(evaluate(bt, pairs)) if pairs else {}
    never = sorted(set(h["product_id"]) - set(h.loc[priced, "product_id"]))
    cold = _cold_rows(never, cold_start, horizons)
    forecast = int(sum(f["product_id"].nunique() for f in frames))
    report["counts"] = {"forecast": forecast,
                        "not_recent": int(h.loc[priced, "product_id"].nunique()) - forecast,
                        "cold_start": int(cold["product_id"].nunique()),
                        "no_history_no_estimate": len(never) - int(cold["product_id"].nunique())}
    frames = [f for f in [*frames, cold] if len(f)] or [cold]
    out = pd.concat(frames, ignore_index=True).join(titles, on="product_id")
    out["origin_week"] = report["origin_week"]
    out["target_week"] = [iso_week(origin_day + pd.Timedelta(weeks=int(k))) for k in out["horizon"]]
    for c in ("forecast_usd", "low_usd", "high_usd"):
        out[c] = out[c].astype(float).round(2)
    return out[OUT_COLUMNS].sort_values(["product_id", "horizon"], ignore_index=True), report


def _cold_rows(never: list[str], cold_start, horizons: list[int]) -> pd.DataFrame:
    empty = pd.DataFrame(columns=["product_id", "horizon", "forecast_usd", "low_usd", "high_usd", "method",
                                  "cold_start"])
    if cold_start is None or not never:
        return empty
    table = cold_start.rename("estimate_usd").rename_axis("product_id").reset_index() \
        if isinstance(cold_start, pd.Series) else cold_start
    table = table.assign(product_id=table["product_id"].astype(str))
    table = table[table["product_id"].isin(never) & (pd.to_numeric(table["estimate_usd"]) > 0)]
    if table.empty:
        return empty
    rows = table.loc[table.index.repeat(len(horizons))].assign(horizon=np.tile(horizons, len(table)))
    return pd.DataFrame({"product_id": rows["product_id"].to_numpy(), "horizon": rows["horizon"].to_numpy(),
                         "forecast_usd": rows["estimate_usd"].to_numpy(dtype=float),
                         "low_usd": rows.get("low_usd", pd.Series(np.nan, index=rows.index)).to_numpy(dtype=float),
                         "high_usd": rows.get("high_usd", pd.Series(np.nan, index=rows.index)).to_numpy(dtype=float),
                         "method": COLD_START, "cold_start": True})


def write_forecasts(folder: Path | str, forecasts: pd.DataFrame, backtest: dict[str, Any]) -> dict[str, Any]:
    """Write the three files atomically; the manifest lists them with their sha256."""
    folder = Path(folder)
    with atomic_path(folder / FORECASTS_PARQUET) as tmp:
        forecasts.to_parquet(tmp, index=False)
    write_csv_table(forecasts, folder / FORECASTS_CSV)
    write_json(folder / BACKTEST_JSON, backtest)
    files = {name: sha256_file(folder / name) for name in (FORECASTS_PARQUET, FORECASTS_CSV, BACKTEST_JSON)}
    return {"folder": str(folder), "files": files, "rows": len(forecasts),
            "products": int(forecasts["product_id"].nunique()),
            "cold_start": int(forecasts.loc[forecasts["cold_start"], "product_id"].nunique()),
            "origin_week": backtest["origin_week"]}

