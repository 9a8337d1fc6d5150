"""Title-side benchmark on the real catalog with a product-grouped 70/15/15 split.

Trains the title models (sneaker_core.stacking) on the train part, chooses each condition's blend weights and
interval margin on the validation part (`title_calibrate`: title-only settings on validation rows with their
image URLs blanked), and reports on the test part only, in two conditions: title-only rows (image URLs
blanked: what `sneaker predict CSV` meets on rows without an image) and the rows with their GOAT image URLs
as in the catalog (whose numbers the image-aware estimator reads) — next to the simple reference (word
TF-IDF + logistic regression for the classes, TF-IDF ridge for the dollar estimate; titles only, so the same
in both conditions) and the majority baseline, all measured in the same run on the same rows.

    .venv/bin/python bench/title_model.py [--csv ../shared/data/goat_catalog_2023.csv] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupShuffleSplit

from sneaker_core.catalog import label_catalog
from sneaker_core.scoring import class_scores, price_metrics
from sneaker_core.settings import DEFAULT_PRICE_BAND_EDGES
from sneaker_core.stacking.features import feature_frame
from sneaker_core.stacking.title_calibrate import calibrate, calibrated, condition_views
from sneaker_core.stacking.title_models import (
    CONDITIONS,
    TITLE_ONLY,
    WITH_IMAGE,
    WITH_MARKET,
    TitleModel,
    TitleModelConfig,
)
from sneaker_core.stacking.title_run import evaluate, priced_rows
from sneaker_core.targets import assign_bins, fit_decile_edges
from sneaker_core.titles import normalise_title

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "goat_catalog_2023.csv"
TARGETS = {"decile ≥": 0.32, "within-one ≥": 0.65, "band ≥": 0.45, "MdAPE ≤": 0.28}


def grouped_three_way(groups: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """70/15/15 row indices with every product group on exactly one side."""
    rest, test = next(GroupShuffleSplit(1, test_size=0.15, random_state=seed).split(groups, groups=groups))
    tr, va = next(GroupShuffleSplit(1, test_size=0.15 / 0.85, random_state=seed).split(rest, groups=groups[rest]))
    return rest[tr], rest[va], test


def reference(titles: list[str], prices: np.ndarray, tr: np.ndarray, te: np.ndarray, edges: dict) -> dict:
    """Word TF-IDF + logistic regression (classes) and TF-IDF ridge on log price (dollar estimate)."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform([titles[i] for i in tr])
    Xt = vec.transform([titles[i] for i in te])
    out = {}
    for target, e in edges.items():
        clf = LogisticRegression(C=3.0, max_iter=300).fit(X, assign_bins(prices[tr], e))
        out[target] = class_scores(assign_bins(prices[te], e), clf.predict(Xt))
    est = np.exp(Ridge(alpha=1.0).fit(X, np.log(prices[tr])).predict(Xt))
    out["price_estimate"] = price_metrics(prices[te], est, est, est)
    return out


def shared_key_agreement(keys: pd.Series, prices: np.ndarray, edges: list[float]) -> tuple[int, float, float]:
    """How well rows that share `keys` predict each other: every row of a key with two or more rows is predicted by
    the median price of the key's OTHER rows. Returns (rows, decile accuracy, MdAPE). For exact titles this is a
    ceiling-like figure for any model that reads the title alone: it must give those rows one answer."""
    frame = pd.DataFrame({"key": keys.to_numpy(), "price": prices})
    frame = frame[frame["key"].map(frame["key"].value_counts()) > 1]
    guess = np.array([frame.loc[frame["key"].eq(k) & (frame.index != i), "price"].median()
                      for i, k in frame["key"].items()])
    truth = frame["price"].to_numpy()
    hits = assign_bins(guess, edges) == assign_bins(truth, edges)
    return len(frame), float(hits.mean()), price_metrics(truth, guess, guess, guess)["mdape"]


def print_condition(name: str, ours: dict, ref: dict, raw_coverage: float) -> None:
    """One condition's test figures: the class scores of every model, the dollar estimate, the targets."""
    print(f"\n== {name} ==\n{'':34s} {'accuracy':>9s} {'within1':>8s} {'macroF1':>8s}")
    for target in ("price_decile", "price_band"):
        for label, s in (("majority", ours[target]["majority"]), ("reference tfidf+logreg", ref[target]),
                         ("title classifier", ours[target]["classifier"]),
                         ("title regression", ours[target]["regression"]), ("title blended", ours[target]["blended"])):
            print(f"{target + ' ' + label:34s} {s['accuracy']:9.3f} {s['within_one']:8.3f} {s['macro_f1']:8.3f}")
    e, r = ours["price_estimate"], ref["price_estimate"]
    print(f"dollar estimate: MdAPE {e['mdape']:.1%} (reference {r['mdape']:.1%}), MAE ${e['mae']:,.0f} "
          f"(reference ${r['mae']:,.0f}), 10-90% coverage {e['coverage_10_90']:.1%} "
          f"(uncalibrated {raw_coverage:.1%}; n={e['n']})")
    reached = {"decile ≥": ours["price_decile"]["blended"]["accuracy"],
               "within-one ≥": ours["price_decile"]["blended"]["within_one"],
               "band ≥": ours["price_band"]["blended"]["accuracy"], "MdAPE ≤": e["mdape"]}
    reference = {"decile ≥": ref["price_decile"]["accuracy"], "within-one ≥": ref["price_decile"]["within_one"],
                 "band ≥": ref["price_band"]["accuracy"], "MdAPE ≤": r["mdape"]}
    for k, goal in TARGETS.items():
        better = (lambda a, b: a <= b) if "≤" in k else (lambda a, b: a >= b)
        print(f"target {k} {goal}: {reached[k]:.3f} {'met' if better(reached[k], goal) else 'NOT met'}; "
              f"{'at least as good as' if better(reached[k], reference[k]) else 'WORSE than'} "
              f"the reference ({reference[k]:.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, dropped = priced_rows(label_catalog(args.csv))
    frame, prices, groups = feature_frame(rows), rows["price_usd"].to_numpy(float), rows["group_key"].to_numpy()
    tr, va, te = grouped_three_way(groups, args.seed)
    print(f"{len(rows)} priced rows (dropped {dropped}); grouped split train {len(tr)} / val {len(va)} / "
          f"test {len(te)} rows; {len(set(groups[te]))} test product groups")
    edges = {"price_decile": fit_decile_edges(prices[tr]), "price_band": list(DEFAULT_PRICE_BAND_EDGES)}
    for what, keys in (("exact title", rows["title"]), ("image URL (one product)", rows["image"].where(
            rows["image"].str.startswith("http"), None))):
        n, acc, mdape = shared_key_agreement(keys.dropna(), prices[keys.notna().to_numpy()], edges["price_decile"])
        print(f"rows sharing their {what} with other rows: {n}; the others' median price gets the decile of "
              f"{acc:.3f} of them, MdAPE {mdape:.1%}")

    t1 = time.perf_counter()
    ref = reference([normalise_title(t) for t in rows["title"]], prices, tr, te, edges)
    t_ref = time.perf_counter() - t1
    t1 = time.perf_counter()
    model = TitleModel(edges["price_decile"], edges["price_band"], TitleModelConfig(seed=args.seed))
    model.fit(frame.iloc[tr], prices[tr], groups[tr].tolist())
    chosen = calibrate(model, condition_views(model, frame.iloc[va]), prices[va])
    config = calibrated(model.config_, chosen)
    t_ours = time.perf_counter() - t1
    print(f"settings chosen on validation: {json.dumps(chosen)}")

    names = {TITLE_ONLY: "TITLE-ONLY rows (image URLs blanked; what `sneaker predict CSV` meets)",
             WITH_IMAGE: "rows WITH their GOAT image URLs (as in the catalog)",
             WITH_MARKET: "rows WITH retail price / release date (bench/retail_model.py on the StockX catalog)"}
    for condition, pred in condition_views(model, frame.iloc[te]).items():
        if condition == WITH_MARKET and not pred.market_rows.any():
            continue  # the GOAT catalog has no retail price or release date
        ours = evaluate(model, pred, prices[te], prices[tr], config)
        uncalibrated = pred.estimate(dict.fromkeys(CONDITIONS, 0.0), config.ridge_shares)
        print_condition(names[condition], ours, ref, price_metrics(prices[te], *uncalibrated)["coverage_10_90"])
    print(f"\ntime: title models {t_ours:.0f}s, reference {t_ref:.0f}s ({t_ours / max(t_ref, 1e-9):.1f}x), "
          f"total {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
