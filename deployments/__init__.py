"""Deployments of the pipeline: prefect.yaml (worker + work pool) and serve.py (one process, no worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFECT_YAML = Path(__file__).with_name("prefect.yaml")


def deployment_specs(prefect_yaml: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml, the one place schedules, limits and pools are defined."""
    return yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))["deployments"]
