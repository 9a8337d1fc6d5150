"""Deterministic synthetic catalog in time: per-search composition and prices follow the real 2023 catalog's facts.

The catalog is a fixed set of slots (its composition per search, cross-listings, re-listings and result order,
drawn once per seed and size); each slot lists one product at a time (lifecycle.py), built on demand from
(seed, slot, generation) alone, and priced each week by its path (paths.py). `generate_catalog(seed, n,
as_of)` is the market as it stands in one week.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sneaker_core.market import titles as T
from sneaker_core.market.catalog import Catalog, Product, stable_hex, true_model
from sneaker_core.market.lifecycle import MAX_SLOTS, generation_at, generations_between, product_id, window
from sneaker_core.market.paths import MISSED_WEEK, THIN_UNPRICED, PricePath
from sneaker_core.market.price_table import SEARCH_FACTS
from sneaker_core.market.pricing import trait_level
from sneaker_core.market.sizes import size_range
from sneaker_core.market.weeks import units, week_at, week_monday
from sneaker_core.registry import ModelSpec, load_models

RELIST_RATE = 0.05
# Searches smaller than this many own listings are scaled up (keeping their composition) so every model has
# enough pictures to learn from in a small demo catalog.
OWN_FLOOR = 200.0
KINDS = ("own", "off", "slides", "apparel")
KIND_FACTOR = {"own": 1.0, "off": 0.6, "slides": 0.3, "apparel": 0.4}  # off-model goods ask less
RETAIL_DOLLARS = {"Air Jordan": 190, "Nike": 115, "Adidas": 100, "New Balance": 130, "Yeezy": 230,
                  "Bapesta": 270, "Crocs": 50}
RANGE_RETAIL = {"men": 1.0, "women": 0.95, "gs": 0.75, "ps": 0.55, "td": 0.45}
RETAIL_SHARE = {"own": 0.92, "off": 0.8, "slides": 0.8, "apparel": 0.0}  # products whose retail is known
# Women's and kids' versions of on-model titles ('Wmns Dunk Low', 'Air Jordan 1 Mid GS'), per title.
AUDIENCES = (("Wmns {}", 0.04), ("{} GS", 0.02), ("{} PS", 0.01), ("{} TD", 0.005))
_YEAR_RE = re.compile(r" (20\d\d)$")


@dataclass(frozen=True)
class Slot:
    index: int
    model: ModelSpec  # the model whose search lists it (an off-model or apparel product has no model itself)
    kind: str  # one of KINDS, or "relist"
    original: int | None = None  # the re-listed slot


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


def _brand_name(stem: str, fallback: str) -> str:
    for prefix, name in (("Jordan", "Air Jordan"), ("BAPE", "BAPE"), ("Adilette", "adidas"), ("Yeezy", "Yeezy")):
        if stem.startswith(prefix):
            return name
    return fallback


def _titled(rng: random.Random, stems: tuple[str, ...], brand: str | None, want: ModelSpec | None,
            models: tuple[ModelSpec, ...]) -> tuple[str, str]:
    """A decorated title whose true model is `want` (None: no registry model matches at all)."""
    for _ in range(50):
        stem = rng.choice(stems)
        title = T.decorate(stem, rng, brand, T.COLLAB_RATE if want else 0.0)
        if want:
            r = rng.random()
            for pattern, rate in AUDIENCES:
                if r < rate and "Kids" not in stem and "Infant" not in stem:
                    tagged = title.replace(stem, pattern.format(stem), 1)
                    title = tagged if true_model(tagged, models) == want else title
                    break
                r -= rate
        low = title.lower()
        ok = true_model(title, models) == want if want else not any(m.matches(low) for m in models)
        if ok:
            return title, stem
    raise RuntimeError(f"no valid title from stems {stems} for model {want.key if want else None}")


def _thin_rate(no_price: float) -> float:
    """The share of thin products that puts a search's unpriced share of listings at the real one."""
    return max(0.0, (no_price - MISSED_WEEK) / (THIN_UNPRICED - MISSED_WEEK))


class Population:
    """Every product the demo market ever lists for (seed, n_products): slots × generations, built on demand."""

    def __init__(self, seed: int = 0, n_products: int = 1500):
        if not 1 <= n_products <= MAX_SLOTS:
            raise ValueError(f"n_products={n_products}; the demo catalog needs 1 to {MAX_SLOTS} products")
        self.seed, self.models = seed, load_models()
        rng = random.Random(f"demo-market:{seed}")
        n_relist = round(n_products * RELIST_RATE) if n_products >= 40 else 0
        counts = _allocate(_weights(self.models), n_products - n_relist, self.models)
        self.slots: list[Slot] = []
        self.searches: dict[str, list[int]] = {}
        own: dict[str, list[int]] = {}
        for m in self.models:
            made = {kind: [self._slot(m, kind) for _ in range(counts[(m.key, kind)])] for kind in KINDS}
            own[m.key] = made["own"]
            self.searches[m.key] = [s for kind in KINDS for s in made[kind]]
        for m in self.models:  # cross-listings: another model's products in this search (same brand first)
            f = SEARCH_FACTS[m.key]
            if f.other <= 0 or not own[m.key]:
                continue
            same = [s for o in self.models if o.brand == m.brand and o.key != m.key for s in own[o.key]]
            pool = same or [s for o in self.models if o.key != m.key for s in own[o.key]]
            n_x = min(len(pool), max(1, round(len(own[m.key]) * f.other / f.own)))
            self.searches[m.key] += rng.sample(pool, n_x)
        originals = [s for ids in own.values() for s in ids]
        for orig in rng.sample(originals, min(n_relist, len(originals))):
            copy = self._slot(self.slots[orig].model, "relist", orig)
            for ids in self.searches.values():
                if orig in ids:
                    ids.append(copy)
        for ids in self.searches.values():
            rng.shuffle(ids)
        self._built: dict[tuple[int, int], Product] = {}

    def _slot(self, model: ModelSpec, kind: str, original: int | None = None) -> int:
        self.slots.append(Slot(len(self.slots), model, kind, original))
        return len(self.slots) - 1

    def _timeline_slot(self, slot: Slot) -> int:
        return slot.original if slot.original is not None else slot.index

    def generation(self, slot: Slot, week: int) -> int:
        return generation_at(self.seed, self._timeline_slot(slot), week)

    def product(self, slot: Slot, gen: int) -> Product:
        """The product slot `slot` lists in generation `gen` (its price field unset: see `at`)."""
        key = (slot.index, gen)
        if key not in self._built:
            self._built[key] = self._build(slot, gen)
        return self._built[key]

    def _build(self, slot: Slot, gen: int) -> Product:
        seed, m = self.seed, slot.model
        pid = product_id(seed, slot.index, gen)
        rng = random.Random(seed * 10**9 + int(pid))
        win = window(seed, self._timeline_slot(slot), gen)
        if slot.original is not None:
            orig = self.product(self.slots[slot.original], gen)
            level = trait_level(rng, m.key, m.brand, orig.title)
            path = replace(orig.path, key=f"{seed}:{pid}", level=level, thin_rate=0.0)  # type: ignore[arg-type]
            return replace(orig, id=pid, path=path, image_id=stable_hex("image", seed, pid, n=16),
                           relisting_of=orig.id)
        if slot.kind == "own":
            title, _ = _titled(rng, T.MODEL_STEMS[m.key], m.brand, m, self.models)
            brand_name, category, model = m.brand, "sneakers", m
        elif slot.kind == "apparel":
            pool = tuple(s for s, _ in T.APPAREL if s.startswith("BAPE") == (m.key == "bapesta"))
            title, stem = _titled(rng, pool, None, None, self.models)
            brand_name, category, model = _brand_name(stem, m.brand), dict(T.APPAREL)[stem], None
        else:
            stems = T.OFF_MODEL_STEMS[m.key] if slot.kind == "off" else T.SLIDE_STEMS
            title, stem = _titled(rng, stems, None, None, self.models)
            brand_name, category, model = _brand_name(stem, m.brand if slot.kind == "off" else "Nike"), "sneakers", None
        u_day, u_has_retail, u_retail, u_07 = units(4, seed, pid, "product")
        released = week_monday(win.release) + timedelta(days=int(u_day * 7))
        if year := _YEAR_RE.search(title):  # a year in the title is the year of this release
            title = title[: year.start(1)] + str(released.year)
        retail = None
        if u_has_retail < RETAIL_SHARE[slot.kind]:
            dollars = RETAIL_DOLLARS.get(m.brand, 120) * (1.2 if " x " in title else 1.0) * (RANGE_RETAIL[
                size_range(title)] if slot.kind == "own" else 1.0) * KIND_FACTOR[slot.kind] ** 0.5 * (0.85 + 0.4 * u_retail)
            retail = round(dollars / 5) * 5 * 100
        path = PricePath(
            key=f"{seed}:{pid}", level=trait_level(rng, m.key, m.brand, title, KIND_FACTOR[slot.kind]),
            retail=retail / 100 if retail else None, announce=win.announce, release=win.release, leave=win.leave,
            thin_rate=_thin_rate(SEARCH_FACTS[m.key].no_price), ends07=u_07 < 0.3,
        )
        image_id = stable_hex("image", seed, pid, n=16)
        return Product(
            id=pid, title=title, model=model.key if model else None, brand=model.brand if model else None,
            brand_name=brand_name, category=category, price_cents=None, retail_cents=retail,
            release_date=released.isoformat(), image_id=image_id, relisting_of=None, render_key=image_id, path=path,
        )

    def listed(self, week: int) -> dict[int, Product]:
        """Slot index → the product it lists in `week`, priced for that week."""
        out = {}
        for slot in self.slots:
            p = self.product(slot, self.generation(slot, week))
            out[slot.index] = replace(p, price_cents=p.path.price_cents(week))  # type: ignore[union-attr]
        return out

    def at(self, week: int) -> Catalog:
        """The market as listed in `week`."""
        listed = self.listed(week)
        searches = {key: [listed[s].id for s in slots] for key, slots in self.searches.items()}
        return Catalog(seed=self.seed, products=list(listed.values()), searches=searches, week=week)

    def products_between(self, first: int, last: int) -> list[Product]:
        """Every product listed in any week of first..last (inclusive), slot by slot, oldest first."""
        return [self.product(slot, g) for slot in self.slots
                for g in generations_between(self.seed, self._timeline_slot(slot), first, last)]


def generate_catalog(seed: int = 0, n_products: int = 1500, as_of: datetime | date | int | None = None) -> Catalog:
    """Exactly `n_products` products (about 5% re-listings) and all 25 searches, as listed in the week of
    `as_of` (a week index, a date or datetime; default now): the same for the same seed, size and week."""
    week = as_of if isinstance(as_of, int) else week_at(as_of)
    return Population(seed, n_products).at(week)
