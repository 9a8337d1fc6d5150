"""Leak-free train/val/test split by a stable hash of the product group, persisted with the run.

A product group is the shard `group_key` (normalised title) merged, union-find style, with every other
group that shares an identical image (`image_sha256`). Each group lands in one split chosen by
`sha256(seed:group)`, so a product never straddles the split and next week's rows land where this
week's did. Identical images listed under two different models are label conflicts: one row is kept
(the one found by its own model's search, then the smallest product id), the others are dropped and counted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pandas as pd

from sneaker_core.atomic import atomic_path, sha256_bytes, write_json
from sneaker_core.rundir import RunDir

SPLITS = ("train", "val", "test")
REQUIRED = ("product_id", "group_key", "image_sha256", "model", "search_model")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))  # the smaller key names the merged group: stable, order-free
            self.parent[hi] = lo


def unique_products(meta: pd.DataFrame) -> pd.DataFrame:
    """One row per product id (the first one read), sorted by product id."""
    missing = [c for c in REQUIRED if c not in meta.columns]
    if missing:
        raise ValueError(f"metadata lacks columns {missing} needed for the split")
    df = meta.sort_values("product_id", kind="stable")
    return df[~df["product_id"].duplicated(keep="first")].reset_index(drop=True)


def dedup_rows(meta: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop repeated product ids and identical images labelled with another model; returns (kept, counts)."""
    df = unique_products(meta)
    n_dup_pid = len(meta) - len(df)
    has_img = df["image_sha256"].fillna("").astype(str) != ""
    own_search = (df["model"] == df["search_model"]).astype(int)
    ranked = df.assign(_own=-own_search).sort_values(["image_sha256", "_own", "product_id"], kind="stable")
    keeper_model = ranked[has_img.loc[ranked.index]].groupby("image_sha256")["model"].first()
    conflict = has_img & (df["image_sha256"].map(keeper_model).fillna(df["model"]) != df["model"])
    counts = {"duplicate_product_id": int(n_dup_pid), "duplicate_image_conflict": int(conflict.sum())}
    return df[~conflict].reset_index(drop=True), counts


def product_groups(df: pd.DataFrame) -> pd.Series:
    """Group id per row: `group_key` (or `pid:<product_id>` when empty) merged across identical images."""
    uf = _UnionFind()
    keys = [g if g else f"pid:{p}" for g, p in zip(df["group_key"].fillna("").astype(str), df["product_id"])]
    for key, sha in zip(keys, df["image_sha256"].fillna("").astype(str)):
        uf.find(key)
        if sha:
            uf.union(key, f"~img:{sha}")  # '~' sorts after letters: a title key names the group when one exists
    return pd.Series([uf.find(k) for k in keys], index=df.index, name="group")


def assign_split(group: str, fractions: Sequence[float], seed: int) -> str:
    """The split of one group: a uniform draw from sha256(seed:group) against cumulative fractions."""
    u = int.from_bytes(hashlib.sha256(f"{seed}:{group}".encode()).digest()[:8], "big") / 2**64
    edge = 0.0
    for name, frac in zip(SPLITS, fractions):
        edge += frac
        if u < edge:
            return name
    return SPLITS[-1]


def make_split(meta: pd.DataFrame, fractions: Sequence[float], seed: int) -> pd.DataFrame:
    """Columns product_id, group, split (sorted by product id); dropped-row counts in `.attrs["dropped"]`."""
    if len(fractions) != 3 or abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) <= 0:
        raise ValueError(f"split fractions {tuple(fractions)} must be three positive numbers summing to 1")
    kept, dropped = dedup_rows(meta)
    groups = product_groups(kept)
    split_of = {g: assign_split(g, fractions, seed) for g in groups.unique()}
    out = pd.DataFrame(
        {"product_id": kept["product_id"].astype(str), "group": groups, "split": groups.map(split_of)}
    )
    out.attrs = {"dropped": dropped, "fractions": [float(f) for f in fractions], "seed": int(seed)}
    return out


def split_digest(df: pd.DataFrame) -> str:
    """sha256 over the sorted `product_id,split` pairs: equal assignments give equal digests."""
    rows = sorted(zip(df["product_id"].astype(str), df["split"].astype(str)))
    return sha256_bytes("\n".join(f"{p},{s}" for p, s in rows).encode())


def split_counts(df: pd.DataFrame) -> dict[str, int]:
    counts = df["split"].value_counts()
    return {s: int(counts.get(s, 0)) for s in SPLITS}


def save_split(df: pd.DataFrame, run: RunDir) -> str:
    """Write the run's split table and its summary (digest, counts, fractions, seed, dropped) atomically;
    returns the digest."""
    digest = split_digest(df)
    with atomic_path(run.split) as tmp:
        df[["product_id", "group", "split"]].to_parquet(tmp, index=False)
    info = {
        "digest": digest,
        "counts": split_counts(df),
        "fractions": df.attrs.get("fractions"),
        "seed": df.attrs.get("seed"),
        "dropped": df.attrs.get("dropped", {}),
    }
    write_json(run.split_info, info)
    return digest


def load_split(run: RunDir) -> pd.DataFrame:
    """The recorded split of a run; its summary's fields (digest, counts, ...) in `.attrs`."""
    df = pd.read_parquet(run.split)
    df.attrs = json.loads(run.split_info.read_text(encoding="utf-8"))
    return df
