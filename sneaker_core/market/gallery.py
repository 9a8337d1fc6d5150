"""A titled grid of rendered demo products across models (docs/market-gallery.png): what the CNN sees."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from sneaker_core.atomic import write_bytes
from sneaker_core.market.catalog import Product
from sneaker_core.market.catalog_gen import generate_catalog
from sneaker_core.market.render import RenderSpec, render_image

TILE = 220
TEXT_H = 44
COLS = 6


def pick_products(products: list[Product], count: int) -> list[Product]:
    """One product per model first (registry order of appearance), then collaborations and non-model items."""
    chosen: list[Product] = []
    seen: set[str] = set()
    for p in products:
        if p.model and p.model not in seen and p.relisting_of is None:
            seen.add(p.model)
            chosen.append(p)
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
        label = textwrap.wrap(f"{p.title} [{p.model or 'no model'}]", 34)[:3]
        draw.multiline_text((x + 4, y + TILE - 8), "\n".join(label), fill=(30, 30, 30), font=font, spacing=1)
    buf = io.BytesIO()
    sheet.save(buf, format="PNG", optimize=True)
    return write_bytes(out, buf.getvalue())
