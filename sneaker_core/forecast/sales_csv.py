"""Read a sales history CSV (StockX contest layout or a generic one) into one long, validated table.

Output columns: date, product, size (str, "" when absent), price, retail_usd, release_date, model, brand.
Every bad cell is a `SalesError` naming the column, how many rows, and the first offending row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.csv_files import CsvError, read_csv_table
from sneaker_core.prices import parse_price

FORMATS = ("stockx", "generic")
STOCKX_COLUMNS = {"Order Date": "date", "Sneaker Name": "product", "Sale Price": "price",
                  "Retail Price": "retail_usd", "Release Date": "release_date", "Shoe Size": "size"}
GENERIC_REQUIRED = ("date", "product", "price")
GENERIC_OPTIONAL = ("size", "retail_usd", "release_date", "model", "brand")
# The shared file writes ISO dates; other copies of the contest data write 9/1/17.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y")


class SalesError(ValueError):
    """A sales file that cannot be forecast from; the message is one line naming the problem."""


def read_sales(path: Path | str, fmt: str = "stockx", as_of: date | None = None) -> pd.DataFrame:
    """Parse, validate and keep the sales on or before `as_of` (the whole file is validated first)."""
    if fmt not in FORMATS:
        raise SalesError(f"unknown --format {fmt!r}: use one of {', '.join(FORMATS)}")
    if Path(path).is_file() and not Path(path).read_bytes().strip():
        raise SalesError(f"{path} is empty: expected a header and sales rows")
    try:
        raw = read_csv_table(path, what="sales file")
    except CsvError as exc:
        raise SalesError(str(exc)) from None
    raw = raw.apply(lambda col: col.str.strip())  # ` Yeezy`: the contest file pads some fields
    sales = _stockx(raw, path) if fmt == "stockx" else _generic(raw, path)
    if sales.empty:
        raise SalesError(f"{path} has a header but no sales rows")
    if as_of is not None:
        first = sales["date"].min()
        if pd.Timestamp(as_of) < first:
            raise SalesError(f"--as-of {as_of} is before the first sale ({first.date()}): nothing to forecast from")
        sales = sales[sales["date"] <= pd.Timestamp(as_of)]
    return sales.reset_index(drop=True)


def _stockx(raw: pd.DataFrame, path) -> pd.DataFrame:
    _require(raw, list(STOCKX_COLUMNS)[:3], path, "stockx")
    df = raw.rename(columns=STOCKX_COLUMNS)
    out = _common(df, label={v: k for k, v in STOCKX_COLUMNS.items()})
    brand = df["Brand"].str.strip() if "Brand" in df else pd.Series("", index=df.index)
    out["brand"] = np.where(brand != "", brand, [stockx_brand(p) for p in out["product"]])
    out["model"] = [stockx_model(p) for p in out["product"]]
    return out


def _generic(raw: pd.DataFrame, path) -> pd.DataFrame:
    _require(raw, GENERIC_REQUIRED, path, "generic")
    out = _common(raw, label={})
    out["model"] = raw["model"].str.strip().where(raw["model"].str.strip() != "", out["product"]) \
        if "model" in raw else out["product"]
    out["brand"] = raw["brand"].str.strip() if "brand" in raw else ""
    return out


def _require(raw: pd.DataFrame, needed, path, fmt: str) -> None:
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise SalesError(f"{path} lacks column(s) {', '.join(missing)} (--format {fmt} needs "
                         f"{', '.join(needed)}; found {', '.join(raw.columns[:8]) or 'none'})")


def _common(df: pd.DataFrame, label: dict[str, str]) -> pd.DataFrame:
    name = lambda c: label.get(c, c)  # the user's column name in messages
    out = pd.DataFrame({"date": _dates(df["date"], name("date"), required=True)})
    out["product"] = df["product"].str.strip()
    _fail_where(out["product"] == "", df["product"], name("product"), "empty")
    out["price"] = _money(df["price"], name("price"), required=True)
    out["retail_usd"] = _money(df["retail_usd"], name("retail_usd"), required=False) \
        if "retail_usd" in df else np.nan
    out["release_date"] = _dates(df["release_date"], name("release_date"), required=False) \
        if "release_date" in df else pd.NaT
    out["size"] = df["size"].map(_size) if "size" in df else ""
    return out


def _dates(col: pd.Series, name: str, required: bool) -> pd.Series:
    text = col.str.strip()
    parsed = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna() & (text != "")
        if todo.any():
            parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    _fail_where(parsed.isna() & ((text != "") | required), col, name, "unparseable date (use 2018-09-01 or 9/1/18)")
    return parsed


def _money(col: pd.Series, name: str, required: bool) -> pd.Series:
    parsed = [parse_price(v) for v in col]
    usd = pd.Series([p.usd for p in parsed], index=col.index, dtype=float)
    reasons = pd.Series([p.reason for p in parsed], index=col.index)
    blank = col.str.strip() == ""
    _fail_where(reasons == "non_positive", col, name, "zero or negative price")
    _fail_where(usd.isna() & (~blank | required), col, name, "not a US dollar amount")
    return usd


def _size(value: str) -> str:
    text = value.strip()
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


def _fail_where(bad: pd.Series, col: pd.Series, name: str, problem: str) -> None:
    if bad.any():
        first = bad.idxmax()
        raise SalesError(f"column {name!r}: {problem} in {int(bad.sum()):,} row(s) "
                         f"(first: line {first + 2}, {col[first]!r})")


def stockx_brand(product: str) -> str:
    return "Off-White" if "off-white" in product.lower() else "Yeezy" if "yeezy" in product.lower() else ""


def stockx_model(product: str) -> str:
    """The silhouette of a StockX slug: `Nike-Air-Presto-Off-White-Black-2018` -> `air-presto`,
    `adidas-Yeezy-Boost-350-V2-Butter` -> `yeezy-boost-350-v2` (the contest spells adidas both ways)."""
    s = product.lower()
    for prefix in ("adidas-", "nike-"):
        s = s.removeprefix(prefix)
    if "-off-white" in s:
        return s.split("-off-white")[0].removesuffix("-virgil-abloh")
    return "-".join(s.split("-")[:4])
