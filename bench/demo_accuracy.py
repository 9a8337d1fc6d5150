"""Demo-catalog accuracy of the `model` and `brand` CNNs, in memory: the figures issue 6 asks for, fast.

Renders the demo catalog's model products with the market's own generator and renderer, normalises them
with the pipeline's normaliser at the stored size, resizes them like the shard reader, splits them with the
pipeline's leak-free grouped split, and trains each target with the training settings (epochs, patience with
best weights restored, batch size, architecture). Prints validation accuracy per epoch, seconds per target
and TEST accuracy next to the majority-class baseline measured on the same split.

    .venv/bin/python bench/demo_accuracy.py [--products 1500] [--size 96] [--epochs 12] [--patience 4]
                                            [--targets model brand] [--seed 0] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from sneaker_core.atomic import sha256_bytes
from sneaker_core.images.normalise import normalise
from sneaker_core.market.catalog_gen import generate_catalog
from sneaker_core.market.render import RenderSpec, encode_png, render_image
from sneaker_core.registry import enabled_models
from sneaker_core.settings import Settings
from sneaker_core.titles import group_key
from sneaker_core.training.cnn import build_model
from sneaker_core.training.split import make_split

LABELS = {"model": "model", "brand": "brand"}


def _stored_jpeg(args: tuple[RenderSpec, int, int, int]) -> bytes:
    spec, size, quality, max_pixels = args
    return normalise(encode_png(render_image(spec)), size, quality, max_pixels)[0]


def demo_rows(settings: Settings, n_products: int, seed: int, workers: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per product of an enabled model (as the shards hold them) and its image at the training size (uint8)."""
    enabled = {m.key for m in enabled_models()}
    products = [p for p in generate_catalog(seed, n_products).products if p.model in enabled]
    specs = [RenderSpec(p.render_key, p.title, p.model, p.brand_name, p.category) for p in products]
    args = [(s, settings.image_size, settings.jpeg_quality, settings.max_image_pixels) for s in specs]
    with ProcessPoolExecutor(workers) as pool:
        jpegs = list(pool.map(_stored_jpeg, args, chunksize=16))
    size = settings.train_image_size
    images = np.stack([
        tf.cast(tf.clip_by_value(tf.round(tf.image.resize(tf.io.decode_jpeg(j, channels=3), [size, size],
                                                          antialias=True)), 0, 255), tf.uint8).numpy()
        for j in jpegs])
    meta = pd.DataFrame({
        "product_id": [p.id for p in products], "group_key": [group_key(p.title) for p in products],
        "image_sha256": [sha256_bytes(j) for j in jpegs], "model": [p.model for p in products],
        "search_model": [p.model for p in products], "brand": [p.brand for p in products],
    })
    return meta, images


class _EpochLog(keras.callbacks.Callback):
    def __init__(self, target: str) -> None:
        super().__init__()
        self.target, self.t0 = target, time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        print(f"  {self.target} epoch {epoch + 1:2d}  train_acc {logs.get('accuracy', 0):.3f}  "
              f"val_loss {logs.get('val_loss', 0):.3f}  val_acc {logs.get('val_accuracy', 0):.3f}  "
              f"{time.perf_counter() - self.t0:6.1f}s", flush=True)


def train_eval(target: str, meta: pd.DataFrame, images: np.ndarray, split: pd.Series, settings: Settings) -> dict:
    """Train on the train split (early stopping on val loss, best weights), score the test split."""
    classes = sorted(meta.loc[split == "train", LABELS[target]].unique())
    index = {c: i for i, c in enumerate(classes)}
    y = meta[LABELS[target]].map(index).fillna(-1).astype(int).to_numpy()
    part = {s: (split == s).to_numpy() & (y >= 0) for s in ("train", "val", "test")}
    steps = -(-int(part["train"].sum()) // settings.batch_size) * settings.epochs
    model = build_model(settings.architecture, len(classes), settings.train_image_size, seed=settings.seed,
                        decay_steps=steps)
    stop = keras.callbacks.EarlyStopping("val_loss", patience=settings.patience, restore_best_weights=True)
    t0 = time.perf_counter()
    hist = model.fit(images[part["train"]], y[part["train"]], batch_size=settings.batch_size,
                     epochs=settings.epochs, validation_data=(images[part["val"]], y[part["val"]]),
                     callbacks=[stop, _EpochLog(target)], verbose=0, shuffle=True)
    seconds = time.perf_counter() - t0
    pred = model.predict(images[part["test"]], batch_size=64, verbose=0).argmax(axis=1)
    true = y[part["test"]]
    majority = np.bincount(y[part["train"]]).argmax()
    wrong = meta.loc[part["test"], "model"].to_numpy()[pred != true]
    return {"target": target, "classes": len(classes), "n_test": int(part["test"].sum()),
            "accuracy": float((pred == true).mean()), "majority": float((true == majority).mean()),
            "epochs_run": len(hist.history["loss"]), "seconds": seconds,
            "errors_by_model": pd.Series(wrong).value_counts().to_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=None, help="demo catalog size (default: settings)")
    ap.add_argument("--size", type=int, default=None, help="training image size (default: settings)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--patience", type=int, default=None)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--targets", nargs="+", default=["model", "brand"], choices=sorted(LABELS))
    ap.add_argument("--seed", type=int, default=0, help="catalog seed")
    ap.add_argument("--threads", type=int, default=2, help="TensorFlow threads and render processes")
    a = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    overrides = {k: v for k, v in (("train_image_size", a.size), ("epochs", a.epochs), ("patience", a.patience),
                                   ("batch_size", a.batch), ("market_products", a.products)) if v is not None}
    settings = Settings(source="demo", **overrides)
    t0 = time.perf_counter()
    meta, images = demo_rows(settings, settings.market_products, a.seed, a.threads)
    split = make_split(meta, settings.split, settings.seed).set_index("product_id")["split"]
    split = meta["product_id"].map(split).fillna("dropped")
    counts = split.value_counts().to_dict()
    print(f"{settings.market_products} products -> {len(meta)} labelled sneakers {counts}; stored "
          f"{settings.image_size} px, training {settings.train_image_size} px; images in "
          f"{time.perf_counter() - t0:.1f}s", flush=True)
    results = [train_eval(t, meta, images, split, settings) for t in a.targets]
    print(f"\n{'target':8} {'classes':>7} {'n_test':>6} {'test_acc':>8} {'majority':>8} {'epochs':>6} "
          f"{'seconds':>7}  errors by true model")
    for r in results:
        print(f"{r['target']:8} {r['classes']:7d} {r['n_test']:6d} {r['accuracy']:8.3f} {r['majority']:8.3f} "
              f"{r['epochs_run']:6d} {r['seconds']:7.1f}  {r['errors_by_model']}")


if __name__ == "__main__":
    main()
