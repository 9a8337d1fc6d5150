"""Demo-catalog prices follow what the pictures show: the model's level × visible traits × moderate noise."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from PIL import Image, ImageChops

from sneaker_core.market import generate_catalog
from sneaker_core.market.gallery import _shown_trait, pick_products
from sneaker_core.market.palette import palette_for
from sneaker_core.market.price_table import SEARCH_FACTS
from sneaker_core.market.pricing import NOISE_SIGMA
from sneaker_core.market.render import RenderSpec, encode_png, render_image
from sneaker_core.market.traits import Traits, log_multiplier, traits_of


def _changed_pixels(a: Image.Image, b: Image.Image) -> int:
    """Pixels where some channel differs by more than 40."""
    return int((np.asarray(ImageChops.difference(a, b)).max(axis=2) > 40).sum())


@pytest.fixture(scope="module")
def catalog():
    return generate_catalog(1337, 2500)


def test_traits_parse_titles():
    t = traits_of("Travis Scott x Air Jordan 1 Retro High OG 'Patent Bred' 2013")
    assert t == Traits("Travis Scott", True, "patent", "grail", 2013, None) and t.age == 10
    t = traits_of("Concepts x Air Force 1 Low '07 'Canvas Triple White' Sample")
    assert t == Traits("Concepts", False, "canvas", "staple", None, "Sample")
    assert traits_of("Air Jordan 3 Retro PRM 'Black Cement' PE").mark == "PE"
    plain = traits_of("Air Force 1 Low '07 'White Black'")
    assert plain == Traits(None, False, None, None, None, None) and log_multiplier(plain) == 0
    assert log_multiplier(traits_of("Union x Dunk Low 'Snakeskin Chicago' Sample")) == pytest.approx(
        math.log(3.2 * 1.7 * 1.35 * 2.8))
    # a year mark is not the colourway: '07 titles get their colourway's colours
    assert palette_for("Air Force 1 Low '07 'Cherry'") == palette_for("Air Force 1 Low 'Cherry'")


def test_titles_carry_every_trait_at_plausible_rates(catalog):
    own = [traits_of(p.title) for p in catalog.products if p.model]
    n = len(own)
    assert 0.07 < sum(t.collab is not None for t in own) / n < 0.17
    assert 0.03 < sum(t.hype for t in own) / n < sum(t.collab is not None for t in own) / n
    materials = Counter(t.material for t in own)
    assert set(materials) == {None, "canvas", "patent", "snakeskin", "glow"} and 0.14 < 1 - materials[None] / n < 0.26
    assert {t.colour for t in own} == {None, "grail", "staple"} and {t.mark for t in own} == {None, "Sample", "PE"}
    assert 0.05 < sum(t.year is not None for t in own) / n < 0.14


def test_price_is_model_level_times_visible_traits_plus_moderate_noise(catalog):
    rows = [(p.model, traits_of(p.title), math.log(p.price_cents / 100)) for p in catalog.products
            if p.model and p.price_cents and p.relisting_of is None]
    by_model = defaultdict(list)
    for model, _, y in rows:
        by_model[model].append(y)
    for model, ys in by_model.items():  # per-model medians near the real catalog's
        if len(ys) >= 60:
            assert abs(math.exp(float(np.median(ys))) / SEARCH_FACTS[model].median - 1) < 0.2, model
    # least squares on model one-hots + the visible traits: most of the variance, but not all of it
    keys = sorted(by_model)
    X = np.array([[m == k for k in keys] + [log_multiplier(t)] for m, t, _ in rows], dtype=float)
    y = np.array([r[2] for r in rows])
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    r2 = 1 - resid.var() / y.var()
    assert 0.6 < r2 < 0.95 and 0.7 * NOISE_SIGMA < resid.std() < 2 * NOISE_SIGMA
    # the pricier traits raise prices within a model
    plain = [y for m, t, y in rows if m == "air-force-1" and log_multiplier(t) == 0]
    collab = [y for m, t, y in rows if m == "air-force-1" and t.collab]
    assert np.median(collab) - np.median(plain) > math.log(1.6)


def test_relistings_are_priced_like_their_originals(catalog):
    for p in catalog.products:
        if p.relisting_of:
            orig = catalog.by_id[p.relisting_of]
            assert p.price_cents is not None and p.render_key == orig.render_key
            if orig.price_cents:
                assert abs(math.log(p.price_cents / orig.price_cents)) < 6 * NOISE_SIGMA


@pytest.mark.parametrize("variant", [
    "Dunk Low 'Canvas Bred'", "Dunk Low 'Patent Bred'", "Dunk Low 'Snakeskin Bred'", "Dunk Low 'Glow Bred'",
    "Dunk Low 'Bred' 2011", "Concepts x Dunk Low 'Bred'", "Dunk Low 'Bred' Sample", "Dunk Low 'Bred' PE",
])
def test_every_price_trait_is_drawn(variant):
    def draw(title: str):
        return render_image(RenderSpec("same-pose", title, "dunk-low", "Nike", "sneakers")).convert("RGB")

    plain, shown = draw("Dunk Low 'Bred'"), draw(variant)
    assert encode_png(draw(variant)) == encode_png(shown)
    changed = _changed_pixels(plain, shown)
    small = ImageChops.difference(plain.resize((96, 96)), shown.resize((96, 96)))
    assert changed > 1500 and max(hi for _, hi in small.getextrema()) > 60, variant  # visible at 96 px too


def test_hype_collaborations_add_a_zip_tie():
    def draw(title: str):
        return render_image(RenderSpec("same-pose", title, "air-jordan-1", "Air Jordan", "sneakers")).convert("RGB")

    hype, regular = draw("Off-White x Air Jordan 1 Mid 'Chicago'"), draw("Concepts x Air Jordan 1 Mid 'Chicago'")
    plain = draw("Air Jordan 1 Mid 'Chicago'")
    assert _changed_pixels(hype, plain) > _changed_pixels(regular, plain) + 2000


def test_gallery_shows_every_model_and_trait(catalog):
    picks = pick_products(catalog.products, 30)
    models = {p.model for p in catalog.products if p.model}
    assert {p.model for p in picks[:len(models)]} == models
    shown = {_shown_trait(p) for p in picks}
    assert {"hype", "collab", "canvas", "patent", "snakeskin", "glow", "aged", "Sample", "PE"} <= shown
