"""Per-size asks of the demo market, served in the shape of GOAT's `buy_bar_data` endpoint.

A product's sizes follow its title: men's US 3.5–18 unless it says 'Wmns'/'(W)' (women's 5–12), 'GS' (3.5–7),
'PS'/'Kids' (10.5–13.5 and 1–3) or 'TD'/'Infant' (2–10); apparel and accessories come in S–XL. In a week
where the product is priced, the ask of size s is

    product ask × r(s) / min(r over the sizes in stock),   r(s) = curve(s)^k(model) · exp(e(s) + e(s, week))

so the smallest offered ask *is* the product's lowest ask on the search page. `curve` is the real StockX
size curve (MEN_CURVE), `k` varies it per model (0.5–1.5× its bends), `e` is a product's own size premium
(wider at the ends, as in the real data) and a smaller weekly wobble. Sizes at the ends of a range are out of
stock more often; an unpriced week has every size out of stock. Some in-stock sizes also list a used pair
(cheaper); the headline ask of a size is its new pair in a good box.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sneaker_core.market.weeks import normal, unit

# Median sale price of a size relative to the same sneaker's median that week, over the 75,704 StockX sales
# of 2017-09-01..2018-12-16 (../shared/data/stockx_sales_2017_2018.csv; `bench/market_sizes.py` recomputes
# it). Sizes with under 60 sales take their neighbour's value: 3.5 (3 sales) that of 4, 17 and 18 that of 16.
MEN_CURVE: dict[float, float] = {
    3.5: 0.954, 4.0: 0.954, 4.5: 1.076, 5.0: 1.012, 5.5: 1.07, 6.0: 1.024, 6.5: 1.078, 7.0: 1.0, 7.5: 1.004,
    8.0: 0.981, 8.5: 0.985, 9.0: 0.968, 9.5: 0.997, 10.0: 0.995, 10.5: 1.0, 11.0: 1.003, 11.5: 1.021, 12.0: 1.01,
    12.5: 1.141, 13.0: 1.028, 13.5: 1.193, 14.0: 1.039, 14.5: 1.32, 15.0: 1.064, 16.0: 1.627, 17.0: 1.627,
    18.0: 1.627,
}
_halves = lambda lo, hi: tuple(lo + i / 2 for i in range(int((hi - lo) * 2) + 1))
RANGES: dict[str, tuple[float | str, ...]] = {
    "men": tuple(MEN_CURVE),
    "women": _halves(5.0, 12.0),
    "gs": _halves(3.5, 7.0),
    "ps": _halves(10.5, 13.5) + _halves(1.0, 3.0),
    "td": _halves(2.0, 10.0),
    "apparel": ("S", "M", "L", "XL"),
}
_RANGE_RES = (("women", re.compile(r"\bWmns\b|\(W\)")), ("gs", re.compile(r"\bGS\b")),
              ("ps", re.compile(r"\bPS\b|\bKids\b")), ("td", re.compile(r"\bTD\b|\bInfant\b")))
SIZE_SIGMA, EDGE_SIGMA, WEEK_SIGMA = 0.04, 0.08, 0.02
USED_SHARE, USED_DISCOUNT = 0.08, 0.75
NEW, GOOD_BOX, USED = "new_no_defects", "good_condition", "used"


def size_range(title: str, category: str = "sneakers") -> str:
    if category != "sneakers":
        return "apparel"
    return next((name for name, rx in _RANGE_RES if rx.search(title)), "men")


def _men_equivalent(rng: str, i: int) -> float:
    """The men's size at the same relative position of the range (the curve's ends stay ends)."""
    men = RANGES["men"]
    n = len(RANGES[rng])
    return men[round(i * (len(men) - 1) / max(n - 1, 1))]  # type: ignore[return-value]


def _edge(rng: str, i: int) -> float:
    """0 in the middle of a range, 1 at its ends."""
    pos = i / max(len(RANGES[rng]) - 1, 1)
    return min(1.0, max(0.0, abs(pos - 0.45) - 0.2) / 0.25)


@dataclass(frozen=True)
class SizeAsk:
    size: float | str
    cents: int | None  # None: out of stock
    used_cents: int | None = None


def size_asks(key: str, cents: int | None, model: str | None, title: str, category: str,
              week: int) -> list[SizeAsk]:
    """Every size of a product's range at `week`, with its new-pair ask (None: out of stock).

    `key` fixes the draws (a PricePath's key), `cents` is the product's lowest ask that week (None: unpriced).
    """
    rng = size_range(title, category)
    sizes = RANGES[rng]
    if cents is None:
        return [SizeAsk(s, None) for s in sizes]
    bend = 0.5 + unit("size-bend", model or category)
    stock, logs = [], []
    for i, s in enumerate(sizes):
        edge = _edge(rng, i)
        stock.append(unit(key, "stock", s, week) >= 0.08 + 0.5 * edge)
        curve = MEN_CURVE[_men_equivalent(rng, i)] if rng != "apparel" else 1.0
        logs.append(bend * math.log(curve) + (SIZE_SIGMA + EDGE_SIGMA * edge) * normal(key, "size", s)
                    + WEEK_SIGMA * normal(key, "size-week", s, week))
    if not any(stock):
        stock[len(sizes) // 2] = True
    low = min(lg for lg, ok in zip(logs, stock) if ok)
    out = []
    for s, lg, ok in zip(sizes, logs, stock):
        if not ok:
            out.append(SizeAsk(s, None))
            continue
        ask = cents if lg == low else max(cents, round(cents / 100 * math.exp(lg - low)) * 100)
        used = unit(key, "used", s, week) < USED_SHARE
        out.append(SizeAsk(s, ask, round(ask * USED_DISCOUNT / 100) * 100 if used else None))
    return out


def _option(size: float | str) -> dict:
    if isinstance(size, str):
        return {"presentation": size, "value": size}
    return {"presentation": f"{size:g}", "value": float(size)}


def buy_bar_json(asks: list[SizeAsk]) -> list[dict]:
    """GOAT's buy_bar_data list: one entry per size and condition; no price where nobody offers the size."""
    out = []
    for a in asks:
        entry: dict = {"sizeOption": _option(a.size)}
        if a.cents is not None:
            entry["lowestPriceCents"] = {"amountUsdCents": a.cents}
        entry.update(stockStatus="in_stock" if a.cents is not None else "not_in_stock", shoeCondition=NEW,
                     boxCondition=GOOD_BOX)
        out.append(entry)
        if a.used_cents is not None:
            out.append({"sizeOption": _option(a.size), "lowestPriceCents": {"amountUsdCents": a.used_cents},
                        "stockStatus": "in_stock", "shoeCondition": USED, "boxCondition": GOOD_BOX})
    return out
