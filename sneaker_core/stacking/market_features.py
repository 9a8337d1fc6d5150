"""Market features of a row: its retail price and its age at the date it was priced (the snapshot's week or the
scrape/as-of date), with explicit missing indicators so rows without them keep the title-only estimate.

- `log_retail`: log of the retail price in dollars (NaN where missing); the premium over retail is what the
  price models learn on top of it;
- `age_weeks`: weeks from the release date to the as-of date, negative for an upcoming release (NaN where
  missing);
- `has_retail`, `has_release`: 1.0 where the value is known, else 0.0.

A value that cannot be used (blank, not a number, not positive, not a date) is missing, and its reason is
counted by `market_counts`, so a caller can report it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd

MARKET_INPUTS = ("retail_usd", "release_date")
MARKET_COLUMNS = ("log_retail", "has_retail", "age_weeks", "has_release")
OK, MISSING, NOT_A_NUMBER, NOT_POSITIVE, NOT_A_DATE = "ok", "missing", "not a number", "not positive", "not a date"


def _blank(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def retail_value(value: object) -> tuple[float, str]:
    """A retail price in dollars and its outcome (`OK`, `MISSING`, `NOT_A_NUMBER`, `NOT_POSITIVE`); NaN unless OK."""
    if _blank(value):
        return np.nan, MISSING
    try:
        usd = float(str(value).strip().lstrip("$").replace(",", ""))
    except ValueError:
        return np.nan, NOT_A_NUMBER
    if not np.isfinite(usd):
        return np.nan, NOT_A_NUMBER
    return (usd, OK) if usd > 0 else (np.nan, NOT_POSITIVE)


def release_value(value: object) -> tuple[pd.Timestamp | None, str]:
    """A release date (ISO text, a date or a timestamp) and its outcome (`OK`, `MISSING`, `NOT_A_DATE`)."""
    if _blank(value):
        return None, MISSING
    try:
        stamp = pd.Timestamp(value.isoformat() if isinstance(value, date) else str(value).strip())
    except (ValueError, TypeError):
        return None, NOT_A_DATE
    if stamp is pd.NaT:
        return None, NOT_A_DATE
    return stamp.tz_localize(None) if stamp.tzinfo else stamp, OK


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series(None, index=df.index, dtype=object)


def market_columns(df: pd.DataFrame, as_of: pd.Series | date | str | None) -> pd.DataFrame:
    """`MARKET_COLUMNS` for every row of `df` (index kept), from its optional `retail_usd` and `release_date`
    columns; `as_of` is the date each row's price was seen (one date, or one per row). Without an as-of date
    the age is missing."""
    retail = np.array([retail_value(v)[0] for v in _column(df, "retail_usd")], dtype=float)
    released = pd.to_datetime(pd.Series([release_value(v)[0] for v in _column(df, "release_date")],
                                        index=df.index, dtype=object), errors="coerce")
    if as_of is None:
        seen = pd.Series(pd.NaT, index=df.index)
    elif isinstance(as_of, pd.Series):
        seen = pd.to_datetime(as_of, errors="coerce", utc=True, format="ISO8601").dt.tz_localize(None)
    else:
        seen = pd.Series(pd.Timestamp(str(as_of)), index=df.index)
    age = ((seen - released).dt.total_seconds() / (7 * 86400)).to_numpy(dtype=float)
    return pd.DataFrame({"log_retail": np.log(retail), "has_retail": np.isfinite(retail).astype(float),
                         "age_weeks": age, "has_release": np.isfinite(age).astype(float)}, index=df.index)


def market_counts(df: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per market input, the count of rows per outcome (`OK`, `MISSING` and the reasons a value was unusable)."""
    parsers = {"retail_usd": retail_value, "release_date": release_value}
    return {name: dict(sorted(Counter(parsers[name](v)[1] for v in _column(df, name)).items()))
            for name in MARKET_INPUTS}


def has_market(market: pd.DataFrame) -> np.ndarray:
    """Rows with a retail price or a release age."""
    return ((market["has_retail"] > 0) | (market["has_release"] > 0)).to_numpy()


def without_market(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its market columns blanked, as a row that carries none meets the models."""
    return frame.assign(log_retail=np.nan, has_retail=0.0, age_weeks=np.nan, has_release=0.0)


def linear_market_block(market: pd.DataFrame) -> np.ndarray:
    """The market columns for linear models: missing values 0 beside their indicators, age as a signed
    log(1 + weeks) (a week matters near the release, a year long after), upcoming releases flagged."""
    age = market["age_weeks"].to_numpy(dtype=float)
    known_age = np.isfinite(age)
    return np.column_stack([
        np.nan_to_num(market["log_retail"].to_numpy(dtype=float), nan=0.0),
        market["has_retail"].to_numpy(dtype=float),
        np.where(known_age, np.sign(age) * np.log1p(np.abs(np.nan_to_num(age))), 0.0),
        (known_age & (age < 0)).astype(float),
        market["has_release"].to_numpy(dtype=float),
    ])
