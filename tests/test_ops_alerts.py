"""Alerts through Prefect, for real: `sneaker deploy` (twice) against `sneaker server` creates the weekly
deployment's automations once; a failing weekly run and a refused promotion each post exactly one notification
to a local HTTP receiver standing in for SNEAKER_NOTIFY_WEBHOOK.

Slow (a server, two deploys, a worker, a flow run): run this module alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers_prefect_server import (
    BIN,
    ROOT,
    free_port,
    prefect_server,
    run_deployment_cli,
    start,
    stop,
    wait_terminal,
    wait_until,
)

from deployments.automations import FAILED, MISSING, REFUSED

pytestmark = pytest.mark.slow
NAMES = (FAILED, MISSING, REFUSED)


class Receiver(BaseHTTPRequestHandler):
    """Records every POST body (JSON) in `self.server.posts`."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posts.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def receiver():
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    httpd.posts = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, receiver):
    work = tmp_path_factory.mktemp("alerts")
    data = work / "data"
    with prefect_server(work, SNEAKER_DATA_DIR=str(data)) as server:
        env = server.client_env(work / "client-home", PREFECT_LOCAL_STORAGE_PATH=str(work / "results"),
                                PREFECT_WORKER_QUERY_SECONDS="2", SNEAKER_DATA_DIR=str(data),
                                SNEAKER_NOTIFY_WEBHOOK=f"http://127.0.0.1:{receiver.server_port}/hook")
        deploys = [subprocess.run([str(BIN / "sneaker"), "deploy", "--name", "weekly"], env=env, cwd=work,
                                  capture_output=True, text=True, timeout=400, check=False) for _ in range(2)]
        for done in deploys:
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield {"server": server, "env": env, "work": work, "data": data, "deploys": deploys}


@pytest.fixture(scope="module")
def client(stack):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack["server"].api_url}), get_client(sync_client=True) as c:
        yield c


def _posts_after(receiver, count: int, settle_s: float = 8.0, timeout_s: float = 120) -> list[dict]:
    """Wait for at least `count` posts, then a little longer so that a duplicate would show up too."""
    wait_until(lambda: len(receiver.posts) >= count, timeout_s, f"{count} notification(s)", every_s=1)
    time.sleep(settle_s)
    return list(receiver.posts)


def test_deploy_creates_the_automations_once(stack, client):
    first, second = (d.stdout for d in stack["deploys"])
    assert all(f"{name}" in first for name in NAMES) and first.count("created") >= 3
    assert second.count("updated") >= 3 and "created" not in second.split("Automations of")[-1]
    found = [a for a in client.read_automations() if a.name.startswith("sneaker: ")]
    assert sorted(a.name for a in found) == sorted(NAMES)  # two deploys, still one of each
    dep = client.read_deployment_by_name("weekly-refresh/weekly")
    by_name = {a.name: a for a in found}
    missing = by_name[MISSING].trigger
    assert (missing.posture, missing.within, missing.expect) == ("Proactive", timedelta(days=8),
                                                                 {"prefect.flow-run.Completed"})
    for name in (FAILED, MISSING):
        assert by_name[name].trigger.match_related.model_dump() == {"prefect.resource.id": f"prefect.deployment.{dep.id}",
                                                       "prefect.resource.role": "deployment"}
    assert by_name[FAILED].trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert all(a.actions[0].type == "send-notification" for a in found)


def test_a_failing_weekly_run_posts_exactly_one_notification_naming_it(stack, client, receiver):
    worker = start([BIN / "prefect", "worker", "start", "--pool", "sneaker-pool"], stack["env"],
                   stack["work"] / "worker.log")
    try:
        params = {"models": ["no-such-model"], "source": "http://127.0.0.1:9", "data_dir": str(stack["data"])}
        run_id = run_deployment_cli("weekly-refresh/weekly", params, stack["env"])
        assert wait_terminal(stack["server"].api_url, run_id, 400, worker)[0] == "FAILED"
    finally:
        stop(worker)
    name = client.read_flow_run(run_id).name
    posts = _posts_after(receiver, 1)
    assert len(posts) == 1, posts
    assert posts[0]["subject"] == f"Sneaker weekly run {name} ended Failed"
    assert str(run_id) in posts[0]["text"] and "no-such-model" in posts[0]["text"]


def test_a_refused_promotion_emits_an_event_that_notifies(stack, receiver):
    """The engine's real refusal (a worse challenger, on synthetic runs) through `publish_promotion`."""
    before = len(receiver.posts)
    script = (
        "from governance_runs import *\n"
        "from sneaker_core.settings import Settings\n"
        "from tasks.governance import publish_promotion\n"
        "s = Settings(promotion_resamples=200)\n"
        "write_run(s.data_dir, 'W01-champ', champion_split(), 0.7, seed=1)\n"
        "write_run(s.data_dir, 'W02-chal', challenger_split(), 0.4, seed=2)\n"
        "assert publish_promotion(s, 'W01-champ')['promoted']\n"
        "assert not publish_promotion(s, 'W02-chal')['promoted']\n"
    )
    env = {**stack["env"], "PYTHONPATH": str(ROOT / "tests")}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    posts = _posts_after(receiver, before + 1)[before:]
    assert len(posts) == 1, posts
    assert posts[0]["subject"] == "Sneaker run W02-chal not promoted"
    assert "champion stays W01-champ" in posts[0]["text"] and "below -tolerance" in posts[0]["text"]
