"""When the demo market's products come and go: each catalog slot lists one product at a time, for ever.

A slot (a place in a model's search: an own product, an off-model one, a re-listing, ...) holds generation g
from its announcement, LEAD weeks (0–8) before its release, until generation g+1 is announced; generation g is
released at phase + g × period (period 3–12 years, per slot). So every week the market lists exactly one
product per slot: releases spread over the past years, a few products are listed ahead of release with a
pre-release ask, about n_products / 390 new products are announced each week, and the products they replace
leave the market. Product ids are unique over (seed, slot, generation) and look like GOAT's numeric ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sneaker_core.market.weeks import unit, units

PERIOD_WEEKS = (156, 624)
MAX_LEAD_WEEKS = 8
MAX_SLOTS = 100_000
_ID_SPACE, _ID_BASE, _ID_MULT = 90_000_000, 10_000_000, 7_654_321  # a bijection of slot × generation onto 8 digits


@dataclass(frozen=True)
class Window:
    """A generation's weeks: listed from `announce` (inclusive) to `leave` (exclusive), released at `release`."""

    generation: int
    announce: int
    release: int
    leave: int


@lru_cache(maxsize=2**17)
def _cycle(seed: int, slot: int) -> tuple[int, int]:
    """(period, phase) of the slot, in weeks."""
    lo, hi = PERIOD_WEEKS
    u_period, u_phase = units(2, seed, slot, "cycle")
    period = lo + int(u_period * (hi - lo))
    return period, int(u_phase * period)


def _release(seed: int, slot: int, gen: int) -> int:
    period, phase = _cycle(seed, slot)
    return phase + gen * period


@lru_cache(maxsize=2**17)
def _announce(seed: int, slot: int, gen: int) -> int:
    return _release(seed, slot, gen) - int(unit(seed, slot, gen, "lead") * (MAX_LEAD_WEEKS + 1))


def window(seed: int, slot: int, gen: int) -> Window:
    return Window(gen, _announce(seed, slot, gen), _release(seed, slot, gen), _announce(seed, slot, gen + 1))


def generation_at(seed: int, slot: int, week: int) -> int:
    """The generation slot `slot` lists in `week`."""
    period, phase = _cycle(seed, slot)
    gen = (week - phase) // period
    if _announce(seed, slot, gen + 1) <= week:
        return gen + 1
    return gen - 1 if _announce(seed, slot, gen) > week else gen


def generations_between(seed: int, slot: int, first: int, last: int) -> list[int]:
    """Generations listed in any week of first..last (inclusive), oldest first."""
    return list(range(generation_at(seed, slot, first), generation_at(seed, slot, last) + 1))


def product_id(seed: int, slot: int, gen: int) -> str:
    if not 0 <= slot < MAX_SLOTS or not 0 <= gen < _ID_SPACE // MAX_SLOTS:
        raise ValueError(f"slot {slot} / generation {gen} out of the id space")
    return str(_ID_BASE + (_ID_MULT * (gen * MAX_SLOTS + slot) + _id_offset(seed)) % _ID_SPACE)


@lru_cache(maxsize=64)
def _id_offset(seed: int) -> int:
    return int(unit("ids", seed) * _ID_SPACE)
