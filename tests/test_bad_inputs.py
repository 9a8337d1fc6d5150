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
from types import SimpleNamespace

import pandas as pd
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


# --- CSV files: every reader takes columns by name, refuses rows longer than the header, keeps NUL bytes ---
def _readers() -> dict:
    from sneaker_core.catalog import label_catalog
    from sneaker_core.market.catalog_csv import load_catalog_csv
    from sneaker_core.report.load import _predictions_csv
    from sneaker_core.stacking.title_predict import read_title_csv

    return {  # reader -> the title of the first row as that reader keeps it
        "catalog_check_and_train_titles": lambda p: label_catalog(p)["title"].iloc[0],
        "predict_csv": lambda p: read_title_csv(p)["title"].iloc[0],
        "market_catalog": lambda p: load_catalog_csv(p).products[0].title,
        "report_predictions": lambda p: _predictions_csv(p)["title"].iloc[0],
    }


CSV_HEADER = "product_id,title,image,price,search_model\n"
CSV_ROWS = ["1,Nike Dunk Low 'Panda',https://cdn.invalid/a.png,$120,dunk-low",
            "2,Air Jordan 1 High 'Chicago',https://cdn.invalid/b.png,$310,air-jordan-1"]


@pytest.mark.parametrize("reader", list(_readers()))
def test_csv_with_a_trailing_comma_on_every_row_is_refused_naming_line_and_fix(tmp_path, reader):
    path = tmp_path / "trailing.csv"
    path.write_text(CSV_HEADER + "".join(r + ",\n" for r in CSV_ROWS))
    from sneaker_core.csv_files import CsvError

    with pytest.raises(CsvError, match=r"trailing\.csv line 2: 6 fields but the header names 5 \(a trailing "
                                       r"comma\?\); remove the extra field\(s\) or name them in the header"):
        _readers()[reader](path)


@pytest.mark.parametrize("reader", list(_readers()))
def test_csv_nul_byte_inside_a_field_is_kept_by_every_reader(tmp_path, reader):
    path = tmp_path / "nul.csv"
    path.write_text(CSV_HEADER + "\n".join(CSV_ROWS).replace("Dunk Low", "Dunk\x00 Low") + "\n")
    assert _readers()[reader](path) == "Nike Dunk\x00 Low 'Panda'"


def test_catalog_check_keeps_the_label_of_a_row_with_a_nul_byte(tmp_path):
    from sneaker_core.catalog import label_catalog

    path = tmp_path / "nul.csv"
    path.write_text("title,image,price\n\"Nike\x00 Air Jordan 1 High\",https://cdn.invalid/a.png,$300\n")
    row = label_catalog(path).iloc[0]
    assert (row["model"], row["price_usd"]) == ("air-jordan-1", 300.0)


def test_catalog_check_with_trailing_commas_is_a_one_line_error(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text(CSV_HEADER + "".join(r + ",\n" for r in CSV_ROWS))
    result = _cli(["catalog", "check", str(path), "--out", str(tmp_path / "out.csv")], {})
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "line 2: 6 fields" in lines[0], result.output
    assert not (tmp_path / "out.csv").exists()


def test_no_csv_is_parsed_outside_the_shared_reader():
    root = Path(__file__).resolve().parents[1]
    offenders = [str(p.relative_to(root)) for folder in ("sneaker_core", "sneaker_cli", "bench", "tasks", "flows")
                 for p in (root / folder).rglob("*.py")
                 if p.name != "csv_files.py" and any(s in p.read_text() for s in
                                                      ("read_csv(", "csv.reader(", "csv.DictReader(", "to_csv("))]
    assert offenders == []


# --- output files: never the input, never a directory; input columns named like outputs are kept, renamed ----
def _one_line_error(result, fragment: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.output


@pytest.mark.parametrize("command", ["catalog", "predict"])
@pytest.mark.parametrize("how", ["same_path", "symlink", "relative"])
def test_out_equal_to_the_input_is_refused_and_the_input_kept(tmp_path, monkeypatch, command, how):
    src = tmp_path / "rows.csv"
    content = CSV_HEADER + "\n".join(CSV_ROWS) + "\n"
    src.write_text(content)
    out = {"same_path": src, "symlink": tmp_path / "link.csv", "relative": Path("sub/../rows.csv")}[how]
    if how == "symlink":
        out.symlink_to(src)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    argv = (["catalog", "check", str(src)] if command == "catalog" else
            ["predict", str(src), "--run", str(tmp_path / "run")]) + ["--out", str(out)]
    _one_line_error(_cli(argv, {}), "writing there would destroy the input: choose another file")
    assert src.read_text() == content


@pytest.mark.parametrize("command", ["catalog", "predict"])
def test_out_that_is_a_directory_is_a_one_line_error(tmp_path, command):
    src = tmp_path / "rows.csv"
    src.write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n")
    argv = (["catalog", "check", str(src)] if command == "catalog" else
            ["predict", str(src), "--run", str(tmp_path / "run")]) + ["--out", str(tmp_path)]
    _one_line_error(_cli(argv, {}), f"--out {tmp_path} is a directory; give a file name")


def test_catalog_check_keeps_input_columns_named_like_its_outputs(tmp_path):
    src = tmp_path / "rows.csv"
    src.write_text("title,image,price,status,model,reason,price_usd,input_model\n"
                   "Nike Dunk Low 'Panda',https://cdn.invalid/a.png,$120,sold,my-model,gift,99,x\n")
    result = _cli(["catalog", "check", str(src), "--out", str(tmp_path / "out.csv")], {})
    assert result.exit_code == 0, result.output
    assert ("input column(s) renamed, their names are output columns: status -> input_status, model -> "
            "input_input_model, reason -> input_reason, price_usd -> input_price_usd") in " ".join(result.output.split())
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False).iloc[0]
    assert (out["status"], out["model"], out["price_usd"]) == ("ok", "dunk-low", "120.0")
    assert (out["input_status"], out["input_input_model"], out["input_reason"], out["input_price_usd"],
            out["input_model"]) == ("sold", "my-model", "gift", "99", "x")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "0", "-5"])
def test_catalog_max_usd_out_of_range_is_refused(tmp_path, value):
    src = tmp_path / "rows.csv"
    src.write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n")
    result = _cli(["catalog", "check", str(src), f"--max-usd={value}"], {})
    assert result.exit_code == 2 and "Invalid value for '--max-usd'" in result.output, result.output
    assert "Traceback" not in result.output


# --- the demo market's settings: every fault parameter in range, ports, hosts and catalogs: one line each -----
FAULT_CASES = {  # --faults value -> a fragment of the one-line error
    "latency_nan": ("latency_ms=nan", "fault latency_ms=nan is out of range; use 0 to 10000 milliseconds"),
    "latency_inf": ("latency_ms=inf", "fault latency_ms=inf is out of range"),
    "latency_huge": ("latency_ms=1e300", "fault latency_ms=1e+300 is out of range"),
    "latency_negative": ("latency_ms=-5", "fault latency_ms=-5.0 is negative"),
    "rate_nan": ("error_rate=nan", "fault error_rate=nan is out of range; use a rate between 0 and 1"),
    "rate_inf": ("challenge_rate=inf", "fault challenge_rate=inf is out of range"),
    "rate_negative": ("forbidden_rate=-0.1", "fault forbidden_rate=-0.1 is out of range"),
    "rate_above_one": ("truncate_rate=1.01", "fault truncate_rate=1.01 is out of range"),
    "unknown_key": ("latency=5", "unknown fault 'latency'; valid keys: error_rate, latency_ms"),
    "twice": ("error_rate=0.1,error_rate=0.9", "fault error_rate is given twice; give each fault once"),
    "not_a_number": ("throttle_rate=0x", "fault throttle_rate='0x' is not a number"),
}


@pytest.fixture
def market_never_serves(monkeypatch):
    """A market that would start serving stops at once (as on Ctrl-C), so a regression fails, not hangs."""
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sneaker_core.market.server.time", SimpleNamespace(sleep=interrupt))


@pytest.mark.usefixtures("market_never_serves")
@pytest.mark.parametrize("name", list(FAULT_CASES))
def test_market_fault_out_of_range_is_a_one_line_error(name):
    value, fragment = FAULT_CASES[name]
    _one_line_error(_cli(["market", "--products", "10", "--faults", value], {}), fragment)


@pytest.mark.usefixtures("market_never_serves")
def test_market_host_it_cannot_listen_on_is_a_one_line_error():
    _one_line_error(_cli(["market", "--products", "10", "--host", "no-such-host.invalid"], {}),
                    "the demo market cannot listen on no-such-host.invalid:0: ")


@pytest.mark.usefixtures("market_never_serves")
def test_market_malformed_catalog_is_a_one_line_error(tmp_path):
    (tmp_path / "cat.csv").write_text(CSV_HEADER + "".join(r + ",\n" for r in CSV_ROWS))
    _one_line_error(_cli(["market", "--catalog", str(tmp_path / "cat.csv")], {}),
                    "cat.csv line 2: 6 fields but the header names 5")
    (tmp_path / "cat.csv").write_bytes(b"title,image\n\xff,x\n")
    _one_line_error(_cli(["market", "--catalog", str(tmp_path / "cat.csv")], {}), "is not UTF-8")


@pytest.mark.usefixtures("market_never_serves")
@pytest.mark.parametrize("argv", [["--port", "99999"], ["--port", "-1"], ["--products", "0"], ["--seed", "-1"]])
def test_market_numbers_out_of_range_are_refused_without_a_traceback(argv):
    result = _cli(["market", *argv], {})
    assert result.exit_code == 2 and f"Invalid value for '{argv[0]}'" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1  # no usage box


# --- the models file: validated as a whole (pydantic), every problem one line naming the entry ----------------
ENTRY = "{key: x, name: X, brand: B, query: x, %s}"
MODELS_FILE_CASES = {  # models YAML -> a fragment of the one-line error
    "a_list": ("- dunk-low\n", "the models file must be a mapping with a `models:` list, not a list"),
    "string_entry": ("models: [dunk-low]\n", "model #0 is 'dunk-low', not an entry; write it as {key: ..."),
    "bad_regex": ("models:\n  - " + ENTRY % "patterns: ['(nike']" + "\n",
                  ("model 'x', `patterns`: '(nike' is not a valid regular expression (missing ), unterminated "
                  "subpattern at position 0)")),
    "unknown_tag": ("models: !!python/object/apply:os.system ['echo pwned']\n",
                    "is not a readable models file at line 1: could not determine a constructor for the tag"),
    "patterns_a_string": ("models:\n  - " + ENTRY % "patterns: 'nike'" + "\n",
                          "model 'x', `patterns`: Input should be a valid list (write it as a list: patterns: "),
    "misspelt_field": ("models:\n  - " + ENTRY % "pattern: [nike]" + "\n",
                       "model 'x' has unknown field(s) pattern; valid fields: key, name, brand, query, patterns"),
    "models_a_mapping": ("models: {x: 1}\n", "`models:` must be a list of entries"),
    "yaml_syntax": ("models: [\n", "is not a readable models file at line 2: "),
}


@pytest.mark.parametrize("name", list(MODELS_FILE_CASES))
def test_bad_models_file_is_a_one_line_error_naming_the_entry(tmp_path, name):
    text, fragment = MODELS_FILE_CASES[name]
    (tmp_path / "models.yaml").write_text(text)
    (tmp_path / "rows.csv").write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n")
    argv = ["catalog", "check", str(tmp_path / "rows.csv"), "--models-file", str(tmp_path / "models.yaml")]
    _one_line_error(_cli(argv, {}), fragment)


# --- numeric options: a range on every one (nan, inf and absurd values refused before any work) -------------
def _numeric_options() -> list[tuple[str, str, object]]:
    """(function, parameter, OptionInfo) for every int/float option of every command module."""
    import importlib
    import inspect
    import pkgutil
    import typing

    import typer.models

    import sneaker_cli

    found = []
    for info in pkgutil.iter_modules(sneaker_cli.__path__):
        module = importlib.import_module(f"sneaker_cli.{info.name}")
        for fn in [f for _, f in inspect.getmembers(module, inspect.isfunction) if f.__module__ == module.__name__]:
            for name, hint in typing.get_type_hints(fn, include_extras=True).items():
                if typing.get_origin(hint) is not typing.Annotated:
                    continue
                base, *meta = typing.get_args(hint)
                numeric = {int, float} & ({base} | set(typing.get_args(base)))
                found += [(fn.__qualname__, name, m) for m in meta
                          if numeric and isinstance(m, typer.models.OptionInfo)]
    return found


def test_every_numeric_cli_option_has_a_range():
    options = _numeric_options()
    assert {("check", "max_usd"), ("run", "epochs"), ("market", "port")} <= {(f, p) for f, p, _ in options}
    assert [(f, p) for f, p, o in options if o.min is None] == []


@pytest.mark.parametrize("argv", [["run", "--epochs", "0"], ["run", "--image-size", "4096"],
                                  ["run", "--train-image-size", "8"], ["scrape", "--item-cap", "0"],
                                  ["run", "--dask-workers", "0"], ["train-titles", "x.csv", "--run-dir", "r",
                                                                   "--seed", "-1"]])
def test_numeric_option_out_of_range_is_refused_before_any_work(tmp_path, argv):
    result = _cli(argv, {"SNEAKER_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 2 and "Invalid value for '" in result.output, result.output
    assert not (tmp_path / "data").exists()


def test_gallery_into_an_existing_directory_is_a_one_line_error(tmp_path):
    _one_line_error(_cli(["market", "gallery", str(tmp_path)], {}),
                    f"OUT {tmp_path} is a directory; give a file name, e.g. {tmp_path / 'market-gallery.png'}")


@pytest.mark.parametrize(("env", "fragment"), [
    ({"SNEAKER_ITEM_CAP": "0"}, "SNEAKER_ITEM_CAP=0: Input should be greater than or equal to 1"),
    ({"SNEAKER_SPLIT": "[0.5,0.1,0.1]"}, "must be three positive fractions summing to 1"),
    ({"SNEAKER_SCRAPE_MODE": "fast"}, "SNEAKER_SCRAPE_MODE=fast: Input should be 'browser' or 'json'"),
])
def test_a_bad_setting_in_the_environment_is_one_line_naming_the_variable(env, fragment, tmp_path):
    _one_line_error(_cli(["scrape", "--models", "dunk-low"], {"SNEAKER_DATA_DIR": str(tmp_path / "d"), **env}),
                    fragment)
    assert not (tmp_path / "d").exists()
