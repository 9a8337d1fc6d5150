"""Scrape outcomes that fail a model, each with a status the orchestration layer can act on."""

from __future__ import annotations


class ScrapeError(RuntimeError):
    """A model could not be scraped; `status` names why, `retriable` says whether trying again may help."""

    status = "failed"
    retriable = False

    def __init__(self, model: str, message: str) -> None:
        super().__init__(f"[{model}] {self.status}: {message}")
        self.model = model


class BlockedError(ScrapeError):
    """403, a captcha/challenge page, or an empty grid where results were expected. Not retried."""

    status = "blocked"


class RobotsDisallowedError(ScrapeError):
    """robots.txt forbids a path the scraper needs. Not retried."""

    status = "robots_disallowed"


class TransientScrapeError(ScrapeError):
    """Timeouts, 5xx, 429 or network errors that outlasted in-request retries: worth retrying later."""

    status = "transient"
    retriable = True
