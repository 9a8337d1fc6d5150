"""`sneaker train-titles` and `sneaker predict` end to end on a synthetic catalog."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stacking_fixtures import synthetic_catalog
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.payout import net_payout, schedule_from
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    catalog = synthetic_catalog(150, seed=5)
    known = catalog.index % 3 != 0  # the optional market columns on two rows in three, blank on the rest
    catalog["retail_usd"] = np.where(known, "110", "")
    catalog["release_date"] = np.where(known, "2022-06-01", "")
    catalog.to_csv(root / "catalog.csv", index=False)
    result = runner.invoke(app, ["train-titles", str(root / "catalog.csv"), "--run-dir", str(root / "run"),
                                 "--seed", "3", "--as-of", "2023-04-15"])
    assert result.exit_code == 0, result.output
    assert "grouped out-of-fold validation" in result.output and "dropped" in result.output
    assert "market columns as given" in result.output
    return root / "run"


def test_predict_csv_writes_required_columns(run_dir: Path, tmp_path: Path):
    pd.DataFrame({"title": ["Off-White x Yeezy Boost 350 V2 'Black Red'", "  ", "Dunk Low 'Grey Navy'"]}).to_csv(
        tmp_path / "rows.csv", index=False)
    result = runner.invoke(app, ["predict", str(tmp_path / "rows.csv"), "--run", str(run_dir),
                                 "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert "2 of 3 rows predicted" in result.output and "empty title" in result.output
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    for col in ("title", "pred_price_decile", "pred_price_band", "price_estimate_usd", "price_low_usd",
                "price_high_usd", "model", "brand", "reason", "p_price_decile__000_"):
        assert any(c.startswith(col) for c in out.columns), col
    assert out["reason"].tolist() == ["", "empty title", ""]
    assert out.loc[1, "pred_price_decile"] == "" and int(out.loc[0, "pred_price_decile"]) in range(10)
    assert int(out.loc[2, "pred_price_band"]) in range(0, 1000, 100)
    assert out.loc[0, "model"] == "yeezy-350"
    assert out.loc[1, "net_payout_usd"] == "" and float(out.loc[0, "net_payout_usd"]) == net_payout(
        float(out.loc[0, "price_estimate_usd"]), schedule_from(Settings())).net_usd
    assert len(json.loads(RunDir(run_dir).decile_edges.read_text())) == 11


def test_predict_single_title_prints_estimate(run_dir: Path):
    result = runner.invoke(app, ["predict", "--title", "Bapesta Low 'Black Gold'", "--run", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert "estimate" in result.output and "bapesta" in result.output and "net payout" in result.output


def test_predict_refuses_image_without_cnn_run_and_csv_without_out(run_dir: Path, tmp_path: Path):
    image = tmp_path / "shoe.png"
    image.write_bytes(b"\x89PNG")
    result = runner.invoke(app, ["predict", str(image), "--run", str(run_dir)])
    assert result.exit_code == 2 and "has no trained CNNs; train the run first" in result.output
    result = runner.invoke(app, ["predict", str(tmp_path / "x.csv"), "--run", str(run_dir)])
    assert result.exit_code == 2 and "--out" in result.output


def test_predict_csv_with_market_columns_and_fee_schedule(run_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SNEAKER_FEE_COMMISSION_RATE", "0.2")
    monkeypatch.setenv("SNEAKER_FEE_SELLER_USD", "0")
    monkeypatch.setenv("SNEAKER_FEE_CASHOUT_RATE", "0")
    pd.DataFrame({"title": ["Dunk Low 'Grey Navy'"] * 3, "retail_usd": ["110", "abc", ""],
                  "release_date": ["2022-06-01", "2022-06-01", "soon"]}).to_csv(tmp_path / "rows.csv", index=False)
    result = runner.invoke(app, ["predict", str(tmp_path / "rows.csv"), "--run", str(run_dir),
                                 "--out", str(tmp_path / "out.csv"), "--as-of", "2023-04-15"])
    assert result.exit_code == 0, result.output
    assert "'not a number': 1" in result.output and "'not a date': 1" in result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["reason"].isna().all()
    assert np.allclose(out["net_payout_usd"], (out["price_estimate_usd"] * 0.8).round(2))
    # the row with retail and release is priced by the market estimator, the others by the title alone
    assert out.loc[0, "price_estimate_usd"] != out.loc[2, "price_estimate_usd"]
    result = runner.invoke(app, ["predict", "--title", "Dunk Low", "--run", str(run_dir), "--release", "soon"])
    assert result.exit_code == 2 and "--release 'soon' is not a date" in result.output
    result = runner.invoke(app, ["predict", "--title", "Dunk Low", "--run", str(run_dir), "--as-of", "4/15/23"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_train_titles_reports_unreadable_catalog(tmp_path: Path):
    (tmp_path / "bad.csv").write_text("name,cost\na,1\n")
    result = runner.invoke(app, ["train-titles", str(tmp_path / "bad.csv"), "--run-dir", str(tmp_path / "r")])
    assert result.exit_code == 2 and "lacks column" in result.output


def test_predict_keeps_input_columns_named_like_its_outputs(run_dir: Path, tmp_path: Path):
    pd.DataFrame({"title": ["Dunk Low 'Grey Navy'"], "model": ["mine"], "reason": ["gift"],
                  "pred_price_band": ["7"], "p_x": ["0.5"]}).to_csv(tmp_path / "rows.csv", index=False)
    result = runner.invoke(app, ["predict", str(tmp_path / "rows.csv"), "--run", str(run_dir),
                                 "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert ("input column(s) renamed, their names are output columns: model -> input_model, reason -> "
            "input_reason, pred_price_band -> input_pred_price_band, p_x -> input_p_x") in " ".join(result.output.split())
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False).iloc[0]
    assert (out["input_model"], out["input_reason"], out["input_pred_price_band"], out["input_p_x"]) == (
        "mine", "gift", "7", "0.5")
    assert out["model"] == "dunk-low" and out["reason"] == "" and int(out["pred_price_band"]) in range(0, 1000, 100)


def test_title_model_is_verified_before_it_is_unpickled(run_dir: Path, tmp_path: Path):
    """A pickle that is not the one train-titles recorded is never loaded (it could run code), and a corrupt
    one says so in one line."""
    import shutil

    tampered = tmp_path / "tampered"
    shutil.copytree(run_dir, tampered)
    model = RunDir(tampered).title_model
    model.write_bytes(model.read_bytes() + b"\x00")
    result = runner.invoke(app, ["predict", "--title", "Dunk Low 'Panda'", "--run", str(tampered)])
    assert result.exit_code == 2 and "does not match the sha256" in result.output and "refusing to load" in result.output
    RunDir(tampered).manifest("titles").unlink()
    result = runner.invoke(app, ["predict", "--title", "Dunk Low 'Panda'", "--run", str(tampered)])
    assert result.exit_code == 2 and "is not recorded in" in result.output
    from sneaker_core.stacking.title_run import TITLES_STAGE

    model.write_bytes(b"\x80\x04 not a pickle")  # recorded as it is now: the digest matches, the content is bad
    RunDir(tampered).record(TITLES_STAGE, [model, RunDir(tampered).title_manifest, RunDir(tampered).decile_edges])
    result = runner.invoke(app, ["predict", "--title", "Dunk Low 'Panda'", "--run", str(tampered)])
    assert result.exit_code == 2 and "is corrupt" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_size_scales_the_estimate_by_the_runs_size_curve(run_dir: Path, tmp_path: Path):
    """A `size` column (or --size) gives that size's estimate: the product's times its model's curve."""
    import shutil

    sized = tmp_path / "sized"
    shutil.copytree(run_dir, sized)
    RunDir(sized).backtest.write_text(json.dumps({"size_curves": {"week": "2026-W48", "models": {
        "dunk-low": {"9": 0.95, "12": 1.25}}}}))
    titles = ["Dunk Low 'Grey Navy'"] * 4 + ["Bapesta Low 'Black Gold'"]
    pd.DataFrame({"title": titles, "size": ["", "12.0", "9", "17", "9"]}).to_csv(tmp_path / "rows.csv", index=False)
    result = runner.invoke(app, ["predict", str(tmp_path / "rows.csv"), "--run", str(sized),
                                 "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, dtype={"size_label": str})
    assert out["size_label"].tolist() == ["", "12", "9", "17", "9"]
    assert out["size_reason"].tolist() == ["", "", "", "size_not_in_curve", "no_size_curve_for_model"]
    base = out.loc[0, ["price_estimate_usd", "price_low_usd", "price_high_usd"]].astype(float).to_numpy()
    for row, ratio in ((1, 1.25), (2, 0.95), (3, 1.0)):
        got = out.loc[row, ["price_estimate_usd", "price_low_usd", "price_high_usd"]].astype(float).to_numpy()
        assert np.allclose(got, (base * ratio).round(2), atol=0.011), (row, got, base)
    assert float(out.loc[1, "net_payout_usd"]) == net_payout(float(out.loc[1, "price_estimate_usd"]),
                                                             schedule_from(Settings())).net_usd
    one = runner.invoke(app, ["predict", "--title", "Dunk Low 'Grey Navy'", "--size", "12", "--run", str(sized)])
    assert one.exit_code == 0 and "12: × 1.250 of the product's price" in one.output, one.output
    plain = runner.invoke(app, ["predict", "--title", "Dunk Low 'Grey Navy'", "--size", "12", "--run", str(run_dir)])
    assert "no size estimate (no_size_curves_in_run)" in plain.output  # a train-titles run has no forecast stage
