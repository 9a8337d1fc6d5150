"""Which past weeks a backfill runs, and the sources it may run against.

A backfill replays the weekly job's data stages for past ISO weeks, each at the moment the weekly schedule
would have run it (Monday 06:00 UTC), against the demo market served as it stood then. A live marketplace
only shows today's asks, so a backfill against one is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sneaker_core.settings import Settings

RUN_TIME = time(6, 0, tzinfo=UTC)  # the weekly schedule's Monday run
MAX_WEEKS = 520


class BackfillError(ValueError):
    """A backfill that cannot run; the message names the fix."""


def backfill_weeks(n: int, now: datetime) -> list[datetime]:
    """Monday 06:00 UTC of each of the `n` ISO weeks before the week of `now`, oldest first."""
    if not 1 <= n <= MAX_WEEKS:
        raise BackfillError(f"--weeks must be between 1 and {MAX_WEEKS}, not {n}")
    today = now.astimezone(UTC).date() if now.tzinfo else now.date()
    monday = today - timedelta(days=today.weekday())
    return [datetime.combine(monday - timedelta(weeks=k), RUN_TIME) for k in range(n, 0, -1)]


def check_source(settings: Settings) -> None:
    """Refuse a live marketplace: its past cannot be scraped."""
    if not settings.is_demo:
        raise BackfillError(
            f"backfill needs the demo market, not {settings.source!r}: a live marketplace shows only today's "
            "asks, so its past weeks cannot be scraped; use --source demo, or let the weekly run build the "
            "history week by week")
