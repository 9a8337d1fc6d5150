"""Target definitions: price deciles (fit on training prices), price bands (configured edges), model, brand."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

TARGETS = ("price_decile", "price_band", "model", "brand")
PRICE_TARGETS = ("price_decile", "price_band")
MISSING = -1


def fit_decile_edges(train_prices: Sequence[float]) -> list[float]:
    """11 edges: -inf, the 10%..90% quantiles of the (non-missing) training prices, +inf."""
    p = np.asarray([x for x in train_prices if x is not None and not math.isnan(x)], dtype=float)
    if p.size < 10:
        raise ValueError(f"need at least 10 priced training rows to fit price deciles, got {p.size}")
    inner = np.quantile(p, np.linspace(0.1, 0.9, 9)).tolist()
    return [-math.inf, *inner, math.inf]


def assign_bins(prices: Sequence[float | None], edges: Sequence[float]) -> np.ndarray:
    """Bin index per price (`edges[i] <= price < edges[i+1]`), MISSING (-1) where the price is missing."""
    p = np.asarray([np.nan if x is None else x for x in prices], dtype=float)
    idx = np.searchsorted(np.asarray(edges[1:-1], dtype=float), p, side="right")
    return np.where(np.isnan(p), MISSING, idx).astype(np.int64)


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "000"
    return f"{x:03.0f}"


def bin_names(edges: Sequence[float]) -> list[str]:
    """Explicit class names such as `093_116` (dollars, lower_upper); open ends read `000` and `inf`."""
    return [f"{_fmt(lo)}_{_fmt(hi)}" for lo, hi in itertools.pairwise(edges)]


def edges_to_json(edges: Sequence[float]) -> list[float | None]:
    """JSON-safe edges: infinities become null."""
    return [None if math.isinf(e) else float(e) for e in edges]


def edges_from_json(raw: Sequence[float | None]) -> list[float]:
    """Inverse of `edges_to_json` (a null first edge is -inf, any other null +inf)."""
    return [(-math.inf if i == 0 else math.inf) if e is None else float(e) for i, e in enumerate(raw)]


@dataclass(frozen=True)
class TargetSpec:
    """Classes of one target, and for price targets the bin edges."""

    name: str
    classes: tuple[str, ...]
    edges: tuple[float, ...] | None = None

    def encode(self, values: Sequence) -> np.ndarray:
        """Class index per row; MISSING where the row has no label for this target."""
        if self.edges is not None:
            return assign_bins(values, self.edges)
        index = {c: i for i, c in enumerate(self.classes)}
        return np.asarray([index.get(v, MISSING) if v else MISSING for v in values], dtype=np.int64)

    def to_json(self) -> dict:
        d = asdict(self)
        d["edges"] = None if self.edges is None else edges_to_json(self.edges)
        return d

    @classmethod
    def from_json(cls, d: dict) -> TargetSpec:
        edges = None if d.get("edges") is None else tuple(edges_from_json(d["edges"]))
        return cls(name=d["name"], classes=tuple(d["classes"]), edges=edges)


def decile_spec(train_prices: Sequence[float | None]) -> TargetSpec:
    edges = fit_decile_edges([p for p in train_prices if p is not None])
    return TargetSpec("price_decile", tuple(bin_names(edges)), tuple(edges))


def band_spec(band_edges: Sequence[float]) -> TargetSpec:
    return TargetSpec("price_band", tuple(bin_names(band_edges)), tuple(float(e) for e in band_edges))


def class_spec(name: str, values: Sequence[str]) -> TargetSpec:
    return TargetSpec(name, tuple(sorted(set(values))))


def fit_target_specs(
    train_prices: Sequence[float | None], band_edges: Sequence[float], models: Sequence[str], brands: Sequence[str]
) -> dict[str, TargetSpec]:
    """All four target specs, fit from the training split only."""
    return {"price_decile": decile_spec(train_prices), "price_band": band_spec(band_edges),
            "model": class_spec("model", models), "brand": class_spec("brand", brands)}
