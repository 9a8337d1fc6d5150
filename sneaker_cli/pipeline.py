"""`sneaker run` (the weekly job now) and `sneaker scrape` (the scrape stage alone), with rich output."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from flows.runners import RunnerKind, image_task_runner
from sneaker_cli._errors import print_error
from sneaker_cli._prefect_env import configure
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings
from sneaker_core.training.preflight import check_training

console = Console()


def _bounds(field: str) -> dict[str, Any]:
    """typer's min/max for an option from the Settings field's own constraints: the CLI refuses what the
    settings would, before any work."""
    meta = Settings.model_fields[field].metadata
    return {k: getattr(m, attr) for m in meta for k, attr in (("min", "ge"), ("max", "le")) if hasattr(m, attr)}


Models = Annotated[list[str] | None, typer.Option("--models", "-m", help="model keys (default: all enabled)")]
Source = Annotated[str | None, typer.Option(help="'demo' (default), 'goat', or a marketplace base URL")]
Mode = Annotated[str | None, typer.Option("--mode", help="browser (default) or json")]
Cap = Annotated[int | None, typer.Option("--item-cap", help="most listings per model", **_bounds("item_cap"))]
AsOf = Annotated[str | None, typer.Option("--as-of", help="ISO date the run stands for (default: now)")]


def _watch(label: str, total: int, count_done, work) -> Any:
    """Run `work()` in a thread while a rich progress bar polls `count_done()`; return its result."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(label, total=total)
        thread.start()
        while thread.is_alive():
            progress.update(bar, completed=min(total, count_done()))
            thread.join(0.5)
        progress.update(bar, completed=min(total, count_done()))
    if "error" in box:
        raise box["error"]
    return box["result"]


def _week_files(settings: Settings, as_of: str | None, folder: str, suffix: str):
    from flows.scrape import as_of_time
    from sneaker_core.scrape.snapshot import iso_week

    week_dir = Path(settings.data_dir) / folder / iso_week(as_of_time(as_of))
    return lambda: len(list(week_dir.glob(f"*{suffix}"))) if week_dir.is_dir() else 0


def _fail(exc: Exception) -> None:
    print_error(console, exc)
    raise typer.Exit(2) from exc


def _preflight(settings: Settings) -> None:
    """Fail in a second, before Prefect starts: a data directory that cannot be written, a missing browser."""
    from sneaker_core.browser import ensure_chromium
    from sneaker_core.runs import data_dir_lock

    with data_dir_lock(settings.data_dir):
        pass
    if settings.scrape_mode == "browser":
        ensure_chromium(settings.chromium, install=False)


def scrape(models: Models = None, mode: Mode = None, source: Source = None, item_cap: Cap = None,
           as_of: AsOf = None) -> None:
    """Scrape this week's snapshot for each model (cached: a same-week re-run skips finished models)."""
    settings = Settings.with_overrides(scrape_mode=mode, source=source, item_cap=item_cap)
    configure(settings.data_dir)
    from flows.scrape import scrape_flow
    from sneaker_core.registry import resolve_models

    try:
        n = len(resolve_models(models, settings.models_file))
        _preflight(settings)
        check_training(settings)  # settings that can only fail training fail now, before the first scrape
        out = _watch("scraping models", n, _week_files(settings, as_of, "raw", ".manifest.json"),
                     lambda: scrape_flow(models=models, mode=mode, source=source, item_cap=item_cap, as_of=as_of))
    except (ValueError, KeyError, RuntimeError, OSError) as exc:
        _fail(exc)
    table = Table(title="Scrape")
    for col in ("model", "rows", "priced", "placeholders", "duplicates", "cap", "outcome"):
        table.add_column(col, justify="left" if col in ("model", "outcome") else "right")
    for model, m in sorted(out["scraped"].items()):
        table.add_row(model, str(m["rows"]), str(m["priced"]), str(m["placeholders"]), str(m["duplicates"]),
                      "yes" if m["cap_reached"] else "", "ok")
    for model, why in sorted(out["failed"].items()):
        table.add_row(model, "", "", "", "", "", f"[red]{why.splitlines()[0][:100]}[/red]")
    console.print(table)
    if out["failed"]:
        raise typer.Exit(1)


def run(
    models: Models = None, source: Source = None, mode: Mode = None, item_cap: Cap = None,
    epochs: Annotated[int | None, typer.Option(
        help="most epochs of a CNN trained from scratch (fine-tunings: SNEAKER_FINETUNE_EPOCHS)",
        **_bounds("epochs"))] = None,
    image_size: Annotated[int | None, typer.Option(help="stored image size (px)", **_bounds("image_size"))] = None,
    train_image_size: Annotated[int | None, typer.Option(help="CNN input size (px)",
                                                         **_bounds("train_image_size"))] = None,
    as_of: AsOf = None,
    task_runner: Annotated[RunnerKind, typer.Option(
        help="image stage on the flow's threads, or on a local Dask cluster (the dask extra)")] = "threads",
    dask_workers: Annotated[int, typer.Option(min=1, help="Dask worker processes (with --task-runner dask)")] = 2,
) -> None:
    """Run the whole weekly job now, on the embedded demo market unless --source says otherwise."""
    settings = Settings.with_overrides(source=source, scrape_mode=mode, item_cap=item_cap)
    configure(settings.data_dir)
    from flows.weekly_refresh import weekly_refresh
    from sneaker_core.registry import resolve_models

    params = {"models": models, "source": source, "scrape_mode": mode, "item_cap": item_cap, "epochs": epochs,
              "image_size": image_size, "train_image_size": train_image_size, "as_of": as_of,
              "task_runner": task_runner, "dask_workers": dask_workers}
    try:
        image_task_runner(task_runner, dask_workers)  # a missing dask extra fails here, before any work
        n = len(resolve_models(models, settings.models_file))
        _preflight(settings)
        check_training(settings)  # settings that can only fail training fail now, before the first scrape
        out = _watch("models through scrape, images and shards", n,
                     _week_files(settings, as_of, "images/manifests", ".json"), lambda: weekly_refresh(**params))
    except (ValueError, KeyError, RuntimeError, OSError) as exc:
        _fail(exc)
    table = Table(title=f"Run {out['run_id']} (test split)")
    for col in ("target", "accuracy", "macro F1", "majority", "original", "n test"):
        table.add_column(col, justify="left" if col == "target" else "right")
    original = out["metrics"].get("original", {})
    for target, m in out["metrics"].items():
        if target == "original":
            continue
        if "skipped" in m:
            table.add_row(target, f"skipped: {m['skipped']}", "", "", f"{original.get(target, float('nan')):.3f}", "0")
            continue
        table.add_row(target, f"{m['accuracy']:.3f}", f"{m['macro_f1']:.3f}", f"{m['majority_baseline']:.3f}",
                      f"{original.get(target, float('nan')):.3f}", str(m["n_test"]))
    console.print(table)
    for model, why in sorted(out["failed"].items()):
        console.print(f"[yellow]left out:[/yellow] {model}: {why.splitlines()[0][:160]}")
    console.print(f"outputs: {RunDir.for_id(Path(settings.data_dir).resolve(), out['run_id']).path}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("scrape")(scrape)
