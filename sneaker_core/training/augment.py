"""Colour-preserving geometric augmentation as one layer: flip, rotation, zoom and shift in a single warp.

Keras' separate RandomFlip/RandomRotation/RandomZoom/RandomTranslation layers each resample the image;
composing them into one affine matrix resamples once. The resampling is a bilinear gather written in
keras ops, because TensorFlow's ImageProjectiveTransformV3 kernel has no XLA lowering (the GPU path
compiles the train step with XLA). Hue, saturation and contrast are never touched: colourway is signal.
"""

from __future__ import annotations

import math

import keras
from keras import ops


def warp(images, transforms):
    """Bilinear resampling of (B, H, W, C) float images by per-image affine maps (output -> input pixel),
    edges extended (nearest fill)."""
    shape = ops.shape(images)
    batch, height, width, channels = shape[0], images.shape[1], images.shape[2], images.shape[3]
    ys, xs = ops.meshgrid(ops.arange(height, dtype="float32"), ops.arange(width, dtype="float32"), indexing="ij")
    t = [ops.reshape(transforms[:, i], (-1, 1, 1)) for i in range(6)]
    sx = ops.clip(t[0] * xs + t[1] * ys + t[2], 0.0, width - 1.0)
    sy = ops.clip(t[3] * xs + t[4] * ys + t[5], 0.0, height - 1.0)
    x0, y0 = ops.floor(sx), ops.floor(sy)
    wx, wy = ops.expand_dims(sx - x0, -1), ops.expand_dims(sy - y0, -1)
    x0, y0 = ops.cast(x0, "int32"), ops.cast(y0, "int32")
    x1, y1 = ops.minimum(x0 + 1, width - 1), ops.minimum(y0 + 1, height - 1)
    flat = ops.reshape(images, (-1, channels))
    base = ops.reshape(ops.arange(batch, dtype="int32") * (height * width), (-1, 1, 1))

    def at(y, x):
        return ops.reshape(ops.take(flat, ops.reshape(base + y * width + x, (-1,)), axis=0),
                           (batch, height, width, channels))

    top = at(y0, x0) * (1.0 - wx) + at(y0, x1) * wx
    bottom = at(y1, x0) * (1.0 - wx) + at(y1, x1) * wx
    return top * (1.0 - wy) + bottom * wy


@keras.saving.register_keras_serializable(package="sneaker")
class RandomGeometry(keras.layers.Layer):
    """Random horizontal flip, rotation (+-`rotation` turns), zoom (1 +- `zoom`), shift (+-`shift` of side)."""

    def __init__(self, rotation: float = 0.04, zoom: float = 0.12, shift: float = 0.08, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rotation, self.zoom, self.shift, self.seed = float(rotation), float(zoom), float(shift), seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.enabled = True  # switched off while BatchNorm statistics are recomputed on clean images

    def transforms(self, batch, height, width):
        """Affine transforms (batch, 8) mapping output pixels to input pixels around the image centre."""
        def uniform(lo, hi):
            return keras.random.uniform((batch,), lo, hi, seed=self.seed_generator)

        flip = ops.where(uniform(0.0, 1.0) < 0.5, -1.0, 1.0)
        theta = uniform(-self.rotation, self.rotation) * 2.0 * math.pi
        scale = uniform(1.0 - self.zoom, 1.0 + self.zoom)
        tx = uniform(-self.shift, self.shift) * width
        ty = uniform(-self.shift, self.shift) * height
        cos, sin = ops.cos(theta) * scale, ops.sin(theta) * scale
        a0, a1, b0, b1 = cos * flip, -sin, sin * flip, cos
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        a2 = cx - a0 * cx - a1 * cy + tx
        b2 = cy - b0 * cx - b1 * cy + ty
        zeros = ops.zeros_like(a0)
        return ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)

    def call(self, images, training=None):
        if not training or not self.enabled:
            return images
        shape = ops.shape(images)
        batch = shape[0]
        height, width = float(images.shape[1]), float(images.shape[2])
        t = self.transforms(batch, height, width)
        return ops.cast(warp(ops.cast(images, "float32"), t), images.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rotation": self.rotation, "zoom": self.zoom, "shift": self.shift,
                "seed": self.seed}
