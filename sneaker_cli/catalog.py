"""`sneaker catalog check CSV`: parse prices, label every row against its search, print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sneaker_cli._errors import print_error, print_renamed
from sneaker_core.catalog import SUMMARY_COLUMNS, TOTAL, label_catalog, summarise
from sneaker_core.csv_files import RENAMED_ATTR, check_output_path, write_csv_table
from sneaker_core.prices import DEFAULT_MAX_USD

_HEADERS = {"relabelled": "relab", "off_model": "off-model", "non_sneaker": "non-sneaker", "unknown": "unk",
            "placeholder_images": "placeholder", "duplicates": "dupes"}
MAX_USD_LIMIT = 10_000_000.0  # a cap above this (or nan/inf) would turn the absurd-price filter off
catalog_app = typer.Typer(help="Inspect and label catalog CSVs.", no_args_is_help=True)


def summary_table(summary) -> Table:
    """The per-search summary as a rich table (TOTAL row last, in bold)."""
    table = Table(title="Catalog check per search model")
    table.add_column("search model", no_wrap=True)
    for col in SUMMARY_COLUMNS:
        table.add_column(_HEADERS.get(col, col), justify="right", no_wrap=True)
    rows = list(summary.itertuples(index=False))
    for i, row in enumerate(rows):
        cells = [str(row.search_model)] + [f"{int(getattr(row, c)):,}" for c in SUMMARY_COLUMNS]
        is_total = row.search_model == TOTAL
        table.add_row(*cells, style="bold" if is_total else None,
                      end_section=i + 2 == len(rows) and rows[-1].search_model == TOTAL)
    return table


@catalog_app.command("check")
def check(
    csv: Annotated[Path, typer.Argument(help="catalog CSV with columns title, image, price (+ search_model)")],
    out: Annotated[Path | None, typer.Option("--out", help="write every row with its price and label here")] = None,
    models_file: Annotated[Path | None, typer.Option("--models-file", help="models YAML (default: shipped)")] = None,
    max_usd: Annotated[float, typer.Option("--max-usd", min=1.0, max=MAX_USD_LIMIT,
                                           help="asks above this are 'absurd'")] = DEFAULT_MAX_USD,
) -> None:
    """Label every row (ok / relabelled / off_model / non_sneaker) and print counts per search model."""
    console = Console(width=max(Console().width, 132))
    try:
        if out is not None:
            check_output_path(out, csv)
        labelled = label_catalog(csv, models_file=models_file, max_usd=max_usd)
    except (ValueError, OSError) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    console.print(summary_table(summarise(labelled)))
    reasons = labelled["price_reason"].value_counts()
    if len(reasons):
        console.print("no price: " + ", ".join(f"{r} {n:,}" for r, n in reasons.items()))
    if out is not None:
        write_csv_table(labelled, out)
        console.print(f"wrote {len(labelled):,} labelled rows to {out}")
        print_renamed(console, labelled.attrs[RENAMED_ATTR])


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
