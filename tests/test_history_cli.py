"""`sneaker history`: weekly tables, sparklines, week-over-week change, CSV, and one-line errors."""

import pandas as pd
import pytest
from test_history import PANDA, _item, _v1, _v2
from typer.testing import CliRunner

from sneaker_cli.history import sparkline
from sneaker_cli.main import app

runner = CliRunner()
PURPLE = "Nike SB Dunk Low Pro Court Purple"


@pytest.fixture
def data(tmp_path):
    _v1(tmp_path, "2026-W46", "dunk-low", [_item("panda-1", PANDA, "$100", 0)])
    _v2(tmp_path, "2026-W47", "dunk-low", [_item("panda-1", PANDA, "$120", 0), _item("sb-2", PURPLE, "$300", 1)])
    _v2(tmp_path, "2026-W49", "dunk-low", [_item("panda-1", PANDA, "$90", 0), _item("sb-2", PURPLE, None, 1)])
    return tmp_path


def _run(*args):
    result = runner.invoke(app, ["history", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def test_one_product_week_by_week(data):
    result = _run("panda-1", "--data-dir", data)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "2026-W" in line]
    assert len(lines) == 3 and "$100" in lines[0] and "+20.0%" in lines[1] and "$90" in lines[2]
    assert "%" not in lines[2]  # W48 is missing, so W49 has no week-over-week change
    assert "▃█ ▁" in result.output  # the sparkline: $100, $120, not listed, $90 (lowest)


def test_model_to_csv_has_the_weekly_rows_and_changes(data, tmp_path):
    out = tmp_path / "h.csv"
    result = _run("--model", "dunk-low", "--csv", out, "--data-dir", data)
    assert result.exit_code == 0, result.output
    assert "2 products" in result.output and "wrote 5 weekly rows" in result.output
    df = pd.read_csv(out)
    assert list(zip(df.product_id, df.week, df.price_usd.fillna(-1), df.change_pct.round(3).fillna(0))) == [
        ("panda-1", "2026-W46", 100.0, 0), ("panda-1", "2026-W47", 120.0, 20.0), ("panda-1", "2026-W49", 90.0, 0),
        ("sb-2", "2026-W47", 300.0, 0), ("sb-2", "2026-W49", -1, 0)]
    assert df.priced.tolist() == [True, True, True, True, False]


def test_scraped_text_is_not_read_as_markup(tmp_path):
    _v2(tmp_path, "2026-W48", "dunk-low", [_item("[red]x", "Nike Dunk Low [bold]Panda[/bold]", "$120", 0)])
    result = _run("[red]x", "--data-dir", tmp_path)
    assert result.exit_code == 0 and "Nike Dunk Low [bold]Panda[/bold] ([red]x)" in result.output
    assert "[red]x" in _run("--search", "panda", "--data-dir", tmp_path).output


def test_search_finds_titles_with_every_word(data):
    result = _run("--search", "court PURPLE", "--data-dir", data)
    assert result.exit_code == 0 and "sb-2" in result.output and "panda-1" not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["nope-9"], "no product 'nope-9' in the history (2 products)"),
    (["--model", "air-jordan-4"], "no products of model 'air-jordan-4'"),
    (["--model", "jordan-99"], "jordan-99"),
    (["--search", "yeezy"], "no product title contains 'yeezy'"),
    (["panda-1", "--model", "dunk-low"], "give exactly one of PRODUCT_ID, --model KEY or --search TEXT"),
    ([], "give exactly one of"),
])
def test_user_errors_are_one_line(data, args, message):
    result = _run(*args, "--data-dir", data)
    assert result.exit_code == 2 and result.output.startswith("error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_history_yet(tmp_path):
    result = _run("panda-1", "--data-dir", tmp_path)
    assert result.exit_code == 2 and "no history yet" in result.output and "sneaker backfill" in result.output


def test_sparkline_scales_and_marks_unpriced_weeks():
    assert sparkline([100.0, float("nan"), 200.0, None, 150.0]) == "▁·█ ▅"
    assert sparkline([5.0, 5.0]) == "▄▄"
