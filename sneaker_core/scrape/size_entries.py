"""One product's per-size asks from GOAT's `buy_bar_data` answer: validated rows, and a counted reason per bad entry.

The answer is a JSON list, one entry per size and condition: `sizeOption.presentation` (the US size as text),
`lowestPriceCents.amountUsdCents` (absent or null where nobody offers that size), `stockStatus`,
`shoeCondition` and `boxCondition`. The headline ask per size is that of new pairs in good boxes, as public
clients read it; entries in other conditions are counted, not kept.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

NEW, GOOD_BOX = "new_no_defects", "good_condition"
MIN_SIZE, MAX_SIZE = 1.0, 22.0  # US sizes: kids' 1 to men's 22; outside is not a shoe size
CURRENCY = "USD"  # `amountUsdCents` is in US cents whatever the country


@dataclass
class SizeEntries:
    """The kept rows of one answer (size, size_label, ask_usd, stock_status) and the counts of the rest."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # malformed entries, by reason
    other_condition: int = 0  # well-formed entries that are not new pairs in good boxes


def _size(option: Any) -> tuple[float | None, str | None, str | None]:
    """(size, label as served, None) or (None, label, reason)."""
    label = option.get("presentation") if isinstance(option, dict) else None
    if label is None or (isinstance(label, str) and not label.strip()):
        return None, None, "missing_size"
    label = str(label).strip()
    try:
        size = float(label)
    except ValueError:
        return None, label, "non_numeric_size"  # e.g. '8.5Y' (youth) or '9W'
    if not math.isfinite(size) or not MIN_SIZE <= size <= MAX_SIZE:
        return None, label, "size_out_of_range"
    if (size * 2) % 1:
        return None, label, "size_not_in_halves"  # US sizes run in halves
    return size, label, None


def _ask(entry: dict[str, Any]) -> tuple[float | None, str | None]:
    """(ask in dollars or None where nobody offers the size, None) or (None, reason)."""
    price = entry.get("lowestPriceCents")
    if price is None:
        return None, None
    cents = price.get("amountUsdCents") if isinstance(price, dict) else price
    if cents is None:
        return None, None
    if isinstance(cents, bool) or not isinstance(cents, (int, float)) or not math.isfinite(cents):
        return None, "bad_ask"
    if cents < 0:
        return None, "negative_ask"
    return cents / 100, None


def parse_size_entries(payload: Any) -> SizeEntries:
    """Validate one product's answer; the lowest ask wins where a size appears twice in the kept condition."""
    out = SizeEntries()
    if not isinstance(payload, list):
        out.skipped["answer_not_a_list"] += 1
        return out
    by_size: dict[float, dict[str, Any]] = {}
    for entry in payload:
        if not isinstance(entry, dict):
            out.skipped["entry_not_an_object"] += 1
            continue
        size, label, why = _size(entry.get("sizeOption"))
        ask, ask_why = _ask(entry)
        if why or ask_why:
            out.skipped[why or ask_why] += 1  # type: ignore[index]
            continue
        if entry.get("shoeCondition") != NEW or entry.get("boxCondition") != GOOD_BOX:
            out.other_condition += 1
            continue
        stock = entry.get("stockStatus")
        row = {"size": size, "size_label": label, "ask_usd": ask,
               "stock_status": stock if isinstance(stock, str) and stock else None}
        prev = by_size.get(size)  # type: ignore[arg-type]
        if prev is not None:
            out.skipped["duplicate_size"] += 1
            if prev["ask_usd"] is not None and (ask is None or prev["ask_usd"] <= ask):
                continue
        by_size[size] = row  # type: ignore[index]
    out.rows = [by_size[s] for s in sorted(by_size)]
    return out
