"""Reading sales histories: both StockX spellings, the generic layout, and every bad input's one-line error."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.forecast.sales_csv import SalesError, read_sales, stockx_model
from sneaker_core.forecast.weekly import panel_from_sales
from tests.forecast_fixtures import stockx_sales, us_spelling

runner = CliRunner()


def test_both_stockx_spellings_give_the_same_weekly_series(tmp_path):
    sales = stockx_sales(n_products=3, weeks=6)
    iso, us = tmp_path / "iso.csv", tmp_path / "us.csv"
    sales.to_csv(iso, index=False)
    us_spelling(sales).to_csv(us, index=False)
    assert "$" in us.read_text() and "/" in us.read_text()
    a, b = read_sales(iso, "stockx"), read_sales(us, "stockx")
    pd.testing.assert_frame_equal(a, b)
    for by_size in (False, True):
        pa, pb = panel_from_sales(a, by_size), panel_from_sales(b, by_size)
        pd.testing.assert_frame_equal(pa.price, pb.price)
    assert set(a["brand"]) == {"Off-White", "Yeezy"}  # the contest's leading space is stripped
    assert set(a["size"]) == {"9", "10", "11"}


def test_weekly_value_is_the_median_of_the_monday_to_sunday_week(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("date,product,price\n2018-01-01,a,100\n2018-01-07,a,300\n2018-01-03,a,120\n"
                    "2018-01-08,a,90\n2018-01-22,a,80\n")
    panel = panel_from_sales(read_sales(path, "generic"), by_size=False)
    assert [d.date().isoformat() for d in panel.weeks] == ["2018-01-01", "2018-01-08", "2018-01-15", "2018-01-22"]
    assert panel.price["a"].tolist()[:2] == [120.0, 90.0]
    assert pd.isna(panel.price["a"].iloc[2]) and panel.price["a"].iloc[3] == 80.0
    assert panel.count["a"].tolist() == [3.0, 1.0, 0.0, 1.0]


def test_as_of_keeps_only_sales_on_or_before_it(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("date,product,price,size\n2018-01-01,a,100,9\n2018-01-07,a,300,9.0\n2018-01-08,a,90,\n")
    sales = read_sales(path, "generic", as_of=pd.Timestamp("2018-01-07").date())
    assert sales["price"].tolist() == [100.0, 300.0]
    assert sales["size"].tolist() == ["9", "9"]


def test_stockx_model_names():
    assert stockx_model("adidas-Yeezy-Boost-350-V2-Butter") == "yeezy-boost-350-v2"
    assert stockx_model("Nike-Air-Presto-Off-White-Black-2018") == "air-presto"
    assert stockx_model("Nike-Air-Force-1-Low-Virgil-Abloh-Off-White-AF100") == "air-force-1-low"
    assert stockx_model("Air-Jordan-1-Retro-High-Off-White-Chicago") == "air-jordan-1-retro-high"


BAD = {
    "empty": ("", "is empty"),
    "no_dates": ("product,price\na,100\n", "lacks column(s) date"),
    "no_prices": ("date,product\n2018-01-01,a\n", "lacks column(s) price"),
    "negative": ("date,product,price\n2018-01-01,a,100\n2018-01-02,a,-5\n", "zero or negative price in 1 row(s) (first: line 3"),
    "zero": ("date,product,price\n2018-01-01,a,0\n", "zero or negative price"),
    "bad_date": ("date,product,price\n2018-01-01,a,100\nyesterday,a,100\n", "unparseable date (use 2018-09-01 or 9/1/18) in 1 row(s) (first: line 3, 'yesterday')"),
    "bad_price": ("date,product,price\n2018-01-01,a,abc\n", "not a US dollar amount"),
    "header_only": ("date,product,price\n", "no sales rows"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_error_and_nothing_written(tmp_path, case):
    text, expected = BAD[case]
    src, out = tmp_path / "sales.csv", tmp_path / "out.csv"
    src.write_text(text)
    result = runner.invoke(app, ["forecast", str(src), "--as-of", "2018-03-01", "--weeks", "2", "--out", str(out),
                                 "--format", "generic"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


@pytest.mark.parametrize(("args", "expected"), [
    (["--format", "csv"], "unknown --format 'csv'"),
    (["--as-of", "2017-01-01"], "--as-of 2017-01-01 is before the first sale (2018-01-01)"),
    (["--as-of", "Jan 1"], "is not a date"),
    (["--weeks", "0"], "Invalid value for '--weeks'"),
])
def test_bad_options_are_one_line_errors(tmp_path, args, expected):
    src, out = tmp_path / "sales.csv", tmp_path / "out.csv"
    src.write_text("date,product,price\n2018-01-01,a,100\n")
    base = {"--as-of": "2018-03-01", "--weeks": "2", "--format": "generic"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = runner.invoke(app, ["forecast", str(src), "--out", str(out), *sum(base.items(), ())])
    assert result.exit_code == 2 and expected in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()


def test_read_sales_rejects_unknown_format_directly(tmp_path):
    with pytest.raises(SalesError, match="unknown --format"):
        read_sales(tmp_path / "x.csv", "excel")


def test_no_recent_sale_is_a_one_line_error(tmp_path):
    src, out = tmp_path / "sales.csv", tmp_path / "out.csv"
    src.write_text("date,product,price\n2018-01-01,a,100\n2018-01-09,a,110\n")
    result = runner.invoke(app, ["forecast", str(src), "--as-of", "2018-06-01", "--weeks", "2", "--out", str(out),
                                 "--format", "generic"])
    assert result.exit_code == 2 and "no sale in the 8 weeks up to --as-of 2018-06-01" in result.output
    assert not out.exists()
