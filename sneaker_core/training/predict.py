"""Predict one product image with a run's CNNs: classes, probabilities, and a dollar estimate with interval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from sneaker_core.images.normalise import normalise
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


def predict_image(run_dir: Path, image: bytes, settings: Settings) -> dict[str, Any]:
    """Normalise the image as the pipeline does, run every target's saved CNN on it, and price it."""
    paths = {t: runinfo.model_path(Path(run_dir), t) for t in TARGETS}
    for path in paths.values():
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; train the run first (`sneaker run`)")
    jpeg, _ = normalise(image, settings.image_size, settings.jpeg_quality, settings.max_image_pixels)
    specs = runinfo.load_targets(Path(run_dir))
    out: dict[str, Any] = {"targets": {}}
    for target, path in paths.items():
        model = runinfo.load_model(path)
        size = int(model.input_shape[1])
        probs = model.predict(tf.expand_dims(decode_image(tf.constant(jpeg), size), 0), verbose=0)[0]
        classes = specs[target].classes
        out["targets"][target] = {"pred": classes[int(probs.argmax())],
                                  "probabilities": dict(zip(classes, probs.round(4).tolist()))}
    decile = json.loads(runinfo.target_metrics_path(Path(run_dir), "price_decile").read_text())
    medians = [decile["bin_median_prices"][c] for c in specs["price_decile"].classes]
    probs = np.array(list(out["targets"]["price_decile"]["probabilities"].values()))
    out.update(_dollars(probs, medians))
    return out
