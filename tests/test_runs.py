"""The data-directory lock: it cleans only the pipeline's own temporary files, in its own folders, and refuses a
data directory it would share with other programs (empty or '.', a filesystem root, a home directory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sneaker_core import runs
from sneaker_core.atomic import TMP_PREFIX, atomic_path


def _cli(args: list[str], env: dict[str, str]):
    import flows.weekly_refresh  # noqa: F401 - Prefect's logging set up outside CliRunner's temporary streams
    from sneaker_cli.main import app

    return CliRunner().invoke(app, args, env=env)


def test_a_failing_scrape_keeps_other_programs_temp_files(tmp_path):
    """The issue's recipe: `docs/.tmp-draft.txt` under SNEAKER_DATA_DIR survives a scrape that then fails."""
    draft = tmp_path / "docs" / ".tmp-draft.txt"
    draft.parent.mkdir()
    draft.write_text("a draft")
    result = _cli(["scrape", "--models", "dunk-low"],
                  {"SNEAKER_DATA_DIR": str(tmp_path), "SNEAKER_CHROMIUM": "/nonexistent"})
    assert result.exit_code == 2 and "/nonexistent" in result.output, result.output
    assert draft.read_text() == "a draft"


def test_the_lock_cleans_only_its_own_temps_in_its_own_folders(tmp_path):
    stale = tmp_path / "raw" / "2026-W48" / f"{TMP_PREFIX}dunk-low.parquet.k2j4h1xa"
    stale_run = tmp_path / "runs" / "2026-W48-abc" / "models" / f"{TMP_PREFIX}brand.q8w7e6r5.keras"
    theirs = [tmp_path / "raw" / ".tmp-notes.txt", tmp_path / "docs" / f"{TMP_PREFIX}x.y",
              tmp_path / f"{TMP_PREFIX}top.level", tmp_path / "images" / "store" / "draft.tmp"]
    for p in [stale, stale_run, *theirs]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    with runs.data_dir_lock(tmp_path):
        assert not stale.exists() and not stale_run.exists()
        assert all(p.read_text() == "x" for p in theirs)
    # the pattern is the one atomic_path writes: a file it was writing when killed would be cleaned
    with atomic_path(tmp_path / "shards" / "w" / "m" / "part-0.tfrecord") as tmp:
        assert tmp.name.startswith(TMP_PREFIX + "part-0.tfrecord.")


@pytest.mark.parametrize("spelled", ["", ".", "./", " . "])
def test_an_empty_or_dot_data_dir_is_refused(spelled):
    with pytest.raises(ValueError, match=r"is ambiguous \(empty or the current folder\); set SNEAKER_DATA_DIR"), \
            runs.data_dir_lock(Path(spelled) if spelled.strip() else spelled):
        pass


def test_a_root_or_home_data_dir_is_refused(tmp_path, monkeypatch):
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    (home / ".tmp-other-tool").write_text("theirs")
    monkeypatch.setenv("HOME", str(home))
    for data_dir, what in ((Path("/"), "a filesystem root"), (home, "your home directory"),
                           (Path("~"), "your home directory"), (tmp_path / "home", "a folder above your home")):
        fix = "set SNEAKER_DATA_DIR to a folder of the pipeline's own"
        with pytest.raises(ValueError, match=f"is {what}.*{fix}"), runs.data_dir_lock(data_dir):
            pass
    assert sorted(p.name for p in home.iterdir()) == [".tmp-other-tool"]  # not even a lock file
    with runs.data_dir_lock(home / "sneaker-data") as lock:  # a folder inside home is fine
        assert lock.parent == home / "sneaker-data"


def test_the_cli_refuses_a_home_data_dir_in_one_line(tmp_path):
    result = _cli(["scrape", "--models", "dunk-low", "--mode", "json"],
                  {"SNEAKER_DATA_DIR": str(tmp_path), "HOME": str(tmp_path)})
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and "is your home directory" in lines[0]
    assert list(tmp_path.iterdir()) == []
