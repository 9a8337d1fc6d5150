"""Fault injection end to end: `weekly_refresh(until="shards")` against a faulty demo market loses nothing.

The market answers 20% of JSON/image requests with 503, 5% with 429 + Retry-After, adds 50 ms to every
response and truncates 5% of images. Every ground-truth product of each searched model must end in the
shards or in a bucket with a named reason, and the per-row derivation must reproduce every count the
stages' manifests claim (`tests/reconcile.py`, test support). `pytest -s` prints the reconciliation tables.
"""

from __future__ import annotations

import json

import pytest
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
from prefect.testing.utilities import prefect_test_harness
from reconcile import LOSSES, fetch_ground_truth, format_table, reconcile_run

from flows.weekly_refresh import weekly_refresh
from sneaker_core.market import DemoMarket
from sneaker_core.settings import Settings

FAULTS = "error_rate=0.2,throttle_rate=0.05,latency_ms=50,truncate_rate=0.05"
AS_OF, WEEK = "2026-11-23", "2026-W48"
CAP = 40


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory):
    """One temporary Prefect server for the module; task results stored under a temporary folder."""
    results = tmp_path_factory.mktemp("prefect-results")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SNEAKER_RETRY_BASE_DELAY_S", "0.02")
        mp.setenv("SNEAKER_IMAGE_SIZE", "32")
        mp.setenv("SNEAKER_SCROLL_WAIT_S", "3")
        with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: str(results)}), \
                prefect_test_harness(server_startup_timeout=180):
            yield


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=4, n_products=300, faults=FAULTS) as m:
        yield m


def _run_and_reconcile(market, data_dir, models, mode):
    out = weekly_refresh(models=models, item_cap=CAP, source=market.url, scrape_mode=mode, until="shards",
                         as_of=AS_OF, data_dir=str(data_dir))
    settings = Settings(data_dir=data_dir)
    recs = reconcile_run(fetch_ground_truth(market.url), settings, WEEK, models, out["failed"])
    print(f"\nreconciliation ({mode} mode, faults {FAULTS}, item cap {CAP}):\n{format_table(recs)}")
    return out, {r.model: r for r in recs}


def _assert_reconciled(out, recs, models):
    assert out["failed"] == {} and out["models"] == sorted(models)
    for model, r in recs.items():
        assert r.mismatches == [], (model, r.mismatches)
        assert sum(r.buckets.values()) == r.truth > 0
        assert all(r.buckets[b] == 0 for b in LOSSES), (model, dict(r.buckets))
        assert r.extra_rows == 0
        assert r.buckets["in_shards"] == out["shards"][model]["examples"] > 0
        named = {b for b in r.buckets if not b.startswith("image_")}
        assert named <= {"in_shards", "cap", "off_model", "non_sneaker", "unknown", "duplicate_image"}, named


def test_faulty_market_json_mode_reconciles_exactly(prefect_env, market, tmp_path):
    models = ["air-force-1", "air-jordan-1", "dunk-low"]
    out, recs = _run_and_reconcile(market, tmp_path, models, "json")
    _assert_reconciled(out, recs, models)
    capped = recs["air-force-1"]
    assert capped.truth > CAP and capped.buckets["cap"] == capped.truth - CAP
    assert market.faults.counts["error"] > 0 and market.faults.counts["throttle"] > 0
    assert market.faults.counts["truncate"] > 0
    # truncated images that no retry repaired are named, never silently dropped
    reasons = {b for r in recs.values() for b in r.buckets if b.startswith("image_")}
    assert reasons <= {"image_truncated", "image_http_503", "image_http_429", "image_undecodable"}


def test_faulty_market_browser_mode_reconciles_exactly(prefect_env, market, tmp_path):
    out, recs = _run_and_reconcile(market, tmp_path, ["air-jordan-1"], "browser")
    _assert_reconciled(out, recs, ["air-jordan-1"])


# A bot wall on some models only: bapesta's search answers a challenge page, yeezy 350's a 403, on every request.
BLOCKS = "error_rate=0.1,throttle_rate=0.05,challenge_queries=bapesta,forbidden_queries=yeezy 350"


@pytest.mark.parametrize("runner", ["threads", "dask"])
def test_blocked_models_are_left_out_and_the_rest_reaches_the_report(prefect_env, tmp_path, monkeypatch, runner):
    """The healthy models are scraped, imaged, sharded, trained, stacked and reported; the blocked ones are
    listed with their reason at every stage that would have used them, and reconcile as `scrape_skipped_blocked`."""
    if runner == "dask":
        pytest.importorskip("prefect_dask")
    monkeypatch.setenv("SNEAKER_BATCH_SIZE", "8")
    monkeypatch.setenv("SNEAKER_SIZES", "true")  # the size stage too (off by default for a URL source)
    healthy, blocked = ["air-jordan-1", "dunk-low"], ["bapesta", "yeezy-350"]
    until = "report" if runner == "threads" else "shards"  # training is the same on either runner
    with DemoMarket(seed=11, n_products=200, faults=BLOCKS) as market:
        out = weekly_refresh(models=healthy + blocked, item_cap=24, source=market.url, scrape_mode="json",
                             until=until, as_of=AS_OF, data_dir=str(tmp_path), train_image_size=32, epochs=1,
                             task_runner=runner, dask_workers=1)
        truth = fetch_ground_truth(market.url)
        assert market.faults.counts["challenge"] >= 1 and market.faults.counts["forbidden"] >= 1
    assert out["models"] == healthy
    assert sorted(out["failed"]) == blocked
    assert out["failed"]["bapesta"].startswith("[bapesta] blocked: challenge page instead of JSON")
    assert out["failed"]["yeezy-350"].startswith("[yeezy-350] blocked: HTTP 403")
    assert sorted(out["sizes"]) == healthy and sorted(out["sizes_failed"]) == blocked
    assert out["sizes_failed"]["bapesta"] == f"left out because an earlier stage failed: {out['failed']['bapesta']}"
    recs = {r.model: r for r in reconcile_run(truth, Settings(data_dir=tmp_path), WEEK, healthy + blocked,
                                              out["failed"])}
    for model in blocked:
        assert recs[model].buckets == {"scrape_skipped_blocked": recs[model].truth}
        assert recs[model].truth > 0
    for model in healthy:
        assert recs[model].mismatches == [] and recs[model].buckets["in_shards"] > 0
        assert all(recs[model].buckets[b] == 0 for b in LOSSES)
    if until == "report":
        latest = json.loads((tmp_path / "runs" / "latest.json").read_text())
        assert latest["run_id"] == out["run_id"] and latest["models"] == healthy
        assert latest["failed"] == out["failed"]
        assert (tmp_path / "runs" / out["run_id"] / "report" / "index.html").stat().st_size > 0
        assert set(out["metrics"]) >= {"model", "brand"}
