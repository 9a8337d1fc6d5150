"""Prepare a run in one pass over its shards: the leak-free split, the target specs fit on its training
split, and the example table every training and the stacking read (never the shards again).

`examples.parquet`: one row per product of the split (sorted by product id) with its split, title columns,
price, and per target `label__<target>` (MISSING when unusable) and `reason__<target>` (why). `images.npy`:
the decoded images at the training size, row i = table row i. A target that cannot be trained from the
training split (fewer than two classes, no labelled validation or test rows) is skipped with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.atomic import atomic_path
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from sneaker_core.stacking.market_join import snapshot_keys
from sneaker_core.targets import (
    MISSING,
    PRICE_TARGETS,
    TARGETS,
    TargetSpec,
    band_spec,
    class_spec,
    decile_spec,
)
from sneaker_core.training import runinfo
from sneaker_core.training.split import SPLITS, load_split, make_split, save_split, unique_products

LABEL_COLUMN = {"price_decile": "price", "price_band": "price", "model": "model", "brand": "brand"}
TABLE_COLUMNS = ("product_id", "search_model", "split", "group", "title", "model", "brand", "price",
                 "group_key", "image_sha256")


def label_column(target: str) -> str:
    return f"label__{target}"


def reason_column(target: str) -> str:
    return f"reason__{target}"


def fit_split_targets(meta: pd.DataFrame, split: pd.DataFrame, settings: Settings) -> dict[str, TargetSpec]:
    """Target specs from the training split only (no price deciles when too few training prices to fit them)."""
    train_ids = set(split.loc[split["split"] == "train", "product_id"])
    train = unique_products(meta)
    train = train[train["product_id"].isin(train_ids)]
    specs = {"price_band": band_spec(settings.price_band_edges),
             "model": class_spec("model", [m for m in train["model"] if m]),
             "brand": class_spec("brand", [b for b in train["brand"] if b])}
    try:
        specs["price_decile"] = decile_spec(train["price"].tolist())
    except ValueError:  # reported by `skip_reasons`
        pass
    return {t: specs[t] for t in TARGETS if t in specs}


def example_table(meta: pd.DataFrame, split: pd.DataFrame, specs: dict[str, TargetSpec]) -> pd.DataFrame:
    """The split's products with title columns, labels and reasons, and `row` (their index in `meta`)."""
    products = unique_products(meta.assign(row=np.arange(len(meta))))
    table = split[["product_id", "group", "split"]].merge(products, on="product_id", how="left")
    out = table[[*TABLE_COLUMNS, "row"]].copy()
    for target in TARGETS:
        values = table[LABEL_COLUMN[target]]
        if target not in specs:
            out[label_column(target)], out[reason_column(target)] = MISSING, "target_skipped"
            continue
        labels = specs[target].encode(values.tolist())
        if target in PRICE_TARGETS:
            reason = np.where(values.isna(), "no_price", "")
        else:
            reason = np.where(values.fillna("") == "", "no_label", "class_not_in_train")
        out[label_column(target)] = labels
        out[reason_column(target)] = np.where(labels == MISSING, reason, "")
    return out.reset_index(drop=True)


def skip_reasons(table: pd.DataFrame, specs: dict[str, TargetSpec]) -> dict[str, str]:
    """{target: why it cannot be trained} for the targets a classifier cannot learn from this run."""
    out = {}
    for target in TARGETS:
        if target not in specs:
            out[target] = "fewer than 10 priced training rows to fit price deciles"
            continue
        labels = table[label_column(target)]
        present = {s: labels[(table["split"] == s) & (labels != MISSING)] for s in SPLITS}
        classes = sorted(specs[target].classes[k] for k in set(present["train"]))
        if len(classes) < 2:
            out[target] = (f"fewer than two classes in the training split ({len(present['train'])} labelled rows"
                           + (f", all {classes[0]!r})" if classes else ")"))
        elif present["val"].empty or present["test"].empty:
            empty = [s for s in ("val", "test") if present[s].empty]
            out[target] = f"no labelled {' or '.join(empty)} rows"
    return out


def prepare_run(shard_paths: Sequence[Path], run: RunDir, settings: Settings) -> dict:
    """Split, target specs, example table and images of a run (reused when already recorded intact);
    returns the prepare manifest."""
    from sneaker_core.shards.reader import read_examples

    if run.verify("prepare"):
        return run.read_manifest("prepare")
    run.create()
    meta, images = read_examples(shard_paths, settings.train_image_size)
    split = make_split(meta, settings.split, settings.seed)
    save_split(split, run)
    split = load_split(run)
    specs = fit_split_targets(meta, split, settings)
    table = example_table(meta, split, specs)
    skipped = skip_reasons(table, specs)
    runinfo.save_targets({t: s for t, s in specs.items() if t not in skipped}, run)
    with atomic_path(run.examples) as tmp:
        table.drop(columns="row").to_parquet(tmp, index=False)
    with atomic_path(run.images) as tmp, open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(images[table["row"].to_numpy()]))
    return run.record(
        "prepare", [run.split, run.split_info, run.targets, run.examples, run.images],
        split_digest=split.attrs["digest"], counts=split.attrs["counts"], dropped=split.attrs.get("dropped", {}),
        classes={t: len(s.classes) for t, s in specs.items()}, targets=[t for t in TARGETS if t in specs
                                                                        and t not in skipped],
        skipped=skipped, image_size=settings.train_image_size, snapshots=snapshot_keys(shard_paths),
    )


def trained_targets(run: RunDir) -> list[str]:
    """The targets the run trains (the prepare manifest's), in TARGETS order."""
    manifest = run.read_manifest("prepare") or {}
    return [t for t in TARGETS if t in (manifest.get("targets") or [])]


def skipped_targets(run: RunDir) -> dict[str, str]:
    return dict((run.read_manifest("prepare") or {}).get("skipped") or {})
