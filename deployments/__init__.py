"""Deployments of the pipeline: prefect.yaml (worker + work pool) and serve.py (one process, no worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFECT_YAML = Path(__file__).with_name("prefect.yaml")
# `python deployments/serve.py` registers prefect.yaml's deployments under these names: it must never take over
# the worker's deployments of `sneaker deploy` (their pull step), nor pause them when it stops.
SERVED_SUFFIX = "-served"


def deployment_specs(prefect_yaml: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The `deployments:` entries of prefect.yaml, the one place schedules, limits and pools are defined."""
    return yaml.safe_load(prefect_yaml.read_text(encoding="utf-8"))["deployments"]


def served_name(name: str) -> str:
    """The name `serve.py` gives prefect.yaml's deployment `name`."""
    return f"{name}{SERVED_SUFFIX}"


def scheduled_deployments(client: Any, names: list[str]) -> list[str]:
    """`flow/deployment` of this project's deployments called one of `names` whose schedule is running (active
    and not paused): the other way to schedule the same flows, which must not run beside them."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    funcs = {s["entrypoint"].rsplit(":", 1)[1] for s in deployment_specs()}
    found = client.read_deployments(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=names)))
    return sorted(f"{client.read_flow(d.flow_id).name}/{d.name}" for d in found
                  if not d.paused and any(s.active for s in d.schedules)
                  and (d.entrypoint or "").rsplit(":", 1)[-1] in funcs)
