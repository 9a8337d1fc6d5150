"""`sneaker server` / `sneaker deploy` without real servers: environment, refusals with clear messages."""

from __future__ import annotations

from pathlib import Path

from helpers_prefect_server import free_port
from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from deployments import deployment_specs
from sneaker_cli.main import app
from sneaker_cli.ops import server_env

runner = CliRunner()


def test_server_env_keeps_prefect_home_under_the_data_dir_unless_set(tmp_path):
    env = server_env(tmp_path / "data", 4321, {"PATH": "/bin"})
    assert env["PREFECT_HOME"] == str((tmp_path / "data" / ".prefect" / "home").resolve())
    assert env["PREFECT_UI_API_URL"] == "http://127.0.0.1:4321/api"  # the UI must call this port, not 4200
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    mine = server_env(tmp_path, 4321, {"PREFECT_HOME": "/elsewhere", "PREFECT_UI_API_URL": "http://proxy/api"})
    assert (mine["PREFECT_HOME"], mine["PREFECT_UI_API_URL"]) == ("/elsewhere", "http://proxy/api")


def test_prefect_yaml_defines_the_weekly_schedule_and_limit():
    specs = {s["name"]: s for s in deployment_specs()}
    weekly = specs["weekly"]
    assert weekly["entrypoint"] == "flows/weekly_refresh.py:weekly_refresh"
    assert weekly["schedules"] == [{"cron": "0 6 * * 1", "timezone": "UTC", "active": True}]
    assert weekly["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    assert {s["work_pool"]["name"] for s in specs.values()} == {"sneaker-pool"}
    for spec in specs.values():
        path, func = spec["entrypoint"].split(":")
        assert f"def {func}(" in (Path(__file__).parents[1] / path).read_text(encoding="utf-8")


def test_deploy_refuses_unknown_deployment_names():
    result = runner.invoke(app, ["deploy", "--name", "nightly"])
    assert result.exit_code == 2
    assert "unknown deployment(s) ['nightly']" in result.output


def test_deploy_without_an_api_says_how_to_get_one():
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = runner.invoke(app, ["deploy"])
    assert result.exit_code == 2
    assert "no Prefect API configured" in result.output and "sneaker server" in result.output


def test_deploy_against_an_unreachable_api_fails_before_registering():
    with temporary_settings({PREFECT_API_URL: f"http://127.0.0.1:{free_port()}/api"}):
        result = runner.invoke(app, ["deploy"])
    assert result.exit_code == 2
    assert "Prefect API not usable" in result.output and "registering" not in result.output
