"""Serve a catalog CSV (title, image, price[, search_model]) instead of the synthetic one."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sneaker_core.csv_files import read_csv_table
from sneaker_core.market.catalog import Catalog, Product, stable_hex, true_model
from sneaker_core.prices import MISSING, parse_price
from sneaker_core.registry import UnknownModelError, get_model, load_models

_APPAREL_RE = re.compile(r"\b(tee|t-shirt|hoodie|shirt|shorts|jacket|pants|crewneck|sweatshirt)\b", re.IGNORECASE)
_ACCESSORY_RE = re.compile(r"\b(socks?|cap|hat|beanie|bag|backpack|keychain)\b", re.IGNORECASE)
REQUIRED = ("title", "image", "price")


def _category(title: str) -> str:
    if _APPAREL_RE.search(title):
        return "apparel"
    if _ACCESSORY_RE.search(title):
        return "accessories"
    return "sneakers"


def load_catalog_csv(path: Path, seed: int = 0) -> Catalog:
    """One product per row; searches follow `search_model` (else each model's title matches) in file order.

    Counted outcomes in `Catalog.report`: rows, products, skipped_empty_title, unpriced, bad_price (served
    unpriced), unmatched_model, unknown_search_model (row served but in no registry search), relistings.
    """
    models = load_models()
    report: Counter[str] = Counter()
    products: list[Product] = []
    searches: dict[str, list[str]] = {m.key: [] for m in models}
    first_by_title: dict[str, Product] = {}
    table = read_csv_table(path, what="catalog", required=REQUIRED, expected="title, image, price")
    for i, row in enumerate(table.to_dict("records")):
        report["rows"] += 1
        title = (row.get("title") or "").strip()
        if not title:
            report["skipped_empty_title"] += 1
            continue
        parsed = parse_price(row.get("price"))
        price = round(parsed.usd * 100) if parsed.usd is not None else None
        report["bad_price"] += parsed.reason not in (None, MISSING)
        report["unpriced"] += price is None
        spec = true_model(title, models)
        report["unmatched_model"] += spec is None
        pid = str(int(stable_hex("row", i, title, n=12), 16) % 10**10)
        orig = first_by_title.get(title)
        report["relistings"] += orig is not None
        p = Product(
            id=pid, title=title, model=spec.key if spec else None, brand=spec.brand if spec else None,
            brand_name=spec.brand if spec else "Other", category=_category(title), price_cents=price,
            retail_cents=None, release_date="2023-11-01", image_id=stable_hex("image", seed, pid, n=16),
            relisting_of=orig.id if orig else None, render_key=orig.render_key if orig else f"csv:{title}",
        )
        first_by_title.setdefault(title, p)
        products.append(p)
        search_name = (row.get("search_model") or "").strip()
        if search_name:
            try:
                searches[get_model(search_name).key].append(pid)
            except UnknownModelError:
                report["unknown_search_model"] += 1
        elif spec is not None:
            searches[spec.key].append(pid)
    report["products"] = len(products)
    return Catalog(seed=seed, products=products, searches=searches, report=dict(report))
