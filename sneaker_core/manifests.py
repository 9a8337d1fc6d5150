"""Stage manifests: small JSON records of the files a stage wrote, and their verification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sneaker_core.atomic import sha256_file


def listed_files(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The `{path, sha256}` entries a manifest names (under `files` or `shards`)."""
    return [f for key in ("files", "shards") for f in manifest.get(key) or [] if "path" in f and "sha256" in f]


def outputs_valid(manifest_path: Path, data_dir: Path) -> bool:
    """True when the manifest exists, names at least one file, and every file exists with its recorded sha256.

    Prefect's cache only checks its own result records; this is the check that the files behind a cached
    result are still there and unchanged.
    """
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = listed_files(manifest)
    if not files:
        return False
    for f in files:
        path = Path(data_dir) / f["path"]
        if not path.is_file() or sha256_file(path) != f["sha256"]:
            return False
    return True
