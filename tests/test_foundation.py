"""Foundation: models registry, settings, atomic writes, manifests, run lock, and the engine's independence."""

import ast
import json
import math
import multiprocessing
from pathlib import Path

import pytest

from sneaker_core import atomic, manifests, runs
from sneaker_core.registry import (
    UnknownModelError,
    brands,
    enabled_models,
    get_model,
    load_models,
    resolve_models,
)
from sneaker_core.rundir import LATEST, RunDir, RunDirError
from sneaker_core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_engine_imports_no_prefect():
    offenders = []
    for path in (ROOT / "sneaker_core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("prefect", "tasks", "flows")]
    assert offenders == []


def test_registry_has_25_models_24_enabled_6_brands():
    assert len(load_models()) == 25
    assert len(enabled_models()) == 24
    assert brands() == ("Adidas", "Air Jordan", "Bapesta", "New Balance", "Nike", "Yeezy")
    assert get_model("Crocs").enabled is False
    assert get_model("Air Jordan 1").key == "air-jordan-1"


def test_unknown_and_empty_model_lists_name_the_fix():
    with pytest.raises(UnknownModelError, match=r"unknown model 'jordan-99'; known keys: adidas-forum"):
        get_model("jordan-99")
    with pytest.raises(ValueError, match="empty model list"):
        resolve_models([])
    assert [m.key for m in resolve_models(["dunk-low", "Bapesta"])] == ["dunk-low", "bapesta"]


def test_bad_models_file_is_rejected_with_the_entry_named(tmp_path):
    bad = tmp_path / "models.yaml"
    bad.write_text("models:\n  - {key: Bad Key, name: x, brand: y, query: z, patterns: [x]}\n")
    with pytest.raises(ValueError, match="model #0 has key 'Bad Key'"):
        load_models(bad)
    bad.write_text("models:\n  - {key: ok, name: x, brand: y, query: z}\n")
    with pytest.raises(ValueError, match="model 'ok' lacks patterns"):
        load_models(bad)


def test_settings_env_prefix_overrides_and_validation(monkeypatch, tmp_path):
    monkeypatch.setenv("SNEAKER_IMAGE_SIZE", "96")
    monkeypatch.setenv("SNEAKER_DATA_DIR", str(tmp_path))
    s = Settings.with_overrides(epochs=2, source=None)
    assert (s.image_size, s.epochs, s.source, s.data_dir) == (96, 2, "demo", tmp_path)
    assert s.price_band_edges[-1] == math.inf and s.price_band_edges[:2] == (0.0, 100.0)
    assert s.path("raw", "x") == tmp_path / "raw" / "x"
    assert Settings(source="goat").base_url() == "https://www.goat.com"
    assert Settings(source="goat").politeness_delay_s() >= 1.0
    with pytest.raises(ValueError, match="summing to 1"):
        Settings(split=(0.5, 0.5, 0.5))


def test_atomic_write_leaves_no_temp_on_failure(tmp_path):
    target = tmp_path / "a" / "out.bin"
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert not target.exists() and list(target.parent.iterdir()) == []
    atomic.write_json(target, {"b": 1, "a": 2})
    assert target.read_text() == '{\n  "a": 2,\n  "b": 1\n}\n'
    (target.parent / f"{atomic.TMP_PREFIX}out.bin.zz").write_text("stale")
    (target.parent / ".tmp-someone-else.txt").write_text("not ours")
    assert atomic.remove_stale_temps(tmp_path) == 1
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".tmp")] == [".tmp-someone-else.txt"]


def test_manifest_verification_detects_missing_and_changed_files(tmp_path):
    f = tmp_path / "raw" / "x.parquet"
    atomic.write_bytes(f, b"data")
    m = tmp_path / "m.json"
    atomic.write_json(m, {"files": [{"path": "raw/x.parquet", "sha256": atomic.sha256_file(f)}]})
    assert manifests.outputs_valid(m, tmp_path)
    f.write_bytes(b"changed")
    assert not manifests.outputs_valid(m, tmp_path)
    f.unlink()
    assert not manifests.outputs_valid(m, tmp_path)
    assert not manifests.outputs_valid(tmp_path / "absent.json", tmp_path)


def _try_lock(data_dir: str, q) -> None:
    try:
        with runs.data_dir_lock(Path(data_dir)):
            q.put("got it")
    except runs.RunLockedError as exc:
        q.put(str(exc))


def test_second_run_on_a_data_dir_refuses_clearly(tmp_path):
    with runs.data_dir_lock(tmp_path):
        q = multiprocessing.get_context("spawn").Queue()
        p = multiprocessing.get_context("spawn").Process(target=_try_lock, args=(str(tmp_path), q))
        p.start()
        p.join(60)
        msg = q.get(timeout=5)
    assert "another run is using" in msg and "SNEAKER_DATA_DIR" in msg
    with runs.data_dir_lock(tmp_path):  # released: can be taken again
        pass


def test_latest_pointer_round_trip(tmp_path):
    with pytest.raises(RunDirError, match="run `sneaker run` first"):
        RunDir.latest(tmp_path)
    rid = runs.run_id_for("2026-W48", {"shards": ["a", "b"]})
    assert rid == runs.run_id_for("2026-W48", {"shards": ["a", "b"]}) != runs.run_id_for("2026-W48", {"s": 1})
    RunDir.for_id(tmp_path, rid).create().mark_latest()
    assert RunDir.latest(tmp_path) == RunDir(tmp_path / "runs" / rid)
    assert json.loads((tmp_path / "runs" / LATEST).read_text())["run_id"] == rid


@pytest.mark.parametrize("bad", ["../../outside", "..", "", "a/b", "/etc", ".hidden", 7, None, "x" * 200])
def test_run_ids_are_plain_names_inside_runs(tmp_path, bad):
    with pytest.raises(RunDirError, match="invalid run id"):
        RunDir.for_id(tmp_path, bad)
    (tmp_path / "runs").mkdir(exist_ok=True)
    (tmp_path / "runs" / LATEST).write_text(json.dumps({"run_id": bad}))
    with pytest.raises(RunDirError, match=r"latest\.json: invalid run id"):
        RunDir.latest(tmp_path)


def test_stage_manifest_verifies_files_and_digests(tmp_path):
    run = RunDir.for_id(tmp_path, "2026-W48-abc").create()
    (run.path / "a.txt").write_text("one")
    run.record("stage", [run.path / "a.txt"], note=1)
    assert run.verify("stage") and run.read_manifest("stage")["note"] == 1
    assert run.trusted("stage", run.path / "a.txt") == run.path / "a.txt"
    (run.path / "a.txt").write_text("two")
    assert not run.verify("stage")
    with pytest.raises(RunDirError, match="does not match the sha256"):
        run.trusted("stage", run.path / "a.txt")
    (run.path / "a.txt").unlink()
    assert not run.verify("stage") and not run.verify("other")


def test_unwritable_data_dir_is_a_one_line_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / ".run.lock").mkdir()  # a directory where the lock file must go: cannot be opened for writing
    with pytest.raises(PermissionError, match="choose a writable one with SNEAKER_DATA_DIR"), runs.data_dir_lock(ro):
        pass
