"""docker-compose.yml validates (`docker-compose config`, Debian's v1 binary) and keeps its promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="needs docker-compose (apt-get install docker-compose)")


def _config(tmp_path: Path, env_file: str | None) -> subprocess.CompletedProcess:
    """`docker-compose config` on the project's file, with `env_file` as the project's .env."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "docker-compose.yml", project / "docker-compose.yml")
    if env_file is not None:
        (project / ".env").write_text(env_file, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run([COMPOSE, "config"], cwd=project, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_compose_config_validates_with_the_example_env(tmp_path):
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    done = _config(tmp_path, example.replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=s3cret-for-test\n"))
    assert done.returncode == 0, done.stderr
    cfg = yaml.safe_load(done.stdout)
    services = cfg["services"]
    assert set(services) == {"postgres", "prefect-server", "worker", "market"}
    server = services["prefect-server"]
    assert server["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"] == (
        "postgresql+asyncpg://prefect:s3cret-for-test@postgres:5432/prefect")
    assert server["ports"] == ["127.0.0.1:4200:4200/tcp"]  # UI on loopback only
    assert "ports" not in services["market"] and "ports" not in services["worker"]
    assert services["market"]["command"] == "sneaker market --host 0.0.0.0 --port 8765"
    worker = services["worker"]
    assert worker["command"] == "prefect worker start --pool sneaker-pool --type process"
    assert worker["environment"]["SNEAKER_SOURCE"] == "http://market:8765"
    assert worker["environment"]["PREFECT_LOCAL_STORAGE_PATH"].startswith("/data/")
    assert worker["volumes"] == ["data:/data:rw"]
    assert services["postgres"]["volumes"] == ["postgres:/var/lib/postgresql/data:rw"]
    assert worker["build"]["context"] == str(tmp_path / "project")  # built from the project's Dockerfile


def test_compose_refuses_to_start_without_a_postgres_password(tmp_path):
    done = _config(tmp_path, env_file=None)
    assert done.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in done.stderr


def test_no_secret_is_committed_or_baked_into_the_image():
    assert "POSTGRES_PASSWORD=\n" in (ROOT / ".env.example").read_text(encoding="utf-8")
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
