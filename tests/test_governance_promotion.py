"""Champion and challenger: promotion on shared rows only, refusals, manual promote, rollback, `sneaker predict`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from governance_runs import challenger_split, champion_split, write_run
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.governance import runfiles
from sneaker_core.governance.compare import Rule, evaluation_ids, paired_interval
from sneaker_core.governance.promotion import decide, promote, rollback, serving_run_dir
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings

runner = CliRunner()
CHAMP, CHAL = "2026-W01-aaaaaaaaaa", "2026-W02-bbbbbbbbbb"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SNEAKER_DATA_DIR", str(tmp_path))
    return Settings(data_dir=tmp_path, promotion_resamples=400)


def _with_champion(settings, accuracy: float = 0.6):
    write_run(settings.data_dir, CHAMP, champion_split(), accuracy, seed=1, decile_names="old", memorised=True)
    first = decide(settings.data_dir, CHAMP, settings)[0]
    assert (first["status"], first["promoted"]) == ("first run", True)
    return first


def test_the_first_run_is_promoted_and_served(settings):
    _with_champion(settings)
    assert runfiles.read_champion(settings.data_dir)["run_id"] == CHAMP
    assert serving_run_dir(settings.data_dir).name == CHAMP


def test_a_better_challenger_is_promoted_on_the_shared_rows_only(settings):
    _with_champion(settings)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.8, seed=2)
    decision = decide(settings.data_dir, CHAL, settings)[0]
    assert (decision["status"], decision["promoted"]) == ("promoted", True)
    cmp = decision["comparison"]
    # challenger test: 400 (i%10 in 8,9) + 200 (i%10 == 5); 150 of those the champion trained on (i < 1500)
    assert (cmp["challenger_test"], cmp["in_champion_train_or_val"], cmp["evaluation_rows"]) == (600, 150, 450)
    for target, t in cmp["targets"].items():
        # 300 shared test products; the 150 new ones have no champion prediction and are not scored
        assert (t["n"], t["not_predicted_by_champion"], t["verdict"]) == (300, 150, "not worse"), target
        assert t["low"] <= t["difference"] <= t["high"]
        assert t["difference"] == pytest.approx(t["challenger_accuracy"] - t["champion_accuracy"])
    assert cmp["targets"]["price_decile"]["truth"] == "each run's own labels"  # deciles refit per run
    assert cmp["targets"]["model"]["truth"] == "challenger labels"
    assert runfiles.read_champion(settings.data_dir)["run_id"] == CHAL
    assert json.loads((settings.data_dir / "runs" / CHAL / "promotion.json").read_text())["promoted"] is True


def test_the_champion_is_never_scored_on_its_own_training_products(settings):
    """The champion 'memorised' its training rows (100 % right there); scoring any of them would lift it."""
    _with_champion(settings, accuracy=0.5)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.5, seed=2)
    ids, counts = evaluation_ids(runfiles.split_ids(settings.data_dir, CHAL),
                                 runfiles.split_ids(settings.data_dir, CHAMP))
    champ = runfiles.split_ids(settings.data_dir, CHAMP)
    assert not ids & (champ["train"] | champ["val"])
    assert counts["in_champion_train_or_val"] == 150
    decision = decide(settings.data_dir, CHAL, settings)[0]
    for t in decision["comparison"]["targets"].values():
        assert t["champion_accuracy"] < 0.6  # 0.5 on held-out rows; with the 150 memorised rows it would be ~0.67


def test_a_worse_challenger_beyond_the_tolerance_is_refused_and_kept(settings):
    _with_champion(settings, accuracy=0.7)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.45, seed=2)
    decision = decide(settings.data_dir, CHAL, settings)[0]
    assert (decision["status"], decision["promoted"]) == ("refused", False)
    assert all(t["verdict"] == "worse" and t["high"] < 0 for t in decision["comparison"]["targets"].values())
    assert any(r.startswith("model: challenger 0.4") and "below -tolerance" in r for r in decision["reasons"])
    assert runfiles.read_champion(settings.data_dir)["run_id"] == CHAMP
    again, new = decide(settings.data_dir, CHAL, settings)  # a re-run of the same run: its recorded decision
    assert (again, new) == (decision, False)
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if CHAL in ln)
    assert "NOT PROMOTED" in line and "refused" in line


def test_drift_warnings_block_a_better_challenger(settings):
    _with_champion(settings)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.8, seed=2)
    runfiles.write_drift(settings.data_dir, CHAL, {"warnings": ["dunk-low: listing count -52%"]})
    decision = decide(settings.data_dir, CHAL, settings)[0]
    assert (decision["status"], decision["reasons"]) == ("refused", ["drift: dunk-low: listing count -52%"])


def test_too_few_shared_rows_is_a_refusal_with_its_reason(settings):
    _with_champion(settings)
    write_run(settings.data_dir, CHAL, {f"q{i:05d}": "test" if i % 2 else "train" for i in range(200)}, 0.9, 2)
    decision = decide(settings.data_dir, CHAL, settings)[0]
    assert decision["status"] == "refused"
    assert "model: cannot compare (too few rows, 0 shared rows)" in decision["reasons"]


def test_paired_interval_of_identical_models_is_zero_and_of_a_clear_gap_excludes_zero():
    rule = Rule(tolerance=0.02, confidence=0.9, resamples=500, min_rows=1)
    same = np.array([1, 0, 1, 1, 0] * 40)
    assert paired_interval(same, same, rule) == {"difference": 0.0, "low": 0.0, "high": 0.0}
    gap = paired_interval(np.ones(200), np.r_[np.ones(100), np.zeros(100)], rule)
    assert gap["difference"] == 0.5 and 0.4 < gap["low"] < 0.5 < gap["high"] < 0.6


def test_manual_promote_and_rollback_record_reasons_and_predict_follows(settings):
    _with_champion(settings, accuracy=0.7)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.45, seed=2)
    decide(settings.data_dir, CHAL, settings)
    RunDir.for_id(settings.data_dir, CHAL).mark_latest()
    assert runner.invoke(app, ["models", "promote", CHAL]).exit_code == 2  # --reason is required
    result = runner.invoke(app, ["models", "promote", CHAL, "--reason", "checked by hand: W02 prices are right"])
    assert result.exit_code == 0, result.output
    assert serving_run_dir(settings.data_dir).name == CHAL
    # `sneaker predict` without --run serves the champion (neither run has a title model: the error names it)
    out = runner.invoke(app, ["predict", "--title", "Dunk Low 'Panda'"]).output
    assert f"{CHAL} has no title model" in out.replace("\n", "")
    result = runner.invoke(app, ["models", "rollback", "--reason", "W02 serves odd prices"])
    assert result.exit_code == 0, result.output
    assert f"champion: {CHAMP} (rolled back {CHAL})" in result.output
    record = runfiles.read_champion(settings.data_dir)
    assert record["run_id"] == CHAMP
    assert [(e["action"], e["run_id"], e["reason"]) for e in record["history"]] == [
        ("promoted", CHAMP, "automatic: first run"), ("manual", CHAL, "checked by hand: W02 prices are right"),
        ("rollback", CHAMP, "W02 serves odd prices")]
    out = runner.invoke(app, ["predict", "--title", "Dunk Low 'Panda'"]).output
    assert f"{CHAMP} has no title model" in out.replace("\n", "")
    listing = runner.invoke(app, ["models", "list"]).output
    assert "rolled back" in next(ln for ln in listing.splitlines() if CHAL in ln)
    assert "no previous champion" in runner.invoke(app, ["models", "rollback", "-r", "again"]).output
    with pytest.raises(FileNotFoundError, match="no run 2026-W09-x"):
        promote(settings.data_dir, "2026-W09-x", "typo")
    with pytest.raises(ValueError, match="invalid run id"):
        promote(settings.data_dir, "../etc", "escape")
    with pytest.raises(ValueError, match="needs a reason"):
        rollback(settings.data_dir, " ")


def test_predict_falls_back_to_the_latest_run_without_a_champion(settings):
    write_run(settings.data_dir, CHAMP, champion_split(50), 0.6, seed=1)
    RunDir.for_id(settings.data_dir, CHAMP).mark_latest()
    assert serving_run_dir(settings.data_dir).name == CHAMP


def test_models_show_prints_the_figures_and_reasons(settings):
    _with_champion(settings, accuracy=0.7)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.45, seed=2)
    decide(settings.data_dir, CHAL, settings)
    result = runner.invoke(app, ["models", "show", CHAL])
    assert result.exit_code == 0, result.output
    assert "450 evaluation rows of 600 test products (150 excluded" in result.output
    assert "price_band" in result.output and "worse" in result.output
    assert runner.invoke(app, ["models", "show", "nope"]).exit_code == 2


def test_the_report_marks_a_refused_run_and_links_champion_and_challenger(settings):
    from sneaker_core.report import build_report

    _with_champion(settings, accuracy=0.7)
    write_run(settings.data_dir, CHAL, challenger_split(), 0.45, seed=2)
    runfiles.write_drift(settings.data_dir, CHAL, {"week": "2026-W02", "thresholds": {"count_change": 0.3},
                                                   "warnings": ["dunk-low: listing count -52% (limit ±30%)"],
                                                   "models": {}})
    decide(settings.data_dir, CHAL, settings)
    out = build_report(RunDir.for_id(settings.data_dir, CHAL))
    html = (settings.data_dir / "runs" / CHAL / "report" / "index.html").read_text(encoding="utf-8")
    sections = {s["id"]: s for s in out["sections"]}
    assert sections["promotion"]["available"] and sections["drift"]["available"]
    assert f"NOT PROMOTED: this run is kept but does not serve predictions; {CHAMP} stayed the champion" in html
    assert f'href="../../{CHAMP}/report/index.html"' in html and f'href="../../{CHAL}/report/index.html"' in html
    assert "drift: dunk-low: listing count -52% (limit ±30%)" in html  # a reason of the refusal
    assert 'id="promotion-table"' in html and "promoted by hand" not in html
    promote(settings.data_dir, CHAL, "checked")
    build_report(RunDir.for_id(settings.data_dir, CHAL))
    html = (settings.data_dir / "runs" / CHAL / "report" / "index.html").read_text(encoding="utf-8")
    assert "NOT PROMOTED" in html and "It has since been promoted by hand" in html


def test_a_refusal_becomes_markdown_and_an_event_naming_its_causes(settings):
    from sneaker_core.governance.summaries import REFUSED_EVENT, promotion_markdown, refusal_event

    first = _with_champion(settings, accuracy=0.7)
    assert refusal_event(first) is None
    write_run(settings.data_dir, CHAL, challenger_split(), 0.45, seed=2)
    runfiles.write_drift(settings.data_dir, CHAL, {"warnings": ["bapesta: median price +31% (limit ±15%)"]})
    decision = decide(settings.data_dir, CHAL, settings)[0]
    event = refusal_event(decision)
    assert event["event"] == REFUSED_EVENT == "sneaker.promotion.refused"
    assert event["resource"] == {"prefect.resource.id": f"sneaker.run.{CHAL}", "prefect.resource.name": CHAL}
    assert event["payload"]["causes"] == ["drift", "worse model"] and event["payload"]["champion"] == CHAMP
    md = promotion_markdown(decision, settings.data_dir)
    assert md.startswith(f"# Promotion of `{CHAL}`: NOT PROMOTED: {CHAMP} stays the champion")
    assert "| model | 300 |" in md and "- drift: bapesta: median price +31% (limit ±15%)" in md
    assert f"Champion report: `{(settings.data_dir / 'runs' / CHAMP / 'report' / 'index.html').resolve()}`" in md
