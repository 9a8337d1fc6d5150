"""Kill and resume: SIGKILL the flow at seeded random points, re-run, end exactly where an unbroken run ends.

Each run is a child of `tests/kill_resume_flow.py` (a fork server: imports once) in its own session, so
SIGKILL to its process group also kills its image workers, as in a crash. One Prefect server
(`helpers_prefect_server`) serves the module; one demo market serves every run. After five kills (each
once a stage has made new progress, plus a seeded random delay: once scraping, three times downloading,
once writing shards) a final run completes; its shard manifests must be byte-identical to an
uninterrupted run's in another data directory, no temporary file may remain, no product may appear
twice in a model's shards, and one more run finds every task Cached.
"""

from __future__ import annotations

import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

import pytest
from helpers_prefect_server import clean_env, prefect_server

from sneaker_core.atomic import TMP_PREFIX
from sneaker_core.market import DemoMarket
from sneaker_core.shards.reader import read_metadata

ROOT = Path(__file__).resolve().parents[1]
MODELS = ["air-force-1", "air-jordan-1", "dunk-low"]
WEEK = "2026-W48"
SEED = 9
STARTUP_S = 240  # longest wait for the fork server's imports or a run's next line


class Runner:
    """Talks to the fork server: start a run, kill it, or wait for it; a thread keeps reading its output."""

    def __init__(self, proc: subprocess.Popen, api_url: str, results: Path) -> None:
        self.proc, self.api_url, self.results = proc, api_url, str(results)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")

    def next_line(self) -> str:
        line = self.lines.get(timeout=STARTUP_S)
        if not line:
            raise AssertionError(f"fork server ended (rc {self.proc.poll()})")
        return line

    def start(self, **kwargs: object) -> tuple[int, list[str]]:
        command = {"api_url": self.api_url, "results": self.results, "kwargs": kwargs}
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        lines = []
        while not (line := self.next_line()).startswith("STARTED "):
            lines.append(line)
        return int(line.split()[1]), lines

    def wait(self, pid: int, lines: list[str]) -> tuple[int, str]:
        while not (line := self.next_line()).startswith(f"EXIT {pid} "):
            lines.append(line)
        return int(line.split()[2]), "".join(lines)

    def run(self, **kwargs: object) -> str:
        rc, text = self.wait(*self.start(**kwargs))
        assert rc == 0, text[-4000:]
        return text


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """The fork server and a Prefect server, started side by side (each takes 10-60 s on a busy machine)."""
    work = tmp_path_factory.mktemp("kill-resume")
    env = clean_env(PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3", PREFECT_LOGGING_LEVEL="INFO",
                    SNEAKER_IMAGE_SIZE="32", SNEAKER_RETRY_BASE_DELAY_S="0.02",
                    PREFECT_HOME=str(work / "home"))
    forks = subprocess.Popen([sys.executable, str(ROOT / "tests" / "kill_resume_flow.py")], cwd=ROOT, env=env,
                             text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with prefect_server(work) as server:
            r = Runner(forks, server.api_url, work / "results")
            while r.next_line().strip() != "READY":
                pass
            yield r
    finally:
        forks.stdin.close()
        with suppress(ProcessLookupError):
            os.killpg(forks.pid, signal.SIGKILL)
        forks.wait(30)


@pytest.fixture(scope="module")
def market():
    with DemoMarket(seed=2, n_products=600, faults="latency_ms=30") as m:
        yield m


def _params(market, data_dir: Path) -> dict:
    return {"models": MODELS, "item_cap": 60, "source": market.url, "scrape_mode": "json", "until": "shards",
            "as_of": "2026-11-23", "data_dir": str(data_dir)}


def _count(data_dir: Path, pattern: str) -> int:
    return sum(1 for _ in data_dir.glob(pattern))


# Each kill waits for new progress of one stage since its run started, then a seeded random extra delay.
SCRAPED, STORED, SHARD_FILES = f"raw/{WEEK}/*.manifest.json", "images/store/*/*", f"shards/{WEEK}/*/*"
KILL_PLAN = [("scraping", SCRAPED, 1, 0.1), ("downloading", STORED, 10, 0.2),
             ("downloading", STORED, 10, 0.2), ("downloading", STORED, 10, 0.2),
             ("shard writing", SHARD_FILES, 1, 0.0)]


def _kill_when(pid: int, data_dir: Path, pattern: str, new: int, extra_s: float) -> bool:
    """SIGKILL run `pid`'s process group once `new` more files match `pattern`; False if it ended first."""
    before = _count(data_dir, pattern)
    while _count(data_dir, pattern) < before + new:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.01)
    time.sleep(extra_s)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _stage(data_dir: Path) -> str:
    """What a killed run left behind."""
    temps = sorted({p.relative_to(data_dir).parts[0] for p in data_dir.rglob(TMP_PREFIX + "*")})
    return (f"snapshots {_count(data_dir, SCRAPED)}/3, "
            f"stored images {_count(data_dir, 'images/store/*/*.jpg')}, "
            f"image manifests {_count(data_dir, f'images/manifests/{WEEK}/*.json')}/3, "
            f"shard manifests {_count(data_dir, f'shards/{WEEK}/*/manifest.json')}/3, temp files in {temps}")


def _manifests(data_dir: Path) -> dict[str, bytes]:
    return {m: (data_dir / "shards" / WEEK / m / "manifest.json").read_bytes() for m in MODELS}


def _task_states(log: str) -> dict[str, str]:
    return dict(re.findall(r"Task run '([\w-]+)' - Finished in state (\w+)", log))


def test_sigkill_at_random_points_then_resume_matches_an_unbroken_run(runner, market, tmp_path):
    reference = tmp_path / "reference"
    runner.run(**_params(market, reference))

    data = tmp_path / "killed"
    rng = random.Random(SEED)
    kills = []
    for stage, pattern, new, most_extra_s in KILL_PLAN:
        pid, lines = runner.start(**_params(market, data))
        killed = _kill_when(pid, data, pattern, new, rng.uniform(0.0, most_extra_s))
        rc, text = runner.wait(pid, lines)
        assert killed and rc == -signal.SIGKILL, f"ended before the kill ({stage}, rc {rc}):{text[-3000:]}"
        kills.append(f"during {stage}: {_stage(data)}")
    print("\nkilled:\n" + "\n".join(f"  {i + 1}. {k}" for i, k in enumerate(kills)))

    runner.run(**_params(market, data))
    assert _manifests(data) == _manifests(reference)
    assert list(data.rglob(TMP_PREFIX + "*")) == []
    for m in MODELS:
        manifest = json.loads(_manifests(data)[m])
        ids = read_metadata([data / s["path"] for s in manifest["shards"]])["product_id"]
        assert len(ids) == manifest["examples"] > 0 and ids.is_unique

    states = _task_states(runner.run(**_params(market, data)))
    assert states == {f"{stage}-{m}": "Cached" for stage in ("scrape", "images", "shards") for m in MODELS}
    assert _manifests(data) == _manifests(reference)
