"""Run summaries for people: per-model counts and a metrics table beside the original notebook's numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sneaker_core.rundir import RunDir

ORIGINAL = {"price_decile": 0.196, "price_band": 0.318, "model": 0.944, "brand": 0.962}


def count_rows(scraped: dict, imaged: dict, sharded: dict, failed: dict[str, str]) -> list[dict[str, Any]]:
    """One row per model: scraped, priced, labelled ok, images ok/quarantined, shard examples, outcome."""
    rows = []
    for model in sorted({*scraped, *imaged, *sharded, *failed}):
        s, i, h = scraped.get(model, {}), imaged.get(model, {}), sharded.get(model, {})
        statuses = s.get("statuses", {})
        rows.append({
            "model": model,
            "scraped": s.get("rows", 0),
            "priced": s.get("priced", 0),
            "labelled_ok": statuses.get("ok", 0) + statuses.get("relabelled", 0),
            "images_ok": i.get("ok", 0),
            "images_quarantined": i.get("quarantined", 0),
            "shard_examples": h.get("examples", 0),
            "outcome": "ok" if model not in failed else failed[model].splitlines()[0][:160],
        })
    return rows


def metrics_markdown(settings: Any, run_id: str, results: dict[str, dict[str, Any]],
                     skipped: dict[str, str] | None = None) -> str:
    """A markdown table of test metrics per target (skipped targets with their reason), the original's
    accuracy, and the report's location."""
    lines = [
        f"# Run `{run_id}`",
        "",
        "| target | test accuracy | macro F1 | majority baseline | original notebook | n test |",
        "|---|---|---|---|---|---|",
    ]
    for target, r in results.items():
        lines.append(
            f"| {target} | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['majority_baseline']:.3f} "
            f"| {ORIGINAL.get(target, float('nan')):.3f} | {r['n_test']} |"
        )
    for target, why in (skipped or {}).items():
        lines.append(f"| {target} | skipped: {why} | | | {ORIGINAL.get(target, float('nan')):.3f} | 0 |")
    report = RunDir.for_id(Path(settings.data_dir).resolve(), run_id).report
    lines += ["", f"Report: `{report}`", "",
              "The original's figures were on a random split that leaked products; ours are on a grouped test split."]
    return "\n".join(lines)
