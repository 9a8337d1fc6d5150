"""The demo market's catalog: products, per-search result lists, lookups and the ground truth."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from sneaker_core.market.paths import PricePath
from sneaker_core.market.sizes import SizeAsk, size_asks
from sneaker_core.market.weeks import week_monday
from sneaker_core.registry import ModelSpec, load_models

_SLUG_RE = re.compile(r"[^a-z0-9]+")
_WS_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Product:
    """One listing; `render_key` decides the picture (a re-listing shares its original's)."""

    id: str
    title: str
    model: str | None
    brand: str | None
    brand_name: str
    category: str
    price_cents: int | None
    retail_cents: int | None
    release_date: str
    image_id: str
    relisting_of: str | None
    render_key: str
    path: PricePath | None = None  # the synthetic market's listing window and weekly price path

    @property
    def slug(self) -> str:
        return make_slug(self.title, self.id)


def make_slug(title: str, product_id: str) -> str:
    """Lowercase-dashed title + '-' + id, so the id is the slug's last token."""
    stem = _SLUG_RE.sub("-", title.lower()).strip("-") or "product"
    return f"{stem}-{product_id}"


def normalise_query(q: str) -> str:
    return _WS_RE.sub(" ", q).strip().lower()


def stable_hex(*parts: object, n: int = 12) -> str:
    """Short hex digest of the parts (stable across runs and platforms)."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def true_model(title: str, models: tuple[ModelSpec, ...]) -> ModelSpec | None:
    """The registry model a title names: the only matching one, else None (none or ambiguous)."""
    hits = [m for m in models if m.matches(title.lower())]
    return hits[0] if len(hits) == 1 else None


@dataclass
class Catalog:
    """Products plus, per registry model key, the ordered ids its search returns."""

    seed: int
    products: list[Product]
    searches: dict[str, list[str]]
    report: dict[str, int] = field(default_factory=dict)
    week: int | None = None  # the week whose prices it holds (weeks.py); None for a CSV catalog

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.products}
        self.by_image = {p.image_id: p for p in self.products}
        self.by_slug = {p.slug: p for p in self.products}
        if len(self.by_id) != len(self.products) or len(self.by_image) != len(self.products):
            raise ValueError("catalog has duplicate product or image ids")
        self._query_keys = {normalise_query(m.query): m.key for m in load_models() if m.key in self.searches}
        self._queries_of: dict[str, list[str]] = {}
        for key, ids in self.searches.items():
            for pid in ids:
                self._queries_of.setdefault(pid, []).append(key)

    def search(self, query: str) -> list[Product]:
        """A registry query returns its model's list; any other query: titles containing every token."""
        q = normalise_query(query)
        key = self._query_keys.get(q)
        if key is not None:
            return [self.by_id[i] for i in self.searches[key]]
        tokens = q.split()
        if not tokens:
            return []
        return [p for p in self.products if all(t in p.title.lower() for t in tokens)]

    def sizes_of(self, p: Product) -> list[SizeAsk]:
        """The product's per-size asks in this catalog's week (a CSV catalog's are drawn once, static)."""
        key = p.path.key if p.path else f"csv:{self.seed}:{p.id}"
        return size_asks(key, p.price_cents, p.model, p.title, p.category, self.week or 0)

    def ground_truth(self, sizes: bool = False) -> list[dict]:
        """Every product with its true model, brand, price, image id, the searches that list it, release date,
        retail, listing window (Mondays of the weeks it was announced and leaves) and, if asked, its sizes."""
        out = []
        for p in self.products:
            row = {
                "id": p.id, "slug": p.slug, "title": p.title, "model": p.model, "brand": p.brand,
                "category": p.category, "price_cents": p.price_cents, "image_id": p.image_id,
                "relisting_of": p.relisting_of, "queries": list(self._queries_of.get(p.id, [])),
                "release_date": p.release_date, "retail_cents": p.retail_cents,
                "announced": week_monday(p.path.announce).isoformat() if p.path else None,
                "leaves": week_monday(p.path.leave).isoformat() if p.path else None,
            }
            if sizes:
                row["sizes"] = [{"size": a.size, "cents": a.cents, "used_cents": a.used_cents}
                                for a in self.sizes_of(p)]
            out.append(row)
        return out

    def product_json(self, p: Product, base_url: str) -> dict:
        """A product in the JSON endpoint's (and __NEXT_DATA__'s) shape."""
        return {
            "id": p.id, "slug": p.slug, "title": p.title, "brandName": p.brand_name,
            "pictureUrl": f"{base_url}/images/{p.image_id}.png?action=crop&width=750", "releaseDate": p.release_date,
            "retailPriceCents": p.retail_cents, "lowestPriceCents": p.price_cents,
            "productCategory": p.category,
        }

