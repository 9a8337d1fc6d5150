"""The demo source: a market already serving on the fixed port is reused only when it serves the same week."""

from datetime import UTC, datetime

import pytest

from sneaker_core.market import DemoMarket
from sneaker_core.settings import Settings
from sneaker_core.sources import open_source

WEEK_48 = datetime(2026, 11, 23, 7, tzinfo=UTC)
WEEK_49 = datetime(2026, 11, 30, 7, tzinfo=UTC)


def test_running_market_is_reused_for_its_own_week_only(tmp_path):
    with DemoMarket(seed=3, n_products=60, as_of=WEEK_48) as running:
        port = int(running.url.rsplit(":", 1)[1])
        settings = Settings(data_dir=tmp_path, seed=3, market_products=60, market_port=port)
        with open_source(settings, as_of=WEEK_48) as url:
            assert url == f"http://127.0.0.1:{port}"
        with pytest.raises(RuntimeError, match=f"port {port} is taken"), open_source(settings, as_of=WEEK_49):
            pass
