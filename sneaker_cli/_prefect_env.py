"""Prefect environment for CLI runs: results under the data directory, no analytics, set before import."""

from __future__ import annotations

import os
from pathlib import Path

def configure(data_dir: Path) -> None:
    """Point Prefect's result storage at `<data>/.prefect/results` unless the user configured it."""
    os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(data_dir).resolve() / ".prefect" / "results"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "true")
