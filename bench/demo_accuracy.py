"""Demo-catalog test accuracy of the four CNNs, baseline vs default architecture, in memory (issue 6's figures).

Renders the demo catalog's model products with the market's own generator and renderer, normalises them
with the pipeline's normaliser at the stored size, resizes them like the shard reader, splits them with the
pipeline's leak-free grouped split, fits the targets on the training split (price deciles from training
prices, configured price bands), and trains each target with each architecture under the training settings
(epochs, patience with best weights restored, batch size). Prints validation accuracy per epoch, seconds
per target and TEST accuracy next to the majority-class baseline measured on the same split.

    .venv/bin/python bench/demo_accuracy.py [--products 2500] [--size 96] [--epochs 24] [--patience 8]
                                            [--targets model brand price_decile price_band]
                                            [--archs default baseline] [--seed 0] [--threads 2]
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
from sneaker_core.scoring import class_scores, majority_scores
from sneaker_core.settings import Settings
from sneaker_core.targets import TARGETS, fit_target_specs
from sneaker_core.titles import group_key
from sneaker_core.training.fit import PreciseBatchNorm, calibration_batches, early_stopping, new_model
from sneaker_core.training.split import make_split


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
        "price": [None if p.price_cents is None else p.price_cents / 100 for p in products],
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


def encoded_targets(meta: pd.DataFrame, split: pd.Series, settings: Settings) -> dict[str, tuple[np.ndarray, int]]:
    """Class index per row (-1 = no label) and class count per target, fit on the training split only."""
    train = meta[split == "train"]
    specs = fit_target_specs(train["price"].tolist(), settings.price_band_edges, train["model"].tolist(),
                             train["brand"].tolist())
    column = {"price_decile": "price", "price_band": "price", "model": "model", "brand": "brand"}
    return {t: (spec.encode(meta[column[t]].tolist()), len(spec.classes)) for t, spec in specs.items()}


def train_eval(target: str, arch: str, y: np.ndarray, n_classes: int, meta: pd.DataFrame, images: np.ndarray,
               split: pd.Series, settings: Settings) -> dict:
    """Train on the train split (early stopping on val loss, best weights), score the test split."""
    part = {s: (split == s).to_numpy() & (y >= 0) for s in ("train", "val", "test")}
    model = new_model(settings.model_copy(update={"architecture": arch}), n_classes, int(part["train"].sum()))
    t0 = time.perf_counter()
    hist = model.fit(images[part["train"]], y[part["train"]], batch_size=settings.batch_size,
                     epochs=settings.epochs, validation_data=(images[part["val"]], y[part["val"]]),
                     callbacks=[PreciseBatchNorm(calibration_batches(images, np.flatnonzero(part["train"]),
                                                                     settings.batch_size, settings.seed)),
                                early_stopping(settings), _EpochLog(f"{target}/{arch}")], verbose=0, shuffle=True)
    seconds = time.perf_counter() - t0
    pred = model.predict(images[part["test"]], batch_size=64, verbose=0).argmax(axis=1)
    true = y[part["test"]]
    scores = class_scores(true, pred)
    wrong = meta.loc[part["test"], "model"].to_numpy()[pred != true]
    return {"target": target, "arch": arch, "classes": n_classes, "n_test": scores["n"],
            "accuracy": scores["accuracy"], "majority": majority_scores(y[part["train"]], true)["accuracy"],
            "within_one": scores["within_one"], "epochs_run": len(hist.history["loss"]),
            "seconds": seconds, "errors_by_model": pd.Series(wrong).value_counts().head(4).to_dict()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=None, help="demo catalog size (default: settings)")
    ap.add_argument("--size", type=int, default=None, help="training image size (default: settings)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--patience", type=int, default=None)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--targets", nargs="+", default=list(TARGETS), choices=TARGETS)
    ap.add_argument("--archs", nargs="+", default=["default", "baseline"], choices=["default", "baseline"])
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
    targets = encoded_targets(meta, split, settings)
    results = [train_eval(t, arch, *targets[t], meta, images, split, settings) for t in a.targets for arch in a.archs]
    print(f"\n{'target':12} {'arch':8} {'classes':>7} {'n_test':>6} {'test_acc':>8} {'majority':>8} "
          f"{'within1':>7} {'epochs':>6} {'seconds':>7}  errors by true model (top 4)")
    for r in results:
        within = f"{r['within_one']:7.3f}" if r["target"].startswith("price") else f"{'':7}"
        print(f"{r['target']:12} {r['arch']:8} {r['classes']:7d} {r['n_test']:6d} {r['accuracy']:8.3f} "
              f"{r['majority']:8.3f} {within} {r['epochs_run']:6d} {r['seconds']:7.1f}  {r['errors_by_model']}")


if __name__ == "__main__":
    main()
