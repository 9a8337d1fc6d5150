"""Rule-based labeller: the search a row came from, validated against its title.

A label is never taken from row positions. For each row:
1. an empty title cannot confirm anything: `off_model` (`unknown` without a search model);
2. apparel and accessories (tee, hoodie, socks, cap, skateboard, ...) named in the product part of the
   title (outside the colourway quotes and after any collaborator "A x") are `non_sneaker`;
3. tracked models are found by the models file's `patterns` on the title without its colourway (so
   'Black Croc' or 'Dunk From Above' in quotes names nothing);
4. the search model named -> `ok`; another tracked model named -> `relabelled` to it; none -> `off_model`.
   A slide or sandal of a sneaker model (Air Max 90 Slide, Jordan Hydro 5 Slide) is `off_model`: it is
   footwear but not the sneaker; the slide models themselves (Yeezy Slides, Crocs) are unaffected.
Brand always comes from the model via the registry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sneaker_core.registry import ModelSpec, load_models
from sneaker_core.titles import TitleParts, normalise_title, split_title

OK = "ok"
RELABELLED = "relabelled"
OFF_MODEL = "off_model"
NON_SNEAKER = "non_sneaker"
UNKNOWN = "unknown"  # no search model given and the title names no tracked model
STATUSES = (OK, RELABELLED, OFF_MODEL, NON_SNEAKER, UNKNOWN)
KEEP_STATUSES = (OK, RELABELLED)  # rows whose model label is trustworthy

_APPAREL = re.compile(
    r"\b(?:t-?shirts?|tees?|shirts?|long-sleeve|short-sleeve|hoodies?|hoody|sweatshirts?|crewnecks?|"
    r"pullovers?|cardigans?|sweaters?|jackets?|coats?|parkas?|anoraks?|windbreakers?|vests?|jerseys?|"
    r"shorts|pants?|sweatpants?|joggers?|trousers|leggings|jeans|skirts?|"
    r"socks|caps?|hats?|beanies?|snapbacks?|9fifty|59fifty|headbands?|wristbands?|bandanas?|scarf|"
    r"gloves|masks?|balaclava|backpacks?|bags?|totes?|duffle|wallets?|pouch|keychains?|key chain|"
    r"lanyards?|skateboards?|decks?|iphone|airpods|phone case|posters?|stickers?|figures?|figurines?|"
    r"plush|umbrella|towels?|blankets?|pillows?|mugs?|shoelaces|laces|insoles|shoe cleaner|shoe trees?)\b"
)
_SLIDE = re.compile(r"\b(?:slides?|sandals?|slippers?|flip[- ]flops?|hydro)\b")


@dataclass(frozen=True)
class Label:
    """A row's validated label; `model` and `brand` are None unless status is ok or relabelled."""

    model: str | None
    brand: str | None
    status: str
    reason: str


def resolve_search_model(search_model: str | None, models: Sequence[ModelSpec]) -> ModelSpec | None:
    """The ModelSpec a search key, display name or query refers to; ValueError naming the known keys if none."""
    if search_model is None or (isinstance(search_model, float) and math.isnan(search_model)):
        return None
    wanted = str(search_model).strip().lower()
    if not wanted:
        return None
    for m in models:
        if wanted in (m.key, m.name.lower(), m.query.lower()):
            return m
    known = ", ".join(m.key for m in models)
    raise ValueError(f"unknown search model {search_model!r}; known keys: {known}")


def named_models(parts: TitleParts, models: Sequence[ModelSpec]) -> list[ModelSpec]:
    """Tracked models the title names outside its colourway, in order of first mention."""
    text = parts.outside
    found: list[tuple[int, int, ModelSpec]] = []
    for i, m in enumerate(models):
        starts = [hit.start() for p in m.patterns if (hit := p.search(text))]
        if starts:
            found.append((min(starts), i, m))
    return [m for _, _, m in sorted(found, key=lambda t: (t[0], t[1]))]


def is_slide_model(model: ModelSpec) -> bool:
    """Models that are themselves slides/sandals/clogs (Yeezy Slides, Crocs), judged by name and patterns."""
    return bool(_SLIDE.search(model.name.lower())) or any(_SLIDE.search(p.pattern) for p in model.patterns)


def label_title(title: str | None, search_model: str | None, models: Sequence[ModelSpec] | None = None,
                ) -> Label:
    """Label one title from the search it came from; never raises for a bad title."""
    models = tuple(models) if models is not None else load_models()
    search = resolve_search_model(search_model, models)
    norm = normalise_title(title)
    if not norm:
        if search is None:
            return Label(None, None, UNKNOWN, "empty title and no search model")
        return Label(None, None, OFF_MODEL, f"empty title: cannot confirm {search.key}")
    parts = split_title(norm, normalised=True)
    apparel = _APPAREL.search(f"{parts.product} {parts.suffix}")
    if apparel:
        return Label(None, None, NON_SNEAKER, f"apparel/accessory: {apparel.group(0)!r}")
    named = named_models(parts, models)
    slide = _SLIDE.search(parts.product)
    if slide:
        named_slides = [m for m in named if is_slide_model(m)]
        if not named_slides:
            what = named[0].key if named else "an untracked model"
            return Label(None, None, OFF_MODEL, f"{slide.group(0)!r} of {what}, not a tracked sneaker")
        named = named_slides
    if not named:
        if search is None:
            return Label(None, None, UNKNOWN, f"no search model and {parts.product!r} names no tracked model")
        return Label(None, None, OFF_MODEL, f"{parts.product!r} names no tracked model (searched {search.key})")
    if search is not None and search in named:
        others = [m.key for m in named if m is not search]
        extra = f" (also names {', '.join(others)})" if others else ""
        return Label(search.key, search.brand, OK, f"title names {search.key}{extra}")
    first = named[0]
    if search is None:
        return Label(first.key, first.brand, OK, f"title names {first.key}; no search model given")
    return Label(first.key, first.brand, RELABELLED, f"title names {first.key}, not {search.key}")
