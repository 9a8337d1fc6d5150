"""Deterministic synthetic catalog: per-search composition and prices follow the real 2023 catalog's facts."""

from __future__ import annotations

import math
import random
import re

from sneaker_core.market import titles as T
from sneaker_core.market.catalog import Catalog, Product, stable_hex, true_model
from sneaker_core.market.price_table import SEARCH_FACTS
from sneaker_core.market.pricing import ask_cents
from sneaker_core.registry import ModelSpec, load_models

RELIST_RATE = 0.05
# Searches smaller than this many own listings are scaled up (keeping their composition) so every model has
# enough pictures to learn from in a small demo catalog.
OWN_FLOOR = 200.0
KINDS = ("own", "off", "slides", "apparel")
RETAIL_DOLLARS = {"Air Jordan": 190, "Nike": 115, "Adidas": 100, "New Balance": 130, "Yeezy": 230,
                  "Bapesta": 270, "Crocs": 50}
_YEAR_RE = re.compile(r" (20\d\d)$")


def _weights(models: tuple[ModelSpec, ...]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for m in models:
        f = SEARCH_FACTS[m.key]
        scale = max(1.0, OWN_FLOOR / (f.listings * f.own)) if f.own > 0 else 1.0
        for kind in KINDS:
            out[(m.key, kind)] = f.listings * getattr(f, kind) * scale
    return out


def _allocate(weights: dict[tuple[str, str], float], total: int, models: tuple[ModelSpec, ...]) -> dict:
    """Largest-remainder split of `total` over the cells; one own product per model first when possible."""
    counts = {c: 0 for c in weights}
    if total >= len(models):
        for m in models:
            counts[(m.key, "own")] = 1
        total -= len(models)
    wsum = sum(weights.values())
    quotas = {c: total * w / wsum for c, w in weights.items()}
    for c, q in quotas.items():
        counts[c] += math.floor(q)
    left = total - sum(math.floor(q) for q in quotas.values())
    for c in sorted(quotas, key=lambda c: (-(quotas[c] % 1), c))[:left]:
        counts[c] += 1
    return counts


def _release_date(rng: random.Random, title: str) -> str:
    m = _YEAR_RE.search(title)
    year = int(m.group(1)) if m else rng.randint(2008, 2023)
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _brand_name(stem: str, fallback: str) -> str:
    for prefix, name in (("Jordan", "Air Jordan"), ("BAPE", "BAPE"), ("Adilette", "adidas"), ("Yeezy", "Yeezy")):
        if stem.startswith(prefix):
            return name
    return fallback


class _Builder:
    def __init__(self, seed: int, models: tuple[ModelSpec, ...]):
        self.seed, self.models, self.rng = seed, models, random.Random(f"demo-market:{seed}")
        self.products: list[Product] = []
        self.used_ids: set[str] = set()

    def new_id(self) -> str:
        while (pid := str(self.rng.randint(100_000, 9_999_999))) in self.used_ids:
            pass
        self.used_ids.add(pid)
        return pid

    def titled(self, stems: tuple[str, ...], brand: str | None, want: ModelSpec | None) -> tuple[str, str]:
        """A decorated title whose true model is `want` (None: no registry model matches at all)."""
        for _ in range(50):
            stem = self.rng.choice(stems)
            title = T.decorate(stem, self.rng, brand, T.COLLAB_RATE if want else 0.0)
            low = title.lower()
            ok = true_model(title, self.models) == want if want else not any(m.matches(low) for m in self.models)
            if ok:
                return title, stem
        raise RuntimeError(f"no valid title from stems {stems} for model {want.key if want else None}")

    def add(self, title: str, model: ModelSpec | None, brand_name: str, category: str, price: int | None,
            relisting_of: Product | None = None) -> Product:
        pid = self.new_id()
        image_id = stable_hex("image", self.seed, pid, n=16)
        retail = None
        if model is not None and self.rng.random() > 0.15:
            retail = RETAIL_DOLLARS.get(model.brand, 120) * 100
        p = Product(
            id=pid, title=title, model=model.key if model else None, brand=model.brand if model else None,
            brand_name=brand_name, category=category, price_cents=price, retail_cents=retail,
            release_date=relisting_of.release_date if relisting_of else _release_date(self.rng, title),
            image_id=image_id, relisting_of=relisting_of.id if relisting_of else None,
            render_key=relisting_of.render_key if relisting_of else image_id,
        )
        self.products.append(p)
        return p

    def make(self, m: ModelSpec, kind: str) -> Product:
        """One product of `kind` in model `m`'s search, priced from its title's traits."""
        if kind == "own":
            title, _ = self.titled(T.MODEL_STEMS[m.key], m.brand, m)
            return self.add(title, m, m.brand, "sneakers", ask_cents(self.rng, m.key, m.brand, title))
        if kind == "off":
            title, stem = self.titled(T.OFF_MODEL_STEMS[m.key], None, None)
            brand, category, factor = _brand_name(stem, m.brand), "sneakers", 0.6
        elif kind == "slides":
            title, stem = self.titled(T.SLIDE_STEMS, None, None)
            brand, category, factor = _brand_name(stem, "Nike"), "sneakers", 0.3
        else:
            pool = tuple(s for s, _ in T.APPAREL if s.startswith("BAPE") == (m.key == "bapesta"))
            title, stem = self.titled(pool, None, None)
            brand, category, factor = _brand_name(stem, m.brand), dict(T.APPAREL)[stem], 0.4
        return self.add(title, None, brand, category, ask_cents(self.rng, m.key, m.brand, title, factor))


def generate_catalog(seed: int = 0, n_products: int = 1500) -> Catalog:
    """Exactly `n_products` products (about 5% re-listings) and all 25 searches, the same for the same seed."""
    if n_products < 1:
        raise ValueError(f"n_products={n_products}; the demo catalog needs at least 1 product")
    models = load_models()
    b = _Builder(seed, models)
    n_relist = round(n_products * RELIST_RATE) if n_products >= 40 else 0
    counts = _allocate(_weights(models), n_products - n_relist, models)
    searches: dict[str, list[str]] = {}
    own: dict[str, list[str]] = {}
    for m in models:
        made = {kind: [b.make(m, kind).id for _ in range(counts[(m.key, kind)])] for kind in KINDS}
        own[m.key] = made["own"]
        searches[m.key] = [pid for kind in KINDS for pid in made[kind]]
    for m in models:  # cross-listings: another model's products in this search (same brand first)
        f = SEARCH_FACTS[m.key]
        if f.other <= 0 or not own[m.key]:
            continue
        same = [pid for o in models if o.brand == m.brand and o.key != m.key for pid in own[o.key]]
        pool = same or [pid for o in models if o.key != m.key for pid in own[o.key]]
        n_x = min(len(pool), max(1, round(len(own[m.key]) * f.other / f.own)))
        searches[m.key] += b.rng.sample(pool, n_x)
    originals = [p for p in b.products if p.model is not None]
    for orig in b.rng.sample(originals, min(n_relist, len(originals))):
        model = next(m for m in models if m.key == orig.model)
        price = ask_cents(b.rng, model.key, model.brand, orig.title, always=True)
        copy = b.add(orig.title, model, orig.brand_name, orig.category, price, relisting_of=orig)
        for ids in searches.values():
            if orig.id in ids:
                ids.append(copy.id)
    for ids in searches.values():
        b.rng.shuffle(ids)
    return Catalog(seed=seed, products=b.products, searches=searches)
