"""Meta-models on a small synthetic run directory (fake CNN probabilities, synthetic titles and prices)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stacking_fixtures import synthetic_catalog

from sneaker_core.atomic import sha256_file
from sneaker_core.labeller import label_title
from sneaker_core.rundir import RunDir
from sneaker_core.settings import DEFAULT_PRICE_BAND_EDGES, Settings
from sneaker_core.stacking import meta
from sneaker_core.stacking.estimate import PriceEstimator
from sneaker_core.stacking.meta import fit_and_evaluate, oof_interval_margin
from sneaker_core.targets import TARGETS, fit_target_specs
from sneaker_core.titles import group_key


def _fake_probs(true: np.ndarray, n_classes: int, rng: np.random.Generator, strength: float) -> np.ndarray:
    logits = rng.normal(0, 1, (len(true), n_classes))
    logits[np.arange(len(true)), np.clip(true, 0, None)] += np.where(true >= 0, strength, 0.0)
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True)


def make_run(root: Path, n: int = 240) -> tuple[RunDir, pd.DataFrame]:
    """A run folder as the CNN training writes it: split, target specs, CNN probabilities."""
    rng = np.random.default_rng(0)
    cat = synthetic_catalog(n, seed=3).iloc[3:].reset_index(drop=True)  # priced rows only
    labels = [label_title(t, s) for t, s in zip(cat["title"], cat["search_model"])]
    meta_df = pd.DataFrame({
        "product_id": [f"p{i:04d}" for i in range(len(cat))], "title": cat["title"],
        "price": cat["price"].str.replace(r"[$,]", "", regex=True).astype(float),
        "model": [lab.model for lab in labels], "brand": [lab.brand for lab in labels],
        "search_model": cat["search_model"], "group_key": [group_key(t) for t in cat["title"]],
    })
    meta_df.loc[5, "price"] = np.nan  # an unpriced product: truth -1, never scored
    groups = sorted(meta_df["group_key"].unique())
    where = {g: ("train", "train", "train", "val", "val", "test")[i % 6] for i, g in enumerate(groups)}
    split = pd.DataFrame({"product_id": meta_df["product_id"], "group": meta_df["group_key"],
                          "split": meta_df["group_key"].map(where)})
    run = RunDir(root / "run").create()
    run.probs("any").parent.mkdir(parents=True)
    split.to_parquet(run.split, index=False)
    train = meta_df[split["split"] == "train"]
    specs = fit_target_specs(train["price"].tolist(), DEFAULT_PRICE_BAND_EDGES, sorted(set(meta_df["model"])),
                             sorted(set(meta_df["brand"])))
    run.targets.write_text(json.dumps({t: s.to_json() for t, s in specs.items()}))
    scored = meta_df[split["split"] != "train"].reset_index(drop=True)
    for target in TARGETS:
        spec = specs[target]
        values = scored["price"].tolist() if spec.edges else scored[target].tolist()
        true = spec.encode(values)
        p = _fake_probs(true, len(spec.classes), rng, 1.0 if spec.edges else 4.0)
        df = pd.DataFrame({"product_id": scored["product_id"], "split": split.set_index("product_id").loc[
            scored["product_id"], "split"].to_numpy(), "true": true, "pred": p.argmax(1)})
        for k, c in enumerate(spec.classes):
            df[f"p__{c}"] = p[:, k]
        df.to_parquet(run.probs(target), index=False)
    return run, meta_df


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    run, meta_df = make_run(tmp_path_factory.mktemp("stack"))
    mp = pytest.MonkeyPatch()
    mp.setattr(meta, "BOOSTED_GRID", ({"learning_rate": 0.1, "max_leaf_nodes": 7, "max_iter": 30},
                                      {"learning_rate": 0.2, "max_leaf_nodes": 7, "max_iter": 30}))
    try:
        manifest = fit_and_evaluate(run, meta_df, Settings(seed=7))
    finally:
        mp.undo()
    return run, meta_df, manifest


def test_predictions_csv_columns_unique_and_never_truth(stacked):
    run, _, manifest = stacked
    wide = pd.read_csv(run.predictions_csv)
    assert wide.columns.is_unique
    assert len(wide) == manifest["n_test"] > 0
    for col in ("product_id", "title", "true_price_decile", "pred_price_decile", "p_price_decile__000_",
                "price_estimate_usd", "price_low_usd", "price_high_usd", "true_model", "true_brand"):
        assert any(c.startswith(col) for c in wide.columns), col
    prob_cols = [c for c in wide.columns if c.startswith("p_")]
    truth_cols = [c for c in wide.columns if c.startswith("true_")]
    assert len(prob_cols) > 20
    for p in prob_cols:
        for t in truth_cols:
            assert not wide[p].equals(wide[t]), (p, t)
    for target in ("price_decile", "price_band", "model", "brand"):
        cols = [c for c in prob_cols if c.startswith(f"p_{target}__")]
        assert np.allclose(wide[cols].sum(1), 1.0, atol=1e-6)
    assert (wide["price_low_usd"] <= wide["price_high_usd"]).all()


def test_manifest_carries_the_digests_of_what_the_report_reads(stacked):
    run, _, manifest = stacked
    assert manifest["sha256"] == {p.name: sha256_file(p)
                                  for p in (run.predictions_csv, run.predictions_parquet, run.stack_results)}


def test_tidy_predictions_cover_every_class(stacked):
    run, _, manifest = stacked
    tidy = pd.read_parquet(run.predictions_parquet)
    assert list(tidy.columns) == ["product_id", "title", "target", "class", "probability", "true_class"]
    specs = json.loads(run.targets.read_text())
    assert len(tidy) == manifest["n_test"] * sum(len(s["classes"]) for s in specs.values())
    sums = tidy.groupby(["product_id", "target"])["probability"].sum()
    assert np.allclose(sums, 1.0, atol=1e-6)


def test_stack_results_hold_meta_comparison_and_estimate(stacked):
    run, _, _ = stacked
    metrics = json.loads(run.stack_results.read_text())
    assert set(metrics) == {"meta", "comparison", "price_estimate"}
    for kind in ("logreg", "boosted"):
        for target in ("price_decile", "price_band"):
            entry = metrics["meta"][kind][target]
            assert 0.0 <= entry["test"]["accuracy"] <= 1.0 and entry["params"] and entry["cv_folds"] == 3
    assert set(metrics["price_estimate"]) == {"mdape", "mae", "coverage_10_90", "n", "interval_log_margin"}
    assert metrics["price_estimate"]["interval_log_margin"] >= 0.0
    comp = metrics["comparison"]["price_band"]
    assert set(comp) == {"cnn_price_band", "title_only", "meta_logreg", "meta_boosted", "majority"}
    labelled = int((pd.read_csv(run.predictions_csv)["true_price_band"] >= 0).sum())
    assert {r["n"] for r in comp.values()} == {labelled}
    assert comp["meta_logreg"]["accuracy"] > comp["majority"]["accuracy"]
    assert metrics["price_estimate"]["mdape"] < 0.5


def test_interval_margin_comes_from_out_of_fold_predictions():
    """Fit on all of VAL, an estimator's own residuals hide its error; the out-of-fold margin widens the interval
    until about 80 % of held-out rows fall inside."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    prices = np.exp(4 + X[:, 0] + rng.normal(scale=0.6, size=600))
    groups = np.arange(600) % 150
    new = partial(PriceEstimator, max_iter=60, seed=0)
    margin = oof_interval_margin(new, X[:400], prices[:400], groups[:400])
    logq = new().fit(X[:400], prices[:400]).predict_log(X[400:])
    y = np.log(prices[400:])
    raw = np.mean((y >= logq[:, 0]) & (y <= logq[:, 2]))
    widened = np.mean((y >= logq[:, 0] - margin) & (y <= logq[:, 2] + margin))
    assert margin > 0 and widened > raw and 0.72 <= widened <= 0.9


def test_missing_probs_file_is_named(tmp_path: Path):
    run, meta_df = make_run(tmp_path, n=60)
    run.probs("brand").unlink()
    with pytest.raises(FileNotFoundError, match="brand.parquet"):
        fit_and_evaluate(run, meta_df, Settings())


def test_stacking_goes_on_without_skipped_targets(tmp_path: Path, monkeypatch):
    """A one-model run trains no model/brand CNN: the meta-models use the price CNNs and the titles alone."""
    run, meta_df = make_run(tmp_path, n=120)
    specs = json.loads(run.targets.read_text())
    run.targets.write_text(json.dumps({t: s for t, s in specs.items() if t in ("price_decile", "price_band")}))
    run.probs("model").unlink()
    run.probs("brand").unlink()
    monkeypatch.setattr(meta, "BOOSTED_GRID", ({"learning_rate": 0.1, "max_leaf_nodes": 7, "max_iter": 20},))
    manifest = fit_and_evaluate(run, meta_df, Settings(seed=7))
    assert manifest["targets"] == ["price_decile", "price_band"]
    wide = pd.read_csv(run.predictions_csv)
    assert not any(c.startswith(("p_model__", "p_brand__", "pred_model", "pred_brand")) for c in wide.columns)
    assert set(json.loads(run.stack_results.read_text())["comparison"]) == {"price_decile", "price_band"}
