"""One price history of all weeks: every weekly snapshot the scrape stage wrote, read as one pyarrow dataset.

`price_history(data_dir)` is one row per (product, week) in HISTORY_COLUMNS, product identity being the
marketplace's product id. Only snapshots the pipeline wrote are read (`raw/<yyyy-Www>/<model>.parquet` with
the manifest written beside it, still matching its sha256); any other file is skipped with a counted reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.atomic import sha256_file
from sneaker_core.scrape.records import RECORD_SCHEMA, SCHEMA_VERSION
from sneaker_core.scrape.snapshot import list_snapshots, manifest_path, snapshot_dataset

HISTORY_COLUMNS = ("product_id", "week", "week_start", "model", "brand", "search_model", "title", "price_usd",
                   "priced", "release_date", "retail_usd", "template_id")
# Columns every schema version has; a file without them is not a snapshot of ours.
_REQUIRED = ("product_id", "title", "price_usd", "search_model", "model", "brand", "position")
_READ = ("product_id", "week", "model", "brand", "search_model", "title", "price_usd", "release_date",
         "retail_usd", "template_id", "position")
_EMPTY_DTYPES = {"week_start": "datetime64[ns]", "release_date": "datetime64[ns]", "price_usd": "float64",
                 "retail_usd": "float64", "priced": "bool"}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnapshotFile:
    """A snapshot the history reads: where, which week and search, its sha256 and schema version."""

    week: str
    model: str
    path: Path
    sha256: str
    schema_version: int


@dataclass
class History:
    """The history rows, the files they came from, and the files skipped (reason -> count)."""

    frame: pd.DataFrame
    files: list[SnapshotFile]
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """sha256 of the snapshot files read (paths and contents): a cache key for what reads the history."""
        blob = json.dumps([[str(f.path), f.sha256] for f in self.files]).encode()
        return hashlib.sha256(blob).hexdigest()


def week_start(week: str) -> date:
    """The Monday of an ISO week label such as `2026-W48`."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def _problem(path: Path) -> tuple[SnapshotFile | None, str | None]:
    """The snapshot at `path` if the pipeline wrote it and it is intact, else (None, why not)."""
    try:
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no_manifest"
    except (OSError, ValueError):
        return None, "bad_manifest"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sha256"), str):
        return None, "bad_manifest"
    version = manifest.get("schema_version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        return None, "newer_schema"
    digest = sha256_file(path)
    if digest != manifest["sha256"]:
        return None, "changed_since_written"
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException):
        return None, "unreadable"
    if any(name not in schema.names for name in _REQUIRED):
        return None, "missing_columns"
    if any(schema.field(f.name).type != f.type for f in RECORD_SCHEMA if f.name in schema.names):
        return None, "schema_mismatch"
    return SnapshotFile(path.parent.name, path.stem, path, digest, version), None


def _read(data_dir: Path, files: list[SnapshotFile], skipped: Counter) -> tuple[pa.Table, list[SnapshotFile]]:
    """All files as one table; a file whose row data cannot be read (its footer could) is skipped."""
    try:
        return snapshot_dataset(data_dir, [f.path for f in files]).to_table(columns=list(_READ)), files
    except (OSError, pa.ArrowException):
        good = []
        for f in files:
            try:
                snapshot_dataset(data_dir, [f.path]).to_table(columns=list(_READ))
            except (OSError, pa.ArrowException):
                skipped["unreadable"] += 1
                continue
            good.append(f)
        return snapshot_dataset(data_dir, [f.path for f in good]).to_table(columns=list(_READ)), good


def read_history(data_dir: Path, until: str | None = None) -> History:
    """Every intact snapshot under `<data_dir>/raw` (of weeks up to `until`, an ISO week label, when given),
    one row per (product, week).

    A product several searches found in one week appears once: the row whose search is its labelled model,
    else the first search by name. price_usd is the lowest ask (null when unpriced); week_start and
    release_date are dates (datetime64, midnight).
    """
    skipped: Counter = Counter()
    files = []
    for week, _, path in list_snapshots(data_dir):
        if until is not None and week > until:  # ISO week labels sort in time order
            continue
        snap, why = _problem(path)
        if snap is None:
            skipped[why] += 1
        else:
            files.append(snap)
    if not files:
        return History(pd.DataFrame({c: pd.Series(dtype=_EMPTY_DTYPES.get(c, object)) for c in HISTORY_COLUMNS}),
                       [], dict(skipped))
    table, files = _read(data_dir, files, skipped)
    df = table.to_pandas()
    df["own_search"] = df["search_model"] == df["model"]
    df = df.sort_values(["product_id", "week", "own_search", "search_model", "position"],
                        ascending=[True, True, False, True, True], kind="mergesort")
    df = df.drop_duplicates(["product_id", "week"]).reset_index(drop=True)
    df["week_start"] = pd.to_datetime(df["week"].map(week_start))
    df["release_date"] = pd.to_datetime(df["release_date"])
    df["priced"] = df["price_usd"].notna()
    if skipped:
        log.warning("history: skipped snapshot files %s", dict(skipped))
    return History(df[list(HISTORY_COLUMNS)], files, dict(sorted(skipped.items())))


def snapshots_digest(data_dir: Path, until: str | None = None) -> str:
    """sha256 over the snapshot files `read_history(data_dir, until)` would consider (paths and the sha256 their
    manifests vouch for), without reading any parquet: a cheap cache key for what reads the history."""
    listed = []
    for week, _, path in list_snapshots(data_dir):
        if until is not None and week > until:
            continue
        try:
            manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
        listed.append([str(path), manifest.get("sha256") if isinstance(manifest, dict) else None])
    return hashlib.sha256(json.dumps(listed).encode()).hexdigest()


def price_history(data_dir: Path) -> pd.DataFrame:
    """The weekly price history (HISTORY_COLUMNS), one row per (product, week), sorted by product and week."""
    return read_history(Path(data_dir)).frame


def with_changes(history: pd.DataFrame) -> pd.DataFrame:
    """The history plus `change_pct`: the price's change from the product's previous ISO week, in percent;
    null when either week is unpriced or the product was not listed the week before."""
    df = history.sort_values(["product_id", "week_start"], kind="mergesort").reset_index(drop=True)
    same = df["product_id"].eq(df["product_id"].shift())
    consecutive = same & (df["week_start"] - df["week_start"].shift() == pd.Timedelta(days=7))
    prev = df["price_usd"].shift().where(consecutive)
    return df.assign(change_pct=(df["price_usd"] / prev - 1) * 100)
