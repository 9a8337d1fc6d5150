"""The two ways to schedule do not clobber each other (issue 16, defect 11), against a real Prefect server.

`sneaker deploy` registers `weekly-refresh/weekly` and `scrape/adhoc` for a worker (with the pull step);
`python deployments/serve.py` serves the same flows as `weekly-served` / `adhoc-served`. While one way's weekly
schedule runs, the other refuses with one line that says why, and touches nothing; stopping `serve.py` pauses
only its own deployments.
"""

from __future__ import annotations

import subprocess

import pytest
from helpers_prefect_server import BIN, ROOT, prefect_server, start, stop, wait_until

pytestmark = pytest.mark.slow
SERVE = [str(BIN / "python"), str(ROOT / "deployments" / "serve.py")]


def _deploy(env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "sneaker"), "deploy"], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)


def _snapshot(client, name: str) -> dict:
    d = client.read_deployment_by_name(name)
    return {"pull": d.pull_steps, "paused": d.paused, "active": [s.active for s in d.schedules],
            "pool": d.work_pool_name, "updated": d.updated}


@pytest.mark.timeout(1500)
def test_serve_and_deploy_refuse_each_other_and_never_overwrite(tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with prefect_server(tmp_path) as server, temporary_settings({PREFECT_API_URL: server.api_url}), \
            get_client(sync_client=True) as client:
        env = server.client_env(tmp_path / "client-home")
        done = _deploy(env, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        worker_weekly = _snapshot(client, "weekly-refresh/weekly")
        assert worker_weekly["pull"] and worker_weekly["pool"] == "sneaker-pool"
        assert not worker_weekly["paused"] and worker_weekly["active"] == [True]

        # serve.py beside the worker's scheduled weekly: refused in one line, nothing registered or changed
        refused = subprocess.run(SERVE, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240,
                                 check=False)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 2 and len(lines) == 1, refused.stdout + refused.stderr
        assert lines[0].startswith("error: weekly-refresh/weekly is scheduled for a worker (`sneaker deploy`)")
        assert "prefect deployment delete 'weekly-refresh/weekly'" in lines[0]
        assert _snapshot(client, "weekly-refresh/weekly") == worker_weekly
        assert sorted(d.name for d in client.read_deployments()) == ["adhoc", "weekly"]

        # switching to serve: delete the worker's weekly as told; serve registers its own names
        client.delete_deployment(client.read_deployment_by_name("weekly-refresh/weekly").id)
        worker_adhoc = _snapshot(client, "scrape/adhoc")
        serve = start(SERVE, env, tmp_path / "serve.log", cwd=tmp_path)
        try:
            wait_until(lambda: {"weekly-served", "adhoc-served"} <= {d.name for d in client.read_deployments()},
                       300, "serve.py to register its deployments", serve)
            served = _snapshot(client, "weekly-refresh/weekly-served")
            assert served["pull"] in (None, []) and served["pool"] is None and served["active"] == [True]
            assert _snapshot(client, "scrape/adhoc") == worker_adhoc  # the worker's adhoc keeps its pull step
            # ... and `sneaker deploy` refuses while serve.py schedules the weekly job
            again = _deploy(env, tmp_path)
            assert again.returncode == 2, again.stdout + again.stderr
            assert "weekly-refresh/weekly-served is scheduled by `python deployments/serve.py`" in again.stdout
            assert "registering" not in again.stdout
        finally:
            stop(serve)
        assert _snapshot(client, "weekly-refresh/weekly-served")["paused"]  # serve pauses only its own
        assert _snapshot(client, "scrape/adhoc") == worker_adhoc

        # back to the worker: serve.py stopped, so deploy goes ahead and restores the pull step
        back = _deploy(env, tmp_path)
        assert back.returncode == 0, back.stdout + back.stderr
        restored = _snapshot(client, "weekly-refresh/weekly")
        assert restored["pull"] == worker_weekly["pull"] and restored["active"] == [True]
        assert not restored["paused"]
