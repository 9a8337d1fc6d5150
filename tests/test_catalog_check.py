"""`sneaker catalog check` on a tiny synthetic CSV and on the real 2023 catalog in ../shared."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sneaker_cli.main import app
from sneaker_core.catalog import label_catalog, summarise
from sneaker_core.csv_files import CsvError
from sneaker_core.labeller import label_title

REAL_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "goat_catalog_2023.csv"
OUTPUT_COLUMNS = ["title", "search_model", "price_usd", "price_reason", "model", "brand", "status", "reason"]
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
runner = CliRunner()


def write_small(path: Path) -> Path:
    rows = [
        ("Air Jordan 3 Retro 'Black Cement'", "https://img/a.png", "$1,507", "Air Jordan 3"),
        ("Air Jordan 3 Retro 'Black Cement'", "https://img/a.png", "$1,507", "Air Jordan 3"),  # duplicate
        ("Jordan Zion 3 'Mud, Sweat and Tears'", "https://img/b.png", "", "Air Jordan 3"),
        ("BAPE Sta Socks 'Red'", PLACEHOLDER, "$50", "Bapesta"),
        ("Air Jordan 2 Retro 'Chicago'", "https://img/c.png", "Sold Out", "Air Jordan 5"),
        ("", "", "$100,007", "Air Jordan 5"),
        ("Dunk Low 'Panda'", "https://img/d.png", "€120", "Air Jordan 99"),  # unknown search model
    ]
    pd.DataFrame(rows, columns=["title", "image", "price", "search_model"]).to_csv(path, index=False)
    return path


def test_small_catalog_end_to_end(tmp_path: Path):
    csv = write_small(tmp_path / "small.csv")
    out = tmp_path / "sub" / "labelled.csv"
    result = runner.invoke(app, ["catalog", "check", str(csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Air Jordan 3" in result.output and "TOTAL" in result.output
    df = pd.read_csv(out, keep_default_na=False)
    df["price_usd"] = df["price_usd"].replace("", None).astype(float)
    assert list(df.columns[:8]) == OUTPUT_COLUMNS
    assert len(df) == 7 and not list(out.parent.glob(".tmp-*"))
    assert df["status"].tolist() == ["ok", "ok", "off_model", "non_sneaker", "relabelled", "off_model", "ok"]
    assert df["model"].tolist() == ["air-jordan-3", "air-jordan-3", "", "", "air-jordan-2", "", "dunk-low"]
    assert df["brand"].tolist()[:2] == ["Air Jordan", "Air Jordan"]
    assert df["price_reason"].tolist() == ["", "", "missing", "", "no_price_text", "absurd", "non_usd"]
    assert df["price_usd"].tolist()[:2] == [1507.0, 1507.0] and df["price_usd"][3] == 50.0
    assert df["duplicate"].tolist() == [False, True, False, False, False, False, False]
    assert df["image_placeholder"].tolist() == [False, False, False, True, False, True, False]
    assert df["reason"][5] == "empty title: cannot confirm air-jordan-5"
    assert df["reason"][6].startswith("unknown search model 'Air Jordan 99'")

    summary = summarise(label_catalog(csv)).set_index("search_model")
    assert summary.loc["Air Jordan 3"].to_dict() == {
        "rows": 3, "priced": 2, "ok": 2, "relabelled": 0, "off_model": 1, "non_sneaker": 0, "unknown": 0,
        "placeholder_images": 0, "duplicates": 1}
    assert summary.loc["TOTAL", "rows"] == 7 and summary.loc["TOTAL", "priced"] == 3
    assert summary.loc["TOTAL", "placeholder_images"] == 2


def test_missing_columns_and_bad_files_are_clear_errors(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,price\nDunk Low,$100\n")
    with pytest.raises(CsvError, match="lacks column.*title, image.*expected title, image, price"):
        label_catalog(bad)
    result = runner.invoke(app, ["catalog", "check", str(bad)])
    assert result.exit_code == 2 and "title, image" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CsvError, match="not a readable CSV"):
        label_catalog(empty)
    with pytest.raises(CsvError, match="does not exist"):
        label_catalog(tmp_path / "nope.csv")
    header_only = tmp_path / "header.csv"
    header_only.write_text("title,image,price\n")
    assert summarise(label_catalog(header_only))["rows"].tolist() == [0]


# ---- the real catalog --------------------------------------------------------------------------------

needs_real = pytest.mark.skipif(not REAL_CSV.is_file(), reason=f"real catalog not found at {REAL_CSV}")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "labelled.csv"
    result = runner.invoke(app, ["catalog", "check", str(REAL_CSV), "--out", str(out)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, keep_default_na=False)
    df["price_usd"] = df["price_usd"].replace("", None).astype(float)
    return df, summarise(df).set_index("search_model")


@needs_real
def test_real_output_columns_and_totals(real):
    df, summary = real
    assert set(OUTPUT_COLUMNS) <= set(df.columns) and len(df) == 13_627
    assert df["status"].value_counts().to_dict() == {
        "ok": 11_726, "off_model": 1_701, "non_sneaker": 135, "relabelled": 65}
    assert df["price_reason"].value_counts().to_dict() == {"": 10_456, "missing": 3_167, "absurd": 4}
    total = summary.loc["TOTAL"]
    assert (total["rows"], total["priced"], total["placeholder_images"], total["duplicates"]) == (
        13_627, 10_456, 730, 249)
    # a model's brand always comes from the registry
    assert (df[df["model"] == "bapesta"]["brand"] == "Bapesta").all()
    assert (df[df["model"].str.startswith("air-jordan")]["brand"] == "Air Jordan").all()
    assert (df[df["status"].isin(["off_model", "non_sneaker"])]["model"] == "").all()


@needs_real
@pytest.mark.parametrize("search, counts", [
    ("Yeezy 350", (78, 75, 78, 0, 0, 0, 2, 0)),
    ("Bapesta", (887, 416, 676, 0, 99, 112, 89, 6)),
    ("Crocs", (404, 351, 310, 17, 76, 1, 11, 2)),
    ("Air Jordan 3", (316, 233, 110, 0, 205, 1, 32, 2)),
    ("New Balance 990", (267, 225, 267, 0, 0, 0, 7, 0)),
    ("Yeezy Foam Runner", (23, 23, 16, 1, 6, 0, 0, 0)),
])
def test_real_summary_counts(real, search, counts):
    _, summary = real
    cols = ["rows", "priced", "ok", "relabelled", "off_model", "non_sneaker", "placeholder_images", "duplicates"]
    assert tuple(int(summary.loc[search, c]) for c in cols) == counts


def rows(df, search, pattern):
    picked = df[(df["search_model"] == search) & df["title"].str.contains(pattern, regex=True)]
    assert len(picked), f"no {pattern!r} rows in the {search} search"
    return picked


@needs_real
def test_real_named_cases(real):
    df, _ = real
    assert set(rows(df, "Air Jordan 3", r"^Jordan Zion 3")["status"]) == {"off_model"}
    hydro = df[df["title"].str.contains("Hydro") & df["search_model"].str.startswith("Air Jordan")]
    assert len(hydro) > 50 and "ok" not in set(hydro["status"])
    for apparel in (r"\bSocks\b", r"\bTee\b", r"\bHoodie\b"):
        assert set(rows(df, "Bapesta", apparel)["status"]) == {"non_sneaker"}
    wave = rows(df, "Yeezy Foam Runner", r"Wave Runner")
    assert wave[["status", "model"]].drop_duplicates().values.tolist() == [["relabelled", "yeezy-700"]]
    # the Crocs search returns Nike/adidas 'Croc' colourways: never labelled crocs
    croc = rows(df, "Crocs", r"^(?:Air Force 1 |Air Jordan \d+ |Dunk |Air Max 90 |Forum |Stan Smith ).*Croc")
    assert len(croc) == 15 and "crocs" not in set(croc["model"]) and "ok" not in set(croc["status"])
    assert (croc["status"] == "relabelled").sum() == 14  # 'Dunk CMFT Premium' names no tracked model
    assert set(rows(df, "Crocs", r"Classic Clog")["model"]) == {"crocs"}


@needs_real
def test_real_boundary_rows_are_labelled_by_title_not_position(real):
    """The original labelled rows by position: the first Air Jordan 2 results went to the Air Jordan 5
    search, and the last Dunk Low SB results to the New Balance 990 search. Labels come from titles."""
    df, _ = real
    aj2 = rows(df, "Air Jordan 2", r"^Air Jordan 2 Retro")
    assert set(aj2["status"]) == {"ok"}
    for title in aj2["title"].head(20):
        label = label_title(title, "Air Jordan 5")
        assert (label.model, label.brand, label.status) == ("air-jordan-2", "Air Jordan", "relabelled")
    sb = rows(df, "Dunk Low", r"^Dunk Low SB\b")
    for title in sb["title"].tail(20):
        label = label_title(title, "New Balance 990")
        assert (label.model, label.brand, label.status) == ("dunk-low", "Nike", "relabelled")


def test_models_file_option(tmp_path: Path):
    models = tmp_path / "models.yaml"
    models.write_text("models:\n  - {key: zion-3, name: Zion 3, brand: Jordan, query: zion 3, "
                      "patterns: ['\\bzion 3\\b']}\n")
    csv = tmp_path / "c.csv"
    pd.DataFrame({"title": ["Jordan Zion 3 'Gen Zion'", "Dunk Low"], "image": ["u", "v"], "price": ["$90", "$1"],
                  "search_model": ["zion-3", "Zion 3"]}).to_csv(csv, index=False)
    out = tmp_path / "o.csv"
    result = runner.invoke(app, ["catalog", "check", str(csv), "--out", str(out), "--models-file", str(models)])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, keep_default_na=False)
    assert df[["model", "brand", "status"]].values.tolist() == [["zion-3", "Jordan", "ok"], ["", "", "off_model"]]
    missing = runner.invoke(app, ["catalog", "check", str(csv), "--models-file", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "error" in missing.output
