"""The declared contract of a weekly snapshot (pandera): columns and types, ranges, statuses, titles, unique ids.

A snapshot that breaks it raises `ContractError`, whose message names each broken column and rule with a few
offending rows (by product id). The columns added by schema version 2 (`release_date`, `retail_usd`,
`template_id`) are optional: a version-1 snapshot without them passes, a version-2 one has them checked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow.parquet as pq

from sneaker_core.labeller import STATUSES
from sneaker_core.prices import DEFAULT_MAX_USD

CONTRACT_VERSION = "1"  # part of the scrape task's cache key: a changed contract re-checks cached snapshots
EXAMPLES = 3


def _utc_timestamps(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.DatetimeTZDtype) and str(s.dtype.tz) == "UTC"


def _text(nullable: bool = True, **kw) -> pa.Column:
    return pa.Column(str, nullable=nullable, **kw)


NON_EMPTY = pa.Check(lambda s: s.str.strip().str.len() > 0, name="non_empty_text")
DOLLARS = [pa.Check.gt(0), pa.Check.le(DEFAULT_MAX_USD)]

SNAPSHOT_CONTRACT = pa.DataFrameSchema(
    {
        "product_id": _text(nullable=False, unique=True, checks=NON_EMPTY),
        "title": _text(nullable=False, checks=NON_EMPTY),
        "image_url": _text(),
        "price_raw": _text(),
        "price_usd": pa.Column("float64", nullable=True, checks=DOLLARS),
        "price_reason": _text(),
        "search_model": _text(nullable=False, checks=NON_EMPTY),
        "position": pa.Column("int32", pa.Check.ge(0)),
        "page_url": _text(),
        "scraped_at": pa.Column(checks=pa.Check(_utc_timestamps, name="utc_timestamp")),
        "source": _text(nullable=False),
        "model": _text(),
        "brand": _text(),
        "status": _text(nullable=False, checks=pa.Check.isin(STATUSES)),
        "label_reason": _text(),
        # schema version 2 (price history): optional columns, checked when present
        "release_date": pa.Column(nullable=True, required=False,
                                  checks=pa.Check(lambda v: isinstance(v, date), element_wise=True, name="date")),
        "retail_usd": pa.Column("float64", nullable=True, required=False, checks=DOLLARS),
        "template_id": _text(required=False),
    },
    checks=pa.Check(lambda df: len(df) > 0, name="at_least_one_row"),
    name="weekly snapshot",
)


class ContractError(ValueError):
    """A snapshot that breaks the contract; `failures` holds one dict per (column, rule)."""

    def __init__(self, where: str, failures: list[dict]) -> None:
        self.failures = failures
        parts = [f"column {f['column']!r} breaks {f['rule']} ({f['rows']} rows, e.g. {'; '.join(f['examples'])})"
                 if f["examples"] else f"column {f['column']!r} breaks {f['rule']}" for f in failures]
        super().__init__(f"{where} breaks the snapshot contract: " + " | ".join(parts)
                         + ". Fix the source or the scraper, then re-run: a failed scrape is not cached")


def _failures(cases: pd.DataFrame, frame: pd.DataFrame) -> list[dict]:
    """One entry per (column, rule) with up to EXAMPLES offending rows as `product_id=value`.

    A column of the wrong type reports only that: its range checks cannot run on it and would only add noise.
    """
    ids = frame["product_id"] if "product_id" in frame.columns else pd.Series(frame.index.astype(str), frame.index)
    column = cases["column"].where(cases["column"] != SNAPSHOT_CONTRACT.name).fillna("(table)")
    cases = cases.assign(column=column)
    mistyped = set(cases.loc[cases["check"].str.startswith("dtype("), "column"])
    cases = cases[~cases["column"].isin(mistyped) | cases["check"].str.startswith("dtype(")]
    out = []
    for (name, check), group in cases.groupby(["column", "check"], sort=False):
        if check == "column_in_dataframe":  # the missing column's name is the failure case
            name, check = str(group["failure_case"].iloc[0]), "required column: missing"
        rows = group[group["index"].notna()]
        examples = [str(ids.get(i, f"row {i}")) if name == "product_id" else f"{ids.get(i, f'row {i}')}={v!r}"
                    for i, v in zip(rows["index"], rows["failure_case"])]
        if check.startswith("dtype("):
            check = f"type {check}" + ("" if len(rows) else f" (found {group['failure_case'].iloc[0]})")
        out.append({"column": str(name), "rule": str(check), "rows": int(rows["index"].nunique()),
                    "examples": list(dict.fromkeys(examples))[:EXAMPLES]})
    return out


def check_frame(frame: pd.DataFrame, where: str) -> None:
    """Validate a snapshot table; raise ContractError naming every broken column and rule."""
    try:
        SNAPSHOT_CONTRACT.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise ContractError(where, _failures(exc.failure_cases, frame)) from None


def read_frame(path: Path) -> pd.DataFrame:
    """The snapshot as written (its own schema, not the expected one, so a missing column is seen)."""
    return pq.read_table(path).to_pandas()


def check_snapshot(path: Path) -> int:
    """Validate the snapshot at `path`; its row count when it keeps the contract."""
    frame = read_frame(Path(path))
    check_frame(frame, str(path))
    return len(frame)
