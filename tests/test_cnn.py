"""CNN builders: shapes, distinct architectures, pixels scaled exactly once, sparse cross-entropy."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sneaker_core.training.augment import RandomGeometry, warp
from sneaker_core.training.cnn import SparseSmoothedCrossentropy, build_model, copy_backbone


@pytest.mark.parametrize(("arch", "size"), [("baseline", 80), ("default", 48)])
def test_output_shape_and_softmax(arch, size):
    model = build_model(arch, 5, size, seed=1)
    assert model.input_shape == (None, size, size, 3) and model.output_shape == (None, 5)
    probs = model.predict(np.random.default_rng(0).integers(0, 256, (3, size, size, 3)).astype("uint8"), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_architectures_differ():
    base, default = build_model("baseline", 6, 80, seed=1), build_model("default", 6, 80, seed=1)
    assert base.count_params() != default.count_params()
    assert not any(isinstance(layer, keras.layers.SeparableConv2D) for layer in base.layers)
    assert any(isinstance(layer, keras.layers.GlobalAveragePooling2D) for layer in default.layers)
    assert any(isinstance(layer, RandomGeometry) for layer in default.layers)
    with pytest.raises(ValueError, match="unknown architecture"):
        build_model("vgg", 6, 80, seed=1)
    with pytest.raises(ValueError, match="at least 76 px"):
        build_model("baseline", 6, 48, seed=1)


@pytest.mark.parametrize(("arch", "size"), [("baseline", 80), ("default", 32)])
def test_pixels_scaled_exactly_once(arch, size):
    model = build_model(arch, 4, size, seed=1)
    scales = [layer for layer in model.layers if isinstance(layer, keras.layers.Rescaling)]
    assert len(scales) == 1 and scales[0].scale == pytest.approx(1 / 255)
    assert not any(isinstance(layer, keras.layers.Normalization) for layer in model.layers)
    scaled = keras.Model(model.input, scales[0].output)(np.full((1, size, size, 3), 255, "uint8"))
    assert float(np.max(scaled)) == pytest.approx(1.0)


def test_losses_are_sparse_categorical_crossentropy():
    assert isinstance(build_model("baseline", 3, 80, seed=1).loss, keras.losses.SparseCategoricalCrossentropy)
    loss = build_model("default", 3, 32, seed=1).loss
    assert isinstance(loss, SparseSmoothedCrossentropy) and loss.label_smoothing == pytest.approx(0.1)
    y, p = np.array([0, 2]), np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], "float32")
    expected = -np.mean([np.log(0.7), np.log(0.8)])
    assert float(SparseSmoothedCrossentropy(0.0)(y, p)) == pytest.approx(expected, rel=1e-5)
    smoothed = -np.mean([(0.1 / 3) * np.log(p[i]).sum() + 0.9 * np.log(p[i, y[i]]) for i in range(2)])
    assert float(SparseSmoothedCrossentropy(0.1)(y, p)) == pytest.approx(smoothed, rel=1e-5)


def test_a_backbone_gives_every_weight_but_the_head():
    source = build_model("default", 7, 32, seed=1)
    model = build_model("default", 3, 32, seed=2, backbone=source)
    fresh = build_model("default", 3, 32, seed=2)
    copied = [layer.name for layer in model.layers if layer.weights and layer.name != "probs"]
    assert len(copied) >= 20
    for name in copied:
        for got, want in zip(model.get_layer(name).get_weights(), source.get_layer(name).get_weights(), strict=True):
            np.testing.assert_array_equal(got, want)
    for got, want in zip(model.get_layer("probs").get_weights(), fresh.get_layer("probs").get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)  # the head is the new target's own, initialised as without one
    with pytest.raises(ValueError, match="the backbone has no layer 'stem': it is not a default model"):
        copy_backbone(build_model("baseline", 7, 80, seed=1), fresh)


def test_augmentation_keeps_colour_and_only_runs_in_training():
    layer = RandomGeometry(seed=3)
    img = np.zeros((4, 32, 32, 3), "float32")
    img[..., 0], img[..., 1], img[..., 2] = 0.8, 0.3, 0.1  # one colourway
    np.testing.assert_array_equal(layer(img, training=False), img)
    out = np.asarray(layer(img, training=True))
    np.testing.assert_allclose(out.reshape(-1, 3).mean(axis=0), [0.8, 0.3, 0.1], atol=1e-4)
    ramp = np.broadcast_to(np.linspace(0, 1, 32, dtype="float32")[None, None, :, None], (4, 32, 32, 3))
    assert not np.allclose(np.asarray(layer(ramp, training=True)), ramp)


def test_warp_matches_tensorflow_kernel_and_compiles_with_xla():
    rng = np.random.default_rng(0)
    images = rng.random((4, 40, 36, 3)).astype("float32")
    transforms = RandomGeometry(seed=2).transforms(4, 40.0, 36.0)
    ours = np.asarray(warp(images, transforms))
    reference = keras.ops.image.affine_transform(images, transforms, interpolation="bilinear", fill_mode="nearest")
    np.testing.assert_allclose(ours, np.asarray(reference), atol=1e-5)
    compiled = tf.function(warp, jit_compile=True)  # the GPU train step is XLA-compiled
    np.testing.assert_allclose(np.asarray(compiled(images, transforms)), ours, atol=1e-5)
