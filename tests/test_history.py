"""The price history: snapshots of both schema versions as one dataset, one row per (product, week)."""

from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sneaker_core.atomic import sha256_file, write_json
from sneaker_core.history import HISTORY_COLUMNS, price_history, read_history, week_start
from sneaker_core.registry import get_model, load_models
from sneaker_core.scrape.records import RECORD_SCHEMA, ScrapeStats, build_table
from sneaker_core.scrape.snapshot import manifest_path, read_snapshot, snapshot_path, write_snapshot

V1_SCHEMA = pa.schema([f for f in RECORD_SCHEMA if f.name not in ("release_date", "retail_usd", "template_id")])
PANDA = "Nike Dunk Low Retro White Black Panda"


def _item(pid: str, title: str, price: str | None, position: int, **time_fields) -> dict:
    return {"product_id": pid, "title": title, "image_url": f"http://x/{pid}.png", "price_raw": price,
            "position": position, "page_url": f"http://x/sneakers/{pid}", **time_fields}


def _v2(data_dir, week: str, model: str, items: list[dict]) -> dict:
    stats = ScrapeStats()
    table = build_table(items, get_model(model), "test", datetime(2026, 1, 1, tzinfo=UTC), stats, load_models())
    return write_snapshot(table, data_dir, week, model, "test", stats)


def _v1(data_dir, week: str, model: str, items: list[dict]) -> None:
    """A snapshot as the code before schema 2 wrote it: 15 columns, a manifest without schema_version."""
    table = build_table(items, get_model(model), "test", datetime(2026, 1, 1, tzinfo=UTC), ScrapeStats(),
                        load_models())
    path = snapshot_path(data_dir, week, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.select(V1_SCHEMA.names).cast(V1_SCHEMA), path)
    write_json(manifest_path(path), {"model": model, "week": week, "path": str(path.relative_to(data_dir)),
                                     "sha256": sha256_file(path), "rows": table.num_rows})


def test_history_reads_both_schema_versions_as_one_row_per_product_and_week(tmp_path):
    _v1(tmp_path, "2026-W47", "dunk-low", [_item("panda-1", PANDA, "$120", 0), _item("gone-2", PANDA, None, 1)])
    _v2(tmp_path, "2026-W48", "dunk-low", [
        _item("panda-1", PANDA, "$131", 0, release_raw="2021-03-10", retail_raw=11000, template_raw=741),
        _item("new-3", PANDA, "$99", 1, release_raw="2026-11-27T23:59:59.999Z", retail_raw=None,
              template_raw="9")])
    v1 = read_snapshot(snapshot_path(tmp_path, "2026-W47", "dunk-low"))
    assert v1.schema == RECORD_SCHEMA and v1.column("release_date").null_count == 2

    h = read_history(tmp_path)
    assert h.skipped == {} and [f.schema_version for f in h.files] == [1, 2]
    df = h.frame
    assert tuple(df.columns) == HISTORY_COLUMNS
    got = [(r.product_id, r.week, r.price_usd if r.priced else None) for r in df.itertuples()]
    assert got == [("gone-2", "2026-W47", None), ("new-3", "2026-W48", 99.0),
                   ("panda-1", "2026-W47", 120.0), ("panda-1", "2026-W48", 131.0)]
    panda = df[df.product_id == "panda-1"].set_index("week")
    assert pd.isna(panda.loc["2026-W47", "release_date"]) and pd.isna(panda.loc["2026-W47", "retail_usd"])
    assert panda.loc["2026-W48", "release_date"] == pd.Timestamp("2021-03-10")
    assert (panda.loc["2026-W48", "retail_usd"], panda.loc["2026-W48", "template_id"]) == (110.0, "741")
    assert panda.loc["2026-W47", "week_start"] == pd.Timestamp("2026-11-16")
    assert set(df.model) == {"dunk-low"} and set(df.brand) == {"Nike"}
    assert df.loc[df.product_id == "new-3", "release_date"].item() == pd.Timestamp("2026-11-27")


def test_a_product_two_searches_found_appears_once_from_its_own_search(tmp_path):
    _v2(tmp_path, "2026-W48", "air-jordan-1", [_item("panda-1", PANDA, "$140", 3)])
    _v2(tmp_path, "2026-W48", "dunk-low", [_item("panda-1", PANDA, "$120", 0)])
    df = price_history(tmp_path)
    assert len(df) == 1 and (df.search_model.item(), df.price_usd.item()) == ("dunk-low", 120.0)


def test_bad_snapshot_files_are_counted_skips(tmp_path):
    _v2(tmp_path, "2026-W48", "dunk-low", [_item("panda-1", PANDA, "$120", 0)])
    _v2(tmp_path, "2026-W47", "dunk-low", [_item("panda-1", PANDA, "$110", 0)])
    changed = snapshot_path(tmp_path, "2026-W47", "dunk-low")
    changed.write_bytes(changed.read_bytes()[:-10] + b"0123456789")  # altered after it was written
    orphan = snapshot_path(tmp_path, "2026-W46", "dunk-low")  # a parquet without its manifest
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(snapshot_path(tmp_path, "2026-W48", "dunk-low").read_bytes())
    garbage = snapshot_path(tmp_path, "2026-W45", "dunk-low")  # not Parquet, yet listed in its manifest
    garbage.parent.mkdir(parents=True)
    garbage.write_bytes(b"PAR1 not really")
    write_json(manifest_path(garbage), {"sha256": sha256_file(garbage)})
    future = snapshot_path(tmp_path, "2026-W44", "dunk-low")
    future.parent.mkdir(parents=True)
    future.write_bytes(snapshot_path(tmp_path, "2026-W48", "dunk-low").read_bytes())
    write_json(manifest_path(future), {"sha256": sha256_file(future), "schema_version": 99})
    bad_manifest = snapshot_path(tmp_path, "2026-W43", "dunk-low")
    bad_manifest.parent.mkdir(parents=True)
    bad_manifest.write_bytes(b"x")
    manifest_path(bad_manifest).write_text("{not json")
    (tmp_path / "raw" / "notes").mkdir()
    (tmp_path / "raw" / "notes" / "dunk-low.parquet").write_bytes(b"not a week folder: not ours, not read")

    h = read_history(tmp_path)
    assert h.skipped == {"bad_manifest": 1, "changed_since_written": 1, "newer_schema": 1, "no_manifest": 1,
                         "unreadable": 1}
    assert list(h.frame.week) == ["2026-W48"] and h.frame.price_usd.item() == 120.0


def test_no_snapshots_is_an_empty_history_with_the_columns(tmp_path):
    h = read_history(tmp_path)
    assert h.frame.empty and tuple(h.frame.columns) == HISTORY_COLUMNS and h.files == [] and h.skipped == {}


def test_week_start_is_the_iso_monday():
    assert week_start("2026-W48") == date(2026, 11, 23) and week_start("2021-W01") == date(2021, 1, 4)
