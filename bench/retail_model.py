"""Retail price and release date in the title models, on the real StockX catalog (April 2023).

On a product-grouped 70/15/15 split (`title_model.grouped_three_way`, groups from `titles.group_key`), the
title models' settings (blend weights, ridge share, interval margin) are chosen per condition on grouped
out-of-fold predictions of train + validation, then the models are fit with them on train + validation
(`title_run.calibrated_oof` and `fit_title_model`, as `sneaker train-titles` does on all rows), and the dollar
estimate (lowest ask) scored on test: from
the title alone (+ brand; retail and release blanked) and from title + brand + retail + release date — beside a
ridge regression on title word n-grams (TF-IDF, log price) fit on train + validation and measured on the same
rows in the same run. Features are the title, brand, retail price and release date only;
the catalog's market-side columns (asks, bids, sales, last sale, volatility, premium, ...) are never read
(`stockx_rows` drops them). Age is taken at a fixed as-of date, AS_OF: the snapshot is from around April 2023.

    .venv/bin/python bench/retail_model.py [--csv ../shared/data/stockx_catalog_2023.csv] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge

sys.path.insert(0, str(Path(__file__).resolve().parent))
from title_model import grouped_three_way

from sneaker_core.catalog import label_with_search
from sneaker_core.csv_files import read_csv_table
from sneaker_core.registry import load_models
from sneaker_core.scoring import price_metrics
from sneaker_core.stacking.features import feature_frame
from sneaker_core.stacking.title_calibrate import condition_views
from sneaker_core.stacking.title_models import TITLE_ONLY, WITH_MARKET, TitleModelConfig
from sneaker_core.stacking.title_run import calibrated_oof, fit_title_model
from sneaker_core.titles import group_key, normalise_title

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "stockx_catalog_2023.csv"
AS_OF = "2023-04-15"
# The only catalog columns a feature may come from; everything else describes the market itself.
FEATURE_SOURCES = {"item": "title", "brand": "brand", "retail": "retail_usd", "release": "release_date"}
GOAL_MDAPE, GOAL_COVERAGE = 0.14, 0.80


def stockx_rows(catalog: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The feature frame (title, brand, parsed model, retail, release; age at AS_OF), the lowest ask in dollars
    and the product group of every row. Reads `FEATURE_SOURCES` and `lowestAsk` (the target) only."""
    rows = catalog[list(FEATURE_SOURCES)].rename(columns=FEATURE_SOURCES).astype(str)
    models = load_models()
    labels = {t: label_with_search(t, "", models) for t in rows["title"].unique()}
    rows["model"] = [labels[t].model or "" for t in rows["title"]]
    frame = feature_frame(rows, AS_OF)
    prices = pd.to_numeric(catalog["lowestAsk"], errors="coerce").to_numpy(float)
    return frame, prices, rows["title"].map(group_key).to_numpy()


def ngram_ridge(titles: list[str], prices: np.ndarray, tr: np.ndarray, te: np.ndarray) -> dict:
    """The reference: word 1-2-gram TF-IDF ridge on log price, titles only."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    X = vec.fit_transform([titles[i] for i in tr])
    est = np.exp(Ridge(alpha=1.0).fit(X, np.log(prices[tr])).predict(vec.transform([titles[i] for i in te])))
    return price_metrics(prices[te], est, est, est)


def one_seed(frame: pd.DataFrame, prices: np.ndarray, groups: np.ndarray, seed: int) -> dict[str, dict]:
    """Test-split price metrics of the reference, the title-only and the title + retail + release estimate."""
    tr, va, te = grouped_three_way(groups, seed)
    fit = np.concatenate([tr, va])
    _, _, config = calibrated_oof(frame.iloc[fit], prices[fit], groups[fit], TitleModelConfig(seed=seed))
    model = fit_title_model(frame.iloc[fit], prices[fit], groups[fit], config)
    views = condition_views(model, frame.iloc[te])
    out = {"ridge on title n-grams (reference)": ngram_ridge([normalise_title(t) for t in frame["title"]],
                                                              prices, fit, te)}
    for name, condition in (("title (+ brand) only", TITLE_ONLY), ("title + retail + release", WITH_MARKET)):
        out[name] = price_metrics(prices[te], *views[condition].estimate(config.interval_margins,
                                                                          config.ridge_shares))
    out["_rows"] = {"train": len(tr), "val": len(va), "test": len(te),
                    "test_market_rows": int(views[WITH_MARKET].market_rows.sum())}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    t0 = time.perf_counter()
    frame, prices, groups = stockx_rows(read_csv_table(args.csv, what="StockX catalog", text_columns=()))
    keep = np.isfinite(prices) & (prices > 0)
    frame, prices, groups = frame[keep].reset_index(drop=True), prices[keep], groups[keep]
    print(f"{len(frame)} priced products ({(~keep).sum()} without a positive lowest ask left out), "
          f"{len(set(groups))} product groups; retail known {int(frame['has_retail'].sum())}, "
          f"release known {int(frame['has_release'].sum())}; age as of {AS_OF}")
    results = {}
    for seed in args.seeds:
        results[seed] = one_seed(frame, prices, groups, seed)
        r = results[seed].pop("_rows")
        print(f"\nseed {seed}: train {r['train']} / val {r['val']} / test {r['test']} rows "
              f"({r['test_market_rows']} test rows with retail or release)")
        for name, m in results[seed].items():
            cov = "—" if m["coverage_10_90"] is None or name.startswith("ridge") else f"{m['coverage_10_90']:.1%}"
            print(f"  {name:38s} MdAPE {m['mdape']:6.1%}  MAE ${m['mae']:7,.0f}  10-90% coverage {cov}")
    print(f"\nmean over seeds {args.seeds}:")
    for name in results[args.seeds[0]]:
        mdape = np.mean([results[s][name]["mdape"] for s in args.seeds])
        cov = np.mean([results[s][name]["coverage_10_90"] for s in args.seeds])
        extra = "" if name.startswith("ridge") else f"  10-90% coverage {cov:.1%}"
        print(f"  {name:38s} MdAPE {mdape:6.1%}{extra}")
    mdape = np.mean([results[s]["title + retail + release"]["mdape"] for s in args.seeds])
    cov = np.mean([results[s]["title + retail + release"]["coverage_10_90"] for s in args.seeds])
    ref = np.mean([results[s]["ridge on title n-grams (reference)"]["mdape"] for s in args.seeds])
    print(f"goal MdAPE <= {GOAL_MDAPE:.0%}: {mdape:.1%} {'met' if mdape <= GOAL_MDAPE else 'NOT met'} "
          f"(reference {ref:.1%}); goal coverage ~{GOAL_COVERAGE:.0%}: {cov:.1%}")
    print(f"time {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
