"""What a person watching a run in the Prefect UI sees: progress, per-model counts, metrics.

Plain functions called by the flow (not tasks), so they publish on cached re-runs too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.futures import as_completed

from sneaker_core.rundir import BACKTEST_JSON
from sneaker_core.settings import Settings
from sneaker_core.summary import ORIGINAL, count_rows, metrics_markdown


class StageProgress:
    """A progress artifact that advances as the given futures finish."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self.artifact_id = create_progress_artifact(
            progress=0.0, key="stage-progress", description=f"{stage}: tasks finished"
        )

    def follow(self, futures: dict[str, Any]) -> None:
        total = len(futures) or 1
        for done, _ in enumerate(as_completed(list(futures.values())), start=1):
            update_progress_artifact(self.artifact_id, progress=100.0 * done / total)


def publish_counts(scraped: dict, imaged: dict, sharded: dict, failed: dict[str, str]) -> list[dict[str, Any]]:
    """Table artifact of per-model counts (scraped, priced, labelled ok, images ok/quarantined, examples)."""
    rows = count_rows(scraped, imaged, sharded, failed)
    create_table_artifact(table=rows, key="model-counts", description="Per-model counts of this run")
    return rows


def publish_metrics(settings: Settings, run_id: str, results: dict[str, Any], skipped: dict[str, str]
                    ) -> dict[str, Any]:
    """Markdown artifact: test metrics per target beside the original notebook's numbers (and why a target
    was skipped), and where to look."""
    md = metrics_markdown(settings, run_id, results, skipped)
    create_markdown_artifact(markdown=md, key="run-metrics", description=f"Metrics of run {run_id}")
    return {t: {k: r[k] for k in ("accuracy", "macro_f1", "majority_baseline", "n_test")} for t, r in
            results.items()} | {t: {"skipped": why} for t, why in skipped.items()} | {"original": ORIGINAL}



def publish_movers(forecast: dict[str, Any]) -> list[dict[str, Any]]:
    """Table artifact of the biggest movers (forecast 4 weeks ahead 5 % or more from the last price)."""
    report = json.loads((Path(forecast["folder"]) / BACKTEST_JSON).read_text(encoding="utf-8"))
    rows = [{k: m[k] for k in ("product_id", "title", "model", "last_usd", "forecast_usd", "low_usd", "high_usd",
                               "move_pct", "target_week")} for m in report.get("movers", [])]
    create_table_artifact(table=rows, key="forecast-movers",
                          description=f"Forecast movers (>= 5 % in 4 weeks) from {report['origin_week']}")
    return rows
