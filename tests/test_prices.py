import math

import pytest

from sneaker_core.prices import (
    ABSURD,
    DEFAULT_MAX_USD,
    MALFORMED,
    MISSING,
    NO_PRICE_TEXT,
    NON_POSITIVE,
    NON_USD,
    REASONS,
    ParsedPrice,
    parse_price,
)


@pytest.mark.parametrize("raw, usd", [
    ("$1,507", 1507.0),
    ("$96", 96.0),
    ("$17", 17.0),
    (" $1,234.50 ", 1234.5),
    ("96", 96.0),
    ("USD 120", 120.0),
    ("US$ 99", 99.0),
    ("$12,345", 12345.0),
    ("$50,000", 50_000.0),
    (250, 250.0),
    (99.5, 99.5),
])
def test_valid_prices(raw, usd):
    assert parse_price(raw) == ParsedPrice(usd, None)
    assert parse_price(raw).ok


@pytest.mark.parametrize("raw, reason", [
    (None, MISSING),
    ("", MISSING),
    ("   ", MISSING),
    (float("nan"), MISSING),
    ("—", NO_PRICE_TEXT),
    ("-", NO_PRICE_TEXT),
    ("Sold Out", NO_PRICE_TEXT),
    ("sold out", NO_PRICE_TEXT),
    ("N/A", NO_PRICE_TEXT),
    ("€120", NON_USD),
    ("£90", NON_USD),
    ("120 EUR", NON_USD),
    ("C$150", NON_USD),
    ("¥15,000", NON_USD),
    ("$", MALFORMED),
    ("$1,2,3", MALFORMED),
    ("$12,34", MALFORMED),
    ("abc", MALFORMED),
    ("$1.2.3", MALFORMED),
    ("$12 34", MALFORMED),
    (float("inf"), MALFORMED),
    ("-5", NON_POSITIVE),
    ("$-5", NON_POSITIVE),
    ("$0", NON_POSITIVE),
    (0, NON_POSITIVE),
    ("$100,007", ABSURD),
    ("$50,001", ABSURD),
    (1e9, ABSURD),
])
def test_reasons(raw, reason):
    parsed = parse_price(raw)
    assert parsed == ParsedPrice(None, reason)
    assert not parsed.ok
    assert parsed.reason in REASONS


def test_cap_is_configurable():
    assert DEFAULT_MAX_USD == 50_000
    assert parse_price("$100,007", max_usd=200_000).usd == 100_007.0
    assert parse_price("$600", max_usd=500).reason == ABSURD


def test_never_a_silent_zero_and_never_raises():
    odd = ["$0.00", "0", "$ ", "$$5", "5$5", "\u200b", "1e5", "$1,000,", object(), True, [1]]
    for raw in odd:
        parsed = parse_price(raw)  # type: ignore[arg-type]
        assert parsed.usd is None or (parsed.usd > 0 and not math.isnan(parsed.usd))
        assert (parsed.usd is None) == (parsed.reason is not None)
