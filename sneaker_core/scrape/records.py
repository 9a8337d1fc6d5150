"""Scraped records: the pyarrow schema, labelling, price and time-field parsing, de-duplication of one model's
results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from sneaker_core.labeller import label_title
from sneaker_core.prices import parse_price
from sneaker_core.registry import ModelSpec
from sneaker_core.scrape import fields

RECORD_SCHEMA = pa.schema(
    [
        ("product_id", pa.string()),
        ("title", pa.string()),
        ("image_url", pa.string()),
        ("price_raw", pa.string()),
        ("price_usd", pa.float64()),
        ("price_reason", pa.string()),
        ("search_model", pa.string()),
        ("position", pa.int32()),
        ("page_url", pa.string()),
        ("scraped_at", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("model", pa.string()),
        ("brand", pa.string()),
        ("status", pa.string()),
        ("label_reason", pa.string()),
        ("release_date", pa.date32()),
        ("retail_usd", pa.float64()),
        ("template_id", pa.string()),
    ]
)
# Version 2 added release_date, retail_usd and template_id; `snapshot.read_snapshot` reads version 1 files
# (no `schema_version` in their manifest) with those columns null.
SCHEMA_VERSION = 2
RAW_FIELDS = ("product_id", "title", "image_url", "price_raw", "position", "page_url")
# The raw JSON values both scrape modes carry per item, and the parser of each (column name -> parser).
TIME_FIELDS = ("release_raw", "retail_raw", "template_raw")
_PARSERS = {"release_date": ("release_raw", fields.release_date), "retail_usd": ("retail_raw", fields.retail_usd),
            "template_id": ("template_raw", fields.template_id)}


@dataclass
class ScrapeStats:
    """Counts a scrape reports in its manifest."""

    seen: int = 0
    duplicates: int = 0
    placeholders: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    cap_reached: bool = False
    pages: int = 0
    nulls: dict[str, dict[str, int]] = field(default_factory=dict)  # column -> {why it is null: rows}

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def null(self, column: str, reason: str) -> None:
        counts = self.nulls.setdefault(column, {})
        counts[reason] = counts.get(reason, 0) + 1


def parse_time_fields(item: dict[str, Any], stats: ScrapeStats) -> dict[str, Any]:
    """release_date, retail_usd and template_id of a raw item; each null counted under its reason."""
    out: dict[str, Any] = {}
    for column, (raw_key, parse) in _PARSERS.items():
        out[column], reason = parse(item.get(raw_key))
        if reason is not None:
            stats.null(column, reason)
    return out


def build_table(
    items: list[dict[str, Any]], spec: ModelSpec, source: str, scraped_at: datetime, stats: ScrapeStats,
    models: Sequence[ModelSpec],
) -> pa.Table:
    """De-duplicate raw items by product_id (first position wins), parse prices, label titles against `models`
    (the run's models registry)."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in sorted(items, key=lambda i: i["position"]):
        stats.seen += 1
        if item["product_id"] in seen:
            stats.duplicates += 1
            continue
        seen.add(item["product_id"])
        if not item.get("image_url"):
            stats.placeholders += 1
        price = parse_price(item.get("price_raw"))
        label = label_title(item["title"], spec.key, models)
        rows.append(
            {
                **{k: item.get(k) for k in RAW_FIELDS},
                "price_usd": price.usd,
                "price_reason": price.reason,
                "search_model": spec.key,
                "scraped_at": scraped_at,
                "source": source,
                "model": label.model,
                "brand": label.brand,
                "status": label.status,
                "label_reason": label.reason,
                **parse_time_fields(item, stats),
            }
        )
    return pa.Table.from_pylist(rows, schema=RECORD_SCHEMA)
