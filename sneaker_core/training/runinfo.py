"""Save and load what training keeps in a run folder: the target specs and the CNNs (file names: `RunDir`)."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import keras

from sneaker_core.atomic import TMP_PREFIX, write_json
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.targets import TargetSpec


def save_targets(specs: dict[str, TargetSpec], run: RunDir) -> Path:
    return write_json(run.targets, {name: spec.to_json() for name, spec in specs.items()})


def load_targets(run: RunDir) -> dict[str, TargetSpec]:
    raw = json.loads(run.targets.read_text(encoding="utf-8"))
    return {name: TargetSpec.from_json(d) for name, d in raw.items()}


def load_model(path: Path) -> keras.Model:
    """Reload a saved CNN (its custom loss and augmentation layer are registered by importing `cnn`);
    a file that is not a readable Keras archive is a one-line error that says so."""
    from sneaker_core.training import cnn  # noqa: F401 - registers the custom classes with Keras

    path = Path(path)
    if not path.is_file():
        raise RunDirError(f"{path} is missing; train the run first (`sneaker run`)")
    try:
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError) as exc:
        raise RunDirError(f"{path} is corrupt or not a Keras model ({type(exc).__name__}); retrain the run") from None


def save_model(model: keras.Model, path: Path) -> Path:
    """Save a .keras file atomically: a temp `.keras` file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.stem}.", suffix=".keras", dir=path.parent)
    os.close(fd)
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
