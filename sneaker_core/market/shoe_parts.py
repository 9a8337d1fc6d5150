"""Drawing primitives of the procedural sneaker: a shoe-space frame, smooth outlines, panels, marks, emblems."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from PIL import ImageDraw

Pt = tuple[float, float]


class Frame:
    """Shoe space (x: heel 0 → toe 1, y: up from the ground, in shoe lengths; drawn `stretch`× taller) to pixels.

    Pose jitter (a rotation about `pivot`, a shift) is applied to the points, so no image resampling is needed.
    """

    def __init__(self, cx: float, ground: float, length: float, angle_deg: float = 0.0,
                 shift: Pt = (0.0, 0.0), pivot: Pt = (375.0, 375.0), stretch: float = 1.25):
        self.cx, self.ground, self.L, self.H = cx + shift[0], ground + shift[1], length, length * stretch
        a = math.radians(angle_deg)
        self.cos, self.sin, self.pivot = math.cos(a), math.sin(a), pivot

    def p(self, x: float, y: float) -> Pt:
        px, py = self.cx + (x - 0.5) * self.L - self.pivot[0], self.ground - y * self.H - self.pivot[1]
        return (self.pivot[0] + px * self.cos + py * self.sin, self.pivot[1] - px * self.sin + py * self.cos)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        """A pixel bounding box (for ellipses and rectangles) around two shoe-space corners, ordered."""
        (ax, ay), (bx, by) = self.p(x0, y0), self.p(x1, y1)
        return [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)]

    def pts(self, pts: Sequence[Pt]) -> list[Pt]:
        return [self.p(x, y) for x, y in pts]

    def r(self, v: float) -> float:
        return v * self.L


def smooth(pts: Sequence[Pt], steps: int = 8, closed: bool = True) -> list[Pt]:
    """Catmull-Rom spline through the points."""
    n = len(pts)
    out: list[Pt] = []
    last = n if closed else n - 1
    for i in range(last):
        p0, p1 = pts[(i - 1) % n if closed else max(i - 1, 0)], pts[i]
        p2, p3 = pts[(i + 1) % n], pts[(i + 2) % n if closed else min(i + 2, n - 1)]
        for k in range(steps):
            t = k / steps
            t2, t3 = t * t, t * t * t
            out.append(tuple(  # type: ignore[arg-type]
                0.5 * (2 * p1[j] + (-p0[j] + p2[j]) * t + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                       + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3) for j in range(2)))
    if not closed:
        out.append(pts[-1])
    return out


def band(a: Pt, b: Pt, width: float) -> list[Pt]:
    """A quadrilateral of `width` (shoe units) along the segment a→b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1.0
    ox, oy = -dy / n * width / 2, dx / n * width / 2
    return [(a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy), (b[0] - ox, b[1] - oy), (a[0] - ox, a[1] - oy)]


def regular(c: Pt, r: float, k: int, rot: float = 0.0, inner: float | None = None) -> list[Pt]:
    """A regular polygon (or a star when `inner` is given) around c."""
    pts: list[Pt] = []
    m = 2 * k if inner else k
    for i in range(m):
        a = rot + math.pi * 2 * i / m - math.pi / 2
        rr = (inner if inner and i % 2 else r)
        pts.append((c[0] + rr * math.cos(a), c[1] - rr * math.sin(a)))
    return pts


EMBLEMS = ("circle", "ring", "target", "triangle", "tri_down", "square", "diamond", "pentagon", "hexagon",
           "octagon", "star", "star4", "cross", "x", "bolt", "dots3", "bars2", "bars3h", "chevron", "half", "sun",
           "crescent", "arrow", "hourglass", "grid4")
_POLYGONS = {"triangle": (3, 0.0), "tri_down": (3, math.pi), "square": (4, math.pi / 4), "diamond": (4, 0.0),
             "pentagon": (5, 0.0), "hexagon": (6, 0.0), "octagon": (8, math.pi / 8)}


def emblem(d: ImageDraw.ImageDraw, centre: Pt, radius: float, kind: str, fill) -> None:
    """A model's geometric emblem in pixels: centred at `centre`, about `radius` px, y pointing up in the shape.

    The kinds differ in structure (pieces, holes, orientation), not just corner count, so that each stays
    recognisable at the ~12 px a 96 px training image gives it.
    """
    cx, cy = centre

    def P(pts: Sequence[Pt]) -> list[Pt]:  # unit shape coordinates (y up) to pixels
        return [(cx + u * radius, cy - v * radius) for u, v in pts]

    def box(u0: float, v0: float, u1: float, v1: float) -> list[float]:
        (ax, ay), (bx, by) = P([(u0, v0), (u1, v1)])
        return [min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)]

    w = max(2, int(radius * 0.34))
    if kind == "circle":
        d.ellipse(box(-1, -1, 1, 1), fill=fill)
    elif kind in ("ring", "target"):
        d.ellipse(box(-1, -1, 1, 1), outline=fill, width=w)
        if kind == "target":
            d.ellipse(box(-.35, -.35, .35, .35), fill=fill)
    elif kind in _POLYGONS:
        k, rot = _POLYGONS[kind]
        d.polygon(P(regular((0, 0), 1.05, k, rot)), fill=fill)
    elif kind in ("star", "star4"):
        d.polygon(P(regular((0, 0), 1.1, 5 if kind == "star" else 4, 0, inner=.42)), fill=fill)
    elif kind in ("cross", "x"):
        h = .24
        arm = [(-1, -h), (1, -h), (1, h), (-1, h)]
        for a in ((0, math.pi / 2) if kind == "cross" else (math.pi / 4, -math.pi / 4)):
            ca, sa = math.cos(a), math.sin(a)
            d.polygon(P([(u * ca - v * sa, u * sa + v * ca) for u, v in arm]), fill=fill)
    elif kind == "bolt":
        d.polygon(P([(-.2, 1), (.6, 1), (.1, .1), (.6, .1), (-.5, -1), (-.15, -.15), (-.6, -.15)]), fill=fill)
    elif kind == "dots3":
        for u in (-.68, 0, .68):
            d.ellipse(box(u - .3, -.3, u + .3, .3), fill=fill)
    elif kind == "bars2":
        for u in (-.5, .5):
            d.rectangle(box(u - .24, -1, u + .24, 1), fill=fill)
    elif kind == "bars3h":
        for v in (-.7, 0, .7):
            d.rectangle(box(-1, v - .2, 1, v + .2), fill=fill)
    elif kind == "chevron":
        d.polygon(P([(-1, .7), (0, -.3), (1, .7), (1, .05), (0, -1), (-1, .05)]), fill=fill)
    elif kind == "half":
        d.pieslice(box(-1, -1, 1, 1), 180, 360, fill=fill)
        d.rectangle(box(-1, -.45, 1, -.15), fill=fill)
    elif kind == "sun":
        d.ellipse(box(-.45, -.45, .45, .45), fill=fill)
        for i in range(8):
            a = math.pi * i / 4
            d.line(P([(.62 * math.cos(a), .62 * math.sin(a)), (1.05 * math.cos(a), 1.05 * math.sin(a))]),
                   fill=fill, width=max(2, w // 2))
    elif kind == "crescent":
        d.polygon(P(smooth([(0, 1), (-.85, .55), (-.85, -.55), (0, -1), (-.35, -.5), (-.42, 0), (-.35, .5)], 6)),
                  fill=fill)
        d.ellipse(box(.25, -.3, .85, .3), fill=fill)
    elif kind == "arrow":
        d.polygon(P([(-1, .28), (.1, .28), (.1, .8), (1, 0), (.1, -.8), (.1, -.28), (-1, -.28)]), fill=fill)
    elif kind == "hourglass":
        d.polygon(P([(-.9, 1), (.9, 1), (0, 0)]), fill=fill)
        d.polygon(P([(-.9, -1), (.9, -1), (0, 0)]), fill=fill)
    elif kind == "grid4":
        for u in (-.5, .5):
            for v in (-.5, .5):
                d.rectangle(box(u - .36, v - .36, u + .36, v + .36), fill=fill)
    else:
        raise ValueError(f"unknown emblem kind {kind!r}")


BRAND_MARKS = ("swoosh", "stripes3", "n", "wing", "stripe", "star_bolt")


def brand_mark(d: ImageDraw.ImageDraw, F: Frame, kind: str, box: tuple[float, float, float, float], fill) -> None:
    """A brand's large abstract side mark filling `box` (x0, y0, x1, y1 in shoe units)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    P = F.pts
    if kind == "swoosh":
        top = smooth([(x0, y0 + .62 * h), (x0 + .3 * w, y0 + .22 * h), (x1, y1)], 6, closed=False)
        bottom = smooth([(x1, y1), (x0 + .32 * w, y0 - .05 * h), (x0 + .02 * w, y0 + .3 * h)], 6, closed=False)
        d.polygon(P(top + bottom), fill=fill)
    elif kind == "stripes3":
        for i in range(3):
            x = x0 + .04 * w + i * .3 * w
            d.polygon(P([(x, y0), (x + .16 * w, y0), (x + .3 * w, y1), (x + .14 * w, y1)]), fill=fill)
    elif kind == "n":
        d.line(P([(x0 + .22 * w, y0), (x0 + .22 * w, y1), (x1 - .22 * w, y0), (x1 - .22 * w, y1)]), fill=fill,
               width=int(F.r(.035)), joint="curve")
    elif kind == "wing":
        cy = (y0 + y1) / 2
        d.polygon(P([(x0, cy + .1 * h), (x0 + .55 * w, y1), (x1, cy + .25 * h), (x0 + .45 * w, y0)]), fill=fill)
    elif kind == "stripe":
        cy = (y0 + y1) / 2
        d.polygon(P(band((x0 - .25 * w, cy - .1 * h), (x1 + .1 * w, cy + .1 * h), .45 * h)), fill=fill)
    elif kind == "star_bolt":
        cy = (y0 + y1) / 2
        d.polygon(P([(x0, cy + .05 * h), (x1 - .3 * w, cy - .25 * h), (x1 - .25 * w, cy + .3 * h)]), fill=fill)
        star = regular((x1 - .22 * w, cy), .6 * h, 5, 0, inner=.25 * h)
        d.polygon(P([(x1 - .22 * w + (x - x1 + .22 * w) * F.H / F.L, y) for x, y in star]), fill=fill)
    else:
        raise ValueError(f"unknown brand mark {kind!r}")


def speckles(d: ImageDraw.ImageDraw, F: Frame, rng: random.Random, box: tuple[float, float, float, float],
             n: int, fill) -> None:
    """Elephant-print-like cracks: short dark polylines scattered over a box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    for _ in range(n):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        pts = [(x, y)]
        for _ in range(3):
            x, y = x + rng.uniform(-0.025, 0.025), y + rng.uniform(-0.02, 0.02)
            pts.append((x, y))
        d.line(F.pts(pts), fill=fill, width=max(2, int(F.r(0.004))))


def hatch(d: ImageDraw.ImageDraw, F: Frame, box: tuple[float, float, float, float], step: float, fill) -> None:
    """Cross-hatched mesh (a net panel) over a box, clipped later by the caller's mask."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    x = x0 - h
    while x < x1:
        d.line(F.pts([(x, y0), (x + h, y1)]), fill=fill, width=2)
        d.line(F.pts([(x + h, y0), (x, y1)]), fill=fill, width=2)
        x += step
