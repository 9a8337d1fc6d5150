"""Governance outcomes as the flow publishes them: the week's drift (recorded with the run, as table rows) and
the promotion decision (as markdown and as the payload of a refusal event)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sneaker_core.governance import runfiles
from sneaker_core.governance.drift import Thresholds, week_drift
from sneaker_core.governance.promotion import REFUSED, decide

REFUSED_EVENT = "sneaker.promotion.refused"


def record_drift(settings: Any, run_id: str, week: str, models: list[str]) -> dict[str, Any]:
    """Drift of the run's models against their previous snapshots, written to the run's drift.json."""
    drift = week_drift(Path(settings.data_dir), week, models, Thresholds.from_settings(settings))
    runfiles.write_drift(Path(settings.data_dir), run_id, drift)
    return drift


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:+.1%}"


def _num(x: float | None, fmt: str = ".3f") -> str:
    return "-" if x is None else format(x, fmt)


def drift_rows(drift: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per model: baseline week, listings, changes, PSIs and its warnings."""
    rows = []
    for model, d in drift["models"].items():
        listings, medians = d.get("listings") or [None, None], d.get("median_price") or [None, None]
        rows.append({"model": model, "baseline": d.get("baseline_week") or d["status"],
                     "listings": f"{listings[0]} -> {listings[1]}" if listings[0] is not None else "-",
                     "count change": _pct(d.get("count_change")), "unpriced change": _pct(d.get("unpriced_change")),
                     "median price": f"{_num(medians[0], ',.0f')} -> {_num(medians[1], ',.0f')}",
                     "median change": _pct(d.get("median_change")), "price PSI": _num(d.get("price_psi")),
                     "label PSI": _num(d.get("label_psi")), "warnings": "; ".join(d["warnings"]) or "none"})
    return rows


def judge_run(settings: Any, run_id: str) -> tuple[dict[str, Any], bool]:
    """The promotion decision for a finished run and whether it is new (see `promotion.decide`)."""
    return decide(Path(settings.data_dir), run_id, settings)


def refusal_event(decision: dict[str, Any]) -> dict[str, Any] | None:
    """The event a refused promotion emits (name, resource, payload), or None when the run was promoted."""
    if decision["status"] != REFUSED:
        return None
    causes = sorted({"drift" if r.startswith("drift: ") else "worse model" for r in decision["reasons"]})
    return {"event": REFUSED_EVENT,
            "resource": {"prefect.resource.id": f"sneaker.run.{decision['run_id']}",
                         "prefect.resource.name": decision["run_id"]},
            "payload": {"causes": causes, "reasons": decision["reasons"],
                        "champion": decision["champion_before"]}}


def promotion_markdown(decision: dict[str, Any], data_dir: Path) -> str:
    """The decision as a Prefect markdown artifact: outcome, per-target figures, reasons, where the reports are."""
    run_id, champion = decision["run_id"], decision.get("champion_before")
    head = "PROMOTED: now the champion" if decision["promoted"] else f"NOT PROMOTED: {champion} stays the champion"
    lines = [f"# Promotion of `{run_id}`: {head}", "", (f"Decision: **{decision['status']}** "
             f"(champion before: `{champion or 'none'}`)"), ""]
    comparison = decision.get("comparison")
    if comparison:
        lines += [(f"{comparison['evaluation_rows']:,} evaluation rows: the challenger's test products that neither "
                  f"run trained or validated on ({comparison['in_champion_train_or_val']:,} left out)."), "",
                  "| target | rows | challenger | champion | difference | interval | verdict |",
                  "|---|---|---|---|---|---|---|"]
        for target, t in comparison["targets"].items():
            if "difference" in t:
                lines.append(f"| {target} | {t['n']:,} | {t['challenger_accuracy']:.3f} | {t['champion_accuracy']:.3f}"
                             f" | {t['difference']:+.3f} | [{t['low']:+.3f}, {t['high']:+.3f}] | {t['verdict']} |")
            else:
                lines.append(f"| {target} | {t['n']:,} | - | - | - | - | {t['verdict']} |")
        lines.append("")
    lines += ["Reasons:", *(f"- {r}" for r in decision["reasons"]), ""]
    runs = runfiles.runs_root(Path(data_dir)).resolve()
    lines.append(f"Challenger report: `{runs / run_id / 'report' / 'index.html'}`")
    if champion:
        lines.append(f"Champion report: `{runs / champion / 'report' / 'index.html'}`")
    return "\n".join(lines)
