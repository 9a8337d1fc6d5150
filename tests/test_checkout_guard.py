"""The checkout guard fails a session whose tests write into the source checkout, and only such a session."""

from __future__ import annotations

import subprocess

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture
def repo(pytester: pytest.Pytester):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=pytester.path, check=True, capture_output=True)

    git("init", "-q")
    pytester.makefile(".png", **{"docs/picture": "old"})
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return pytester


def test_a_test_that_rewrites_a_docs_picture_fails_the_session(repo: pytest.Pytester):
    repo.makepyfile(test_writes="""
        from pathlib import Path

        def test_screenshot():
            Path(__file__).with_name("docs").joinpath("picture.png").write_text("new")
            Path(__file__).with_name("docs").joinpath("extra.png").write_text("new")
    """)
    result = repo.runpytest("-p", "checkout_guard", "--checkout-guard")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    expected = "*tests changed the checkout (write to tmp_path instead): M docs/picture.png, ?? docs/extra.png*"
    result.stdout.fnmatch_lines([expected])


def test_tests_writing_to_tmp_path_pass_and_earlier_changes_do_not_count(repo: pytest.Pytester):
    (repo.path / "docs" / "picture.png").write_text("edited before the session")
    repo.makepyfile(test_tmp="""
        def test_tmp(tmp_path):
            (tmp_path / "picture.png").write_text("new")
    """)
    result = repo.runpytest("-p", "checkout_guard", "--checkout-guard")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK


def test_without_the_option_nothing_is_checked(repo: pytest.Pytester):
    repo.makepyfile(test_writes="""
        from pathlib import Path

        def test_screenshot():
            Path(__file__).with_name("docs").joinpath("extra.png").write_text("new")
    """)
    assert repo.runpytest("-p", "checkout_guard").ret == pytest.ExitCode.OK
