"""The demo marketplace HTTP server: a GOAT-like site on loopback, served from a background thread."""

from __future__ import annotations

import functools
import io
import json
import sys
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from sneaker_core.market.catalog import Catalog, Product
from sneaker_core.market.catalog_csv import load_catalog_csv
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.faults import FaultInjector, FaultSpec
from sneaker_core.market.page import PAGE_LIMIT, ClassNames, challenge_page, product_page, search_page
from sneaker_core.market.render import ImageCache, RenderSpec, render_image
from sneaker_core.market.truth import BUY_BAR_PATH, buy_bar, paths_truth
from sneaker_core.market.weeks import week_at, week_label, week_monday

MAX_PAGE_LIMIT = 100
# Bump when the catalog, prices or pictures a seed produces change: it is part of the demo source's identity
# in cache keys, so a changed market is scraped again even within the same week.
MARKET_VERSION = 3
IMAGE_SIDE = 750  # the originals' width and height, as on GOAT's CDN
MIN_IMAGE_WIDTH = 16
JSON_PATH = "/web-api/consumer-search/get-product-search-results"
# Abuse limits: a search's cost grows with its query's tokens (64 KB took 3.5 s of CPU), and a client that
# connects and sends nothing (or stops reading) would hold its thread forever without a socket timeout.
MAX_QUERY_CHARS = 2048
REQUEST_TIMEOUT_S = 30.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    market: DemoMarket

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a killed scraper, a timeout) or stops reading is routine; anything else is
        printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms delayed-ACK stalls
    server: _Server

    @property
    def timeout(self) -> float:  # read by StreamRequestHandler.setup: the connection's socket timeout
        return self.server.market.request_timeout_s

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the market is used inside tests and pipelines."""

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, text: str, status: int = 200) -> None:
        self._send(status, text.encode(), "text/html; charset=utf-8")

    def _json(self, obj: object, status: int = 200) -> None:
        self._send(status, json.dumps(obj, separators=(",", ":")).encode(), "application/json")

    def _not_found(self, why: str) -> None:
        self._json({"error": why}, 404)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        m = self.server.market
        parts = urlsplit(self.path)
        if len(parts.query) > MAX_QUERY_CHARS:
            return self._json({"error": f"query string over {MAX_QUERY_CHARS} characters"}, 414)
        path, qs = parts.path, parse_qs(parts.query)
        kind = "json" if path in (JSON_PATH, BUY_BAR_PATH) else "image" if path.startswith("/images/") else \
            "search" if path == "/search" else "other"
        if m.faults.spec.latency_ms:
            time.sleep(m.faults.spec.latency_ms / 1000)
        decision = m.faults.decide(kind, self.path)
        if decision.action == "forbidden":
            return self._html(challenge_page(), 403)
        if decision.action == "challenge":
            return self._html(challenge_page(), 200)
        if decision.action == "throttle":
            return self._send(429, b'{"error":"too many requests"}', "application/json", {"Retry-After": "1"})
        if decision.action == "error":
            return self._send(503, b'{"error":"service unavailable"}', "application/json")
        try:
            self._route(m, path, qs, decision.fraction if decision.action == "truncate" else 1.0)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, m: DemoMarket, path: str, qs: dict[str, list[str]], fraction: float) -> None:
        first = lambda k, d="": qs.get(k, [d])[0]
        if path == "/robots.txt":
            lines = ["User-agent: *"] + [f"Disallow: {p}" for p in m.disallow]
            return self._send(200, ("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")
        if path == "/search":
            query = first("query")
            found = m.catalog.search(query)
            first_page = [m.catalog.product_json(p, self._base()) for p in found[:PAGE_LIMIT]]
            return self._html(search_page(query, first_page, len(found), m.classes))
        if path == JSON_PATH:
            return self._results(m, qs)
        if path == BUY_BAR_PATH:
            status, body = buy_bar(m.catalog, first("productTemplateId"))
            return self._json(body, status)
        if path.startswith("/images/") and path.endswith(".png"):
            p = m.catalog.by_image.get(path[len("/images/"):-len(".png")])
            if p is None:
                return self._not_found(f"no image {path}")
            try:
                width = int(first("width", str(IMAGE_SIDE)))
            except ValueError:
                return self._json({"error": "width must be an integer"}, 400)
            body = m.image_bytes(p, max(MIN_IMAGE_WIDTH, width))
            return self._send(200, body[: max(1, int(len(body) * fraction))], "image/png",
                              {"Cache-Control": "public, max-age=86400"})
        if path.startswith("/sneakers/"):
            p = m.catalog.by_slug.get(path[len("/sneakers/"):])
            if p is None:
                return self._not_found(f"no product {path}")
            return self._html(product_page(m.catalog.product_json(p, self._base())))
        if path == "/__catalog.json":
            if "query" in qs:
                return self._json({"query": first("query"), "ids": [p.id for p in m.catalog.search(first("query"))]})
            return self._json({"seed": m.catalog.seed, "version": MARKET_VERSION, "week": m.week_label,
                               "products": m.ground_truth(sizes="sizes" in qs)})
        if path == "/__paths.json":
            if m.population is None:
                return self._not_found("a CSV catalog has no price paths")
            status, body = paths_truth(m.population, m.catalog.week, qs)
            return self._json(body, status)
        if path == "/":
            return self._html('<!DOCTYPE html><html><body><h1>Demo Market</h1><form action="/search">'
                              '<input name="query"><input type="hidden" name="web_groups" value="sneakers">'
                              "</form></body></html>")
        return self._not_found(f"no route {path}")

    def _results(self, m: DemoMarket, qs: dict[str, list[str]]) -> None:
        try:
            limit = int(qs.get("pageLimit", [str(PAGE_LIMIT)])[0])
            page = int(qs.get("pageNumber", ["1"])[0])
        except ValueError:
            return self._json({"error": "pageLimit and pageNumber must be integers"}, 400)
        if limit < 1 or page < 1:
            return self._json({"error": "pageLimit and pageNumber must be at least 1"}, 400)
        limit = min(limit, MAX_PAGE_LIMIT)
        found = m.catalog.search(qs.get("queryString", [""])[0])
        chunk = found[(page - 1) * limit: page * limit]
        base = self._base()
        self._json({"data": {"productsList": [m.catalog.product_json(p, base) for p in chunk],
                             "totalResults": len(found), "pageNumber": page, "pageLimit": limit}})

    def _base(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}" if host else self.server.market.url


class DemoMarket:
    """A local GOAT-like marketplace; `with DemoMarket() as m: m.url` or `.start()` / `.stop()`."""

    def __init__(self, catalog_csv: Path | str | None = None, seed: int = 0, n_products: int = 1500,
                 faults: str | FaultSpec | None = None, host: str = "127.0.0.1", port: int = 0,
                 disallow: tuple[str, ...] = ("/account", "/checkout"), request_timeout_s: float = REQUEST_TIMEOUT_S,
                 as_of: datetime | date | int | None = None):
        """`as_of`: the moment (or week index, weeks.py) whose listings and prices the synthetic catalog serves;
        default now. A CSV catalog is static: it ignores `as_of`."""
        self.population = None if catalog_csv else Population(seed, n_products)
        self.catalog: Catalog = load_catalog_csv(Path(catalog_csv), seed) if catalog_csv else \
            self.population.at(as_of if isinstance(as_of, int) else week_at(as_of))  # type: ignore[union-attr]
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = FaultInjector(spec, seed)
        self.host, self.port, self.disallow = host, port, tuple(disallow)
        self.request_timeout_s = request_timeout_s
        self.images = ImageCache()
        self._resized = functools.lru_cache(maxsize=4096)(self._resize)
        self.classes = ClassNames.fresh()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def bound(self) -> str:
        """The address the socket listens on, e.g. '0.0.0.0:8080' (every interface) or '127.0.0.1:8080'."""
        if self._server is None:
            raise RuntimeError("the demo market is not running; call start() or use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo market is not running; call start() or use it as a context manager")
        host = self.host if self.host not in ("0.0.0.0", "") else "127.0.0.1"
        return f"http://{host}:{self._server.server_address[1]}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        self.classes = ClassNames.fresh()
        try:
            self._server = _Server((self.host, self.port), _Handler)
        except (OSError, OverflowError) as exc:  # unresolvable host, port in use or out of range
            raise OSError(f"the demo market cannot listen on {self.host}:{self.port}: "
                          f"{str(getattr(exc, 'strerror', None) or exc).rstrip('.')}; use a local address (default 127.0.0.1) "
                          "and a free port from 0 to 65535 (0 picks one)") from None
        self._server.market = self
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-market", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def week_label(self) -> str | None:
        """The served week as '2026-W49' (None for a static CSV catalog)."""
        return week_label(self.catalog.week) if self.catalog.week is not None else None

    def ground_truth(self, sizes: bool = False) -> list[dict]:
        return self.catalog.ground_truth(sizes)

    def image_bytes(self, p: Product, width: int = IMAGE_SIDE) -> bytes:
        """The product's PNG, `width` px wide at most, like the CDN's `?action=crop&width=` (cached; re-listings
        share their original's bytes)."""
        spec = RenderSpec(p.render_key, p.title, p.model, p.brand_name, p.category)
        return self.images.get(spec) if width >= IMAGE_SIDE else self._resized(spec, width)

    def _resize(self, spec: RenderSpec, width: int) -> bytes:
        # Shrunk from the drawing in memory: the pixels of shrinking the lossless original PNG, without encoding
        # and decoding 750 px (two thirds of the CPU of a cold request at the pipeline's stored size).
        im = render_image(spec)
        small = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="PNG")
        return out.getvalue()


def serve_foreground(**kwargs: object) -> None:
    """Run a market until interrupted; the first stdout line is 'Demo market on URL' (for subprocess use), then
    the address bound when it is not the URL's (e.g. every interface for --host 0.0.0.0)."""
    market = DemoMarket(**kwargs)  # type: ignore[arg-type]
    market.start()
    print(f"Demo market on {market.url}", flush=True)
    if not market.url.endswith("//" + market.bound):
        print(f"listening on {market.bound}" + (" (every interface: other machines can reach it)"
                                                 if market.bound.startswith("0.0.0.0:") else ""), flush=True)
    if market.catalog.week is not None:
        print(f"Serving the week {market.week_label} (Monday {week_monday(market.catalog.week)})", file=sys.stderr,
              flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        market.stop()
        print("Demo market stopped", file=sys.stderr, flush=True)
