"""The report's sections, each built from a run's inputs; what is missing is said on the page."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sneaker_core.report import analysis, plots
from sneaker_core.report.html import Cell, Section, details, table, tag
from sneaker_core.report.load import RunInputs, inside
from sneaker_core.rundir import RunDir

# Validation accuracy of the original notebook (random, leaky 80/20 split, n = 2,386).
ORIGINAL_ACCURACY = {"price_decile": 0.196, "price_band": 0.318, "brand": 0.962, "model": 0.944}
METHOD_ORDER = ("cnn", "title", "pooled", "logreg", "meta_a", "boost", "meta_b", "majority")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def fmt(name: str, value: object) -> Cell:
    """A metric cell formatted by its name: dollars (MAE, *usd), counts (integers; n, n_*, support), percent
    (MdAPE, coverage: stored as fractions), else 3 decimals."""
    x = _number(value)
    if x is None:
        return Cell("—" if value is None else value, num=True)
    if isinstance(value, int):
        return Cell(f"{value:,}", num=True)
    lname = name.lower()
    if "mae" in lname or lname.endswith("usd"):
        return Cell(f"${x:,.2f}", num=True)
    if lname == "n" or lname.startswith("n_") or lname == "support":
        return Cell(f"{x:,.0f}", num=True)
    if "mdape" in lname or "coverage" in lname:
        return Cell(f"{x * 100:.1f} %", num=True)
    return Cell(f"{x:.3f}", num=True)


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _metric_names(entries: list[Mapping]) -> list[str]:
    """Numeric metric names across entries, in first-seen order."""
    return list(dict.fromkeys(k for e in entries for k, v in e.items() if _number(v) is not None))


def metrics_section(run: RunInputs) -> Section:
    sec = Section("metrics", "Test metrics per target (CNNs)")
    rows, keys = [], []
    for target in run.target_names():
        if run.skipped(target) is not None:
            sec.add(tag("p", f"{target}: not trained in this run — {run.skipped(target)}."))
            continue
        m = run.target_metrics(target)
        if not m:
            sec.missing(f"no metrics for {target} in metrics.json")
            continue
        orig = ORIGINAL_ACCURACY.get(target)
        acc = _number(m.get("accuracy"))
        delta = f"{acc - orig:+.3f}" if acc is not None and orig is not None else "—"
        rows.append([target, fmt("accuracy", m.get("accuracy")), fmt("macro_f1", m.get("macro_f1")),
                     fmt("majority", m.get("majority_baseline")), fmt("within", m.get("within_one_bin")),
                     fmt("mae", m.get("dollar_mae_bin_median")), fmt("n_test", m.get("n_test")),
                     fmt("original", orig), Cell(delta, num=True)])
        keys.append(target)
    if rows:
        sec.add(table(["target", "accuracy", "macro F1", "majority baseline", "within one bin",
                       "dollar MAE (bin median)", "n test", "original", "Δ vs original"], rows,
                      id="metrics-table", row_keys=keys))
        sec.add(tag("p", "Original: validation accuracy of the 2019 notebook on a random, leaky 80/20 split "
                         "(n = 2,386); ours are on the held-out, product-grouped test split.", class_="muted"))
    return sec


def _method_rank(method: str) -> tuple[int, str]:
    low = method.lower()
    return next((i for i, key in enumerate(METHOD_ORDER) if key in low), len(METHOD_ORDER) - 1), low


def comparison_section(run: RunInputs) -> Section:
    sec = Section("comparison", "Same test rows: each CNN, title-only, pooled, meta-models, majority")
    comparison = _dict(run.metrics.get("comparison"))
    if not comparison:
        sec.missing("metrics.json has no `comparison` (stacking did not run or failed)")
        return sec
    accuracy: dict[str, dict[str, float | None]] = {}
    targets = [t for t in run.target_names() if t in comparison]
    for target in targets + sorted(str(t) for t in comparison if t not in targets):
        methods = {str(k): _dict(v) for k, v in _dict(comparison[target]).items()}
        order = sorted(methods, key=_method_rank)
        names = _metric_names([methods[m] for m in order])
        sec.add(tag("h3", target), table(["method", *names],
                                         [[m, *(fmt(n, methods[m].get(n)) for n in names)] for m in order],
                                         row_keys=[f"{target}:{m}" for m in order]))
        for m in order:
            accuracy.setdefault(m, {})[str(target)] = _number(methods[m].get("accuracy"))
    frame = pd.DataFrame(accuracy).T
    frame = frame.loc[sorted(frame.index, key=_method_rank)]
    if not frame.empty and frame.notna().any().any():
        sec.add_figure(plots.grouped_bars(frame, list(frame.columns), "Test accuracy by method"),
                       "test accuracy by method and target")
    return sec


def meta_section(run: RunInputs) -> Section:
    sec = Section("meta", "What the predictions publish: every candidate cross-validated on validation rows")
    meta = _dict(run.metrics.get("meta"))
    selection = {str(t): _dict(e) for t, e in _dict(meta.get("selection")).items() if _dict(e)}
    if not selection:
        sec.missing(str(meta["skipped"]) if meta.get("skipped") else
                    "metrics.json has no `meta` selection (stacking did not run or failed)")
        return sec
    lead = [_number(e.get("lead_over_next_cv_accuracy")) for e in selection.values()]
    sec.add(table(["target", "selected for predictions", "lead over the next (CV accuracy)", "validation rows",
                   "folds"],
                  [[t, str(e.get("selected") or "—"), Cell("—" if d is None else f"{d:+.3f}", num=True),
                    fmt("n", e.get("cv_rows")), fmt("n", e.get("cv_folds"))]
                   for (t, e), d in zip(selection.items(), lead, strict=True)],
                  id="selection-table", row_keys=[f"selection:{t}" for t in selection]))
    settings = _dict(meta.get("settings"))
    for target, entry in selection.items():
        candidates = {str(k): _dict(v) for k, v in _dict(entry.get("candidates")).items()}
        names = _metric_names(list(candidates.values()))
        rows = [[f"{name} (published)" if name == entry.get("selected") else name,
                 *(fmt(n, c.get(n)) for n in names), str(c.get("failed") or _dict(settings.get(target)).get(name)
                                                         or "")]
                for name, c in candidates.items()]
        sec.add(tag("h3", target), table(["candidate", *names, "settings chosen / why out"], rows,
                                         row_keys=[f"candidate:{target}:{n}" for n in candidates]))
    sec.add(tag("p", "cv_*: grouped out-of-fold scores on the validation rows, where the choice is made; "
                     "test_accuracy: the same candidate refit on all validation rows, scored on the test rows, "
                     "which no choice reads.", class_="muted"))
    return sec


def price_section(run: RunInputs) -> Section:
    sec = Section("price", "Dollar estimate (log-price regressor, 10–90 % interval)")
    stored = _dict(run.metrics.get("price_estimate"))
    recomputed, errors, which = {}, None, ""
    try:
        test_rows, which = analysis.test_predictions(run)
        errors = analysis.price_errors(test_rows)
        if errors.empty:
            raise ValueError("no test rows with a positive true price and estimate")
        recomputed = analysis.price_summary(errors)
    except ValueError as exc:
        sec.missing(f"predicted-vs-actual plot: {exc}")
    if stored or recomputed:
        names = ["mdape", "mae", "coverage_10_90", "n"]
        run_files = RunDir(run.run_dir)
        rows = [[run_files.metrics.name, *(fmt(n, stored.get(n)) for n in names)]] if stored else []
        if recomputed:
            rows.append([f"{run_files.predictions_csv.name}, {which}", *(fmt(n, recomputed.get(n)) for n in names)])
        sec.add(table(["source", "MdAPE", "MAE", "10–90 % coverage", "rows"], rows, id="price-table"))
    if not stored:
        sec.missing("metrics.json has no `price_estimate`")
    if errors is not None and not errors.empty:
        sec.add_figure(plots.price_scatter(errors), "estimated vs actual price, log-log")
        sec.add_figure(plots.ape_histogram(errors), "histogram of absolute percentage errors")
        worst = errors.sort_values("ape", ascending=False).head(12)
        sec.add(tag("h3", "Largest misses"), table(
            ["product", "title", "actual", "estimate", "10–90 % interval", "net payout", "error"],
            [[r.product_id, r.title if isinstance(getattr(r, "title", None), str) else "",
              fmt("usd", r.true_price_usd), fmt("usd", r.price_estimate_usd),
              Cell(f"${r.price_low_usd:,.0f}–${r.price_high_usd:,.0f}" if pd.notna(r.inside) else "—", num=True),
              fmt("usd", getattr(r, "net_payout_usd", None)), fmt("mdape", r.ape)] for r in worst.itertuples()],
            id="misses-table"))
    schedule = _dict(_dict(run.metrics.get("net_payout")).get("schedule"))
    if schedule:
        sec.add(tag("p", "Net payout: what the seller receives at the estimate after the marketplace's fees "
                    f"({schedule.get('commission_rate', 0) * 100:.1f} % commission, "
                    f"${schedule.get('seller_fee_usd', 0):,.2f} seller fee, "
                    f"{schedule.get('cashout_rate', 0) * 100:.1f} % cash-out), in predictions.csv "
                    "as net_payout_usd."))
    elif errors is not None and not errors.empty:
        sec.missing("metrics.json has no `net_payout` schedule (a run from before net payouts)")
    return sec


def confusion_section(run: RunInputs) -> Section:
    sec = Section("confusion", "Confusion matrices (test split)")
    for target in run.trained_names():
        rel = str(run.target_metrics(target).get("confusion_png") or f"confusion/{target}.png")
        path = inside(run.run_dir, rel)
        if path is None or not path.is_file():
            sec.missing(f"{target}: {rel} " + ("points outside the run directory" if path is None else "not found"))
            continue
        try:
            sec.add_figure(path.read_bytes(), f"confusion matrix of {target}", target)
        except (OSError, ValueError) as exc:
            sec.missing(f"{target}: {rel} unusable ({exc})")
    return sec


def per_model_section(run: RunInputs) -> Section:
    sec = Section("per-model", "Accuracy per true sneaker model (CNNs, test split)")
    models, reason = analysis.true_models(run)
    if models is None:
        sec.missing(f"true sneaker model per product: {reason}")
        return sec
    frame = analysis.per_model_accuracy(run, models)
    targets = [t for t in run.probs if t in frame.columns]
    if frame.empty or not targets:
        sec.missing("no CNN probabilities (probs/<target>.parquet) to score per model")
        return sec
    headers = ["model", *(h for t in targets for h in (t, f"{t} n"))]
    rows = [[model, *(c for t in targets for c in (fmt(t, r[t]), fmt("n", r[f"{t}_n"])))]
            for model, r in frame.iterrows()]
    sec.add(table(headers, rows, id="per-model-table"))
    sec.add_figure(plots.grouped_bars(frame[targets], targets, "Test accuracy per sneaker model"),
                   "accuracy per sneaker model")
    return sec


def calibration_section(run: RunInputs) -> Section:
    sec = Section("calibration", "Calibration (reliability of max-probability confidence, test split)")
    curves, rows = {}, []
    for target in run.trained_names():
        probs = run.probs.get(target)
        if probs is None:
            sec.missing(f"{target}: no probs/{target}.parquet")
            continue
        try:
            bins, ece = analysis.calibration(probs)
        except ValueError as exc:
            sec.missing(f"{target}: {exc}")
            continue
        curves[target] = (bins, ece)
        n = int(bins["n"].sum())
        rows.append([target, fmt("ece", ece), fmt("conf", (bins["confidence"] * bins["n"]).sum() / n),
                     fmt("acc", (bins["accuracy"] * bins["n"]).sum() / n), fmt("n", n)])
    if curves:
        sec.add(table(["target", "ECE", "mean confidence", "accuracy", "n"], rows, id="calibration-table"))
        sec.add_figure(plots.calibration_figure(curves), "reliability diagrams per target")
    return sec


def per_class_section(run: RunInputs) -> Section:
    sec = Section("per-class", "Per-class precision and recall (test split)")
    for target in run.trained_names():
        per_class = _dict(run.target_metrics(target).get("per_class"))
        if not per_class:
            sec.missing(f"{target}: no per-class scores in metrics.json")
            continue
        names = ["precision", "recall", "f1", "support"]
        body = table(["class", *names], [[c, *(fmt(n, _dict(v).get(n)) for n in names)] for c, v in per_class.items()])
        sec.add(details(f"{target} ({len(per_class)} classes)", body))
    return sec


def curves_section(run: RunInputs) -> Section:
    sec = Section("curves", "Training curves (loss and accuracy per epoch, train and validation)")
    histories = {}
    for target in run.trained_names():
        history = _dict(run.target_metrics(target).get("history"))
        if not history.get("loss"):
            sec.missing(f"{target}: no training history in metrics.json")
            continue
        histories[target] = history
    if histories:
        rows = [[t, run.target_metrics(t).get("started_from") or "scratch", fmt("n", len(h["loss"])),
                 fmt("loss", min(h.get("val_loss") or [math.nan])), fmt("acc", max(h.get("val_accuracy") or [math.nan]))]
                for t, h in histories.items()]
        sec.add(table(["target", "started from", "epochs run", "best val loss", "best val accuracy"], rows,
                      id="curves-table"))
        sec.add_figure(plots.training_curves(histories), "loss and accuracy per epoch for each target")
    return sec


def inputs_section(run: RunInputs) -> Section:
    sec = Section("inputs", "Missing inputs")
    if run.missing:
        sec.add(table(["file", "why"], sorted(run.missing.items()), id="missing-table"))
    else:
        sec.add(tag("p", "All inputs were present and readable."))
    return sec


SECTIONS = (metrics_section, comparison_section, meta_section, price_section, confusion_section,
            curves_section, per_model_section, calibration_section, per_class_section, inputs_section)
