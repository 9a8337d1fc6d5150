"""The marketplace's time fields of a search result: release date, retail price, product template id.

Each parser takes the raw JSON value and returns (value, None) or (None, reason); absence is the reason
`missing`, so a snapshot's manifest can count every null it holds. Never raises: the JSON is hostile input.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sneaker_core.prices import MALFORMED, MISSING, parse_price

UNPARSEABLE = "unparseable"
IMPLAUSIBLE = "implausible"  # a date outside EARLIEST..LATEST (a sentinel such as 0001-01-01 or 9999-12-31)
EARLIEST, LATEST = date(1980, 1, 1), date(2100, 12, 31)
_TEMPLATE_ID = re.compile(r"^\d{1,19}$")


def release_date(raw: Any) -> tuple[date | None, str | None]:
    """An ISO date (`2023-11-24`) or datetime (`2023-11-24T23:59:59.999Z`, taken as its UTC day)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, MISSING
    if not isinstance(raw, str):
        return None, UNPARSEABLE
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            ts = datetime.fromisoformat(text)
            day = (ts.astimezone(UTC) if ts.tzinfo else ts).date()
    except ValueError:
        return None, UNPARSEABLE
    if not EARLIEST <= day <= LATEST:
        return None, IMPLAUSIBLE
    return day, None


def retail_usd(raw_cents: Any) -> tuple[float | None, str | None]:
    """Integer cents (`retailPriceCents`) to dollars; zero, negative or absurd amounts are named reasons."""
    if raw_cents is None:
        return None, MISSING
    if isinstance(raw_cents, bool) or not isinstance(raw_cents, (int, float)):
        return None, MALFORMED
    parsed = parse_price(raw_cents / 100)
    return parsed.usd, parsed.reason


def template_id(raw: Any) -> tuple[str | None, str | None]:
    """The numeric product template id (the per-size endpoint's `productTemplateId`), kept as text."""
    if raw is None or raw == "":
        return None, MISSING
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None, MALFORMED
    text = str(raw).strip()
    return (text, None) if _TEMPLATE_ID.match(text) else (None, MALFORMED)
