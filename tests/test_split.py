"""Grouped, hashed, persisted split: no straddling groups, stable assignments, deduped images, train-only labels."""

import numpy as np
import pandas as pd
import pytest

from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from sneaker_core.training.prepare import fit_split_targets
from sneaker_core.training.split import assign_split, load_split, make_split, save_split, split_digest

FRACTIONS = (0.7, 0.15, 0.15)


def fake_meta(n: int, *, start: int = 0) -> pd.DataFrame:
    ids = range(start, start + n)
    return pd.DataFrame({
        "product_id": [f"p{i:05d}" for i in ids],
        "group_key": [f"shoe {i // 3}" for i in ids],  # three listings per product group
        "image_sha256": [f"{i:064x}" for i in ids],
        "model": ["dunk-low" if i % 2 else "samba" for i in ids],
        "brand": ["Nike" if i % 2 else "Adidas" for i in ids],
        "search_model": ["dunk-low" if i % 2 else "samba" for i in ids],
        "title": [f"Shoe {i}" for i in ids],
        "price": [100.0 + i for i in ids],
    })


def test_groups_never_straddle_and_fractions_hold():
    split = make_split(fake_meta(2000), FRACTIONS, seed=7)
    assert len(split) == 2000
    assert split.groupby("group")["split"].nunique().max() == 1
    share = split["split"].value_counts(normalize=True)
    assert abs(share["train"] - 0.7) < 0.05 and abs(share["val"] - 0.15) < 0.04 and abs(share["test"] - 0.15) < 0.04


def test_identical_images_with_different_titles_share_a_split():
    meta = fake_meta(300)
    # 20 pairs of different products (different group keys) listed with the same picture
    for k in range(20):
        a, b = 3 * k, 150 + 3 * k
        meta.loc[b, "image_sha256"] = meta.loc[a, "image_sha256"]
        meta.loc[b, ["model", "search_model"]] = meta.loc[a, "model"]
    split = make_split(meta, FRACTIONS, seed=1).set_index("product_id")
    for k in range(20):
        a, b = meta.loc[3 * k, "product_id"], meta.loc[150 + 3 * k, "product_id"]
        assert split.loc[a, "group"] == split.loc[b, "group"]
        assert split.loc[a, "split"] == split.loc[b, "split"]
    # merging is transitive: the whole title group of b joins a's group
    b_mates = meta.loc[meta["group_key"] == meta.loc[150, "group_key"], "product_id"]
    assert set(split.loc[b_mates, "split"]) == {split.loc[meta.loc[0, "product_id"], "split"]}


def test_same_image_under_two_models_keeps_one_row_and_counts_the_conflict():
    meta = fake_meta(10)
    meta.loc[5, "image_sha256"] = meta.loc[0, "image_sha256"]  # p00005 is dunk-low, p00000 samba
    meta.loc[5, "search_model"] = "samba"  # found by the samba search, labelled dunk-low: off its own search
    meta = pd.concat([meta, meta.iloc[[2]]], ignore_index=True)  # a repeated product id
    split = make_split(meta, FRACTIONS, seed=1)
    assert split.attrs["dropped"] == {"duplicate_product_id": 1, "duplicate_image_conflict": 1}
    assert "p00000" in set(split["product_id"]) and "p00005" not in set(split["product_id"])
    assert len(split) == 9


def test_deterministic_and_stable_when_rows_are_added():
    first = make_split(fake_meta(600), FRACTIONS, seed=3)
    again = make_split(fake_meta(600).sample(frac=1.0, random_state=0), FRACTIONS, seed=3)
    pd.testing.assert_frame_equal(first, again)
    grown = make_split(pd.concat([fake_meta(600), fake_meta(300, start=600)]), FRACTIONS, seed=3)
    merged = first.merge(grown, on="product_id", suffixes=("_old", "_new"))
    assert len(merged) == 600 and (merged["split_old"] == merged["split_new"]).all()
    assert split_digest(first) != split_digest(make_split(fake_meta(600), FRACTIONS, seed=4))


def test_assign_split_is_a_pure_function_of_seed_and_group():
    assert assign_split("dunk low panda", FRACTIONS, 1) == assign_split("dunk low panda", FRACTIONS, 1)
    draws = {assign_split(f"g{i}", FRACTIONS, 1) for i in range(50)}
    assert draws == {"train", "val", "test"}
    with pytest.raises(ValueError, match="summing to 1"):
        make_split(fake_meta(10), (0.5, 0.2, 0.2), seed=1)


def test_save_and_load_round_trip(tmp_path):
    split = make_split(fake_meta(200), FRACTIONS, seed=5)
    digest = save_split(split, RunDir(tmp_path))
    loaded = load_split(RunDir(tmp_path))
    pd.testing.assert_frame_equal(loaded[["product_id", "group", "split"]], split.reset_index(drop=True))
    assert loaded.attrs["digest"] == digest == split_digest(split)
    assert loaded.attrs["counts"] == {s: int((split["split"] == s).sum()) for s in ("train", "val", "test")}
    assert loaded.attrs["seed"] == 5 and loaded.attrs["fractions"] == list(FRACTIONS)
    changed = split.copy()
    changed.loc[0, "split"] = "test" if split.loc[0, "split"] != "test" else "train"
    assert save_split(changed, RunDir(tmp_path)) != digest


def test_targets_fit_on_train_prices_only():
    meta = fake_meta(400)
    meta.loc[meta.index % 7 == 0, "price"] = np.nan  # missing prices drop out of the price targets
    split = make_split(meta, FRACTIONS, seed=2)
    settings = Settings(data_dir="unused")
    specs = fit_split_targets(meta, split, settings)
    held_out = meta["product_id"].isin(split.loc[split["split"] != "train", "product_id"])
    shifted = meta.copy()
    shifted.loc[held_out, "price"] = shifted.loc[held_out, "price"] * 50
    assert fit_split_targets(shifted, split, settings)["price_decile"].edges == specs["price_decile"].edges
    train_prices = meta.loc[~held_out, "price"].dropna()
    assert specs["price_decile"].edges[1] == pytest.approx(np.quantile(train_prices, 0.1))
    moved = meta.copy()
    moved.loc[~held_out, "price"] = moved.loc[~held_out, "price"] + 1000
    assert fit_split_targets(moved, split, settings)["price_decile"].edges != specs["price_decile"].edges
    assert specs["model"].classes == ("dunk-low", "samba") and specs["brand"].classes == ("Adidas", "Nike")
