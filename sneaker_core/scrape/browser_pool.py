"""Reusable headless browsers: each lives in its own thread, serves one scrape at a time, and closes when idle.

Starting Playwright and Chromium costs seconds, more than scrolling a 300-card search takes. A scrape borrows
an idle browser (or starts one), runs in a fresh context (one per model: no cookies or cache shared between
models), and gives the browser back. Playwright's sync API is bound to the thread that started it, so every
browser has an owner thread that runs the jobs; an owner with no job for `IDLE_CLOSE_S` closes its browser
and ends, and any left are closed at interpreter exit. Nothing of this crosses a task boundary: tasks pass
model keys and settings, never a browser.
"""

from __future__ import annotations

import atexit
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Browser, Playwright, sync_playwright

from sneaker_core.browser import LAUNCH_ARGS

T = TypeVar("T")
IDLE_CLOSE_S = 30.0
# The scraper needs image URLs, not pixels: images are not fetched (faster, and gentler on the CDN).
SCRAPE_ARGS = [*LAUNCH_ARGS, "--blink-settings=imagesEnabled=false"]

_lock = threading.Lock()
_idle: dict[Path, list[_Owner]] = {}
_all: set[_Owner] = set()


class _Owner:
    """One browser and the thread that owns it; runs submitted jobs one at a time."""

    def __init__(self, chromium: Path) -> None:
        self.chromium = chromium
        self.jobs: queue.Queue[tuple[Callable[[Browser], object], Future] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name=f"browser-{chromium.name}", daemon=True)
        self.thread.start()

    def _retire_if_idle(self) -> bool:
        """True when nobody holds this owner (it leaves the idle list); False if a job is on its way."""
        with _lock:
            idle = _idle.get(self.chromium, [])
            if self not in idle:
                return False
            idle.remove(self)
            _all.discard(self)
            return True

    def _loop(self) -> None:
        pw: Playwright | None = None
        browser: Browser | None = None
        try:
            while True:
                try:
                    job = self.jobs.get(timeout=IDLE_CLOSE_S)
                except queue.Empty:
                    if self._retire_if_idle():
                        break
                    continue
                if job is None:
                    break
                fn, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    pw = pw or sync_playwright().start()
                    if browser is None or not browser.is_connected():
                        browser = pw.chromium.launch(executable_path=str(self.chromium), headless=True,
                                                     args=SCRAPE_ARGS)
                    future.set_result(fn(browser))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
        finally:
            with _lock:
                _all.discard(self)
                if self in _idle.get(self.chromium, []):
                    _idle[self.chromium].remove(self)
            if browser is not None and browser.is_connected():
                browser.close()
            if pw is not None:
                pw.stop()


def run_in_browser(chromium: Path, fn: Callable[[Browser], T]) -> T:
    """Run `fn(browser)` on an idle browser for this Chromium (starting one if none is idle); return its result."""
    with _lock:
        idle = _idle.setdefault(chromium, [])
        owner = idle.pop() if idle else None
        if owner is None:
            owner = _Owner(chromium)
            _all.add(owner)
    future: Future = Future()
    owner.jobs.put((fn, future))
    try:
        return future.result()
    finally:
        with _lock:
            if owner in _all:
                _idle[chromium].append(owner)


def open_browsers() -> int:
    """How many browsers are running (started and not yet closed)."""
    with _lock:
        return len(_all)


def close_all(timeout_s: float = 10.0) -> None:
    """Close every idle browser now and wait for their threads (also done at interpreter exit)."""
    with _lock:
        owners = [o for idle in _idle.values() for o in idle]
        for idle in _idle.values():
            idle.clear()
    for owner in owners:
        owner.jobs.put(None)
    for owner in owners:
        owner.thread.join(timeout_s)


atexit.register(close_all)
