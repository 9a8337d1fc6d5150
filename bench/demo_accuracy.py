"""Demo-catalog test accuracy of the four CNNs, baseline vs default architecture, and of what stacking publishes.

Renders the demo catalog's model products with the market's own generator and renderer, normalises them
with the pipeline's normaliser at the stored size, resizes them like the shard reader, splits them with the
pipeline's leak-free grouped split, fits the targets on the training split (price deciles from training
prices, configured price bands), and trains each target with each architecture under the training settings
(epochs, patience with best weights restored, batch size). Prints validation accuracy per epoch, seconds
per target and TEST accuracy next to the majority-class baseline measured on the same split.

When all four targets are trained with the default architecture, the run's stacking stage
(`stacking.meta.fit_and_evaluate`) runs on their probabilities in a temporary run folder: every candidate
competes on the validation rows and the winner is published. Over the seeds (each seed is the catalog's and
the training's), the bench prints how often the published choice is the best candidate on the test rows, its
test accuracy beside the best candidate's, each candidate's, and the previous rule's (the meta-model with the
better CV accuracy, published whatever the other candidates scored).

    .venv/bin/python bench/demo_accuracy.py [--products 2500] [--size 96] [--epochs 24] [--patience 8]
                                            [--targets model brand price_decile price_band]
                                            [--archs default baseline] [--seeds 0 1 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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
from sneaker_core.rundir import RunDir
from sneaker_core.scoring import class_scores, majority_scores
from sneaker_core.settings import Settings
from sneaker_core.stacking.meta import fit_and_evaluate
from sneaker_core.targets import PRICE_TARGETS, TARGETS, TargetSpec, fit_target_specs
from sneaker_core.titles import group_key
from sneaker_core.training.fit import PreciseBatchNorm, calibration_batches, early_stopping, new_model
from sneaker_core.training.runinfo import save_targets
from sneaker_core.training.schedule import backbone_target, training_epochs
from sneaker_core.training.split import make_split, save_split


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
        "product_id": [p.id for p in products], "title": [p.title for p in products],
        "group_key": [group_key(p.title) for p in products],
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


def target_specs(meta: pd.DataFrame, split: pd.Series, settings: Settings) -> dict[str, TargetSpec]:
    """The four targets' classes, fit on the training split only."""
    train = meta[split == "train"]
    return fit_target_specs(train["price"].tolist(), settings.price_band_edges, train["model"].tolist(),
                            train["brand"].tolist())


def encoded_targets(meta: pd.DataFrame, specs: dict[str, TargetSpec]) -> dict[str, tuple[np.ndarray, int]]:
    """Class index per row (-1 = no label) and class count per target."""
    column = {"price_decile": "price", "price_band": "price", "model": "model", "brand": "brand"}
    return {t: (spec.encode(meta[column[t]].tolist()), len(spec.classes)) for t, spec in specs.items()}


def train_eval(target: str, arch: str, y: np.ndarray, n_classes: int, meta: pd.DataFrame, images: np.ndarray,
               split: pd.Series, settings: Settings, backbone: keras.Model | None = None) -> dict:
    """Train on the train split (early stopping on val loss, best weights; from `backbone` when given), score
    the test split; `probs`: the val and test rows' probabilities as the training writes probs/<target>.parquet."""
    part = {s: (split == s).to_numpy() & (y >= 0) for s in ("train", "val", "test")}
    settings = settings.model_copy(update={"architecture": arch})
    warm = backbone is not None
    model = new_model(settings, n_classes, int(part["train"].sum()), backbone)
    t0 = time.perf_counter()
    hist = model.fit(images[part["train"]], y[part["train"]], batch_size=settings.batch_size,
                     epochs=training_epochs(settings, warm), validation_data=(images[part["val"]], y[part["val"]]),
                     callbacks=[PreciseBatchNorm(calibration_batches(images, np.flatnonzero(part["train"]),
                                                                     settings.batch_size, settings.seed)),
                                early_stopping(settings, warm), _EpochLog(f"{target}/{arch}{'/warm' * warm}")],
                     verbose=0, shuffle=True)
    seconds = time.perf_counter() - t0
    held = split.isin(["val", "test"]).to_numpy()
    p = model.predict(images[held], batch_size=64, verbose=0)
    probs = pd.DataFrame({"product_id": meta.loc[held, "product_id"].to_numpy(), "split": split[held].to_numpy(),
                          "true": y[held], "pred": p.argmax(axis=1)})
    probs[[f"p__{k}" for k in range(n_classes)]] = p
    pred = probs.loc[(probs["split"] == "test").to_numpy() & (probs["true"] >= 0).to_numpy(), "pred"].to_numpy()
    true = y[part["test"]]
    scores = class_scores(true, pred)
    wrong = meta.loc[part["test"], "model"].to_numpy()[pred != true]
    return {"target": target, "arch": arch + "/warm" * warm, "model": model, "classes": n_classes, "n_test": scores["n"],
            "accuracy": scores["accuracy"], "majority": majority_scores(y[part["train"]], true)["accuracy"],
            "within_one": scores["within_one"], "epochs_run": len(hist.history["loss"]),
            "seconds": seconds, "errors_by_model": pd.Series(wrong).value_counts().head(4).to_dict(), "probs": probs}


def stack(meta: pd.DataFrame, split_df: pd.DataFrame, specs: dict[str, TargetSpec],
          probs: dict[str, pd.DataFrame], settings: Settings) -> dict:
    """The stacking stage on these CNN probabilities, in a temporary run folder laid out as training leaves it;
    returns metrics.json's `meta`."""
    with tempfile.TemporaryDirectory() as tmp:
        run = RunDir(Path(tmp)).create()
        save_split(split_df, run)
        save_targets(specs, run)
        for target, frame in probs.items():
            frame = frame.rename(columns={f"p__{k}": f"p__{c}" for k, c in enumerate(specs[target].classes)})
            run.probs(target).parent.mkdir(parents=True, exist_ok=True)
            frame.to_parquet(run.probs(target), index=False)
        t0 = time.perf_counter()
        fit_and_evaluate(run, meta, settings)
        print(f"stacking stage {time.perf_counter() - t0:.1f}s", flush=True)
        return json.loads(run.stack_results.read_text(encoding="utf-8"))["meta"]


def selection_row(meta: dict, target: str) -> dict:
    """One seed's figures for a price target: the published candidate, its test accuracy, the best on test."""
    entry = meta["selection"][target]
    cands = {k: v for k, v in entry["candidates"].items() if "test_accuracy" in v}
    test = {k: v["test_accuracy"] for k, v in cands.items()}
    old = max(("meta_logreg", "meta_boosted"), key=lambda k: (cands.get(k, {}).get("cv_accuracy", -1), k == "meta_logreg"))
    best = max(test, key=test.get)
    return {"selected": entry["selected"], "published": test[entry["selected"]], "best": best,
            "best_accuracy": test[best], "is_best": test[entry["selected"]] >= test[best] - 1e-12,
            "previous_rule": test.get(old), "lead": entry["lead_over_next_cv_accuracy"], "test": test}


def print_selection(rows: dict[str, list[dict]], seeds: list[int]) -> None:
    """Per price target over the seeds: how often the published choice is the best on test, mean accuracies."""
    print(f"\nstacking over seeds {seeds}: what is published vs the best candidate on the TEST rows")
    for target, per_seed in rows.items():
        for seed, r in zip(seeds, per_seed, strict=True):
            lead = "—" if r["lead"] is None else f"{r['lead']:+.3f}"
            print(f"  {target:12} seed {seed}: published {r['selected']:18} {r['published']:.3f} (CV lead {lead}); "
                  f"best on test {r['best']:18} {r['best_accuracy']:.3f}; "
                  + ", ".join(f"{k} {v:.3f}" for k, v in r["test"].items()))
        names = list(dict.fromkeys(k for r in per_seed for k in r["test"]))
        mean = {k: np.mean([r["test"][k] for r in per_seed if k in r["test"]]) for k in names}
        published = [r["published"] for r in per_seed]
        print(f"{target:12} published = best on test in {sum(r['is_best'] for r in per_seed)}/{len(per_seed)} seeds; "
              f"test accuracy published {np.mean(published):.3f} ± {np.std(published):.3f}, best candidate "
              f"{np.mean([r['best_accuracy'] for r in per_seed]):.3f}, best single candidate on average "
              f"{max(mean, key=mean.get)} {max(mean.values()):.3f}, previous rule (better-CV meta-model) "
              f"{np.mean([r['previous_rule'] for r in per_seed]):.3f}")
        print(" " * 13 + "mean test accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=None, help="demo catalog size (default: settings)")
    ap.add_argument("--size", type=int, default=None, help="training image size (default: settings)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--patience", type=int, default=None)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--finetune-epochs", type=int, default=None, help="epochs of the warm-started targets")
    ap.add_argument("--cold", action="store_true", help="train every target from scratch (no warm start)")
    ap.add_argument("--targets", nargs="+", default=list(TARGETS), choices=TARGETS)
    ap.add_argument("--archs", nargs="+", default=["default", "baseline"], choices=["default", "baseline"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="catalog and training seeds, one run each")
    ap.add_argument("--threads", type=int, default=2, help="TensorFlow threads and render processes")
    a = ap.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    overrides = {k: v for k, v in (("train_image_size", a.size), ("epochs", a.epochs), ("patience", a.patience),
                                   ("batch_size", a.batch), ("market_products", a.products),
                                   ("finetune_epochs", a.finetune_epochs), ("warm_start", False if a.cold else None))
                 if v is not None}
    selection: dict[str, list[dict]] = {t: [] for t in PRICE_TARGETS}
    for seed in a.seeds:
        print(f"\n=== seed {seed} ===", flush=True)
        results, meta = run_seed(Settings(source="demo", seed=seed, **overrides), a, seed)
        if meta is not None:
            for target in PRICE_TARGETS:
                selection[target].append(selection_row(meta, target))
        print(f"\n{'target':12} {'arch':8} {'classes':>7} {'n_test':>6} {'test_acc':>8} {'majority':>8} "
              f"{'within1':>7} {'epochs':>6} {'seconds':>7}  errors by true model (top 4)")
        for r in results:
            within = f"{r['within_one']:7.3f}" if r["target"].startswith("price") else f"{'':7}"
            print(f"{r['target']:12} {r['arch']:8} {r['classes']:7d} {r['n_test']:6d} {r['accuracy']:8.3f} "
                  f"{r['majority']:8.3f} {within} {r['epochs_run']:6d} {r['seconds']:7.1f}  {r['errors_by_model']}")
    if all(selection.values()):
        print_selection(selection, a.seeds)


def run_seed(settings: Settings, a: argparse.Namespace, seed: int) -> tuple[list[dict], dict | None]:
    """Train every (target, arch) on one seed's catalog; stack when the default arch covers all four targets."""
    t0 = time.perf_counter()
    meta, images = demo_rows(settings, settings.market_products, seed, a.threads)
    split_df = make_split(meta, settings.split, settings.seed)
    split = meta["product_id"].map(split_df.set_index("product_id")["split"]).fillna("dropped")
    counts = split.value_counts().to_dict()
    print(f"{settings.market_products} products -> {len(meta)} labelled sneakers {counts}; stored "
          f"{settings.image_size} px, training {settings.train_image_size} px; images in "
          f"{time.perf_counter() - t0:.1f}s", flush=True)
    specs = target_specs(meta, split, settings)
    targets = encoded_targets(meta, specs)
    results = []
    for arch in a.archs:  # as the flow trains them: the backbone target first, the others from its weights
        first = backbone_target(settings.model_copy(update={"architecture": arch}), a.targets)
        backbone = None
        for t in sorted(a.targets, key=lambda t: t != first):
            results.append(train_eval(t, arch, *targets[t], meta, images, split, settings, backbone))
            if t == first:
                backbone = results[-1]["model"]
    probs = {r["target"]: r["probs"] for r in results if r["arch"].startswith("default")}
    stacked = stack(meta, split_df, specs, probs, settings) if set(probs) == set(TARGETS) else None
    return results, stacked


if __name__ == "__main__":
    main()
