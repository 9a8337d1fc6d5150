"""Read TFRecord shards: the one pass that prepares a run (`read_examples`: metadata table + decoded images), a
metadata-only table, and a tf.data pipeline of examples.

All read files in the same interleaved order, so without shuffling the n-th example of `make_dataset`
is the n-th row of `read_metadata` and of `read_examples`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf

from sneaker_core.shard_schema import STRING_FIELDS, feature_spec

AUTOTUNE = tf.data.AUTOTUNE
CYCLE_LENGTH = 8  # shards read at once
FEATURE_SPEC = feature_spec()
META_SPEC = {k: v for k, v in FEATURE_SPEC.items() if k != "image"}
META_COLUMNS = ["shard", *STRING_FIELDS, "price", "price_missing"]


def _records(paths: list[str], *, shuffle: bool = False, seed: int = 0, with_path: bool = False) -> tf.data.Dataset:
    """Serialized examples, interleaved over the files (deterministic order unless shuffling)."""
    if not paths:
        raise ValueError("no shard paths given")
    files = tf.data.Dataset.from_tensor_slices(paths)
    if shuffle:
        files = files.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)

    def read(path: tf.Tensor) -> tf.data.Dataset:
        ds = tf.data.TFRecordDataset(path)
        return ds.map(lambda rec: (path, rec)) if with_path else ds

    return files.interleave(read, cycle_length=min(len(paths), CYCLE_LENGTH), num_parallel_calls=AUTOTUNE,
                            deterministic=not shuffle)


def decode_image(jpeg: tf.Tensor, image_size: int | None = None, as_float: bool = False) -> tf.Tensor:
    """Stored JPEG -> uint8 [size, size, 3] (float32 in [0, 1] with `as_float`), resized with antialiasing.

    The one decoding path for training, evaluation and prediction.
    """
    img = tf.io.decode_jpeg(jpeg, channels=3)
    if image_size is not None:
        img = tf.image.resize(img, [image_size, image_size], antialias=True)
        img = img if as_float else tf.cast(tf.clip_by_value(tf.round(img), 0, 255), tf.uint8)
    if as_float:
        img = tf.cast(img, tf.float32) / 255.0
    if image_size is not None:
        img = tf.ensure_shape(img, [image_size, image_size, 3])
    return img


def make_dataset(shard_paths: Iterable[Path | str], *, image_size: int | None = None,
                 batch_size: int | None = None, shuffle: bool = False, seed: int = 0, decode: bool = True,
                 repeat: bool = False, as_float: bool = False, shuffle_buffer: int = 2048) -> tf.data.Dataset:
    """A dataset of feature dicts (FEATURE_SPEC names).

    With `decode`, `image` is a uint8 [size, size, 3] tensor (float32 in [0, 1] with `as_float`: the only
    place pixels are scaled), resized with antialiasing to `image_size` when given; without it, `image`
    stays the stored JPEG bytes. `price` is float32 (0 with `price_missing` = 1 when the listing had none).
    """
    ds = _records([str(p) for p in shard_paths], shuffle=shuffle, seed=seed)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()

    def parse(record: tf.Tensor) -> dict[str, tf.Tensor]:
        ex = tf.io.parse_single_example(record, FEATURE_SPEC)
        if decode:
            ex["image"] = decode_image(ex["image"], image_size, as_float)
        return ex

    ds = ds.map(parse, num_parallel_calls=AUTOTUNE)
    if batch_size:
        ds = ds.batch(batch_size, num_parallel_calls=AUTOTUNE)
    return ds.prefetch(AUTOTUNE)


def _meta_frame(paths: list[bytes], feats: dict[str, np.ndarray]) -> pd.DataFrame:
    """Metadata columns of one parsed batch (`price` float64 rounded to cents, NaN when missing)."""
    part: dict = {"shard": [p.decode() for p in paths]}
    part.update({name: [v.decode("utf-8") for v in feats[name]] for name in STRING_FIELDS})
    missing = feats["price_missing"].astype(bool)
    part["price"] = np.where(missing, np.nan, np.round(feats["price"].astype(np.float64), 2))
    part["price_missing"] = missing
    return pd.DataFrame(part, columns=META_COLUMNS)


def read_metadata(shard_paths: Iterable[Path | str]) -> pd.DataFrame:
    """Every field but the image, one row per example, plus the `shard` it came from.

    `price` is float64 rounded to cents (shards store float32), NaN when `price_missing`.
    """
    paths = [str(p) for p in shard_paths]
    if not paths:
        return pd.DataFrame(columns=META_COLUMNS)
    parsed = _records(paths, with_path=True).batch(1024).map(
        lambda path, rec: (path, tf.io.parse_example(rec, META_SPEC)), num_parallel_calls=AUTOTUNE)
    parts = [_meta_frame(path, feats) for path, feats in parsed.as_numpy_iterator()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=META_COLUMNS)


def read_examples(shard_paths: Iterable[Path | str], image_size: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One pass over the shards: `read_metadata`'s table and the decoded images (uint8, `image_size` square,
    row i of the array = row i of the table)."""
    paths = [str(p) for p in shard_paths]
    if not paths:
        return pd.DataFrame(columns=META_COLUMNS), np.zeros((0, image_size, image_size, 3), np.uint8)

    def parse(path, rec):
        ex = tf.io.parse_single_example(rec, FEATURE_SPEC)
        ex["image"] = decode_image(ex["image"], image_size)
        return path, ex

    parsed = _records(paths, with_path=True).map(parse, num_parallel_calls=AUTOTUNE, deterministic=True)
    frames, images = [], []
    for path, ex in parsed.batch(256).prefetch(AUTOTUNE).as_numpy_iterator():
        images.append(ex.pop("image"))
        frames.append(_meta_frame(path, ex))
    if not frames:
        return pd.DataFrame(columns=META_COLUMNS), np.zeros((0, image_size, image_size, 3), np.uint8)
    return pd.concat(frames, ignore_index=True), np.concatenate(images)
