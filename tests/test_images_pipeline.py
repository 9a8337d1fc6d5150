"""Download + store + manifest against a tiny local HTTP server: retries, quarantine reasons, reuse."""

from __future__ import annotations

import asyncio
import io
import os
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from sneaker_core.atomic import sha256_file
from sneaker_core.images.download import sized_url
from sneaker_core.images.normalise import normalise_result
from sneaker_core.images.pipeline import ImagesFailedError, Normaliser, process_model_images
from sneaker_core.settings import Settings

SNAPSHOT_SCHEMA = pa.schema([
    ("product_id", pa.string()), ("title", pa.string()), ("image_url", pa.string()),
    ("price_raw", pa.string()), ("price_usd", pa.float64()), ("price_reason", pa.string()),
    ("search_model", pa.string()), ("position", pa.int32()), ("page_url", pa.string()),
    ("scraped_at", pa.timestamp("us", tz="UTC")), ("source", pa.string()), ("model", pa.string()),
    ("brand", pa.string()), ("status", pa.string()), ("label_reason", pa.string()),
])


def write_snapshot(path: Path, rows: list[dict]) -> Path:
    """A scrape snapshot with exactly the scraper's columns; unspecified fields get plain defaults."""
    full = []
    for i, r in enumerate(rows):
        price = r.get("price_usd", 100.0 + i)
        full.append({
            "product_id": f"p{i}", "title": f"Air Jordan 1 Retro High OG 'Colour {i}'", "image_url": None,
            "price_raw": None if price is None else f"${price:,.0f}", "price_usd": price,
            "price_reason": None if price is not None else "no_price", "search_model": "air-jordan-1",
            "position": i, "page_url": "http://market.test/search?query=air+jordan+1",
            "scraped_at": datetime(2024, 6, 3, 10, 0, i % 60, tzinfo=UTC), "source": "demo",
            "model": "air-jordan-1", "brand": "Air Jordan", "status": "ok", "label_reason": "title matches",
            **r,
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(full, schema=SNAPSHOT_SCHEMA), path)
    return path


def png(colour: tuple[int, int, int, int] = (200, 10, 10, 255), size: tuple[int, int] = (40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, colour).save(buf, format="PNG")
    return buf.getvalue()


class ImageServer:
    """A threaded HTTP server on 127.0.0.1:0 with scripted responses per path and a request count."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[int, dict[str, str], bytes]]] = {}
        self.delays: dict[str, float] = {}
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path
                server.times[path].append(time.monotonic())
                server.hits[path] += 1
                script = server.routes.get(path, [(404, {"Content-Type": "text/html"}, b"<html>nope</html>")])
                status, headers, body = script[min(server.hits[path], len(script)) - 1]
                time.sleep(server.delays.get(path, 0.0))
                self.send_response(status)
                headers = {"Content-Type": "image/png", "Content-Length": str(len(body)), **headers}
                for k, v in headers.items():
                    if v:
                        self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, *responses: tuple[int, dict[str, str], bytes], delay: float = 0.0) -> str:
        self.routes[path] = list(responses)
        self.delays[path] = delay
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = ImageServer()
    yield srv
    srv.close()


def fast_settings(tmp_path: Path, **kw) -> Settings:
    base = {"data_dir": tmp_path / "data", "image_size": 32, "retry_base_delay_s": 0.01,
            "retry_max_delay_s": 0.3, "retry_attempts": 3, "request_timeout_s": 2.0, "image_workers": 1,
            "max_image_bytes": 4096}
    return Settings(**{**base, **kw})


def ok(body: bytes) -> tuple[int, dict[str, str], bytes]:
    return (200, {}, body)


def read_manifest(summary: dict) -> pd.DataFrame:
    return pd.read_parquet(summary["manifest_path"]).set_index("product_id")


def test_mixed_outcomes_manifest_and_rerun(tmp_path: Path, server: ImageServer) -> None:
    s = fast_settings(tmp_path)
    big = png() + b"\0" * 5000  # a valid PNG start, over the 4096-byte cap
    urls = {
        "good1": server.add("/a.png", ok(png((255, 0, 0, 255)))),
        "good2": server.add("/b.png", ok(png((0, 0, 255, 0)))),
        "flaky": server.add("/flaky.png", (503, {}, b"busy"), ok(png((0, 255, 0, 255)))),
        "slow_down": server.add("/429.png", (429, {"Retry-After": "1"}, b""), ok(png((9, 9, 9, 255)))),
        "missing": server.add("/gone.png", (404, {"Content-Type": "text/html"}, b"<html>404</html>")),
        "html": server.add("/html.png", ok(b"<!DOCTYPE html><html>challenge</html>")),
        "huge": server.add("/huge.png", ok(big)),
        "huge_chunked": server.add("/huge2.png", (200, {"Content-Length": ""}, big)),
        "json_typed": server.add("/j.png", (200, {"Content-Type": "application/json"}, b"{}")),
    }
    rows = [{"image_url": u} for u in urls.values()]
    rows += [{"image_url": urls["good1"]},  # the same URL under a second listing: one request
             {"image_url": None}, {"image_url": "data:image/gif;base64,R0lGODlhAQABAAAAACw="},
             {"image_url": "/relative/path.png"}]
    snap = write_snapshot(s.path("raw", "2024-W23", "air-jordan-1.parquet"), rows)

    seen: list[tuple[int, int]] = []
    summary = process_model_images(snap, s, progress=lambda d, t: seen.append((d, t)))
    m = read_manifest(summary)
    expect = {
        "p0": ("ok", None), "p1": ("ok", None), "p2": ("ok", None), "p3": ("ok", None),
        "p4": ("quarantined", "http_404"), "p5": ("quarantined", "not_an_image"),
        "p6": ("quarantined", "too_large"), "p7": ("quarantined", "too_large"),
        "p8": ("quarantined", "not_an_image"), "p9": ("ok", None),
        "p10": ("quarantined", "no_image_url"), "p11": ("quarantined", "placeholder"),
        "p12": ("quarantined", "bad_url"),
    }
    assert {pid: (r.status, r.reason) for pid, r in m.iterrows()} == expect
    assert summary["n"] == 13 and summary["ok"] == 5 and summary["quarantined"] == 8
    assert summary["reasons"] == {"bad_url": 1, "http_404": 1, "no_image_url": 1, "not_an_image": 2,
                                  "placeholder": 1, "too_large": 2}
    assert (summary["model"], summary["week"]) == ("air-jordan-1", "2024-W23")
    assert summary["manifest_path"] == str(s.path("images", "manifests", "2024-W23", "air-jordan-1.parquet"))
    assert summary["manifest_sha256"] == sha256_file(summary["manifest_path"])
    assert (summary["downloaded"], summary["reused"]) == (9, 0)
    assert seen[0] == (0, 9) and seen[-1] == (9, 9)
    # retries: the 503 and the 429 each cost one extra request; the 429 waited its Retry-After (capped 0.3 s)
    assert server.hits["/flaky.png"] == 2 and server.hits["/429.png"] == 2 and server.hits["/gone.png"] == 1
    assert server.times["/429.png"][1] - server.times["/429.png"][0] >= 0.29
    assert server.hits["/a.png"] == 1  # shared by two rows, fetched once
    assert m.loc["p9", "sha256"] == m.loc["p0", "sha256"]
    # the stored files: relative path, sha matches, white background for the transparent image
    for pid in ("p0", "p1", "p2", "p3"):
        path = s.data_dir / m.loc[pid, "store_path"]
        assert sha256_file(path) == m.loc[pid, "sha256"]
        assert m.loc[pid, "bytes"] > 0 and (m.loc[pid, "orig_width"], m.loc[pid, "orig_height"]) == (40, 30)
    stored = Image.open(s.data_dir / m.loc["p1", "store_path"])
    assert stored.size == (32, 32) and min(stored.getpixel((16, 16))) >= 250
    assert m.loc["p0", "orig_mode"] == "RGBA" and not m["cached"].any()

    # second run: nothing that is stored is requested again; only the failed URLs are retried
    before = Counter(server.hits)
    again = process_model_images(snap, s)
    assert (again["downloaded"], again["reused"]) == (5, 4)
    requested = {p for p in server.hits if server.hits[p] != before[p]}
    assert requested == {"/gone.png", "/html.png", "/huge.png", "/huge2.png", "/j.png"}
    m2 = read_manifest(again)
    assert m2.loc[["p0", "p1", "p2", "p3", "p9"], "cached"].all()
    assert m2.drop(columns="cached").equals(m.drop(columns="cached"))
    assert again["content_digest"] == summary["content_digest"]


def test_changed_store_file_is_refetched(tmp_path: Path, server: ImageServer) -> None:
    s = fast_settings(tmp_path)
    snap = write_snapshot(s.path("raw", "2024-W23", "m.parquet"), [{"image_url": server.add("/a.png", ok(png()))}])
    first = process_model_images(snap, s)
    path = s.data_dir / read_manifest(first).loc["p0", "store_path"]
    path.write_bytes(b"garbage")
    second = process_model_images(snap, s)
    assert (second["downloaded"], second["reused"], server.hits["/a.png"]) == (1, 0, 2)
    assert sha256_file(path) == read_manifest(second).loc["p0", "sha256"]
    # another image size is another store key: fetched again, stored beside the first
    third = process_model_images(snap, fast_settings(tmp_path, image_size=48))
    assert third["downloaded"] == 1 and read_manifest(third).loc["p0", "store_path"] != str(path)


def test_timeouts_and_connection_errors_are_named(tmp_path: Path, server: ImageServer) -> None:
    s = fast_settings(tmp_path, request_timeout_s=0.3, retry_attempts=2, min_image_ok_fraction=0.0)
    slow = server.add("/slow.png", ok(png()), delay=1.0)
    snap = write_snapshot(s.path("raw", "w", "m.parquet"),
                          [{"image_url": slow}, {"image_url": "http://127.0.0.1:9/x.png"}])
    m = read_manifest(process_model_images(snap, s))
    assert list(m["reason"]) == ["timeout", "connection_error"]
    assert server.hits["/slow.png"] == 2


def test_mostly_failing_model_raises_after_writing_manifest(tmp_path: Path, server: ImageServer) -> None:
    s = fast_settings(tmp_path)
    rows = [{"image_url": server.add("/ok.png", ok(png()))}]
    rows += [{"image_url": server.add(f"/bad{i}.png", (404, {}, b""))} for i in range(3)]
    rows += [{"image_url": None}] * 5  # rows without an URL do not count against the model
    snap = write_snapshot(s.path("raw", "2024-W23", "yeezy-350.parquet"), rows)
    with pytest.raises(ImagesFailedError) as exc:
        process_model_images(snap, s)
    msg = str(exc.value)
    assert "yeezy-350" in msg and "1/4 (25%)" in msg and "'http_404': 3" in msg
    manifest = s.path("images", "manifests", "2024-W23", "yeezy-350.parquet")
    assert manifest.exists() and len(pd.read_parquet(manifest)) == 9
    assert exc.value.summary["reasons"] == {"http_404": 3, "no_image_url": 5}


def test_process_pool_path_matches_thread_path(tmp_path: Path, server: ImageServer) -> None:
    urls = [server.add(f"/{i}.png", ok(png((i * 10, 255 - i * 10, 0, 128 + i)))) for i in range(20)]
    rows = [{"image_url": u} for u in urls]
    pooled = fast_settings(tmp_path / "a", image_workers=2)
    threaded = fast_settings(tmp_path / "b", image_workers=1)
    a = process_model_images(write_snapshot(pooled.path("raw", "w", "m.parquet"), rows), pooled)
    b = process_model_images(write_snapshot(threaded.path("raw", "w", "m.parquet"), rows), threaded)
    assert a["ok"] == b["ok"] == 20
    assert list(read_manifest(a)["sha256"]) == list(read_manifest(b)["sha256"])


def crash_on_marker(data: bytes, *args: object) -> tuple[bytes | None, dict]:
    """A normaliser whose worker process dies on one input (as a segfaulting decoder would)."""
    if data == b"crash":
        os._exit(1)
    return normalise_result(data, *args)


def test_a_dying_worker_quarantines_its_image_and_the_rest_continue() -> None:
    normaliser = Normaliser(2, processes=True, fn=crash_on_marker)
    try:
        crashed = asyncio.run(normaliser(b"crash", 32, 95, 10**6))
        after = asyncio.run(normaliser(png(), 32, 95, 10**6))
    finally:
        normaliser.close()
    assert crashed[0] is None and crashed[1]["reason"] == "worker_crashed"
    assert after[0] is not None and after[1]["orig_width"] == 40 and normaliser.pool is None


def test_cdn_urls_are_fetched_at_the_stored_size(tmp_path: Path, server: ImageServer) -> None:
    """A GOAT-style `width=` URL is requested at `image_size`; the manifest keeps the URL as scraped."""
    server.add("/cdn.png?action=crop&width=32", ok(png(size=(32, 32))))
    server.add("/cdn.png?action=crop&width=750", ok(png(size=(750, 750))))
    scraped = server.url("/cdn.png?action=crop&width=750")
    s = fast_settings(tmp_path, max_image_bytes=1 << 20)
    snap = write_snapshot(s.path("raw", "2024-W23", "m.parquet"), [{"image_url": scraped}])
    first = process_model_images(snap, s)
    row = read_manifest(first).loc["p0"]
    assert (row["url"], row["status"], row["orig_width"]) == (scraped, "ok", 32)
    assert server.hits == Counter({"/cdn.png?action=crop&width=32": 1})
    assert process_model_images(snap, s)["reused"] == 1 and sum(server.hits.values()) == 1
    full = process_model_images(snap, s.model_copy(update={"resize_at_source": False}))
    assert full["downloaded"] == 1 and read_manifest(full).loc["p0", "orig_width"] == 750
    assert server.hits["/cdn.png?action=crop&width=750"] == 1


@pytest.mark.parametrize(("url", "expected"), [
    ("https://image.goat.com/a/b_00.png.png?action=crop&width=750",
     "https://image.goat.com/a/b_00.png.png?action=crop&width=224"),
    ("https://x.test/i.png?width=100", "https://x.test/i.png?width=100"),  # already small enough
    ("https://x.test/i.png?width=auto", "https://x.test/i.png?width=auto"),
    ("https://x.test/i.png", "https://x.test/i.png"),
])
def test_sized_url_only_shrinks_a_numeric_width(url: str, expected: str) -> None:
    assert sized_url(url, 224) == expected
