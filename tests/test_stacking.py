"""Meta-models on a small synthetic run directory (fake CNN probabilities, synthetic titles and prices)."""

from __future__ import annotations

import json
import shutil
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks
from stacking_fixtures import synthetic_catalog

from sneaker_core.atomic import sha256_file
from sneaker_core.labeller import label_title
from sneaker_core.rundir import RunDir
from sneaker_core.settings import DEFAULT_PRICE_BAND_EDGES, Settings
from sneaker_core.stacking import candidates, meta
from sneaker_core.stacking.candidates import BoostedMeta, ColumnProbs, PooledProbs
from sneaker_core.stacking.estimate import PriceEstimator
from sneaker_core.stacking.meta import fit_and_evaluate, oof_log_quantiles
from sneaker_core.stacking.selection import compete
from sneaker_core.stacking.title_calibrate import interval_margin
from sneaker_core.stacking.title_models import TitleModelConfig
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


FAST_BOOSTED = {"learning_rate": 0.1, "max_leaf_nodes": 7, "max_iter": 30}


def fast_stack(run: Path, meta_df: pd.DataFrame) -> dict:
    """fit_and_evaluate with a small boosted meta-model and a small title model, as a test can afford."""
    small = partial(TitleModelConfig, folds=3, hgb_max_iter=40, logreg_max_iter=200)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(candidates, "BOOSTED_PARAMS", FAST_BOOSTED)
        mp.setattr(meta, "TitleModelConfig", small)
        return fit_and_evaluate(run, meta_df, Settings(seed=7))


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    run, meta_df = make_run(tmp_path_factory.mktemp("stack"))
    return run, meta_df, fast_stack(run, meta_df)


def test_predictions_csv_net_payout_follows_the_schedule_of_the_settings(stacked):
    from sneaker_core.payout import net_payouts, schedule_from

    run, _, _ = stacked
    wide = pd.read_csv(run.predictions_csv)
    schedule = schedule_from(Settings(seed=7))
    assert np.array_equal(wide["net_payout_usd"], net_payouts(wide["price_estimate_usd"], schedule))
    assert wide["net_payout_usd"].notna().all() and (wide["net_payout_usd"] < wide["price_estimate_usd"]).all()
    recorded = json.loads(run.stack_results.read_text())["net_payout"]["schedule"]
    assert recorded == schedule.to_json()


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


CANDIDATES = ("cnn_{t}", "title_only", "pooled", "meta_logreg", "meta_boosted")


def test_stack_results_hold_the_competition_comparison_and_estimate(stacked):
    run, _, _ = stacked
    metrics = json.loads(run.stack_results.read_text())
    assert set(metrics) == {"meta", "comparison", "price_estimate", "net_payout"}
    meta_ = metrics["meta"]
    for target in ("price_decile", "price_band"):
        names = {c.format(t=target) for c in CANDIDATES}
        settings = meta_["settings"][target]
        assert set(settings) == {"pooled", "meta_logreg", "meta_boosted"}
        assert settings["meta_logreg"]["params"]["C"] in (0.1, 1.0, 10.0)
        assert len(settings["pooled"]["weights"]) == 2 and settings["meta_boosted"]["params"] == FAST_BOOSTED
        entry = meta_["selection"][target]
        assert set(entry["candidates"]) == names and entry["cv_folds"] == 3
        assert all(0.0 <= c["cv_accuracy"] <= 1.0 and 0.0 <= c["test_accuracy"] <= 1.0
                   for c in entry["candidates"].values())
    assert set(meta_["settings"]["title_model"]["settings"]) == {"title_only"}  # no image numbers in these URLs
    assert set(metrics["price_estimate"]) == {"mdape", "mae", "coverage_10_90", "n", "interval_log_margin", "source"}
    assert metrics["price_estimate"]["interval_log_margin"] >= 0.0
    assert metrics["price_estimate"]["source"] == meta_["selection"]["price_estimate"]["selected"]
    comp = metrics["comparison"]["price_band"]
    assert set(comp) == {c.format(t="price_band") for c in CANDIDATES} | {"majority"}
    labelled = int((pd.read_csv(run.predictions_csv)["true_price_band"] >= 0).sum())
    assert {r["n"] for r in comp.values()} == {labelled}
    assert comp["meta_logreg"]["accuracy"] > comp["majority"]["accuracy"]
    assert metrics["price_estimate"]["mdape"] < 0.5


def test_the_winner_of_the_validation_cv_is_what_predictions_publish(stacked):
    run, _, manifest = stacked
    metrics = json.loads(run.stack_results.read_text())
    wide = pd.read_csv(run.predictions_csv)
    for target in ("price_decile", "price_band"):
        entry = metrics["meta"]["selection"][target]
        cv = {k: v["cv_accuracy"] for k, v in entry["candidates"].items()}
        assert entry["selected"] == manifest["selected"][target]
        others = max(v for k, v in cv.items() if k != entry["selected"])
        assert entry["lead_over_next_cv_accuracy"] == pytest.approx(cv[entry["selected"]] - others)
        known = wide[f"true_{target}"] >= 0
        published = float((wide.loc[known, f"pred_{target}"] == wide.loc[known, f"true_{target}"]).mean())
        assert published == pytest.approx(metrics["comparison"][target][entry["selected"]]["accuracy"])
        assert manifest["test_accuracy"][target] == pytest.approx(published)


def test_the_choice_never_reads_test_rows(stacked, tmp_path: Path):
    """Other test-row truths (labels and prices) leave the competition, the settings and the published
    probabilities exactly as they were; only the test scores change."""
    run, meta_df, manifest = stacked
    changed = RunDir(tmp_path / "run")
    shutil.copytree(run.path, changed.path)
    split = pd.read_parquet(run.split).set_index("product_id")["split"]
    test_ids = set(split[split == "test"].index)
    rng = np.random.default_rng(5)
    for path in changed.probs("model").parent.glob("*.parquet"):
        probs = pd.read_parquet(path)
        is_test = probs["product_id"].isin(test_ids)
        n_classes = sum(c.startswith("p__") for c in probs.columns)
        probs.loc[is_test, "true"] = rng.integers(0, n_classes, int(is_test.sum()))
        probs.to_parquet(path, index=False)
    other = meta_df.copy()
    other.loc[other["product_id"].isin(test_ids), "price"] = rng.uniform(30, 3000, len(test_ids))
    again = fast_stack(changed, other)
    before, after = (json.loads(r.stack_results.read_text())["meta"] for r in (run, changed))
    strip = {"test_accuracy"}
    for m in (before, after):
        for target in ("price_decile", "price_band"):
            for c in m["selection"][target]["candidates"].values():
                for k in strip:
                    c.pop(k, None)
    assert after == before and again["selected"] == manifest["selected"]
    old, new = (pd.read_csv(r.predictions_csv) for r in (run, changed))
    probs = [c for c in old.columns if c.startswith(("p_price", "pred_price", "price_"))]
    pd.testing.assert_frame_equal(old[probs], new[probs])
    assert not old["true_price_band"].equals(new["true_price_band"])


def test_interval_margin_comes_from_out_of_fold_predictions():
    """Fit on all of VAL, an estimator's own residuals hide its error; the out-of-fold margin widens the interval
    until about 80 % of held-out rows fall inside."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    prices = np.exp(4 + X[:, 0] + rng.normal(scale=0.6, size=600))
    groups = np.arange(600) % 150
    new = partial(PriceEstimator, max_iter=60, seed=0)
    margin = interval_margin(oof_log_quantiles(new, X[:400], prices[:400], groups[:400]), prices[:400])
    logq = new().fit(X[:400], prices[:400]).predict_log(X[400:])
    y = np.log(prices[400:])
    raw = np.mean((y >= logq[:, 0]) & (y <= logq[:, 2]))
    widened = np.mean((y >= logq[:, 0] - margin) & (y <= logq[:, 2] + margin))
    assert margin > 0 and widened > raw and 0.72 <= widened <= 0.9


def test_missing_probs_file_is_named(tmp_path: Path):
    run, meta_df = make_run(tmp_path, n=60)
    run.probs("brand").unlink()
    with pytest.raises(FileNotFoundError, match="brand.parquet"):
        fast_stack(run, meta_df)


@parametrize_with_checks([BoostedMeta(max_iter=10)])
def test_boosted_meta_passes_the_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", [
    BoostedMeta(categorical=np.array([False, True]), learning_rate=0.2, max_leaf_nodes=7, max_iter=15, seed=3),
    PriceEstimator(categorical=np.array([False, True]), learning_rate=0.2, max_iter=15, min_samples_leaf=5, seed=3),
])
def test_stacking_estimators_clone_with_their_parameters_and_fit_leaves_them_alone(estimator):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=80), rng.integers(0, 3, 80)]).astype(float)
    y = (X[:, 0] > 0).astype(int) if isinstance(estimator, BoostedMeta) else np.exp(4 + X[:, 0])
    params = estimator.get_params()
    fitted = estimator.fit(X, y)
    assert fitted is estimator and set(estimator.get_params()) == set(params)
    assert all(np.array_equal(estimator.get_params()[k], v) for k, v in params.items())
    copy = clone(estimator)
    assert all(np.array_equal(copy.get_params()[k], v) for k, v in params.items())
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(copy))  # unfitted: no fitted attribute
    assert {k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")} >= {"keep_"}


def _blocks(true: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Two probability blocks over 4 classes: `good` puts 0.7 on the truth for 90 % of rows, `bad` is noise."""
    n = len(true)
    good = np.full((n, 4), 0.1)
    hit = rng.random(n) < 0.9
    good[np.arange(n), np.where(hit, true, (true + 1) % 4)] = 0.7
    bad = rng.dirichlet(np.ones(4), n)
    return pd.DataFrame(np.hstack([good, bad]), columns=[f"good__{k}" for k in range(4)] + [f"bad__{k}" for k in
                                                                                          range(4)])


class _Broken(ColumnProbs):
    def fit(self, X, y=None):
        raise ValueError("cannot fit here")


def test_the_clearly_better_candidate_wins_with_its_exact_cv_scores():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 300)
    X = _blocks(y, rng)
    groups = np.arange(300) // 3
    good, bad = [f"good__{k}" for k in range(4)], [f"bad__{k}" for k in range(4)]
    result = compete({"bad": ColumnProbs(bad), "broken": _Broken(good), "good": ColumnProbs(good),
                      "pooled": PooledProbs(bad, good)}, X, y, groups, n_classes=4)
    assert result.failed == {"broken": "ValueError: cannot fit here"}
    assert set(result.scores) == {"bad", "good", "pooled"}
    assert result.scores["good"]["accuracy"] == pytest.approx(np.mean(X[good].to_numpy().argmax(1) == y))
    assert result.scores["bad"]["accuracy"] < 0.4
    # pooling can only learn to drop the noise: it ties `good` at best, and a tie goes to the simpler, earlier one
    assert result.selected == "good" and result.lead == pytest.approx(
        result.scores["good"]["accuracy"] - max(result.scores["pooled"]["accuracy"], result.scores["bad"]["accuracy"]))
    assert result.fitted["pooled"].weights_[0] < 0.1 < result.fitted["pooled"].weights_[1]
    summary = result.summary()
    assert summary["selected"] == "good" and summary["cv_rows"] == 300 and summary["cv_folds"] == 3
    assert summary["candidates"]["broken"] == {"failed": "ValueError: cannot fit here"}


class _Memoriser(ColumnProbs):
    """Remembers the label of every row id it is fit on (certain of those), uniform on any other row."""

    def fit(self, X, y=None):
        self.seen_ = dict(zip(X["row"], y, strict=True))
        self.classes_ = np.arange(4)
        return self

    def predict_proba(self, X):
        p = np.full((len(X), 4), 0.25)
        for i, row in enumerate(X["row"]):
            if row in self.seen_:
                p[i] = np.eye(4)[self.seen_[row]]
        return p


def test_a_fitted_candidate_is_scored_only_on_rows_it_did_not_see():
    """A candidate that memorises its fit rows is perfect on them; out of fold it knows nothing, so it loses to a
    fixed candidate that is right half the time, though refit on all rows it would look perfect on them."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 240)
    half = np.full((240, 4), 0.1)
    half[np.arange(240), np.where(np.arange(240) % 2 == 0, y, (y + 2) % 4)] = 0.7
    X = pd.DataFrame(half, columns=[f"half__{k}" for k in range(4)]).assign(row=np.arange(240))
    result = compete({"memoriser": _Memoriser(), "half": ColumnProbs([f"half__{k}" for k in range(4)])},
                     X, y, np.arange(240) // 2, 4)
    assert result.scores["half"]["accuracy"] == pytest.approx(0.5)
    assert result.scores["memoriser"]["accuracy"] < 0.35 and result.selected == "half"
    assert (result.fitted["memoriser"].predict_proba(X).argmax(1) == y).all()


def test_stacking_goes_on_without_skipped_targets(tmp_path: Path):
    """A one-model run trains no model/brand CNN: the meta-models use the price CNNs and the titles alone."""
    run, meta_df = make_run(tmp_path, n=120)
    specs = json.loads(run.targets.read_text())
    run.targets.write_text(json.dumps({t: s for t, s in specs.items() if t in ("price_decile", "price_band")}))
    run.probs("model").unlink()
    run.probs("brand").unlink()
    manifest = fast_stack(run, meta_df)
    assert manifest["targets"] == ["price_decile", "price_band"]
    wide = pd.read_csv(run.predictions_csv)
    assert not any(c.startswith(("p_model__", "p_brand__", "pred_model", "pred_brand")) for c in wide.columns)
    assert set(json.loads(run.stack_results.read_text())["comparison"]) == {"price_decile", "price_band"}


def test_cv_groups_are_the_split_groups_that_merge_identical_images():
    rows = pd.DataFrame({"product_id": ["a", "b", "c"], "group_key": ["x", "y", "z"]})
    split = pd.DataFrame({"product_id": ["a", "b"], "group": ["x", "x"], "split": ["val", "val"]})  # b: a's image
    assert meta.split_groups(rows, split).tolist() == ["x", "x", "c"]


def _hits_frame(simple_hits: np.ndarray, complex_hits: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    cols = {}
    for name, hits in (("simple", simple_hits), ("complex", complex_hits)):
        p = np.full((len(y), 2), 0.1)
        p[np.arange(len(y)), np.where(hits, y, 1 - y)] = 0.9
        cols.update({f"{name}__{k}": p[:, k] for k in range(2)})
    return pd.DataFrame(cols)


@pytest.mark.parametrize(("gained", "lost", "winner"), [(12, 8, "simple"), (40, 0, "complex")])
def test_a_simpler_candidate_wins_unless_the_lead_exceeds_one_standard_error(gained, lost, winner):
    y = np.arange(300) % 2
    simple = np.arange(300) < 180
    complex_ = simple.copy()
    complex_[180:180 + gained] = True
    complex_[:lost] = False
    X = _hits_frame(simple, complex_, y)
    result = compete({"simple": ColumnProbs(["simple__0", "simple__1"]),
                      "complex": ColumnProbs(["complex__0", "complex__1"])}, X, y, np.arange(300), 2)
    assert result.scores["complex"]["accuracy"] - result.scores["simple"]["accuracy"] == pytest.approx(
        (gained - lost) / 300)
    assert result.selected == winner
    assert result.lead == pytest.approx((gained - lost) / 300 * (1 if winner == "complex" else -1))
