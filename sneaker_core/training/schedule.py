"""What trains when and for how long, without TensorFlow (the flow imports it): the warm-start order and each
training's epochs.

With warm starts on, the sneaker-model CNN trains first from scratch and every other target's CNN starts from
its weights (the head excepted) for a shorter fine-tuning: the model's classes are the finest the images
carry, so its features already separate what the brand and the price classes depend on.
"""

from __future__ import annotations

from typing import Any

BACKBONE = "model"


def backbone_target(settings: Any, targets: list[str]) -> str | None:
    """The target to train first and start the others from, or None (warm starts off, the baseline
    architecture, or no sneaker-model target in this run)."""
    warm = settings.warm_start and settings.architecture == "default" and BACKBONE in targets
    return BACKBONE if warm else None


def training_epochs(settings: Any, warm: bool) -> int:
    """Most epochs of a target's training: `finetune_epochs` (never more than `epochs`) when it starts from the
    backbone."""
    return min(settings.finetune_epochs, settings.epochs) if warm else settings.epochs


def watch_from_epoch(settings: Any, warm: bool) -> int:
    """The epoch from which early stopping watches the val loss: `warmup_epochs`, or a quarter of a
    fine-tuning's epochs (it starts from learned features, so its first epochs are not noise)."""
    epochs = training_epochs(settings, warm)
    return min(epochs // 4 if warm else settings.warmup_epochs, epochs - 1)
