"""Parse a marketplace price cell ("$1,507") into US dollars, or a named reason why there is none."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Why a price cell yields no usable price. Every non-price has exactly one of these.
MISSING = "missing"  # empty cell / None / NaN
NO_PRICE_TEXT = "no_price_text"  # a placeholder such as "—", "Sold Out", "N/A"
NON_USD = "non_usd"  # another currency ("€120", "£90", "120 EUR")
MALFORMED = "malformed"  # not a number we can trust ("$", "$1,2,3", "abc")
NON_POSITIVE = "non_positive"  # zero or negative
ABSURD = "absurd"  # above the cap; "$100,007" is a real listing artefact
REASONS = (MISSING, NO_PRICE_TEXT, NON_USD, MALFORMED, NON_POSITIVE, ABSURD)

DEFAULT_MAX_USD = 50_000.0

_PLACEHOLDERS = {
    "-", "--", "—", "–", "n/a", "na", "none", "null", "nan", "sold out", "soldout", "out of stock",
    "unavailable", "not available", "coming soon", "tbd", "tba", "no price", "price unavailable",
}
_FOREIGN = re.compile(r"[€£¥₩₹₽]|\b(?:eur|gbp|jpy|cny|rmb|krw|cad|aud|chf|hkd|sgd|inr)\b|\b(?:c|a|hk|nz|s)\$",
                      re.IGNORECASE)
# An optional sign, an optional "$"/"USD"/"US$", then a number with well-formed thousands groups.
_USD = re.compile(
    r"^(?P<sign>[-+−])?\s*(?:us\s*\$|usd\s*\$?|\$)?\s*(?P<sign2>[-−])?\s*"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?:usd)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParsedPrice:
    """A parsed price: `usd` set and `reason` None, or `usd` None and `reason` one of REASONS."""

    usd: float | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.usd is not None


def parse_price(raw: str | float | None, max_usd: float = DEFAULT_MAX_USD) -> ParsedPrice:
    """Turn a price cell into dollars; never raises and never returns a silent zero."""
    if raw is None:
        return ParsedPrice(None, MISSING)
    if isinstance(raw, bool):
        return ParsedPrice(None, MALFORMED)
    if isinstance(raw, (int, float)):
        if math.isnan(raw):
            return ParsedPrice(None, MISSING)
        return _checked(float(raw), max_usd)
    text = " ".join(str(raw).split())
    if not text:
        return ParsedPrice(None, MISSING)
    if text.lower() in _PLACEHOLDERS:
        return ParsedPrice(None, NO_PRICE_TEXT)
    if _FOREIGN.search(text):
        return ParsedPrice(None, NON_USD)
    m = _USD.match(text)
    if not m:
        return ParsedPrice(None, MALFORMED)
    value = float(m["num"].replace(",", ""))
    if m["sign"] in ("-", "−") or m["sign2"]:
        value = -value
    return _checked(value, max_usd)


def _checked(value: float, max_usd: float) -> ParsedPrice:
    if math.isnan(value) or math.isinf(value):
        return ParsedPrice(None, MALFORMED)
    if value <= 0:
        return ParsedPrice(None, NON_POSITIVE)
    if value > max_usd:
        return ParsedPrice(None, ABSURD)
    return ParsedPrice(value)
