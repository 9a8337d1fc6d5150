"""The training schedule: which target trains first, the others' epochs, and when early stopping watches."""

from sneaker_core.settings import Settings
from sneaker_core.training.schedule import backbone_target, training_epochs, watch_from_epoch

ALL = ["price_decile", "price_band", "model", "brand"]


def test_the_sneaker_model_is_the_backbone_only_when_warm_starts_can_use_it():
    s = Settings(source="demo")
    assert s.warm_start and backbone_target(s, ALL) == "model"
    assert backbone_target(s, ["price_decile", "price_band"]) is None  # a one-model run skips the model target
    assert backbone_target(Settings(source="demo", warm_start=False), ALL) is None
    assert backbone_target(Settings(source="demo", architecture="baseline"), ALL) is None


def test_epochs_and_early_stopping_of_cold_and_warm_trainings():
    s = Settings(source="demo", epochs=24, finetune_epochs=8, warmup_epochs=6)
    assert (training_epochs(s, False), watch_from_epoch(s, False)) == (24, 6)
    assert (training_epochs(s, True), watch_from_epoch(s, True)) == (8, 2)
    short = Settings(source="demo", epochs=3, finetune_epochs=1, warmup_epochs=6)
    assert (watch_from_epoch(short, False), watch_from_epoch(short, True)) == (2, 0)
    assert training_epochs(Settings(source="demo", epochs=1, finetune_epochs=8), True) == 1
