"""Per-run evaluation report: metrics tables, comparison, price plots, confusion, per-model accuracy, calibration."""

from sneaker_core.report.build import REPORT_FILE, build_report

__all__ = ["REPORT_FILE", "build_report"]
