"""The demo market's clock: ISO weeks as integers, the Monday 06:00 UTC snapshot rule, and hashed draws.

Week n is the ISO week whose Monday is EPOCH_MONDAY + 7n days. The market shows week n from Monday 06:00 UTC of
that week (when the weekly snapshot is taken) until the next Monday 06:00 UTC. Every random quantity of the
market in time is a pure function of its parts (seed, product, week, ...), so any week can be recomputed
without replaying the weeks before it.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, date, datetime, time, timedelta
from statistics import NormalDist

EPOCH_MONDAY = date(1970, 1, 5)  # the first Monday of 1970
SNAPSHOT_TIME = time(6, 0)
MIN_YEAR, MAX_YEAR = 2000, 2099  # as-of dates outside this range are refused (the catalog's slots assume it)
_NORMAL = NormalDist()
_SCALE = 2.0**-64


def week_monday(week: int) -> date:
    return EPOCH_MONDAY + timedelta(weeks=week)


def week_of_date(d: date) -> int:
    """The ISO week (index) that contains date `d`."""
    return (d - EPOCH_MONDAY).days // 7


def week_label(week: int) -> str:
    """'2026-W49' (ISO year and week number)."""
    y, w, _ = week_monday(week).isocalendar()
    return f"{y}-W{w:02d}"


def week_at(moment: datetime | date | None = None) -> int:
    """The week the market shows at `moment` (default: now).

    A datetime (naive = UTC) before Monday 06:00 UTC still shows the previous week; a plain date means that
    date's ISO week (its Monday snapshot).
    """
    if moment is None:
        moment = datetime.now(UTC)
    if not isinstance(moment, datetime):
        week = week_of_date(moment)
    else:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        start = datetime.combine(EPOCH_MONDAY, SNAPSHOT_TIME)
        week = (moment - start) // timedelta(weeks=1)
    year = week_monday(week).year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"as-of {moment} is outside {MIN_YEAR}-{MAX_YEAR}; give a date in that range")
    return week


def parse_as_of(text: str | None) -> int:
    """Week of an as-of given as 'YYYY-MM-DD' or an ISO datetime ('2026-11-30T06:00Z'); None/'' = now."""
    if not text:
        return week_at()
    try:
        moment: date = datetime.fromisoformat(text) if "T" in text or " " in text.strip() else \
            date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as-of {text!r} is not a date; write YYYY-MM-DD or an ISO datetime") from None
    return week_at(moment)


def units(n: int, *parts: object) -> tuple[float, ...]:
    """`n` (at most 8) independent uniform draws in (0, 1) fixed by the parts (one hash for all of them)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8 * n).digest()
    return tuple((v + 0.5) * _SCALE for v in struct.unpack(f">{n}Q", digest))


def unit(*parts: object) -> float:
    """A uniform draw in (0, 1) fixed by its parts."""
    return units(1, *parts)[0]


def to_normal(u: float) -> float:
    """The standard-normal quantile of a uniform draw."""
    return _NORMAL.inv_cdf(u)


def normal(*parts: object) -> float:
    """A standard-normal draw fixed by its parts."""
    return to_normal(unit(*parts))
