"""Stacked meta-models, the dollar estimate and title models. STACKING_VERSION is part of the stack task's cache
key: bump it when the stage's outputs change."""

# 2: the dollar estimate's 10-90 % interval is widened by an out-of-fold conformal margin;
# 3: macro F1 over the classes present in truth or predictions (sneaker_core.scoring), as the CNN metrics; the
#    manifest carries the sha256 of predictions.csv/.parquet and metrics.json, so the report rebuilds when they change
# 4: the title model reads the snapshots' retail price and release date (market condition); predictions.csv
#    carries net_payout_usd
STACKING_VERSION = "4"
