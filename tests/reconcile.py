"""Test support (reliability suites only): reconcile a run's outputs against the marketplace's ground truth;
nothing is lost without a named reason.

Every ground-truth product listed by a searched model's search lands in exactly one bucket of that model:
`in_shards`, or why not, in pipeline order: `scrape_skipped_<status>` (the model's scrape failed), `cap`
(beyond the item cap), `not_scraped` (a loss), the label status (`non_sneaker`, `off_model`, `unknown`),
`no_model`, `images_failed` / `shards_failed` (the model's later stage failed), `not_sharded` (a loss),
`image_<reason>`, `duplicate_image`, and `unaccounted` (a loss). The buckets are derived per product from
the snapshot, the images manifest and the shard files themselves, then checked against the counts the
stages' manifests claim.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from sneaker_core.images.pipeline import images_manifest_json
from sneaker_core.labeller import KEEP_STATUSES
from sneaker_core.scrape.snapshot import manifest_path, snapshot_path
from sneaker_core.settings import Settings
from sneaker_core.shards.reader import read_metadata
from sneaker_core.shards.writer import shard_manifest_path

LOSSES = ("not_scraped", "not_sharded", "unaccounted")
_STATUS = re.compile(r"\] (\w+): ")


@dataclass
class ModelReconciliation:
    """One model: ground-truth products per bucket, rows the truth does not know, and failed checks."""

    model: str
    truth: int
    buckets: Counter[str]
    extra_rows: int = 0
    duplicate_listings: int = 0
    mismatches: list[str] = field(default_factory=list)


def fetch_ground_truth(base_url: str) -> list[dict[str, Any]]:
    """The demo market's ground truth (`/__catalog.json`): every product with the searches that list it."""
    return httpx.get(f"{base_url}/__catalog.json", timeout=30).json()["products"]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _failure_status(message: str) -> str:
    """`blocked` from a ScrapeError message such as '[dunk-low] blocked: ...', else `failed`."""
    m = _STATUS.search(message)
    return m.group(1) if m else "failed"


def _row_bucket(row: Any, images: dict[str, Any], stage_failed: str | None, dropped: set[str], kept: set[str]
                ) -> str:
    """The bucket of one snapshot row, following the shard writer's order of exclusion."""
    if row.status not in KEEP_STATUSES:
        return str(row.status)
    if not isinstance(row.model, str) or not row.model:
        return "no_model"
    if stage_failed:
        return stage_failed
    img = images.get(row.product_id)
    if img is None:
        return "image_not_in_manifest"
    if img.status != "ok":
        return f"image_{img.reason}"
    if row.product_id in dropped:
        return "duplicate_image"
    return "in_shards" if row.product_id in kept else "unaccounted"


def reconcile_model(model: str, truth: list[dict[str, Any]], settings: Settings, week: str,
                    failure: str | None = None) -> ModelReconciliation:
    """Buckets of `model`'s ground-truth products, and every disagreement with the stages' manifests."""
    expected = {p["slug"] for p in truth if model in p.get("queries", [])}
    data_dir = Path(settings.data_dir)
    snap = snapshot_path(data_dir, week, model)
    scrape = _read_json(manifest_path(snap))
    if scrape is None:
        bucket = f"scrape_skipped_{_failure_status(failure)}" if failure else "not_scraped"
        return ModelReconciliation(model, len(expected), Counter({bucket: len(expected)}))
    rows = pd.read_parquet(snap, columns=["product_id", "status", "model"])
    img_path = images_manifest_json(settings, week, model).with_suffix(".parquet")
    img_table = pd.read_parquet(img_path) if img_path.is_file() else pd.DataFrame(columns=["product_id"])
    images = {r.product_id: r for r in img_table.itertuples(index=False)}
    shards = _read_json(shard_manifest_path(settings, week, model))
    stage_failed = None
    if shards is None:
        stage_failed = "not_sharded" if not failure else "images_failed" if "images failed" in failure else \
            "shards_failed"
    shard_files = [data_dir / s["path"] for s in shards["shards"]] if shards else []
    kept_ids = list(read_metadata(shard_files)["product_id"])
    dropped = {c["dropped"] for c in shards["conflicts"]} if shards else set()
    kept = set(kept_ids)

    rec = ModelReconciliation(model, len(expected), Counter(), duplicate_listings=scrape["duplicates"])
    by_row = {r.product_id: _row_bucket(r, images, stage_failed, dropped, kept)
              for r in rows.itertuples(index=False)}
    for slug in expected:
        rec.buckets[by_row.get(slug, "cap" if scrape["cap_reached"] else "not_scraped")] += 1
    rec.extra_rows = len(set(by_row) - expected)
    _check(rec, scrape, rows, img_table, shards, kept_ids, Counter(by_row.values()))
    return rec


def _check(rec: ModelReconciliation, scrape: dict[str, Any], rows: pd.DataFrame, img_table: pd.DataFrame,
           shards: dict[str, Any] | None, kept_ids: list[str], row_buckets: Counter[str]) -> None:
    """Record every count a manifest claims that the per-row derivation does not reproduce."""
    bad = rec.mismatches
    if scrape["rows"] != len(rows) or rows["product_id"].duplicated().any():
        bad.append(f"snapshot has {len(rows)} rows ({rows['product_id'].nunique()} ids), manifest says "
                   f"{scrape['rows']}")
    if sorted(img_table["product_id"]) != sorted(rows["product_id"]):
        bad.append(f"images manifest rows ({len(img_table)}) are not the snapshot's rows ({len(rows)})")
    if sum(rec.buckets.values()) != rec.truth:
        bad.append(f"buckets hold {sum(rec.buckets.values())} products, ground truth {rec.truth}")
    if shards is None:
        return
    if len(kept_ids) != len(set(kept_ids)):
        bad.append(f"{len(kept_ids) - len(set(kept_ids))} products appear twice in the shards")
    if shards["examples"] != len(kept_ids) or row_buckets["in_shards"] != len(kept_ids):
        bad.append(f"shards hold {len(kept_ids)} examples; manifest says {shards['examples']}, "
                   f"rows derive {row_buckets['in_shards']}")
    derived = {k: v for k, v in row_buckets.items() if k != "in_shards"}
    if derived != shards["excluded"]:
        bad.append(f"excluded per reason {dict(sorted(derived.items()))} != manifest {shards['excluded']}")


def reconcile_run(truth: list[dict[str, Any]], settings: Settings, week: str, models: list[str],
                  failed: dict[str, str] | None = None) -> list[ModelReconciliation]:
    """`reconcile_model` for each searched model (`failed`: {model: error message} from the flow)."""
    failed = failed or {}
    return [reconcile_model(m, truth, settings, week, failed.get(m)) for m in models]


def format_table(recs: list[ModelReconciliation]) -> str:
    """A plain-text table: one row per model plus a total, one column per bucket, then the losses."""
    buckets = sorted({b for r in recs for b in r.buckets}, key=lambda b: (b != "in_shards", b))
    head = ["model", "truth", *buckets, "extra_rows", "dup_listings", "lost", "check"]
    total = Counter[str]()
    lines = []
    for r in recs:
        total.update(r.buckets)
        lost = sum(r.buckets[b] for b in LOSSES)
        lines.append([r.model, r.truth, *(r.buckets[b] for b in buckets), r.extra_rows, r.duplicate_listings,
                      lost, "ok" if not r.mismatches and not lost else "MISMATCH"])
    all_ok = all(row[-1] == "ok" for row in lines)
    lines.append(["total", sum(r.truth for r in recs), *(total[b] for b in buckets),
                  sum(r.extra_rows for r in recs), sum(r.duplicate_listings for r in recs),
                  sum(total[b] for b in LOSSES), "ok" if all_ok else "MISMATCH"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]

    def fmt(row: list[Any]) -> str:
        return "  ".join(str(x).rjust(w) if i else str(x).ljust(w) for i, (x, w) in enumerate(zip(row, widths)))

    out = [fmt(head), fmt(["-" * w for w in widths]), *map(fmt, lines)]
    out += [f"{r.model}: {m}" for r in recs for m in r.mismatches]
    return "\n".join(out)
