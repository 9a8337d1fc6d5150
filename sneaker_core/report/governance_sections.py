"""Report sections of the run's governance: its promotion decision (linking champion and challenger) and the
week's drift. Read from promotion.json / drift.json next to the run; what is absent is said on the page."""

from __future__ import annotations

from sneaker_core.governance import runfiles
from sneaker_core.governance.summaries import drift_rows
from sneaker_core.report.html import Section, join, note, table, tag
from sneaker_core.report.load import RunInputs
from sneaker_core.report.sections import fmt


def _report_link(run_id: str) -> str:
    """A link from this run's report (runs/<run>/report/index.html) to another run's report."""
    return tag("a", run_id, href=f"../../{run_id}/report/index.html")


def promotion_section(run: RunInputs) -> Section:
    sec = Section("promotion", "Champion and challenger")
    data_dir, run_id = run.run_dir.parent.parent, run.run_dir.name
    decision = runfiles.read_promotion(data_dir, run_id)
    if decision is None:
        sec.missing("no promotion.json: this run has not been judged as a challenger (yet)")
        return sec
    champion_now = runfiles.read_champion(data_dir)["run_id"]
    before = decision.get("champion_before")
    if decision["promoted"]:
        sec.add(tag("p", tag("strong", f"PROMOTED ({decision['status']}): this run became the champion.")))
    else:
        sec.add(note(f"NOT PROMOTED: this run is kept but does not serve predictions; {before} stayed the champion."))
        if champion_now == run_id:
            sec.add(tag("p", "It has since been promoted by hand (see `sneaker models show`)."))
    links = [tag("dt", "this run (challenger)"), tag("dd", _report_link(run_id))]
    if before:
        links += [tag("dt", "champion when decided"), tag("dd", _report_link(before))]
    if champion_now:
        links += [tag("dt", "champion now"), tag("dd", _report_link(champion_now))]
    sec.add(tag("dl", join(links), id="champion-links"))
    comparison = decision.get("comparison")
    if comparison:
        sec.add(tag("p", f"{comparison['evaluation_rows']:,} evaluation rows: the challenger's test products that "
                         f"neither run trained or validated on ({comparison['in_champion_train_or_val']:,} of its "
                         f"{comparison['challenger_test']:,} test products left out: the champion trained or "
                         "validated on them).", class_="muted"))
        names = ["n", "challenger_accuracy", "champion_accuracy", "difference", "low", "high"]
        rows = [[target, *(fmt(n, t.get(n)) for n in names), t["verdict"], t.get("truth", "—")]
                for target, t in comparison["targets"].items()]
        sec.add(table(["target", "rows", "challenger", "champion", "difference", "interval low", "interval high",
                       "verdict", "scored against"], rows, id="promotion-table"))
    rule = decision.get("rule", {})
    sec.add(tag("p", f"Rule: promoted when, on every target, the lower end of the {rule.get('confidence', 0):.0%} "
                     f"paired bootstrap interval of (challenger − champion) accuracy is at least "
                     f"−{rule.get('tolerance', 0):.3f}, and the week has no drift warnings.", class_="muted"))
    sec.add(tag("h3", "Reasons"), tag("ul", join(tag("li", r) for r in decision["reasons"]), id="promotion-reasons"))
    return sec


def drift_section(run: RunInputs) -> Section:
    sec = Section("drift", "Week-over-week drift of the snapshots")
    drift = runfiles.read_drift(run.run_dir.parent.parent, run.run_dir.name)
    if drift is None:
        sec.missing("no drift.json: drift was not measured for this run")
        return sec
    for warning in drift["warnings"]:
        sec.add(note(f"Drift warning (blocks promotion): {warning}"))
    rows = drift_rows(drift)
    if rows:
        sec.add(table(list(rows[0]), [list(r.values()) for r in rows], id="drift-table",
                      row_keys=[r["model"] for r in rows]))
    limits = drift.get("thresholds", {})
    sec.add(tag("p", "Thresholds: " + ", ".join(f"{k} {v}" for k, v in limits.items()), class_="muted"))
    return sec


GOVERNANCE_SECTIONS = (promotion_section, drift_section)
