"""Test-split comparison of every candidate, the predictions tables (the selected candidates' predictions) and
the stacking stage's results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sneaker_core.atomic import sha256_file, write_json
from sneaker_core.payout import net_payouts
from sneaker_core.rundir import RunDir
from sneaker_core.scoring import class_scores, majority_scores, price_metrics
from sneaker_core.stacking.candidates import BOOSTED_PARAMS
from sneaker_core.stacking.predictions import TargetOutput, tidy_table, wide_table, write_csv, write_parquet
from sneaker_core.targets import PRICE_TARGETS, TARGETS


def _cnn_proba(result: dict, target: str) -> np.ndarray:
    spec = result["specs"][target]
    df = result["probs"][target].drop_duplicates("product_id").set_index("product_id")
    p = df[[f"p__{c}" for c in spec.classes]].reindex(result["rows"]["test"]["product_id"].tolist())
    return p.fillna(1.0 / len(spec.classes)).to_numpy(float)


def comparison(result: dict) -> dict:
    """Per price target, on the same TEST rows: every candidate of the competition and the majority baseline;
    per label target, its CNN."""
    out: dict = {}
    for target in PRICE_TARGETS:
        true = result["truth"]["test"][target]
        rows = {name: class_scores(true, result["test_proba"][(name, target)].argmax(1))
                for name in result["competitions"][target].fitted}
        rows["majority"] = majority_scores(result["train_truth"][target], true)
        out[target] = rows
    for target in [t for t in ("model", "brand") if t in result["probs"]]:
        out[target] = {f"cnn_{target}": class_scores(result["truth"]["test"][target],
                                                     _cnn_proba(result, target).argmax(1))}
    return out


def _settings(fitted: dict) -> dict:
    """What each fitted candidate chose on VAL (the logistic regression's grid point, the pooling weights) or the
    boosted meta-model's fixed settings."""
    out = {}
    for name, model in fitted.items():
        if hasattr(model, "best_params_"):
            out[name] = {"params": {k.rsplit("__", 1)[-1]: v for k, v in model.best_params_.items()}}
        elif hasattr(model, "weights_"):
            out[name] = {"weights": [round(w, 4) for w in model.weights_]}
        elif name == "meta_boosted":
            out[name] = {"params": {k: model.get_params()[k] for k in BOOSTED_PARAMS}}
    return out


def meta_metrics(result: dict, comp: dict) -> dict:
    """metrics.json's `meta`: per price target the competition (each candidate's VAL cross-validation scores
    beside its TEST accuracy, the winner and its lead), the dollar estimate's choice, the settings chosen."""
    selection = {}
    for target in PRICE_TARGETS:
        summary = result["competitions"][target].summary()
        for name, scores in summary["candidates"].items():
            if name in comp[target]:
                scores["test_accuracy"] = comp[target][name]["accuracy"]
        selection[target] = summary
    selection["price_estimate"] = result["estimate_selection"]
    return {
        "selection": selection,
        "selected_for_predictions": {t: s["selected"] for t, s in selection.items()},
        "settings": {**{t: _settings(result["competitions"][t].fitted) for t in PRICE_TARGETS},
                     "title_model": result["title_info"]},
        "fit_on": "val", "evaluated_on": "test",
    }


def write_outputs(run: RunDir, result: dict) -> dict:
    """Write predictions (tidy parquet + wide CSV) for TEST rows and the stage's results (stack.json)."""
    test = result["rows"]["test"]
    specs = result["specs"]
    chosen = {t: result["competitions"][t].selected for t in PRICE_TARGETS}
    outputs = {t: TargetOutput(specs[t].classes, result["test_proba"][(chosen[t], t)], result["truth"]["test"][t])
               for t in PRICE_TARGETS}
    for t in [t for t in ("model", "brand") if t in result["probs"]]:
        outputs[t] = TargetOutput(specs[t].classes, _cnn_proba(result, t), result["truth"]["test"][t])
    est, low, high = result["estimate"]
    base = pd.DataFrame({"product_id": test["product_id"].to_numpy(), "title": test["title"].to_numpy(),
                         "true_price_usd": test["price"].to_numpy(float)})
    wide = wide_table(base, outputs).assign(price_estimate_usd=est.round(2), price_low_usd=low.round(2),
                                            price_high_usd=high.round(2))
    wide["net_payout_usd"] = net_payouts(wide["price_estimate_usd"], result["fee_schedule"])
    wide_path = write_csv(wide, run.predictions_csv)
    tidy_path = write_parquet(tidy_table(base["product_id"], base["title"], outputs), run.predictions_parquet)

    priced = test["price"].to_numpy(float) > 0
    estimate = {**price_metrics(test["price"].to_numpy(float)[priced], est[priced], low[priced], high[priced]),
                "interval_log_margin": result["estimate_selection"]["interval_log_margin"],
                "source": result["estimate_selection"]["selected"]}
    comp = comparison(result)
    meta = meta_metrics(result, comp)
    net_payout = {"schedule": result["fee_schedule"].to_json(), "column": "net_payout_usd of the predictions CSV",
                  "of": "price_estimate_usd"}
    results_path = write_json(run.stack_results, {"meta": meta, "price_estimate": estimate, "comparison": comp,
                                                  "net_payout": net_payout})
    return {
        "predictions_csv": str(wide_path), "predictions_parquet": str(tidy_path), "results": str(results_path),
        "n_val": len(result["rows"]["val"]), "n_test": len(test), "selected": meta["selected_for_predictions"],
        "targets": [t for t in TARGETS if t in outputs],
        "test_accuracy": {t: comp[t][chosen[t]]["accuracy"] for t in PRICE_TARGETS},
        "selection": meta["selection"],
        "price_estimate": estimate,
        # what the report reads: its cache key holds this manifest, so any change in these files rebuilds it
        "sha256": {p.name: sha256_file(p) for p in (wide_path, tidy_path, results_path)},
    }
