"""Train, save, reload and evaluate one target's CNN from a prepared run (`training.prepare`).

The images come from the run's `images.npy` (memory-mapped; decoded once by prepare) through tf.data,
with the augmentation inside the model; the split and labels from its example table. Training stops early
on the validation loss and keeps the best weights; the saved model is reloaded and scores val+test rows
(metrics on test only).
"""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from sneaker_core.atomic import atomic_path, write_json
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.settings import Settings
from sneaker_core.targets import MISSING, TARGETS, TargetSpec
from sneaker_core.training import runinfo
from sneaker_core.training.augment import RandomGeometry
from sneaker_core.training.cnn import build_model, configure_devices
from sneaker_core.training.evaluate import evaluate
from sneaker_core.training.prepare import label_column, reason_column, skipped_targets
from sneaker_core.training.schedule import training_epochs, watch_from_epoch
from sneaker_core.training.split import SPLITS

PRECISE_BN_BATCHES = 8  # clean training batches that set the BatchNorm statistics before each validation


def array_dataset(images: np.ndarray, rows: np.ndarray, labels: np.ndarray, batch_size: int, *,
                  shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Batches of (uint8 images, labels) for the given rows of a (memory-mapped) image array.

    Row indices are shuffled and batched; each batch is gathered from the array (a few hundred KB of
    memcpy), so nothing is decoded per epoch and the array need not fit in memory.
    """
    side = images.shape[1:]

    def gather(idx):
        return np.asarray(images[idx])

    ds = tf.data.Dataset.from_tensor_slices((np.asarray(rows, np.int64), np.asarray(labels, np.int64)))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(rows), seed=shuffle_seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)

    def load(idx, y):
        x = tf.numpy_function(gather, [idx], tf.uint8, stateful=False)
        return tf.ensure_shape(x, [None, *side]), y

    return ds.map(load).prefetch(tf.data.AUTOTUNE)


def new_model(settings: Settings, n_classes: int, n_train: int, backbone: keras.Model | None = None) -> keras.Model:
    """The compiled CNN of one target (from `backbone`'s weights when given), its cosine LR decay spread over
    its training steps."""
    steps = -(-n_train // settings.batch_size) * training_epochs(settings, backbone is not None)
    return build_model(settings.architecture, n_classes, settings.train_image_size, seed=settings.seed,
                       decay_steps=steps, backbone=backbone)


def early_stopping(settings: Settings, warm: bool) -> keras.callbacks.EarlyStopping:
    """Stop after `patience` epochs without a better val loss, watched from `watch_from_epoch` on; keep the
    best."""
    return keras.callbacks.EarlyStopping("val_loss", patience=settings.patience, restore_best_weights=True,
                                         start_from_epoch=watch_from_epoch(settings, warm))


class PreciseBatchNorm(keras.callbacks.Callback):
    """Before each validation pass, set every BatchNorm layer's moving statistics to the plain average of its
    batch statistics over a fixed set of clean (un-augmented) training batches, at the current weights.

    Why: the moving averages the optimizer leaves behind mix statistics of augmented images taken at weights of
    the last few steps; while the weights still move fast, they disagree with what a clean image produces now,
    and validation accuracy (inference mode) swung from near-chance to near-perfect between epochs although
    training accuracy rose smoothly. Recomputed statistics make the validation figures, early stopping and the
    kept weights reflect the model as it will predict. Cost: a few forward passes per epoch.
    """

    def __init__(self, batches: list[np.ndarray]) -> None:
        super().__init__()
        self.batches = batches

    def on_test_begin(self, logs=None):
        if not self.batches:
            return
        norms = [layer for layer in self.model.layers if isinstance(layer, keras.layers.BatchNormalization)]
        augments = [layer for layer in self.model.layers if isinstance(layer, RandomGeometry)]
        saved = [layer.momentum for layer in norms]
        for layer in augments:
            layer.enabled = False
        try:
            for k, x in enumerate(self.batches):  # momentum k/(k+1): a running arithmetic mean over the batches
                for layer in norms:
                    layer.momentum = k / (k + 1)
                self.model(x, training=True)
        finally:
            for layer, momentum in zip(norms, saved):
                layer.momentum = momentum
            for layer in augments:
                layer.enabled = True


def calibration_batches(images: np.ndarray, rows: np.ndarray, batch_size: int, seed: int,
                        n_batches: int = PRECISE_BN_BATCHES) -> list[np.ndarray]:
    """A fixed random sample of training images, as whole batches, for `PreciseBatchNorm`."""
    pick = np.random.default_rng(seed).permutation(rows)[:n_batches * batch_size]
    return [np.asarray(images[np.sort(pick[i:i + batch_size])]) for i in range(0, len(pick), batch_size)]


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


def predict_probs(model: keras.Model, images: np.ndarray, table: pd.DataFrame, spec: TargetSpec,
                  target: str, batch_size: int) -> pd.DataFrame:
    """product_id, split, true, pred and one `p__<class>` column per class, for the table's rows."""
    ds = array_dataset(images, table.index.to_numpy(), np.zeros(len(table)), batch_size)
    probs = [model(x, training=False).numpy().astype(np.float32) for x, _ in ds]
    p = np.concatenate(probs) if probs else np.zeros((0, len(spec.classes)), np.float32)
    out = pd.DataFrame({
        "product_id": table["product_id"].to_numpy(),
        "split": table["split"].to_numpy(),
        "true": table[label_column(target)].to_numpy(np.int64),
        "pred": p.argmax(axis=1).astype(np.int64),
    })
    for k, name in enumerate(spec.classes):
        out[f"p__{name}"] = p[:, k]
    return out.sort_values("product_id", kind="stable").reset_index(drop=True)


HISTORY_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy")


def train_target(target: str, run: RunDir, settings: Settings, backbone: str | None = None) -> dict:
    """Train one target's CNN (from the weights of target `backbone`'s trained CNN when given); write its model,
    probs, metrics and confusion PNG; return a manifest."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {TARGETS}")
    if target in (skipped := skipped_targets(run)):
        raise RunDirError(f"{target} is skipped in run {run.run_id}: {skipped[target]}")
    if not run.verify("prepare"):
        raise RunDirError(f"run {run.run_id} is not prepared (or its prepared files changed); prepare it again")
    spec = runinfo.load_targets(run)[target]
    table = pd.read_parquet(run.examples)
    images = np.load(run.images, mmap_mode="r")
    labels = table[label_column(target)].to_numpy(np.int64)
    labelled = {s: np.flatnonzero((table["split"] == s).to_numpy() & (labels != MISSING)) for s in SPLITS}
    n = {s: len(rows) for s, rows in labelled.items()}

    start = runinfo.load_model(run.trusted(f"train-{backbone}", run.model(backbone))) if backbone else None
    keras.utils.set_random_seed(settings.seed)
    strategy = configure_devices()
    with strategy.scope():
        model = new_model(settings, len(spec.classes), n["train"], start)
    train_ds = array_dataset(images, labelled["train"], labels[labelled["train"]], settings.batch_size,
                             shuffle_seed=settings.seed)
    val_ds = array_dataset(images, labelled["val"], labels[labelled["val"]], settings.batch_size).cache()
    clock = _TrainClock()
    t0 = time.perf_counter()
    precise = PreciseBatchNorm(calibration_batches(images, labelled["train"], settings.batch_size, settings.seed))
    history = model.fit(train_ds, epochs=training_epochs(settings, start is not None), validation_data=val_ds,
                        callbacks=[precise, early_stopping(settings, start is not None), clock], shuffle=False,
                        verbose=2)
    epochs_run = len(history.history["loss"])

    path = runinfo.save_model(model, run.model(target))
    reloaded = runinfo.load_model(path)
    held_out = table[table["split"].isin(["val", "test"])]
    probs = predict_probs(reloaded, images, held_out, spec, target, settings.batch_size)
    with atomic_path(run.probs(target)) as tmp:
        probs.to_parquet(tmp, index=False)

    test = probs[probs["split"] == "test"]
    train_rows = table[table["split"] == "train"]
    test_prices = test[["product_id"]].merge(table[["product_id", "price"]], on="product_id", how="left")["price"]
    result = evaluate(
        test["true"].to_numpy(), test[[f"p__{c}" for c in spec.classes]].to_numpy(), spec,
        train_rows[label_column(target)].to_numpy(),
        true_prices=test_prices.to_numpy(), train_prices=train_rows["price"].to_numpy(),
        confusion_png=run.confusion(target),
    )
    seconds = time.perf_counter() - t0
    images_per_s = n["train"] * epochs_run / clock.seconds if clock.seconds > 0 else 0.0
    unusable = table[labels == MISSING].groupby(["split", reason_column(target)]).size()
    result.update({
        "n_train": n["train"], "n_val": n["val"],
        "excluded": {f"{s}:{r}": int(c) for (s, r), c in unusable.items()},
        "architecture": settings.architecture, "image_size": settings.train_image_size,
        "started_from": backbone, "epochs_run": epochs_run, "best_val_loss": float(min(history.history["val_loss"])),
        "history": {k: [round(float(v), 5) for v in history.history[k]] for k in HISTORY_KEYS
                    if k in history.history},
        "seconds": round(seconds, 2), "train_images_per_s": round(images_per_s, 1),
        "model_path": run.rel(path), "confusion_png": run.rel(run.confusion(target)),
        "probs_path": run.rel(run.probs(target)),
    })
    write_json(run.target_metrics(target), result)
    recorded = run.record(f"train-{target}", [path, run.probs(target), run.target_metrics(target),
                                              run.confusion(target)])
    return {
        "target": target, "model_path": str(path), "model_sha256": recorded["files"][0]["sha256"],
        "started_from": backbone, "n_train": n["train"], "n_val": n["val"],
        "n_test": result["n_test"], "accuracy": result["accuracy"], "macro_f1": result["macro_f1"],
        "majority_baseline": result["majority_baseline"], "epochs_run": epochs_run,
        "seconds": round(seconds, 2), "images_per_s": round(images_per_s, 1),
    }
