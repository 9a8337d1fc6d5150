"""Content-addressed image store: `<data>/images/store/<ab>/<key>.jpg` plus a `<key>.json` sidecar.

The key hashes the source URL with every setting that changes the stored bytes (size, JPEG quality,
normaliser version), so a re-run finds an image it already made and a settings change makes new ones.
An entry counts as present only when the JPEG's sha256 still matches the one its sidecar recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sneaker_core.atomic import sha256_bytes, sha256_file, write_bytes, write_json
from sneaker_core.images.normalise import NORMALISE_VERSION
from sneaker_core.settings import Settings


@dataclass(frozen=True)
class StoredImage:
    """One valid store entry: where it lies and what the manifest records about it."""

    key: str
    path: Path
    sha256: str
    meta: dict[str, Any]  # bytes downloaded and the original's width, height, mode, format, frames


class ImageStore:
    """Store of normalised JPEGs for one image setting (size, quality, normaliser version)."""

    def __init__(self, settings: Settings) -> None:
        self.data_dir = Path(settings.data_dir)
        self.root = settings.path("images", "store")
        self.size = settings.image_size
        self.quality = settings.jpeg_quality

    def key(self, url: str) -> str:
        """Hash of the source URL and the settings that change the stored bytes."""
        ident = {"url": url, "size": self.size, "quality": self.quality, "version": NORMALISE_VERSION}
        return sha256_bytes(json.dumps(ident, sort_keys=True).encode())

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.jpg"

    def relative(self, path: Path) -> str:
        """A store path relative to the data directory (what manifests record)."""
        return path.relative_to(self.data_dir).as_posix()

    def lookup(self, url: str) -> StoredImage | None:
        """The valid entry for `url`, or None when absent, unreadable or changed on disk."""
        key = self.key(url)
        jpg, sidecar = self.path(key), self.path(key).with_suffix(".json")
        try:
            meta = json.loads(sidecar.read_text())
            if meta.get("url") != url or sha256_file(jpg) != meta.get("sha256"):
                return None
        except (OSError, ValueError):
            return None
        return StoredImage(key, jpg, meta["sha256"], meta)

    def put(self, url: str, jpeg: bytes, meta: dict[str, Any]) -> StoredImage:
        """Write the JPEG, then its sidecar (each atomically); the sidecar last, so it is the commit mark.

        No fsync per entry: `lookup` trusts an entry only when the JPEG matches the sidecar's sha256, so
        even a power loss can only cost a re-download, and an fsync costs more than the image's own work."""
        key = self.key(url)
        jpg = self.path(key)
        digest = sha256_bytes(jpeg)
        write_bytes(jpg, jpeg, durable=False)
        full = {**meta, "url": url, "sha256": digest, "size": self.size, "quality": self.quality,
                "version": NORMALISE_VERSION}
        write_json(jpg.with_suffix(".json"), full, durable=False)
        return StoredImage(key, jpg, digest, full)
