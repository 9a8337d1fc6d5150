"""HTML of the demo market: search page with lazy cards, product page, bot challenge, per-start class hashes."""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
PAGE_LIMIT = 25
_SEARCH_JS = (Path(__file__).parent / "static" / "search.js").read_text(encoding="utf-8")
_STYLE = """
body{font-family:sans-serif;margin:0 24px}
[data-qa=search_grid]{display:grid;grid-template-columns:repeat(4,1fr);gap:16px}
[data-qa=grid_cell_product] a{color:#222;text-decoration:none}
[data-qa=grid_cell_product] img{width:100%;aspect-ratio:1;background:#f4f4f4;display:block}
"""


@dataclass(frozen=True)
class ClassNames:
    """Styled-components-like class names whose hash changes with every server start."""

    grid: str
    cell: str
    image: str
    name: str
    date: str
    price: str

    @classmethod
    def fresh(cls) -> ClassNames:
        h = secrets.token_hex(4)
        return cls(
            grid=f"SearchGrid__Grid-sc-{h}-0", cell=f"GridCellProductInfo__Cell-sc-{h}-1",
            image=f"GridCellProductInfo__Image-sc-{h}-2", name=f"GridCellProductInfo__Name-sc-{h}-3",
            date=f"GridCellProductInfo__Year-sc-{h}-4", price=f"GridCellProductInfo__Price-sc-{h}-5",
        )


def format_price(cents: int | None) -> str:
    """'$1,507' from 150700 cents (whole dollars); empty for no price."""
    return "" if cents is None else f"${cents // 100:,}"


def _json_script(element_id: str, obj: object) -> str:
    text = json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="{element_id}" type="application/json">{text}</script>'


def card_html(p: dict, c: ClassNames) -> str:
    """One grid card; the real image URL is deliberately absent (JS sets it when the card nears the viewport)."""
    title = html.escape(p["title"])
    return (
        f'<div data-qa="grid_cell_product" class="{c.cell}"><a href="/sneakers/{html.escape(p["slug"])}">'
        f'<img data-qa="grid_cell_product_image" class="{c.image}" src="{PLACEHOLDER}" alt="{title}">'
        f'<div data-qa="grid_cell_product_name" class="{c.name}">{title}</div>'
        f'<div data-qa="grid_cell_product_release_date" class="{c.date}">{html.escape(p["releaseDate"][:4])}</div>'
        f'<div data-qa="grid_cell_product_price" class="{c.price}">{format_price(p["lowestPriceCents"])}</div>'
        f"</a></div>"
    )


def search_page(query: str, first_page: list[dict], total: int, c: ClassNames) -> str:
    """The search results page: first page of cards, __NEXT_DATA__, and the lazy-load/infinite-scroll script."""
    next_data = {"props": {"pageProps": {"query": query, "productsList": first_page, "totalResults": total,
                                         "pageLimit": PAGE_LIMIT, "placeholder": PLACEHOLDER}}}
    cards = "\n".join(card_html(p, c) for p in first_page)
    status = "" if first_page else "No results"
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(query)} | Demo Market</title><style>{_STYLE}</style></head><body>"
        f"<h1>Search: {html.escape(query)}</h1><p data-qa=\"search_total\">{total} results</p>"
        f'<div data-qa="search_grid" class="{c.grid}">\n{cards}\n</div>'
        f'<div data-qa="search_sentinel" style="height:1px"></div><p data-qa="search_status">{status}</p>'
        f"{_json_script('__NEXT_DATA__', next_data)}"
        f"{_json_script('__MARKET_CONFIG__', {'classes': asdict(c)})}"
        f"<script>{_SEARCH_JS}</script></body></html>"
    )


def product_page(p: dict) -> str:
    """A minimal product page that embeds the product as __NEXT_DATA__, like the real site."""
    title = html.escape(p["title"])
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
        f"<h1 data-qa=\"product_title\">{title}</h1><p data-qa=\"product_price\">"
        f"{format_price(p['lowestPriceCents'])}</p>"
        f"{_json_script('__NEXT_DATA__', {'props': {'pageProps': {'productTemplate': p}}})}</body></html>"
    )


def challenge_page() -> str:
    """A PerimeterX-like bot wall (served with 200 or 403): no grid, a press-and-hold prompt."""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Access to this page has been denied</title></head><body>"
        "<div id=\"px-captcha-wrapper\"><h1>Before we continue...</h1>"
        "<p>Press &amp; Hold to confirm you are a human (and not a bot).</p><div id=\"px-captcha\"></div>"
        "</div></body></html>"
    )
