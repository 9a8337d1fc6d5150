"""Per-model image stage: snapshot rows -> downloaded, normalised, stored images + an images manifest.

Each unique URL is fetched once (async, bounded per host) and normalised in a process pool sized to the
machine; URLs already in the store are reused without a request. Every snapshot row gets one manifest row
with status `ok` or `quarantined` and a named reason. Failed URLs are tried again on the next run.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from sneaker_core.atomic import atomic_path, sha256_bytes, sha256_file, write_json
from sneaker_core.images.download import Downloader, sized_url
from sneaker_core.images.normalise import normalise_result
from sneaker_core.images.store import ImageStore, StoredImage
from sneaker_core.settings import Settings

MANIFEST_SCHEMA = pa.schema([
    ("url", pa.string()), ("product_id", pa.string()), ("status", pa.string()), ("reason", pa.string()),
    ("bytes", pa.int64()), ("orig_width", pa.int32()), ("orig_height", pa.int32()),
    ("orig_mode", pa.string()), ("sha256", pa.string()), ("store_path", pa.string()), ("cached", pa.bool_()),
])
PROCESS_POOL_MIN_IMAGES = 16  # below this, normalising in threads beats starting processes
T = TypeVar("T")
Progress = Callable[[int, int], None]


class ImagesFailedError(RuntimeError):
    """Too few of a model's images came through; `summary` holds the counts (the manifest is written)."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class Outcome:
    """What happened to one URL (shared by every snapshot row that names it)."""

    status: str
    reason: str | None = None
    bytes: int | None = None
    orig_width: int | None = None
    orig_height: int | None = None
    orig_mode: str | None = None
    sha256: str | None = None
    store_path: str | None = None
    cached: bool = False


def url_problem(url: object) -> str | None:
    """Why a snapshot's image_url cannot be fetched at all, or None when it can."""
    if not isinstance(url, str) or not url.strip():
        return "no_image_url"
    if url.startswith("data:"):
        return "placeholder"
    if not url.startswith(("http://", "https://")):
        return "bad_url"
    return None


def _stored_outcome(store: ImageStore, stored: StoredImage, cached: bool) -> Outcome:
    m = stored.meta
    return Outcome("ok", None, m.get("bytes"), m.get("orig_width"), m.get("orig_height"), m.get("orig_mode"),
                   stored.sha256, store.relative(stored.path), cached)


def _workers(settings: Settings) -> int:
    return settings.image_workers or os.cpu_count() or 1


class Normaliser:
    """Runs `normalise_result` on all cores: in worker processes, or in threads for small batches.

    Workers are forked up front, before the event loop and its threads exist: forkserver/spawn workers
    would re-import the caller's `__main__` (seconds each, and fatal for a script without a main guard).
    If a worker dies, the images it held are quarantined as `worker_crashed` and the rest go to threads.
    """

    def __init__(self, workers: int, processes: bool, fn: Callable[..., tuple[bytes | None, dict]] = normalise_result
                 ) -> None:
        self.fn = fn
        self.threads = ThreadPoolExecutor(workers)
        self.pool: ProcessPoolExecutor | None = None
        if processes:
            # Load every Pillow plugin here first: a child forked while another thread is importing one would
            # wait forever on that module's import lock (seen with several models' image stages at once).
            Image.init()
            self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()  # a fork pool starts all its workers on the first task

    async def __call__(self, data: bytes, *args: Any) -> tuple[bytes | None, dict]:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool or self.threads, self.fn, data, *args)
        except BrokenProcessPool as exc:
            broken, self.pool = self.pool, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            return None, {"reason": "worker_crashed", "detail": str(exc)}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        self.threads.shutdown()


async def _fetch_and_store(sources: dict[str, str], settings: Settings, store: ImageStore,
                           normaliser: Normaliser, done: Callable[[str, Outcome], None]) -> None:
    """Fetch each URL's source (`sources[url]`), normalise and store it under that source; `done(url, outcome)`."""
    in_flight = asyncio.Semaphore(max(32, 4 * _workers(settings)))  # bounds bodies waiting for a worker
    args = (settings.image_size, settings.jpeg_quality, settings.max_image_pixels)

    async def one(url: str) -> None:
        async with in_flight:
            got = await dl.fetch(sources[url])
            if got.data is None:
                done(url, Outcome("quarantined", got.reason))
                return
            jpeg, info = await normaliser(got.data, *args)
            if jpeg is None:
                done(url, Outcome("quarantined", info["reason"], len(got.data)))
                return
            stored = store.put(sources[url], jpeg, {"bytes": len(got.data), **info})  # small, unsynced writes
            done(url, _stored_outcome(store, stored, cached=False))

    async with Downloader(settings) as dl:
        await asyncio.gather(*(one(u) for u in sources))


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, also from a thread that already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, coro).result()


def fetch_images(urls: list[str], settings: Settings, progress: Progress | None = None) -> dict[str, Outcome]:
    """Outcome per unique URL: reused from the store when valid there, else downloaded and normalised.

    With `resize_at_source` a URL that takes a `width=` query is fetched at the stored size (and stored
    under that sized URL), which spares the transfer and the decoding of the 750 px original."""
    store = ImageStore(settings)
    source = {u: sized_url(u, settings.image_size) if settings.resize_at_source else u for u in urls}
    results: dict[str, Outcome] = {}
    for url in urls:
        if (stored := store.lookup(source[url])) is not None:
            results[url] = _stored_outcome(store, stored, cached=True)
    todo = [u for u in urls if u not in results]
    total = len(urls)
    if progress:
        progress(len(results), total)

    def done(url: str, outcome: Outcome) -> None:
        results[url] = outcome
        if progress:
            progress(len(results), total)

    if todo:
        workers = _workers(settings)
        normaliser = Normaliser(workers, processes=workers > 1 and len(todo) >= PROCESS_POOL_MIN_IMAGES)
        try:
            _run(_fetch_and_store({u: source[u] for u in todo}, settings, store, normaliser, done))
        finally:
            normaliser.close()
    return results


def _write_manifest(path: Path, rows: list[dict[str, Any]]) -> str:
    table = pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return sha256_file(path)


def images_manifest_json(settings: Settings, week: str, model: str) -> Path:
    """`<data>/images/manifests/<week>/<model>.json`: the summary plus every file it vouches for (with sha256)."""
    return settings.path("images", "manifests", week, f"{model}.json")


def process_model_images(snapshot_path: Path, settings: Settings, *, progress: Progress | None = None
                         ) -> dict[str, Any]:
    """Fetch, normalise and store one model's images; write `<data>/images/manifests/<week>/<model>.parquet`.

    Returns a small summary: model, week, manifest_path, manifest_sha256, content_digest (sha256 of the
    outcomes, ignoring the `cached` flag, so it is stable across re-runs), n, ok, quarantined, reasons,
    downloaded (URLs fetched now) and reused (URLs found in the store). Raises ImagesFailedError, after
    writing the manifest, when under `min_image_ok_fraction` of the rows with a usable URL are ok.
    """
    snapshot_path = Path(snapshot_path)
    week, model = snapshot_path.parent.name, snapshot_path.stem
    snap = pd.read_parquet(snapshot_path, columns=["product_id", "image_url"])
    problems = [url_problem(u) for u in snap["image_url"]]
    urls = list(dict.fromkeys(u for u, p in zip(snap["image_url"], problems) if p is None))
    outcomes = fetch_images(urls, settings, progress)

    rows = []
    for pid, url, problem in zip(snap["product_id"], snap["image_url"], problems):
        outcome = Outcome("quarantined", problem) if problem else outcomes[url]
        rows.append({"url": url if isinstance(url, str) else None, "product_id": str(pid), **vars(outcome)})
    manifest = images_manifest_json(settings, week, model).with_suffix(".parquet")
    manifest_sha = _write_manifest(manifest, rows)

    reasons = Counter(r["reason"] for r in rows if r["status"] != "ok")
    ok = sum(r["status"] == "ok" for r in rows)
    stable = [{k: v for k, v in r.items() if k != "cached"} for r in rows]
    summary = {
        "model": model, "week": week, "manifest_path": str(manifest), "manifest_sha256": manifest_sha,
        "content_digest": sha256_bytes(json.dumps(stable, sort_keys=True).encode()),
        "n": len(rows), "ok": ok, "quarantined": len(rows) - ok, "reasons": dict(sorted(reasons.items())),
        "downloaded": sum(not o.cached for o in outcomes.values()),
        "reused": sum(o.cached for o in outcomes.values()),
    }
    data_dir = Path(settings.data_dir)
    files = [{"path": manifest.relative_to(data_dir).as_posix(), "sha256": manifest_sha}]
    files += [{"path": r["store_path"], "sha256": r["sha256"]} for r in rows if r["status"] == "ok"]
    write_json(images_manifest_json(settings, week, model), {**summary, "files": files})
    with_url = sum(p is None for p in problems)
    if rows and (with_url == 0 or ok / with_url < settings.min_image_ok_fraction):
        share = f"{ok}/{with_url} ({ok / with_url:.0%})" if with_url else "0/0 (no usable image URL)"
        raise ImagesFailedError(
            f"images failed for model {model!r} ({week}): {share} ok, below the "
            f"{settings.min_image_ok_fraction:.0%} minimum; reasons {summary['reasons']}", summary)
    return summary
