"""Per-model TFRecord shards from a scrape snapshot joined with its images manifest.

Every snapshot row is either one example or counted under an excluded reason (so examples plus excluded
always equals the snapshot's rows); shard bytes depend only on the inputs, never on time or run order.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sneaker_core.atomic import atomic_path, remove_stale_temps, sha256_bytes, sha256_file, write_json
from sneaker_core.settings import Settings
from sneaker_core.shard_schema import SCHEMA_VERSION, encode_example
from sneaker_core.titles import group_key

KEPT_STATUSES = ("ok", "relabelled")
CONFLICT_FIELDS = ("model", "title", "price_usd")


def shard_name(model: str, index: int, count: int) -> str:
    return f"{model}-{index:05d}-of-{count:05d}.tfrecord"


def _same(a: Any, b: Any) -> bool:
    return (pd.isna(a) and pd.isna(b)) if (pd.isna(a) or pd.isna(b)) else a == b


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _record(row: Any, image: bytes) -> dict[str, Any]:
    price = None if pd.isna(row.price_usd) else float(row.price_usd)
    scraped = "" if pd.isna(row.scraped_at) else pd.Timestamp(row.scraped_at).tz_convert("UTC").isoformat()
    title = _text(row.title)
    return {
        "image": image, "product_id": _text(row.product_id), "title": title, "price": price,
        "model": _text(row.model), "brand": _text(row.brand), "search_model": _text(row.search_model),
        "group_key": group_key(title), "scraped_at": scraped, "image_sha256": row.sha256,
    }


def select_examples(snapshot: pd.DataFrame, images: pd.DataFrame, data_dir: Path
                    ) -> tuple[list[dict[str, Any]], dict[str, int], list[dict[str, Any]]]:
    """(records in position order, excluded {reason: n}, image-duplicate conflicts) for one model."""
    img = images[["product_id", "status", "reason", "sha256", "store_path"]].rename(
        columns={"status": "image_status", "reason": "image_reason"})
    rows = snapshot.merge(img.drop_duplicates("product_id"), on="product_id", how="left")
    rows = rows.sort_values(["position", "product_id"], kind="mergesort")
    records: list[dict[str, Any]] = []
    excluded: dict[str, int] = {}
    conflicts: list[dict[str, Any]] = []
    first_by_sha: dict[str, Any] = {}
    for row in rows.itertuples(index=False):
        reason, image = None, b""
        if row.status not in KEPT_STATUSES:
            reason = str(row.status)
        elif pd.isna(row.model) or not row.model:
            reason = "no_model"
        elif pd.isna(row.image_status):
            reason = "image_not_in_manifest"
        elif row.image_status != "ok":
            reason = f"image_{row.image_reason}"
        else:
            try:
                image = (data_dir / row.store_path).read_bytes()
            except OSError:
                reason = "image_missing"
            else:
                reason = "image_changed" if sha256_bytes(image) != row.sha256 else None
        if reason is None and row.sha256 in first_by_sha:
            kept = first_by_sha[row.sha256]
            conflicts.append({
                "image_sha256": row.sha256, "kept": kept.product_id, "dropped": row.product_id,
                "differs": [f for f in CONFLICT_FIELDS if not _same(getattr(kept, f), getattr(row, f))],
            })
            reason = "duplicate_image"
        if reason is not None:
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        first_by_sha[row.sha256] = row
        records.append(_record(row, image))
    return records, dict(sorted(excluded.items())), conflicts


def _write_shard(path: Path, records: list[dict[str, Any]]) -> str:
    import tensorflow as tf  # here, not at import: the orchestration layer imports this module

    with atomic_path(path) as tmp, tf.io.TFRecordWriter(str(tmp)) as writer:
        for rec in records:
            writer.write(encode_example(rec))
    return sha256_file(path)


def shard_manifest_path(settings: Settings, week: str, model: str) -> Path:
    """`<data>/shards/<week>/<model>/manifest.json`."""
    return settings.path("shards", week, model, "manifest.json")


def write_model_shards(snapshot_path: Path, images_manifest_path: Path, settings: Settings) -> dict[str, Any]:
    """Write `<data>/shards/<week>/<model>/<model>-0000i-of-0000k.tfrecord` and its manifest.json.

    Keeps rows labelled ok/relabelled with a model and an ok image; one example per image content
    (the first by position; the others are recorded as conflicts). Returns the manifest.
    """
    snapshot_path = Path(snapshot_path)
    week, model = snapshot_path.parent.name, snapshot_path.stem
    data_dir = Path(settings.data_dir)
    records, excluded, conflicts = select_examples(
        pd.read_parquet(snapshot_path), pd.read_parquet(images_manifest_path), data_dir)

    folder = settings.path("shards", week, model)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder)
    count = math.ceil(len(records) / settings.shard_size)
    shards = []
    for i in range(count):
        chunk = records[i * settings.shard_size : (i + 1) * settings.shard_size]
        path = folder / shard_name(model, i, count)
        shards.append({"path": path.relative_to(data_dir).as_posix(), "examples": len(chunk),
                       "sha256": _write_shard(path, chunk)})
    pattern = re.compile(rf"{re.escape(model)}-\d{{5}}-of-\d{{5}}\.tfrecord")
    current = {shard_name(model, i, count) for i in range(count)}
    for stale in folder.iterdir():
        if pattern.fullmatch(stale.name) and stale.name not in current:
            stale.unlink()

    manifest = {
        "model": model, "week": week, "examples": len(records), "shards": shards, "excluded": excluded,
        "conflicts": conflicts, "schema_version": SCHEMA_VERSION,
        "digest": sha256_bytes("\n".join(s["sha256"] for s in shards).encode()),
    }
    write_json(shard_manifest_path(settings, week, model), manifest)
    return manifest
