"""Browser mode: Playwright scrolls the search grid with event-driven waits and reads `data-qa` cards."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sneaker_core.registry import ModelSpec
from sneaker_core.scrape import site
from sneaker_core.scrape.browser_pool import run_in_browser
from sneaker_core.scrape.errors import BlockedError, TransientScrapeError
from sneaker_core.scrape.records import TIME_FIELDS, ScrapeStats

_READ_CARDS = """els => els.map(el => {
  const q = s => el.querySelector(`[data-qa="${s}"]`);
  const link = el.matches('a[href]') ? el : (el.querySelector('a[href]') || el.closest('a[href]'));
  let img = q('grid_cell_product_image');
  if (img && img.tagName !== 'IMG') img = img.querySelector('img');
  const name = q('grid_cell_product_name'), price = q('grid_cell_product_price');
  return {href: link ? link.getAttribute('href') : null, name: name ? name.textContent : null,
          price: price ? price.textContent : null, src: img ? img.getAttribute('src') : null};
})"""
_MORE_CARDS = "([sel, n]) => document.querySelectorAll(sel).length > n"
_IMAGE_LOADED = """el => { const i = el.querySelector('img');
  return !!i && !!i.getAttribute('src') && !i.getAttribute('src').startsWith('data:'); }"""


class _JsonTap:
    """Collects the search JSON responses the page fetches while scrolling: per slug the image URL and the raw
    time fields the cards do not show, and the end of results."""

    def __init__(self) -> None:
        self.responses: list[Response] = []
        self.parsed = 0
        self.images: dict[str, str] = {}
        self.time_fields: dict[str, dict[str, Any]] = {}
        self.exhausted = False

    def on_response(self, response: Response) -> None:
        if site.API_PATH in response.url:
            self.responses.append(response)

    def absorb(self, payload: Any) -> int:
        n = 0
        for p in site.iter_products(payload):
            fields, _ = site.product_fields(p)
            n += 1
            if fields is None:
                continue
            if fields["image_url"]:
                self.images[fields["slug"]] = fields["image_url"]
            self.time_fields[fields["slug"]] = {k: fields[k] for k in TIME_FIELDS}
        return n

    def drain(self, page_limit: int) -> None:
        """Parse responses that arrived since the last call; a short page means the results have ended."""
        for resp in self.responses[self.parsed :]:
            self.parsed += 1
            try:
                if resp.ok and self.absorb(resp.json()) < page_limit:
                    self.exhausted = True
            except (PlaywrightError, json.JSONDecodeError, UnicodeDecodeError):
                continue


def _open_search(page: Page, spec: ModelSpec, url: str) -> None:
    try:
        resp = page.goto(url, wait_until="domcontentloaded")
    except PlaywrightTimeout as exc:
        raise TransientScrapeError(spec.key, f"timed out loading {url}") from exc
    except PlaywrightError as exc:
        raise TransientScrapeError(spec.key, f"could not load {url}: {exc.message.splitlines()[0]}") from exc
    status = resp.status if resp else 0
    if status in (401, 403):
        raise BlockedError(spec.key, f"HTTP {status} at {url} (bot wall); try later or lower the rate")
    if status == 429 or status >= 500 or status == 0:
        raise TransientScrapeError(spec.key, f"HTTP {status} at {url}")
    if site.looks_like_challenge(page.content()):
        raise BlockedError(spec.key, f"challenge/captcha page at {url}")


def _scroll(page: Page, spec: ModelSpec, tap: _JsonTap, item_cap: int, stale_scrolls: int,
            wait_ms: float, delay_s: float, rng: random.Random, stats: ScrapeStats) -> None:
    """Scroll until the cap, the end of results, or `stale_scrolls` scrolls in a row that bring nothing new."""
    cards = page.locator(site.CARD)
    count, stale = cards.count(), 0
    while count < item_cap and stale < stale_scrolls and not tap.exhausted:
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        try:
            page.wait_for_function(_MORE_CARDS, arg=[site.CARD, count], timeout=wait_ms)
            stale = 0
        except PlaywrightTimeout:
            stale += 1
        count = cards.count()
        tap.drain(site.PAGE_LIMIT)
        stats.pages += 1
        if delay_s:
            time.sleep(rng.uniform(0.5, 1.5) * delay_s)
    stats.cap_reached = count >= item_cap


def _resolve_image(page: Page, index: int, wait_ms: float) -> str | None:
    """Scroll one card into view and wait for its lazy image to swap in; None if it never does."""
    card = page.locator(site.CARD).nth(index)
    try:
        card.scroll_into_view_if_needed()
        page.wait_for_function(_IMAGE_LOADED, arg=card.element_handle(), timeout=wait_ms)
        src = card.locator("img").first.get_attribute("src")
    except PlaywrightTimeout:
        return None
    return src if src and not src.startswith(site.PLACEHOLDER_PREFIX) else None


def scrape_browser(
    spec: ModelSpec, base: str, chromium: Path, user_agent: str, timeout_s: float, item_cap: int,
    stale_scrolls: int, scroll_wait_s: float, delay_s: float, stats: ScrapeStats, rng: random.Random,
) -> list[dict[str, Any]]:
    """Raw items (product_id, title, image_url, price_raw, position, page_url and the raw time fields of the
    intercepted JSON) in grid order, up to the cap.

    Runs in a fresh context of a pooled browser (see browser_pool): one context per model.
    """
    def in_context(browser: Browser) -> list[dict[str, Any]]:
        context = browser.new_context(user_agent=user_agent, viewport={"width": 1280, "height": 1000})
        try:
            context.set_default_timeout(timeout_s * 1000)
            context.set_default_navigation_timeout(timeout_s * 1000)
            return _scrape_page(context.new_page(), spec, base, timeout_s, item_cap, stale_scrolls,
                                scroll_wait_s, delay_s, stats, rng)
        finally:
            context.close()

    return run_in_browser(chromium, in_context)


def _scrape_page(page: Page, spec: ModelSpec, base: str, timeout_s: float, item_cap: int, stale_scrolls: int,
                 scroll_wait_s: float, delay_s: float, stats: ScrapeStats,
                 rng: random.Random) -> list[dict[str, Any]]:
    """Open the model's search, scroll it to the end (or the cap) and read the cards."""
    url = site.search_url(base, spec.query)
    tap = _JsonTap()
    page.on("response", tap.on_response)
    _open_search(page, spec, url)
    try:
        page.locator(site.CARD).first.wait_for(state="attached", timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        raise BlockedError(spec.key, f"no product cards at {url} where results were expected") from None
    next_data = page.locator("script#__NEXT_DATA__")
    if next_data.count():
        try:
            tap.absorb(json.loads(next_data.first.text_content() or "null"))
        except json.JSONDecodeError:
            stats.skip("bad_next_data")
    _scroll(page, spec, tap, item_cap, stale_scrolls, scroll_wait_s * 1000, delay_s, rng, stats)
    tap.drain(site.PAGE_LIMIT)
    items: list[dict[str, Any]] = []
    for i, card in enumerate(page.locator(site.CARD).evaluate_all(_READ_CARDS)[:item_cap]):
        slug = site.slug_from_href(card["href"] or "")
        title = " ".join((card["name"] or "").split())
        if not slug or not title:
            stats.skip("missing_slug" if not slug else "missing_title")
            continue
        src = card["src"] if card["src"] and not card["src"].startswith(site.PLACEHOLDER_PREFIX) else None
        image = tap.images.get(slug) or src or _resolve_image(page, i, scroll_wait_s * 1000)
        price = (card["price"] or "").strip() or None
        items.append({"product_id": slug, "title": title, "image_url": image, "price_raw": price,
                      "position": i, "page_url": site.product_url(base, slug), **tap.time_fields.get(slug, {})})
    return items
