"""Per-size estimates: exact scaling, size labels as the marketplace writes them, a named reason otherwise."""

import numpy as np
import pandas as pd

from sneaker_core.rundir import RunDir
from sneaker_core.stacking.size_estimate import apply_sizes, load_size_curves, size_label, size_ratio

CURVES = {"dunk-low": {"9.5": 0.9, "12": 1.2}}


def test_size_labels_follow_the_marketplace():
    assert [size_label(v) for v in ("9.5", "12.0", 12, " 8 ", "8.5Y", "", None, float("nan"), "inf")] == [
        "9.5", "12", "12", "8", "8.5Y", "", "", "", "inf"]


def test_ratio_or_the_reason_there_is_none():
    assert size_ratio(CURVES, "dunk-low", "12") == (1.2, "")
    assert size_ratio(CURVES, "dunk-low", "13") == (None, "size_not_in_curve")
    assert size_ratio(CURVES, "bapesta", "12") == (None, "no_size_curve_for_model")
    assert size_ratio(CURVES, None, "12") == (None, "no_size_curve_for_model")
    assert size_ratio({}, "dunk-low", "12") == (None, "no_size_curves_in_run")


def test_apply_sizes_scales_estimate_and_interval_exactly():
    wide = pd.DataFrame({"model": ["dunk-low", "dunk-low", "dunk-low", "dunk-low"],
                         "price_estimate_usd": [100.0, 100.0, 100.0, np.nan],
                         "price_low_usd": [80.0, 80.0, 80.0, np.nan], "price_high_usd": [130.0, 130.0, 130.0, np.nan]})
    out = apply_sizes(wide, pd.Series(["9.50", "", "14", "12"]), CURVES)
    assert out["price_estimate_usd"].tolist()[:3] == [90.0, 100.0, 100.0]
    assert out["price_low_usd"].tolist()[:3] == [72.0, 80.0, 80.0]
    assert out["price_high_usd"].tolist()[:3] == [117.0, 130.0, 130.0]
    assert out["size_reason"].tolist() == ["", "", "size_not_in_curve", "no_estimate"]
    assert out["size_label"].tolist() == ["9.5", "", "14", "12"]


def test_curves_come_from_the_runs_backtest_and_a_broken_file_gives_none(tmp_path):
    run = RunDir(tmp_path)
    assert load_size_curves(run) == {}
    run.backtest.write_text('{"size_curves": {"week": "2026-W48", "models": {"dunk-low": {"9": 0.95}}}}')
    assert load_size_curves(run) == {"dunk-low": {"9": 0.95}}
    run.backtest.write_text("{not json")
    assert load_size_curves(run) == {}
