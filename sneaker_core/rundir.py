"""The run folder as one type: every file name in `<data>/runs/<run id>/`, its layout version, run-id
validation, the `latest` pointer, and the check that a stage's outputs are complete and unchanged.

Each stage records the files it wrote, with their sha256, in `manifests/<stage>.json`; `verify` is the
cache check, and `trusted` refuses to hand a pickled or saved model to a loader unless its digest matches
(run folders are trusted input only as far as their manifests vouch for their files).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sneaker_core.atomic import sha256_file, write_json

LAYOUT_VERSION = 2
RUNS = "runs"
LATEST = "latest.json"
CHAMPION = "champion.json"  # the serving pointer and its promotion history (sneaker_core.governance)
# The forecast stage writes into a folder it is given (the run's): its three names, for it and for RunDir.
FORECASTS_PARQUET, FORECASTS_CSV, BACKTEST_JSON = "forecasts.parquet", "forecasts.csv", "backtest.json"
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")


class RunDirError(ValueError):
    """A run folder, run id or run file that cannot be used; the message is one line naming the fix."""


def check_run_id(run_id: object) -> str:
    """`run_id` if it is a plain folder name (letters, digits, `_.-`, no `..`); else a one-line error."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise RunDirError(f"invalid run id {run_id!r}: a run id is a folder name of letters, digits, '_', '.' "
                          "and '-' inside runs/")
    return run_id


@dataclass(frozen=True)
class RunDir:
    """One run folder. Properties and methods name its files; nothing else spells them out."""

    path: Path

    # -- where runs live ---------------------------------------------------------------------------------
    @classmethod
    def for_id(cls, data_dir: Path | str, run_id: str) -> RunDir:
        return cls(Path(data_dir) / RUNS / check_run_id(run_id))

    @classmethod
    def latest(cls, data_dir: Path | str) -> RunDir:
        """The latest finished run (`runs/latest.json`); a one-line error when there is none or it is bad."""
        pointer = Path(data_dir) / RUNS / LATEST
        try:
            run_id = json.loads(pointer.read_text(encoding="utf-8"))["run_id"]
        except (OSError, ValueError, KeyError, TypeError):
            raise RunDirError(f"no finished run under {pointer.parent}; run `sneaker run` first") from None
        try:
            return cls.for_id(data_dir, run_id).opened()
        except RunDirError as exc:
            raise RunDirError(f"{pointer}: {exc}") from None

    @classmethod
    def open(cls, path: Path | str) -> RunDir:
        """An existing run folder given by a user (`--run DIR`); refuses any folder that is not a run."""
        return cls(Path(path)).opened()

    def opened(self) -> RunDir:
        """This run, after checking it is a run folder of this layout version."""
        if not self.path.is_dir():
            raise RunDirError(f"run folder {self.path} does not exist")
        try:
            layout = json.loads(self.layout_file.read_text(encoding="utf-8"))["layout_version"]
        except (OSError, ValueError, KeyError, TypeError):
            raise RunDirError(f"{self.path} is not a run folder (no readable {self.layout_file.name}); "
                              "give a folder that `sneaker run` or `sneaker train-titles` wrote") from None
        if layout != LAYOUT_VERSION:
            raise RunDirError(f"{self.path} has run layout {layout}, this version reads {LAYOUT_VERSION}; "
                              "run it again with this version")
        return self

    def create(self) -> RunDir:
        """Make the folder and its layout file (idempotent)."""
        if not self.layout_file.is_file():
            write_json(self.layout_file, {"layout_version": LAYOUT_VERSION})
        return self

    def mark_latest(self, extra: dict[str, Any] | None = None) -> Path:
        """Point `<data>/runs/latest.json` at this (finished) run."""
        record = {"run_id": self.run_id, "path": str(Path(RUNS) / self.run_id),
                  "finished_at": datetime.now(UTC).isoformat()}
        return write_json(self.path.parent / LATEST, {**record, **(extra or {})})

    @property
    def run_id(self) -> str:
        return self.path.name

    # -- file names ----------------------------------------------------------------------------------------
    @property
    def layout_file(self) -> Path:
        return self.path / "run.json"

    @property
    def split(self) -> Path:
        return self.path / "split.parquet"

    @property
    def split_info(self) -> Path:
        return self.path / "split.json"

    @property
    def targets(self) -> Path:
        return self.path / "targets.json"

    @property
    def examples(self) -> Path:
        """One row per product of the split: ids, split, labels, price and title columns."""
        return self.path / "examples.parquet"

    @property
    def images(self) -> Path:
        """uint8 (n, side, side, 3), row i = examples row i; memory-mappable with `numpy.load(mmap_mode="r")`."""
        return self.path / "images.npy"

    def model(self, target: str) -> Path:
        return self.path / "models" / f"{target}.keras"

    def probs(self, target: str) -> Path:
        return self.path / "probs" / f"{target}.parquet"

    def target_metrics(self, target: str) -> Path:
        return self.path / "metrics" / f"{target}.json"

    def confusion(self, target: str) -> Path:
        return self.path / "confusion" / f"{target}.png"

    @property
    def stack_results(self) -> Path:
        """The stacking stage's own results (meta-models, comparison, price estimate, or why it was skipped)."""
        return self.path / "stack.json"

    @property
    def metrics(self) -> Path:
        """Assembled once from the stages' results (`run_metrics.assemble_metrics`)."""
        return self.path / "metrics.json"

    @property
    def predictions_csv(self) -> Path:
        return self.path / "predictions.csv"

    @property
    def predictions_parquet(self) -> Path:
        return self.path / "predictions.parquet"

    @property
    def report(self) -> Path:
        return self.path / "report" / "index.html"

    @property
    def promotion(self) -> Path:
        """The decision on this run as a challenger (sneaker_core.governance.promotion)."""
        return self.path / "promotion.json"

    @property
    def drift(self) -> Path:
        """The week's drift figures against the previous week's snapshots (sneaker_core.governance.drift)."""
        return self.path / "drift.json"

    @property
    def forecasts_parquet(self) -> Path:
        return self.path / FORECASTS_PARQUET

    @property
    def forecasts_csv(self) -> Path:
        return self.path / FORECASTS_CSV

    @property
    def backtest(self) -> Path:
        """The forecast stage's backtest, movers, price paths and size curves."""
        return self.path / BACKTEST_JSON

    @property
    def title_model(self) -> Path:
        return self.path / "title_model.joblib"

    @property
    def title_manifest(self) -> Path:
        return self.path / "title_model.json"

    @property
    def decile_edges(self) -> Path:
        return self.path / "decile_edges.json"

    def manifest(self, stage: str) -> Path:
        return self.path / "manifests" / f"{stage}.json"

    def rel(self, path: Path) -> str:
        """`path` relative to the run folder (as manifests and metrics record it)."""
        return Path(path).relative_to(self.path).as_posix()

    # -- stage manifests -----------------------------------------------------------------------------------
    def record(self, stage: str, files: list[Path], **extra: Any) -> dict[str, Any]:
        """Write `manifests/<stage>.json`: the stage's files with their sha256, plus `extra`; returns it."""
        manifest = {"stage": stage, "layout_version": LAYOUT_VERSION,
                    "files": [{"path": self.rel(p), "sha256": sha256_file(p)} for p in files], **extra}
        write_json(self.manifest(stage), manifest)
        return manifest

    def read_manifest(self, stage: str) -> dict[str, Any] | None:
        try:
            manifest = json.loads(self.manifest(stage).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def verify(self, stage: str) -> bool:
        """True when the stage's manifest exists and every file it lists is there with its recorded sha256."""
        manifest = self.read_manifest(stage)
        if manifest is None or manifest.get("layout_version") != LAYOUT_VERSION:
            return False
        files = manifest.get("files") or []
        return all(isinstance(f, dict) and (self.path / str(f.get("path"))).is_file()
                   and sha256_file(self.path / f["path"]) == f.get("sha256") for f in files)

    def trusted(self, stage: str, path: Path) -> Path:
        """`path`, once its sha256 matches the one the stage's manifest recorded; else a one-line error.

        Called before anything that can run code while loading (a pickle) or that a user's folder supplies.
        """
        path = Path(path)
        if not path.is_file():
            raise RunDirError(f"{path} is missing; train the run first")
        manifest = self.read_manifest(stage) or {}
        recorded = {f.get("path"): f.get("sha256") for f in manifest.get("files") or [] if isinstance(f, dict)}
        want = recorded.get(self.rel(path))
        if want is None:
            raise RunDirError(f"{path} is not recorded in {self.manifest(stage)}; refusing to load an unverified "
                              "file (retrain the run)")
        if sha256_file(path) != want:
            raise RunDirError(f"{path} does not match the sha256 in {self.manifest(stage)} (changed or corrupt); "
                              "refusing to load it (retrain the run)")
        return path
