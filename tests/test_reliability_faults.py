"""Fault injection end to end: `weekly_refresh(until="shards")` against a faulty demo market loses nothing.

The market answers 20% of JSON/image requests with 503, 5% with 429 + Retry-After, adds 50 ms to every
response and truncates 5% of images. Every ground-truth product of each searched model must end in the
shards or in a bucket with a named reason, and the per-row derivation must reproduce every count the
stages' manifests claim (`tests/reconcile.py`, test support). `pytest -s` prints the reconciliation tables.
"""

from __future__ import annotations

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
