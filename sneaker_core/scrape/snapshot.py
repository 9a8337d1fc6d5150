"""Weekly Parquet snapshots of one model's search results, written atomically with a manifest."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.atomic import atomic_path, sha256_file, write_json
from sneaker_core.scrape.records import RECORD_SCHEMA, ScrapeStats


def iso_week(ts: datetime) -> str:
    """ISO week label such as `2026-W48` (snapshots of earlier weeks are kept as price history)."""
    year, week, _ = ts.isocalendar()
    return f"{year}-W{week:02d}"


def snapshot_path(data_dir: Path, week: str, model_key: str) -> Path:
    return Path(data_dir) / "raw" / week / f"{model_key}.parquet"


def manifest_path(snapshot: Path) -> Path:
    return snapshot.with_suffix(".manifest.json")


def write_snapshot(
    table: pa.Table, data_dir: Path, week: str, model_key: str, source: str, stats: ScrapeStats
) -> dict[str, Any]:
    """Write the snapshot and its manifest (rows, priced, placeholders, duplicates, sha256); return the manifest."""
    path = snapshot_path(data_dir, week, model_key)
    with atomic_path(path) as tmp:
        pq.write_table(table.cast(RECORD_SCHEMA), tmp)
    statuses = Counter(table.column("status").to_pylist())
    manifest = {
        "model": model_key,
        "week": week,
        "source": source,
        "path": str(path.relative_to(data_dir)),
        "sha256": sha256_file(path),
        "files": [{"path": str(path.relative_to(data_dir)), "sha256": sha256_file(path)}],
        "rows": table.num_rows,
        "priced": table.num_rows - table.column("price_usd").null_count,
        "placeholders": stats.placeholders,
        "duplicates": stats.duplicates,
        "seen": stats.seen,
        "skipped": dict(stats.skipped),
        "cap_reached": stats.cap_reached,
        "statuses": dict(sorted(statuses.items())),
    }
    write_json(manifest_path(path), manifest)
    return manifest


def read_snapshot(path: Path) -> pa.Table:
    return pq.read_table(path, schema=RECORD_SCHEMA)


def sizes_path(data_dir: Path, week: str, model_key: str) -> Path:
    """The model's per-size asks of that week (`sneaker_core.scrape.sizes`); its manifest is `manifest_path`'s."""
    return Path(data_dir) / "raw" / week / f"{model_key}.sizes.parquet"
