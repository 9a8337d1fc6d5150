"""Colours of a rendered product from the colour words of its title (a small lexicon; unknown words hash)."""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass

from sneaker_core.market.traits import colourway_match

RGB = tuple[int, int, int]

WORDS: dict[str, RGB] = {
    "white": (244, 244, 240), "black": (28, 28, 30), "red": (200, 32, 44), "blue": (40, 90, 200),
    "green": (40, 140, 70), "grey": (140, 142, 146), "gray": (140, 142, 146), "navy": (26, 38, 84),
    "gum": (176, 112, 58), "cream": (238, 226, 196), "orange": (240, 120, 30), "yellow": (246, 206, 40),
    "purple": (110, 60, 160), "pink": (240, 150, 180), "brown": (110, 70, 40), "gold": (212, 170, 60),
    "silver": (190, 194, 200), "teal": (30, 150, 150), "tan": (200, 160, 110), "ivory": (250, 244, 222),
    "sand": (214, 192, 150), "sail": (240, 232, 212), "bone": (232, 224, 204), "royal": (30, 70, 190),
    "volt": (206, 242, 40), "olive": (110, 120, 50), "onyx": (40, 40, 44), "mist": (200, 210, 214),
    "wheat": (212, 160, 80), "coral": (250, 120, 100), "lilac": (190, 160, 220), "seafoam": (150, 220, 190),
    "sesame": (200, 176, 130), "dune": (190, 160, 120), "cement": (168, 166, 160), "cherry": (170, 20, 40),
    "pollen": (240, 190, 30), "obsidian": (30, 36, 60), "mocha": (120, 80, 56), "infrared": (250, 60, 80),
    "concord": (70, 40, 130), "shadow": (90, 92, 96), "smoke": (120, 122, 126), "photon": (226, 222, 214),
    "cool": (150, 152, 158), "pine": (30, 90, 60), "midnight": (20, 24, 60),
}

# Nicknames: (base, overlay, sole, mark).
NICKNAMES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "bred": (WORDS["black"], WORDS["red"], WORDS["white"], WORDS["black"]),
    "chicago": (WORDS["white"], WORDS["red"], WORDS["white"], WORDS["black"]),
    "panda": (WORDS["white"], WORDS["black"], WORDS["white"], WORDS["black"]),
    "university blue": (WORDS["white"], (110, 170, 230), WORDS["white"], WORDS["black"]),
    "zebra": (WORDS["white"], WORDS["black"], WORDS["gum"], WORDS["red"]),
    "beluga": (WORDS["grey"], WORDS["orange"], WORDS["grey"], WORDS["orange"]),
    "black cat": (WORDS["black"], WORDS["onyx"], WORDS["black"], WORDS["black"]),
    "triple white": (WORDS["white"], WORDS["white"], WORDS["white"], (220, 220, 216)),
    "triple black": (WORDS["black"], WORDS["black"], WORDS["black"], WORDS["onyx"]),
    "oreo": (WORDS["black"], WORDS["white"], WORDS["white"], WORDS["grey"]),
    "georgetown": (WORDS["grey"], WORDS["navy"], WORDS["white"], WORDS["navy"]),
    "kentucky": (WORDS["white"], WORDS["royal"], WORDS["white"], WORDS["royal"]),
    "syracuse": (WORDS["white"], WORDS["orange"], WORDS["white"], WORDS["orange"]),
    "fire red": (WORDS["white"], WORDS["red"], WORDS["white"], WORDS["black"]),
    "gym red": (WORDS["red"], WORDS["black"], WORDS["white"], WORDS["white"]),
    "court purple": (WORDS["white"], WORDS["purple"], WORDS["white"], WORDS["black"]),
    "lucky green": (WORDS["white"], WORDS["green"], WORDS["white"], WORDS["black"]),
    "laser orange": (WORDS["white"], WORDS["orange"], WORDS["white"], WORDS["orange"]),
    "hyper royal": (WORDS["white"], WORDS["royal"], WORDS["white"], WORDS["royal"]),
    "pink foam": (WORDS["pink"], (250, 200, 210), WORDS["white"], WORDS["white"]),
    "photon dust": (WORDS["photon"], WORDS["grey"], WORDS["white"], WORDS["grey"]),
    "smoke grey": (WORDS["white"], WORDS["smoke"], WORDS["white"], WORDS["black"]),
    "cool grey": (WORDS["cool"], WORDS["grey"], WORDS["white"], WORDS["black"]),
    "pine green": (WORDS["white"], WORDS["pine"], WORDS["white"], WORDS["black"]),
    "midnight navy": (WORDS["white"], WORDS["midnight"], WORDS["white"], WORDS["midnight"]),
}


@dataclass(frozen=True)
class Palette:
    base: RGB
    overlay: RGB
    sole: RGB
    mark: RGB
    accent: RGB | None  # collaboration accent


def hashed_colour(text: str, sat: float = 0.65, val: float = 0.8) -> RGB:
    """A stable, saturated colour for an unknown word or a collaborator's name."""
    h = int(hashlib.sha256(text.encode()).hexdigest()[:6], 16) / 0xFFFFFF
    r, g, b = colorsys.hsv_to_rgb(h, sat, val)
    return (int(r * 255), int(g * 255), int(b * 255))


def darker(c: RGB, f: float = 0.75) -> RGB:
    return (int(c[0] * f), int(c[1] * f), int(c[2] * f))


def blend(a: RGB, b: RGB, f: float) -> RGB:
    """`a` moved towards `b` by the fraction `f`."""
    return (round(a[0] + (b[0] - a[0]) * f), round(a[1] + (b[1] - a[1]) * f), round(a[2] + (b[2] - a[2]) * f))


def lighter(c: RGB, f: float = 0.5) -> RGB:
    """`c` blended towards white by `f`."""
    return blend(c, (255, 255, 255), f)


def contrast(c: RGB) -> RGB:
    """Black on light colours, white on dark ones."""
    return WORDS["black"] if sum(c) > 380 else WORDS["white"]


def visible(c: RGB, against: RGB, min_distance: int = 150) -> RGB:
    """`c`, unless it is too close to `against` (summed channel distance): then black or white against it."""
    return c if sum(abs(a - b) for a, b in zip(c, against)) >= min_distance else contrast(against)


def palette_for(title: str) -> Palette:
    """Palette from the quoted colourway (else the whole title) and a collaboration accent ('X x ...')."""
    m = colourway_match(title)
    body = (m.group(1) if m else title).lower()
    accent = hashed_colour(title.split(" x ")[0].strip().lower(), 0.9, 0.95) if " x " in title else None
    gum = "gum" in body.split()
    for nick, (base, overlay, sole, mark) in NICKNAMES.items():
        if nick in body:
            return Palette(base, overlay, WORDS["gum"] if gum else sole, mark, accent)
    cols = [WORDS[w] for w in re.findall(r"[a-z]+", body) if w in WORDS and w != "gum"]
    if not cols:
        cols = [hashed_colour(body)]
    base = cols[0]
    overlay = cols[1] if len(cols) > 1 else darker(base, 0.7) if sum(base) > 200 else hashed_colour(body, 0.3, 0.5)
    mark = cols[2] if len(cols) > 2 else contrast(overlay) if len(cols) > 1 else contrast(base)
    sole = WORDS["gum"] if gum else WORDS["white"] if sum(base) > 150 or len(cols) > 1 else WORDS["black"]
    return Palette(base, overlay, sole, mark, accent)
