"""`sneaker backfill --weeks N`: the data stages of N past weeks on the demo market, with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sneaker_cli._prefect_env import configure
from sneaker_cli.pipeline import Cap, Mode, Models, Source, _fail, _preflight, _watch, console
from sneaker_core.backfill import MAX_WEEKS
from sneaker_core.settings import Settings


def backfill(
    weeks: Annotated[int, typer.Option("--weeks", "-w", min=1, max=MAX_WEEKS,
                                             help="how many past ISO weeks, before this one")],
    models: Models = None, source: Source = None, mode: Mode = None, item_cap: Cap = None,
) -> None:
    """Build a price history: the data stages of each of the past N weeks on the demo market.

    Scrape, images and shards per week, oldest first, on the demo market as it stood each Monday 06:00 UTC.
    Each week is cached on its own: a second backfill is all Cached, a stopped one resumes.
    """
    from sneaker_core.backfill import BackfillError, backfill_weeks, check_source
    from sneaker_core.registry import resolve_models
    from sneaker_core.scrape.snapshot import iso_week
    from sneaker_core.shards.writer import shard_manifest_path

    now = datetime.now(UTC)
    settings = Settings.with_overrides(source=source, scrape_mode=mode, item_cap=item_cap)
    try:
        check_source(settings)
        week_labels = [iso_week(t) for t in backfill_weeks(weeks, now)]
        keys = [spec.key for spec in resolve_models(models, settings.models_file)]
        configure(settings.data_dir)
        _preflight(settings)
        from flows.backfill import backfill as backfill_flow

        def done() -> int:
            return sum(shard_manifest_path(settings, w, m).is_file() for w in week_labels for m in keys)

        out = _watch(f"{weeks} weeks x {len(keys)} models through scrape, images and shards",
                     len(week_labels) * len(keys), done,
                     lambda: backfill_flow(weeks=weeks, models=models, source=source, item_cap=item_cap,
                                           scrape_mode=mode, now=now.isoformat()))
    except (BackfillError, ValueError, KeyError, RuntimeError, OSError) as exc:
        _fail(exc)
    table = Table(title=f"Backfill of {weeks} weeks")
    for col in ("week", "models", "failed"):
        table.add_column(col)
    for week, r in out.items():
        failed = ", ".join(f"{m}: {why.splitlines()[0][:60]}" for m, why in sorted(r["failed"].items()))
        table.add_row(week, ", ".join(r["models"]), f"[red]{failed}[/red]" if failed else "")
    console.print(table)
    console.print(f"history: {Path(settings.data_dir).resolve() / 'raw'} (see `sneaker history --model KEY`)")
    if any(r["failed"] for r in out.values()):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backfill")(backfill)
