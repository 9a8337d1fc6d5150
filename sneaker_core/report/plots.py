"""Report figures, drawn with matplotlib's Agg backend and returned as PNG bytes (deterministic metadata)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

DPI = 100


def to_png(fig: plt.Figure) -> bytes:
    """Render and close a figure; no timestamp or software metadata, so equal figures give equal bytes."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def calibration_figure(curves: Mapping[str, tuple[pd.DataFrame, float]]) -> bytes:
    """One reliability diagram per target: accuracy vs mean confidence per bin, marker area ~ rows."""
    n = len(curves)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.5), squeeze=False)
    for ax, (target, (bins, ece)) in zip(axes[0], curves.items()):
        ax.plot([0, 1], [0, 1], color="#9aa1ad", linestyle="--", linewidth=1, label="perfect")
        ax.plot(bins["confidence"], bins["accuracy"], color="#2563eb", linewidth=1.2)
        sizes = 15 + 250 * bins["n"] / max(int(bins["n"].max()), 1)
        ax.scatter(bins["confidence"], bins["accuracy"], s=sizes, color="#2563eb", alpha=0.7, zorder=3, clip_on=False)
        ax.set(xlim=(0, 1.02), ylim=(0, 1.04), xlabel="confidence (max probability)",
               title=f"{target}\nECE {ece:.3f}")
    axes[0][0].set_ylabel("accuracy")
    return to_png(fig)


def training_curves(histories: Mapping[str, Mapping[str, Sequence[float]]]) -> bytes:
    """Per target: loss (top) and accuracy (bottom) per epoch, training and validation."""
    n = len(histories)
    fig, axes = plt.subplots(2, n, figsize=(3.2 * n, 5.2), squeeze=False, sharex="col")
    for col, (target, h) in enumerate(histories.items()):
        for row, metric in enumerate(("loss", "accuracy")):
            ax = axes[row][col]
            for key, colour, label in ((metric, "#9aa1ad", "train"), (f"val_{metric}", "#2563eb", "validation")):
                values = list(h.get(key) or [])
                ax.plot(range(1, len(values) + 1), values, color=colour, linewidth=1.3, marker=".", label=label)
            ax.set(title=target if row == 0 else None, xlabel="epoch" if row == 1 else None)
        axes[1][col].set_ylim(0, 1.02)
    axes[0][0].set_ylabel("loss")
    axes[1][0].set_ylabel("accuracy")
    axes[0][0].legend(fontsize=7)
    return to_png(fig)


def price_scatter(errors: pd.DataFrame, sample: int = 60, seed: int = 0) -> bytes:
    """Predicted vs actual price, log-log; a seeded sample of rows carries its 10-90 % interval."""
    fig, ax = plt.subplots(figsize=(6.2, 5.6))
    ax.scatter(errors["true_price_usd"], errors["price_estimate_usd"], s=9, alpha=0.35, color="#2563eb",
               label=f"test rows (n={len(errors)})")
    with_iv = errors.dropna(subset=["price_low_usd", "price_high_usd"])
    if len(with_iv):
        pick = with_iv.sample(min(sample, len(with_iv)), random_state=seed)
        est = pick["price_estimate_usd"].to_numpy()
        yerr = np.vstack([np.clip(est - pick["price_low_usd"], 0, None), np.clip(pick["price_high_usd"] - est, 0, None)])
        ax.errorbar(pick["true_price_usd"], est, yerr=yerr, fmt="o", markersize=3, color="#dc2626", alpha=0.7,
                    elinewidth=0.8, label=f"10-90 % interval (sample of {len(pick)})")
    lo = float(min(errors["true_price_usd"].min(), errors["price_estimate_usd"].min())) * 0.8
    hi = float(max(errors["true_price_usd"].max(), errors["price_estimate_usd"].max())) * 1.25
    ax.plot([lo, hi], [lo, hi], color="#9aa1ad", linestyle="--", linewidth=1, label="estimate = actual")
    ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi), xlabel="actual price (USD)",
           ylabel="estimated price (USD)", title="Dollar estimate vs actual (test split)")
    ax.legend(fontsize=8, loc="upper left")
    return to_png(fig)


def ape_histogram(errors: pd.DataFrame, cap: float = 2.0) -> bytes:
    """Absolute percentage errors (capped at `cap`), with the median marked."""
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    ape = np.clip(errors["ape"].to_numpy(), 0, cap) * 100
    ax.hist(ape, bins=40, range=(0, cap * 100), color="#60a5fa", edgecolor="white")
    med = float(np.median(errors["ape"])) * 100
    ax.axvline(med, color="#dc2626", linewidth=1.5, label=f"median {med:.1f} %")
    ax.set(xlabel=f"absolute percentage error (%, capped at {cap * 100:.0f})", ylabel="rows",
           title="Dollar estimate error")
    ax.legend(fontsize=8)
    return to_png(fig)


def grouped_bars(table: pd.DataFrame, columns: Sequence[str], title: str, ylabel: str = "accuracy") -> bytes:
    """Vertical grouped bars: one group per row of `table`, one bar per column (values in 0..1; NaN: no bar)."""
    n_rows, n_cols = len(table), len(columns)
    fig, ax = plt.subplots(figsize=(min(11.5, 2.5 + 0.42 * n_rows * max(n_cols, 2) / 2), 4.2))
    width = 0.8 / max(n_cols, 1)
    xpos = np.arange(n_rows)
    for k, col in enumerate(columns):
        ax.bar(xpos + (k - (n_cols - 1) / 2) * width, table[col].to_numpy(dtype=float), width=width, label=col)
    ax.set_xticks(xpos, [str(i) for i in table.index], rotation=55 if n_rows > 6 else 0, ha="right"
                  if n_rows > 6 else "center", fontsize=8)
    ax.set(ylim=(0, 1), ylabel=ylabel, xlim=(-0.6, n_rows - 0.4))
    ax.set_title(title, pad=24)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=n_cols, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return to_png(fig)
