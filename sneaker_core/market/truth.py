"""JSON bodies of the per-size endpoint and of the ground-truth price paths (`/__paths.json`).

`/__paths.json?from=DATE&to=DATE[&id=ID...][&sizes=1]`: every product listed in any week of from..to (default:
PAST_WEEKS before the served week to AHEAD_WEEKS after it; DATE as for `--as-of`), with its listing window,
level, retail and, per week (Mondays in `weeks`), `prices` (lowest ask in cents, null when not listed or
unpriced), `listed`, and with `sizes=1` the per-size asks of each week. Future weeks are included on purpose:
they are what a forecast made at the served week is judged against.
"""

from __future__ import annotations

from sneaker_core.market.catalog import Catalog
from sneaker_core.market.catalog_gen import Population
from sneaker_core.market.sizes import buy_bar_json, size_asks
from sneaker_core.market.weeks import parse_as_of, week_monday

BUY_BAR_PATH = "/web-api/v1/product_variants/buy_bar_data"
PAST_WEEKS, AHEAD_WEEKS, MAX_WEEKS = 12, 8, 260


def buy_bar(catalog: Catalog, product_id: str) -> tuple[int, object]:
    """(status, body) of `buy_bar_data?productTemplateId=`: the size list, or a 404 naming the id."""
    p = catalog.by_id.get(product_id.strip())
    if p is None:
        return 404, {"error": f"no product template {product_id!r}"}
    return 200, buy_bar_json(catalog.sizes_of(p))


def paths_truth(population: Population, week: int | None, qs: dict[str, list[str]]) -> tuple[int, object]:
    """(status, body) of `/__paths.json` for the market serving `week`."""
    served = week or 0
    try:
        first = parse_as_of(qs["from"][0]) if "from" in qs else served - PAST_WEEKS
        last = parse_as_of(qs["to"][0]) if "to" in qs else served + AHEAD_WEEKS
    except ValueError as exc:
        return 400, {"error": str(exc)}
    if not 0 <= last - first < MAX_WEEKS:
        return 400, {"error": f"from..to spans {last - first + 1} weeks; ask for 1 to {MAX_WEEKS}"}
    ids = set(qs.get("id", []))
    with_sizes = qs.get("sizes", ["0"])[0] not in ("0", "", "false")
    weeks = range(first, last + 1)
    products = []
    for p in population.products_between(first, last):
        if ids and p.id not in ids:
            continue
        path = p.path
        assert path is not None
        prices = [path.price_cents(w) for w in weeks]
        row = {
            "id": p.id, "title": p.title, "model": p.model, "relisting_of": p.relisting_of,
            "release_date": p.release_date, "retail_cents": p.retail_cents, "hyped": path.hyped,
            "level_cents": round(path.level * 100), "announced": week_monday(path.announce).isoformat(),
            "leaves": week_monday(path.leave).isoformat(), "listed": [path.listed(w) for w in weeks],
            "prices": prices,
        }
        if with_sizes:
            row["sizes"] = [[{"size": a.size, "cents": a.cents, "used_cents": a.used_cents}
                             for a in size_asks(path.key, c, p.model, p.title, p.category, w)]
                            for w, c in zip(weeks, prices)]
        products.append(row)
    return 200, {"seed": population.seed, "week": week_monday(served).isoformat(),
                 "weeks": [week_monday(w).isoformat() for w in weeks], "products": products}
