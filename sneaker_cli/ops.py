"""`sneaker server` (a local Prefect server + UI on loopback) and `sneaker deploy` (register deployments/prefect.yaml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from deployments import PREFECT_YAML, PROJECT_ROOT, deployment_specs, scheduled_deployments, served_name
from sneaker_cli._errors import print_error
from sneaker_core.settings import Settings

console = Console()


def server_env(data_dir: Path, port: int, environ: dict[str, str]) -> dict[str, str]:
    """The server's environment: PREFECT_HOME under the data directory unless set, no analytics, and a UI that
    calls this server's API (Prefect's UI otherwise assumes port 4200)."""
    env = dict(environ)
    env.setdefault("PREFECT_HOME", str(Path(data_dir).resolve() / ".prefect" / "home"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_UI_API_URL", f"http://127.0.0.1:{port}/api")
    return env


def server(port: Annotated[int, typer.Option(min=1, max=65535, help="loopback port of the API and UI")] = 4200) -> None:
    """Start a local Prefect server and its UI on 127.0.0.1 (foreground; Ctrl-C stops it)."""
    env = server_env(Settings().data_dir, port, dict(os.environ))
    Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect's SQLite file goes there
    console.print(f"Prefect UI: http://127.0.0.1:{port}   (PREFECT_HOME={env['PREFECT_HOME']})")
    console.print(f"In another shell: export PREFECT_API_URL=http://127.0.0.1:{port}/api")
    sys.stdout.flush()
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    os.execve(sys.executable, cmd, env)


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise RuntimeError("no Prefect API configured: start one with `sneaker server` and "
                           "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (or set it in your Prefect profile)")
    return url.rstrip("/")


def _ensure_pools(specs: list[dict]) -> None:
    """Create the `process` work pools the deployments name, when missing."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        for pool in sorted({s["work_pool"]["name"] for s in specs}):
            try:
                client.read_work_pool(pool)
            except ObjectNotFound:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
                console.print(f"created work pool {pool!r} (process)")


def _refuse_while_served(specs: list[dict]) -> None:
    """Exit with one line while `deployments/serve.py` schedules the same flows: the job would run twice."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        served = scheduled_deployments(client, [served_name(s["name"]) for s in specs])
    if served:
        print_error(console, f"{', '.join(served)} is scheduled by `python deployments/serve.py`: deploying for a "
                    "worker too would run the weekly job twice. Stop that process (Ctrl-C pauses its schedule), "
                    f"or delete the deployment if it was killed: prefect deployment delete '{served[0]}'")
        raise typer.Exit(2)


def _summary(names: list[str]) -> Table:
    """The registered deployments as the API reports them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    table = Table(title="Registered deployments")
    for col in ("deployment", "schedule", "work pool", "concurrency"):
        table.add_column(col)
    with get_client(sync_client=True) as client:
        found = client.read_deployments(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=names)))
        for d in sorted(found, key=lambda d: d.name):
            flow = client.read_flow(d.flow_id)
            crons = ", ".join(f"{s.schedule.cron} {s.schedule.timezone}" for s in d.schedules
                              if getattr(s.schedule, "cron", None)) or "-"
            limit = d.global_concurrency_limit.limit if d.global_concurrency_limit else None
            strategy = d.concurrency_options.collision_strategy.value if d.concurrency_options else ""
            table.add_row(f"{flow.name}/{d.name}", crons, d.work_pool_name or "-",
                          f"{limit} {strategy}".strip() if limit else "-")
    return table


def _alerts() -> None:
    """The weekly deployment's automations (failed, missing, promotion refused), created or updated in place."""
    from deployments.automations import BLOCK_NAME, WEEKLY, ensure_automations

    webhook = Settings().notify_webhook
    done = ensure_automations(WEEKLY, webhook)
    table = Table(title="Automations of " + WEEKLY)
    for col in ("automation", "", "action"):
        table.add_column(col)
    for name, how in done:
        table.add_row(name, how, f"notify via block {BLOCK_NAME!r}" if webhook else "none (SNEAKER_NOTIFY_WEBHOOK unset)")
    console.print(table)


def deploy(
    name: Annotated[list[str] | None, typer.Option("--name", "-n", help="deployments to register (default: all)")]
    = None,
) -> None:
    """Register the deployments of deployments/prefect.yaml (weekly, adhoc) with the configured Prefect API."""
    if not PREFECT_YAML.is_file():
        print_error(console, f"{PREFECT_YAML} not found; run from a source checkout (pip install -e .)")
        raise typer.Exit(2)
    specs = deployment_specs()
    known = [s["name"] for s in specs]
    unknown = sorted(set(name or []) - set(known))
    if unknown:
        print_error(console, f"unknown deployment(s) {unknown}; prefect.yaml defines {known}")
        raise typer.Exit(2)
    chosen = [s for s in specs if not name or s["name"] in name]
    try:
        api = _api_url()
        httpx.get(f"{api}/health", timeout=10).raise_for_status()
        _ensure_pools(chosen)
    except (RuntimeError, httpx.HTTPError) as exc:
        print_error(console, f"Prefect API not usable: {exc}")
        raise typer.Exit(2) from None
    _refuse_while_served(chosen)
    env = {**os.environ, "SNEAKER_PROJECT_DIR": os.environ.get("SNEAKER_PROJECT_DIR", str(PROJECT_ROOT))}
    which = [arg for s in chosen for arg in ("--name", s["name"])] if name else ["--all"]
    cmd = [sys.executable, "-m", "prefect", "--no-prompt", "deploy", *which, "--prefect-file", str(PREFECT_YAML)]
    console.print(f"registering {[s['name'] for s in chosen]} with {api} (code at {env['SNEAKER_PROJECT_DIR']})")
    done = subprocess.run(cmd, check=False, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        console.print(done.stdout[-4000:], done.stderr[-4000:], markup=False)
        print_error(console, f"`prefect deploy` failed (exit {done.returncode})")
        raise typer.Exit(done.returncode)
    console.print(_summary([s["name"] for s in chosen]))
    if any(s["name"] == "weekly" for s in chosen):
        _alerts()
    pools = sorted({s["work_pool"]["name"] for s in chosen})
    console.print(f"Start a worker: prefect worker start --pool {pools[0]}")


def register(app: typer.Typer) -> None:
    app.command("server")(server)
    app.command("deploy")(deploy)
