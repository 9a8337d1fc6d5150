"""Train, save, reload and evaluate one target's CNN inside a run directory.

`prepare_run` records the split and the target specs once (deterministic, atomic: concurrent callers
write identical files); `train_target` reuses them, trains with early stopping on the validation loss,
saves the best weights, reloads the saved model, and scores val+test rows (metrics on test only).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from sneaker_core.atomic import atomic_path, write_json
from sneaker_core.settings import Settings
from sneaker_core.shards.reader import make_dataset, read_metadata
from sneaker_core.targets import MISSING, PRICE_TARGETS, TARGETS, TargetSpec, fit_target_specs
from sneaker_core.training import runinfo
from sneaker_core.training.cnn import build_model, configure_devices
from sneaker_core.training.evaluate import evaluate
from sneaker_core.training.split import (
    SPLIT_INFO,
    SPLITS,
    load_split,
    make_split,
    save_split,
    unique_products,
)

SPLIT_CODE = {name: i for i, name in enumerate(SPLITS)}
KEY_SEP = "\x1f"  # joins product id and search model in lookup keys
LABEL_COLUMN = {"price_decile": "price", "price_band": "price", "model": "model", "brand": "brand"}


def fit_split_targets(meta: pd.DataFrame, split: pd.DataFrame, settings: Settings) -> dict[str, TargetSpec]:
    """Target specs from the training split only."""
    train_ids = set(split.loc[split["split"] == "train", "product_id"])
    train = unique_products(meta)
    train = train[train["product_id"].isin(train_ids)]
    return fit_target_specs(
        train["price"].tolist(),
        settings.price_band_edges,
        [m for m in train["model"] if m],
        [b for b in train["brand"] if b],
    )


def _split_and_specs(meta: pd.DataFrame, run_dir: Path, settings: Settings
                     ) -> tuple[pd.DataFrame, dict[str, TargetSpec]]:
    """The run's recorded split and specs, created (deterministically) when absent."""
    if (run_dir / SPLIT_INFO).exists():  # written after split.parquet, so both are complete
        split = load_split(run_dir)
    else:
        split = make_split(meta, settings.split, settings.seed)
        save_split(split, run_dir)
        split = load_split(run_dir)
    if (run_dir / runinfo.TARGETS_FILE).exists():
        specs = runinfo.load_targets(run_dir)
    else:
        specs = fit_split_targets(meta, split, settings)
        runinfo.save_targets(specs, run_dir)
    return split, specs


def prepare_run(shard_paths: Sequence[Path], run_dir: Path, settings: Settings) -> dict:
    """Create (or reuse) split.parquet/split.json and targets.json; returns a small manifest."""
    run_dir = Path(run_dir)
    split, specs = _split_and_specs(read_metadata(shard_paths), run_dir, settings)
    return {
        "run_dir": str(run_dir),
        "split_digest": split.attrs["digest"],
        "counts": split.attrs["counts"],
        "dropped": split.attrs.get("dropped", {}),
        "classes": {name: len(spec.classes) for name, spec in specs.items()},
    }


def label_rows(meta: pd.DataFrame, split: pd.DataFrame, spec: TargetSpec, target: str) -> pd.DataFrame:
    """product_id, split, label (MISSING when unusable), price, and a reason for each unusable row."""
    rows = split[["product_id", "split"]].merge(unique_products(meta), on="product_id", how="left")
    values = rows[LABEL_COLUMN[target]]
    rows["label"] = spec.encode(values.tolist())
    if target in PRICE_TARGETS:
        reason = np.where(values.isna(), "no_price", "")
    else:
        reason = np.where(values.fillna("") == "", "no_label", "class_not_in_train")
    rows["reason"] = np.where(rows["label"] == MISSING, reason, "")
    return rows[["product_id", "search_model", "split", "label", "price", "reason"]]


def _lookup(keys: pd.Series, values: Sequence[int]) -> tf.lookup.StaticHashTable:
    init = tf.lookup.KeyValueTensorInitializer(
        tf.constant(keys.astype(str).tolist()), tf.constant(np.asarray(values, dtype=np.int64)))
    return tf.lookup.StaticHashTable(init, default_value=-1)


def _dataset(shard_paths, rows: pd.DataFrame, splits: Sequence[str], settings: Settings, *,
             labelled_only: bool, shuffle: bool) -> tf.data.Dataset:
    """Batches of (image, label, product_id, split code) for rows of the given splits (known cardinality).

    A product listed by two searches sits in two models' shards; only the occurrence the split kept (its
    product id *and* search) is used, so every product is seen once.
    """
    keys = rows["product_id"].astype(str) + KEY_SEP + rows["search_model"].astype(str)
    label_t = _lookup(keys, rows["label"])
    split_t = _lookup(keys, rows["split"].map(SPLIT_CODE))
    wanted = tf.constant([SPLIT_CODE[s] for s in splits], tf.int64)

    def pick(ex):
        pid = ex["product_id"]
        key = tf.strings.join([pid, ex["search_model"]], separator=KEY_SEP)
        return ex["image"], label_t.lookup(key), pid, split_t.lookup(key)

    def keep(image, label, pid, code):
        ok = tf.reduce_any(tf.equal(code, wanted))
        return tf.logical_and(ok, label >= 0) if labelled_only else ok

    chosen = rows["split"].isin(list(splits)) & ((rows["label"] != MISSING) if labelled_only else True)
    n_batches = -(-int(chosen.sum()) // settings.batch_size)
    ds = make_dataset(shard_paths, image_size=settings.train_image_size, shuffle=shuffle, seed=settings.seed)
    ds = ds.map(pick).filter(keep).batch(settings.batch_size)
    return ds.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(tf.data.AUTOTUNE)


def early_stopping(settings: Settings) -> keras.callbacks.EarlyStopping:
    """Stop after `patience` epochs without a better val loss, counted from `warmup_epochs` on; keep the best."""
    return keras.callbacks.EarlyStopping("val_loss", patience=settings.patience, restore_best_weights=True,
                                         start_from_epoch=min(settings.warmup_epochs, settings.epochs - 1))


class _TrainClock(keras.callbacks.Callback):
    """Seconds spent in training batches (validation passes excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        self._start = self._last = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds += self._last - self._start


def predict_rows(model: keras.Model, ds: tf.data.Dataset, spec: TargetSpec) -> pd.DataFrame:
    """product_id, split, true, pred and one `p__<class>` column per class."""
    ids, codes, trues, probs = [], [], [], []
    for image, label, pid, code in ds:
        probs.append(model(image, training=False).numpy().astype(np.float32))
        ids.extend(p.decode() for p in pid.numpy())
        codes.append(code.numpy())
        trues.append(label.numpy())
    p = np.concatenate(probs) if probs else np.zeros((0, len(spec.classes)), np.float32)
    out = pd.DataFrame({
        "product_id": ids,
        "split": [SPLITS[c] for c in (np.concatenate(codes) if codes else [])],
        "true": np.concatenate(trues).astype(np.int64) if trues else np.zeros(0, np.int64),
        "pred": p.argmax(axis=1).astype(np.int64),
    })
    for k, name in enumerate(spec.classes):
        out[f"p__{name}"] = p[:, k]
    return out.sort_values("product_id", kind="stable").reset_index(drop=True)


def train_target(target: str, shard_paths: Sequence[Path], run_dir: Path, settings: Settings) -> dict:
    """Train one target's CNN; write its model, probs, metrics and confusion PNG; return a manifest."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {TARGETS}")
    run_dir = Path(run_dir)
    meta = read_metadata(shard_paths)
    split, specs = _split_and_specs(meta, run_dir, settings)
    spec = specs[target]
    rows = label_rows(meta, split, spec, target)
    labelled = rows[rows["label"] != MISSING]
    n = {s: int((labelled["split"] == s).sum()) for s in SPLITS}
    for s in SPLITS:
        if n[s] == 0:
            raise ValueError(f"{target}: no labelled {s} rows (split counts {split.attrs['counts']})")

    keras.utils.set_random_seed(settings.seed)
    strategy = configure_devices()
    steps = -(-n["train"] // settings.batch_size) * settings.epochs
    with strategy.scope():
        model = build_model(settings.architecture, len(spec.classes), settings.train_image_size,
                            seed=settings.seed, decay_steps=steps)
    train_ds = _dataset(shard_paths, rows, ["train"], settings, labelled_only=True, shuffle=True)
    val_ds = _dataset(shard_paths, rows, ["val"], settings, labelled_only=True, shuffle=False).cache()
    clock = _TrainClock()
    t0 = time.perf_counter()
    history = model.fit(train_ds.map(lambda x, y, pid, code: (x, y)), epochs=settings.epochs,
                        validation_data=val_ds.map(lambda x, y, pid, code: (x, y)),
                        callbacks=[early_stopping(settings), clock], shuffle=False, verbose=2)
    epochs_run = len(history.history["loss"])

    path = runinfo.save_model(model, runinfo.model_path(run_dir, target))
    reloaded = runinfo.load_model(path)
    pred_ds = _dataset(shard_paths, rows, ["val", "test"], settings, labelled_only=False, shuffle=False)
    probs = predict_rows(reloaded, pred_ds, spec)
    with atomic_path(runinfo.probs_path(run_dir, target)) as tmp:
        probs.to_parquet(tmp, index=False)

    test = probs[probs["split"] == "test"]
    train_rows = rows[rows["split"] == "train"]
    test_prices = test[["product_id"]].merge(rows[["product_id", "price"]], on="product_id", how="left")["price"]
    result = evaluate(
        test["true"].to_numpy(), test[[f"p__{c}" for c in spec.classes]].to_numpy(), spec,
        train_rows["label"].to_numpy(),
        true_prices=test_prices.to_numpy(), train_prices=train_rows["price"].to_numpy(),
        confusion_png=runinfo.confusion_path(run_dir, target),
    )
    seconds = time.perf_counter() - t0
    images_per_s = n["train"] * epochs_run / clock.seconds if clock.seconds > 0 else 0.0
    unusable = rows[rows["label"] == MISSING].groupby(["split", "reason"]).size()
    result.update({
        "n_train": n["train"], "n_val": n["val"],
        "excluded": {f"{s}:{r}": int(c) for (s, r), c in unusable.items()},
        "architecture": settings.architecture, "image_size": settings.train_image_size,
        "epochs_run": epochs_run, "best_val_loss": float(min(history.history["val_loss"])),
        "seconds": round(seconds, 2), "train_images_per_s": round(images_per_s, 1),
        "model_path": str(path.relative_to(run_dir)),
        "confusion_png": str(runinfo.confusion_path(run_dir, target).relative_to(run_dir)),
        "probs_path": str(runinfo.probs_path(run_dir, target).relative_to(run_dir)),
    })
    write_json(runinfo.target_metrics_path(run_dir, target), result)
    return {
        "target": target, "model_path": str(path), "n_train": n["train"], "n_val": n["val"],
        "n_test": result["n_test"], "accuracy": result["accuracy"], "macro_f1": result["macro_f1"],
        "majority_baseline": result["majority_baseline"], "epochs_run": epochs_run,
        "seconds": round(seconds, 2), "images_per_s": round(images_per_s, 1),
    }
