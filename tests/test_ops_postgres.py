"""The compose stack's database path for real: PostgreSQL (Debian's package) on a loopback port, a Prefect server
on it with docker-compose.yml's connection URL, `deployments/serve.py` serving prefect.yaml's deployments, and a
deployment run triggered from the Prefect CLI that completes and is recorded in PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers_prefect_server import (
    BIN,
    ROOT,
    postgres_bindir,
    postgres_server,
    prefect_server,
    psql,
    run_deployment_cli,
    start,
    stop,
    wait_terminal,
    wait_until,
)

from sneaker_core.market import DemoMarket

pytestmark = pytest.mark.slow


def compose_database_url(user: str, password: str, database: str, host: str, port: int) -> str:
    """docker-compose.yml's PREFECT_API_DATABASE_CONNECTION_URL with its variables filled in and the `postgres`
    service replaced by host:port, so this test exercises the file's own setting."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    template = compose["services"]["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    values = {"POSTGRES_USER": user, "POSTGRES_PASSWORD": password, "POSTGRES_DB": database}
    url = re.sub(r"\$\{(\w+)[^}]*\}", lambda m: values[m.group(1)], template)
    assert "@postgres:5432/" in url, template
    return url.replace("@postgres:5432/", f"@{host}:{port}/")


@pytest.fixture(scope="module")
def pg_bindir() -> Path:
    found = postgres_bindir()
    if isinstance(found, str):
        pytest.skip(f"PostgreSQL unavailable: {found}")
    return found


def test_deployment_run_through_a_postgres_backed_server(tmp_path, pg_bindir):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    data = tmp_path / "data"
    with postgres_server(pg_bindir, tmp_path / "postgres.log") as pg, DemoMarket(n_products=300) as market:
        url = compose_database_url(pg.user, pg.password, pg.database, pg.host, pg.port)
        assert url.startswith("postgresql+asyncpg://prefect:")
        with prefect_server(tmp_path, PREFECT_HOME=str(tmp_path / "server-home"),
                            PREFECT_API_DATABASE_CONNECTION_URL=url) as server:
            env = server.client_env(tmp_path / "client-home", PREFECT_LOCAL_STORAGE_PATH=str(tmp_path / "results"),
                                    PREFECT_RESULTS_PERSIST_BY_DEFAULT="true")
            serve = start([BIN / "python", ROOT / "deployments" / "serve.py"], env, tmp_path / "serve.log")
            try:
                with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
                    wait_until(lambda: {"weekly-served", "adhoc-served"} <= {d.name for d in client.read_deployments()},
                               240,
                               "serve.py to register both deployments", serve)
                    weekly = client.read_deployment_by_name("weekly-refresh/weekly-served")
                params = {"models": ["dunk-low"], "mode": "json", "item_cap": 10, "source": market.url,
                          "data_dir": str(data)}
                run_id = run_deployment_cli("scrape/adhoc-served", params, env)
                state = wait_terminal(server.api_url, run_id, 300, serve)
                # Read while serve.py is still up: a runner stopped in the instant between the API's Completed
                # and its own reaping of the flow-run process cancels that run (Prefect's shutdown path).
                recorded = psql(pg, f"SELECT state_type FROM flow_run WHERE id = '{run_id}'")
            finally:
                stop(serve)
            assert state == ("COMPLETED", "Completed"), serve.tail()
        # Served with prefect.yaml's schedule and limit, and recorded in PostgreSQL itself.
        assert [(s.schedule.cron, s.schedule.timezone) for s in weekly.schedules] == [("0 6 * * 1", "UTC")]
        assert weekly.concurrency_options.collision_strategy.value == "CANCEL_NEW"
        assert recorded == "COMPLETED"
        assert int(psql(pg, "SELECT count(*) FROM deployment")) == 2
    manifests = list((data / "raw").glob("*/dunk-low.manifest.json"))
    assert len(manifests) == 1 and json.loads(manifests[0].read_text(encoding="utf-8"))["rows"] == 10
