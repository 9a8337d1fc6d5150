"""The drawn models' looks: silhouette, sole, panels and emblem per tracked model; generic looks per brand."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """What makes a model recognisable: silhouette, sole, panels (details) and a geometric emblem."""

    family: str  # low | high | runner | knit | slide | clog
    collar: float  # collar height at the heel (shoe lengths)
    sole: float  # sole thickness
    sole_style: str  # flat | cup | air | shark | boost | chunky | segmented | icy | gum
    details: tuple[str, ...]
    emblem: str
    eyelets: int = 6
    toe: float = 0.12


STYLES: dict[str, Style] = {
    "adidas-forum": Style("high", .40, .07, "cup", ("toecap", "heel", "ankle_strap", "perf_toe"), "triangle", 7),
    "adidas-samba": Style("low", .21, .05, "gum", ("tstrap", "heel"), "square", 6, .08),
    "adidas-stan-smith": Style("low", .24, .06, "cup", ("perf3", "heel_tab"), "circle", 6),
    "air-jordan-1": Style("high", .41, .06, "flat", ("toecap", "heel", "eyestay", "collar_panel"), "star4", 8),
    "air-jordan-2": Style("high", .38, .07, "cup", ("lizard",), "hourglass", 7),
    "air-jordan-3": Style("high", .33, .08, "air", ("elephant", "eyestay"), "ring", 6),
    "air-jordan-4": Style("high", .34, .08, "air", ("net", "wings", "heel"), "grid4", 6),
    "air-jordan-5": Style("high", .40, .09, "shark", ("net5", "tongue_hi"), "bolt", 7),
    "air-jordan-6": Style("high", .39, .08, "air", ("spoiler", "toecap"), "cross", 6),
    "air-jordan-11": Style("high", .38, .07, "icy", ("patent",), "star", 7),
    "air-jordan-12": Style("high", .35, .08, "flat", ("rays",), "sun", 7),
    "dunk-low": Style("low", .24, .06, "flat", ("toecap", "heel", "eyestay"), "dots3", 6),
    "dunk-high": Style("high", .46, .09, "cup", ("toecap", "heel", "eyestay", "collar_pad"), "bars2", 8),
    "air-force-1": Style("low", .25, .10, "cup", ("perf_toe", "heel_tab"), "target", 6),
    "air-max-1": Style("runner", .26, .08, "air", ("mudguard", "pull_tab"), "tri_down", 6),
    "air-max-90": Style("runner", .27, .09, "air", ("heel_panel", "vents"), "x", 6),
    "new-balance-550": Style("low", .27, .08, "cup", ("toecap", "heel"), "half", 6),
    "new-balance-2002r": Style("runner", .27, .10, "segmented", ("mesh", "heel"), "chevron", 6),
    "new-balance-990": Style("runner", .29, .11, "chunky", ("mudguard", "mesh"), "hexagon", 7),
    "yeezy-350": Style("knit", .25, .07, "boost", ("knit", "pull_loop"), "crescent", 5),
    "yeezy-700": Style("runner", .28, .11, "chunky", ("mudguard", "mesh", "pull_loop"), "arrow", 6),
    "yeezy-slides": Style("slide", .0, .11, "grooved", ("slide_strap",), "bars3h", 0),
    "yeezy-foam-runner": Style("clog", .26, .05, "flat", ("foam_holes",), "diamond", 0),
    "bapesta": Style("low", .25, .09, "cup", ("toecap", "heel"), "pentagon", 6),
    "crocs": Style("clog", .24, .05, "flat", ("clog_holes", "clog_strap"), "octagon", 0),
}
# Every brand's shoes carry its large side mark in the same place (marketplace brand names, lowercase).
BRAND_MARK = {"air jordan": "wing", "nike": "swoosh", "adidas": "stripes3", "new balance": "n", "yeezy": "stripe",
              "bapesta": "star_bolt", "bape": "star_bolt"}
# Untracked sneakers look like their marketplace brand's shoes but carry no model emblem.
GENERIC_BY_BRAND = {"Air Jordan": ("high", ("toecap",)), "Nike": ("runner", ()), "adidas": ("low", ()),
                    "BAPE": ("low", ("heel",)), "Yeezy": ("knit", ("knit",))}


def generic_style(brand_name: str, title: str, rng: random.Random) -> Style:
    """The look of an untracked sneaker: its brand's generic shoe (a slide for slides and mules), no emblem."""
    if "slide" in title.lower() or "mule" in title.lower():
        return Style("slide", 0, rng.uniform(.06, .09), "flat", ("slide_strap",), "", 0)
    family, details = GENERIC_BY_BRAND.get(brand_name, ("runner", ("mesh",)))
    return Style(family, rng.uniform(.24, .4), rng.uniform(.06, .1), rng.choice(("flat", "cup")), details, "", 6)
