"""What the person on call sees of governance in Prefect: the week's drift table, the promotion decision, and a
`sneaker.promotion.refused` event an automation can act on.

Plain functions called by the flow (not tasks): the decision depends on the champion at the time of the call,
so it must never come from a cache.
"""

from __future__ import annotations

from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.events import emit_event

from sneaker_core.governance.summaries import (
    drift_rows,
    judge_run,
    promotion_markdown,
    record_drift,
    refusal_event,
)
from sneaker_core.settings import Settings


def publish_drift(settings: Settings, run_id: str, week: str, models: list[str]) -> dict[str, Any]:
    """Week-over-week drift per model, recorded with the run and shown as a table artifact."""
    drift = record_drift(settings, run_id, week, models)
    create_table_artifact(table=drift_rows(drift), key="week-drift",
                          description=f"Drift of week {week} against each model's previous snapshot "
                                      f"({len(drift['warnings'])} warnings: they block promotion)")
    return drift


def publish_promotion(settings: Settings, run_id: str) -> dict[str, Any]:
    """Decide champion or not; a markdown artifact always, an event when a new decision refuses the promotion
    (a cached re-run of the same run reports its recorded decision and does not alert again)."""
    decision, new = judge_run(settings, run_id)
    create_markdown_artifact(markdown=promotion_markdown(decision, settings.data_dir), key="promotion",
                             description=f"Promotion decision of run {run_id}")
    event = refusal_event(decision)
    if event is not None and new:
        emit_event(**event)
    return decision
