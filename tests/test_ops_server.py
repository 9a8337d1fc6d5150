"""The weekly deployment for real: `sneaker server`, `sneaker deploy`, a process worker, a run triggered with the
Prefect CLI, its artifacts read back through the API, the run in the UI, and CANCEL_NEW on an overlapping run.

One server, worker and flow run serve the whole module (a run takes minutes on a busy 2-core machine).
"""

from __future__ import annotations

import json
import subprocess
from uuid import UUID

import pytest
from helpers_prefect_server import (
    BIN,
    ROOT,
    flow_run_state,
    prefect_server,
    run_deployment_cli,
    start,
    stop,
    wait_terminal,
    wait_until,
)
from PIL import Image

from sneaker_core.market import DemoMarket
from sneaker_core.rundir import LATEST, RUNS

pytestmark = pytest.mark.slow
MODELS = ["dunk-low", "bapesta"]
# Tiny but trainable: ~30 listings per model from a 600-product market (200 leaves < 10 priced training rows).
TINY = {"models": MODELS, "item_cap": 30, "scrape_mode": "json", "epochs": 1, "image_size": 48,
        "train_image_size": 32}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Server, deployment, worker and one completed weekly run (plus a second, overlapping one)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    work = tmp_path_factory.mktemp("ops")
    data = work / "data"
    with DemoMarket(n_products=600) as market, prefect_server(work, SNEAKER_DATA_DIR=str(data)) as server:
        env = server.client_env(work / "client-home", PREFECT_LOCAL_STORAGE_PATH=str(work / "results"),
                                PREFECT_RESULTS_PERSIST_BY_DEFAULT="true", PREFECT_WORKER_QUERY_SECONDS="2")
        deploy = subprocess.Popen([str(BIN / "sneaker"), "deploy"], env=env, cwd=work, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        worker = None
        try:
            # `sneaker deploy` creates the pool first; the worker starts while `prefect deploy` imports the flows.
            with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
                wait_until(lambda: any(p.name == "sneaker-pool" for p in client.read_work_pools()), 120,
                           "sneaker deploy to create the work pool", server.proc)
            worker = start([BIN / "prefect", "worker", "start", "--pool", "sneaker-pool"], env, work / "worker.log")
            deploy_out, _ = deploy.communicate(timeout=300)
            assert deploy.returncode == 0, deploy_out
            params = {**TINY, "source": market.url, "data_dir": str(data)}
            run_id = run_deployment_cli("weekly-refresh/weekly", params, env)
            wait_until(lambda: flow_run_state(server.api_url, run_id)[0] in ("PENDING", "RUNNING"), 120,
                       "the worker to pick up the run", worker)
            with temporary_settings({PREFECT_API_URL: server.api_url}), get_client(sync_client=True) as client:
                dep = client.read_deployment_by_name("weekly-refresh/weekly")
                late_id = client.create_flow_run_from_deployment(dep.id, parameters=params).id
            final = wait_terminal(server.api_url, run_id, 600, worker)
            late = wait_terminal(server.api_url, late_id, 60, worker)
            yield {"server": server, "env": env, "run_id": run_id, "final": final, "late": late, "data": data,
                   "deploy_out": deploy_out, "worker": worker}
        finally:
            if deploy.poll() is None:
                deploy.kill()
            if worker is not None:
                stop(worker)


@pytest.fixture(scope="module")
def client(stack):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack["server"].api_url}), get_client(sync_client=True) as c:
        yield c


def _run_filter(run_id: UUID):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    return FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))


def test_deployment_is_registered_as_prefect_yaml_says(stack, client):
    dep = client.read_deployment_by_name("weekly-refresh/weekly")
    assert dep.entrypoint == "flows/weekly_refresh.py:weekly_refresh"
    assert dep.work_pool_name == "sneaker-pool"
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in dep.schedules] == [("0 6 * * 1", "UTC", True)]
    assert dep.global_concurrency_limit.limit == 1
    assert dep.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert dep.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
    assert client.read_work_pool("sneaker-pool").type == "process"
    assert "weekly-refresh/weekly" in stack["deploy_out"] and "scrape/adhoc" in stack["deploy_out"]
    assert client.read_deployment_by_name("scrape/adhoc").schedules == []


def test_run_triggered_from_the_cli_completes_with_its_artifacts(stack, client):
    assert stack["final"] == ("COMPLETED", "Completed"), stack["worker"].tail()
    arts = {a.key: a for a in client.read_artifacts(flow_run_filter=_run_filter(stack["run_id"])) if a.key}
    assert {"stage-progress", "model-counts", "run-metrics"} <= set(arts)
    assert arts["stage-progress"].data == 100
    counts = json.loads(arts["model-counts"].data)
    assert sorted(r["model"] for r in counts) == sorted(MODELS)
    assert all(r["outcome"] == "ok" and r["scraped"] == 30 and r["shard_examples"] > 0 for r in counts)
    assert "| price_decile |" in arts["run-metrics"].data and "Report:" in arts["run-metrics"].data
    tasks = {t.name for t in client.read_task_runs(flow_run_filter=_run_filter(stack["run_id"]))}
    assert {f"{stage}-{m}" for stage in ("scrape", "images", "shards") for m in MODELS} <= tasks
    assert {"train-price_decile", "train-price_band", "train-model", "train-brand"} <= tasks
    latest = json.loads((stack["data"] / RUNS / LATEST).read_text(encoding="utf-8"))
    assert latest["models"] == sorted(MODELS)  # the run wrote under data_dir, not under the worker's cwd


def test_an_overlapping_run_is_cancelled_not_queued(stack):
    assert stack["late"][0] == "CANCELLED"


def test_ui_shows_the_run_its_task_runs_and_artifacts(stack, client, headless_page, tmp_path):
    """The screenshot goes to tmp_path (tests never write into the checkout); scripts/prefect_ui_screenshot.py
    runs this test and copies it to docs/prefect-ui.png."""
    name = client.read_flow_run(stack["run_id"]).name
    with headless_page(1400, 1000, 90_000) as page:
        page.goto(f"{stack['server'].url}/runs/flow-run/{stack['run_id']}")
        page.get_by_text(name, exact=True).first.wait_for()
        assert page.get_by_text("Completed").first.is_visible()
        page.get_by_text("Task Runs", exact=True).click()
        for task in ("scrape-dunk-low", "shards-bapesta", "train-price_decile", "train-brand"):
            page.get_by_text(task, exact=True).first.wait_for()
        page.get_by_text("Artifacts", exact=True).click()
        for key in ("stage-progress", "model-counts", "run-metrics"):
            page.get_by_text(key, exact=True).first.wait_for()
        page.wait_for_timeout(500)
        shot = tmp_path / "prefect-ui.png"
        page.screenshot(path=str(shot))
    with Image.open(shot) as im:
        assert im.format == "PNG" and im.size == (1400, 1000)
