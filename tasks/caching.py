"""Cache keys for the pipeline's tasks, and the check that a cached result's files still exist.

Prefect's default policy includes the flow run id (never hits across runs) and TASK_SOURCE hashes only the
task function's text, so keys here are explicit: stage inputs (digests), the settings that change the output,
and a code version bumped on purpose when a stage's logic changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from prefect import Task
from prefect.tasks import exponential_backoff

from sneaker_core.manifests import outputs_valid
from sneaker_core.settings import Settings

CODE_VERSION = "2026.12.1"
# Decorator settings every task shares: results persisted as JSON (small manifests), so re-runs can hit them.
PERSISTED: dict[str, Any] = {"persist_result": True, "result_serializer": "json"}
# Retrying tasks back off exponentially with jitter (5 s, 10 s, 20 s, ... +-50%).
BACKOFF: dict[str, Any] = {"retry_delay_seconds": exponential_backoff(backoff_factor=5), "retry_jitter_factor": 0.5}


def cache_key(stage: str, *parts: Any) -> str:
    """A readable, stable cache key: stage name + sha256 of the JSON of its parts and the code version."""
    blob = json.dumps([CODE_VERSION, *parts], sort_keys=True, default=str).encode()
    return f"{stage}-{hashlib.sha256(blob).hexdigest()[:32]}"


def verified(task: Task, outputs_ok: bool) -> Task:
    """The task, set to recompute and overwrite its cache record when the files it would return are not valid.

    Prefect checks only its own result records; a cache hit whose files were deleted or changed must not be
    trusted, so the caller checks the files (`outputs_valid`, or their existence) before submitting.
    """
    return task.with_options(refresh_cache=not outputs_ok)


def manifest_verified(task: Task, manifest_path: Path, data_dir: Path) -> Task:
    """`verified` for stages that write a manifest listing their files with sha256."""
    return verified(task, outputs_valid(manifest_path, data_dir))


def data_key(settings: Settings) -> str:
    """The data directory, resolved: results of one data directory never satisfy another's tasks."""
    return str(Path(settings.data_dir).resolve())
