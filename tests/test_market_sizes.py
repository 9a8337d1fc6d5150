"""Per-size asks: GOAT's buy_bar_data shape, size ranges from the title, search ask == min over sizes."""

from __future__ import annotations

import statistics
from datetime import date

import httpx
import pytest

from sneaker_core.market import DemoMarket
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.sizes import MEN_CURVE, RANGES, size_asks, size_range
from sneaker_core.market.truth import BUY_BAR_PATH
from sneaker_core.market.weeks import week_of_date

WEEK = week_of_date(date(2026, 11, 30))
ENTRY_KEYS = {"sizeOption", "lowestPriceCents", "stockStatus", "shoeCondition", "boxCondition"}


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=6, n_products=200, as_of=WEEK) as m:
        yield m


def buy_bar(url: str, pid: str) -> httpx.Response:
    return httpx.get(f"{url}{BUY_BAR_PATH}", params={"productTemplateId": pid, "countryCode": "US"}, timeout=20)


def headline(entries: list[dict]) -> dict:
    """Size presentation → new, good-box ask in cents (None where not in stock)."""
    return {e["sizeOption"]["presentation"]: e.get("lowestPriceCents", {}).get("amountUsdCents")
            for e in entries if e["shoeCondition"] == "new_no_defects" and e["boxCondition"] == "good_condition"}


def test_endpoint_shape_and_search_ask_is_the_min_over_sizes(market):
    products = market.catalog.products
    shown = 0
    for p in products[:60]:
        r = buy_bar(market.url, p.id)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        entries = r.json()
        assert isinstance(entries, list) and entries
        for e in entries:
            assert set(e) == ENTRY_KEYS - ({"lowestPriceCents"} if e["stockStatus"] == "not_in_stock" else set())
            opt = e["sizeOption"]
            if p.category == "sneakers":
                assert isinstance(opt["value"], float) and opt["presentation"] == f"{opt['value']:g}"
            if e["stockStatus"] == "in_stock":
                assert isinstance(e["lowestPriceCents"]["amountUsdCents"], int)
            assert e["stockStatus"] in ("in_stock", "not_in_stock")
            assert e["shoeCondition"] in ("new_no_defects", "used") and e["boxCondition"] == "good_condition"
        asks = [c for c in headline(entries).values() if c is not None]
        assert (min(asks) if asks else None) == p.price_cents, p.title
        shown += bool(asks)
        used = [e for e in entries if e["shoeCondition"] == "used"]
        assert all(e["lowestPriceCents"]["amountUsdCents"] < headline(entries)[e["sizeOption"]["presentation"]]
                   for e in used)
    assert shown > 30


def test_unknown_or_missing_template_id_is_a_404_json(market):
    for pid in ("999", "", "abc"):
        r = buy_bar(market.url, pid)
        assert r.status_code == 404 and "no product template" in r.json()["error"]
    assert httpx.get(f"{market.url}{BUY_BAR_PATH}").status_code == 404


def test_ground_truth_sizes_equal_what_is_served(market):
    truth = httpx.get(f"{market.url}/__catalog.json", params={"sizes": "1"}, timeout=30).json()["products"]
    for t in truth[:40]:
        served = headline(buy_bar(market.url, t["id"]).json())
        assert served == {f"{s['size']:g}" if isinstance(s["size"], float) else s["size"]: s["cents"]
                          for s in t["sizes"]}
    # the paths endpoint's sizes for next week are what the market serves next week
    pid = next(t["id"] for t in truth if t["price_cents"])
    paths = httpx.get(f"{market.url}/__paths.json", params={"id": pid, "sizes": "1"}, timeout=30).json()
    col = paths["weeks"].index("2026-12-07")
    with DemoMarket(seed=6, n_products=200, as_of=WEEK + 1) as nxt:
        if pid in nxt.catalog.by_id:
            served = headline(buy_bar(nxt.url, pid).json())
            assert served == {f"{s['size']:g}": s["cents"] for s in paths["products"][0]["sizes"][col]}


def test_size_ranges_follow_the_title():
    assert size_range("Wmns Dunk Low 'Panda'") == size_range("Dunk Low 'Panda' (W)") == "women"
    assert size_range("Air Jordan 1 Mid GS 'Bred'") == "gs" and size_range("Yeezy Slide Kids 'Onyx'") == "ps"
    assert size_range("Air Jordan 4 Retro TD 'Cement'") == size_range("Yeezy Boost 350 V2 Infant 'Zebra'") == "td"
    assert size_range("Dunk Low 'GSX'") == "men" and size_range("BAPE Shark Tee", "apparel") == "apparel"
    asks = size_asks("k", 20000, "dunk-low", "Wmns Dunk Low 'Panda'", "sneakers", WEEK)
    assert [a.size for a in asks] == list(RANGES["women"]) and RANGES["women"][0] == 5.0 and RANGES["women"][-1] == 12
    assert min(a.cents for a in asks if a.cents) == 20000
    assert all(a.cents is None for a in size_asks("k", None, "dunk-low", "Dunk Low 'Panda'", "sneakers", WEEK))
    assert [a.size for a in size_asks("k", 5000, None, "BAPE Shark Tee", "apparel", WEEK)] == ["S", "M", "L", "XL"]


def test_size_curve_bends_like_the_real_one():
    """Across products, big sizes ask more than the middle, as in the StockX sales (16 vs 10: 1.63)."""
    pop = Population(seed=2, n_products=300)
    ratios: dict[float, list[float]] = {16.0: [], 10.0: [], 4.0: []}
    for p in pop.at(WEEK).products:
        asks = {a.size: a.cents for a in size_asks(p.path.key, p.price_cents, p.model, p.title, p.category, WEEK)}
        if size_range(p.title, p.category) != "men" or not p.price_cents:
            continue
        mid = statistics.median(c for c in asks.values() if c)
        for s, found in ratios.items():
            if asks[s]:
                found.append(asks[s] / mid)
    big, middle = statistics.median(ratios[16.0]), statistics.median(ratios[10.0])
    assert MEN_CURVE[16.0] > 1.5 and big > 1.3 * middle and 0.9 < middle < 1.1
    # gaps: the ends of the range are out of stock more often than the middle
    n_small, n_mid = len(ratios[4.0]), len(ratios[10.0])
    assert n_small < 0.8 * n_mid


@pytest.mark.parametrize("fault,status,marker", [("throttle_rate=1", 429, "too many requests"),
                                                 ("error_rate=1", 503, "service unavailable"),
                                                 ("challenge_rate=1", 200, "px-captcha")])
def test_size_endpoint_honours_the_fault_options(fault, status, marker):
    with DemoMarket(seed=6, n_products=40, faults=fault) as m:
        r = buy_bar(m.url, m.catalog.products[0].id)
    assert r.status_code == status and marker in r.text


def test_a_csv_catalog_serves_sizes_whose_min_is_its_price(tmp_path):
    csv_path = tmp_path / "cat.csv"
    csv_path.write_text("title,image,price\nWmns Dunk Low 'Panda',https://cdn.invalid/a.png,$150\n"
                        "Dunk Low 'Panda',https://cdn.invalid/b.png,\n", encoding="utf-8")
    with DemoMarket(catalog_csv=csv_path) as m:
        priced, unpriced = m.catalog.products
        sizes = headline(buy_bar(m.url, priced.id).json())
        assert list(sizes) == [f"{s:g}" for s in RANGES["women"]] and min(c for c in sizes.values() if c) == 15000
        assert set(headline(buy_bar(m.url, unpriced.id).json()).values()) == {None}
