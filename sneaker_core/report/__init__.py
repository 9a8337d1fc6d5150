"""Per-run evaluation report: metrics tables, comparison, price plots, confusion, per-model accuracy, calibration."""

from sneaker_core.report.build import build_report, finish_run

__all__ = ["build_report", "finish_run"]
