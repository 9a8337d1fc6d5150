"""Retail price and release date as price-model features: parsing with named outcomes, missing indicators,
the market condition of the title models, and the real-data bench's feature builder reading no market column."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stacking_fixtures import synthetic_catalog

from sneaker_core.rundir import RunDir
from sneaker_core.stacking.features import dense_title_features, feature_frame
from sneaker_core.stacking.market_features import (
    MARKET_COLUMNS,
    linear_market_block,
    market_columns,
    market_counts,
    without_market,
)
from sneaker_core.stacking.title_models import WITH_MARKET, TitleModelConfig
from sneaker_core.stacking.title_run import load_title_model, train_titles

ROOT = Path(__file__).resolve().parents[1]
STOCKX_CSV = ROOT.parent / "shared" / "data" / "stockx_catalog_2023.csv"
FAST = {"folds": 3, "hgb_max_iter": 60, "logreg_max_iter": 200}


def test_market_columns_exact_values_and_missing_indicators():
    df = pd.DataFrame({"retail_usd": ["110", "", "abc", "0", "$1,100", None],
                       "release_date": ["2023-03-21", "2023-04-29", "soon", "", None, "2023-04-15"]})
    m = market_columns(df, "2023-04-15")
    assert list(m.columns) == list(MARKET_COLUMNS)
    assert m["log_retail"].iloc[0] == pytest.approx(math.log(110)) and m["log_retail"].iloc[4] == pytest.approx(
        math.log(1100))
    assert m["has_retail"].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert m["log_retail"].iloc[[1, 2, 3, 5]].isna().all()
    # 25 days before the as-of date; 14 days after it (upcoming: negative); released on the day: 0
    assert m["age_weeks"].iloc[0] == pytest.approx(25 / 7) and m["age_weeks"].iloc[1] == pytest.approx(-2.0)
    assert m["age_weeks"].iloc[5] == 0.0
    assert m["has_release"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    assert market_counts(df) == {"retail_usd": {"missing": 2, "not a number": 1, "not positive": 1, "ok": 2},
                                 "release_date": {"missing": 2, "not a date": 1, "ok": 3}}


def test_age_at_each_rows_own_date_and_no_date_means_no_age():
    df = pd.DataFrame({"release_date": ["2023-01-01", "2023-01-01"], "as_of": ["2023-01-08", "2023-01-29T06:00:00Z"]})
    assert feature_frame(df)["age_weeks"].tolist() == [1.0, 4.0 + 6 / (24 * 7)]
    assert market_columns(df.drop(columns="as_of"), None)["has_release"].tolist() == [0.0, 0.0]


def test_linear_block_zero_where_missing_and_signed_log_age():
    m = market_columns(pd.DataFrame({"retail_usd": ["100", ""], "release_date": ["2023-01-15", "2023-01-01"]}),
                       "2023-01-08")
    block = linear_market_block(m)
    assert block[0] == pytest.approx([math.log(100), 1.0, -math.log(2.0), 1.0, 1.0])
    assert block[1] == pytest.approx([0.0, 0.0, math.log(2.0), 0.0, 1.0])
    blank = without_market(feature_frame(pd.DataFrame({"title": ["a"], "retail_usd": ["100"]})))
    assert blank["has_retail"].tolist() == [0.0] and blank["log_retail"].isna().all()


def test_frames_without_market_columns_have_nan_dense_market_features():
    frame = feature_frame(pd.DataFrame({"title": ["Air Jordan 1 'Bred'"]}))
    from sneaker_core.stacking.features import LabelCodes

    dense = dense_title_features(frame, LabelCodes().fit(frame))
    assert dense[["log_retail", "age_weeks"]].isna().all().all()
    assert dense[["has_retail", "has_release"]].to_numpy().tolist() == [[0.0, 0.0]]


def _market_catalog() -> pd.DataFrame:
    """The synthetic catalog with a retail price that sets the price (x a premium) on two rows in three."""
    cat = synthetic_catalog(150, seed=4)
    rng = np.random.default_rng(4)
    retail = rng.choice([90.0, 160.0, 250.0], len(cat))
    price = pd.to_numeric(cat["price"].str.replace(r"[$,]", "", regex=True), errors="coerce")
    known = np.arange(len(cat)) % 3 != 0
    cat["price"] = np.where(price.notna() & known, [f"${p:,.0f}" for p in price.fillna(0) * retail / 100],
                            cat["price"])
    cat["retail_usd"] = np.where(known, retail.astype(str), "")
    cat["release_date"] = np.where(known, "2022-06-01", "")
    return cat


@pytest.fixture(scope="module")
def market_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("market")
    _market_catalog().to_csv(root / "catalog.csv", index=False)
    train_titles(root / "catalog.csv", root / "run", seed=2, config=TitleModelConfig(seed=2, **FAST),
                 log=lambda _: None, as_of="2023-04-15")
    return root / "run"


def test_train_titles_uses_market_columns_and_rows_without_them_keep_the_title_estimate(market_run: Path):
    import json

    manifest = json.loads((market_run / "title_model.json").read_text())
    counts = manifest["market_inputs"]["counts"]
    assert manifest["market_inputs"]["as_of"] == "2023-04-15"
    assert counts["retail_usd"]["ok"] + counts["retail_usd"]["missing"] == manifest["priced_rows"]
    assert manifest["validation_with_market"]["price_estimate"]["n"] > 0
    assert WITH_MARKET in manifest["config"]["interval_margins"]
    model = load_title_model(RunDir(market_run))
    assert WITH_MARKET in model.estimators_
    rows = pd.DataFrame({"title": ["Dunk Low 'Grey Navy'"] * 3, "retail_usd": ["90", "250", ""],
                         "release_date": ["2022-06-01", "2022-06-01", ""]})
    pred = model.predict(feature_frame(rows, "2023-04-15"))
    assert pred.market_rows.tolist() == [True, True, False]
    est = pred.estimate(model.config_.interval_margins, model.config_.ridge_shares)[0]
    assert est[1] > est[0]  # the dearer retail price gives the dearer estimate
    # a row without the columns at all is predicted exactly as a row with them blank
    bare = model.predict(feature_frame(rows.iloc[[2]][["title"]], "2023-04-15"))
    assert np.array_equal(bare.log_quantiles, pred.log_quantiles[[2]])


def test_out_of_fold_views_keep_the_market_rows_and_each_row_is_predicted_without_its_group(tmp_path: Path):
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    from sneaker_core.catalog import label_catalog
    from sneaker_core.stacking.title_calibrate import calibrate, calibrated_oof, oof_views
    from sneaker_core.stacking.title_models import TitleModel
    from sneaker_core.stacking.title_run import TITLE_FOLDS, priced_rows
    from sneaker_core.targets import fit_decile_edges

    _market_catalog().assign(as_of="2023-04-15").to_csv(tmp_path / "catalog.csv", index=False)
    rows, _ = priced_rows(label_catalog(tmp_path / "catalog.csv"))
    frame, prices, groups = feature_frame(rows), rows["price_usd"].to_numpy(float), rows["group_key"].to_numpy()
    base = TitleModel(fit_decile_edges(prices), [0, 150, 300, math.inf], TitleModelConfig(seed=0, **FAST))
    views = oof_views(base, frame, prices, groups, 3)
    has_market = (frame["has_retail"] + frame["has_release"] > 0).to_numpy()
    assert has_market.sum() == 98 and np.array_equal(views[WITH_MARKET].market_rows, has_market)
    a, b = next(GroupKFold(n_splits=3).split(frame, groups=groups))
    alone = clone(base).fit(frame.iloc[a], prices[a], groups[a].tolist()).predict(frame.iloc[b])
    assert np.allclose(views[WITH_MARKET].log_quantiles[b], alone.log_quantiles)
    assert calibrate(base, views, prices)[WITH_MARKET]["rows"] == 98  # its settings chosen on its own rows
    few = np.array([f"g{i % (TITLE_FOLDS - 1)}" for i in range(len(groups))])
    with pytest.raises(ValueError, match=f"4 product groups.*needs at least {TITLE_FOLDS}"):
        calibrated_oof(base, frame, prices, few, TITLE_FOLDS)


def _bench():
    spec = importlib.util.spec_from_file_location("retail_model", ROOT / "bench" / "retail_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_features_never_read_market_side_columns():
    if not STOCKX_CSV.is_file():
        pytest.skip(f"{STOCKX_CSV} not present")
    bench = _bench()
    catalog = pd.read_csv(STOCKX_CSV).head(200)
    frame, prices, groups = bench.stockx_rows(catalog)
    rng = np.random.default_rng(0)
    scrambled = catalog.copy()
    for col in catalog.columns:
        if col not in (*bench.FEATURE_SOURCES, "lowestAsk"):
            scrambled[col] = rng.permutation(scrambled[col].to_numpy())
    scrambled["pricePremium"] = np.inf
    again, prices2, groups2 = bench.stockx_rows(scrambled)
    pd.testing.assert_frame_equal(frame, again)
    assert np.array_equal(prices, prices2) and np.array_equal(groups, groups2)
    assert frame["has_retail"].sum() > 150 and frame["has_release"].sum() > 150
    # and a fitted model's predictions are identical on the scrambled catalog
    from sneaker_core.stacking.title_models import TitleModel
    from sneaker_core.targets import fit_decile_edges

    model = TitleModel(fit_decile_edges(prices), [0, 150, 300, math.inf], TitleModelConfig(**FAST))
    model.fit(frame, prices, groups.tolist())
    assert np.array_equal(model.predict(frame).log_quantiles, model.predict(again).log_quantiles)


def test_attach_market_joins_the_snapshot_a_shard_came_from(tmp_path: Path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from sneaker_core.scrape.records import RECORD_SCHEMA
    from sneaker_core.scrape.snapshot import snapshot_path
    from sneaker_core.stacking.market_join import attach_market, snapshot_keys

    scraped = dt.datetime(2026, 11, 23, 6, tzinfo=dt.UTC)
    rows = [{"product_id": "a", "retail_usd": 110.0, "release_date": dt.date(2026, 11, 9), "scraped_at": scraped},
            {"product_id": "b", "retail_usd": None, "release_date": None, "scraped_at": scraped}]
    path = snapshot_path(tmp_path, "2026-W48", "dunk-low")
    path.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=RECORD_SCHEMA), path)
    shard = str(tmp_path / "shards" / "2026-W48" / "dunk-low" / "dunk-low-00000-of-00001.tfrecord")
    other = str(tmp_path / "shards" / "2026-W48" / "crocs" / "crocs-00000-of-00001.tfrecord")
    meta = pd.DataFrame({"product_id": ["a", "b", "c"], "title": ["x", "y", "z"]})
    assert snapshot_keys([shard, shard, other]) == [("2026-W48", "crocs"), ("2026-W48", "dunk-low")]
    out, counts = attach_market(meta, tmp_path, snapshot_keys([shard, other]))
    assert counts == {"snapshots": 1, "snapshots_missing": 1, "rows_matched": 1}
    assert out["product_id"].tolist() == ["a", "b", "c"]
    frame = feature_frame(out)
    assert frame["log_retail"].iloc[0] == pytest.approx(math.log(110))
    assert frame["age_weeks"].iloc[0] == pytest.approx(2 + 6 / (24 * 7))  # two weeks and six hours
    assert frame["has_retail"].tolist() == [1.0, 0.0, 0.0] and frame["has_release"].tolist() == [1.0, 0.0, 0.0]


def test_market_estimator_learns_the_premium_so_a_retail_price_beyond_training_still_counts():
    from sneaker_core.stacking.title_models import TitleModel
    from sneaker_core.targets import fit_decile_edges

    rng = np.random.default_rng(5)
    retail = rng.choice([100.0, 150.0, 200.0], 120)
    titles = [f"Runner {i % 40} 'Colour {i}'" for i in range(120)]
    frame = feature_frame(pd.DataFrame({"title": titles, "retail_usd": retail.astype(str),
                                        "release_date": "2022-06-01"}), "2023-04-15")
    prices = 1.5 * retail * rng.uniform(0.97, 1.03, 120)
    model = TitleModel(fit_decile_edges(prices), [0, 200, math.inf], TitleModelConfig(**FAST))
    model.fit(frame, prices, titles)
    new = feature_frame(pd.DataFrame({"title": ["Runner 3 'Colour 999'"], "retail_usd": ["400"],
                                      "release_date": ["2022-06-01"]}), "2023-04-15")
    # trees on the log price could not go past the dearest training price ($309); on the premium they do
    assert model.predict(new).log_quantiles[0, 1] == pytest.approx(math.log(600), abs=0.05)
