"""Backfill: past weeks as of Monday 06:00 UTC, oldest first, each cached on its own; live sources refused."""

import json
import socket
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from prefect.testing.utilities import prefect_test_harness
from test_flow_caching import _recomputed, _task_states
from typer.testing import CliRunner

import sneaker_core.market
from sneaker_cli.main import app
from sneaker_core.backfill import BackfillError, backfill_weeks
from sneaker_core.history import price_history

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)  # a Wednesday of ISO week 2026-W49


def test_weeks_are_the_past_mondays_at_six_oldest_first():
    assert backfill_weeks(3, NOW) == [datetime(2026, 11, d, 6, tzinfo=UTC) for d in (9, 16, 23)]
    monday_early = datetime(2026, 11, 30, 3, tzinfo=UTC)  # before this week's run: still this week
    assert backfill_weeks(1, monday_early) == [datetime(2026, 11, 23, 6, tzinfo=UTC)]
    with pytest.raises(BackfillError, match="--weeks must be between 1 and"):
        backfill_weeks(0, NOW)


@pytest.mark.parametrize("source", ["goat", "https://market.example"])
def test_live_sources_are_refused_in_one_line(source, tmp_path, monkeypatch):
    monkeypatch.setenv("SNEAKER_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["backfill", "--weeks", "2", "--source", source])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"error: backfill needs the demo market, not '{source}'")
    assert not (tmp_path / "raw").exists()


class _TimedMarket(sneaker_core.market.DemoMarket):
    """The demo market, recording the moment each backfill week asks it to stand at."""

    moments: ClassVar[list[datetime | None]] = []

    def __init__(self, *args, as_of: datetime | None = None, **kwargs):
        _TimedMarket.moments.append(as_of)
        super().__init__(*args, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_backfill_resumes_and_a_second_run_is_all_cached(tmp_path, monkeypatch):
    from flows.backfill import backfill

    monkeypatch.setattr(sneaker_core.market, "DemoMarket", _TimedMarket)
    monkeypatch.setenv("PREFECT_LOCAL_STORAGE_PATH", str(tmp_path / "results"))
    monkeypatch.setenv("SNEAKER_MARKET_PORT", str(_free_port()))
    params = {"models": ["bapesta"], "item_cap": 6, "scrape_mode": "json", "image_size": 32,
              "market_products": 60, "data_dir": str(tmp_path / "data"), "now": NOW.isoformat()}

    def states(out):
        return {week: _task_states(r["flow_run_id"], 4) for week, r in out.items()}

    with prefect_test_harness(server_startup_timeout=180):
        first = backfill(weeks=1, **params)  # as if a two-week backfill was stopped after its first week
        assert list(first) == ["2026-W48"] and first["2026-W48"]["models"] == ["bapesta"]
        second = backfill(weeks=2, **params)
        assert list(second) == ["2026-W47", "2026-W48"]  # oldest first
        resumed = states(second)
        assert _recomputed(resumed["2026-W47"]) == {"scrape-bapesta", "sizes-bapesta", "images-bapesta",
                                                   "shards-bapesta"}
        assert _recomputed(resumed["2026-W48"]) == set()
        third = states(backfill(weeks=2, **params))
        assert all(_recomputed(s) == set() and len(s) == 4 for s in third.values())

    week = [datetime(2026, 11, d, 6, tzinfo=UTC) for d in (16, 23)]
    assert _TimedMarket.moments == [week[1], *week, *week]
    history = price_history(tmp_path / "data")
    assert set(history.week) == {"2026-W47", "2026-W48"} and set(history.search_model) == {"bapesta"}
    assert history.groupby("product_id").size().eq(2).all()  # the same products, once per week
    first_images, later_images = (json.loads((tmp_path / f"data/images/manifests/{w}/bapesta.json").read_text())
                                  for w in ("2026-W48", "2026-W47"))
    # the image store is keyed on the image URL: a product seen in an earlier run is not downloaded again
    assert first_images["downloaded"] == first_images["ok"] > 0
    assert (later_images["downloaded"], later_images["reused"]) == (0, first_images["ok"])
