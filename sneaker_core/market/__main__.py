"""`python -m sneaker_core.market`: serve the demo market in the foreground (first stdout line: its URL)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sneaker_core.market.server import serve_foreground
from sneaker_core.market.weeks import parse_as_of


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sneaker_core.market", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1", help="bind address (loopback by default)")
    ap.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    ap.add_argument("--catalog", type=Path, default=None, help="serve this CSV (title,image,price[,search_model])")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--products", type=int, default=1500, help="synthetic catalog size")
    ap.add_argument("--faults", default=None, help="e.g. error_rate=0.2,latency_ms=50,throttle_rate=0.05")
    ap.add_argument("--as-of", default=None, help="serve the market of this date's week (YYYY-MM-DD); default now")
    a = ap.parse_args(argv)
    try:
        serve_foreground(catalog_csv=a.catalog, seed=a.seed, n_products=a.products, faults=a.faults,
                         host=a.host, port=a.port, as_of=parse_as_of(a.as_of))
    except (ValueError, OSError) as exc:  # a bad fault, as-of or catalog, an address it cannot listen on
        ap.error(str(exc))


if __name__ == "__main__":
    main()
