"""How a product's price-driving traits show on the drawn shoe: material textures, sole finish, collaboration
accents, the hype tier's zip tie and Sample/PE patches. Each is large enough to survive a 96 px training image.
"""

from __future__ import annotations

from dataclasses import replace

from PIL import ImageDraw

from sneaker_core.market.palette import RGB, Palette, blend, darker, lighter
from sneaker_core.market.shoe_parts import Frame, regular
from sneaker_core.market.traits import Traits

AGED_SOLE: RGB = (228, 204, 112)  # the yellowed midsole of an old pair
GLOW_SOLE: RGB = (196, 255, 140)
REFLECTION: RGB = (140, 170, 210)  # what a gloss highlight shows on a white upper
SAMPLE_RED: RGB = (214, 30, 40)
PE_NAVY, PE_GOLD = (24, 34, 90), (236, 190, 50)
OUTLINE: RGB = (20, 20, 20)
FULL_YELLOWING_YEARS = 12


def _shade(c: RGB, f: float) -> RGB:
    """A tone that reads on `c`: darker on light colours, lighter on dark ones."""
    return darker(c, f) if sum(c) > 240 else lighter(c, 1 - f)


def finished_palette(pal: Palette, t: Traits) -> Palette:
    """Sole finish: glow-in-the-dark green, or a midsole yellowed with the pair's age."""
    if t.material == "glow":
        return replace(pal, sole=GLOW_SOLE)
    if t.age:
        return replace(pal, sole=blend(pal.sole, AGED_SOLE, min(1.0, t.age / FULL_YELLOWING_YEARS)))
    return pal


def draw_material(d: ImageDraw.ImageDraw, F: Frame, sole: float, top: float, pal: Palette, t: Traits) -> None:
    """The upper's material texture between the sole and `top`, on a layer the caller clips to the upper."""
    if t.material == "canvas":  # a coarse weave
        line = _shade(pal.base, .65)
        for i in range(int((top - sole) / .05) + 1):
            d.line(F.pts([(-.1, sole + .02 + i * .05), (1.1, sole + .02 + i * .05)]), fill=line, width=9)
        for i in range(20):
            d.line(F.pts([(-.1 + i * .065, sole), (-.1 + i * .065, top)]), fill=line, width=7)
    elif t.material == "patent":  # broad gloss highlights
        shine = lighter(pal.base, .6) if sum(pal.base) < 600 else blend(pal.base, REFLECTION, .5)
        for x in (0.05, 0.42, 0.72):
            d.polygon(F.pts([(x, top), (x + .09, top), (x - .07, sole), (x - .16, sole)]), fill=shine)
    elif t.material == "snakeskin":  # staggered scales
        fill, line = _shade(pal.base, .82), _shade(pal.base, .5)
        for j in range(int((top - sole) / .035) + 1):
            y = sole + j * .035
            for i in range(24):
                x = -.05 + i * .05 + (j % 2) * .025
                d.polygon(F.pts([(x - .022, y), (x, y + .017), (x + .022, y), (x, y - .017)]), fill=fill,
                          outline=line, width=2)


def draw_marks(d: ImageDraw.ImageDraw, F: Frame, sole: float, anchor: tuple[float, float], pal: Palette,
               t: Traits, toe: tuple[float, float]) -> None:
    """Collaboration accents (heel tag, midsole band; the hype tier adds a zip tie at `anchor`) and the
    Sample/PE patch at `toe` (shoe units)."""
    if t.collab and pal.accent:
        d.rectangle(F.box(-.04, sole + .2, 0.035, sole + .05), fill=pal.accent, outline=OUTLINE, width=3)
        d.polygon(F.pts([(0.03, sole - .004), (0.96, sole - .004), (0.96, sole + .022), (0.03, sole + .022)]),
                  fill=pal.accent)
        if t.hype:
            ax, ay = anchor
            d.line(F.pts([(ax, ay), (ax + .05, ay - .05)]), fill=OUTLINE, width=5)
            tag = [(ax + .02, ay - .05), (ax + .1, ay - .04), (ax + .09, ay - .16), (ax + .01, ay - .17)]
            d.polygon(F.pts(tag), fill=pal.accent, outline=OUTLINE, width=4)
            d.ellipse(F.box(ax + .045, ay - .065, ax + .065, ay - .078), fill=OUTLINE)
    x, y = toe
    if t.mark == "Sample":
        d.rectangle(F.box(x - .075, y + .035, x + .075, y - .035), fill=(250, 250, 246), outline=SAMPLE_RED,
                    width=6)
        d.line(F.pts([(x - .06, y - .025), (x + .06, y + .025)]), fill=SAMPLE_RED, width=8)
    elif t.mark == "PE":
        cx, cy = F.p(x, y)
        r = F.r(.06)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=PE_NAVY, outline=PE_GOLD, width=5)
        d.polygon(regular((cx, cy), r * .75, 5, inner=r * .3), fill=PE_GOLD)
