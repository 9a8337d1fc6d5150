"""Real processes for the operations tests: a Prefect server (`sneaker server`), workers, `serve.py`, PostgreSQL.

Every process starts in its own session with its output in a log file, and is stopped by its PID in a finally
block: SIGTERM, a second SIGTERM (a Prefect worker asks for two), then SIGKILL of its session if anything is left.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import httpx

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}
# Prefect settings the test process may carry that must not leak into the processes under test.
_LEAKY = ("PREFECT_API_URL", "PREFECT_HOME", "PREFECT_PROFILE", "PREFECT_UI_API_URL",
          "PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_LOCAL_STORAGE_PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without inherited Prefect locations, quiet, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


@dataclass
class Proc:
    """A started process and the file its output goes to."""

    popen: subprocess.Popen
    log: Path

    def tail(self, n: int = 60) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []
        return f"--- last lines of {self.log} ---\n" + "\n".join(lines[-n:])


def start(cmd: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT, **popen_kw: object) -> Proc:
    """Start `cmd` in a new session with stdout+stderr in `log`."""
    fh = open(log, "ab")  # noqa: SIM115 - the child holds it; closed here right after the fork
    try:
        popen = subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT,
                                 start_new_session=True, **popen_kw)
    finally:
        fh.close()
    return Proc(popen, log)


def stop(proc: Proc, sig: int = signal.SIGTERM, grace_s: float = 20) -> None:
    """Stop by PID: `sig`, again after `grace_s / 2`, then SIGKILL to the session it leads."""
    pid = proc.popen.pid
    for _ in range(2):
        if proc.popen.poll() is not None:
            break
        with suppress(ProcessLookupError):
            os.kill(pid, sig)
        with suppress(subprocess.TimeoutExpired):
            proc.popen.wait(grace_s / 2)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the session id is the PID we started; leftovers (flow-run children) go
    with suppress(subprocess.TimeoutExpired):
        proc.popen.wait(5)


def wait_until(check: Callable[[], T], timeout_s: float, what: str, proc: Proc | None = None,
               every_s: float = 1.0) -> T:
    """Poll `check()` until it returns something truthy; fail with `proc`'s log when it dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise AssertionError(f"{what}: process exited with {proc.popen.returncode}\n{proc.tail()}")
        got = check()
        if got:
            return got
        time.sleep(every_s)
    raise AssertionError(f"{what}: not within {timeout_s:.0f} s\n{proc.tail() if proc else ''}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Server:
    url: str
    proc: Proc

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client_env(self, home: Path, **extra: str) -> dict[str, str]:
        """Environment of a Prefect client (CLI, worker, serve) of this server, with its own PREFECT_HOME."""
        return clean_env(PREFECT_API_URL=self.api_url, PREFECT_HOME=str(home), **extra)


@contextmanager
def prefect_server(workdir: Path, timeout_s: float = 240, **env: str) -> Iterator[Server]:
    """`sneaker server --port <free>` (loopback, PREFECT_HOME under SNEAKER_DATA_DIR unless given) until healthy."""
    port = free_port()
    env.setdefault("SNEAKER_DATA_DIR", str(workdir / "data"))
    proc = start([BIN / "sneaker", "server", "--port", str(port)], clean_env(**env), workdir / "server.log")
    server = Server(f"http://127.0.0.1:{port}", proc)
    try:
        wait_until(lambda: _healthy(server.url), timeout_s, "prefect server health", proc)
        yield server
    finally:
        stop(proc)


def prefect_cli(args: list[str], env: dict[str, str], timeout_s: float = 300) -> str:
    """Run the Prefect CLI; return its output, failing with it when the exit status is not 0."""
    done = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout_s, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"prefect {' '.join(args)} exited {done.returncode}:\n{out[-4000:]}"
    return out


def run_deployment_cli(name: str, params: dict[str, object], env: dict[str, str]) -> UUID:
    """`prefect deployment run NAME --param k=v ...` (values as JSON); the new flow run's id."""
    import json

    args = ["deployment", "run", name]
    for key, value in params.items():
        args += ["--param", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
    out = prefect_cli(args, env)
    match = re.search(r"UUID: ([0-9a-f-]{36})", out)
    assert match, out
    return UUID(match.group(1))


def flow_run_state(api_url: str, run_id: UUID) -> tuple[str, str]:
    """(state type, state name) of a flow run, straight from the REST API."""
    run = httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=10).json()
    return run["state"]["type"], run["state"]["name"]


def wait_terminal(api_url: str, run_id: UUID, timeout_s: float, proc: Proc) -> tuple[str, str]:
    return wait_until(lambda: (s := flow_run_state(api_url, run_id))[0] in TERMINAL and s, timeout_s,
                      f"flow run {run_id} to finish", proc, every_s=2)


def postgres_bindir() -> Path | str:
    """PostgreSQL's server binaries via scripts/ensure_postgres.sh, or the reason they are not available."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "ensure_postgres.sh")], capture_output=True, text=True,
                          timeout=900, check=False)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip() or f"ensure_postgres.sh exited {done.returncode}"
    return Path(done.stdout.strip().splitlines()[-1])


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str
    bindir: Path


@contextmanager
def postgres_server(bindir: Path, log: Path, database: str = "prefect") -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on a free loopback port with password (scram) authentication.

    As root, the cluster belongs to the `postgres` user (PostgreSQL refuses to run as root).
    """
    as_user = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
    base = Path(tempfile.mkdtemp(prefix="sneaker-pg-"))
    if as_user:
        os.chown(base, *_ids("postgres"))
    user, password, port = "prefect", secrets.token_hex(12), free_port()
    pwfile = base / "pw"
    pwfile.write_text(password, encoding="utf-8")
    if as_user:
        os.chown(pwfile, *_ids("postgres"))
    env = clean_env(LC_ALL="C.UTF-8")
    subprocess.run([str(bindir / "initdb"), "-D", str(base / "db"), "-U", user, f"--pwfile={pwfile}",
                    "--auth=scram-sha-256", "-E", "UTF8"], env=env, cwd=base, capture_output=True, check=True,
                   timeout=300, **as_user)
    proc = start([bindir / "postgres", "-D", base / "db", "-p", str(port), "-h", "127.0.0.1", "-k", base],
                 env, log, cwd=base, **as_user)
    try:
        pg = Postgres("127.0.0.1", port, user, password, database, bindir)
        ready = [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
        wait_until(lambda: subprocess.run(ready, capture_output=True, check=False).returncode == 0, 60,
                   "postgres to accept connections", proc, every_s=0.5)
        psql(pg, f"CREATE DATABASE {database}", db="postgres")
        yield pg
    finally:
        stop(proc, sig=signal.SIGINT)  # "fast" shutdown
        subprocess.run(["rm", "-rf", str(base)], check=False)


def psql(pg: Postgres, sql: str, db: str | None = None) -> str:
    """Run one SQL statement with psql; its unaligned, tuples-only output."""
    done = subprocess.run([str(pg.bindir / "psql"), "-h", pg.host, "-p", str(pg.port), "-U", pg.user, "-d",
                           db or pg.database, "-At", "-c", sql], env=clean_env(PGPASSWORD=pg.password),
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _ids(name: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid
