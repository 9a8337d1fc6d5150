"""What the scraper knows about a GOAT-like marketplace: URLs, product JSON, challenge pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit

SEARCH_PATH = "/search"
API_PATH = "/web-api/consumer-search/get-product-search-results"
PRODUCT_PATH = "/sneakers/"
PLACEHOLDER_PREFIX = "data:"
CARD = '[data-qa="grid_cell_product"]'
PAGE_LIMIT = 25
_CHALLENGE = re.compile(r"press\s*&(amp;)?\s*hold|captcha|are you a (human|robot)|access denied|px-captcha", re.IGNORECASE)


def search_url(base: str, query: str) -> str:
    return f"{base}{SEARCH_PATH}?query={quote_plus(query)}&web_groups=sneakers"


def api_url(base: str, query: str, page_number: int, page_limit: int = PAGE_LIMIT) -> str:
    return f"{base}{API_PATH}?queryString={quote_plus(query)}&pageLimit={page_limit}&pageNumber={page_number}"


def product_url(base: str, slug: str) -> str:
    return urljoin(base + "/", PRODUCT_PATH.lstrip("/") + slug)


def slug_from_href(href: str) -> str | None:
    """The product slug of a `/sneakers/<slug>` link (absolute or relative), else None."""
    path = urlsplit(href).path
    if not path.startswith(PRODUCT_PATH):
        return None
    slug = path[len(PRODUCT_PATH) :].strip("/")
    return slug or None


def looks_like_challenge(text: str) -> bool:
    """True for bot-wall pages (PerimeterX 'Press & Hold', captchas, 'Access denied')."""
    return bool(_CHALLENGE.search(text[:20000]))


def format_price_cents(cents: Any) -> str | None:
    """The card's price text for a JSON price: 150700 -> '$1,507'; null -> None (card shows no price)."""
    if cents is None or isinstance(cents, bool):
        return None
    try:
        dollars = int(cents) // 100
    except (TypeError, ValueError):
        return str(cents)
    return f"${dollars:,}"


_PRODUCT_HINTS = ("id", "productTemplateId", "pictureUrl", "mainPictureUrl", "gridPictureUrl")


def iter_products(obj: Any) -> Iterator[dict[str, Any]]:
    """Every product-like dict anywhere inside a JSON document: one with a `slug`, or a `title` beside an
    `id` or a picture (so an entry that lost its slug is still seen, and skipped with a reason)."""
    if isinstance(obj, dict):
        if "slug" in obj or ("title" in obj and any(k in obj for k in _PRODUCT_HINTS)):
            yield obj
            return
        for v in obj.values():
            yield from iter_products(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from iter_products(v)


def product_fields(p: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(title, slug, image_url, price_raw and the raw time fields) of a product JSON, or (None, reason) when
    the title or slug is unusable. The time fields stay raw here; `scrape.fields` parses them."""
    title = p.get("title")
    if not isinstance(title, str) or not title.strip():
        return None, "missing_title"
    slug = p.get("slug")
    if not isinstance(slug, str) or not slug.strip():
        return None, "missing_slug"
    image = p.get("pictureUrl") or p.get("mainPictureUrl") or p.get("gridPictureUrl")
    return {
        "title": " ".join(title.split()),
        "slug": slug.strip(),
        "image_url": image if isinstance(image, str) and not image.startswith(PLACEHOLDER_PREFIX) else None,
        "price_raw": format_price_cents(p.get("lowestPriceCents")),
        "release_raw": p.get("releaseDate"),
        "retail_raw": p.get("retailPriceCents"),
        "template_raw": p["productTemplateId"] if "productTemplateId" in p else p.get("id"),
    }, None
