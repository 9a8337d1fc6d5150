"""Test support (tests and the docs screenshot only): a synthetic, seeded run folder with the files the report
reads (metrics, target specs, CNN probabilities, confusion PNGs, predictions, split), named by `RunDir`.

The CNN probabilities are simulated with per-target signal strengths chosen to look like real runs
(weak price signal, strong model/brand signal, somewhat over-confident); metrics come from the real
`training.evaluate` so their shape matches a trained run exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.atomic import atomic_path, write_json
from sneaker_core.csv_files import write_csv_table
from sneaker_core.payout import FeeSchedule, net_payouts
from sneaker_core.registry import enabled_models
from sneaker_core.rundir import RunDir
from sneaker_core.settings import DEFAULT_PRICE_BAND_EDGES
from sneaker_core.targets import MISSING, PRICE_TARGETS, TARGETS, fit_target_specs
from sneaker_core.training.evaluate import evaluate

FAKE_SCHEDULE = FeeSchedule(commission_rate=0.095, seller_fee_usd=5.0, cashout_rate=0.029)
SIGNAL = {"price_decile": 0.55, "price_band": 1.0, "model": 3.4, "brand": 3.3}
COLOURS = ("Bred", "Chicago", "Panda", "University Blue", "Triple White", "Black Cat", "Sail", "Mocha", "Zebra")
EXTRAS = ("", "Retro High OG", "SB", "PE", "Sample", "x Travis Scott", "Low")


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _simulate(y: np.ndarray, k: int, strength: float, ordinal: bool, rng: np.random.Generator) -> np.ndarray:
    """Class probabilities that favour the true class (and, for ordered bins, its neighbours)."""
    logits = rng.normal(0.0, 1.0, (len(y), k))
    rows = np.flatnonzero(y != MISSING)
    logits[rows, y[rows]] += strength
    if ordinal:
        for step in (-1, 1):
            nb = np.clip(y[rows] + step, 0, k - 1)
            logits[rows, nb] += strength * 0.45
    return _softmax(logits * (1.0 + 0.35 * strength))  # a stronger signal is also more over-confident


def _catalog(n: int, rng: np.random.Generator) -> pd.DataFrame:
    models = enabled_models()
    medians = {m.key: rng.uniform(98, 416) for m in models}
    pick = rng.integers(0, len(models), n)
    rows = []
    for i, j in enumerate(pick):
        m = models[j]
        price = medians[m.key] * float(np.exp(rng.normal(0, 0.45)))
        title = " ".join(filter(None, [m.name, str(rng.choice(EXTRAS)), f"'{rng.choice(COLOURS)}'",
                                       str(int(rng.integers(2015, 2024)))]))
        rows.append({"product_id": f"p{i:05d}", "title": title, "model": m.key, "brand": m.brand,
                     "price": round(price, 2) if rng.random() > 0.04 else np.nan})
    df = pd.DataFrame(rows)
    df["split"] = np.where(rng.random(n) < 0.6, "train", np.where(rng.random(n) < 0.5, "val", "test"))
    return df


def _wide_predictions(test: pd.DataFrame, specs: dict, probs: dict, rng: np.random.Generator) -> pd.DataFrame:
    est = test["price"].fillna(180.0).to_numpy() * np.exp(rng.normal(0, 0.33, len(test)))
    out = pd.DataFrame({"product_id": test["product_id"], "title": test["title"], "true_price_usd": test["price"],
                        "price_estimate_usd": est.round(2), "price_low_usd": (est * np.exp(-0.48)).round(2),
                        "price_high_usd": (est * np.exp(0.48)).round(2)})
    out["net_payout_usd"] = net_payouts(out["price_estimate_usd"], FAKE_SCHEDULE)
    for target, spec in specs.items():
        p = probs[target].set_index("product_id").loc[test["product_id"]]
        classes = np.asarray(spec.classes, dtype=object)
        out[f"pred_{target}"] = classes[p["pred"].to_numpy()]
        true = p["true"].to_numpy()
        out[f"true_{target}"] = np.where(true >= 0, classes[np.clip(true, 0, None)], None)
        for c in spec.classes:
            out[f"p_{target}__{c}"] = p[f"p__{c}"].to_numpy()
    return out.reset_index(drop=True)


def _tidy(wide: pd.DataFrame, specs: dict) -> pd.DataFrame:
    parts = []
    for target, spec in specs.items():
        for c in spec.classes:
            parts.append(pd.DataFrame({"product_id": wide["product_id"], "title": wide["title"], "target": target,
                                       "class": c, "probability": wide[f"p_{target}__{c}"],
                                       "true_class": wide[f"true_{target}"]}))
    return pd.concat(parts, ignore_index=True)


def _fake_meta(y: np.ndarray, spec, train_labels: np.ndarray, strength: float, rng) -> dict:
    m = evaluate(y, _simulate(y, len(spec.classes), strength, True, rng), spec, train_labels,
                 true_prices=np.zeros(len(y)), train_prices=np.zeros(len(train_labels)))
    return {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"], "within_one": m["within_one_bin"]}


def _history(final_accuracy: float, rng: np.random.Generator, epochs: int = 12) -> dict[str, list[float]]:
    """Per-epoch curves that level off near the final accuracy (validation a little noisier)."""
    t = 1.0 - np.exp(-np.arange(1, epochs + 1) / 3.0)
    acc = final_accuracy * t
    return {"loss": (2.2 - 1.4 * t).round(4).tolist(), "val_loss": (2.3 - 1.3 * t + rng.normal(0, 0.03, epochs)).round(4)
            .tolist(), "accuracy": np.minimum(acc * 1.08, 1.0).round(4).tolist(),
            "val_accuracy": np.clip(acc + rng.normal(0, 0.015, epochs), 0, 1).round(4).tolist()}


def write_fake_run(run_dir: Path, *, n_products: int = 1200, seed: int = 7) -> Path:
    """Write a complete synthetic run under `run_dir` and return it."""
    run = RunDir(Path(run_dir)).create()
    rng = np.random.default_rng(seed)
    cat = _catalog(n_products, rng)
    train, test = cat[cat["split"] == "train"], cat[cat["split"] == "test"]
    specs = fit_target_specs(train["price"].tolist(), DEFAULT_PRICE_BAND_EDGES, cat["model"], cat["brand"])
    write_json(run.targets, {name: spec.to_json() for name, spec in specs.items()})
    with atomic_path(run.split) as tmp:
        cat.assign(group=cat["product_id"])[["product_id", "group", "split"]].to_parquet(tmp, index=False)
    metrics: dict = {"targets": {}, "data": {"n_train": len(train), "n_val": int((cat["split"] == "val").sum()),
                                             "n_test": len(test), "split_digest": f"fake{seed:08d}"},
                     "meta": {"selection": {}}, "comparison": {}}
    probs = {}
    held = cat[cat["split"] != "train"].reset_index(drop=True)
    for target in TARGETS:
        spec = specs[target]
        source = "price" if target in PRICE_TARGETS else target
        y = spec.encode(held[source].tolist())
        p = _simulate(y, len(spec.classes), SIGNAL[target], target in PRICE_TARGETS, rng)
        frame = pd.DataFrame({"product_id": held["product_id"], "split": held["split"], "true": y,
                              "pred": p.argmax(axis=1)})
        for k, c in enumerate(spec.classes):
            frame[f"p__{c}"] = p[:, k]
        probs[target] = frame
        with atomic_path(run.probs(target)) as tmp:
            frame.to_parquet(tmp, index=False)
        is_test = (held["split"] == "test").to_numpy()
        train_y = spec.encode(train[source].tolist())
        result = evaluate(y[is_test], p[is_test], spec, train_y, true_prices=held["price"].to_numpy()[is_test],
                          train_prices=train["price"].to_numpy(),
                          confusion_png=run.confusion(target))
        metrics["targets"][target] = {**result, "confusion_png": run.rel(run.confusion(target)),
                                      "probs_path": run.rel(run.probs(target)),
                                      "history": _history(result["accuracy"], rng),
                                      "started_from": None if target == "model" else "model"}
        cmp = {"cnn": {"accuracy": result["accuracy"], "macro_f1": result["macro_f1"]},
               "majority": {"accuracy": result["majority_baseline"]}}
        if target in PRICE_TARGETS:
            cmp["cnn"]["within_one"] = result["within_one_bin"]
            yt = y[is_test]
            for name, bonus in (("meta_logreg", 0.45), ("meta_boosted", 0.55), ("title_only", 0.3)):
                cmp[name] = _fake_meta(yt, spec, train_y, SIGNAL[target] + bonus, rng)
            cv = {k: cmp[k]["accuracy"] for k in ("meta_logreg", "meta_boosted", "title_only")}
            best = max(cv, key=cv.get)
            metrics["meta"]["selection"][target] = {
                "selected": best, "lead_over_next_cv_accuracy": cv[best] - sorted(cv.values())[-2], "cv_folds": 3,
                "cv_rows": int((held["split"] == "val").sum()),
                "candidates": {k: {"cv_accuracy": v, "test_accuracy": cmp[k]["accuracy"]} for k, v in cv.items()}}
        metrics["comparison"][target] = cmp
    wide = _wide_predictions(test, specs, probs, rng)
    write_csv_table(wide, run.predictions_csv)
    with atomic_path(run.predictions_parquet) as tmp:
        _tidy(wide, specs).to_parquet(tmp, index=False)
    priced = wide.dropna(subset=["true_price_usd"])
    err = (priced["price_estimate_usd"] - priced["true_price_usd"]).abs()
    metrics["price_estimate"] = {
        "mdape": float((err / priced["true_price_usd"]).median()), "mae": float(err.mean()),
        "coverage_10_90": float(priced["true_price_usd"].between(priced["price_low_usd"],
                                                                 priced["price_high_usd"]).mean())}
    metrics["net_payout"] = {"schedule": FAKE_SCHEDULE.to_json(), "column": "net_payout_usd of predictions.csv",
                             "of": "price_estimate_usd"}
    write_json(run.metrics, metrics)
    return run.path
