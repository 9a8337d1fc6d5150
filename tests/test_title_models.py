"""Title features, the dollar estimate, the title models (train/save/load/predict) and prediction tables."""

from __future__ import annotations

import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from stacking_fixtures import synthetic_catalog

from sneaker_core.payout import FeeSchedule
from sneaker_core.registry import load_models
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.scoring import price_metrics
from sneaker_core.stacking.estimate import bin_probabilities
from sneaker_core.stacking.features import LabelCodes, TitleFeaturizer, feature_frame, title_attribute_row
from sneaker_core.stacking.image_url import image_url_features
from sneaker_core.stacking.predictions import TargetOutput, tidy_table, wide_table
from sneaker_core.stacking.title_calibrate import (
    BLEND_GRID,
    best_ridge_share,
    calibrate,
    calibrated,
    condition_views,
    interval_margin,
)
from sneaker_core.stacking.title_models import EQUAL_SHARE, TitleModel, TitleModelConfig
from sneaker_core.stacking.title_predict import predict_title_rows
from sneaker_core.stacking.title_prediction import (
    CONDITIONS,
    TITLE_ONLY,
    WITH_IMAGE,
    WITH_MARKET,
    TitlePrediction,
)
from sneaker_core.stacking.title_run import TITLES_STAGE, load_title_model, train_titles
from sneaker_core.targets import assign_bins, fit_decile_edges

REAL_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "goat_catalog_2023.csv"
FAST = {"folds": 3, "hgb_max_iter": 60, "logreg_max_iter": 200}
SCHEDULE = FeeSchedule(commission_rate=0.095, seller_fee_usd=5.0, cashout_rate=0.029)


def test_title_attribute_row_reads_flags_year_and_markers():
    row = title_attribute_row("Travis Scott x Air Jordan 4 Retro 'Cactus Jack' 2018 Sample")
    assert row["collaboration"] == 1.0 and row["retro"] == 1.0 and row["sample"] == 1.0
    assert row["year"] == 2018.0 and row["age"] == 6.0 and row["pe"] == 0.0
    kids = title_attribute_row("Air Jordan 1 Retro High OG GS 'Chicago'")
    assert kids["kids"] == 1.0 and kids["og"] == 1.0 and math.isnan(kids["year"])
    assert title_attribute_row("Dunk Low 'N7' By You")["custom"] == 1.0


def test_image_id_parses_goat_urls_only():
    url = ("https://image.goat.com/transform/v1/attachments/product_template_pictures/images/073/719/923/"
           "original/953794_00.png.png?action=crop&width=750")
    assert image_url_features(url)["image_id"] == 73719923.0
    assert math.isnan(image_url_features("data:image/gif;base64,R0lGOD")["image_id"])
    assert math.isnan(image_url_features("/local/shoe.png")["image_id"])


def test_image_url_features_read_style_codes_and_goat_ids():
    goat = "https://image.goat.com/transform/v1/attachments/product_template_pictures/images/079/798/736/original/"
    nike = image_url_features(goat + "DZ4510_100.png.png?action=crop&width=750")
    assert nike["image_id"] == 79798736.0 and nike["image_style_letters"] == 26 * 3 + 25
    assert nike["image_style_letter_number"] == 4510.0 and nike["image_colour_code"] == 100.0
    assert math.isnan(nike["image_template_id"]) and math.isnan(nike["image_style_number"])
    numeric = image_url_features(goat + "555088_001.png")
    assert numeric["image_style_number"] == 555088.0 and numeric["image_colour_code"] == 1.0
    template = image_url_features(goat + "953794_00.png.png")
    assert template["image_template_id"] == 953794.0 and math.isnan(template["image_style_number"])
    odd = image_url_features(goat + "1G80191012_BLK.png.png")
    assert odd["image_id"] == 79798736.0 and sum(not math.isnan(v) for v in odd.values()) == 1
    assert all(math.isnan(v) for v in image_url_features("https://cdn.example/DZ4510_100.png").values())


def test_title_transformers_follow_scikit_learn_conventions():
    frame = feature_frame(pd.DataFrame({"title": ["Dunk Low 'Panda'", "Samba OG 'White'"],
                                        "search_model": ["Dunk Low", "Adidas Samba"]}))
    for transformer, fitted in ((TitleFeaturizer(min_df_char=1), "attr_scale_"), (LabelCodes(), "encoder_")):
        params = transformer.get_params()
        copy = clone(transformer)
        assert copy.get_params() == params and not hasattr(copy, fitted)
        with pytest.raises(NotFittedError):
            copy.transform(frame)
        out = transformer.fit_transform(frame)
        assert transformer.get_params() == params and hasattr(transformer, fitted) and out.shape[0] == 2


def test_featurizer_handles_unseen_labels_and_empty_fields():
    train = feature_frame(pd.DataFrame({"title": ["Dunk Low 'Panda'", "Samba OG 'White'"],
                                        "search_model": ["Dunk Low", "Adidas Samba"]}))
    f = TitleFeaturizer(min_df_char=1).fit(train)
    X = f.transform(feature_frame(pd.DataFrame({"title": ["Forum Low 'Blue'", ""], "model": ["x", None]})))
    assert X.shape[0] == 2 and X.shape[1] == f.transform(train).shape[1]


def test_bin_probabilities_read_log_quantiles_as_a_normal():
    logq = np.log(np.array([[90.0, 150.0, 250.0], [400.0, 900.0, 2000.0]]))
    p = bin_probabilities(logq, [0.0, 100.0, 200.0, math.inf])
    assert np.allclose(p.sum(1), 1.0)
    assert p[0].argmax() == 1 and p[1].argmax() == 2


def test_prediction_tables_name_columns_uniquely():
    out = {"price_band": TargetOutput(["000_100", "100_inf"], np.array([[0.2, 0.8], [0.7, 0.3]]), np.array([1, -1]))}
    wide = wide_table(pd.DataFrame({"product_id": ["a", "b"]}), out)
    assert list(wide.columns) == ["product_id", "pred_price_band", "pred_price_band_class", "true_price_band",
                                  "p_price_band__000_100", "p_price_band__100_inf"]
    tidy = tidy_table(["a", "b"], ["A", "B"], out)
    assert len(tidy) == 4 and tidy.loc[tidy["product_id"] == "b", "true_class"].eq("").all()
    assert tidy.loc[tidy["product_id"] == "a", "true_class"].eq("100_inf").all()
    with pytest.raises(ValueError, match="duplicate"):
        wide_table(pd.DataFrame({"pred_price_band": [1, 2]}), out)


def test_title_only_rows_use_the_estimator_without_image_numbers():
    goat = "https://image.goat.com/transform/v1/attachments/product_template_pictures/images/0{:02d}/000/001/original/"
    df = synthetic_catalog(120, seed=2).iloc[3:].reset_index(drop=True)
    prices = df["price"].str.replace(r"[$,]", "", regex=True).astype(float).to_numpy()
    df["image"] = [goat.format(i % 90) + f"{100000 + i}_00.png" for i in range(len(df))]
    frame, groups = feature_frame(df), df["title"].tolist()
    config = TitleModelConfig(folds=3, hgb_max_iter=20, logreg_max_iter=100)
    model = TitleModel(fit_decile_edges(prices), [0, 200, 400, math.inf], config).fit(frame, prices, groups)
    assert set(model.estimators_) == {WITH_IMAGE, TITLE_ONLY}
    assert not any(c.startswith("image_") for c in model.estimators_[TITLE_ONLY][0])
    rows = frame.iloc[:4].copy()
    bare = rows.assign(image=["", "https://cdn.example/a.png", "data:image/gif;base64,R0", "/local/shoe.png"])
    title_only = model.predict(bare).log_quantiles
    assert np.allclose(title_only, model.predict(bare.assign(image="")).log_quantiles)
    assert not np.allclose(title_only, model.predict(rows).log_quantiles)
    plain = clone(model)  # same parameters, nothing fitted
    assert plain.get_params() == model.get_params() and plain.config == config and not hasattr(plain, "estimators_")
    plain.fit(frame.assign(image=""), prices, groups)
    assert set(plain.estimators_) == {TITLE_ONLY}
    assert np.isfinite(plain.predict(rows).log_quantiles).all()


class _ConditionStub:
    """A fitted-model stand-in: with a URL the regression knows the true bin and the classifier guesses wrong;
    with the URL blanked it is the other way round, and the interval is half as wide as the other condition's."""

    def __init__(self, prices: np.ndarray) -> None:
        self.prices = prices
        self.edges = {"price_decile": [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, math.inf],
                      "price_band": [0, 300, 600, math.inf]}

    def predict(self, frame: pd.DataFrame) -> TitlePrediction:
        has = (frame["image"] != "").to_numpy()
        right, wrong = {}, {}
        for t, e in self.edges.items():
            true, n = assign_bins(self.prices[frame.index], e), len(e) - 1
            right[t] = np.full((len(frame), n), 0.1 / n)
            right[t][np.arange(len(frame)), true] += 0.9
            wrong[t] = np.roll(right[t], 1, axis=1)
        mid = np.log(self.prices[frame.index]) - np.where(frame.index % 2 == 0, 0.0, 0.3)  # odd rows: truth above
        half = np.where(has, 0.1, 0.05)
        logq = np.column_stack([mid - half, mid, mid + half])
        return TitlePrediction(
            classifier_proba={t: np.where(has[:, None], wrong[t], right[t]) for t in self.edges},
            regression_proba={t: np.where(has[:, None], right[t], wrong[t]) for t in self.edges},
            log_quantiles=logq, ridge_log=mid, with_image=has)


def test_title_only_settings_are_chosen_on_validation_rows_with_urls_blanked():
    prices = np.random.default_rng(0).uniform(20, 990, 200)
    val = pd.DataFrame({"title": "x", "image": [f"https://image.goat.com/{i}" for i in range(200)]})
    stub = _ConditionStub(prices)
    chosen = calibrate(stub, condition_views(stub, val), prices)
    default = TitleModelConfig()
    config = calibrated(default, chosen)
    assert default == TitleModelConfig()  # a new config; the one passed in is not changed
    # on rows with URLs the regression is right, so the image weights go to it; blanked, the classifier is right
    assert config.blend_weights[WITH_IMAGE] == {"price_decile": 0.0, "price_band": 0.0}
    assert config.blend_weights[TITLE_ONLY] == {"price_decile": 1.0, "price_band": 1.0}
    assert chosen[TITLE_ONLY]["rows"] == chosen[WITH_IMAGE]["rows"] == 200
    # half the rows sit above the interval by 0.3 - its half width: the margin closes exactly that gap
    assert config.interval_margins[TITLE_ONLY] == pytest.approx(0.25)
    assert config.interval_margins[WITH_IMAGE] == pytest.approx(0.2)
    # a mixed batch blends and widens every row with its own condition's settings
    mixed = val.assign(image=np.where(np.arange(200) % 3 == 0, "", val["image"]))
    pred = stub.predict(mixed)
    p = pred.proba("price_decile", config.blend_weights)
    has = pred.with_image
    assert np.allclose(p[has], pred.regression_proba["price_decile"][has])
    assert np.allclose(p[~has], pred.classifier_proba["price_decile"][~has])
    _, _, high = pred.estimate(config.interval_margins, config.ridge_shares)
    assert np.allclose(np.log(high[~has]) - pred.log_quantiles[~has, 2], 0.25)
    assert np.allclose(np.log(high[has]) - pred.log_quantiles[has, 2], 0.2)


def test_conformal_margin_reaches_nominal_coverage_and_never_narrows():
    rng = np.random.default_rng(1)
    y_val, y_test = rng.normal(5, 1, 2000), rng.normal(5, 1, 20000)
    narrow = np.array([4.5, 5.0, 5.5])  # covers ~38% of a N(5, 1)
    margin = interval_margin(np.tile(narrow, (2000, 1)), np.exp(y_val))
    assert margin > 0
    pred = TitlePrediction({}, {}, np.tile(narrow, (20000, 1)), np.full(20000, 5.0), np.zeros(20000, dtype=bool))
    shares = {TITLE_ONLY: 0.5, WITH_IMAGE: 0.5}
    estimate, low, high = pred.estimate({TITLE_ONLY: margin, WITH_IMAGE: 0.0}, shares)
    raw = pred.estimate({TITLE_ONLY: 0.0, WITH_IMAGE: 0.0}, shares)
    assert np.all(low <= raw[1]) and np.all(high >= raw[2]) and np.allclose(estimate, raw[0])
    coverage = price_metrics(np.exp(y_test), estimate, low, high)["coverage_10_90"]
    assert 0.78 <= coverage <= 0.83
    wide = np.tile([2.0, 5.0, 8.0], (2000, 1))  # covers nearly everything: kept as it is
    assert interval_margin(wide, np.exp(y_val)) == 0.0


def _noisy_prediction(seed: int, trees_sd: float, ridge_sd: float) -> tuple[TitlePrediction, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.log(rng.uniform(50, 500, 400))
    trees, ridge = y + rng.normal(0, trees_sd, 400), y + rng.normal(0, ridge_sd, 400)
    return TitlePrediction({}, {}, np.column_stack([trees - 0.3, trees, trees + 0.3]), ridge,
                           np.zeros(400, dtype=bool)), y


def test_ridge_share_stays_equal_unless_another_is_better_by_more_than_its_noise():
    # two models of about equal skill: 0.7 has the lowest median error on these rows, by chance
    pred, y = _noisy_prediction(5, 0.30, 0.27)
    rows = np.ones(400, dtype=bool)
    raw_best = min(BLEND_GRID, key=lambda s: np.median(np.abs(pred.quantiles(dict.fromkeys(CONDITIONS, s))[:, 1] - y)))
    assert raw_best == 0.7
    assert best_ridge_share(pred, rows, np.exp(y)) == EQUAL_SHARE == 0.5
    # a ridge four times as precise earns most of the weight
    pred, y = _noisy_prediction(5, 0.40, 0.10)
    assert best_ridge_share(pred, rows, np.exp(y)) >= 0.8


def test_ridge_share_is_chosen_on_validation_and_moves_the_whole_interval():
    y = np.log(np.random.default_rng(3).uniform(50, 500, 300))
    # the boosted median sits 0.4 above the truth, the ridge 0.1 below: four parts ridge to one part trees is exact
    logq = np.column_stack([y + 0.2, y + 0.4, y + 0.6])
    pred = TitlePrediction({}, {}, logq, y - 0.1, np.zeros(300, dtype=bool))
    rows = np.ones(300, dtype=bool)
    assert best_ridge_share(pred, rows, np.exp(y)) == 0.8
    moved = pred.quantiles({TITLE_ONLY: 0.8, WITH_IMAGE: 0.0})
    assert np.allclose(moved, np.column_stack([y - 0.2, y, y + 0.2]))
    estimate, low, high = pred.estimate({TITLE_ONLY: 0.1, WITH_IMAGE: 0.0}, {TITLE_ONLY: 0.8, WITH_IMAGE: 0.0})
    assert np.allclose(np.log(estimate), y) and np.allclose(np.log(high) - np.log(low), 0.6)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("titles")
    synthetic_catalog(240).to_csv(root / "catalog.csv", index=False)
    train_titles(root / "catalog.csv", root / "run", seed=1, config=TitleModelConfig(seed=1, **FAST),
                 log=lambda _: None)
    return root / "run"


def test_train_titles_saves_edges_manifest_and_learns(trained: Path):
    edges = json.loads(RunDir(trained).decile_edges.read_text())
    assert len(edges) == 11 and edges[0] is None and edges[-1] is None
    assert all(b > a for a, b in itertools.pairwise(edges[1:-1]))
    manifest = json.loads(RunDir(trained).title_manifest.read_text())
    assert manifest["priced_rows"] == 237
    assert manifest["dropped"] == {"absurd": 1, "missing": 1, "no_price_text": 1}
    val = manifest["validation"]
    assert val["price_band"]["blended"]["accuracy"] > val["price_band"]["majority"]["accuracy"] + 0.1
    assert val["price_estimate"]["mdape"] < 0.3
    config = manifest["config"]
    assert set(config["blend_weights"]) == {TITLE_ONLY, WITH_IMAGE, WITH_MARKET}  # market: defaults, no such rows
    assert config["interval_margins"][TITLE_ONLY] >= 0.0
    assert set(manifest["versions"]) >= {"sklearn", "numpy", "python"}


def test_predict_rows_round_trip_and_bad_rows(trained: Path):
    model = load_title_model(RunDir(trained))
    rows = pd.DataFrame({"title": ["Union x Bapesta Low 'Black Gold' Sample", "", "Samba OG 'White Green'"],
                         "search_model": ["", "", "Not A Model"]})
    out = predict_title_rows(rows, model, load_models(), SCHEDULE)
    again = predict_title_rows(rows, load_title_model(RunDir(trained)), load_models(), SCHEDULE)
    pd.testing.assert_frame_equal(out, again)
    assert out["reason"].tolist() == ["", "empty title", ""]
    assert out["pred_price_decile"].isna().tolist() == [False, True, False]
    assert out.loc[0, "pred_price_decile"] == 9 and out.loc[0, "pred_price_band"] == 900
    # synthetic Samba prices are $90 x lognormal(0.1): either side of the $100 edge is within their spread
    assert out.loc[2, "pred_price_band"] in (0, 100) and 70 < out.loc[2, "price_estimate_usd"] < 115
    assert out.loc[2, "model"] == "adidas-samba"
    assert out.loc[0, "price_low_usd"] <= out.loc[0, "price_estimate_usd"] <= out.loc[0, "price_high_usd"]
    p = out[[c for c in out.columns if c.startswith("p_price_decile__")]]
    assert p.shape[1] == 10 and np.allclose(p.iloc[[0, 2]].sum(1), 1.0) and p.iloc[1].isna().all()
    assert out.columns.is_unique


def test_load_title_model_explains_missing_run(tmp_path: Path):
    with pytest.raises(RunDirError, match="train-titles"):
        load_title_model(RunDir(tmp_path))


def test_load_title_model_refuses_an_older_format(trained: Path, tmp_path: Path):
    run = RunDir(tmp_path / "run")
    shutil.copytree(trained, run.path)
    manifest = json.loads(run.title_manifest.read_text())
    run.title_manifest.write_text(json.dumps({**manifest, "format_version": 1}))
    with pytest.raises(RunDirError, match="does not match the sha256"):  # edited after training: refused
        load_title_model(run)
    run.record(TITLES_STAGE, [run.title_model, run.title_manifest, run.decile_edges])
    with pytest.raises(RunDirError, match="format 1.*train-titles"):
        load_title_model(run)


@pytest.mark.skipif(not REAL_CSV.is_file(), reason=f"real catalog {REAL_CSV} not present (needs ../shared)")
def test_real_catalog_sample_beats_majority(tmp_path: Path):
    df = pd.read_csv(REAL_CSV, dtype=str, keep_default_na=False).sample(700, random_state=0)
    df.to_csv(tmp_path / "sample.csv", index=False)  # a temporary file, never in the repository
    manifest = train_titles(tmp_path / "sample.csv", tmp_path / "run", config=TitleModelConfig(**FAST),
                            log=lambda _: None)
    val = manifest["validation"]
    assert val["price_band"]["blended"]["accuracy"] > val["price_band"]["majority"]["accuracy"]
    assert val["price_decile"]["blended"]["within_one"] > 0.4
    assert 0.0 < val["price_estimate"]["mdape"] < 0.6
