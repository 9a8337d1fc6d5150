"""Run bookkeeping: run ids as a function of their inputs, and a lock per data directory (the run folder
itself, and the `latest` pointer, are `sneaker_core.rundir.RunDir`)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sneaker_core.atomic import remove_stale_temps

# The data directory's folders the pipeline writes; stale temporary files are cleaned in these only.
OWNED_FOLDERS = ("raw", "images", "shards", "runs")


class RunLockedError(RuntimeError):
    """Another run holds the data directory."""


def run_id_for(week: str, inputs: Any) -> str:
    """A run id that is a function of what the run trains on: `<week>-<digest of inputs>`.

    A re-run over the same inputs lands in the same folder, so cached training results stay valid.
    """
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{week}-{digest}"


TRAINING_SETTINGS = ("architecture", "epochs", "batch_size", "train_image_size", "patience", "warmup_epochs",
                     "seed", "split", "price_band_edges")


def training_inputs(shard_manifests: list[dict[str, Any]], settings: Any) -> dict[str, Any]:
    """What a training run is a function of: each model's shard digest and the training settings."""
    return {
        "shards": {m["model"]: m["digest"] for m in shard_manifests},
        "settings": {k: getattr(settings, k) for k in TRAINING_SETTINGS},
    }


def refuse_shared_data_dir(data_dir: Path | str) -> None:
    """A ValueError naming the fix when `data_dir` is empty or '.', a filesystem root, or a home directory (or
    a folder above one): the pipeline would mix its folders with other programs' files there."""
    text = str(data_dir).strip()
    if text in ("", "."):
        raise ValueError(f"data directory {text!r} is ambiguous (empty or the current folder); set "
                         "SNEAKER_DATA_DIR to a folder of the pipeline's own, e.g. ./data")
    resolved = Path(text).expanduser().resolve()
    try:
        home = Path.home().resolve()
    except RuntimeError:  # no HOME and no passwd entry
        home = None
    if resolved == Path(resolved.anchor) or (home is not None and (resolved == home or resolved in home.parents)):
        what = "a filesystem root" if resolved == Path(resolved.anchor) else \
            "your home directory" if resolved == home else "a folder above your home directory"
        raise ValueError(f"data directory {resolved} is {what}; set SNEAKER_DATA_DIR to a folder of the "
                         f"pipeline's own, e.g. {resolved / 'sneaker-data'}")


@contextmanager
def data_dir_lock(data_dir: Path, wait: bool = False) -> Iterator[Path]:
    """Hold `<data>/.run.lock` for the duration; a second run refuses (or waits) with a clear message.

    Once held, the pipeline's own temporary files that killed runs left in its folders (`OWNED_FOLDERS`) are
    removed: no other run can be writing them. Anything else in the data directory is left alone.
    """
    refuse_shared_data_dir(data_dir)
    path = Path(data_dir) / ".run.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    except OSError as exc:
        raise PermissionError(
            f"cannot write to data directory {Path(data_dir).resolve()} ({exc.strerror}); "
            "choose a writable one with SNEAKER_DATA_DIR"
        ) from None
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RunLockedError(
                f"another run is using {Path(data_dir).resolve()} ({holder}); wait for it to finish, "
                "or use another SNEAKER_DATA_DIR"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}")
        fh.flush()
        for folder in OWNED_FOLDERS:
            remove_stale_temps(Path(data_dir) / folder)
        yield path
    finally:
        fh.close()
