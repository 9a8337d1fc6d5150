"""Product pictures: deterministic 750×750 RGBA PNGs (transparent background), cached as encoded bytes."""

from __future__ import annotations

import io
import random
import re
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from PIL import Image, ImageDraw

from sneaker_core.market.palette import Palette, darker, palette_for
from sneaker_core.market.shoe import SIZE, draw_shoe
from sneaker_core.market.styles import STYLES, generic_style
from sneaker_core.market.trait_marks import finished_palette
from sneaker_core.market.traits import traits_of

_CAMO_RE = re.compile(r"\bcamo\b", re.IGNORECASE)


@dataclass(frozen=True)
class RenderSpec:
    """Everything a picture depends on: the same spec always gives the same bytes."""

    key: str  # seeds the jitter (a re-listing reuses its original's key)
    title: str
    model: str | None
    brand_name: str
    category: str


def _apparel(title: str, pal: Palette, rng: random.Random) -> Image.Image:
    """A flat tee, hoodie, sock or cap; camo titles get camo blobs."""
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    low = title.lower()
    line = darker(pal.base, 0.55)
    if "sock" in low:
        shape = [(300, 120), (430, 120), (430, 470), (560, 560), (540, 650), (330, 620), (300, 560)]
    elif "cap" in low or "hat" in low:
        d.pieslice([200, 220, 550, 560], 180, 360, fill=pal.base, outline=line, width=4)
        d.polygon([(520, 390), (690, 410), (680, 440), (520, 430)], fill=pal.overlay, outline=line)
        shape = []
    else:
        shape = [(200, 160), (310, 130), (440, 130), (550, 160), (660, 300), (580, 350), (540, 300),
                 (540, 640), (210, 640), (210, 300), (170, 350), (90, 300)]
    if shape:
        d.polygon(shape, fill=pal.base, outline=line, width=4)
    if _CAMO_RE.search(title):
        for _ in range(40):
            x, y, r = rng.randint(200, 540), rng.randint(160, 600), rng.randint(12, 40)
            d.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=darker(pal.overlay, rng.uniform(0.6, 1.0)))
    if "hoodie" in low:
        d.ellipse([300, 80, 450, 200], outline=line, width=6)
        d.rectangle([290, 470, 460, 560], outline=line, width=4)
    mark_c = (375, 300)
    d.ellipse([mark_c[0] - 45, mark_c[1] - 45, mark_c[0] + 45, mark_c[1] + 45], fill=pal.mark)
    return img


def render_image(spec: RenderSpec) -> Image.Image:
    """The product's picture (RGBA, SIZE×SIZE), with small pose/scale jitter seeded by the spec key.

    A sneaker shows its title's price-driving traits (traits.py), so the picture predicts its price.
    """
    rng = random.Random(f"render:{spec.key}")
    pal = palette_for(spec.title)
    if spec.category == "sneakers":
        style = STYLES.get(spec.model or "") or generic_style(spec.brand_name, spec.title, rng)
        traits = traits_of(spec.title)
        return draw_shoe(style, finished_palette(pal, traits), rng, spec.brand_name, traits)
    img = _apparel(spec.title, pal, rng)
    angle, dx, dy = rng.uniform(-4, 4), rng.randint(-18, 18), rng.randint(-18, 18)
    return img.rotate(angle, resample=Image.Resampling.BILINEAR, translate=(dx, dy))


def encode_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class ImageCache:
    """Thread-safe LRU of encoded PNG bytes by render key."""

    def __init__(self, max_items: int = 4096):
        self.max_items = max_items
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = Lock()
        self.hits = self.misses = 0

    def get(self, spec: RenderSpec) -> bytes:
        with self._lock:
            data = self._items.get(spec.key)
            if data is not None:
                self._items.move_to_end(spec.key)
                self.hits += 1
                return data
            self.misses += 1
        data = encode_png(render_image(spec))  # outside the lock: renders run in parallel threads
        with self._lock:
            self._items[spec.key] = data
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return data

