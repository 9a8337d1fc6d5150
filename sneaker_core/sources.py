"""Where listings come from: the embedded demo market (started on demand), GOAT, or any base URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx

from sneaker_core.market.server import MARKET_VERSION
from sneaker_core.settings import Settings


def source_id(settings: Settings) -> str:
    """A stable identity of the source for cache keys (the demo market's port is not part of it)."""
    if settings.is_demo:
        return (f"demo:v{MARKET_VERSION}:seed={settings.seed}:products={settings.market_products}"
                f":faults={settings.market_faults}")
    return settings.base_url() or settings.source


def _same_market_running(url: str, settings: Settings) -> bool:
    try:
        truth = httpx.get(f"{url}/__catalog.json", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return False
    return (truth.get("seed"), truth.get("version"), len(truth.get("products", []))) == (
        settings.seed, MARKET_VERSION, settings.market_products)


@contextmanager
def open_source(settings: Settings, as_of: datetime | None = None) -> Iterator[str]:
    """Yield the marketplace base URL; for the demo source, serve the demo market for the duration.

    The demo market listens on a fixed port (SNEAKER_MARKET_PORT) so that image URLs recorded in snapshots stay
    valid across runs; an identical market already serving there is reused. `as_of` serves the demo market as
    it stood at that moment (a backfill's past week); a market already running there is then not reused, as
    nothing tells which moment it serves. A live marketplace is always now, whatever `as_of` says.
    """
    if not settings.is_demo:
        yield settings.base_url() or settings.source
        return
    from sneaker_core.market import DemoMarket

    in_time = {} if as_of is None else {"as_of": as_of}
    market = DemoMarket(
        seed=settings.seed, n_products=settings.market_products, faults=settings.market_faults or None,
        port=settings.market_port, **in_time,
    )
    try:
        market.start()
    except OSError as exc:
        url = f"http://127.0.0.1:{settings.market_port}"
        if as_of is None and _same_market_running(url, settings):
            yield url
            return
        raise RuntimeError(
            f"port {settings.market_port} is taken by another program ({exc.strerror}); "
            "stop it or set SNEAKER_MARKET_PORT to a free port"
        ) from exc
    try:
        yield market.url
    finally:
        market.stop()
