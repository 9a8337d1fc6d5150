"""Drawing primitives of the procedural sneaker: a shoe-space frame, smooth outlines, panels, marks, emblems."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from PIL import ImageDraw

Pt = tuple[float, float]


class Frame:
    """Shoe space (x: heel 0 → toe 1, y: up from the ground, in shoe lengths; drawn 1.25× taller) to pixels.

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


def emblem(d: ImageDraw.ImageDraw, F: Frame, kind: str, c: Pt, r: float, fill, line) -> None:
    """A model-specific geometric emblem centred at c (shoe units), radius r."""
    P = F.pts
    w = max(2, int(F.r(r) * 0.35))
    if kind == "circle":
        d.ellipse(F.box(c[0] - r, c[1] + r, c[0] + r, c[1] - r), fill=fill, outline=line, width=2)
    elif kind == "ring":
        d.ellipse(F.box(c[0] - r, c[1] + r, c[0] + r, c[1] - r), outline=fill, width=w)
    elif kind in ("triangle", "square", "pentagon", "hexagon", "octagon", "diamond"):
        k, rot = {"triangle": (3, 0), "square": (4, math.pi / 4), "pentagon": (5, 0), "hexagon": (6, 0),
                  "octagon": (8, math.pi / 8), "diamond": (4, 0)}[kind]
        d.polygon(P(regular(c, r, k, rot)), fill=fill, outline=line)
    elif kind in ("star", "star4"):
        d.polygon(P(regular(c, r, 5 if kind == "star" else 4, 0, inner=r * 0.45)), fill=fill, outline=line)
    elif kind in ("cross", "x"):
        rot = 0 if kind == "cross" else math.pi / 4
        for a in (rot, rot + math.pi / 2):
            e = (c[0] + r * math.cos(a), c[1] + r * math.sin(a))
            s = (c[0] - r * math.cos(a), c[1] - r * math.sin(a))
            d.line(P([s, e]), fill=fill, width=w)
    elif kind == "bolt":
        d.polygon(P([(c[0] - r * .2, c[1] + r), (c[0] + r * .6, c[1] + r), (c[0] + r * .1, c[1]),
                     (c[0] + r * .5, c[1]), (c[0] - r * .5, c[1] - r), (c[0] - r * .1, c[1] - r * .1),
                     (c[0] - r * .5, c[1] - r * .1)]), fill=fill, outline=line)
    elif kind == "dots3":
        for i in range(3):
            cc = (c[0] - r + i * r, c[1])
            d.ellipse(F.box(cc[0] - r * .3, cc[1] + r * .3, cc[0] + r * .3, cc[1] - r * .3), fill=fill)
    elif kind == "bars2":
        for dx in (-r * .45, r * .45):
            d.rectangle(F.box(c[0] + dx - r * .2, c[1] + r, c[0] + dx + r * .2, c[1] - r), fill=fill)
    elif kind == "chevron":
        d.line(P([(c[0] - r, c[1] - r * .5), (c[0], c[1] + r * .5), (c[0] + r, c[1] - r * .5)]), fill=fill, width=w)
    elif kind == "half":
        d.pieslice(F.box(c[0] - r, c[1] + r, c[0] + r, c[1] - r), 180, 360, fill=fill, outline=line)
    elif kind == "sun":
        d.ellipse(F.box(c[0] - r * .5, c[1] + r * .5, c[0] + r * .5, c[1] - r * .5), fill=fill)
        for i in range(8):
            a = math.pi * i / 4
            d.line(P([(c[0] + r * .65 * math.cos(a), c[1] + r * .65 * math.sin(a)),
                      (c[0] + r * math.cos(a), c[1] + r * math.sin(a))]), fill=fill, width=max(2, w // 2))
    else:
        raise ValueError(f"unknown emblem kind {kind!r}")


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
