"""Per-size asks against a tiny stub marketplace serving GOAT's `buy_bar_data` shape.

The stub answers by template id: full size runs, a product nobody offers, malformed entries, a 404, a page that is
not JSON, transient 503s, and (where a test says so) a 403 or a challenge page.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from sneaker_core.scrape import site
from sneaker_core.scrape.errors import BlockedError, RobotsDisallowedError
from sneaker_core.scrape.size_entries import parse_size_entries
from sneaker_core.scrape.sizes import scrape_sizes
from sneaker_core.scrape.snapshot import manifest_path, sizes_path
from sneaker_core.settings import Settings

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
WEEK = "2026-W48"
CHALLENGE = "<html><body><div id='px-captcha'>Press &amp; Hold to confirm you are a human</div></body></html>"


def entry(size, cents, stock="in_stock", shoe="new_no_defects", box="good_condition"):
    e = {"sizeOption": {"presentation": size, "value": size}, "stockStatus": stock, "shoeCondition": shoe,
         "boxCondition": box}
    if cents != "absent":
        e["lowestPriceCents"] = None if cents is None else {"amountUsdCents": cents}
    return e


FULL = [entry("8", 19000), entry("9.5", 21000), entry("9.5", 15000, shoe="used"),
        entry("9.5", 16000, box="badly_damaged"), entry("13", None, stock="not_in_stock"), entry("10", "absent",
                                                                                                 "not_in_stock")]
NOBODY = [entry("9", None, "not_in_stock"), entry("10", "absent", "not_in_stock")]
MALFORMED = [entry("10.5", 30000), {"sizeOption": {}, "lowestPriceCents": {"amountUsdCents": 1}},
             entry("8.5Y", 9000), entry("11", -500), entry("12", "12k"), entry("30", 100), entry("9.25", 100),
             "not an entry", entry("10.5", 28000), entry("10.5", 31000)]
# template id -> answers in order (the last one repeats): (status, body); a list or dict body is sent as JSON
ANSWERS: dict[int, list[tuple[int, object]]] = {
    101: [(200, FULL)], 102: [(200, NOBODY)], 103: [(200, MALFORMED)], 104: [(404, {"error": "not found"})],
    105: [(200, "<html>maintenance</html>")], 106: [(503, {}), (503, {}), (200, [entry("7", 12345)])],
    107: [(200, [])], 201: [(403, CHALLENGE)], 202: [(200, CHALLENGE)],
}


class Stub:
    """The stub marketplace on a loopback port; `requests` counts hits per template id."""

    def __init__(self, disallow: str = "/account") -> None:
        self.requests: Counter[int] = Counter()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/robots.txt":
                    return self._send(200, f"User-agent: *\nDisallow: {disallow}\n", "text/plain")
                assert parts.path == site.SIZES_PATH, self.path
                qs = parse_qs(parts.query)
                assert qs["countryCode"] == ["US"]
                tid = int(qs["productTemplateId"][0])
                n = stub.requests[tid]
                stub.requests[tid] += 1
                status, body = ANSWERS[tid][min(n, len(ANSWERS[tid]) - 1)]
                if isinstance(body, str):
                    return self._send(status, body, "text/html")
                return self._send(status, json.dumps(body), "application/json")

            def _send(self, status, text, ctype):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    s = Stub()
    yield s
    s.close()


def _settings(tmp_path: Path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, source="http://stub", sizes=True, retry_base_delay_s=0.01,
                    retry_attempts=3, **kw)


def _snapshot(tmp_path: Path, model: str, rows: list[tuple]) -> Path:
    """A snapshot with the columns the size scrape reads: (product_id, template_id, status) in result order."""
    path = tmp_path / "raw" / WEEK / f"{model}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows, columns=["product_id", "template_id", "status"])
    df["position"] = range(len(df))
    df.to_parquet(path)
    return path


def test_sizes_scraped_equal_what_was_served(tmp_path, stub):
    snap = _snapshot(tmp_path, "dunk-low", [
        ("full", 101, "ok"), ("nobody", 102, "ok"), ("tee", 999, "non_sneaker"), ("no-id", None, "ok"),
        ("malformed", 103, "relabelled"), ("gone", 104, "ok"), ("html", 105, "ok"), ("flaky", 106, "ok"),
        ("empty", 107, "ok")])
    m = scrape_sizes("dunk-low", _settings(tmp_path), stub.url, "stub", snap, now=NOW)
    table = pd.read_parquet(tmp_path / m["path"])
    assert tmp_path / m["path"] == sizes_path(tmp_path, WEEK, "dunk-low")
    got = [(r.product_id, r.template_id, r.size, r.size_label, None if pd.isna(r.ask_usd) else r.ask_usd,
            r.stock_status) for r in table.itertuples(index=False)]
    assert got == [
        ("full", 101, 8.0, "8", 190.0, "in_stock"), ("full", 101, 9.5, "9.5", 210.0, "in_stock"),
        ("full", 101, 10.0, "10", None, "not_in_stock"), ("full", 101, 13.0, "13", None, "not_in_stock"),
        ("nobody", 102, 9.0, "9", None, "not_in_stock"), ("nobody", 102, 10.0, "10", None, "not_in_stock"),
        ("malformed", 103, 10.5, "10.5", 280.0, "in_stock"),  # the lowest of three 10.5s
        ("flaky", 106, 7.0, "7", 123.45, "in_stock"),  # answered after two 503s
    ]
    assert set(table["currency"]) == {"USD"} and set(table["scraped_at"]) == {pd.Timestamp(NOW)}
    assert str(table["scraped_at"].dtype) == "datetime64[us, UTC]"
    assert m["products"] == 7 and m["answered"] == 5  # 104 (404) and 105 (not JSON) did not answer
    assert (m["rows"], m["asks"], m["with_offers"]) == (8, 4, 3)  # 'nobody' and 'empty' offer no size
    assert m["skipped_products"] == {"answer_not_json": 1, "http_404": 1, "no_template_id": 1,
                                     "not_a_labelled_sneaker": 1}
    assert m["skipped_entries"] == {"bad_ask": 1, "duplicate_size": 2, "entry_not_an_object": 1, "missing_size": 1,
                                    "negative_ask": 1, "non_numeric_size": 1, "size_not_in_halves": 1,
                                    "size_out_of_range": 1}
    assert m["other_condition"] == 2
    assert json.loads(manifest_path(sizes_path(tmp_path, WEEK, "dunk-low")).read_text()) == m
    assert stub.requests[106] == 3 and 999 not in stub.requests


def test_max_products_bounds_the_requests(tmp_path, stub):
    snap = _snapshot(tmp_path, "dunk-low", [("full", 101, "ok"), ("nobody", 102, "ok"), ("empty", 107, "ok")])
    m = scrape_sizes("dunk-low", _settings(tmp_path, sizes_max_products=2), stub.url, "stub", snap, now=NOW)
    assert m["products"] == 2 and m["skipped_products"] == {"beyond_max_products": 1}
    assert 107 not in stub.requests


def test_a_snapshot_without_template_ids_requests_nothing_and_says_why(tmp_path, stub):
    path = _snapshot(tmp_path, "dunk-low", [("a", 101, "ok"), ("b", 102, "ok")])
    pd.read_parquet(path).drop(columns="template_id").to_parquet(path)
    m = scrape_sizes("dunk-low", _settings(tmp_path), stub.url, "stub", path, now=NOW)
    assert (m["products"], m["rows"], m["skipped_products"]) == (0, 0, {"no_template_id": 2})
    assert not stub.requests


@pytest.mark.parametrize(("blocked", "message"), [(201, "HTTP 403"), (202, "challenge page instead of JSON")])
def test_a_blocked_size_request_fails_the_size_table(tmp_path, stub, blocked, message):
    snap = _snapshot(tmp_path, "bapesta", [("full", 101, "ok"), ("walled", blocked, "ok"), ("nobody", 102, "ok")])
    with pytest.raises(BlockedError, match=rf"\[bapesta\] blocked: {message}"):
        scrape_sizes("bapesta", _settings(tmp_path), stub.url, "stub", snap, now=NOW)
    assert not sizes_path(tmp_path, WEEK, "bapesta").exists()
    assert stub.requests[blocked] == 1 and 102 not in stub.requests  # not retried, no further requests


def test_robots_disallowing_the_size_endpoint_fails_before_any_request(tmp_path):
    stub = Stub(disallow="/web-api/v1/product_variants/")
    try:
        snap = _snapshot(tmp_path, "dunk-low", [("full", 101, "ok")])
        with pytest.raises(RobotsDisallowedError, match="robots.txt disallows"):
            scrape_sizes("dunk-low", _settings(tmp_path), stub.url, "stub", snap, now=NOW)
        assert not stub.requests
    finally:
        stub.close()


def test_parse_keeps_only_new_pairs_in_good_boxes():
    parsed = parse_size_entries(FULL)
    assert [(r["size"], r["ask_usd"]) for r in parsed.rows] == [(8.0, 190.0), (9.5, 210.0), (10.0, None),
                                                                (13.0, None)]
    assert parsed.other_condition == 2 and not parsed.skipped
    assert parse_size_entries({"error": "x"}).skipped == {"answer_not_a_list": 1}


def test_sizes_setting_defaults_on_for_the_demo_only(monkeypatch):
    monkeypatch.delenv("SNEAKER_SIZES", raising=False)
    assert Settings(source="demo").sizes_enabled()
    assert not Settings(source="goat").sizes_enabled()
    assert not Settings(source="http://127.0.0.1:8765").sizes_enabled()
    assert Settings(source="goat", sizes=True).sizes_enabled()
    monkeypatch.setenv("SNEAKER_SIZES", "false")
    assert not Settings(source="demo").sizes_enabled()


def test_a_blocked_model_loses_only_its_own_size_table_in_the_flow(tmp_path, stub, monkeypatch):
    """`submit_sizes` as `weekly_refresh` wires it: one task per model; the blocked model's table fails (not
    retried), the other's is written, and a model whose scrape failed is left out with that reason."""
    from prefect import flow, task
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    from flows.scrape import split_outcomes, submit_sizes
    from sneaker_core.atomic import sha256_file

    settings = _settings(tmp_path)
    manifests = {m: {"path": str(p.relative_to(tmp_path)), "sha256": sha256_file(p)} for m, p in (
        ("dunk-low", _snapshot(tmp_path, "dunk-low", [("full", 101, "ok"), ("nobody", 102, "ok")])),
        ("bapesta", _snapshot(tmp_path, "bapesta", [("full", 101, "ok"), ("walled", 201, "ok")])))}

    @task
    def scraped(model: str) -> dict:
        if model == "yeezy-350":
            raise RuntimeError("[yeezy-350] blocked: HTTP 403 (bot wall)")
        return manifests[model]

    @flow
    def sizes_only() -> tuple[dict, dict]:
        scrapes = {m: scraped.submit(m) for m in ("dunk-low", "bapesta", "yeezy-350")}
        failed = split_outcomes(scrapes)[1]
        return split_outcomes(submit_sizes(scrapes, settings, stub.url, NOW), failed)

    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: str(tmp_path / "results")}), \
            prefect_test_harness(server_startup_timeout=180):
        sized, failed = sizes_only()
    assert list(sized) == ["dunk-low"] and (sized["dunk-low"]["rows"], sized["dunk-low"]["asks"]) == (6, 2)
    assert sorted(failed) == ["bapesta", "yeezy-350"]
    assert failed["bapesta"].startswith("[bapesta] blocked: HTTP 403 from ")
    assert failed["yeezy-350"] == "left out because an earlier stage failed: [yeezy-350] blocked: HTTP 403 (bot wall)"
    assert stub.requests[201] == 1  # a block is not retried
    assert sizes_path(tmp_path, WEEK, "dunk-low").is_file() and not sizes_path(tmp_path, WEEK, "bapesta").exists()
