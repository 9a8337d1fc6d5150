"""The image stage on Dask against a real Prefect server (`sneaker server`): `weekly_refresh(task_runner="dask")`
runs `download_images` as an `images` subflow on two local Dask worker processes, and a threads run afterwards
finds those results in the shared cache.
"""

from __future__ import annotations

import json
import os
import re
import time
from uuid import UUID

import pytest
from helpers_prefect_server import prefect_server

from sneaker_core.market import DemoMarket

pytestmark = pytest.mark.slow
MODELS = ["dunk-low", "bapesta"]
WEEK = "2026-W48"
# 20 listings per model: at least PROCESS_POOL_MIN_IMAGES, so each worker also starts its own normalising pool.
PARAMS = {"models": MODELS, "item_cap": 20, "scrape_mode": "json", "image_size": 48, "until": "shards",
          "as_of": "2026-11-23"}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A real Prefect server; this process (and so the flow and its Dask workers) talks to it."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, PREFECT_LOCAL_STORAGE_PATH, temporary_settings

    work = tmp_path_factory.mktemp("dask")
    with prefect_server(work, SNEAKER_DATA_DIR=str(work / "server-data")) as server, temporary_settings(
            {PREFECT_API_URL: server.api_url, PREFECT_LOCAL_STORAGE_PATH: str(work / "results")}):
        yield work
        APILogWorker.drain_all(timeout=30)  # send what is queued while the server is still there
        EventsWorker.drain_all(timeout=30)


def _task_runs(client, flow_run_id: UUID, expected: int, timeout_s: float = 60) -> dict:
    """Task-run name -> task run of a flow run, once `expected` of them are final (states arrive asynchronously)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    flt = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + timeout_s
    while True:
        runs = client.read_task_runs(flow_run_filter=flt)
        if (len(runs) >= expected and all(r.state and r.state.is_final() for r in runs)) or \
                time.monotonic() > deadline:
            return {r.name: r for r in runs}
        time.sleep(0.5)


def _worker_pids(client, task_run_ids: list[UUID], timeout_s: float = 60) -> dict[str, int]:
    """Model -> PID `download_images` logged for it (logs reach the API after the task's state)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterTaskRunId

    flt = LogFilter(task_run_id=LogFilterTaskRunId(any_=task_run_ids))
    deadline = time.monotonic() + timeout_s
    while True:
        found = dict(m.groups() for log in client.read_logs(log_filter=flt)
                     if (m := re.match(r"images of (\S+) in process (\d+) on ", log.message)))
        if len(found) >= len(task_run_ids) or time.monotonic() > deadline:
            return {model: int(pid) for model, pid in found.items()}
        time.sleep(1)


@pytest.mark.timeout(900)
def test_image_stage_runs_on_dask_workers_and_shares_the_cache_with_threads(api):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    from flows.weekly_refresh import weekly_refresh

    data = api / "data"
    with DemoMarket(n_products=600) as market, get_client(sync_client=True) as client:
        params = {**PARAMS, "source": market.url, "data_dir": str(data)}
        state = weekly_refresh(**params, task_runner="dask", dask_workers=2, return_state=True)
        assert state.is_completed(), state
        out = state.result()
        assert out["models"] == sorted(MODELS) and out["failed"] == {}

        for model in MODELS:
            images = json.loads((data / "images" / "manifests" / WEEK / f"{model}.json").read_text())
            assert images["n"] == 20 and images["ok"] + images["quarantined"] == 20 and images["ok"] >= 10
            assert images["downloaded"] > 0 and images["reused"] == 0  # fetched now, by a Dask worker
            assert 0 < out["shards"][model]["examples"] <= images["ok"]

        # The parent ran scrapes and shards; its `images` subflow ran one task per model, on other processes.
        parent_id = state.state_details.flow_run_id
        parent = _task_runs(client, parent_id, expected=5)
        assert {f"{stage}-{m}" for stage in ("scrape", "shards") for m in MODELS} <= set(parent)
        assert not {f"images-{m}" for m in MODELS} & set(parent)
        [sub] = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["images"])))
        assert sub.state.is_completed() and client.read_task_run(sub.parent_task_run_id).flow_run_id == parent_id
        tasks = _task_runs(client, sub.id, expected=len(MODELS))
        assert {n: r.state.name for n, r in tasks.items()} == {f"images-{m}": "Completed" for m in MODELS}
        pids = _worker_pids(client, [r.id for r in tasks.values()])
        assert set(pids) == set(MODELS) and os.getpid() not in pids.values(), pids

        # The same inputs on the default threads: every task, images included, is a cache hit.
        again = weekly_refresh(**params, return_state=True)
        assert again.is_completed(), again
        rerun = _task_runs(client, again.state_details.flow_run_id, expected=6)
        assert {n: r.state.name for n, r in rerun.items()} == {
            f"{stage}-{m}": "Cached" for stage in ("scrape", "images", "shards") for m in MODELS}
