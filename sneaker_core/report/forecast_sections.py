"""The report's forecast sections, drawn from the forecast stage's backtest.json: the backtest against
persistence, the biggest movers with their price-path fans, and the size curves per model."""

from __future__ import annotations

from sneaker_core.forecast.models import METHODS
from sneaker_core.forecast.movers import MOVE_ALERT, MOVER_HORIZON
from sneaker_core.report.forecast_plots import fan_chart, size_curve_chart
from sneaker_core.report.html import Cell, Section, table, tag
from sneaker_core.report.load import RunInputs

MOVERS_SHOWN = 20


def _pct(value: object) -> Cell:
    return Cell(f"{value:.1f} %" if isinstance(value, int | float) else "—", num=True)


def _usd(value: object) -> Cell:
    return Cell(f"${value:,.2f}" if isinstance(value, int | float) else "—", num=True)


def _size_order(size: str) -> tuple[int, float, str]:
    """Numeric sizes by value, then labels such as `8.5Y` by text."""
    try:
        return 0, float(size), size
    except ValueError:
        return 1, 0.0, size


def forecast_section(run: RunInputs) -> Section:
    sec = Section("forecast", f"Price forecasts (1–8 weeks, 80 % interval) and movers (≥ {MOVE_ALERT:.0%} in "
                              f"{MOVER_HORIZON} weeks)")
    fc = run.forecast
    if not fc:
        sec.missing("backtest.json is not in the run folder (no forecast stage in this run)")
        return sec
    counts = fc.get("counts") or {}
    sec.add(tag("p", f"Origin week {fc.get('origin_week')}: {counts.get('forecast', 0)} products forecast, "
                     f"{counts.get('cold_start', 0)} new releases from the stacking's estimate (cold start), "
                     f"{counts.get('no_history_no_estimate', 0)} never priced without an estimate, "
                     f"{(fc.get('sizes') or {}).get('product_sizes', 0)} product-sizes."))
    evaluation, choice = fc.get("evaluation") or {}, fc.get("choice") or {}
    if evaluation:
        methods = [m for m in METHODS if any(m in e for e in evaluation.values())]
        rows = []
        for h, e in sorted(evaluation.items(), key=lambda kv: int(kv[0])):
            gain = (1 - e["chosen"] / e["persistence"]) * 100 if e.get("persistence") else None
            rows.append([h, (choice.get(h) or {}).get("method", "—"), *(_pct(e.get(m)) for m in methods),
                         _pct(e.get("chosen")), _pct(gain), _pct(e.get("coverage")), Cell(e.get("n"), num=True)])
        sec.add(tag("h3", "Backtest over the last 8 origins (median absolute % error)"), table(
            ["horizon (weeks)", "method chosen", *methods, "chosen", "better than persistence",
             "80 % interval coverage", "forecasts judged"], rows, id="forecast-backtest-table"))
    else:
        sec.missing("the history is too short to judge forecasts on past weeks")
    movers = fc.get("movers") or []
    if movers:
        sec.add(tag("h3", f"Biggest movers ({len(movers)})"), table(
            ["product", "title", "model", "last ask", f"forecast {MOVER_HORIZON} wk",
             "80 % interval", "move"],
            [[m["product_id"], m["title"], m["model"], _usd(m["last_usd"]), _usd(m["forecast_usd"]),
              Cell(f"${m['low_usd']:,.0f}–${m['high_usd']:,.0f}", num=True), Cell(f"{m['move_pct']:+.1f} %", num=True)]
             for m in movers[:MOVERS_SHOWN]], id="movers-table"))
        paths = fc.get("paths") or {}
        if paths:
            titles = {m["product_id"]: m["title"] for m in movers}
            sec.add_figure(fan_chart(paths, titles), "price paths of the top movers with their forecast fans",
                           "weekly lowest ask, forecast median and 80 % interval")
    else:
        sec.add(tag("p", f"No product's forecast moves {MOVE_ALERT:.0%} or more in {MOVER_HORIZON} weeks."))
    return sec


def size_curves_section(run: RunInputs) -> Section:
    sec = Section("size-curves", "Size curves per model (this week's size asks)")
    curves = ((run.forecast or {}).get("size_curves") or {}).get("models") or {}
    if not curves:
        sec.missing("no size asks were scraped for this run's week")
        return sec
    sec.add_figure(size_curve_chart(curves), "size curves per model")
    sizes = sorted({s for c in curves.values() for s in c}, key=_size_order)
    sec.add(table(["model", *sizes], [[model, *(Cell(f"{c[s]:.3f}" if s in c else "—", num=True) for s in sizes)]
                                      for model, c in sorted(curves.items())], id="size-curves-table"))
    return sec


FORECAST_SECTIONS = (forecast_section, size_curves_section)
