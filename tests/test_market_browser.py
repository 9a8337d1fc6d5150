"""Headless Chromium on the demo market: infinite scroll loads every card, lazy images get their URLs."""

from __future__ import annotations

from sneaker_core.market import DemoMarket
from sneaker_core.market.page import PLACEHOLDER
from sneaker_core.registry import load_models


def test_scroll_to_end_loads_all_cards_and_images(headless_page):
    # JSON-endpoint and image errors force the page's retry path; the search page itself stays reliable.
    with DemoMarket(seed=2, n_products=400, faults="error_rate=0.25") as m:
        query = next(s.query for s in load_models() if 55 <= len(m.catalog.search(s.query)) <= 90)
        expected = [p.title for p in m.catalog.search(query)]
        with headless_page(1200, 800, 15_000) as page:
            page.goto(f"{m.url}/search?query={query}&web_groups=sneakers")
            cards = page.locator('[data-qa="grid_cell_product"]')
            assert cards.count() == 25
            assert page.locator('[data-qa="grid_cell_product_image"]').last.get_attribute("src") == PLACEHOLDER
            at_end = "() => innerHeight + scrollY >= document.body.scrollHeight - 2"
            for _ in range(80):  # scroll steadily, like a reader: every card passes through the viewport
                page.mouse.wheel(0, 600)
                page.wait_for_timeout(120)
                status = page.locator('[data-qa="search_status"]').inner_text()
                if status == "End of results" and page.evaluate(at_end):
                    break
            page.wait_for_timeout(200)
            names = page.locator('[data-qa="grid_cell_product_name"]').all_inner_texts()
            assert names == expected
            srcs = page.locator('[data-qa="grid_cell_product_image"]').evaluate_all(
                "els => els.map(e => e.getAttribute('src'))")
            assert all(s.startswith(f"{m.url}/images/") for s in srcs), srcs.count(PLACEHOLDER)
