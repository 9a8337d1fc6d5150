"""`sneaker train-titles` and `sneaker predict` end to end on a synthetic catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from stacking_fixtures import synthetic_catalog
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.rundir import RunDir

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    synthetic_catalog(150, seed=5).to_csv(root / "catalog.csv", index=False)
    result = runner.invoke(app, ["train-titles", str(root / "catalog.csv"), "--run-dir", str(root / "run"),
                                 "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "grouped validation" in result.output and "dropped" in result.output
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
    assert len(json.loads(RunDir(run_dir).decile_edges.read_text())) == 11


def test_predict_single_title_prints_estimate(run_dir: Path):
    result = runner.invoke(app, ["predict", "--title", "Bapesta Low 'Black Gold'", "--run", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert "estimate" in result.output and "bapesta" in result.output


def test_predict_refuses_image_without_cnn_run_and_csv_without_out(run_dir: Path, tmp_path: Path):
    image = tmp_path / "shoe.png"
    image.write_bytes(b"\x89PNG")
    result = runner.invoke(app, ["predict", str(image), "--run", str(run_dir)])
    assert result.exit_code == 2 and "has no trained CNNs; train the run first" in result.output
    result = runner.invoke(app, ["predict", str(tmp_path / "x.csv"), "--run", str(run_dir)])
    assert result.exit_code == 2 and "--out" in result.output


def test_train_titles_reports_unreadable_catalog(tmp_path: Path):
    (tmp_path / "bad.csv").write_text("name,cost\na,1\n")
    result = runner.invoke(app, ["train-titles", str(tmp_path / "bad.csv"), "--run-dir", str(tmp_path / "r")])
    assert result.exit_code == 2 and "lacks column" in result.output


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
