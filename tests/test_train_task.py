"""The training task's cache key: a warm-started target is retrained when the CNN it starts from changes."""

from sneaker_core.settings import Settings
from tasks.train import _train_key

RUN = {"run_id": "2026-W48-abc", "files": [{"path": "examples.parquet", "sha256": "11"}]}


def _key(target: str, backbone: dict | None, **settings) -> str:
    return _train_key(None, {"target": target, "run": RUN, "settings": Settings(source="demo", **settings),
                             "backbone": backbone})


def test_the_backbones_digest_and_the_fine_tuning_epochs_are_part_of_the_key():
    a, b = {"target": "model", "model_sha256": "aa"}, {"target": "model", "model_sha256": "bb"}
    assert _key("brand", a) == _key("brand", dict(a))
    assert len({_key("brand", a), _key("brand", b), _key("brand", None), _key("price_band", a)}) == 4
    assert _key("brand", a, finetune_epochs=4) != _key("brand", a)
    assert _key("model", None, finetune_epochs=4) == _key("model", None)  # the backbone itself is not retrained
