"""weekly_refresh under prefect_test_harness: the caching semantics the weekly job relies on.

(1) a same-week re-run is all Cached and takes <= 10% of the cold run; (2) when one model's snapshot changes only
that model's image and shard tasks, then training and the report, re-run; (3) a new ISO week re-scrapes;
(4) deleting an output file forces that task to recompute.
"""

import json
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.testing.utilities import prefect_test_harness

from flows.weekly_refresh import weekly_refresh
from sneaker_core.market import DemoMarket
from sneaker_core.rundir import RunDir
from sneaker_core.targets import TARGETS

pytestmark = pytest.mark.slow
PARAMS = {"models": ["dunk-low", "bapesta"], "item_cap": 30, "scrape_mode": "json", "image_size": 48, "train_image_size": 32,
              "epochs": 1, "as_of": "2026-11-23"}


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("flow")
    mp.setenv("PREFECT_LOCAL_STORAGE_PATH", str(root / "results"))
    mp.setenv("SNEAKER_BATCH_SIZE", "8")
    with prefect_test_harness(server_startup_timeout=180), DemoMarket(seed=5, n_products=600) as market:
        yield root, market
    mp.undo()


def _run(data_dir: Path, market: DemoMarket, **overrides):
    t0 = time.perf_counter()
    params = {**PARAMS, "data_dir": str(data_dir), "source": market.url, **overrides}
    state = weekly_refresh(**params, return_state=True)
    seconds = time.perf_counter() - t0
    assert state.is_completed(), state
    expected = 6 if params.get("until") == "shards" else 14  # ... + forecast
    return state.result(), _task_states(state.state_details.flow_run_id, expected), seconds


def _task_states(flow_run_id, expected: int, timeout_s: float = 60) -> dict[str, str]:
    """Task-run name -> final state name, read back through the API (task states arrive asynchronously)."""
    deadline = time.monotonic() + timeout_s
    flt = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(flow_run_filter=flt)
            if (len(runs) >= expected and all(r.state and r.state.is_final() for r in runs)) or \
                    time.monotonic() > deadline:
                return {r.name: r.state.name for r in runs}
            time.sleep(0.5)


def _recomputed(states: dict[str, str]) -> set[str]:
    return {name for name, s in states.items() if s != "Cached"}


@pytest.mark.timeout(1500)
def test_caching_semantics(harness):
    root, market = harness
    data = root / "data"
    out, cold, t_cold = _run(data, market)
    assert set(out["models"]) == {"dunk-low", "bapesta"} and out["failed"] == {}
    assert _recomputed(cold) == set(cold)  # nothing cached on the first run
    assert {"scrape-dunk-low", "images-bapesta", "shards-dunk-low", "train-model", "train-brand"} <= set(cold)
    run = RunDir.for_id(data, out["run_id"])
    assert {t: json.loads(run.target_metrics(t).read_text())["started_from"] for t in TARGETS} \
        == {"model": None, "brand": "model", "price_decile": "model", "price_band": "model"}

    # (1) same parameters, same week: every task Cached, and far faster
    out2, warm, t_warm = _run(data, market)
    assert _recomputed(warm) == set() and out2["run_id"] == out["run_id"]
    assert t_warm <= 0.10 * t_cold, (t_warm, t_cold)

    # (4) a deleted output file forces exactly that task (and what depends on its changed output) to recompute
    (data / "shards" / "2026-W48" / "bapesta" / "bapesta-00000-of-00001.tfrecord").unlink()
    _, after_delete, _ = _run(data, market)
    assert _recomputed(after_delete) == {"shards-bapesta"}  # same bytes again, so training stays cached
    assert (data / "shards" / "2026-W48" / "bapesta" / "bapesta-00000-of-00001.tfrecord").is_file()

    # (2) one model's snapshot changes (five listings gone from the market, re-scraped): only its images and
    # shards, then training and the report, re-run
    market.catalog.searches["dunk-low"] = market.catalog.searches["dunk-low"][5:]
    (data / "raw" / "2026-W48" / "dunk-low.parquet").unlink()
    _, after_change, _ = _run(data, market)
    redone = _recomputed(after_change)
    assert {"scrape-dunk-low", "images-dunk-low", "shards-dunk-low", "train-price_decile", "train-model"} <= redone
    assert not any(name.endswith("bapesta") for name in redone)

    # (3) a new ISO week scrapes again (the data stages are enough to show it)
    _, next_week, _ = _run(data, market, as_of="2026-11-30", until="shards")
    assert {"scrape-dunk-low", "scrape-bapesta"} <= _recomputed(next_week)
    assert (data / "raw" / "2026-W49" / "bapesta.parquet").is_file()
    assert (data / "raw" / "2026-W48" / "bapesta.parquet").is_file()  # earlier weeks are kept: price history
