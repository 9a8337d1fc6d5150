"""`sneaker report [--run DIR]`: rebuild a run's self-contained HTML report and print its path."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sneaker_cli._errors import print_error
from sneaker_core.rundir import RunDir, RunDirError
from sneaker_core.settings import Settings


def report(
    run: Annotated[Path | None, typer.Option("--run", help="run directory (default: the latest finished run)")] = None,
) -> None:
    """Rebuild <run>/report/index.html (metrics, comparison, price plots, confusion, calibration)."""
    from sneaker_core.report import build_report  # matplotlib/pandas: only when the command runs

    console = Console(stderr=True, soft_wrap=True)
    try:
        folder = RunDir.open(run) if run is not None else RunDir.latest(Settings().data_dir)
        result = build_report(folder)
    except RunDirError as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    for sec in result["sections"]:
        if sec["missing"]:
            state = "partial" if sec["available"] else "not available"
            console.print(f"[yellow]{sec['id']}[/yellow] {state}: {'; '.join(sec['missing'])}")
    console.print(f"{result['images']} images, {result['bytes']:,} bytes")
    print(result["path"])


def register(app: typer.Typer) -> None:
    app.command("report")(report)
