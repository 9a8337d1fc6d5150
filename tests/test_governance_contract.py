"""Snapshot contract (pandera) and week-over-week drift: each broken rule and each shift a named outcome."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sneaker_core.governance.contract import ContractError, check_frame, check_snapshot
from sneaker_core.governance.drift import Thresholds, compare_weeks, model_drift, psi, week_drift
from sneaker_core.scrape.records import RECORD_SCHEMA
from sneaker_core.scrape.snapshot import snapshot_path
from sneaker_core.settings import Settings

LIMITS = Thresholds.from_settings(Settings())


def snapshot(n: int = 200, seed: int = 0, price_factor: float = 1.0, model: str = "dunk-low") -> pd.DataFrame:
    """A valid snapshot frame as the scraper writes it: log-normal prices around $180, 5 % unpriced."""
    rng = np.random.default_rng(seed)
    prices = np.round(180 * np.exp(rng.normal(0, 0.4, n)) * price_factor, 2)
    rows = [{"product_id": f"p{i:05d}", "title": f"Nike Dunk Low '{i}'", "image_url": f"https://img/{i}.png",
             "price_raw": f"${p}", "price_usd": None if i % 20 == 0 else float(p), "price_reason": None,
             "search_model": model, "position": i, "page_url": "https://m/search", "scraped_at": datetime.now(UTC),
             "source": "demo", "model": model if i % 10 else None, "brand": "Nike" if i % 10 else None,
             "status": "ok" if i % 10 else "off_model", "label_reason": ""} for i, p in enumerate(prices)]
    return pa.Table.from_pylist(rows, schema=RECORD_SCHEMA).to_pandas()


def _broken(frame: pd.DataFrame) -> ContractError:
    with pytest.raises(ContractError) as info:
        check_frame(frame, "raw/2026-W48/dunk-low.parquet")
    return info.value


def test_a_valid_snapshot_keeps_the_contract_with_or_without_the_version_2_columns(tmp_path):
    frame = snapshot()
    check_frame(frame, "v1")
    v2 = frame.assign(release_date=[date(2020, 1, 1) if i % 3 else None for i in range(len(frame))],
                      retail_usd=[110.0 if i % 2 else None for i in range(len(frame))],
                      template_id=[f"t{i}" if i % 4 else None for i in range(len(frame))])
    v2.to_parquet(tmp_path / "v2.parquet", index=False)
    assert check_snapshot(tmp_path / "v2.parquet") == 200
    err = _broken(v2.assign(retail_usd=-5.0))
    assert err.failures[0]["column"] == "retail_usd" and err.failures[0]["rule"] == "greater_than(0)"


def test_a_missing_column_is_named():
    err = _broken(snapshot().drop(columns=["price_usd"]))
    assert err.failures == [{"column": "price_usd", "rule": "required column: missing", "rows": 0, "examples": []}]
    assert "column 'price_usd' breaks required column: missing" in str(err)
    assert "raw/2026-W48/dunk-low.parquet" in str(err)


def test_a_string_in_the_price_column_is_named_with_its_row(tmp_path):
    frame = snapshot(5).assign(price_usd=[100.0, "$12 USD", 90.0, None, 80.0])
    err = _broken(frame)
    assert [(f["column"], f["rule"]) for f in err.failures] == [("price_usd", "type dtype('float64')")]
    assert err.failures[0]["examples"] == ["p00001='$12 USD'"]


def test_duplicate_product_ids_are_named():
    frame = snapshot(6)
    frame.loc[[2, 4], "product_id"] = "p00001"
    err = _broken(frame)
    assert [(f["column"], f["rule"], f["rows"], f["examples"]) for f in err.failures] == [
        ("product_id", "field_uniqueness", 3, ["p00001"])]


def test_statuses_titles_and_ranges_are_checked_with_a_few_offending_rows():
    frame = snapshot(10).assign(status=["ok", "bogus", *["ok"] * 8], title=[" ", *["x"] * 9])
    frame.loc[3:9, "price_usd"] = 0.0
    failures = {(f["column"], f["rule"]): f for f in _broken(frame).failures}
    assert failures[("title", "non_empty_text")]["examples"] == ["p00000=' '"]
    assert failures[("status", "isin(('ok', 'relabelled', 'off_model', 'non_sneaker', 'unknown'))")]["rows"] == 1
    price = failures[("price_usd", "greater_than(0)")]
    assert (price["rows"], len(price["examples"])) == (7, 3)  # a few examples, every row counted
    assert _broken(snapshot().iloc[:0]).failures[0]["rule"] == "at_least_one_row"


def test_a_stable_week_has_no_drift_warnings():
    out = compare_weeks(snapshot(400, seed=1), snapshot(400, seed=2), LIMITS)
    assert out["warnings"] == []
    assert out["price_psi"] < 0.1 and abs(out["median_change"]) < 0.1


def test_listing_count_halving_is_a_named_warning():
    out = compare_weeks(snapshot(400, seed=1), snapshot(200, seed=2), LIMITS)
    assert out["count_change"] == -0.5 and out["listings"] == [400, 200]
    assert out["warnings"] == ["listing count -50% (limit ±30%)"]


def test_prices_shifting_by_30_percent_are_named_warnings():
    out = compare_weeks(snapshot(400, seed=1), snapshot(400, seed=1, price_factor=1.3), LIMITS)
    assert out["median_change"] == pytest.approx(0.3, abs=1e-4)  # prices are rounded to cents
    assert out["price_psi"] > LIMITS.price_psi
    assert out["warnings"] == ["median price +30% (limit ±15%)", f"price PSI {out['price_psi']:.2f} (limit 0.25)"]


def test_psi_of_identical_mixes_is_zero_and_of_a_new_label_is_large():
    mix = pd.Series({"dunk-low": 0.9, "(off_model)": 0.1})
    assert psi(mix, mix) == 0.0
    assert psi(mix, pd.Series({"dunk-low": 0.5, "dunk-high": 0.5})) > 1.0


def _write(data_dir: Path, week: str, frame: pd.DataFrame) -> None:
    path = snapshot_path(data_dir, week, "dunk-low")
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def test_drift_compares_with_the_latest_earlier_snapshot_that_keeps_the_contract(tmp_path):
    assert model_drift(tmp_path, "2026-W48", "dunk-low", LIMITS)["status"] == "no earlier snapshot"
    _write(tmp_path, "2026-W46", snapshot(400, seed=1))
    _write(tmp_path, "2026-W47", snapshot(400, seed=1).drop(columns=["status"]))  # broke the contract
    _write(tmp_path, "2026-W48", snapshot(190, seed=2))
    _write(tmp_path, "2026-W49", snapshot(10, seed=3))  # later weeks never count as a baseline
    out = week_drift(tmp_path, "2026-W48", ["dunk-low"], LIMITS)
    d = out["models"]["dunk-low"]
    assert (d["status"], d["baseline_week"], d["listings"]) == ("compared", "2026-W46", [400, 190])
    assert d["skipped"][0].startswith("2026-W47: ") and "'status' breaks required column" in d["skipped"][0]
    assert out["warnings"] == ["dunk-low: listing count -52% (limit ±30%)"]
