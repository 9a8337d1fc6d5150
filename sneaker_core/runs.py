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


@contextmanager
def data_dir_lock(data_dir: Path, wait: bool = False) -> Iterator[Path]:
    """Hold `<data>/.run.lock` for the duration; a second run refuses (or waits) with a clear message.

    Once held, temporary files that killed runs left anywhere under the data directory are removed: no
    other run can be writing them.
    """
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
        remove_stale_temps(data_dir)
        yield path
    finally:
        fh.close()
