"""The weekly snapshots' market columns for the stack stage: each product's `retail_usd` and `release_date` as
scraped, and `as_of`, the time it was scraped (the age since release is taken there, so nothing is read from
after the price it describes). The shards do not carry them; their path names the snapshot they came from
(`<data>/shards/<week>/<model>/...` -> `<data>/raw/<week>/<model>.parquet`), and the prepare stage records those
(week, model) pairs for the stack stage (`snapshot_keys`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sneaker_core.scrape.snapshot import read_snapshot, snapshot_path

SNAPSHOT_MARKET = ("product_id", "retail_usd", "release_date", "scraped_at")


def snapshot_keys(shard_paths) -> list[tuple[str, str]]:
    """The (week, model) snapshots the shards at `shard_paths` were written from."""
    return sorted({(Path(s).parent.parent.name, Path(s).parent.name) for s in shard_paths})


def attach_market(meta: pd.DataFrame, data_dir: Path, snapshots) -> tuple[pd.DataFrame, dict[str, int]]:
    """`meta` (one row per example) with `retail_usd`, `release_date` and `as_of` from the (week, model)
    `snapshots` (null where the snapshot has none), and counts: snapshots read, snapshots missing, rows matched."""
    parts, missing = [], 0
    for week, model in snapshots:
        path = snapshot_path(data_dir, week, model)
        if not path.is_file():
            missing += 1
            continue
        parts.append(read_snapshot(path).select(list(SNAPSHOT_MARKET)).to_pandas())
    counts = {"snapshots": len(parts), "snapshots_missing": missing}
    base = meta.drop(columns=[c for c in ("retail_usd", "release_date", "as_of") if c in meta.columns])
    if not parts:
        return base.assign(retail_usd=None, release_date=None, as_of=None), {**counts, "rows_matched": 0}
    market = (pd.concat(parts, ignore_index=True).rename(columns={"scraped_at": "as_of"})
              .drop_duplicates("product_id", keep="last").astype({"product_id": str}))
    out = base.merge(market, on="product_id", how="left")
    matched = int(out["retail_usd"].notna().sum() + (out["retail_usd"].isna() & out["release_date"].notna()).sum())
    return out, {**counts, "rows_matched": matched}
