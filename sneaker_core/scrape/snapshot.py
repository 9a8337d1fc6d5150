"""Weekly Parquet snapshots of one model's search results, written atomically with a manifest."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sneaker_core.atomic import atomic_path, sha256_file, write_json
from sneaker_core.registry import KEY_RE
from sneaker_core.scrape.records import RECORD_SCHEMA, SCHEMA_VERSION, ScrapeStats

WEEK_RE = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])")


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
        "nulls": {col: dict(sorted(n.items())) for col, n in sorted(stats.nulls.items())},
        "schema_version": SCHEMA_VERSION,
    }
    write_json(manifest_path(path), manifest)
    return manifest


def read_snapshot(path: Path) -> pa.Table:
    """A snapshot of any schema version in the current schema: columns an older version lacks read as null."""
    return pq.read_table(path, schema=RECORD_SCHEMA)


def list_snapshots(data_dir: Path) -> list[tuple[str, str, Path]]:
    """(week, model key, path) of every `raw/<yyyy-Www>/<model>.parquet`, oldest week first; other files under
    `raw/` (temporaries, stray folders) are not snapshots."""
    raw = Path(data_dir) / "raw"
    found = [(p.parent.name, p.stem, p) for p in raw.glob("*/*.parquet")
             if WEEK_RE.fullmatch(p.parent.name) and KEY_RE.match(p.stem)]
    return sorted(found)


def snapshot_dataset(data_dir: Path, paths: list[Path]) -> ds.Dataset:
    """The snapshots at `paths` as one dataset in the current schema plus a `week` column taken from the folder
    (`raw/<week>/`); columns an older schema version lacks read as null."""
    return ds.dataset([str(p) for p in paths], schema=RECORD_SCHEMA.append(pa.field("week", pa.string())),
                      format="parquet", partitioning=ds.partitioning(pa.schema([("week", pa.string())])),
                      partition_base_dir=str(Path(data_dir) / "raw"))
