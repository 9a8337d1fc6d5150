"""Shared test setup: quiet, offline Prefect and small TensorFlow thread pools."""

import os

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_API_ENABLE_HTTP2", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture
def headless_page():
    """Open a page in headless Chromium (`find_chromium`, skipped when there is none):
    `with headless_page(width, height, timeout_ms) as page: ...`; the browser closes on exit."""
    from contextlib import contextmanager

    sync_api = pytest.importorskip("playwright.sync_api")
    from sneaker_core.browser import LAUNCH_ARGS, find_chromium

    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium available")

    @contextmanager
    def open_page(width: int, height: int, timeout_ms: int):
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(exe), args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(timeout_ms)
                yield page
            finally:
                browser.close()

    return open_page

pytest_plugins = ["checkout_guard"]  # `--checkout-guard` (make test): fail when tests change the checkout
