"""Test-split comparison, the predictions tables and the stacking stage's results for the meta-models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sneaker_core.atomic import sha256_file, write_json
from sneaker_core.rundir import RunDir
from sneaker_core.scoring import class_scores, majority_scores
from sneaker_core.stacking.estimate import price_metrics
from sneaker_core.stacking.predictions import TargetOutput, tidy_table, wide_table, write_csv, write_parquet
from sneaker_core.targets import PRICE_TARGETS, TARGETS

META_KINDS = ("logreg", "boosted")


def _cnn_proba(result: dict, target: str) -> np.ndarray:
    spec = result["specs"][target]
    df = result["probs"][target].drop_duplicates("product_id").set_index("product_id")
    p = df[[f"p__{c}" for c in spec.classes]].reindex(result["rows"]["test"]["product_id"].tolist())
    return p.fillna(1.0 / len(spec.classes)).to_numpy(float)


def comparison(result: dict) -> dict:
    """Per price target, on the same TEST rows: each CNN alone, title-only, meta A, meta B, majority."""
    out: dict = {}
    for target in PRICE_TARGETS:
        true = result["truth"]["test"][target]
        rows = {f"cnn_{target}": class_scores(true, _cnn_proba(result, target).argmax(1))}
        title_cols = [c for c in result["X"]["test"].columns if c.startswith(f"title_{target}__")]
        rows["title_only"] = class_scores(true, result["X"]["test"][title_cols].to_numpy().argmax(1))
        for kind in META_KINDS:
            rows[f"meta_{kind}"] = class_scores(true, result["test_proba"][(kind, target)].argmax(1))
        rows["majority"] = majority_scores(result["train_truth"][target], true)
        out[target] = rows
    for target in [t for t in ("model", "brand") if t in result["probs"]]:
        out[target] = {f"cnn_{target}": class_scores(result["truth"]["test"][target],
                                                     _cnn_proba(result, target).argmax(1))}
    return out


def selected_kind(result: dict, target: str) -> str:
    """The meta-model with the better VAL cross-validation accuracy (ties: logistic regression)."""
    cv = {k: result["models"][k][target]["cv_accuracy"] or 0.0 for k in META_KINDS}
    return max(META_KINDS, key=lambda k: (cv[k], k == "logreg"))


def write_outputs(run: RunDir, result: dict) -> dict:
    """Write predictions (tidy parquet + wide CSV) for TEST rows and the stage's results (stack.json)."""
    test = result["rows"]["test"]
    specs = result["specs"]
    chosen = {t: selected_kind(result, t) for t in PRICE_TARGETS}
    outputs = {t: TargetOutput(specs[t].classes, result["test_proba"][(chosen[t], t)], result["truth"]["test"][t])
               for t in PRICE_TARGETS}
    for t in [t for t in ("model", "brand") if t in result["probs"]]:
        outputs[t] = TargetOutput(specs[t].classes, _cnn_proba(result, t), result["truth"]["test"][t])
    est, low, high = result["estimate"]
    base = pd.DataFrame({"product_id": test["product_id"].to_numpy(), "title": test["title"].to_numpy(),
                         "true_price_usd": test["price"].to_numpy(float)})
    wide = wide_table(base, outputs).assign(price_estimate_usd=est.round(2), price_low_usd=low.round(2),
                                            price_high_usd=high.round(2))
    wide_path = write_csv(wide, run.predictions_csv)
    tidy_path = write_parquet(tidy_table(base["product_id"], base["title"], outputs), run.predictions_parquet)

    priced = test["price"].to_numpy(float) > 0
    estimate = {**price_metrics(test["price"].to_numpy(float)[priced], est[priced], low[priced], high[priced]),
                "interval_log_margin": round(float(result["interval_margin"]), 4)}
    comp = comparison(result)
    meta = {kind: {t: {**result["models"][kind][t], "test": comp[t][f"meta_{kind}"]} for t in PRICE_TARGETS}
            for kind in META_KINDS}
    meta["selected_for_predictions"] = chosen
    meta["fit_on"] = "val"
    meta["evaluated_on"] = "test"
    results_path = write_json(run.stack_results, {"meta": meta, "price_estimate": estimate, "comparison": comp})
    return {
        "predictions_csv": str(wide_path), "predictions_parquet": str(tidy_path), "results": str(results_path),
        "n_val": len(result["rows"]["val"]), "n_test": len(test), "selected": chosen,
        "targets": [t for t in TARGETS if t in outputs],
        "test_accuracy": {t: comp[t][f"meta_{chosen[t]}"]["accuracy"] for t in PRICE_TARGETS},
        "price_estimate": estimate,
        # what the report reads: its cache key holds this manifest, so any change in these files rebuilds it
        "sha256": {p.name: sha256_file(p) for p in (wide_path, tidy_path, results_path)},
    }
