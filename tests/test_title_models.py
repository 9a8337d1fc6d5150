"""Title features, the dollar estimate, the title models (train/save/load/predict) and prediction tables."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stacking_fixtures import synthetic_catalog

from sneaker_core.stacking.estimate import bin_probabilities, price_metrics
from sneaker_core.stacking.features import TitleFeaturizer, feature_frame, image_id, title_attribute_row
from sneaker_core.stacking.predictions import TargetOutput, tidy_table, wide_table
from sneaker_core.stacking.title_models import TitleModelConfig
from sneaker_core.stacking.title_predict import predict_title_rows
from sneaker_core.stacking.title_run import EDGES_FILE, load_title_model, train_titles

REAL_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "goat_catalog_2023.csv"
FAST = {"folds": 3, "hgb_max_iter": 60, "logreg_max_iter": 200}


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
    assert image_id(url) == 73719923.0
    assert math.isnan(image_id("data:image/gif;base64,R0lGOD"))
    assert math.isnan(image_id("/local/shoe.png"))


def test_featurizer_handles_unseen_labels_and_empty_fields():
    train = feature_frame(pd.DataFrame({"title": ["Dunk Low 'Panda'", "Samba OG 'White'"],
                                        "search_model": ["Dunk Low", "Adidas Samba"]}))
    f = TitleFeaturizer(min_df_char=1).fit(train)
    X = f.transform(feature_frame(pd.DataFrame({"title": ["Forum Low 'Blue'", ""], "model": ["x", None]})))
    assert X.shape[0] == 2 and X.shape[1] == f.transform(train).shape[1]


def test_bin_probabilities_and_price_metrics():
    logq = np.log(np.array([[90.0, 150.0, 250.0], [400.0, 900.0, 2000.0]]))
    p = bin_probabilities(logq, [0.0, 100.0, 200.0, math.inf])
    assert np.allclose(p.sum(1), 1.0)
    assert p[0].argmax() == 1 and p[1].argmax() == 2
    m = price_metrics(np.array([100.0, 200.0]), np.array([110.0, 100.0]), np.array([90.0, 150.0]),
                      np.array([120.0, 190.0]))
    assert m == {"mdape": pytest.approx(0.3), "mae": pytest.approx(55.0), "coverage_10_90": 0.5, "n": 2}


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


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("titles")
    synthetic_catalog(240).to_csv(root / "catalog.csv", index=False)
    train_titles(root / "catalog.csv", root / "run", seed=1, config=TitleModelConfig(seed=1, **FAST),
                 log=lambda _: None)
    return root / "run"


def test_train_titles_saves_edges_manifest_and_learns(trained: Path):
    edges = json.loads((trained / EDGES_FILE).read_text())
    assert len(edges) == 11 and edges[0] is None and edges[-1] is None
    assert all(b > a for a, b in itertools.pairwise(edges[1:-1]))
    manifest = json.loads((trained / "title_model.json").read_text())
    assert manifest["priced_rows"] == 237
    assert manifest["dropped"] == {"absurd": 1, "missing": 1, "no_price_text": 1}
    val = manifest["validation"]
    assert val["price_band"]["blended"]["accuracy"] > val["price_band"]["majority"]["accuracy"] + 0.1
    assert val["price_estimate"]["mdape"] < 0.3
    assert set(manifest["versions"]) >= {"sklearn", "numpy", "python"}


def test_predict_rows_round_trip_and_bad_rows(trained: Path):
    model = load_title_model(trained)
    rows = pd.DataFrame({"title": ["Union x Bapesta Low 'Black Gold' Sample", "", "Samba OG 'White Green'"],
                         "search_model": ["", "", "Not A Model"]})
    out = predict_title_rows(rows, model)
    again = predict_title_rows(rows, load_title_model(trained))
    pd.testing.assert_frame_equal(out, again)
    assert out["reason"].tolist() == ["", "empty title", ""]
    assert out["pred_price_decile"].isna().tolist() == [False, True, False]
    assert out.loc[0, "pred_price_decile"] == 9 and out.loc[0, "pred_price_band"] == 900
    assert out.loc[2, "pred_price_band"] == 0 and out.loc[2, "model"] == "adidas-samba"
    assert out.loc[0, "price_low_usd"] <= out.loc[0, "price_estimate_usd"] <= out.loc[0, "price_high_usd"]
    p = out[[c for c in out.columns if c.startswith("p_price_decile__")]]
    assert p.shape[1] == 10 and np.allclose(p.iloc[[0, 2]].sum(1), 1.0) and p.iloc[1].isna().all()
    assert out.columns.is_unique


def test_load_title_model_explains_missing_run(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="train-titles"):
        load_title_model(tmp_path)


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
