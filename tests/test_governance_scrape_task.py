"""The contract in the scrape task: a snapshot that breaks it fails that model's task with a named message and is
not cached, so the next run scrapes the (fixed) source again; a good one is cached as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from prefect import flow
from prefect.testing.utilities import prefect_test_harness

import tasks.scrape
from sneaker_core.market import DemoMarket
from sneaker_core.settings import Settings
from sneaker_core.sources import source_id
from tasks.scrape import scrape_task_for

pytestmark = pytest.mark.slow
NOW = datetime(2026, 11, 23, tzinfo=UTC)


@flow
def scrape_once(settings: Settings, base_url: str) -> str:
    task = scrape_task_for("dunk-low", settings, NOW)
    future = task.submit("dunk-low", settings, base_url, source_id(settings), NOW)
    future.wait()
    return f"{future.state.name}: {future.state.message or ''}"


def test_a_snapshot_breaking_the_contract_fails_its_task_and_is_retried_next_run(tmp_path, monkeypatch):
    real = tasks.scrape.scrape_model

    def duplicating(*args, **kwargs):  # the source served every product twice under one id
        manifest = real(*args, **kwargs)
        path = tmp_path / "data" / manifest["path"]
        frame = pd.read_parquet(path)
        frame.loc[1:3, "product_id"] = frame.loc[0, "product_id"]
        frame.to_parquet(path, index=False)
        return manifest

    monkeypatch.setenv("PREFECT_LOCAL_STORAGE_PATH", str(tmp_path / "results"))
    settings = Settings(data_dir=tmp_path / "data", scrape_mode="json", item_cap=10, source="http://x")
    with prefect_test_harness(server_startup_timeout=180), DemoMarket(seed=3, n_products=100) as market:
        monkeypatch.setattr(tasks.scrape, "scrape_model", duplicating)
        first = scrape_once(settings, market.url)
        monkeypatch.setattr(tasks.scrape, "scrape_model", real)
        second = scrape_once(settings, market.url)
        third = scrape_once(settings, market.url)
    assert first.startswith("Failed: ") and "breaks the snapshot contract" in first
    assert "column 'product_id' breaks field_uniqueness (4 rows" in first
    assert second.startswith("Completed")  # recomputed: the failure was not cached
    assert third.startswith("Cached")
