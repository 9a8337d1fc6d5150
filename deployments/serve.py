"""Run the deployments of prefect.yaml without a work pool or worker: `python deployments/serve.py`.

The process registers `weekly-refresh/weekly` (cron Monday 06:00 UTC) and `scrape/adhoc` with the configured
Prefect API, runs their scheduled and manually triggered runs itself, and stops on Ctrl-C / SIGTERM.
Schedules, parameters, tags and the concurrency limit come from prefect.yaml, so both paths stay identical.
"""

from __future__ import annotations

from typing import Any

from deployments import PROJECT_ROOT, deployment_specs


def served_deployments() -> list[Any]:
    """`flow.to_deployment(...)` for each deployment of prefect.yaml (imports the flows)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.flows import load_flow_from_entrypoint
    from prefect.schedules import Cron

    out = []
    for spec in deployment_specs():
        path, func = spec["entrypoint"].split(":")
        flow = load_flow_from_entrypoint(f"{PROJECT_ROOT / path}:{func}")
        limit = spec.get("concurrency_limit")
        out.append(flow.to_deployment(
            name=spec["name"],
            description=spec.get("description"),
            tags=spec.get("tags"),
            parameters=spec.get("parameters") or {},
            schedules=[Cron(s["cron"], timezone=s.get("timezone"), active=s.get("active", True))
                       for s in spec.get("schedules") or []],
            concurrency_limit=ConcurrencyLimitConfig(
                limit=limit["limit"], collision_strategy=ConcurrencyLimitStrategy(limit["collision_strategy"])
            ) if limit else None,
        ))
    return out


def main() -> None:
    from prefect import serve

    serve(*served_deployments())


if __name__ == "__main__":
    main()
