"""The forecast stage of one weekly run: read the snapshots of weeks up to the run's week (never a later one),
forecast every product (and every product-size with scraped size asks), write the stage's files.

The cold start of products never priced is the stacking's dollar estimate (the run's predictions table:
product_id, price_estimate_usd, price_low_usd, price_high_usd) when stacking produced one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.atomic import sha256_file
from sneaker_core.csv_files import CsvError, read_csv_table
from sneaker_core.forecast.movers import TOP_PATHS, movers, paths, size_curves
from sneaker_core.forecast.sales_csv import SalesError
from sneaker_core.forecast.sales_forecast import forecast_sales
from sneaker_core.forecast.stage import HORIZONS, OUT_COLUMNS, forecast_history, iso_week, write_forecasts
from sneaker_core.history import read_history, week_start
from sneaker_core.scrape.snapshot import list_snapshots, sizes_path

# The run's forecasts: the stage's columns plus `size` ("" for the product as a whole).
RUN_COLUMNS = [*OUT_COLUMNS[:1], "size", *OUT_COLUMNS[1:]]
COLD_COLUMNS = {"price_estimate_usd": "estimate_usd", "price_low_usd": "low_usd", "price_high_usd": "high_usd"}


def read_cold_start(path: Path | str | None) -> pd.DataFrame | None:
    """product_id, estimate_usd, low_usd, high_usd from a predictions table; None when there is none."""
    if path is None or not Path(path).is_file():
        return None
    try:
        table = read_csv_table(path, what="predictions table", required=["product_id", *COLD_COLUMNS],
                               text_columns=["product_id"])
    except CsvError:
        return None  # a predictions table of another layout gives no cold start; the counts say so
    table = table[["product_id", *COLD_COLUMNS]].rename(columns=COLD_COLUMNS)
    return table.drop_duplicates("product_id", keep="last")


def size_tables_digest(data_dir: Path, until: str) -> str:
    """sha256 over the size tables of the weeks up to `until` (what `size_asks` may read): with the snapshots'
    digest, the stage's cache key, so a size table scraped or changed later in the same week re-forecasts."""
    found = [[str(p), sha256_file(p)] for week, model, _ in list_snapshots(data_dir) if week <= until
             for p in [sizes_path(data_dir, week, model)] if p.is_file()]
    return hashlib.sha256(json.dumps(found).encode()).hexdigest()


def size_asks(data_dir: Path, weeks: list[str], history: pd.DataFrame) -> pd.DataFrame:
    """The scraped per-size asks of `weeks` as sales rows (date = the week's Monday, product, size label,
    price, and the product's model, brand, release date and retail from the history)."""
    frames = []
    models = sorted({m for w, m, _ in list_snapshots(data_dir) if w in weeks})
    for week in weeks:
        for model in models:
            path = sizes_path(data_dir, week, model)
            if not path.is_file():
                continue
            try:
                t = pq.read_table(path, columns=["product_id", "size_label", "ask_usd"]).to_pandas()
            except (OSError, pa.ArrowException):
                continue  # an unreadable size table: that week's sizes are left out, the products still forecast
            frames.append(t.assign(date=pd.Timestamp(week_start(week))))
    if not frames:
        return pd.DataFrame(columns=["date", "product", "size", "price", "model", "brand", "release_date",
                                     "retail_usd"])
    asks = pd.concat(frames, ignore_index=True).dropna(subset=["ask_usd"])
    asks = asks[(asks["ask_usd"] > 0) & (asks["size_label"].fillna("") != "")]
    info = history.sort_values("week_start").groupby("product_id")[["model", "brand", "release_date",
                                                                     "retail_usd"]].last()
    asks = asks[asks["product_id"].isin(info.index)].join(info, on="product_id")
    return pd.DataFrame({"date": asks["date"], "product": asks["product_id"], "size": asks["size_label"],
                         "price": asks["ask_usd"], "model": asks["model"], "brand": asks["brand"].fillna(""),
                         "release_date": asks["release_date"], "retail_usd": asks["retail_usd"]})


def size_forecasts(asks: pd.DataFrame, origin: pd.Timestamp, products: pd.DataFrame, seed: int
                   ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Forecast rows (RUN_COLUMNS) per product-size, by the sales engine's size level (the product's
    path times the size's premium); (empty, why) when the size history cannot be forecast."""
    if asks.empty:
        return pd.DataFrame(columns=RUN_COLUMNS), {"product_sizes": 0, "skipped": "no size asks scraped"}
    try:
        out = forecast_sales(asks, origin, max(HORIZONS), by_size=True, seed=seed)
    except SalesError as exc:
        return pd.DataFrame(columns=RUN_COLUMNS), {"product_sizes": 0, "skipped": str(exc)}
    out = out[(out["size"] != "") & out["horizon"].isin(HORIZONS)]
    rows = pd.DataFrame({"product_id": out["product"], "size": out["size"], "horizon": out["horizon"],
                         "forecast_usd": out["forecast_usd"], "low_usd": out["low_usd"],
                         "high_usd": out["high_usd"], "method": out["method"], "cold_start": False})
    rows = rows.join(products, on="product_id")
    rows["origin_week"] = iso_week(origin)
    rows["target_week"] = [iso_week(origin + pd.Timedelta(weeks=int(k))) for k in rows["horizon"]]
    report = {"product_sizes": int(out[["product", "size"]].drop_duplicates().shape[0]),
              "methods": {k: int(v) for k, v in rows["method"].value_counts().sort_index().items()}}
    return rows[RUN_COLUMNS], report


def forecast_run(data_dir: Path | str, week: str, folder: Path | str, cold_start_path: Path | str | None = None,
                 seed: int = 0) -> dict[str, Any]:
    """Forecast from the snapshots of weeks up to `week` (an ISO week label) and write forecasts.parquet /
    .csv and backtest.json into `folder`; returns the manifest (paths, sha256, counts)."""
    data_dir = Path(data_dir)
    history = read_history(data_dir, until=week)
    forecasts, report = forecast_history(history.frame, read_cold_start(cold_start_path),
                                         as_of_week=pd.Timestamp(week_start(week)), seed=seed)
    report["history"] = {"until_week": week, "files": len(history.files), "digest": history.digest,
                         "skipped_files": history.skipped}
    report["counts"]["cold_start_source"] = str(cold_start_path) if report["counts"]["cold_start"] else None
    origin = pd.Timestamp(week_start(report["origin_week"]))
    weeks = sorted({f.week for f in history.files})
    products = forecasts.drop_duplicates("product_id").set_index("product_id")[["title", "model"]]
    asks = size_asks(data_dir, weeks, history.frame)
    sized, report["sizes"] = size_forecasts(asks, origin, products, seed)
    whole = forecasts.assign(size="")[RUN_COLUMNS]
    out = pd.concat([f for f in (whole, sized) if len(f)] or [whole], ignore_index=True)
    out = out.sort_values(["product_id", "size", "horizon"], ignore_index=True)
    report["movers"] = movers(out, history.frame)
    report["paths"] = paths(out, history.frame, [m["product_id"] for m in report["movers"][:TOP_PATHS]])
    report["size_curves"] = {"week": report["origin_week"],
                             "models": size_curves(asks[asks["date"] == origin])}
    return write_forecasts(folder, out, report)
