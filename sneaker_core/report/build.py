"""Build `<run_dir>/report/index.html`: one self-contained page (inline CSS, images as data URIs, no JS)."""

from __future__ import annotations

from datetime import UTC, datetime

from sneaker_core.atomic import sha256_bytes, write_bytes
from sneaker_core.report.forecast_sections import FORECAST_SECTIONS
from sneaker_core.report.governance_sections import GOVERNANCE_SECTIONS
from sneaker_core.report.html import Section, page
from sneaker_core.report.load import RunInputs, load_run
from sneaker_core.report.sections import SECTIONS
from sneaker_core.rundir import RunDir


def _facts(run: RunInputs, now: datetime) -> dict[str, str]:
    data = run.metrics.get("data") if isinstance(run.metrics.get("data"), dict) else {}
    facts = {"run": run.run_dir.name}
    for key, label in (("n_train", "train"), ("n_val", "validation"), ("n_test", "test")):
        value = data.get(key)
        facts[label] = f"{value:,}" if isinstance(value, int) else "—"
    if data.get("split_digest"):
        facts["split"] = str(data["split_digest"])[:12]
    metrics_file = RunDir(run.run_dir).metrics
    if metrics_file.is_file():
        written = datetime.fromtimestamp(metrics_file.stat().st_mtime, UTC)
        facts["metrics written"] = written.strftime("%Y-%m-%d %H:%M UTC")
    facts["report built"] = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return facts


def _build_section(builder, run: RunInputs) -> Section:
    """One section; a failure inside it (an unexpected shape in some file) is reported on the page, not raised."""
    try:
        return builder(run)
    except Exception as exc:  # noqa: BLE001 - one bad input must not sink the whole report
        name = builder.__name__.removesuffix("_section").replace("_", "-")
        sec = Section(name, name.replace("-", " ").capitalize())
        sec.missing(f"could not be built ({type(exc).__name__}: {str(exc)[:200]})")
        return sec


def build_report(folder: RunDir, *, now: datetime | None = None) -> dict:
    """Render the run's report atomically; returns its path, sha256, embedded image count and per-section status
    (`available`, and `missing` reasons). A folder that is not a run is refused (`RunDirError`)."""
    run = load_run(folder)
    sections = [_build_section(builder, run) for builder in (*GOVERNANCE_SECTIONS, *FORECAST_SECTIONS, *SECTIONS)]
    html = page(f"Sneaker price forecaster — run {run.run_dir.name}", _facts(run, now or datetime.now(UTC)),
                sections).encode("utf-8")
    path = write_bytes(folder.report, html)
    return {
        "path": str(path),
        "sha256": sha256_bytes(html),
        "bytes": len(html),
        "images": sum(s.images for s in sections),
        "sections": [s.summary() for s in sections],
        "missing_inputs": dict(sorted(run.missing.items())),
    }


def finish_run(folder: RunDir) -> dict:
    """The run's last stage: assemble metrics.json from the stages' results, then build the report."""
    from sneaker_core.run_metrics import assemble_metrics

    assemble_metrics(folder)
    result = build_report(folder)
    folder.record("report", [folder.metrics, folder.report])
    return result
