"""The demo market in time: weeks, listing windows, deterministic price paths, ground truth == served."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import httpx
import pytest

from sneaker_core.market import DemoMarket, generate_catalog
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.lifecycle import product_id
from sneaker_core.market.paths import PricePath
from sneaker_core.market.weeks import parse_as_of, week_at, week_label, week_monday, week_of_date

JSON_PATH = "/web-api/consumer-search/get-product-search-results"
WEEK = week_of_date(date(2026, 11, 30))


@pytest.fixture(scope="module")
def population():
    return Population(seed=4, n_products=300)


def served_prices(url: str) -> dict[str, int | None]:
    out = {}
    with httpx.Client(base_url=url, timeout=20) as c:
        for q in ("Air Jordan 1", "Dunk Low", "Bapesta", "Air Force 1"):
            body = c.get(JSON_PATH, params={"queryString": q, "pageLimit": 100}).json()["data"]["productsList"]
            out |= {p["id"]: p["lowestPriceCents"] for p in body}
    return out


def test_weeks_follow_the_monday_0600_utc_snapshot():
    assert week_label(WEEK) == "2026-W49" and week_monday(WEEK) == date(2026, 11, 30)
    assert week_at(datetime(2026, 11, 30, 5, 59)) == WEEK - 1
    assert week_at(datetime(2026, 11, 30, 6, 0, tzinfo=UTC)) == WEEK == week_at(date(2026, 11, 30))
    assert week_at(date(2026, 12, 6)) == WEEK and week_at(date(2026, 12, 7)) == WEEK + 1
    assert parse_as_of("2026-12-02") == WEEK and parse_as_of("2026-11-30T05:00:00+00:00") == WEEK - 1
    for bad, why in (("2026-13-01", "is not a date"), ("1999-12-31", "outside 2000-2099")):
        with pytest.raises(ValueError, match=why):
            parse_as_of(bad)


def test_catalog_is_deterministic_in_seed_and_week(population):
    a = generate_catalog(4, 300, WEEK)
    assert a.ground_truth() == generate_catalog(4, 300, WEEK).ground_truth() == population.at(WEEK).ground_truth()
    assert a.ground_truth() != generate_catalog(5, 300, WEEK).ground_truth()
    later = population.at(WEEK + 1)
    assert len(a.products) == len(later.products) == 300
    assert [p.price_cents for p in a.products] != [p.price_cents for p in later.products]
    path = a.products[0].path
    rebuilt = PricePath(**{f: getattr(path, f) for f in ("key", "level", "retail", "announce", "release", "leave",
                                                         "thin_rate", "ends07")})
    assert [rebuilt.price_cents(w) for w in range(WEEK - 30, WEEK + 5)] == [
        path.price_cents(w) for w in range(WEEK - 30, WEEK + 5)]


def test_products_are_listed_from_announcement_until_replaced(population):
    weeks = range(WEEK - 40, WEEK + 1)
    seen: dict[str, int] = {}
    new_per_week, upcoming = [], 0
    for w in weeks:
        cat = population.at(w)
        ids = {p.id for p in cat.products}
        for p in cat.products:
            assert p.path.announce <= w < p.path.leave, p.id
            assert p.price_cents == p.path.price_cents(w)
            seen.setdefault(p.id, w)
            if w < p.path.release:
                upcoming += 1
                assert p.price_cents is not None  # a pre-release ask
                assert date.fromisoformat(p.release_date) >= week_monday(w)
        new = [pid for pid in ids if seen[pid] == w and w > weeks[0]]
        assert all(cat.by_id[pid].path.announce == w for pid in new)
        new_per_week.append(len(new))
    assert upcoming > 0 and sum(new_per_week) > 10
    # a product that left never comes back; ids are unique over slots and generations
    ever = population.products_between(WEEK - 520, WEEK)
    assert len({p.id for p in ever}) == len(ever) > 300
    assert product_id(4, 7, 3) != product_id(4, 3, 7) and product_id(4, 7, 3) != product_id(5, 7, 3)


def test_price_paths_have_the_documented_shape(population):
    paths = [p.path for p in population.products_between(WEEK - 400, WEEK + 8) if p.relisting_of is None]
    hyped = [p for p in paths if p.hyped]
    general = [p for p in paths if not p.hyped]
    assert hyped and general
    for p in hyped:
        r = p.release
        assert p.release_log(r - 4) > p.release_log(r) > p.release_log(r + 3) + 0.07
        assert p.release_log(r + 3) < p.release_log(r + 104) < 0.05 and abs(p.release_log(r + 260)) < 0.01
    for p in general:
        r = p.release
        assert p.release_log(r - 4) > p.release_log(r) > 0.05 and abs(p.release_log(r + 104)) < 0.01
    shocks = [min(p.shock_log(w) for w in range(p.release, p.release + 200)) for p in paths[:200]]
    assert max(shocks) <= 0 and sum(s < -0.08 for s in shocks) > 10
    # thin products are unpriced most weeks, re-listings never
    relists = [p for p in population.products_between(WEEK - 50, WEEK) if p.relisting_of]
    assert relists and all(p.path.price_cents(w) is not None for p in relists
                           for w in range(max(p.path.announce, WEEK - 50), min(p.path.leave, WEEK)))
    thin = [p for p in paths if p.thin and p.release < WEEK - 60]
    assert thin and all(sum(p.priced(w) for w in range(WEEK - 52, WEEK) if p.listed(w)) <= 0.4 * sum(
        p.listed(w) for w in range(WEEK - 52, WEEK)) for p in thin)


def test_served_prices_follow_the_ground_truth_paths():
    with DemoMarket(seed=4, n_products=300, as_of=WEEK) as m:
        truth = httpx.get(f"{m.url}/__paths.json", timeout=30).json()
        catalog = httpx.get(f"{m.url}/__catalog.json", timeout=30).json()
        now = served_prices(m.url)
        bad = httpx.get(f"{m.url}/__paths.json", params={"from": "2020-01-01", "to": "2026-01-01"})
        assert bad.status_code == 400 and "weeks" in bad.json()["error"]
        assert httpx.get(f"{m.url}/__paths.json", params={"from": "soon"}).status_code == 400
    assert catalog["week"] == "2026-W49" and truth["week"] == "2026-11-30"
    assert truth["weeks"][0] == "2026-09-07" and truth["weeks"][-1] == "2027-01-25" and len(truth["weeks"]) == 21
    col = truth["weeks"].index("2026-11-30")
    by_id = {p["id"]: p for p in truth["products"]}
    assert now and all(by_id[i]["prices"][col] == c and by_id[i]["listed"][col] for i, c in now.items())
    for p in catalog["products"]:
        assert by_id[p["id"]]["prices"][col] == p["price_cents"]
        assert p["announced"] <= "2026-11-30" < p["leaves"]
    with DemoMarket(seed=4, n_products=300, as_of=date(2026, 12, 9)) as later:
        assert later.week_label == "2026-W50"
        nxt = served_prices(later.url)
    assert all(by_id[i]["prices"][col + 1] == c for i, c in nxt.items())
    assert any(now[i] != nxt[i] for i in set(now) & set(nxt))


def test_cli_serves_the_week_asked_for_and_refuses_a_bad_date():
    from typer.testing import CliRunner

    from sneaker_cli.market import market_app

    bad = CliRunner().invoke(market_app, ["--as-of", "2026-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    proc = subprocess.Popen([sys.executable, "-m", "sneaker_cli.main", "market", "--products", "50", "--as-of", "2026-12-02"],
                            stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip().removeprefix("Demo market on ")
        assert httpx.get(f"{url}/__catalog.json", timeout=20).json()["week"] == "2026-W49"
    finally:
        proc.terminate()
        proc.wait(10)
