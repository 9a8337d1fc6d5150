"""A pytest plugin: with `--checkout-guard` (as `make test` runs), the session fails when tests changed the
source checkout: tests write to temporary folders only.

It compares `git status` of the checkout holding the rootdir at the session's start and end; paths git ignores
(`.venv/`, `data/`, caches) do not count. Outside a git checkout it does nothing. It is opt-in because a file
you edit while a session runs counts too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

_KEY = pytest.StashKey[set[str] | None]()


def dirty_paths(root: Path) -> set[str] | None:
    """`git status --porcelain` lines of the checkout at `root` (changed and untracked files), or None."""
    try:
        done = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--checkout-guard", action="store_true",
                     help="fail the session when tests change files of the git checkout")


def pytest_sessionstart(session: pytest.Session) -> None:
    if session.config.getoption("checkout_guard"):
        session.stash[_KEY] = dirty_paths(session.config.rootpath)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.stash.get(_KEY, None)
    after = dirty_paths(session.config.rootpath)
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            changed = ", ".join(line.strip() for line in new)
            reporter.write_line(f"tests changed the checkout (write to tmp_path instead): {changed}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
