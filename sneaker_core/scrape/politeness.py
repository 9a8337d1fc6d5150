"""Bounded concurrency per host: at most N scrapes talk to one marketplace at a time, in this process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_guard = threading.Lock()


@contextmanager
def host_slot(url: str, limit: int) -> Iterator[None]:
    """Hold one of `limit` slots for the URL's host (e.g. one browser per slot) for the duration."""
    key = (urlsplit(url).netloc, limit)
    with _guard:
        slot = _slots.setdefault(key, threading.BoundedSemaphore(limit))
    with slot:
        yield
