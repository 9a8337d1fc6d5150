"""Seeded fault injection of the demo market: rates, repeatability, retries, headers and parse errors."""

from __future__ import annotations

import io
import time

import httpx
import pytest
from PIL import Image

from sneaker_core.market import DemoMarket, FaultSpec
from sneaker_core.market.faults import FaultInjector

JSON_PATH = "/web-api/consumer-search/get-product-search-results"


def urls(n: int) -> list[str]:
    return [f"{JSON_PATH}?queryString=dunk&pageLimit=25&pageNumber={k}" for k in range(1, n + 1)]


def test_error_rate_over_distinct_requests_matches_setting():
    with DemoMarket(seed=5, n_products=60, faults="error_rate=0.2") as m, httpx.Client(base_url=m.url) as c:
        codes = [c.get(u).status_code for u in urls(500)]
        assert set(codes) <= {200, 503}
        assert abs(codes.count(503) / 500 - 0.2) <= 0.06
        assert c.get("/search", params={"query": "dunk"}).status_code == 200  # the HTML page stays reliable
        assert c.get("/robots.txt").status_code == 200


def test_decisions_repeat_with_the_seed_and_retries_eventually_succeed():
    a = FaultInjector(FaultSpec(error_rate=0.5), seed=1)
    b = FaultInjector(FaultSpec(error_rate=0.5), seed=1)
    seq = [a.decide("json", u).action for u in urls(200)]
    assert seq == [b.decide("json", u).action for u in urls(200)]
    assert seq != [FaultInjector(FaultSpec(error_rate=0.5), seed=2).decide("json", u).action for u in urls(200)]
    url = urls(1)[0]
    tries = [a.decide("json", url).action for _ in range(40)]
    assert "ok" in tries and "error" in tries  # the n-th request of the same URL decides afresh
    inj = FaultInjector(FaultSpec(throttle_rate=0.05, truncate_rate=0.1), seed=0)
    acts = [inj.decide("image", f"/images/{i}.png").action for i in range(20000)]
    assert abs(acts.count("throttle") / 20000 - 0.05) < 0.01
    assert abs(acts.count("truncate") / 20000 - 0.1 * 0.95) < 0.01
    assert inj.counts["ok"] == acts.count("ok")


def test_throttle_has_retry_after_and_latency_is_added():
    with DemoMarket(seed=0, n_products=60, faults="throttle_rate=1,latency_ms=120") as m:
        t0 = time.perf_counter()
        r = httpx.get(m.url + urls(1)[0])
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        assert time.perf_counter() - t0 >= 0.12
        assert httpx.get(m.url + "/robots.txt").status_code == 200


def test_truncated_images_are_short_and_undecodable():
    with DemoMarket(seed=0, n_products=60, faults="truncate_rate=1") as m:
        t = next(p for p in m.ground_truth() if p["category"] == "sneakers")
        full = m.image_bytes(m.catalog.by_id[t["id"]])
        r = httpx.get(f"{m.url}/images/{t['image_id']}.png")
        assert r.status_code == 200 and 0 < len(r.content) < len(full) and full.startswith(r.content)
        with pytest.raises(OSError):
            Image.open(io.BytesIO(r.content)).load()


@pytest.mark.parametrize(("spec", "status"), [("challenge_rate=1", 200), ("forbidden_rate=1", 403)])
def test_bot_walls_replace_the_grid(spec: str, status: int):
    with DemoMarket(seed=0, n_products=60, faults=spec) as m:
        for path in ("/search?query=dunk&web_groups=sneakers", urls(1)[0]):
            r = httpx.get(m.url + path)
            assert r.status_code == status and "Press &amp; Hold to confirm you are a human" in r.text
            assert "grid_cell_product" not in r.text


def test_fault_spec_parse():
    assert FaultSpec.parse("error_rate=0.2, latency_ms=50") == FaultSpec(error_rate=0.2, latency_ms=50)
    assert FaultSpec.parse("") == FaultSpec() and FaultSpec.parse(None) == FaultSpec()
    with pytest.raises(ValueError, match=r"unknown fault 'eror_rate'; valid keys: error_rate, latency_ms"):
        FaultSpec.parse("eror_rate=0.2")
    with pytest.raises(ValueError, match=r"error_rate='lots' is not a number"):
        FaultSpec.parse("error_rate=lots")
    with pytest.raises(ValueError, match=r"lacks '=value'"):
        FaultSpec.parse("error_rate")
    with pytest.raises(ValueError, match=r"throttle_rate=1.5 is out of range"):
        FaultSpec.parse("throttle_rate=1.5")
    with pytest.raises(ValueError, match=r"latency_ms=-1 is negative"):
        FaultSpec(latency_ms=-1)


def test_query_blocks_wall_off_the_named_searches_only():
    spec = FaultSpec.parse("challenge_queries=Bapesta,forbidden_queries=yeezy 350| air jordan 1")
    assert spec.challenge_queries == ("bapesta",) and spec.forbidden_queries == ("yeezy 350", "air jordan 1")
    with DemoMarket(seed=0, n_products=120, faults=spec) as m:
        def get(path: str) -> httpx.Response:
            return httpx.get(m.url + path)

        json_path = "/web-api/consumer-search/get-product-search-results?pageLimit=25&pageNumber=1&queryString="
        for _ in range(3):  # every request, not a rate
            assert get(json_path + "bapesta").status_code == 200
            assert "Press &amp; Hold" in get(json_path + "bapesta").text
            assert get("/search?query=yeezy+350&web_groups=sneakers").status_code == 403
            assert get(json_path + "air+jordan+1").status_code == 403
        ok = get(json_path + "nike+dunk+low")
        assert ok.status_code == 200 and ok.json()["data"]["productsList"]
        image = ok.json()["data"]["productsList"][0]["pictureUrl"]
        assert httpx.get(image).status_code == 200
        assert m.faults.counts["challenge"] == 6 and m.faults.counts["forbidden"] == 6
