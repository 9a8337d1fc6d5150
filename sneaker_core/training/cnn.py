"""Keras 3 CNN builders: the original `baseline` (bugs fixed) and a stronger small `default`.

Both take uint8 (or float 0..255) RGB images and scale them exactly once with a `Rescaling(1/255)` layer
inside the model, end in a float32 softmax (safe under mixed precision), and train with a sparse
categorical cross-entropy. On a GPU: mixed precision, XLA, and `MirroredStrategy` with several GPUs.
"""

from __future__ import annotations

from typing import Literal

import keras
import tensorflow as tf
from keras import layers

from sneaker_core.training.augment import RandomGeometry
from sneaker_core.training.preflight import check_architecture

LABEL_SMOOTHING = 0.1
DEFAULT_LR = 2e-3  # peak of the cosine decay; 1e-3 learned the demo targets too slowly (bench/demo_accuracy.py)
HEAD = "probs"
DEFAULT_DECAY_STEPS = 2000
BN_MOMENTUM = 0.9  # default model: moving statistics settle within a few epochs of a small catalog
AUG_ROTATION, AUG_ZOOM, AUG_SHIFT = 0.02, 0.06, 0.05  # turns, scale, share of the side


@keras.saving.register_keras_serializable(package="sneaker")
class SparseSmoothedCrossentropy(keras.losses.Loss):
    """Sparse categorical cross-entropy on probabilities, with label smoothing (Keras' sparse loss has none)."""

    def __init__(self, label_smoothing: float = 0.0, name: str = "sparse_smoothed_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        n = keras.ops.shape(y_pred)[-1]
        one_hot = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"), n)
        return keras.losses.categorical_crossentropy(one_hot, y_pred, label_smoothing=self.label_smoothing)

    def get_config(self) -> dict:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def gpus() -> list:
    return tf.config.list_physical_devices("GPU")


def configure_devices() -> tf.distribute.Strategy:
    """Mixed precision on GPU (set before any model is built); Mirrored across several GPUs; CPU unchanged."""
    found = gpus()
    if found:
        keras.mixed_precision.set_global_policy("mixed_float16")
    if len(found) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _inputs(image_size: int) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    inp = keras.Input((image_size, image_size, 3), name="image")
    return inp, layers.Rescaling(1.0 / 255, name="scale_once")(inp)


def _head(x, n_classes: int):
    return layers.Dense(n_classes, activation="softmax", dtype="float32", name=HEAD)(x)


def _baseline(n_classes: int, image_size: int) -> keras.Model:
    """Original: 4 x [Conv 5x5 valid ReLU, BatchNorm, MaxPool 2, Dropout 0.2], Flatten, Dense softmax."""
    inp, x = _inputs(image_size)
    for i, filters in enumerate((16, 32, 64, 64)):
        x = layers.Conv2D(filters, 5, padding="valid", activation="relu", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
        x = layers.Dropout(0.2, name=f"drop{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    return keras.Model(inp, _head(x, n_classes), name="baseline")


def _norm(name: str):
    return layers.BatchNormalization(momentum=BN_MOMENTUM, name=name)


def _res_block(x, filters: int, name: str):
    """Two separable 3x3 convs with a strided 1x1 projection shortcut; halves the resolution."""
    shortcut = layers.Conv2D(filters, 1, strides=2, use_bias=False, name=f"{name}_proj")(x)
    shortcut = _norm(f"{name}_proj_bn")(shortcut)
    y = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_sep1")(x)
    y = _norm(f"{name}_bn1")(y)
    y = layers.Activation("relu", name=f"{name}_relu1")(y)
    y = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_sep2")(y)
    y = _norm(f"{name}_bn2")(y)
    y = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(y)
    return layers.Activation("relu", name=f"{name}_out")(layers.Add(name=f"{name}_add")([y, shortcut]))


def _default(n_classes: int, image_size: int, seed: int) -> keras.Model:
    """Geometric augmentation, stride-2 stem + pool (1/4 side), 4 residual separable blocks, GAP, dropout."""
    inp, x = _inputs(image_size)
    x = RandomGeometry(rotation=AUG_ROTATION, zoom=AUG_ZOOM, shift=AUG_SHIFT, seed=seed, name="augment")(x)
    x = layers.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="stem")(x)
    x = _norm("stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    for i, filters in enumerate((64, 128, 192, 256)):
        x = _res_block(x, filters, f"block{i}")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.3, seed=seed, name="head_drop")(x)
    return keras.Model(inp, _head(x, n_classes), name="default")


def build_model(
    arch: Literal["baseline", "default"],
    n_classes: int,
    image_size: int,
    *,
    seed: int,
    decay_steps: int = DEFAULT_DECAY_STEPS,
    backbone: keras.Model | None = None,
) -> keras.Model:
    """A compiled model. `decay_steps` (total training steps) sets the default model's cosine LR decay;
    `backbone` (a trained default model) gives it every weight but the head's. Fine-tunings keep the peak
    learning rate: at half of it, 8 epochs left the price CNNs under-fitted (bench/demo_accuracy.py)."""
    check_architecture(arch, image_size)
    if n_classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {n_classes}")
    keras.utils.set_random_seed(seed)
    jit = bool(gpus())
    if arch == "baseline":
        model = _baseline(n_classes, image_size)
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=["accuracy"],
            jit_compile=jit,
        )
        return model
    model = _default(n_classes, image_size, seed)
    if backbone is not None:
        copy_backbone(backbone, model)
    schedule = keras.optimizers.schedules.CosineDecay(
        DEFAULT_LR, decay_steps=max(1, decay_steps), alpha=0.05
    )
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-4),
        loss=SparseSmoothedCrossentropy(LABEL_SMOOTHING),
        metrics=["accuracy"],
        jit_compile=jit,
    )
    return model


def copy_backbone(source: keras.Model, model: keras.Model) -> None:
    """Give `model` every weight of `source` except the classifier head's, layer by layer (by name)."""
    for layer in model.layers:
        if layer.name == HEAD or not layer.weights:
            continue
        try:
            weights = source.get_layer(layer.name).get_weights()
        except ValueError:
            raise ValueError(f"the backbone has no layer {layer.name!r}: it is not a {model.name} model") from None
        if [w.shape for w in weights] != [tuple(w.shape) for w in layer.weights]:
            raise ValueError(f"the backbone's layer {layer.name!r} has other shapes (another image size or width?)")
        layer.set_weights(weights)
