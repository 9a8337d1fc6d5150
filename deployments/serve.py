"""Run the deployments of prefect.yaml without a work pool or worker: `python deployments/serve.py`.

The process registers `weekly-refresh/weekly-served` (cron Monday 06:00 UTC) and `scrape/adhoc-served` with the
configured Prefect API, runs their scheduled and manually triggered runs itself, and stops on Ctrl-C / SIGTERM
(which pauses those two schedules). Schedules, parameters, tags and the concurrency limit come from prefect.yaml,
so both paths stay identical; the names differ from `sneaker deploy`'s so that neither overwrites the other.
It refuses to start while the worker's `weekly-refresh/weekly` is scheduled: the job would run twice.
"""

from __future__ import annotations

from typing import Any

from deployments import PROJECT_ROOT, deployment_specs, scheduled_deployments, served_name


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
            name=served_name(spec["name"]),
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
    from prefect.client.orchestration import get_client
    from rich.console import Console

    from sneaker_cli._errors import print_error

    with get_client(sync_client=True) as client:
        taken = scheduled_deployments(client, [spec["name"] for spec in deployment_specs()])
    if taken:
        print_error(Console(stderr=True), f"{', '.join(taken)} is scheduled for a worker (`sneaker deploy`): "
                    "serving too would run the weekly job twice. Keep the worker, or delete that deployment "
                    f"first: prefect deployment delete '{taken[0]}'")
        raise SystemExit(2)
    serve(*served_deployments())


if __name__ == "__main__":
    main()
