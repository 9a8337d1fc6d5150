"""Product-title normalisation, colourway splitting, product-group keys and parsed title attributes.

Marketplace titles look like `Travis Scott x Air Jordan 4 Retro 'Cactus Jack' 2018 Sample`: an optional
collaborator before " x ", the product name, a colourway in single quotes, then suffixes (year, Sample,
PE, Special Box). Apostrophes also appear as year marks (`Air Force 1 '07`) and inside words (`L'oeil`).
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
})
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_JUNK = re.compile(r"[^\w\s'\"&/#+.,:;!?()@%*$-]")  # emoji, symbols; keeps words, digits, title punctuation
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_DOUBLE_QUOTED = re.compile(r'"([^"]+)"')
_YEAR_MARK = re.compile(r"^'\d\d(?![\w'])")  # '07, '84, '90 — a year mark, not an opening quote
_SUFFIX_WORDS = re.compile(
    r"\b(?:sample|pe|player exclusive|special box|special \w+ box|friends (?:&|and) family|f&f|"
    r"wmns|womens|women's|gs|ps|td|bg|bp|big kids?|little kids?|kids|toddler|infant|youth|"
    r"size \d+(?:\.\d)?|us \d+(?:\.\d)?)\b"
)

COLOUR_WORDS = frozenset(
    ["black", "white", "red", "blue", "green", "grey", "gray", "yellow", "orange", "purple", "pink", "brown", "tan", "beige", "cream", "sail", "bone", "navy", "royal", "gold", "silver", "bronze", "copper", "teal", "olive", "maroon", "burgundy", "volt", "infrared", "crimson", "cement", "khaki", "camo", "multi", "multicolor", "multi-color", "turquoise", "aqua", "mint", "lilac", "lavender", "violet", "indigo", "charcoal", "anthracite", "obsidian", "ivory", "chalk", "sand", "wheat", "bred", "concord", "carbon"]
)
_FLAGS = ("retro", "og", "sb", "sample", "pe", "low", "mid", "high")


def normalise_title(title: object) -> str:
    """Lowercase, HTML-unescaped, NFKC, straight quotes/dashes, no emoji, single spaces."""
    if title is None or (isinstance(title, float) and math.isnan(title)):
        return ""
    text = html.unescape(html.unescape(str(title)))
    text = unicodedata.normalize("NFKC", text.translate(_QUOTES)).translate(_QUOTES)
    text = _INVISIBLE.sub("", text)
    text = _JUNK.sub(" ", text)
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class TitleParts:
    """A normalised title cut into name (before the colourway), colourway and suffix (after it)."""

    name: str
    colourway: str | None
    suffix: str

    @property
    def outside(self) -> str:
        """The title without its colourway: where model names and apparel words count."""
        return f"{self.name} {self.suffix}".strip()

    @property
    def product(self) -> str:
        """The name without a collaborator prefix ("Travis Scott x Air Jordan 4" -> "air jordan 4")."""
        _, sep, tail = self.name.rpartition(" x ")
        return tail.strip() if sep and tail.strip() else self.name


def _is_opening(s: str, i: int) -> bool:
    return (i == 0 or s[i - 1] in " (/") and i + 1 < len(s) and s[i + 1] != " "


def _is_closing(s: str, i: int) -> bool:
    return i > 0 and s[i - 1] != " " and (i + 1 == len(s) or s[i + 1] in " ),;.")


def split_title(title: str, normalised: bool = False) -> TitleParts:
    """Find the colourway: the last quoted span; an unclosed quote runs to the end unless it is a year mark."""
    s = title if normalised else normalise_title(title)
    closings = [i for i, ch in enumerate(s) if ch == "'" and _is_closing(s, i)]
    openings = [i for i, ch in enumerate(s) if ch == "'" and _is_opening(s, i)]
    for close in reversed(closings):
        starts = [o for o in openings if o < close]
        if starts:
            o = starts[-1]
            return TitleParts(s[:o].strip(), s[o + 1:close].strip() or None, s[close + 1:].strip())
    real = [o for o in openings if not _YEAR_MARK.match(s[o:])]
    if real:
        o = real[-1]
        return TitleParts(s[:o].strip(), s[o + 1:].strip() or None, "")
    double = _DOUBLE_QUOTED.search(s)
    if double:
        return TitleParts(s[:double.start()].strip(), double.group(1).strip(), s[double.end():].strip())
    return TitleParts(s, None, "")


def group_key(title: str) -> str:
    """Product group: the title without year, Sample/PE, packaging and size/gender markers.

    Re-listings ("... 'Chicago' 2015" and "... 'Chicago' 1985") and samples share one group, so a
    leak-free split keeps them on the same side.
    """
    parts = split_title(title)
    outside = _SUFFIX_WORDS.sub(" ", _YEAR.sub(" ", f"{parts.name} | {parts.suffix}"))
    name, _, suffix = outside.partition("|")
    pieces = [" ".join(name.split())]
    if parts.colourway:
        pieces.append(f"'{_YEAR.sub(' ', parts.colourway).strip()}'")
    if suffix.strip():
        pieces.append(" ".join(suffix.split()))
    return " ".join(p for p in pieces if p).strip()


def title_attributes(title: str) -> dict:
    """Features a title carries: collaboration, flags, year, colourway and colour words."""
    parts = split_title(title)
    head, sep, tail = parts.name.rpartition(" x ")
    collab = bool(sep and head.strip() and tail.strip())
    words = set(re.findall(r"[a-z0-9]+", parts.outside))
    years = _YEAR.findall(parts.suffix) or _YEAR.findall(parts.name.rsplit(" ", 1)[-1])
    colour_source = parts.colourway if parts.colourway else parts.name
    colours = [w for w in re.findall(r"[a-z][a-z-]*", colour_source) if w in COLOUR_WORDS]
    attrs: dict = {
        "collaboration": collab,
        "collaborator": head.strip() if collab else None,
        "year": int(years[-1]) if years else None,
        "colourway": parts.colourway,
        "colours": colours,
    }
    for flag in _FLAGS:
        attrs[flag] = flag in words
    return attrs
