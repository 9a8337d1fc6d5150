"""Predict one product image with a run's CNNs: classes, probabilities, and a dollar estimate with interval."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import tensorflow as tf

from sneaker_core.images.normalise import normalise
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.settings import Settings
from sneaker_core.shards.reader import decode_image
from sneaker_core.targets import TARGETS
from sneaker_core.training import runinfo


def _dollars(probs: np.ndarray, medians: list[float]) -> dict[str, float]:
    """Estimate = median price of the most likely decile; 10-90% from the predicted distribution's quantiles."""
    cdf = np.cumsum(probs)
    pick = lambda q: medians[int(min(np.searchsorted(cdf, q), len(medians) - 1))]
    return {"price_estimate_usd": medians[int(probs.argmax())], "price_low_usd": pick(0.1),
            "price_high_usd": pick(0.9)}


def predict_image(run: RunDir, image: bytes, settings: Settings) -> dict[str, Any]:
    """Normalise the image as the pipeline does, run every trained target's saved CNN on it (each verified
    against its training manifest first), and price it when the price-decile CNN was trained."""
    if not run.targets.is_file():
        raise RunDirError(f"{run.path} has no trained CNNs; train the run first (`sneaker run`)")
    specs = runinfo.load_targets(run)
    paths = {t: run.trusted(f"train-{t}", run.model(t)) for t in TARGETS if t in specs}
    if not paths:
        raise RunDirError(f"run {run.path} has no trained CNN; train the run first (`sneaker run`)")
    jpeg, _ = normalise(image, settings.image_size, settings.jpeg_quality, settings.max_image_pixels)
    out: dict[str, Any] = {"targets": {}}
    for target, path in paths.items():
        model = runinfo.load_model(path)
        size = int(model.input_shape[1])
        probs = model.predict(tf.expand_dims(decode_image(tf.constant(jpeg), size), 0), verbose=0)[0]
        classes = specs[target].classes
        out["targets"][target] = {"pred": classes[int(probs.argmax())],
                                  "probabilities": dict(zip(classes, probs.round(4).tolist()))}
    if "price_decile" in paths:
        decile = json.loads(run.trusted("train-price_decile", run.target_metrics("price_decile")).read_text())
        medians = [decile["bin_median_prices"][c] for c in specs["price_decile"].classes]
        probs = np.array(list(out["targets"]["price_decile"]["probabilities"].values()))
        out.update(_dollars(probs, medians))
    return out
