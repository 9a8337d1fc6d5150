"""A titled grid of rendered demo products across models (docs/market-gallery.png): what the CNN sees.

Each tile is captioned with its title, model and lowest ask; the picks show every price-driving trait.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from sneaker_core.atomic import write_bytes
from sneaker_core.market.catalog import Product
from sneaker_core.market.catalog_gen import generate_catalog
from sneaker_core.market.page import format_price
from sneaker_core.market.render import RenderSpec, render_image
from sneaker_core.market.traits import traits_of

TILE = 220
TEXT_H = 44
COLS = 6


def _shown_trait(p: Product) -> str:
    """The price-driving trait a tile shows best ('' for a plain general release)."""
    t = traits_of(p.title)
    return "hype" if t.hype else "collab" if t.collab else t.mark or t.material or ("aged" if t.age >= 6 else "")


def pick_products(products: list[Product], count: int) -> list[Product]:
    """One product per model first (registry order of appearance; each trait shown once where a model has it),
    then collaborations and non-model items."""
    originals = [p for p in products if p.relisting_of is None]
    chosen: list[Product] = []
    shown: set[str] = set()
    for model in dict.fromkeys(p.model for p in originals if p.model):
        own = [p for p in originals if p.model == model]
        pick = next((p for p in own if _shown_trait(p) not in shown | {""}), own[0])
        shown.add(_shown_trait(pick))
        chosen.append(pick)
    rest = [p for p in products if p not in chosen and p.relisting_of is None]
    rest.sort(key=lambda p: (" x " not in p.title, p.model is not None, p.id))
    return (chosen + rest)[:count]


def write_gallery(out: Path | str, seed: int = 0, count: int = 30) -> Path:
    """Render `count` products of the seed's catalog into a grid with their titles; written atomically."""
    picks = pick_products(generate_catalog(seed).products, count)
    rows = (len(picks) + COLS - 1) // COLS
    sheet = Image.new("RGB", (COLS * TILE, rows * (TILE + TEXT_H)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for i, p in enumerate(picks):
        x, y = (i % COLS) * TILE, (i // COLS) * (TILE + TEXT_H)
        img = render_image(RenderSpec(p.render_key, p.title, p.model, p.brand_name, p.category))
        sheet.paste(img.resize((TILE, TILE), Image.Resampling.LANCZOS), (x, y), img.resize((TILE, TILE)))
        price = format_price(p.price_cents) or "unpriced"
        label = textwrap.wrap(f"{p.title} [{p.model or 'no model'}] {price}", 34)[:3]
        draw.multiline_text((x + 4, y + TILE - 8), "\n".join(label), fill=(30, 30, 30), font=font, spacing=1)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=True)
    return write_bytes(out, buf.getvalue())
