"""train_target end to end on tiny synthetic shards, and exact evaluation metrics on a hand-made example."""

import io
import json

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from PIL import Image

from sneaker_core.atomic import sha256_bytes
from sneaker_core.images.normalise import BadImage
from sneaker_core.run_metrics import assemble_metrics
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.settings import Settings
from sneaker_core.shard_schema import encode_example
from sneaker_core.shards.reader import make_dataset
from sneaker_core.targets import TargetSpec
from sneaker_core.training.evaluate import evaluate
from sneaker_core.training.fit import train_target
from sneaker_core.training.predict import predict_image
from sneaker_core.training.prepare import label_column, prepare_run
from sneaker_core.training.runinfo import load_model, load_targets
from sneaker_core.training.split import load_split

# colour encodes the model, model encodes the brand and the price level
MODELS = {"samba": ("Adidas", (200, 30, 30), 90.0), "dunk-low": ("Nike", (30, 200, 30), 250.0),
          "yeezy-350": ("Yeezy", (30, 30, 200), 420.0)}


def _jpeg(rgb, rng) -> bytes:
    pixels = np.clip(np.asarray(rgb)[None, None, :] + rng.integers(-20, 21, (40, 40, 3)), 0, 255)
    buf = io.BytesIO()
    Image.fromarray(pixels.astype("uint8")).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    rng = np.random.default_rng(0)
    paths = []
    for m, (model, (brand, rgb, price)) in enumerate(MODELS.items()):
        path = folder / f"{model}.tfrecord"
        with tf.io.TFRecordWriter(str(path)) as writer:
            for i in range(40):
                image = _jpeg(rgb, rng)
                writer.write(encode_example({
                    "image": image, "product_id": f"{m}{i:03d}", "title": f"{model} {i // 2}",
                    "price": None if i % 8 == 7 else price + 12.5 * (i % 8), "model": model, "brand": brand,
                    "search_model": model, "group_key": f"{model} {i // 2}", "scraped_at": "2024-01-01T00:00:00+00:00",
                    "image_sha256": sha256_bytes(image),
                }))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(data_dir=tmp_path_factory.mktemp("data"), train_image_size=32, batch_size=4, epochs=3,
                    patience=3, seed=11, architecture="default")


@pytest.fixture(scope="module")
def run_dir(shards, settings):
    run = RunDir.for_id(settings.data_dir, "r1")
    manifest = prepare_run(shards, run, settings)
    assert manifest["classes"] == {"price_decile": 10, "price_band": 10, "model": 3, "brand": 3}
    assert manifest["skipped"] == {}
    return run


def test_prepare_run_is_idempotent(shards, settings, run_dir):
    before = run_dir.split.read_bytes(), run_dir.targets.read_text(), run_dir.images.read_bytes()
    again = prepare_run(shards, run_dir, settings)
    assert (run_dir.split.read_bytes(), run_dir.targets.read_text(), run_dir.images.read_bytes()) == before
    assert again["split_digest"] == load_split(run_dir).attrs["digest"]
    assert sum(again["counts"].values()) == 120
    assert run_dir.verify("prepare")


def test_example_table_and_images_hold_the_shards_decoded_once(shards, settings, run_dir):
    """Row i of images.npy is the shard's image of table row i, decoded at the training size as tf.data would."""
    table = pd.read_parquet(run_dir.examples)
    images = np.load(run_dir.images, mmap_mode="r")
    assert images.dtype == np.uint8 and images.shape == (len(table), 32, 32, 3) == (120, 32, 32, 3)
    assert table["product_id"].is_monotonic_increasing
    assert table[["product_id", "split"]].equals(load_split(run_dir)[["product_id", "split"]])
    decoded = {ex["product_id"].numpy().decode(): ex["image"].numpy() for ex in make_dataset(shards, image_size=32)}
    for i in (0, 41, 119):
        np.testing.assert_array_equal(images[i], decoded[table.loc[i, "product_id"]])
    unpriced = table["product_id"].str[1:].astype(int) % 8 == 7
    assert (table.loc[unpriced, label_column("price_band")] == -1).all()
    assert (table.loc[unpriced, "reason__price_band"] == "no_price").all()
    assert sorted(table[label_column("model")].unique()) == [0, 1, 2]


def test_changed_prepared_file_is_not_trusted(shards, settings, tmp_path):
    run = RunDir(tmp_path / "runs" / "r")
    prepare_run(shards, run, settings)
    images = np.load(run.images)
    images[0, 0, 0, 0] ^= 1
    np.save(run.images, images)
    assert not run.verify("prepare")
    with pytest.raises(RunDirError, match="not prepared"):
        train_target("model", run, settings)


def test_train_model_target_end_to_end(shards, settings, run_dir):
    out = train_target("model", run_dir, settings)
    split = load_split(run_dir)
    assert out["n_train"] == (split["split"] == "train").sum()
    assert out["n_test"] == (split["split"] == "test").sum()
    assert out["epochs_run"] == 3 and out["images_per_s"] > 0
    assert out["accuracy"] > out["majority_baseline"]  # colour decides the model: 3 short epochs learn it

    probs = pd.read_parquet(run_dir.probs("model"))
    assert list(probs.columns) == ["product_id", "split", "true", "pred", "p__dunk-low", "p__samba", "p__yeezy-350"]
    assert set(probs["split"]) == {"val", "test"} and len(probs) == (split["split"] != "train").sum()
    np.testing.assert_allclose(probs.filter(like="p__").sum(axis=1), 1.0, rtol=1e-5)

    # the saved model, reloaded again, reproduces the stored probabilities
    model = keras.models.load_model(run_dir.model("model"))
    wanted = set(probs["product_id"])
    images, ids = [], []
    for ex in make_dataset(shards, image_size=32):
        pid = ex["product_id"].numpy().decode()
        if pid in wanted:
            images.append(ex["image"].numpy())
            ids.append(pid)
    again = pd.DataFrame(model.predict(np.stack(images), verbose=0), index=ids).sort_index()
    np.testing.assert_allclose(again.to_numpy(), probs.set_index("product_id").sort_index().filter(like="p__"),
                               atol=1e-5)

    metrics = json.loads(run_dir.target_metrics("model").read_text())
    assert metrics["confusion_png"] == run_dir.rel(run_dir.confusion("model"))
    assert run_dir.confusion("model").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [len(metrics["history"][k]) for k in ("loss", "val_loss", "accuracy", "val_accuracy")] == [3] * 4
    assert run_dir.verify("train-model")


def test_price_target_and_merged_metrics(shards, settings, run_dir):
    out = train_target("price_band", run_dir, settings)
    probs = pd.read_parquet(run_dir.probs("price_band"))
    missing = probs["product_id"].str[1:].astype(int) % 8 == 7
    assert (probs.loc[missing, "true"] == -1).all() and (probs.loc[~missing, "true"] >= 0).all()
    metrics = json.loads(run_dir.target_metrics("price_band").read_text())
    assert out["n_test"] == metrics["n_test"] == int((~missing & (probs["split"] == "test")).sum())
    assert 0.0 <= metrics["within_one_bin"] <= 1.0 and metrics["dollar_mae_bin_median"] >= 0
    assert metrics["excluded"]["test:no_price"] == int((missing & (probs["split"] == "test")).sum())

    run_dir.stack_results.write_text(json.dumps({"meta": {"kept": True}}))
    merged = assemble_metrics(run_dir)
    run_dir.stack_results.unlink()
    assert merged["meta"] == {"kept": True}
    assert set(merged["targets"]) == {"model", "price_band"}
    for key in ("accuracy", "macro_f1", "majority_baseline", "n_test", "per_class", "confusion_png"):
        assert key in merged["targets"]["price_band"]
    counts = load_split(run_dir).attrs["counts"]
    assert {k: merged["data"][f"n_{k}"] for k in counts} == counts
    assert json.loads(run_dir.metrics.read_text()) == merged


def test_warm_started_target_starts_from_the_trained_model_cnn(shards, settings, run_dir):
    """With a backbone, a target trains `finetune_epochs` from the model CNN's weights; a changed backbone file
    is refused by name."""
    if not run_dir.verify("train-model"):
        train_target("model", run_dir, settings)
    warm = Settings(**{**settings.model_dump(), "finetune_epochs": 2})
    out = train_target("brand", run_dir, warm, backbone="model")
    assert out["started_from"] == "model" and out["epochs_run"] == 2
    assert out["model_sha256"] == run_dir.read_manifest("train-brand")["files"][0]["sha256"]
    assert json.loads(run_dir.target_metrics("brand").read_text())["started_from"] == "model"
    assert out["accuracy"] > out["majority_baseline"]


def test_a_changed_backbone_is_not_trusted(shards, settings, tmp_path):
    run = RunDir(tmp_path / "runs" / "b")
    quick = Settings(**{**settings.model_dump(), "epochs": 1})
    prepare_run(shards, run, quick)
    train_target("model", run, quick)
    with open(run.model("model"), "ab") as f:
        f.write(b"x")
    with pytest.raises(RunDirError, match="does not match the sha256"):
        train_target("brand", run, quick, backbone="model")


def test_unknown_target_is_refused(shards, settings, run_dir):
    with pytest.raises(ValueError, match="unknown target"):
        train_target("colour", run_dir, settings)


def test_evaluate_exact_on_hand_made_example(tmp_path):
    spec = TargetSpec("price_band", ("000_100", "100_200", "200_inf"), (0.0, 100.0, 200.0, float("inf")))
    y_true = [0, 1, 2, 2, -1]
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.1, 0.6, 0.3], [1, 0, 0]])
    train_labels = [2, 2, 1, 0, -1]
    train_prices = [300.0, 500.0, 150.0, 50.0, np.nan]
    out = evaluate(y_true, probs, spec, train_labels, true_prices=[60.0, 120.0, 250.0, 260.0, np.nan],
                   train_prices=train_prices, confusion_png=tmp_path / "c.png")
    # predictions 0, 2, 2, 1 against truth 0, 1, 2, 2
    assert out["accuracy"] == 0.5 and out["n_test"] == 4 and out["n_test_unlabelled"] == 1
    assert out["majority_class"] == "200_inf" and out["majority_baseline"] == 0.5
    assert out["per_class"]["200_inf"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert out["per_class"]["100_200"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert out["macro_f1"] == pytest.approx((1.0 + 0.0 + 0.5) / 3)
    assert out["within_one_bin"] == 1.0
    # bin medians from training prices: 50, 150, 400 -> |50-60|, |400-120|, |400-250|, |150-260|
    assert out["bin_median_prices"] == {"000_100": 50.0, "100_200": 150.0, "200_inf": 400.0}
    assert out["dollar_mae_bin_median"] == pytest.approx((10 + 280 + 150 + 110) / 4)
    assert out["confusion"] == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    assert (tmp_path / "c.png").stat().st_size > 0
    with pytest.raises(ValueError, match="true_prices and train_prices"):
        evaluate(y_true, probs, spec, train_labels)


def test_predict_image_with_the_runs_cnns(shards, settings, run_dir):
    for target in ("model", "brand", "price_decile", "price_band"):
        if not run_dir.model(target).is_file():
            train_target(target, run_dir, settings)
    green = _jpeg(MODELS["dunk-low"][1], np.random.default_rng(5))
    out = predict_image(run_dir, green, Settings(data_dir=settings.data_dir, image_size=40))
    assert out["targets"]["model"]["pred"] == "dunk-low" and out["targets"]["brand"]["pred"] == "Nike"
    decile = out["targets"]["price_decile"]["probabilities"]
    assert list(decile) == list(load_targets(run_dir)["price_decile"].classes) and abs(sum(decile.values()) - 1) < 1e-3
    assert out["price_low_usd"] <= out["price_estimate_usd"] <= out["price_high_usd"]
    with pytest.raises(BadImage):
        predict_image(run_dir, b"<html>not an image</html>", settings)
    saved = run_dir.model("brand").read_bytes()
    try:  # a model file that is not the one training recorded is refused before Keras reads it
        run_dir.model("brand").write_bytes(saved[:-10])
        with pytest.raises(RunDirError, match="does not match the sha256"):
            predict_image(run_dir, green, settings)
        with pytest.raises(RunDirError, match="is corrupt or not a Keras model"):
            load_model(run_dir.model("brand"))
    finally:
        run_dir.model("brand").write_bytes(saved)


def test_product_listed_by_two_searches_is_used_once(shards, settings, tmp_path):
    """The same product in two models' shards (found by both searches) is trained and scored once."""
    extra = tmp_path / "other-search.tfrecord"
    with tf.io.TFRecordWriter(str(extra)) as writer:
        for i, ex in enumerate(make_dataset(shards[:1], decode=False)):
            if i >= 6:
                break
            record = {k: v.numpy() for k, v in ex.items()}
            record = {k: v.decode() if isinstance(v, bytes) and k != "image" else v for k, v in record.items()}
            record["price"] = None if record.pop("price_missing") else float(record["price"])
            writer.write(encode_example({**record, "search_model": "dunk-low"}))
    run = RunDir(tmp_path / "run")
    quick = Settings(**{**settings.model_dump(), "epochs": 1})
    prepare_run([*shards, extra], run, quick)
    train_target("model", run, quick)
    probs = pd.read_parquet(run.probs("model"))
    assert probs["product_id"].is_unique and len(probs) == (load_split(run)["split"] != "train").sum()


def test_one_model_run_skips_the_one_class_targets_with_a_reason(shards, settings, tmp_path):
    """A run of one sneaker model: model and brand have one class in training; they are skipped, named, and
    the price targets train (issue: `sneaker run --models dunk-low` failed after minutes of work)."""
    run = RunDir(tmp_path / "runs" / "one")
    quick = Settings(**{**settings.model_dump(), "epochs": 1})
    manifest = prepare_run(shards[1:2], run, quick)
    assert manifest["targets"] == ["price_decile", "price_band"]
    assert manifest["skipped"] == {
        "model": "fewer than two classes in the training split (28 labelled rows, all 'dunk-low')",
        "brand": "fewer than two classes in the training split (28 labelled rows, all 'Nike')"}
    assert set(load_targets(run)) == {"price_decile", "price_band"}
    with pytest.raises(RunDirError, match="model is skipped in run one: fewer than two classes"):
        train_target("model", run, quick)
    train_target("price_band", run, quick)
    metrics = assemble_metrics(run)
    assert metrics["targets"]["model"] == {"skipped": manifest["skipped"]["model"]}
    assert metrics["targets"]["price_band"]["n_test"] > 0


def test_training_settings_that_can_only_fail_are_refused_up_front():
    from sneaker_core.training.preflight import check_training

    with pytest.raises(ValueError, match="baseline needs images of at least 76 px, got 32; set SNEAKER_TRAIN"):
        check_training(Settings(architecture="baseline", train_image_size=32))
    check_training(Settings(architecture="default", train_image_size=32))


def test_precise_batchnorm_sets_moving_statistics_from_clean_batches():
    """Before validation, each BatchNorm's moving mean is the average batch mean over the calibration batches
    (clean images, current weights); momenta and augmentation are restored afterwards."""
    from sneaker_core.training.cnn import build_model
    from sneaker_core.training.fit import PreciseBatchNorm, calibration_batches

    model = build_model("default", 3, 32, seed=1)
    images = np.random.default_rng(0).integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
    batches = calibration_batches(images, np.arange(40), 8, seed=0, n_batches=3)
    assert [len(b) for b in batches] == [8, 8, 8]
    callback = PreciseBatchNorm(batches)
    callback.set_model(model)
    callback.on_test_begin()
    stem = keras.Model(model.input, model.get_layer("stem").output)
    expected = np.mean([np.asarray(stem(b, training=False)).mean(axis=(0, 1, 2)) for b in batches], axis=0)
    bn = model.get_layer("stem_bn")
    np.testing.assert_allclose(np.asarray(bn.moving_mean), expected, rtol=1e-4, atol=1e-5)
    assert bn.momentum == pytest.approx(0.9) and model.get_layer("augment").enabled

