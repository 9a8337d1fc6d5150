"""Checks of the training settings that need no data (no TensorFlow import): a run fails on them before it
scrapes, with one line, instead of after minutes of work."""

from __future__ import annotations

from typing import Any

ARCHITECTURES = ("baseline", "default")
BASELINE_MIN_SIZE = 76  # four valid 5x5 convs each followed by a 2x pool need at least 76 px


def check_architecture(arch: str, image_size: int) -> None:
    """A one-line error for an architecture/image-size pair that cannot train."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {ARCHITECTURES}")
    if arch == "baseline" and image_size < BASELINE_MIN_SIZE:
        raise ValueError(f"the baseline needs images of at least {BASELINE_MIN_SIZE} px, got {image_size}; "
                         f"set SNEAKER_TRAIN_IMAGE_SIZE >= {BASELINE_MIN_SIZE} or use the default architecture")


def check_training(settings: Any) -> None:
    """Everything about the training settings that can only fail."""
    check_architecture(settings.architecture, settings.train_image_size)
