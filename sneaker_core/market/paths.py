"""Weekly lowest-ask paths of the demo market: level × release path × restock shocks × wander × weekly noise.

A product's price at week w (deterministic in seed, product and week) is

    level · exp(release(t) + dip(t) + shocks(w) + wander(w) + noise(w)),   t = w − release week,

- level: the price its title's traits set (pricing.trait_level), the long-run plateau the path returns to;
- release(t): before release, a pre-release premium that shrinks as the day nears (1.1–1.5× a week before,
  more earlier); at release the hyped ask a little below their plateau (0.85–1.0×) and climb to it over half a
  year to a year, general releases ask above it (1.1–1.5×) and decay to it within weeks. A product is hyped
  when its level is HYPE_PREMIUM × retail or more, so a general release's plateau lies near or below retail;
- dip(t): the sell-off after release (12–24 %, most of it by week 3, fading over half a year);
- shocks: restocks (a sudden drop of 10–30 % recovering over 3–8 weeks), about one a year;
- wander: a slow random level (knots every BLOCK weeks, smoothly joined);
- noise: weekly, heavy-tailed (a mixture of two normals).
Some products are thin: unpriced in most weeks (nobody asks); any product may miss a week.

The sizes (NOISE_*, WANDER_SIGMA) are set so the weekly changes match the real StockX 2017–2018 history
(`bench/market_time.py` computes and prints both): there, of 1,740 week-over-week changes of 48 sneakers'
weekly median sale price, the median absolute log change is 0.039, the 90th percentile 0.153, and 42 % of
weeks move 5 % or more. The release shape follows the same history, within each sneaker relative to its
release week: Off-White pairs sold at 1.16× a week before release and 1.35× two to four weeks before,
0.86–0.90× in weeks 1–16 and 0.94–1.0× after half a year; Yeezys at 1.3–1.85× before, 0.87–0.93× after.
The real history holds hyped pairs only: the general releases' decay toward retail is this module's choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from sneaker_core.market.price_table import MAX_PRICE_DOLLARS, MIN_PRICE_DOLLARS
from sneaker_core.market.weeks import to_normal, units

HYPE_PREMIUM = 1.6  # level / retail from which a product counts as hyped (its price climbs after release)
PRE_TAU = 3.0  # weeks: how fast the pre-release premium fades toward the release week
DIP_RISE, DIP_FADE = 1.5, 24.0  # weeks: the post-release dip sets in and fades
BLOCK = 8  # weeks: one draw of restock and wander per block
SHOCK_RATE = 0.16  # at most one restock per block; a restock weighs until the next block ends
WANDER_SIGMA = 0.035  # the wander's knots sit at block starts
NOISE_SIGMA, NOISE_WIDE_SIGMA, NOISE_WIDE_SHARE = 0.024, 0.1, 0.28
THIN_UNPRICED, MISSED_WEEK = 0.85, 0.02  # a thin product's unpriced share of weeks; anyone's odd missed week


@dataclass(frozen=True)
class PricePath:
    """One product's listing window and price path; `key` (seed and product id) fixes every draw."""

    key: str
    level: float  # dollars
    retail: float | None  # dollars
    announce: int  # first week listed
    release: int
    leave: int  # first week no longer listed
    thin_rate: float = 0.0  # chance that the product is thin (mostly unpriced); 0 = always priced
    ends07: bool = False  # GOAT's asks ending in 07

    @cached_property
    def hyped(self) -> bool:
        return self.retail is not None and self.level >= HYPE_PREMIUM * self.retail

    @cached_property
    def _draws(self) -> tuple[float, ...]:
        return units(5, self.key, "shape")

    @cached_property
    def _shape(self) -> tuple[float, float, float, float]:
        """(log ask at release relative to the plateau, decay weeks, pre-release premium, dip depth)."""
        start, tau, pre, dip, _ = self._draws
        if self.hyped:
            start, tau = math.log(0.85 + 0.15 * start), 26 + 26 * tau
        else:
            start, tau = math.log(1.1 + 0.4 * start), 4 + 14 * tau
        return start, tau, 0.3 + 0.4 * pre, 0.12 + 0.12 * dip

    @cached_property
    def thin(self) -> bool:
        return self._draws[4] < self.thin_rate

    def listed(self, week: int) -> bool:
        return self.announce <= week < self.leave

    def release_log(self, week: int) -> float:
        """release(t) + dip(t): the deterministic part of the path."""
        start, tau, pre, dip = self._shape
        t = week - self.release
        if t < 0:
            return start + pre * (1 - math.exp(t / PRE_TAU))
        return start * math.exp(-t / tau) - dip * (1 - math.exp(-t / DIP_RISE)) * math.exp(-t / DIP_FADE)

    def shock_log(self, week: int) -> float:
        out = 0.0
        for block in (week // BLOCK - 1, week // BLOCK):
            hit, when, depth, recover, _ = _block_draws(self.key, block)
            at = block * BLOCK + int(when * BLOCK)
            if hit < SHOCK_RATE and self.release < at <= week:
                out += math.log(0.9 - 0.2 * depth) * math.exp(-(week - at) / (3 + 5 * recover))
        return out

    def wander_log(self, week: int) -> float:
        k, frac = divmod(week, BLOCK)
        a, b = (to_normal(_block_draws(self.key, i)[4]) for i in (k, k + 1))
        s = (1 - math.cos(math.pi * frac / BLOCK)) / 2
        return WANDER_SIGMA * (a + (b - a) * s)

    def noise_log(self, week: int) -> float:
        wide, z, _ = _week_draws(self.key, week)
        return (NOISE_WIDE_SIGMA if wide < NOISE_WIDE_SHARE else NOISE_SIGMA) * to_normal(z)

    def priced(self, week: int) -> bool:
        """Listed and someone asks: pre-release asks are always there; thin products mostly lack one."""
        if not self.listed(week):
            return False
        if week < self.release or self.thin_rate == 0:
            return True
        return _week_draws(self.key, week)[2] >= (THIN_UNPRICED if self.thin else MISSED_WEEK)

    def dollars(self, week: int) -> float | None:
        """The week's lowest ask in dollars (unrounded), None when not priced."""
        if not self.priced(week):
            return None
        log_m = self.release_log(week) + self.shock_log(week) + self.wander_log(week) + self.noise_log(week)
        return min(max(self.level * math.exp(log_m), MIN_PRICE_DOLLARS), MAX_PRICE_DOLLARS)

    def price_cents(self, week: int) -> int | None:
        """The week's lowest ask as served: whole dollars, ending in 07 where this product's asks do."""
        d = self.dollars(week)
        if d is None:
            return None
        whole = round(d)
        if self.ends07 and whole >= 20:
            whole = whole // 10 * 10 + 7
        return whole * 100


@lru_cache(maxsize=2**15)
def _block_draws(key: str, block: int) -> tuple[float, ...]:
    """(restock?, its week, depth, recovery, wander knot) draws of a product's BLOCK-week block."""
    return units(5, key, "block", block)


@lru_cache(maxsize=2**15)
def _week_draws(key: str, week: int) -> tuple[float, ...]:
    """(wide-noise?, noise, unpriced?) draws of a product's week."""
    return units(3, key, "week", week)
