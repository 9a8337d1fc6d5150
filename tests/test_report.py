"""Per-run HTML report: self-contained, escaped, every image loads in Chromium, honest about missing inputs."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fake_run import write_fake_run
from forecast_fixtures import write_market_weeks
from typer.testing import CliRunner

from sneaker_core.forecast.run import forecast_run
from sneaker_core.governance import runfiles
from sneaker_core.governance.drift import Thresholds, week_drift
from sneaker_core.governance.promotion import decide
from sneaker_core.report import build_report
from sneaker_core.report.analysis import calibration, per_model_accuracy, price_errors, price_summary
from sneaker_core.report.html import esc, png_data_uri, tag
from sneaker_core.report.load import RunInputs
from sneaker_core.report.sections import ORIGINAL_ACCURACY, fmt, meta_section
from sneaker_core.rundir import LATEST, RunDir, RunDirError
from sneaker_core.settings import Settings

LIMITS = Thresholds.from_settings(Settings())
HOSTILE = "<script>window.__pwned = 1</script> Jordan & Co \"Bred\" <img src=x onerror=alert(1)>"
NOW = datetime(2024, 1, 8, 6, 0, tzinfo=UTC)
FORECAST_WEEKS = [f"{d.isocalendar().year}-W{d.isocalendar().week:02d}"
                  for d in pd.date_range("2023-11-20", "2024-01-08", freq="7D")]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A seeded synthetic run whose worst-priced test row carries a hostile title."""
    run = write_fake_run(tmp_path_factory.mktemp("data") / "runs" / "2024-W02-test", n_products=500, seed=3)
    pred = pd.read_csv(RunDir(run).predictions_csv, dtype={"product_id": str})
    row = pred["true_price_usd"].notna().idxmax()
    pred.loc[row, "title"] = HOSTILE
    pred.loc[row, "price_estimate_usd"] = pred.loc[row, "true_price_usd"] * 9  # the largest miss: shown in a table
    pred.to_csv(RunDir(run).predictions_csv, index=False)
    data_dir = run.parent.parent
    decide(data_dir, run.name, Settings(data_dir=data_dir))  # the first run: promoted
    runfiles.write_drift(data_dir, run.name, week_drift(data_dir, "2024-W02", ["dunk-low"], LIMITS))
    write_market_weeks(data_dir, FORECAST_WEEKS)  # 8 weekly snapshots up to the run's week: its forecasts
    forecast_run(data_dir, "2024-W02", run)
    return run


@pytest.fixture(scope="module")
def report(run_dir) -> dict:
    return build_report(RunDir(run_dir), now=NOW)


def test_report_is_complete_self_contained_and_escaped(run_dir, report):
    html = Path(report["path"]).read_text(encoding="utf-8")
    assert Path(report["path"]) == RunDir(run_dir).report
    assert all(s["available"] and not s["missing"] for s in report["sections"]), report["sections"]
    assert [s["id"] for s in report["sections"]] == ["promotion", "drift", "forecast", "size-curves", "metrics",
                                                     "comparison", "meta", "price", "confusion", "curves", "per-model",
                                                     "calibration", "per-class", "inputs"]
    # forecast fans + size curves + 4 confusion matrices + comparison + price scatter + error histogram + training
    # curves + per-model + calibration
    assert report["images"] == 12 == html.count("<img ")
    assert re.findall(r'<img src="([a-z]+):', html) == ["data"] * 12
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; Jordan &amp; Co &quot;Bred&quot;" in html
    assert not list(RunDir(run_dir).report.parent.glob(".tmp-*"))
    # same inputs and time -> same bytes
    assert build_report(RunDir(run_dir), now=NOW)["sha256"] == report["sha256"]


def _expected_metric_rows(run_dir: Path) -> list[list[str]]:
    metrics = json.loads(RunDir(run_dir).metrics.read_text())["targets"]
    rows = []
    for target in ("price_decile", "price_band", "model", "brand"):
        m = metrics[target]
        price = target.startswith("price")
        rows.append([target, f"{m['accuracy']:.3f}", f"{m['macro_f1']:.3f}", f"{m['majority_baseline']:.3f}",
                     f"{m['within_one_bin']:.3f}" if price else "—",
                     f"${m['dollar_mae_bin_median']:,.2f}" if price else "—", f"{m['n_test']:,}",
                     f"{ORIGINAL_ACCURACY[target]:.3f}", f"{m['accuracy'] - ORIGINAL_ACCURACY[target]:+.3f}"])
    return rows


def test_report_renders_in_headless_chromium(run_dir, report, headless_page):
    uri = Path(report["path"]).as_uri()
    with headless_page(1240, 900, 15_000) as page:
        requested, blocked = [], []
        page.on("request", lambda r: requested.append(r.url))

        def guard(route):
            if route.request.url == uri:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(uri, wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight, e.alt])")
        assert len(images) == 12
        assert all(done and w > 0 and h > 0 for done, w, h, _ in images), images
        rows = page.eval_on_selector_all(
            "#metrics-table tbody tr", "rows => rows.map(r => [r.dataset.key, ...[...r.cells].map(c => c.innerText)])")
        assert [r[1:] for r in rows] == _expected_metric_rows(run_dir)
        assert [r[0] for r in rows] == ["price_decile", "price_band", "model", "brand"]
        misses = page.locator("#misses-table tbody tr").first.locator("td").nth(1).inner_text()
        assert misses == HOSTILE  # shown as text, not executed or parsed
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("details").count() == 4
        model_probs = pd.read_parquet(RunDir(run_dir).probs("model")).query("split == 'test' and true >= 0")
        assert page.locator("#per-model-table tbody tr").count() == model_probs["true"].nunique()
        assert [u for u in requested if not u.startswith("data:") and u != uri] == []
        assert blocked == []
        # the guard does see outgoing requests: a control fetch is counted and stopped
        page.evaluate("fetch('http://example.invalid/x').catch(() => 0)")
        page.wait_for_timeout(300)
        assert blocked == ["http://example.invalid/x"]


def test_run_with_only_metrics_json_still_builds(run_dir, tmp_path):
    only = tmp_path / "runs" / "2024-W03-bare"
    RunDir(only).create()
    metrics = json.loads(RunDir(run_dir).metrics.read_text())
    del metrics["meta"], metrics["comparison"], metrics["price_estimate"]
    RunDir(only).metrics.write_text(json.dumps(metrics))
    out = build_report(RunDir(only), now=NOW)
    sections = {s["id"]: s for s in out["sections"]}
    html = Path(out["path"]).read_text()
    assert sections["metrics"]["available"] and not sections["metrics"]["missing"]
    assert sections["per-class"]["available"]
    for sid in ("comparison", "meta", "confusion", "per-model", "calibration"):
        assert not sections[sid]["available"], sid
    assert sections["comparison"]["missing"] == ["metrics.json has no `comparison` (stacking did not run or failed)"]
    assert len(sections["confusion"]["missing"]) == 4
    assert sections["price"]["missing"] == ["predicted-vs-actual plot: predictions.csv is not available",
                                            "metrics.json has no `price_estimate`"]
    assert set(out["missing_inputs"]) == {"targets.json", "predictions.csv", "split.parquet", "backtest.json",
                                          *(f"probs/{t}.parquet" for t in ORIGINAL_ACCURACY)}
    assert sections["curves"]["available"]  # drawn from metrics.json alone
    # + promotion, drift, forecast, size curves
    assert out["images"] == 1 and html.count("Not available:") == 1 + 1 + 2 + 4 + 1 + 4 + 2 + 2
    assert html.count('<tr data-key="') == 4


def test_broken_and_hostile_inputs_are_reported_not_raised(run_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(run_dir, bad)
    metrics = json.loads(RunDir(bad).metrics.read_text())
    metrics["targets"]["brand"]["confusion_png"] = "../../../etc/passwd"
    metrics["comparison"] = "oops"
    RunDir(bad).metrics.write_text(json.dumps(metrics))
    (RunDir(bad).confusion("model")).write_bytes(b"GIF89a not a png")
    (RunDir(bad).probs("price_band")).write_bytes(b"garbage")
    out = build_report(RunDir(bad), now=NOW)
    sections = {s["id"]: s for s in out["sections"]}
    assert sections["confusion"]["images"] == 2
    assert sections["confusion"]["missing"] == [
        "model: confusion/model.png unusable (not a PNG image (bad signature))",
        "brand: ../../../etc/passwd points outside the run directory"]
    assert out["missing_inputs"]["probs/price_band.parquet"].startswith("unreadable (")
    assert sections["calibration"]["missing"] == ["price_band: no probs/price_band.parquet"]
    assert sections["comparison"]["missing"] == ["metrics.json has no `comparison` (stacking did not run or failed)"]
    # confusion, comparison, price, curves, per-model, calibration, forecast fans and size curves
    assert out["images"] == 2 + 0 + 2 + 1 + 1 + 1 + 2



def _table_rows(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.DOTALL).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


def test_training_curves_table_says_where_each_cnn_started(report):
    rows = _table_rows(Path(report["path"]).read_text(encoding="utf-8"), "curves-table")
    assert {r[0]: (r[1], r[2]) for r in rows} == {"model": ("scratch", "12"), "brand": ("model", "12"),
                                                  "price_decile": ("model", "12"), "price_band": ("model", "12")}


def test_forecast_sections_show_the_backtest_movers_and_size_curves(run_dir, report):
    html = Path(report["path"]).read_text(encoding="utf-8")
    fc = json.loads(RunDir(run_dir).backtest.read_text())
    backtest = _table_rows(html, "forecast-backtest-table")
    assert [r[0] for r in backtest] == ["1", "2", "4"]  # 8 weeks of history judge horizons up to 4
    assert backtest[0][-1] == str(fc["evaluation"]["1"]["n"])
    movers = _table_rows(html, "movers-table")
    assert len(movers) == len(fc["movers"]) >= 1 and movers[0][0] == "p0"  # its last week spiked 30 %
    assert movers[0][-1] == f"{fc['movers'][0]['move_pct']:+.1f} %" and movers[0][-1].startswith("-")
    assert all(abs(float(r[-1].removesuffix(" %"))) >= 5 for r in movers)
    sizes = _table_rows(html, "size-curves-table")
    assert [r[0] for r in sizes] == ["dunk-low"] and len(sizes[0]) == 1 + 4
    assert float(sizes[0][4]) > float(sizes[0][1])  # size 11 dearer than size 8


def test_missing_run_dir_is_a_clear_error(tmp_path):
    with pytest.raises(RunDirError, match="does not exist"):
        build_report(RunDir(tmp_path / "nope"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="is not a run folder"):
        build_report(RunDir.open(tmp_path / "docs"))
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["notes.txt"]  # nothing written there


def _probs(true, probs, split="test"):
    frame = pd.DataFrame({"product_id": [f"p{i}" for i in range(len(true))], "split": split, "true": true})
    for k in range(np.asarray(probs).shape[1]):
        frame[f"p__c{k}"] = np.asarray(probs)[:, k]
    return frame


def test_calibration_bins_and_ece_are_exact():
    frame = _probs([0, 1, 0, 1, -1], [[0.95, 0.05], [0.92, 0.08], [0.38, 0.62], [0.32, 0.68], [0.5, 0.5]])
    bins, ece = calibration(frame, n_bins=10)
    assert bins[["lo", "n"]].to_dict("list") == {"lo": [0.6, 0.9], "n": [2, 2]}
    assert bins["accuracy"].tolist() == [0.5, 0.5]
    assert bins["confidence"].round(3).tolist() == [0.65, 0.935]
    assert ece == pytest.approx((2 * 0.15 + 2 * 0.435) / 4)
    with pytest.raises(ValueError, match="no labelled test rows"):
        calibration(_probs([0], [[1.0, 0.0]], split="val"))


def test_per_model_accuracy_and_price_summary_are_exact():
    run = RunInputs(run_dir=Path("."))
    run.probs["brand"] = _probs([0, 1, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]])
    models = pd.Series(["a", "a", "b", "zz"], index=["p0", "p1", "p2", "p9"])
    table = per_model_accuracy(run, models)
    assert table.to_dict("index") == {"a": {"brand": 1.0, "brand_n": 2}, "b": {"brand": 0.0, "brand_n": 1}}
    pred = pd.DataFrame({"product_id": ["1", "2", "3", "4"], "true_price_usd": [100.0, 200.0, None, 50.0],
                         "price_estimate_usd": [150.0, 180.0, 90.0, 50.0],
                         "price_low_usd": [90.0, 205.0, 1.0, None], "price_high_usd": [200.0, 250.0, 2.0, None]})
    errors = price_errors(pred)
    assert errors["product_id"].tolist() == ["1", "2", "4"]
    assert price_summary(errors) == pytest.approx({"n": 3, "mdape": 0.1, "mae": 70 / 3, "coverage_10_90": 0.5})
    with pytest.raises(ValueError, match="lacks price_estimate_usd"):
        price_errors(pred.drop(columns="price_estimate_usd"))


def _rows(html: str, key: str) -> list[list[str]]:
    """The cell texts of the rows whose data-key starts with `key`."""
    rows = re.findall(rf'<tr data-key="{key}[^"]*">(.*?)</tr>', html)
    return [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows]


def test_meta_section_names_the_published_candidate_and_its_lead():
    run = RunInputs(run_dir=Path("."), metrics={"meta": {
        "selection": {"price_band": {
            "selected": "title_only", "lead_over_next_cv_accuracy": 0.0216, "cv_folds": 3, "cv_rows": 289,
            "candidates": {"title_only": {"cv_accuracy": 0.61, "test_accuracy": 0.607},
                           "meta_boosted": {"cv_accuracy": 0.5886, "test_accuracy": 0.541},
                           "meta_logreg": {"failed": "ValueError: one class"}}}},
        "settings": {"price_band": {"meta_boosted": {"params": {"max_leaf_nodes": 7}}}}}})
    html = meta_section(run).render()
    assert _rows(html, "selection:") == [["price_band", "title_only", "+0.022", "289", "3"]]
    assert _rows(html, "candidate:price_band:") == [
        ["title_only (published)", "0.610", "0.607", ""],
        ["meta_boosted", "0.589", "0.541", esc(str({"params": {"max_leaf_nodes": 7}}))],
        ["meta_logreg", "—", "—", "ValueError: one class"]]
    skipped = meta_section(RunInputs(run_dir=Path("."), metrics={"meta": {"skipped": "stacking skipped: 1 row"}}))
    assert not skipped.available and skipped.reasons == ["stacking skipped: 1 row"]


def test_integer_counts_print_without_decimals():
    assert fmt("cv_folds", 3).text == "3" and fmt("rows", 12345).text == "12,345"
    assert fmt("accuracy", 1.0).text == "1.000" and fmt("n", 7.0).text == "7"


def test_html_helpers_escape_text_and_attributes_and_check_pngs():
    assert esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert tag("td", "<b>", data_key='"><script>', class_="num") == (
        '<td data-key="&quot;&gt;&lt;script&gt;" class="num">&lt;b&gt;</td>')
    with pytest.raises(ValueError, match="not a PNG"):
        png_data_uri(b"<svg onload=alert(1)>")


def test_cli_rebuilds_latest_or_named_run(tmp_path, monkeypatch):
    from sneaker_cli.main import app

    run = tmp_path / "runs" / "2024-W04-cli"
    RunDir(run).create()
    RunDir(run).metrics.write_text(json.dumps({"data": {"n_train": 7, "n_val": 2, "n_test": 3}}))
    RunDir(run).mark_latest()
    monkeypatch.setenv("SNEAKER_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    latest = runner.invoke(app, ["report"])
    assert latest.exit_code == 0, latest.output
    assert latest.stdout.strip().splitlines()[-1] == str(RunDir(run).report)
    assert "confusion not available: price_decile: confusion/price_decile.png not found" in latest.output
    named = runner.invoke(app, ["report", "--run", str(tmp_path / "runs" / "missing")])
    assert named.exit_code == 2 and "does not exist" in named.output


def test_report_cli_refuses_a_folder_that_is_not_a_run_and_a_hostile_latest_pointer(tmp_path, monkeypatch):
    from sneaker_cli.main import app

    outside = tmp_path / "outside"
    outside.mkdir()
    data = tmp_path / "data"
    (data / "runs").mkdir(parents=True)
    monkeypatch.setenv("SNEAKER_DATA_DIR", str(data))
    runner = CliRunner()
    named = runner.invoke(app, ["report", "--run", str(outside)])
    assert named.exit_code == 2 and "is not a run folder" in named.output
    (data / "runs" / LATEST).write_text(json.dumps({"run_id": "../../outside"}))
    latest = runner.invoke(app, ["report"])
    assert latest.exit_code == 2 and "invalid run id '../../outside'" in latest.output
    assert len(latest.output.strip().splitlines()) == 1
    assert list(outside.iterdir()) == []  # nothing written outside the data directory
