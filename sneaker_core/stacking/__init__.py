"""Stacked meta-models, the dollar estimate and title models. STACKING_VERSION is part of the stack task's cache
key: bump it when the stage's outputs change."""

STACKING_VERSION = "7"
