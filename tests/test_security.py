"""Security: loopback servers, no committed credentials, no file name built from a title or URL, robots.txt.

robots.txt is honoured by every scrape: see `test_robots_disallow_fails_the_model_clearly` in
tests/test_scrape.py (both modes refuse a disallowed path and name it); it is not repeated here. Compose
secrets coming from the environment are checked in tests/test_ops_compose.py.
"""

from __future__ import annotations

import inspect
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
import yaml
from test_images_pipeline import ImageServer, fast_settings, png, write_snapshot

from sneaker_core.images.pipeline import process_model_images
from sneaker_core.images.store import ImageStore
from sneaker_core.market import DemoMarket
from sneaker_core.registry import load_models
from sneaker_core.scrape.snapshot import snapshot_path
from sneaker_core.shards.writer import write_model_shards

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ["../../etc/passwd", "a/b", "..", "/etc/shadow", "x\x00y", "C:\\Windows\\system32", "~root/.ssh"]


def test_demo_market_binds_loopback_by_default():
    assert inspect.signature(DemoMarket).parameters["host"].default == "127.0.0.1"
    with DemoMarket(n_products=10) as m:
        assert m._server.server_address[0] == "127.0.0.1"
        assert m.url.startswith("http://127.0.0.1:")


def test_the_market_command_defaults_to_loopback():
    from sneaker_cli.market import market

    assert inspect.signature(market).parameters["host"].default == "127.0.0.1"


def _project_files() -> list[Path]:
    """Tracked files plus untracked ones git does not ignore (what the next commit may hold)."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [ROOT / line for line in out.splitlines() if (ROOT / line).is_file()]


_BIND_ANY = re.compile(r"""(host\s*[=:]\s*|default\s*=\s*|["']--host["']\s*,\s*)["']0\.0\.0\.0["']""")


def test_no_python_code_binds_all_interfaces():
    """0.0.0.0 only inside containers (docker-compose.yml, whose ports publish on loopback)."""
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in _project_files() if p.suffix == ".py"
            for i, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
            if _BIND_ANY.search(line)]
    assert hits == []


_SECRET = re.compile(
    r"(?i)(?:password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|private[_-]?key)[\"']?"
    r"[ \t]*[:=][ \t]*(?P<quote>[\"']?)(?P<value>[^\s\"'$,)]{6,})"
    r"|(?P<key>-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}"
    r"|xox[abp]-[\w-]{10,})"
)


def _secrets(text: str, in_tests: bool, python: bool = False) -> list[str]:
    """Literal credentials in `text`; in Python only quoted values count (`password=pg.password` is code),
    and in tests values saying test/fake/dummy/example are fixtures."""
    found = []
    for m in _SECRET.finditer(text):
        value = m.group("value") or ""
        literal = bool(value) and (m.group("quote") or not python)
        fixture = in_tests and re.search(r"test|fake|dummy|example", value, re.IGNORECASE)
        if m.group("key") or (literal and not fixture):
            found.append(m.group(0))
    return found


def test_no_credentials_in_the_repository():
    hits = {}
    for p in _project_files():
        if p.suffix in (".png", ".jpg", ".gif", ".webp", ".parquet", ".tfrecord") or p == Path(__file__):
            continue
        rel = p.relative_to(ROOT).as_posix()
        text = p.read_text(encoding="utf-8", errors="replace")
        found = _secrets(text, rel.startswith("tests/"), p.suffix == ".py")
        if found:
            hits[rel] = found
    assert hits == {}
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^POSTGRES_PASSWORD=$", example, re.MULTILINE)  # empty: filled in the user's own .env


def test_secret_scanner_catches_what_it_should():
    assert _secrets('POSTGRES_PASSWORD="hunter2hunter2"', in_tests=False)
    assert _secrets("api_key: sk-live-123456", in_tests=False)
    assert _secrets("-----BEGIN RSA PRIVATE KEY-----", in_tests=True)
    assert not _secrets("POSTGRES_PASSWORD=\n", in_tests=False)
    assert not _secrets("password: ${POSTGRES_PASSWORD:?set it}", in_tests=False)
    assert not _secrets('POSTGRES_PASSWORD=s3cret-for-test', in_tests=True)
    assert not _secrets("env = clean_env(PGPASSWORD=pg.password)", in_tests=False, python=True)
    assert _secrets('connect(password="hunter2hunter2")', in_tests=False, python=True)


def test_model_keys_cannot_name_a_path(tmp_path):
    for key in HOSTILE:
        bad = tmp_path / "models.yaml"
        bad.write_text(yaml.safe_dump({"models": [{"key": key, "name": "x", "brand": "y", "query": "z",
                                                   "patterns": ["x"]}]}))
        with pytest.raises(ValueError, match="use lowercase letters, digits and dashes"):
            load_models(bad)
    assert all(re.fullmatch(r"[a-z0-9-]+", m.key) for m in load_models())
    assert snapshot_path(tmp_path, "2026-W48", "dunk-low") == tmp_path / "raw/2026-W48/dunk-low.parquet"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_image_store_names_files_by_hash_only(tmp_path, hostile):
    store = ImageStore(fast_settings(tmp_path))
    path = store.path(store.key(f"http://market.test/{hostile}"))
    assert path.parent.parent == store.root and re.fullmatch(r"[0-9a-f]{64}\.jpg", path.name)


def test_hostile_titles_urls_and_ids_never_reach_a_file_name(tmp_path):
    """Snapshot -> images -> shards with hostile product ids, titles and image URLs: every file the stages
    write lies under the data directory, named by model key, week, index or content hash."""
    srv = ImageServer()
    try:
        rows = [{"product_id": h, "title": f"Air Jordan 1 {h}",
                 "image_url": srv.add(f"/{i}.png?u={quote(h, safe='')}", (200, {}, png()))}
                for i, h in enumerate(HOSTILE)]
        settings = fast_settings(tmp_path, max_image_bytes=2**20)
        snap = write_snapshot(snapshot_path(settings.data_dir, "2026-W48", "air-jordan-1"), rows)
        summary = process_model_images(snap, settings)
        manifest = write_model_shards(snap, Path(summary["manifest_path"]), settings)
    finally:
        srv.close()
    ids = pd.read_parquet(summary["manifest_path"])["product_id"].tolist()
    assert summary["ok"] == len(rows) and ids == [r["product_id"] for r in rows]
    assert manifest["examples"] == 1 and manifest["excluded"] == {"duplicate_image": len(rows) - 1}
    data = settings.data_dir.resolve()
    allowed = re.compile(r"[0-9a-f]{2}|[0-9a-f]{64}\.(jpg|json)|\d{4}-W\d\d|raw|images|store|manifests|shards|"
                         r"manifest\.json|air-jordan-1(\.parquet|\.manifest\.json|\.json|"
                         r"-\d{5}-of-\d{5}\.tfrecord)?")
    for p in settings.data_dir.rglob("*"):
        assert p.resolve().is_relative_to(data)
        assert allowed.fullmatch(p.name), p.relative_to(settings.data_dir)


# --- CSV injection: every CSV the project writes defuses spreadsheet formulas in text cells (OWASP) ---------
FORMULAS = ['=HYPERLINK("http://evil.invalid","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_csv_writer_prefixes_formula_cells_and_leaves_numbers_alone(tmp_path):
    from sneaker_core.csv_files import read_csv_table, write_csv_table

    df = pd.DataFrame({"title": FORMULAS + ["-120", "Nike Dunk Low", ""],
                       "price_usd": [-5.5, 1.0, 2.0, -3.0, 4.0, 5.0, -120.0, 7.0, 8.0],
                       "count": [-1, 0, 1, 2, 3, 4, 5, 6, 7]})
    df["=cmd|x"] = "a"
    write_csv_table(df, tmp_path / "out.csv")
    back = read_csv_table(tmp_path / "out.csv")
    assert back["title"].tolist() == ["'" + f for f in FORMULAS] + ["-120", "Nike Dunk Low", ""]
    assert back["price_usd"].tolist() == ["-5.5", "1.0", "2.0", "-3.0", "4.0", "5.0", "-120.0", "7.0", "8.0"]
    assert back["count"].tolist()[:2] == ["-1", "0"] and list(back.columns)[-1] == "'=cmd|x"


def test_catalog_check_and_prediction_csvs_are_defused(tmp_path):
    from typer.testing import CliRunner

    from sneaker_cli.main import app
    from sneaker_core.stacking.predictions import write_csv

    catalog = tmp_path / "catalog.csv"
    pd.DataFrame({"title": FORMULAS[:3], "image": ["https://cdn.invalid/a.png"] * 3,
                  "price": ["$100"] * 3}).to_csv(catalog, index=False)
    result = CliRunner().invoke(app, ["catalog", "check", str(catalog), "--out", str(tmp_path / "labelled.csv")])
    assert result.exit_code == 0, result.output
    labelled = pd.read_csv(tmp_path / "labelled.csv", dtype=str, keep_default_na=False)
    assert labelled["title"].tolist() == ["'" + f for f in FORMULAS[:3]]
    assert labelled["price_usd"].tolist() == ["100.0"] * 3
    write_csv(pd.DataFrame({"product_id": ["1"], "title": [FORMULAS[0]], "p_x__a": [0.5]}), tmp_path / "pred.csv")
    assert pd.read_csv(tmp_path / "pred.csv")[["title", "p_x__a"]].values.tolist() == [["'" + FORMULAS[0], 0.5]]


# --- the demo server under abuse ------------------------------------------------------------------------------
def _handler_threads() -> int:
    import threading

    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_silent_connections_are_timed_out_and_free_their_threads():
    import socket
    import time

    import httpx

    with DemoMarket(n_products=10, request_timeout_s=0.5) as m:
        host, port = m._server.server_address[:2]
        socks = [socket.create_connection((host, port)) for _ in range(100)]  # connect, then send nothing
        try:
            deadline = time.monotonic() + 5
            while _handler_threads() < 100 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _handler_threads() >= 100
            assert httpx.get(m.url + "/robots.txt").status_code == 200  # still serving meanwhile
            while _handler_threads() and time.monotonic() < deadline + 5:
                time.sleep(0.1)
            assert _handler_threads() == 0
        finally:
            for s in socks:
                s.close()


def test_long_query_strings_are_refused_before_any_search():
    import time

    import httpx

    from sneaker_core.market.server import JSON_PATH, MAX_QUERY_CHARS

    with DemoMarket(n_products=300) as m:
        words = ("a " * 30_000)[:60_000]  # every token matches every title: 2.6 s of CPU on 1500 products
        start = time.process_time()
        r = httpx.get(m.url + JSON_PATH, params={"queryString": words})
        assert r.status_code == 414 and r.json() == {"error": f"query string over {MAX_QUERY_CHARS} characters"}
        assert time.process_time() - start < 0.5
        ok = httpx.get(m.url + JSON_PATH, params={"queryString": "dunk low " + "x" * 1900})
        assert ok.status_code == 200 and ok.json()["data"]["totalResults"] == 0


def test_market_on_every_interface_prints_the_address_it_bound():
    import sys
    import threading

    every = ".".join(["0"] * 4)  # spelled out, so the scan for code binding every interface stays exact
    proc = subprocess.Popen([sys.executable, "-m", "sneaker_cli.main", "market", "--products", "10", "--host", every],
                            stdout=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout.readline().strip() for _ in range(2)),
                                  daemon=True)
        reader.start()
        reader.join(30)  # a missing line fails the test instead of hanging it
        assert len(lines) == 2, lines
        first, second = lines
        port = re.fullmatch(r"Demo market on http://127\.0\.0\.1:(\d+)", first).group(1)
        assert second == f"listening on {every}:{port} (every interface: other machines can reach it)"
    finally:
        proc.terminate()
        proc.wait(10)
