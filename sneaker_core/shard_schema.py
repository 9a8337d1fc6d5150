"""The TFRecord example schema shared by the shard writer, the reader and training.

Shards store facts, not training labels: price deciles are fit on the training split later.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # TensorFlow is imported where examples are built or read, not by importers of the schema
    import tensorflow as tf

SCHEMA_VERSION = 1
STRING_FIELDS = (
    "product_id",
    "title",
    "model",
    "brand",
    "search_model",
    "group_key",
    "scraped_at",
    "image_sha256",
)


def feature_spec() -> dict[str, tf.io.FixedLenFeature]:
    """The parsing spec of one example, for `tf.io.parse_single_example`."""
    import tensorflow as tf

    return {
        "image": tf.io.FixedLenFeature([], tf.string),
        "price": tf.io.FixedLenFeature([], tf.float32),
        "price_missing": tf.io.FixedLenFeature([], tf.int64),
        **{name: tf.io.FixedLenFeature([], tf.string) for name in STRING_FIELDS},
    }


def _bytes(v: bytes) -> tf.train.Feature:
    import tensorflow as tf

    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[v]))


def encode_example(record: dict[str, Any]) -> bytes:
    """Serialise one record: `image` JPEG bytes, `price` float or None, and the string fields."""
    import tensorflow as tf

    price = record.get("price")
    missing = price is None or (isinstance(price, float) and math.isnan(price))
    feats = {
        "image": _bytes(bytes(record["image"])),
        "price": tf.train.Feature(float_list=tf.train.FloatList(value=[0.0 if missing else float(price)])),
        "price_missing": tf.train.Feature(int64_list=tf.train.Int64List(value=[int(missing)])),
    }
    for name in STRING_FIELDS:
        feats[name] = _bytes(str(record.get(name) or "").encode("utf-8"))
    # deterministic: map fields in key order (else the order follows a per-process hash seed)
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString(deterministic=True)


def decode_example(serialized: bytes) -> dict[str, Any]:
    """Inverse of `encode_example` in plain Python (strings decoded, price None when missing)."""
    import tensorflow as tf

    ex = tf.train.Example.FromString(serialized).features.feature
    out: dict[str, Any] = {name: ex[name].bytes_list.value[0].decode("utf-8") for name in STRING_FIELDS}
    out["image"] = ex["image"].bytes_list.value[0]
    missing = bool(ex["price_missing"].int64_list.value[0])
    out["price"] = None if missing else float(ex["price"].float_list.value[0])
    return out
