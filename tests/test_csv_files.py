"""The shared CSV reader and writer: header rules, text round trips, typed reads."""

from __future__ import annotations

import pandas as pd
import pytest

from sneaker_core.csv_files import CsvError, read_csv_table, write_csv_table


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no header row"),
    (b"title,title,price\na,b,c\n", "column(s) 'title' appear more than once in the header"),
    (b"title,price\n\xff\xfe,1\n", "byte 12 is not UTF-8; save the file as UTF-8"),
    (b"title,price\na,1\nb,2,3\n", "line 3: 3 fields but the header names 2"),
    (b"name,price\na,1\n", "lacks column(s) title; expected title; found name, price"),
])
def test_bad_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(CsvError) as err:
        read_csv_table(path, required=("title",))
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_text_read_keeps_every_cell_as_written(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbf title ,price,extra\nN/A,,1\nshort\n\n\"multi\nline\",$5,\n")
    df = read_csv_table(path)
    assert list(df.columns) == ["title", "price", "extra"]
    assert df.values.tolist() == [["N/A", "", "1"], ["short", "", ""], ["multi\nline", "$5", ""]]
    assert len(read_csv_table(path, blank_lines=True)) == 4


def test_typed_read_and_round_trip(tmp_path):
    df = pd.DataFrame({"product_id": ["007", "8"], "title": ["a\rb", None], "p": [0.25, float("nan")]})
    write_csv_table(df, tmp_path / "x.csv")
    back = read_csv_table(tmp_path / "x.csv", text_columns=("product_id", "title"))
    assert back["product_id"].tolist() == ["007", "8"] and back["title"].iloc[0] == "a\rb"
    assert pd.isna(back["title"].iloc[1]) and back["p"].iloc[0] == 0.25 and pd.isna(back["p"].iloc[1])
