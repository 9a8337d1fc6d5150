"""Atomic file writes and content digests: a killed run never leaves a half-written file behind."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Every temporary file the pipeline writes is named `.tmp-sneaker-<final name>.<random>`: cleanup removes only
# names of that shape, never another program's `.tmp-*` files.
TMP_PREFIX = ".tmp-sneaker-"


@contextmanager
def atomic_path(path: Path | str, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success fsync and rename it into place, else delete it.

    The rename alone protects against a killed process; the fsync (`durable`) also against a power loss.
    Skip it only for files whose readers verify them by a digest recorded elsewhere."""
    path = Path(path)
    prefix = TMP_PREFIX + path.name + "."
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    os.fchmod(fd, 0o644)  # mkstemp creates 0600; outputs are ordinary readable files
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if durable:
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes(path: Path | str, data: bytes, durable: bool = True) -> Path:
    """Write bytes atomically (see `atomic_path` for `durable`)."""
    with atomic_path(path, durable) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_json(path: Path | str, obj: Any, durable: bool = True) -> Path:
    """Write JSON atomically (sorted keys, so equal content gives equal bytes)."""
    return write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode(), durable)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's content."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def remove_stale_temps(folder: Path | str) -> int:
    """Delete the pipeline's own temporary files (`TMP_PREFIX`) a killed run left under `folder`; returns how
    many. Only call it on folders the pipeline owns, while holding the data directory's lock."""
    n = 0
    for p in Path(folder).rglob(TMP_PREFIX + "*"):
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    return n
