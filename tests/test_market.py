"""The demo market: markup, pagination, ground truth, images, catalog generation and CSV catalogs."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from sneaker_core.market import DemoMarket, generate_catalog
from sneaker_core.market.catalog import true_model
from sneaker_core.market.catalog_csv import load_catalog_csv
from sneaker_core.market.page import PLACEHOLDER, format_price
from sneaker_core.registry import load_models

JSON_PATH = "/web-api/consumer-search/get-product-search-results"


class Cards(HTMLParser):
    """Collects grid cards: {'href', 'img_src', 'name', 'price', 'date', 'classes'} plus __NEXT_DATA__."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict] = []
        self.field: str | None = None
        self.script: str | None = None
        self.next_data = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        qa = a.get("data-qa")
        if qa == "grid_cell_product":
            self.cards.append({"classes": [a["class"]], "name": "", "price": "", "date": ""})
        elif tag == "a" and self.cards and "href" not in self.cards[-1]:
            self.cards[-1]["href"] = a["href"]
        elif qa == "grid_cell_product_image":
            self.cards[-1].update(img_src=a["src"], alt=a["alt"], data_attrs=[k for k in a if k.startswith("data-")])
            self.cards[-1]["classes"].append(a["class"])
        elif qa and qa.startswith("grid_cell_product_"):
            self.field = qa.removeprefix("grid_cell_product_").replace("release_", "")
            self.cards[-1]["classes"].append(a["class"])
        if tag == "script":
            self.script = a.get("id")

    def handle_endtag(self, tag: str) -> None:
        self.field = None if tag == "div" else self.field
        self.script = None if tag == "script" else self.script

    def handle_data(self, data: str) -> None:
        if self.field:
            self.cards[-1][self.field] += data
        if self.script == "__NEXT_DATA__":
            self.next_data += data


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=3, n_products=600) as m:
        yield m


@pytest.fixture(scope="module")
def client(market):
    with httpx.Client(base_url=market.url, timeout=20) as c:
        yield c


def all_pages(client: httpx.Client, query: str, limit: int) -> list[dict]:
    out, page = [], 1
    while True:
        body = client.get(JSON_PATH, params={"queryString": query, "pageLimit": limit, "pageNumber": page}).json()
        out += body["data"]["productsList"]
        if len(body["data"]["productsList"]) < min(limit, 100):
            return out
        page += 1


def test_search_page_cards_are_lazy_and_match_next_data(market, client):
    r = client.get("/search", params={"query": "Air Jordan 1", "web_groups": "sneakers"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    parser = Cards()
    parser.feed(r.text)
    data = json.loads(parser.next_data)["props"]["pageProps"]
    assert len(parser.cards) == 25 == len(data["productsList"])
    grid_markup = r.text[r.text.index('data-qa="search_grid"'): r.text.index('id="__NEXT_DATA__"')]
    assert "/images/" not in grid_markup and "data-src" not in grid_markup
    for card, p in zip(parser.cards, data["productsList"]):
        assert card["img_src"] == PLACEHOLDER
        assert card["data_attrs"] == ["data-qa"]
        assert card["name"] == card["alt"] == p["title"]
        assert card["href"] == f"/sneakers/{p['slug']}" and p["slug"].rsplit("-", 1)[1] == p["id"]
        assert card["price"] == format_price(p["lowestPriceCents"])
        assert card["date"] == p["releaseDate"][:4]
        assert all(re.search(r"-sc-[0-9a-f]{8}-\d$", c) for c in card["classes"])
    first = client.get(JSON_PATH, params={"queryString": "air jordan 1", "pageLimit": 25, "pageNumber": 1}).json()
    assert first["data"]["productsList"] == data["productsList"]


def test_price_format_and_escaping():
    assert format_price(150700) == "$1,507" and format_price(9600) == "$96" and format_price(None) == ""
    with DemoMarket(seed=0, n_products=60) as m:
        html = httpx.get(f"{m.url}/search", params={"query": "no such sneaker"}).text
    parser = Cards()
    parser.feed(html)
    assert parser.cards == [] and '<p data-qa="search_status">No results</p>' in html


def test_class_hashes_change_per_start():
    pages = []
    for _ in range(2):
        with DemoMarket(seed=0, n_products=60) as m:
            pages.append(httpx.get(f"{m.url}/search", params={"query": "dunk"}).text)
    hashes = [set(re.findall(r"GridCellProductInfo__Cell-sc-([0-9a-f]+)-1", p)) for p in pages]
    assert len(hashes[0]) == len(hashes[1]) == 1 and hashes[0] != hashes[1]


def test_pagination_returns_each_product_once_in_ground_truth_order(market, client):
    for spec in load_models():
        truth = client.get("/__catalog.json", params={"query": spec.query}).json()["ids"]
        got = [p["id"] for p in all_pages(client, spec.query, 25)]
        assert got == truth and len(set(got)) == len(got), spec.key
        assert len(got) > 0, spec.key
    big = client.get(JSON_PATH, params={"queryString": "air force", "pageLimit": 500, "pageNumber": 1}).json()
    assert big["data"]["pageLimit"] == 100 and len(big["data"]["productsList"]) == 100
    far = client.get(JSON_PATH, params={"queryString": "bapesta", "pageLimit": 25, "pageNumber": 99}).json()
    assert far["data"]["productsList"] == [] and far["data"]["totalResults"] > 0
    assert client.get(JSON_PATH, params={"queryString": "x", "pageNumber": "zero"}).status_code == 400


def test_ground_truth_matches_what_is_served(market, client):
    truth = client.get("/__catalog.json").json()
    assert truth["seed"] == 3 and truth["products"] == market.ground_truth()
    by_id = {p["id"]: p for p in truth["products"]}
    assert len(by_id) == 600
    models = {m.key: m for m in load_models()}
    for key, spec in models.items():
        for item in all_pages(client, spec.query, 100):
            t = by_id[item["id"]]
            assert key in t["queries"]
            assert (item["title"], item["slug"], item["lowestPriceCents"]) == (t["title"], t["slug"], t["price_cents"])
            assert item["pictureUrl"] == f"{market.url}/images/{t['image_id']}.png?action=crop&width=750"
    for t in truth["products"]:
        tm = true_model(t["title"], tuple(models.values()))
        assert (tm.key if tm else None) == t["model"], t["title"]
        assert t["brand"] == (models[t["model"]].brand if t["model"] else None)
    unpriced = sum(t["price_cents"] is None for t in truth["products"]) / 600
    relists = [t for t in truth["products"] if t["relisting_of"]]
    assert 0.14 < unpriced < 0.28 and len(relists) == 30
    assert all(by_id[t["relisting_of"]]["title"] == t["title"] for t in relists)


def test_catalog_generation_is_deterministic_and_complete():
    a, b = generate_catalog(7, 1500), generate_catalog(7, 1500)
    assert a.ground_truth() == b.ground_truth()
    assert generate_catalog(8, 1500).ground_truth() != a.ground_truth()
    assert len(a.products) == 1500
    assert {p.model for p in a.products} == {m.key for m in load_models()} | {None}
    assert any(p.category == "apparel" for p in a.products) and any(" x " in p.title for p in a.products)
    aj3 = [a.by_id[i] for i in a.searches["air-jordan-3"]]
    assert any(p.model is None for p in aj3) and any(p.model not in (None, "air-jordan-3") for p in aj3)
    assert len(generate_catalog(1, 17000).products) == 17000


def test_images_are_deterministic_rgba_and_relistings_share_bytes(market, client):
    truth = market.ground_truth()
    relist = next(t for t in truth if t["relisting_of"])
    orig = next(t for t in truth if t["id"] == relist["relisting_of"])
    other = next(t for t in truth if t["model"] and t["id"] not in (orig["id"], relist["id"]))
    get = lambda t: client.get(f"/images/{t['image_id']}.png")
    r1, r2 = get(orig), get(orig)
    assert r1.status_code == 200 and r1.headers["content-type"] == "image/png"
    assert r1.content == r2.content == get(relist).content != get(other).content
    with DemoMarket(seed=3, n_products=600) as m2:
        assert httpx.get(f"{m2.url}/images/{orig['image_id']}.png").content == r1.content
    img = Image.open(io.BytesIO(r1.content))
    assert img.size == (750, 750) and img.mode == "RGBA"
    for xy in ((0, 0), (749, 0), (0, 749), (749, 749)):
        assert img.getpixel(xy)[3] == 0
    assert img.getchannel("A").getbbox() is not None
    assert client.get("/images/nope.png").status_code == 404


def test_images_come_in_the_width_asked_for_like_the_cdn(market, client):
    image_id = market.ground_truth()[0]["image_id"]
    full = Image.open(io.BytesIO(client.get(f"/images/{image_id}.png?action=crop&width=750").content))
    small = client.get(f"/images/{image_id}.png", params={"action": "crop", "width": "128"})
    assert small.status_code == 200 and small.content == client.get(f"/images/{image_id}.png?width=128").content
    img = Image.open(io.BytesIO(small.content))
    assert img.size == (128, 128) and img.mode == "RGBA" and len(small.content) < len(client.get(
        f"/images/{image_id}.png").content)
    expected = np.asarray(full.resize((128, 128), Image.Resampling.LANCZOS), np.int16)
    assert np.abs(np.asarray(img, np.int16) - expected).max() == 0  # the same picture, resized
    assert Image.open(io.BytesIO(client.get(f"/images/{image_id}.png?width=1").content)).size == (16, 16)
    assert Image.open(io.BytesIO(client.get(f"/images/{image_id}.png?width=2000").content)).size == (750, 750)
    assert client.get(f"/images/{image_id}.png?width=big").status_code == 400


def test_concurrent_image_downloads(market):
    ids = [t["image_id"] for t in market.ground_truth()[:16]]
    with httpx.Client(base_url=market.url, timeout=30) as c, ThreadPoolExecutor(16) as pool:
        res = list(pool.map(lambda i: c.get(f"/images/{i}.png"), ids))
    assert [r.status_code for r in res] == [200] * 16
    assert all(r.content.startswith(b"\x89PNG") for r in res)


def test_robots_and_product_page(market, client):
    assert client.get("/robots.txt").text == "User-agent: *\nDisallow: /account\nDisallow: /checkout\n"
    t = market.ground_truth()[0]
    page = client.get(f"/sneakers/{t['slug']}")
    assert page.status_code == 200 and f'"id":"{t["id"]}"' in page.text
    assert client.get("/sneakers/nope-1").status_code == 404


def test_market_cli_prints_url_first():
    proc = subprocess.Popen([sys.executable, "-m", "sneaker_cli.main", "market", "--products", "50", "--seed", "1"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"Demo market on (http://127\.0\.0\.1:\d+)", line)
        assert m, line
        assert httpx.get(f"{m.group(1)}/robots.txt").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_csv_catalog(tmp_path: Path):
    csv_path = tmp_path / "cat.csv"
    csv_path.write_text(
        "title,image,price,search_model\n"
        "Air Jordan 3 Retro 'Black Cement',https://cdn.invalid/a.png,\"$1,507\",Air Jordan 3\n"
        "Jordan Zion 3 'Red',\"data:image/gif;base64,R0l,AAA\",$96,Air Jordan 3\n"
        "Air Jordan 3 Retro 'Black Cement',https://cdn.invalid/b.png,,Air Jordan 3\n"
        ",https://cdn.invalid/c.png,$5,Air Jordan 3\n"
        "BAPE Shark Tee 'Black',https://cdn.invalid/d.png,abc,Bapesta\n"
        "Samba OG 'White',https://cdn.invalid/e.png,$80,Not A Model\n",
        encoding="utf-8",
    )
    cat = load_catalog_csv(csv_path)
    assert cat.report == {"rows": 6, "skipped_empty_title": 1, "unpriced": 2, "bad_price": 1,
                          "unmatched_model": 2, "relistings": 1, "unknown_search_model": 1, "products": 5}
    aj3 = cat.search("Air  JORDAN 3")
    assert [p.price_cents for p in aj3] == [150700, 9600, None]
    assert [p.model for p in aj3] == ["air-jordan-3", None, "air-jordan-3"]
    assert aj3[2].relisting_of == aj3[0].id and aj3[2].render_key == aj3[0].render_key
    assert [p.category for p in cat.search("bapesta")] == ["apparel"]
    with DemoMarket(catalog_csv=csv_path) as m:
        urls = [p["pictureUrl"] for p in all_pages(httpx.Client(base_url=m.url), "air jordan 3", 25)]
        assert all(u.startswith(m.url + "/images/") for u in urls)
        assert httpx.get(urls[0]).content == httpx.get(urls[2]).content
