"""Read a catalog CSV (title, image, price, optional search_model), parse prices, label every row, summarise.

Every input row is kept; each carries its parsed price (or the reason there is none), its validated
model/brand/status/reason, whether its image is a lazy-load placeholder, and whether the same
title+image was seen earlier in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sneaker_core.csv_files import RENAMED_ATTR, keep_clashing_columns, read_csv_table
from sneaker_core.labeller import NON_SNEAKER, OFF_MODEL, OK, RELABELLED, UNKNOWN, Label, label_title
from sneaker_core.prices import DEFAULT_MAX_USD, parse_price
from sneaker_core.registry import ModelSpec, load_models
from sneaker_core.titles import group_key

REQUIRED_COLUMNS = ("title", "image", "price")
OPTIONAL_COLUMNS = ("search_model",)
LABEL_COLUMNS = ("title", "search_model", "price_usd", "price_reason", "model", "brand", "status", "reason",
                 "image", "image_placeholder", "duplicate", "group_key")
SUMMARY_COLUMNS = ("rows", "priced", OK, RELABELLED, OFF_MODEL, NON_SNEAKER, UNKNOWN, "placeholder_images",
                   "duplicates")
CARRIED_COLUMNS = ("title", "search_model", "image")  # input columns the output carries under their own name
NO_SEARCH = "(none)"
TOTAL = "TOTAL"


def read_catalog(csv_path: Path | str) -> pd.DataFrame:
    """Read the CSV as text (no NaN guessing: 'N/A' stays a string), columns by name; check the required ones."""
    df = read_csv_table(csv_path, what="catalog", required=REQUIRED_COLUMNS,
                        expected=f"{', '.join(REQUIRED_COLUMNS)} (+ optional {', '.join(OPTIONAL_COLUMNS)})")
    if "search_model" not in df.columns:
        df["search_model"] = ""
    return df


def label_with_search(title: str, search: str, models: Sequence[ModelSpec]) -> Label:
    """Label one row; an unknown search model is recorded in the reason instead of crashing the run."""
    try:
        return label_title(title, search or None, models)
    except ValueError:
        label = label_title(title, None, models)
        return Label(label.model, label.brand, label.status,
                     f"unknown search model {search!r} (not in the models file); {label.reason}")


def is_placeholder_image(image: str) -> bool:
    """A lazy-load `data:` placeholder or no image URL at all."""
    text = image.strip().lower()
    return not text or text.startswith("data:")


def label_catalog(csv_path: Path | str, models_file: Path | None = None,
                  max_usd: float = DEFAULT_MAX_USD) -> pd.DataFrame:
    """Every row of the catalog with parsed price, validated label, placeholder and duplicate flags.

    Input columns whose names the output uses (status, model, reason, ...) are kept as `input_<name>`; the
    renames are in `.attrs[RENAMED_ATTR]`."""
    df = read_catalog(csv_path)
    models = load_models(models_file)
    cache: dict[tuple[str, str], Label] = {}
    labels = []
    for title, search in zip(df["title"], df["search_model"]):
        key = (title, search.strip())
        if key not in cache:
            cache[key] = label_with_search(title, key[1], models)
        labels.append(cache[key])
    prices = [parse_price(p, max_usd=max_usd) for p in df["price"]]
    seen = df["title"].str.strip() + "\x00" + df["image"].str.strip()
    out = pd.DataFrame({
        "title": df["title"],
        "search_model": df["search_model"],
        "price_usd": [p.usd for p in prices],
        "price_reason": [p.reason for p in prices],
        "model": [lab.model for lab in labels],
        "brand": [lab.brand for lab in labels],
        "status": [lab.status for lab in labels],
        "reason": [lab.reason for lab in labels],
        "image": df["image"],
        "image_placeholder": [is_placeholder_image(i) for i in df["image"]],
        "duplicate": seen.duplicated(keep="first").to_numpy(),
        "group_key": df["title"].map({t: group_key(t) for t in df["title"].unique()}),
    })
    extra, renamed = keep_clashing_columns(df.drop(columns=list(CARRIED_COLUMNS)), LABEL_COLUMNS)
    out = pd.concat([out, extra], axis=1)
    out.attrs[RENAMED_ATTR] = renamed
    return out


def summarise(labelled: pd.DataFrame) -> pd.DataFrame:
    """Counts per search model (in order of first appearance) plus a TOTAL row."""
    search = labelled["search_model"].fillna("").replace("", NO_SEARCH)
    frame = pd.DataFrame({
        "search_model": search,
        "rows": 1,
        "priced": labelled["price_usd"].notna().astype(int),
        "placeholder_images": labelled["image_placeholder"].astype(int),
        "duplicates": labelled["duplicate"].astype(int),
    })
    for status in (OK, RELABELLED, OFF_MODEL, NON_SNEAKER, UNKNOWN):
        frame[status] = (labelled["status"] == status).astype(int)
    table = frame.groupby("search_model", sort=False)[list(SUMMARY_COLUMNS)].sum()
    table.loc[TOTAL] = table.sum()
    return table.reset_index()
