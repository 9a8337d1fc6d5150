"""Visible, price-driving traits of a product, parsed from its title: the pricing and the drawing both use them.

A title such as `Travis Scott x Air Jordan 1 Retro High OG 'Patent Bred' 2013 Sample` names a collaboration
(hype tier or not), a material, a colourway class (a sought-after original or an everyday staple), a release
year and a Sample/PE mark. The synthetic catalog prices products by these traits and the renderer draws every
one of them, so the price is predictable from the picture to a useful degree, as on the real market.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

CURRENT_YEAR = 2023
# Collaborators whose pairs resell far above the others' (real 2023 catalog: Travis Scott, Off-White, ...).
HYPE_COLLABS = frozenset({
    "travis scott", "off-white", "union", "fragment", "supreme", "a ma maniere", "trophy room", "kaws",
    "jjjjound", "aime leon dore", "bad bunny", "salehe bembury",
})
# Material word (first in the quoted colourway) → price multiplier; drawn as a texture or sole finish.
MATERIALS: dict[str, float] = {"canvas": 0.75, "patent": 1.3, "glow": 1.45, "snakeskin": 1.7}
# Colourway nicknames → class: originals ("grail") ask more, everyday staples less.
COLOUR_CLASSES: dict[str, str] = {
    **dict.fromkeys(("chicago", "bred", "concord", "infrared", "fire red", "cement", "university blue", "royal"),
                    "grail"),
    **dict.fromkeys(("triple white", "triple black", "panda", "sail", "bone"), "staple"),
}
MULTIPLIERS: dict[str, float] = {"collab": 1.9, "hype": 3.2, "Sample": 2.8, "PE": 2.2, "grail": 1.35,
                                 "staple": 0.8}
AGE_LOG_PER_YEAR = 0.045  # an older release's deadstock pairs ask ~4.6% more per year of age

_QUOTED_RE = re.compile(r"'(?!\d\d\b)([^']+)'")  # not from a year mark such as Air Force 1 '07
_YEAR_RE = re.compile(r" ((?:19|20)\d\d)$")
_MARK_RE = re.compile(r"(?<![\w-])(Sample|PE)(?![\w-])")
_WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Traits:
    """What a title says about a product's looks and price (None: the trait is absent)."""

    collab: str | None
    hype: bool
    material: str | None
    colour: str | None  # grail | staple
    year: int | None
    mark: str | None  # Sample | PE

    @property
    def age(self) -> int:
        """Years since release (0 without a year)."""
        return max(0, CURRENT_YEAR - self.year) if self.year else 0


def colourway_match(title: str) -> re.Match[str] | None:
    """The quoted colourway (group 1) of a title, skipping year marks: `Air Force 1 '07 'Bred'` → `Bred`."""
    return _QUOTED_RE.search(title)


def traits_of(title: str) -> Traits:
    """Parse the traits: collaborator before ' x ', material and nickname in the quotes, year and mark after."""
    collab = title.split(" x ", 1)[0].strip() if " x " in title else None
    m = colourway_match(title)
    body = (m.group(1) if m else "").lower()
    words = _WORD_RE.findall(body)
    material = next((w for w in words if w in MATERIALS), None)
    nickname = " ".join(w for w in words if w not in MATERIALS)
    outside = title[m.end():] if m else title
    year = _YEAR_RE.search(title)
    mark = _MARK_RE.search(outside)
    return Traits(collab=collab, hype=bool(collab) and collab.lower() in HYPE_COLLABS, material=material,
                  colour=COLOUR_CLASSES.get(nickname), year=int(year.group(1)) if year else None,
                  mark=mark.group(1) if mark else None)


def log_multiplier(t: Traits) -> float:
    """Log of the product of the traits' price multipliers (0 for a plain general release)."""
    out = AGE_LOG_PER_YEAR * t.age
    if t.collab:
        out += math.log(MULTIPLIERS["hype" if t.hype else "collab"])
    for key in (t.colour, t.mark):
        if key:
            out += math.log(MULTIPLIERS[key])
    if t.material:
        out += math.log(MATERIALS[t.material])
    return out
