"""Asking prices of the synthetic catalog: the model's level × its visible traits' multipliers × moderate noise.

The traits (collaboration, material, colourway class, age, Sample/PE) come from the title and are all drawn
in the picture; the model's level keeps its median at the real 2023 catalog's. The noise, and look-alikes
(a white/red general release beside a 'Chicago'), keep a real spread: a picture predicts its price well, not
exactly.
"""

from __future__ import annotations

import math
import random
import statistics
from functools import cache

from sneaker_core.market import titles as T
from sneaker_core.market.price_table import SEARCH_FACTS, SearchFacts
from sneaker_core.market.traits import log_multiplier, traits_of

NOISE_SIGMA = 0.25  # log-sd of what the picture does not show (condition, size run, the seller)
TRAIT_SIGMA = 0.4  # log-sd of the trait multipliers over decorated titles (0.36-0.45 where brands collaborate)
SCALE_RANGE = (0.5, 1.5)  # traits move a model's price at least half, at most 1.5× their nominal amount
CALIBRATION_TITLES = 500


def trait_scale(f: SearchFacts) -> float:
    """How strongly traits move a model's price: the part of its real spread the noise leaves, in TRAIT_SIGMAs."""
    spread = (math.log(f.q75) - math.log(f.q25)) / 1.349
    lo, hi = SCALE_RANGE
    return min(max(math.sqrt(max(spread**2 - NOISE_SIGMA**2, 0.0)) / TRAIT_SIGMA, lo), hi)


@cache
def level(key: str, brand: str) -> float:
    """A model's price level (dollars) that puts the median of its titles' prices at the real median.

    Calibrated on a fixed sample of the model's decorated titles (with noise): the same for every catalog.
    """
    f, rng = SEARCH_FACTS[key], random.Random(f"price-level:{key}")
    scale = trait_scale(f)
    stems = T.MODEL_STEMS[key]
    titles = [T.decorate(rng.choice(stems), rng, brand, T.COLLAB_RATE) for _ in range(CALIBRATION_TITLES)]
    logs = [scale * log_multiplier(traits_of(t)) + rng.gauss(0.0, NOISE_SIGMA) for t in titles]
    return f.median / math.exp(statistics.median(logs))


def trait_level(rng: random.Random, key: str, brand: str, title: str, factor: float = 1.0) -> float:
    """A title's price level in dollars when listed by model `key`'s search (`factor`: off-model goods ask less).

    The level × the week's price path (market.paths) is the week's lowest ask.
    """
    f = SEARCH_FACTS[key]
    log_price = (math.log(level(key, brand) * factor) + trait_scale(f) * log_multiplier(traits_of(title))
                 + rng.gauss(0.0, NOISE_SIGMA))
    return math.exp(log_price)
