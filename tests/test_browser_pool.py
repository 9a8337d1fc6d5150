"""Pooled browsers: reused across scrapes, a fresh context each, one per concurrent scrape, closed when idle."""

import threading
import time
from pathlib import Path

import pytest

from sneaker_core.browser import ensure_chromium
from sneaker_core.scrape import browser_pool
from sneaker_core.scrape.browser_pool import close_all, open_browsers, run_in_browser


@pytest.fixture()
def chromium():
    close_all()
    yield ensure_chromium(install=False)
    close_all()


def _contexts_and_pid(browser):
    """What a job sees: the contexts already open in its browser, and the browser's identity."""
    n = len(browser.contexts)
    context = browser.new_context()
    try:
        return n, id(browser), context.new_page().evaluate("1 + 1")
    finally:
        context.close()


def test_sequential_scrapes_reuse_one_browser_with_fresh_contexts(chromium):
    first = run_in_browser(chromium, _contexts_and_pid)
    second = run_in_browser(chromium, _contexts_and_pid)
    assert first == (0, first[1], 2) and second == (0, first[1], 2)  # same browser, no context left over
    assert open_browsers() == 1
    close_all()
    assert open_browsers() == 0


def test_concurrent_scrapes_get_a_browser_each(chromium):
    barrier = threading.Barrier(2)
    seen: list[int] = []

    def job(browser):
        barrier.wait(timeout=60)  # both jobs are running at once: they cannot share an owner thread
        seen.append(id(browser))
        return True

    threads = [threading.Thread(target=run_in_browser, args=(chromium, job)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(set(seen)) == 2 and open_browsers() == 2


def test_an_error_reaches_the_caller_and_the_browser_stays_usable(chromium):
    def boom(browser):
        raise ValueError("bad page")

    with pytest.raises(ValueError, match="bad page"):
        run_in_browser(chromium, boom)
    assert run_in_browser(chromium, _contexts_and_pid)[2] == 2
    assert open_browsers() == 1


def test_an_idle_browser_closes_itself(chromium, monkeypatch):
    monkeypatch.setattr(browser_pool, "IDLE_CLOSE_S", 0.5)
    run_in_browser(chromium, _contexts_and_pid)
    deadline = time.monotonic() + 20
    while open_browsers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_browsers() == 0
    assert run_in_browser(chromium, _contexts_and_pid)[2] == 2  # a new one starts on demand


def test_a_broken_executable_fails_the_job_instead_of_hanging(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(Exception, match="chromium|Browser|browser"):
        run_in_browser(Path(fake), _contexts_and_pid)
    close_all()
