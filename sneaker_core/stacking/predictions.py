"""Prediction tables: a tidy (long) parquet and a wide CSV with unique, explicit column names.

Wide names: `p_<target>__<class>` (probabilities), `pred_<target>` (class index), `pred_<target>_class`
(class name), `true_<target>` (class index, -1 unknown) — so a probability can never overwrite a truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sneaker_core.atomic import atomic_path
from sneaker_core.csv_files import write_csv_table


@dataclass(frozen=True)
class TargetOutput:
    """One target's predictions for a batch of rows."""

    classes: Sequence[str]
    proba: np.ndarray  # (rows, classes)
    true: np.ndarray | None = None  # class index per row, -1 unknown; None when there is no truth


def prob_column(target: str, cls: str) -> str:
    return f"p_{target}__{cls}"


def wide_table(base: pd.DataFrame, outputs: Mapping[str, TargetOutput]) -> pd.DataFrame:
    """`base` columns, then per target: pred index, pred class name, truth (if any), probabilities."""
    blocks = [base.reset_index(drop=True)]
    for target, out in outputs.items():
        pred = out.proba.argmax(axis=1)
        cols = {f"pred_{target}": pred, f"pred_{target}_class": np.asarray(out.classes, dtype=object)[pred]}
        if out.true is not None:
            cols[f"true_{target}"] = np.asarray(out.true, dtype=np.int64)
        cols.update({prob_column(target, c): out.proba[:, i] for i, c in enumerate(out.classes)})
        blocks.append(pd.DataFrame(cols))
    wide = pd.concat(blocks, axis=1)
    check_unique_columns(wide)
    return wide


def tidy_table(product_ids: Sequence, titles: Sequence[str], outputs: Mapping[str, TargetOutput]) -> pd.DataFrame:
    """One row per (product, target, class): probability and the product's true class name ('' unknown)."""
    frames = []
    n = len(product_ids)
    for target, out in outputs.items():
        k = len(out.classes)
        classes = np.asarray(out.classes, dtype=object)
        true = np.full(n, -1) if out.true is None else np.asarray(out.true)
        true_names = np.where(true >= 0, classes[np.clip(true, 0, k - 1)], "")
        frames.append(pd.DataFrame({
            "product_id": np.repeat(np.asarray(product_ids, dtype=object), k),
            "title": np.repeat(np.asarray(titles, dtype=object), k),
            "target": target,
            "class": np.tile(classes, n),
            "probability": out.proba.reshape(-1),
            "true_class": np.repeat(true_names, k),
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["product_id", "title", "target", "class", "probability", "true_class"])


def check_unique_columns(df: pd.DataFrame) -> None:
    dupes = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if dupes:
        raise ValueError(f"duplicate prediction columns: {dupes}")


def write_csv(df: pd.DataFrame, path: Path | str) -> Path:
    check_unique_columns(df)
    return write_csv_table(df, path)


def write_parquet(df: pd.DataFrame, path: Path | str) -> Path:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    return Path(path)
