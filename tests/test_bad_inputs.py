"""Bad inputs, each with its expected named outcome: images, listings, pages and configuration.

Images go through the real image stage (HTTP download, sniffing, normalising, the manifest) from a local
server; listings through the scraper's record builder; pages through a JSON-mode scrape of a scripted
site; configuration through the `sneaker` CLI, which must fail in one line that names the fix.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from image_corpus import CORPUS
from test_images_pipeline import ImageServer, fast_settings, read_manifest, write_snapshot
from typer.testing import CliRunner

from sneaker_core.images.pipeline import process_model_images
from sneaker_core.registry import get_model, load_models
from sneaker_core.scrape import site
from sneaker_core.scrape.errors import BlockedError, ScrapeError
from sneaker_core.scrape.records import ScrapeStats, build_table
from sneaker_core.scrape.run import scrape_model
from sneaker_core.settings import Settings

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)

# --- images: (corpus entry, content type served) -> manifest status or quarantine reason -------------------
IMAGE_CASES = {
    "zero_bytes": ("zero_bytes", "image/png", "empty"),
    "html_served_as_png": ("html_as_image", "image/png", "not_an_image"),
    "html_served_as_html": ("html_as_image", "text/html", "not_an_image"),
    "json_served_as_jpeg": ("json_as_image", "image/jpeg", "not_an_image"),
    "truncated_png": ("truncated_png", "image/png", "truncated"),
    "truncated_jpeg": ("truncated_jpeg", "image/jpeg", "truncated"),
    "decompression_bomb": ("bomb_huge", "image/png", "too_many_pixels"),
    "cmyk_jpeg": ("cmyk_jpeg", "image/jpeg", "ok"),
    "png_16bit": ("png_16bit", "image/png", "ok"),
    "palette_transparency": ("palette_transparency", "image/png", "ok"),
    "animated_gif": ("animated_gif", "image/gif", "ok"),
    "webp": ("webp_rgba", "image/webp", "ok"),
    "one_by_one": ("one_pixel", "image/png", "ok"),
    "wide_10000x100": ("wide_10000x100", "image/png", "ok"),
}


@pytest.fixture(scope="module")
def image_manifest(tmp_path_factory):
    """One image-stage run over every case (one snapshot row each); the manifest indexed by product_id."""
    tmp = tmp_path_factory.mktemp("bad-images")
    srv = ImageServer()
    try:
        rows = []
        for name, (entry, ctype, _) in IMAGE_CASES.items():
            url = srv.add(f"/{name}", (200, {"Content-Type": ctype}, CORPUS[entry][0]))
            rows.append({"product_id": name, "image_url": url})
        snap = write_snapshot(tmp / "data" / "raw" / "2026-W48" / "air-jordan-1.parquet", rows)
        settings = fast_settings(tmp, max_image_bytes=2**20, min_image_ok_fraction=0)
        summary = process_model_images(snap, settings)
    finally:
        srv.close()
    return read_manifest(summary)


@pytest.mark.parametrize("name", list(IMAGE_CASES))
def test_bad_image(image_manifest, name):
    expected = IMAGE_CASES[name][2]
    row = image_manifest.loc[name]
    if expected == "ok":
        assert (row["status"], row["reason"], row["orig_width"] > 0) == ("ok", None, True)
    else:
        assert (row["status"], row["reason"], row["store_path"]) == ("quarantined", expected, None)


# --- listings: one raw card through the record builder -> parsed price / label / kept title ----------------
PRICE_CASES = {"$": "malformed", "$1,2,3": "malformed", "€120": "non_usd", "-5": "non_positive",
               "$100,007": "absurd", None: "missing"}
LONG = "Air Jordan 1 Retro High OG 'Chicago' " + "x" * 1963
TITLE_CASES = {  # raw title -> (label status, title as stored)
    "empty": ("", "off_model", ""),
    "2000_chars": (LONG, "ok", LONG),
    "slash": ("Air Jordan 1 Mid 'Black/White'", "ok", "Air Jordan 1 Mid 'Black/White'"),
    "dot_dot": ("Air Jordan 1 ../../etc/passwd", "ok", "Air Jordan 1 ../../etc/passwd"),
    "nul": ("Air Jordan 1 Low\x00 'Bred'", "ok", "Air Jordan 1 Low\x00 'Bred'"),
    "emoji": ("Air Jordan 1 High 🔥 'Fire Red'", "ok", "Air Jordan 1 High 🔥 'Fire Red'"),
    "html_entities": ("Air Jordan 1 &#39;Chicago&#39; &amp; Tee", "non_sneaker",
                      "Air Jordan 1 &#39;Chicago&#39; &amp; Tee"),
}


def _card(i: int, **kw) -> dict:
    return {"product_id": f"p{i}", "title": "Air Jordan 1 High 'Bred'", "image_url": f"http://img/{i}.png",
            "price_raw": "$150", "position": i, "page_url": f"http://m/sneakers/p{i}", **kw}


def _build(cards: list[dict]) -> tuple[list[dict], ScrapeStats]:
    stats = ScrapeStats()
    table = build_table(cards, get_model("air-jordan-1"), "test", NOW, stats, load_models())
    return table.to_pylist(), stats


@pytest.mark.parametrize("raw", list(PRICE_CASES), ids=lambda r: repr(r))
def test_bad_price(raw):
    (row,), _ = _build([_card(0, price_raw=raw)])
    assert (row["price_usd"], row["price_reason"], row["price_raw"]) == (None, PRICE_CASES[raw], raw)
    assert row["status"] == "ok"  # a bad price costs the price, not the listing


@pytest.mark.parametrize("name", list(TITLE_CASES))
def test_odd_title(name):
    raw, status, stored = TITLE_CASES[name]
    (row,), _ = _build([_card(0, title=raw)])
    assert (row["status"], row["title"]) == (status, stored)
    assert row["model"] == ("air-jordan-1" if status == "ok" else None)


def test_duplicated_product_id_with_different_data_keeps_the_first_and_counts():
    rows, stats = _build([_card(0, price_raw="$150"), _card(1), _card(0, price_raw="$999", position=2,
                                                                        title="Air Jordan 1 Low 'Other'")])
    assert [(r["product_id"], r["price_usd"]) for r in rows] == [("p0", 150.0), ("p1", 150.0)]
    assert (stats.seen, stats.duplicates) == (3, 1)


# --- pages: a scripted site, scraped in JSON mode -> the model's outcome -----------------------------------
def _product(i: int, **kw) -> dict:
    return {"slug": f"air-jordan-1-high-{i}", "title": f"Air Jordan 1 High 'Colour {i}'",
            "pictureUrl": f"http://img/{i}.png", "lowestPriceCents": 15000 + i, **kw}


def _page(products: list[dict]) -> bytes:
    return json.dumps({"data": {"productsList": products}}).encode()


JSON = {"Content-Type": "application/json"}
CHALLENGE = b"<html><body><h1>Press &amp; Hold to confirm you are a human</h1></body></html>"
PAGE_CASES = {  # name -> (pages served, item cap, expected error or None)
    "no_cards": ([(200, JSON, _page([]))], 100, (BlockedError, "no products")),
    "challenge_page": ([(200, {"Content-Type": "text/html"}, CHALLENGE)], 100,
                       (BlockedError, "challenge page")),
    "error_body_200": ([(200, JSON, b'{"error": "internal error"}')], 100, (ScrapeError, "error body")),
    "json_missing_fields": ([(200, JSON, _page([
        _product(0), _product(1, slug=""), _product(2, title=None),
        {"slug": "air-jordan-1-low-3", "title": "Air Jordan 1 Low"},
        {"id": 4, "title": "Air Jordan 1 Mid", "pictureUrl": "http://img/4.png"}]))], 100, None),
    "endless_scroll": ([(200, JSON, _page([_product(25 * k + i) for i in range(25)])) for k in range(12)],
                       60, None),
}


def _scrape_pages(tmp_path: Path, name: str):
    pages, cap, _ = PAGE_CASES[name]
    srv = ImageServer()
    try:
        base = srv.url("")
        for k, page in enumerate(pages, start=1):
            srv.add(site.api_url("", "air jordan 1", k), page)
        settings = Settings(data_dir=tmp_path, scrape_mode="json", item_cap=cap, retry_attempts=2,
                            retry_base_delay_s=0.01)
        return scrape_model("air-jordan-1", settings, base, "scripted", now=NOW), srv
    finally:
        srv.close()


@pytest.mark.parametrize("name", [n for n, c in PAGE_CASES.items() if c[2]])
def test_bad_page_fails_the_model_with_a_named_status(tmp_path, name):
    error, message = PAGE_CASES[name][2]
    with pytest.raises(error, match=message) as exc:
        _scrape_pages(tmp_path, name)
    assert not exc.value.retriable and "[air-jordan-1]" in str(exc.value)
    assert not (tmp_path / "raw").exists()  # no empty snapshot that a re-run would trust


def test_json_with_missing_fields_keeps_the_rest_and_counts_the_skips(tmp_path):
    manifest, _ = _scrape_pages(tmp_path, "json_missing_fields")
    assert (manifest["rows"], manifest["skipped"], manifest["cap_reached"]) == (
        2, {"missing_slug": 2, "missing_title": 1}, False)
    assert (manifest["priced"], manifest["placeholders"]) == (1, 1)  # no price, no picture: counted, kept


def test_endless_scroll_stops_at_the_item_cap_and_reports_it(tmp_path):
    manifest, srv = _scrape_pages(tmp_path, "endless_scroll")
    assert (manifest["rows"], manifest["cap_reached"]) == (60, True)
    assert sum(srv.hits.values()) == 1 + 3  # robots.txt, then 3 pages of 25 for 60 items; never page 4


# --- configuration: the CLI fails before any work, in one line that names the fix --------------------------
def _cli(args: list[str], env: dict[str, str]):
    # Import the flows (and so Prefect's logging setup) outside CliRunner: handlers bound to its temporary
    # streams would write to closed files once it returns.
    import flows.weekly_refresh  # noqa: F401
    from sneaker_cli.main import app

    return CliRunner().invoke(app, args, env=env)


def _no_browser(monkeypatch) -> None:
    monkeypatch.delenv("SNEAKER_CHROMIUM", raising=False)
    monkeypatch.setattr("sneaker_core.browser.SYSTEM_CANDIDATES", ())
    monkeypatch.setattr("sneaker_core.browser._playwright_bundled", lambda: None)
    monkeypatch.setattr("sneaker_core.browser.shutil.which", lambda name: None)


CONFIG_CASES = {  # name -> (argv, extra env, a fragment of the one-line error naming the fix)
    "unknown_model_key": (["scrape", "--models", "jordan-99"], {},
                          "unknown model 'jordan-99'; known keys: adidas-forum"),
    "empty_model_list": (["run"], {"SNEAKER_MODELS_FILE": "{tmp}/models.yaml"},
                         "no models defined; list at least one under `models:`"),
    "no_enabled_model": (["scrape"], {"SNEAKER_MODELS_FILE": "{tmp}/disabled.yaml"},
                         "no enabled models in"),
    "unwritable_data_dir": (["scrape", "--mode", "json"], {"SNEAKER_DATA_DIR": "{tmp}/a-file/data"},
                            "choose a writable one with SNEAKER_DATA_DIR"),
    "browser_path_wrong": (["scrape", "--models", "dunk-low"], {"SNEAKER_CHROMIUM": "{tmp}/no-chromium"},
                           "is not an executable file; fix the path or unset it"),
    "no_browser_at_all": (["run", "--models", "dunk-low"], {}, "no Chromium found: set SNEAKER_CHROMIUM="),
    "dask_extra_missing": (["run", "--models", "dunk-low", "--task-runner", "dask"], {},
                           "needs the dask extra (prefect-dask, distributed): uv pip install -e '.[dask]'"),
}


@pytest.mark.parametrize("name", list(CONFIG_CASES))
def test_bad_config_is_a_one_line_error_naming_the_fix(tmp_path, monkeypatch, name):
    argv, env, fragment = CONFIG_CASES[name]
    (tmp_path / "models.yaml").write_text("models: []\n")
    (tmp_path / "disabled.yaml").write_text(
        "models:\n  - {key: x, name: X, brand: B, query: x, patterns: [x], enabled: false}\n")
    (tmp_path / "a-file").write_text("not a directory")
    if name == "no_browser_at_all":
        _no_browser(monkeypatch)
    if name == "dask_extra_missing":  # as if prefect-dask were not installed
        monkeypatch.setitem(sys.modules, "prefect_dask", None)
        monkeypatch.delitem(sys.modules, "flows.dask_runner", raising=False)
    env = {"SNEAKER_DATA_DIR": str(tmp_path / "data"), **{k: v.format(tmp=tmp_path) for k, v in env.items()}}
    result = _cli(argv, env)
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.output
    assert not list(tmp_path.glob("data/raw")), "failed before any work"
