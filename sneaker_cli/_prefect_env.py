"""Prefect environment for CLI runs: results under the data directory, no analytics, set before import."""

from __future__ import annotations

import os
from pathlib import Path


def configure(data_dir: Path) -> None:
    """Point Prefect's result storage at `<data>/.prefect/results` unless the user configured it."""
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(data_dir).resolve() / ".prefect" / "results"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "true")
    # The temporary server needs longer than Prefect's 20 s default on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
