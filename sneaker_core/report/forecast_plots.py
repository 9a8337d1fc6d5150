"""Forecast figures for the report: price paths with their forecast fan, and size curves per model."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sneaker_core.history import week_start
from sneaker_core.report.plots import plt, to_png


def _day(week: str) -> pd.Timestamp:
    return pd.Timestamp(week_start(week))


def fan_chart(paths: Mapping[str, dict], titles: Mapping[str, str], cols: int = 3) -> bytes:
    """One panel per product: weekly lowest ask, then the forecast median and its 80 % band."""
    n = len(paths)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, min(cols, n), figsize=(4.2 * min(cols, n), 3.0 * rows), squeeze=False)
    for ax, (pid, path) in zip(axes.flat, paths.items(), strict=False):
        hist = [(_day(w), p) for w, p in path["history"]]
        ax.plot([d for d, _ in hist], [p for _, p in hist], marker="o", markersize=3, color="#1d2433",
                label="weekly lowest ask")
        fc = path["forecast"]
        if fc and hist:
            days = [hist[-1][0]] + [_day(r[1]) for r in fc]
            last = next((p for _, p in reversed(hist) if p is not None), None)
            mid = [last] + [r[2] for r in fc]
            ax.fill_between(days, [last] + [r[3] for r in fc], [last] + [r[4] for r in fc], color="#2563eb",
                            alpha=0.2, label="80 % interval")
            ax.plot(days, mid, color="#2563eb", linestyle="--", marker="o", markersize=3, label="forecast")
        ax.set_title(str(titles.get(pid, pid))[:48], fontsize=9)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.set_ylabel("USD")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7, loc="best")
    return to_png(fig)


def size_curve_chart(curves: Mapping[str, Mapping[str, float]]) -> bytes:
    """Price of each size relative to its product's median ask, one line per model (numeric sizes only)."""
    fig, ax = plt.subplots(figsize=(6.2, 3.6))
    for model, curve in sorted(curves.items()):
        points = sorted((float(s), r) for s, r in curve.items() if _numeric(s))
        ax.plot([s for s, _ in points], [r for _, r in points], marker="o", markersize=3, label=model)
    ax.axhline(1.0, color="#9aa1ad", linestyle="--", linewidth=1)
    ax.set(xlabel="US size", ylabel="price / product median", title="Size curves per model")
    ax.legend(fontsize=7, ncol=2)
    return to_png(fig)


def _numeric(size: str) -> bool:
    try:
        float(size)
    except ValueError:
        return False
    return True
