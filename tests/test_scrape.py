"""Scrape stage against the demo market, with real Chromium: recall, placeholders, faults, blocks, robots."""

from datetime import UTC, date, datetime

import httpx
import pyarrow.parquet as pq
import pytest

from sneaker_core.market import DemoMarket
from sneaker_core.registry import get_model, load_models
from sneaker_core.scrape import fields, site
from sneaker_core.scrape.errors import BlockedError, RobotsDisallowedError, TransientScrapeError
from sneaker_core.scrape.records import ScrapeStats, build_table
from sneaker_core.scrape.run import scrape_model
from sneaker_core.scrape.snapshot import read_snapshot, write_snapshot
from sneaker_core.settings import Settings

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # ISO week 2026-W48


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=3, n_products=600) as m:
        yield m


def _truth(market, query: str) -> list[str]:
    """Slugs of a search, in result order, from the market's ground truth."""
    truth = httpx.get(f"{market.url}/__catalog.json").json()["products"]
    slug = {p["id"]: p["slug"] for p in truth}
    ids = httpx.get(f"{market.url}/__catalog.json", params={"query": query}).json()["ids"]
    return [slug[i] for i in ids]


def _scrape(market, tmp_path, model, **kw):
    settings = Settings(**{"data_dir": tmp_path, "scroll_wait_s": 3, "request_timeout_s": 15,
                           "retry_base_delay_s": 0.05, **kw})
    manifest = scrape_model(model, settings, market.url, "demo:test", now=NOW)
    table = pq.read_table(tmp_path / manifest["path"])
    return manifest, table.to_pylist()


def _comparable(rows):
    return sorted((r["product_id"], r["title"], r["image_url"], r["price_raw"], r["price_usd"], r["position"],
                   r["page_url"], r["model"], r["status"]) for r in rows)


@pytest.mark.parametrize("model", ["air-jordan-1", "adidas-samba", "bapesta"])
def test_browser_mode_full_recall_no_placeholders(market, tmp_path, model):
    manifest, rows = _scrape(market, tmp_path, model)
    spec_query = {"air-jordan-1": "air jordan 1", "adidas-samba": "adidas samba", "bapesta": "bapesta"}[model]
    truth = _truth(market, spec_query)
    assert [r["product_id"] for r in rows] == truth  # full recall, in grid order, no duplicates
    assert manifest["rows"] == len(truth) and manifest["placeholders"] == 0 and manifest["duplicates"] == 0
    assert all(r["image_url"] and not r["image_url"].startswith("data:") for r in rows)
    assert manifest["path"] == f"raw/2026-W48/{model}.parquet"
    assert manifest["priced"] == sum(r["price_usd"] is not None for r in rows)
    assert {r["search_model"] for r in rows} == {model}


def test_json_and_browser_modes_return_identical_records(market, tmp_path):
    _, browser_rows = _scrape(market, tmp_path / "b", "dunk-low", scrape_mode="browser")
    _, json_rows = _scrape(market, tmp_path / "j", "dunk-low", scrape_mode="json")
    assert len(json_rows) > 25  # more than one page, so scrolling and pagination were both exercised
    assert _comparable(browser_rows) == _comparable(json_rows)


def test_item_cap_is_reported(market, tmp_path):
    manifest, rows = _scrape(market, tmp_path, "air-force-1", item_cap=30, scrape_mode="browser")
    assert len(rows) == 30 and manifest["cap_reached"] is True
    manifest, rows = _scrape(market, tmp_path, "air-force-1", item_cap=30, scrape_mode="json")
    assert len(rows) == 30 and manifest["cap_reached"] is True


@pytest.mark.parametrize("mode", ["browser", "json"])
def test_completes_under_errors_and_throttling_through_retries(tmp_path, mode):
    with DemoMarket(seed=3, n_products=600, faults="error_rate=0.1,throttle_rate=0.05") as m:
        manifest, rows = _scrape(m, tmp_path, "air-jordan-1", scrape_mode=mode)
        assert [r["product_id"] for r in rows] == _truth(m, "air jordan 1")
        assert manifest["placeholders"] == 0


@pytest.mark.parametrize("mode", ["browser", "json"])
@pytest.mark.parametrize("fault", ["challenge_rate=1", "forbidden_rate=1"])
def test_challenge_or_403_is_blocked_not_an_empty_success(tmp_path, mode, fault):
    with DemoMarket(seed=3, n_products=200, faults=fault) as m, pytest.raises(BlockedError) as err:
        _scrape(m, tmp_path, "dunk-low", scrape_mode=mode)
    assert err.value.status == "blocked" and not err.value.retriable and "[dunk-low] blocked" in str(err.value)
    assert not (tmp_path / "raw").exists()  # nothing written that a re-run could trust


def test_query_without_results_is_blocked(market, tmp_path, monkeypatch):
    monkeypatch.setattr("sneaker_core.scrape.site.search_url", lambda base, q: f"{base}/search?query=zzzz-none")
    with pytest.raises(BlockedError, match="no product cards"):
        _scrape(market, tmp_path, "dunk-low", scrape_mode="browser", scroll_wait_s=1, request_timeout_s=3)


def test_robots_disallow_fails_the_model_clearly(tmp_path):
    with DemoMarket(seed=3, n_products=200, disallow=("/search", "/web-api/")) as m:
        for mode in ("browser", "json"):
            with pytest.raises(RobotsDisallowedError, match=r"robots.txt disallows .*search"):
                _scrape(m, tmp_path, "dunk-low", scrape_mode=mode)


def test_unreachable_market_is_transient(tmp_path):
    settings = Settings(data_dir=tmp_path, scrape_mode="json", retry_attempts=2, retry_base_delay_s=0.01)
    with pytest.raises(TransientScrapeError) as err:
        scrape_model("dunk-low", settings, "http://127.0.0.1:9", "x", now=NOW)
    assert err.value.retriable


def test_site_helpers():
    assert site.format_price_cents(150700) == "$1,507" and site.format_price_cents(None) is None
    assert site.slug_from_href("https://x/sneakers/air-jordan-1-abc-12") == "air-jordan-1-abc-12"
    assert site.slug_from_href("/apparel/tee") is None
    assert site.looks_like_challenge("<h1>Press &amp; Hold to confirm you are a human</h1>")
    fields, reason = site.product_fields({"slug": "x", "title": "  "})
    assert fields is None and reason == "missing_title"


def _expected_time_fields(market, slug):
    p = market.catalog.by_slug[slug]
    retail = p.retail_cents / 100 if p.retail_cents else None
    return date.fromisoformat(p.release_date), retail, p.id


@pytest.mark.parametrize("mode", ["json", "browser"])
def test_both_modes_record_the_time_fields(market, tmp_path, mode):
    manifest, rows = _scrape(market, tmp_path, "bapesta", scrape_mode=mode)
    assert rows and manifest["schema_version"] == 2
    for r in rows:
        assert (r["release_date"], r["retail_usd"], r["template_id"]) == _expected_time_fields(market, r["product_id"])
    no_retail = sum(market.catalog.by_slug[r["product_id"]].retail_cents is None for r in rows)
    assert 0 < no_retail < len(rows)  # the demo sends no retail for some listings; nothing else is null
    assert manifest["nulls"] == {"retail_usd": {"missing": no_retail}}


def test_time_fields_parse_or_name_why_not():
    assert fields.release_date("2023-11-24") == (date(2023, 11, 24), None)
    assert fields.release_date("2023-11-24T23:59:59.999Z") == (date(2023, 11, 24), None)
    assert fields.release_date("2023-11-24T23:30:00-05:00") == (date(2023, 11, 25), None)  # the UTC day
    assert fields.release_date(None) == (None, "missing")
    assert fields.release_date("soon") == (None, "unparseable")
    assert fields.release_date(1700000000) == (None, "unparseable")
    assert fields.release_date("0001-01-01") == (None, "implausible")
    assert fields.retail_usd(19000) == (190.0, None)
    assert fields.retail_usd(None) == (None, "missing")
    assert fields.retail_usd(0) == (None, "non_positive") and fields.retail_usd(-500) == (None, "non_positive")
    assert fields.retail_usd(10**12) == (None, "absurd")
    assert fields.retail_usd("19000") == (None, "malformed") and fields.retail_usd(True) == (None, "malformed")
    assert fields.template_id(812345) == ("812345", None) and fields.template_id("812345") == ("812345", None)
    assert fields.template_id(None) == (None, "missing") and fields.template_id("abc") == (None, "malformed")


def test_bad_time_fields_are_null_and_counted(tmp_path):
    """Hostile JSON values: the row is kept, the field is null, the manifest counts why."""
    spec = get_model("dunk-low")
    base = {"title": "Nike Dunk Low Panda", "image_url": None, "price_raw": "$120", "page_url": "u"}
    items = [{**base, "product_id": "a", "position": 0, "release_raw": "2023-02-30", "retail_raw": 0,
              "template_raw": 17},
             {**base, "product_id": "b", "position": 1, "release_raw": "2023-11-24T23:59:59.999Z",
              "retail_raw": 11000, "template_raw": None}]
    stats = ScrapeStats()
    table = build_table(items, spec, "test", NOW, stats, load_models())
    manifest = write_snapshot(table, tmp_path, "2026-W48", "dunk-low", "test", stats)
    rows = read_snapshot(tmp_path / manifest["path"]).to_pylist()
    assert [(r["release_date"], r["retail_usd"], r["template_id"]) for r in rows] == [
        (None, None, "17"), (date(2023, 11, 24), 110.0, None)]
    assert manifest["nulls"] == {"release_date": {"unparseable": 1}, "retail_usd": {"non_positive": 1},
                                 "template_id": {"missing": 1}}


def test_a_model_only_the_users_models_file_defines_is_scraped_and_labelled(market, tmp_path):
    """SNEAKER_MODELS_FILE is the registry the scrape labels with (not only the one it searches with)."""
    models_file = tmp_path / "my-models.yaml"
    models_file.write_text("models:\n  - {key: my-dunk, name: My Dunk, brand: Nike, query: dunk low,\n"
                           "     patterns: ['\\bdunk low\\b']}\n", encoding="utf-8")
    manifest, rows = _scrape(market, tmp_path / "data", "my-dunk", scrape_mode="json", models_file=models_file)
    assert manifest["rows"] == len(rows) == len(_truth(market, "dunk low")) > 0
    assert {r["search_model"] for r in rows} == {"my-dunk"}
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) >= 0.8 * len(rows) and {r["model"] for r in ok} == {"my-dunk"}
    assert {r["brand"] for r in ok} == {"Nike"}


def test_scrape_cache_key_holds_the_models_files_content(tmp_path):
    from tasks.scrape import models_digest

    models_file = tmp_path / "m.yaml"
    models_file.write_text("models: []\n", encoding="utf-8")
    before = models_digest(Settings(models_file=models_file))
    models_file.write_text("models: [] # edited\n", encoding="utf-8")
    assert models_digest(Settings(models_file=models_file)) != before != models_digest(Settings())
