"""Side-view sneaker drawing of a `styles.Style`: silhouette, sole, panels and emblem; the brand's abstract mark."""

from __future__ import annotations

import random
from itertools import pairwise

from PIL import Image, ImageChops, ImageDraw

from sneaker_core.market.palette import Palette, contrast, darker, visible
from sneaker_core.market.shoe_parts import Frame, band, brand_mark, emblem, hatch, smooth, speckles
from sneaker_core.market.styles import BRAND_MARK, Style
from sneaker_core.market.trait_marks import draw_marks, draw_material
from sneaker_core.market.traits import Traits

SIZE = 750
STRETCH = 1.6  # drawings are taller than life so that a square picture is mostly shoe


def _upper_outline(st: Style) -> list[tuple[float, float]]:
    s, c, t = st.sole, st.collar, st.toe
    if st.family == "clog":
        return smooth([(0.03, s), (0.0, s + .1), (0.04, c), (0.2, c - .02), (0.42, c + .05), (0.7, .27),
                       (0.93, .2), (1.0, s + .07), (0.97, s)])
    if st.family in ("runner", "knit"):
        pts = [(0.04, s), (0.0, s + .1), (0.03, c), (0.13, c - .04), (0.27, c + .03), (0.33, c + .06),
               (0.38, c + .03), (0.56, t + .14), (0.78, t + .09), (0.93, t + .03), (1.0, s + .05), (0.97, s)]
    else:
        pts = [(0.04, s), (0.0, s + .1), (0.02, c), (0.15, c - .03), (0.28, c + .05), (0.33, c + .08),
               (0.38, c + .04), (0.55, t + .15), (0.76, t + .1), (0.92, t + .04), (1.0, s + .05), (0.98, s)]
    return smooth(pts)


def lace_line(st: Style) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where the eyelets run: from the collar to the vamp."""
    return (0.31, st.collar + .03), (0.57, st.toe + .14)


def _sole(d: ImageDraw.ImageDraw, F: Frame, st: Style, pal: Palette, rng: random.Random) -> None:
    s, col = st.sole, pal.sole
    line = darker(col, 0.6)
    outline = [(-.01, .012), (0.02, 0), (0.88, 0), (0.98, .015), (1.03, s * .6), (1.02, s), (-0.01, s)]
    if st.family == "slide":
        outline = [(0.04, .01), (0.08, 0), (0.9, 0), (0.99, .02), (1.0, s), (0.03, s)]
    d.polygon(F.pts(smooth(outline, 4)), fill=col, outline=line)
    kind = st.sole_style
    if kind == "cup":
        d.line(F.pts([(0.0, s * .5), (1.02, s * .5)]), fill=line, width=3)
        for i in range(40):
            x = 0.02 + i * .025
            d.line(F.pts([(x, s * .78), (x + .012, s * .78)]), fill=line, width=2)
    elif kind in ("air", "icy"):
        fill = (150, 200, 230) if kind == "air" else (190, 220, 245)
        x1 = 0.3 if kind == "air" else 1.0
        d.rounded_rectangle(F.box(0.07, s * .8, x1, s * .25), radius=int(F.r(.01)), fill=fill, outline=line)
    elif kind == "shark":
        for i in range(5):
            x = 0.55 + i * .08
            d.polygon(F.pts([(x, s), (x + .04, s * .35), (x + .08, s)]), fill=darker(pal.overlay, .9))
    elif kind == "boost":
        for i in range(36):
            x = 0.03 + i * 0.027
            d.line(F.pts([(x, s * .15), (x + .01, s * .9)]), fill=darker(col, .85), width=3)
    elif kind in ("chunky", "segmented"):
        for k in range(2):
            y = s * (0.35 + 0.3 * k)
            wave = [(x / 10, y + 0.012 * ((x + k) % 2)) for x in range(11)]
            d.line(F.pts(smooth(wave, 3, closed=False)), fill=darker(col, .7), width=4)
        if kind == "segmented":
            for x in (0.18, 0.36, 0.5, 0.66, 0.82):
                d.line(F.pts([(x, s * .05), (x + .02, s * .95)]), fill=line, width=4)
    elif kind == "grooved":
        for i in range(1, 5):
            d.line(F.pts([(0.08, s * i / 5), (0.96, s * i / 5)]), fill=darker(col, .8), width=3)
    elif kind == "gum":
        d.line(F.pts([(0.0, s * .6), (1.02, s * .6)]), fill=darker(col, .75), width=3)


def _details(d: ImageDraw.ImageDraw, F: Frame, st: Style, pal: Palette, rng: random.Random) -> None:
    """Panels drawn on a layer that the caller clips to the upper."""
    s, c, ov, mk = st.sole, st.collar, pal.overlay, pal.mark
    P = F.pts
    for name in st.details:
        if name == "toecap":
            d.polygon(P(smooth([(0.72, s - .02), (0.71, .2), (0.86, .24), (1.1, .2), (1.1, -.02)], 4)), fill=ov)
        elif name == "heel":
            d.polygon(P(smooth([(-.05, -.02), (-.05, c * .75), (0.14, c * .62), (0.27, s - .02)], 4)), fill=ov)
        elif name == "eyestay":
            d.polygon(P(band(*lace_line(st), .08)), fill=ov)
        elif name == "mudguard":
            d.polygon(P([(-.1, -.1)] + [(x / 12, s + .07 + .02 * ((x % 3) - 1)) for x in range(-1, 14)]
                        + [(1.2, -.1)]), fill=ov)
        elif name == "patent":
            d.polygon(P([(-.1, -.1), (-.1, s + .15), (0.5, s + .12), (1.2, s + .16), (1.2, -.1)]), fill=ov)
            d.line(P([(0.08, s + .11), (0.45, s + .09)]), fill=(255, 255, 255), width=int(F.r(.008)))
        elif name == "collar_panel":
            d.polygon(P(smooth([(-.05, c + .02), (0.3, c + .1), (0.3, c - .1), (0.12, c - .16), (-.05, c - .12)],
                               4)), fill=ov)
        elif name == "collar_pad":
            d.polygon(P(band((0.0, c - .02), (0.2, c - .06), .05)), fill=darker(pal.base, .8))
        elif name == "ankle_strap":
            d.polygon(P(band((-.02, c - .1), (0.32, c - .02), .06)), fill=ov)
            d.rectangle(F.box(0.22, c - .02, 0.27, c - .07), fill=mk)
        elif name == "tstrap":
            d.polygon(P(band((0.55, .19), (0.98, .1), .045)), fill=ov)
            d.polygon(P(band((0.62, .22), (0.62, s - .02), .04)), fill=ov)
        elif name == "perf3":
            for row in range(3):
                for i in range(7):
                    x, y = 0.38 + row * .06 + i * .012, s + .03 + i * .025
                    d.ellipse(F.box(x - .006, y + .006, x + .006, y - .006), fill=darker(pal.base, .6))
        elif name == "perf_toe":
            for i in range(6):
                for j in range(3):
                    x, y = 0.78 + i * .03, s + .03 + j * .03
                    d.ellipse(F.box(x - .005, y + .005, x + .005, y - .005), fill=darker(pal.base, .55))
        elif name == "lizard":
            for i in range(14):
                for j in range(9):
                    x, y = -.02 + i * .03 + (j % 2) * .015, s + j * .03
                    d.rectangle(F.box(x, y + .012, x + .022, y), outline=darker(ov, .8), width=2,
                                fill=ov if x < 0.3 else None)
        elif name == "elephant":
            d.polygon(P(smooth([(0.7, s - .02), (0.7, .19), (0.86, .22), (1.1, .2), (1.1, -.02)], 4)), fill=ov)
            d.polygon(P([(-.05, -.02), (-.05, c * .6), (0.2, s + .08), (0.25, -.02)]), fill=ov)
            speckles(d, F, rng, (0.0, s, 1.0, s + .1), 70, darker(ov, .35))
        elif name in ("net", "net5"):
            box = (0.28, s + .08, 0.5, .3) if name == "net" else (0.2, s + .05, 0.36, c - .02)
            d.rectangle(F.box(box[0], box[3], box[2], box[1]), fill=ov)
            hatch(d, F, box, .03, contrast(ov))
        elif name == "wings":
            for dx in (0.0, 0.09):
                d.polygon(P([(0.36 + dx, .27), (0.44 + dx, .3), (0.42 + dx, .23)]), fill=mk)
        elif name == "tongue_hi":
            d.polygon(P(band((0.27, c + .02), (0.36, c + .13), .06)), fill=(200, 205, 210))
        elif name == "spoiler":
            d.polygon(P([(-.05, c - .02), (-.05, c + .1), (0.08, c + .02)]), fill=ov)
        elif name == "rays":
            for i in range(6):
                d.polygon(P([(1.0, s), (0.48 + i * .08, .34), (0.54 + i * .08, .34)]), fill=ov)
        elif name == "heel_panel":
            d.polygon(P([(-.05, s), (-.05, c), (0.1, c - .03), (0.26, s + .06), (0.3, s)]), fill=ov)
        elif name == "vents":
            for i in range(4):
                d.line(P([(0.55 + i * .03, s + .05), (0.58 + i * .03, s + .13)]), fill=mk, width=5)
        elif name == "mesh":
            hatch(d, F, (0.25, s, 0.9, .35), .04, darker(pal.base, .85))
        elif name == "knit":
            for i in range(60):
                x = -.1 + i * .02
                d.line(P([(x, s), (x + .12, .4)]), fill=darker(pal.base, .88), width=2)
        elif name in ("foam_holes", "clog_holes"):
            for i in range(7 if name == "foam_holes" else 10):
                for j in range(2 if name == "foam_holes" else 3):
                    x, y = 0.2 + i * (.1 if name == "foam_holes" else .065), s + .05 + j * .06
                    r = (.035, .02) if name == "foam_holes" else (.012, .012)
                    d.ellipse(F.box(x - r[0], y + r[1], x + r[0], y - r[1]), fill=darker(pal.base, .45))


def _extras(d: ImageDraw.ImageDraw, F: Frame, st: Style, pal: Palette) -> None:
    """Unclipped parts: laces/eyelets, heel tabs and loops, slide straps."""
    s, c = st.sole, st.collar
    if st.family not in ("slide", "clog") and st.eyelets:
        (x0, y0), (x1, y1) = lace_line(st)
        holes = [(x0 + (x1 - x0) * i / (st.eyelets - 1), y0 + (y1 - y0) * i / (st.eyelets - 1))
                 for i in range(st.eyelets)]
        lace = darker(pal.base, .85) if sum(pal.base) > 300 else (235, 235, 230)
        for (xa, ya), (xb, yb) in pairwise(holes):
            d.line(F.pts([(xa - .01, ya + .012), (xb + .01, yb - .012)]), fill=lace, width=int(F.r(.008)))
        for x, y in holes:
            d.ellipse(F.box(x - .009, y + .009, x + .009, y - .009), fill=darker(pal.overlay, .5))
    if "heel_tab" in st.details:
        d.rectangle(F.box(0.0, c + .01, 0.05, c - .1), fill=pal.overlay)
    if "pull_tab" in st.details or "pull_loop" in st.details:
        d.arc(F.box(0.0, c + .07, 0.08, c - .05), 100, 260, fill=darker(pal.overlay, .7), width=int(F.r(.012)))
    if "slide_strap" in st.details:
        d.chord(F.box(0.3, s + .24, 0.85, s - .12), 180, 360, fill=pal.base, outline=darker(pal.base, .6))
        d.rectangle(F.box(0.3, s + .01, 0.85, s - .02), fill=pal.sole)
    if "clog_strap" in st.details:
        d.arc(F.box(-.04, c - .02, 0.26, s - .02), 90, 270, fill=pal.overlay, width=int(F.r(.03)))


def _frame(st: Style, rng: random.Random) -> Frame:
    """Shoe space to pixels: the drawing centred, about 80% of the width, with a little pose/scale jitter."""
    length = SIZE * 0.8 * rng.uniform(0.95, 1.03)
    top = max(st.collar, st.sole + .24) + .08
    shift = (rng.randint(-15, 15), rng.randint(-15, 15))
    return Frame(SIZE / 2, SIZE / 2 + top * length * STRETCH / 2, length, angle_deg=rng.uniform(-3, 3),
                 shift=shift, pivot=(SIZE / 2, SIZE / 2), stretch=STRETCH)


def _badge(d: ImageDraw.ImageDraw, F: Frame, st: Style, pal: Palette) -> None:
    """The model's emblem, large on a contrasting disc: on the quarter panel (a slide: on its strap)."""
    centre = (0.58, st.sole + .15) if st.family == "slide" else (0.21, (st.sole + st.collar - .03) / 2)
    r = F.r(.1)
    cx, cy = F.p(*centre)
    disc = contrast(pal.base)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=disc)
    emblem(d, (cx, cy), r * .72, st.emblem, visible(pal.mark, disc))


def draw_shoe(st: Style, pal: Palette, rng: random.Random, brand_name: str, traits: Traits) -> Image.Image:
    """The shoe on a transparent SIZE×SIZE canvas with small pose/scale jitter drawn from `rng`.

    The brand's side mark (BRAND_MARK) sits mid-side, the model's emblem badge on the quarter panel; the
    traits add their material texture, collaboration accents and Sample/PE patch (trait_marks).
    """
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    F = _frame(st, rng)
    mark = BRAND_MARK.get(brand_name.lower())
    mark_colour = visible(pal.mark, pal.base)
    if st.family != "slide":
        outline = F.pts(_upper_outline(st))
        mask = Image.new("L", img.size, 0)
        ImageDraw.Draw(mask).polygon(outline, fill=255)
        ImageDraw.Draw(img).polygon(outline, fill=pal.base)
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        ld = ImageDraw.Draw(layer)
        draw_material(ld, F, st.sole, max(st.collar, st.toe + .15) + .1, pal, traits)
        _details(ld, F, st, pal, rng)
        if mark:
            brand_mark(ld, F, mark, (0.38, st.sole + .03, 0.8, st.sole + .17), mark_colour)
        layer.putalpha(ImageChops.multiply(layer.getchannel("A"), mask))
        img.alpha_composite(layer)
        ImageDraw.Draw(img).line(outline + outline[:1], fill=darker(pal.base, .55), width=3)
    d = ImageDraw.Draw(img)
    _sole(d, F, st, pal, rng)
    _extras(d, F, st, pal)
    if mark and st.family == "slide":
        brand_mark(d, F, mark, (0.15, st.sole * .25, 0.75, st.sole * .8), visible(pal.mark, pal.sole))
    if st.emblem:
        _badge(d, F, st, pal)
    (x0, y0), _ = lace_line(st)
    toe = (0.15, st.sole * .5) if st.family == "slide" else (0.86, st.sole + .05)
    draw_marks(d, F, st.sole, (x0, max(y0, st.sole + .2)), pal, traits, toe)
    return img
