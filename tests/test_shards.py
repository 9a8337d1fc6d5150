"""TFRecord shards: selection, dedup conflicts, naming, determinism, stale cleanup, exact round trip."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import tensorflow as tf
from PIL import Image

from sneaker_core.atomic import sha256_file
from sneaker_core.images.pipeline import MANIFEST_SCHEMA
from sneaker_core.images.store import ImageStore
from sneaker_core.settings import Settings
from sneaker_core.shard_schema import SCHEMA_VERSION, decode_example
from sneaker_core.shards.reader import make_dataset, read_metadata
from sneaker_core.shards.writer import write_model_shards
from sneaker_core.titles import group_key

sys.path.insert(0, str(Path(__file__).parent))
from test_images_pipeline import write_snapshot

WEEK, MODEL = "2024-W23", "air-jordan-1"


def jpeg(seed: int, size: int = 24) -> bytes:
    arr = np.random.default_rng(seed).integers(0, 255, (size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


def setup_inputs(s: Settings, rows: list[dict], images: list[int | str]) -> tuple[Path, Path]:
    """Snapshot rows plus an images manifest: an int is an image seed stored as ok, a str a quarantine reason."""
    snap = write_snapshot(s.path("raw", WEEK, f"{MODEL}.parquet"), rows)
    store = ImageStore(s)
    manifest = []
    for i, img in enumerate(images):
        url = f"http://img.test/{i}.png"
        if isinstance(img, str):
            manifest.append({"url": url, "product_id": f"p{i}", "status": "quarantined", "reason": img,
                             "cached": False})
            continue
        stored = store.put(f"http://img.test/seed{img}.png", jpeg(img), {"bytes": 100})
        manifest.append({"url": url, "product_id": f"p{i}", "status": "ok", "bytes": 100, "orig_width": 24,
                         "orig_height": 24, "orig_mode": "RGB", "sha256": stored.sha256,
                         "store_path": store.relative(stored.path), "cached": False})
    path = s.path("images", "manifests", WEEK, f"{MODEL}.parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(manifest, schema=MANIFEST_SCHEMA), path)
    return snap, path


def shard_paths(s: Settings, manifest: dict) -> list[Path]:
    return [s.data_dir / sh["path"] for sh in manifest["shards"]]


def test_naming_counts_determinism_and_stale_cleanup(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", shard_size=3)
    snap, images = setup_inputs(s, [{}] * 7, list(range(7)))
    first = write_model_shards(snap, images, s)
    folder = s.path("shards", WEEK, MODEL)
    names = sorted(p.name for p in folder.glob("*.tfrecord"))
    assert names == [f"{MODEL}-0000{i}-of-00003.tfrecord" for i in range(3)]
    assert [sh["examples"] for sh in first["shards"]] == [3, 3, 1] and first["examples"] == 7
    assert all(sha256_file(s.data_dir / sh["path"]) == sh["sha256"] for sh in first["shards"])
    assert first["shards"][0]["path"] == f"shards/{WEEK}/{MODEL}/{MODEL}-00000-of-00003.tfrecord"
    assert (first["excluded"], first["conflicts"], first["schema_version"]) == ({}, [], SCHEMA_VERSION)
    assert json.loads((folder / "manifest.json").read_text()) == first
    manifest_bytes = (folder / "manifest.json").read_bytes()

    again = write_model_shards(snap, images, s)
    assert again == first and (folder / "manifest.json").read_bytes() == manifest_bytes

    fewer = write_model_shards(snap, images, Settings(data_dir=s.data_dir, shard_size=10))
    assert sorted(p.name for p in folder.glob("*.tfrecord")) == [f"{MODEL}-00000-of-00001.tfrecord"]
    assert fewer["examples"] == 7 and fewer["digest"] != first["digest"]
    assert not list(folder.glob(".tmp-*"))


def test_exclusions_are_counted_and_duplicates_recorded(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", shard_size=100)
    rows = [
        {"title": "Air Jordan 1 'Chicago'", "price_usd": 300.0},  # p0 kept
        {"status": "relabelled", "model": "air-jordan-1", "search_model": "air-jordan-11"},  # p1 kept
        {"status": "off_model", "model": None},  # p2
        {"status": "non_sneaker", "model": None},  # p3
        {"status": "unknown", "model": None},  # p4
        {"status": "ok", "model": None},  # p5
        {},  # p6: image 404
        {},  # p7: store file deleted
        {},  # p8: store file changed
        {"title": "Air Jordan 1 'Chicago' 2015", "price_usd": None, "position": -1},  # p9: dup of p0, first
        {"title": "Air Jordan 1 'Chicago'", "price_usd": 300.0},  # p10 dup of p0, same facts
    ]
    snap, images = setup_inputs(s, rows, [0, 1, 2, 3, 4, 5, "http_404", 7, 8, 0, 0])
    m = pd.read_parquet(images).set_index("product_id")
    (s.data_dir / m.loc["p7", "store_path"]).unlink()
    (s.data_dir / m.loc["p8", "store_path"]).write_bytes(jpeg(99))
    out = write_model_shards(snap, images, s)
    assert out["excluded"] == {"duplicate_image": 2, "image_changed": 1, "image_http_404": 1, "image_missing": 1,
                               "no_model": 1, "non_sneaker": 1, "off_model": 1, "unknown": 1}
    assert out["examples"] + sum(out["excluded"].values()) == len(rows)
    assert out["conflicts"] == [
        {"image_sha256": m.loc["p0", "sha256"], "kept": "p9", "dropped": "p0", "differs": ["title", "price_usd"]},
        {"image_sha256": m.loc["p0", "sha256"], "kept": "p9", "dropped": "p10", "differs": ["title", "price_usd"]},
    ]
    meta = read_metadata(shard_paths(s, out))
    assert list(meta["product_id"]) == ["p9", "p1"]  # position order: p9 is at -1
    assert list(meta["search_model"]) == ["air-jordan-1", "air-jordan-11"]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", shard_size=2)
    rows = [
        {"title": "Nike Dunk Low 'Panda' — “Black/White” 2021", "price_usd": 123.45, "brand": "Nike"},
        {"title": "Yeezy Boost 350 V2 'Zebra'", "price_usd": None},
        {"title": "Air Jordan 4 Retro 'Bred' 2019", "price_usd": 100007.0},
        {"title": "New Balance 550 'White Green'", "price_usd": 0.5, "brand": None},
        {"title": "Air Jordan 1 Retro High OG 'Chicago'", "price_usd": 17.0},
    ]
    snap, images = setup_inputs(s, rows, list(range(5)))
    out = write_model_shards(snap, images, s)
    paths = shard_paths(s, out)
    assert len(paths) == 3
    snapshot = pd.read_parquet(snap).set_index("product_id")
    manifest = pd.read_parquet(images).set_index("product_id")

    examples = list(make_dataset(paths, decode=False).as_numpy_iterator())
    assert len(examples) == 5
    meta = read_metadata(paths)
    for ex, (_, row) in zip(examples, meta.iterrows()):
        pid = ex["product_id"].decode()
        src, img = snapshot.loc[pid], manifest.loc[pid]
        assert ex["image"] == (s.data_dir / img["store_path"]).read_bytes()
        assert ex["title"].decode() == src["title"] == row["title"]
        assert ex["group_key"].decode() == group_key(src["title"]) == row["group_key"]
        assert ex["brand"].decode() == (src["brand"] or "") == row["brand"]
        for field in ("model", "search_model"):
            assert ex[field].decode() == src[field] == row[field]
        assert ex["image_sha256"].decode() == img["sha256"] == row["image_sha256"]
        assert ex["scraped_at"].decode() == src["scraped_at"].isoformat() == row["scraped_at"]
        assert row["product_id"] == pid
        if pd.isna(src["price_usd"]):
            assert ex["price_missing"] == 1 and row["price_missing"] and np.isnan(row["price"])
        else:
            assert ex["price_missing"] == 0 and ex["price"] == np.float32(src["price_usd"])
            assert row["price"] == src["price_usd"] and not row["price_missing"]
    # the plain-Python decoder agrees with the tf.data parse
    raw = next(iter(tf.data.TFRecordDataset([str(paths[0])]).as_numpy_iterator()))
    first = decode_example(raw)
    assert first["product_id"] == "p0" and first["price"] == pytest.approx(123.45, abs=1e-4)


def test_make_dataset_decodes_resizes_batches(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", shard_size=2)
    snap, images = setup_inputs(s, [{}] * 5, list(range(5)))
    paths = shard_paths(s, write_model_shards(snap, images, s))
    full = next(iter(make_dataset(paths, batch_size=5)))
    assert full["image"].shape == (5, 24, 24, 3) and full["image"].dtype.name == "uint8"
    stored = np.asarray(Image.open(io.BytesIO(jpeg(0))))
    diff = np.abs(full["image"].numpy()[0].astype(int) - stored.astype(int))
    assert diff.mean() < 2 and diff.max() <= 12  # the same JPEG (TF and Pillow upsample chroma differently)
    small = list(make_dataset(paths, image_size=12, batch_size=2))
    assert [b["image"].shape for b in small] == [(2, 12, 12, 3), (2, 12, 12, 3), (1, 12, 12, 3)]
    flt = next(iter(make_dataset(paths, image_size=12, batch_size=5, as_float=True)))["image"].numpy()
    assert flt.dtype == np.float32 and 0.0 <= flt.min() and flt.max() <= 1.0 and flt.max() > 0.5
    order = list(read_metadata(paths)["product_id"])
    assert [p.decode() for p in full["product_id"].numpy()] == order
    shuffled = [e["product_id"] for e in make_dataset(paths, shuffle=True, decode=False).as_numpy_iterator()]
    assert sorted(shuffled) == sorted(p.encode() for p in order)
    repeated = make_dataset(paths, repeat=True, decode=False, batch_size=4).take(3)
    assert sum(int(b["price"].shape[0]) for b in repeated) == 12


def test_no_usable_rows_writes_no_shards(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "data", shard_size=2)
    snap, images = setup_inputs(s, [{}] * 3, list(range(3)))
    write_model_shards(snap, images, s)
    snap, images = setup_inputs(s, [{"status": "off_model"}] * 3, list(range(3)))
    out = write_model_shards(snap, images, s)
    assert (out["examples"], out["shards"], out["excluded"]) == (0, [], {"off_model": 3})
    assert not list(s.path("shards", WEEK, MODEL).glob("*.tfrecord"))
    assert read_metadata([]).empty
