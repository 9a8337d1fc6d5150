"""`sneaker forecast SALES.csv --as-of DATE --weeks N --out OUT.csv`: forecasts from a sales history."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sneaker_cli._errors import print_error
from sneaker_core.csv_files import CsvError, check_output_path, write_csv_table

MAX_WEEKS = 12


def forecast(
    sales_csv: Annotated[Path, typer.Argument(help="sales history CSV (one row per sale)")],
    as_of: Annotated[str, typer.Option("--as-of", help="forecast origin (YYYY-MM-DD); later sales are not read")],
    out: Annotated[Path, typer.Option("--out", help="write the forecasts here (CSV)")],
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=MAX_WEEKS,
                                              help=f"forecast weeks 1..N after --as-of (N <= {MAX_WEEKS})")] = 8,
    fmt: Annotated[str, typer.Option("--format", help="stockx (StockX contest layout) or generic "
                                     "(date, product, price [, size, retail_usd, release_date])")] = "stockx",
    sizes: Annotated[bool, typer.Option("--sizes/--no-sizes", help="also forecast every product-size")] = True,
) -> None:
    """Forecast the weekly median sale price of every product (and product-size) sold in the 8 weeks up to
    --as-of, with an 80 % interval; each horizon's blend of methods is fitted by a backtest on the history itself."""
    from sneaker_core.forecast.sales_csv import SalesError, read_sales
    from sneaker_core.forecast.sales_forecast import forecast_sales

    console = Console()
    try:
        check_output_path(out, sales_csv)
        origin = _date(as_of)
        sales = read_sales(sales_csv, fmt, origin)
        forecasts = forecast_sales(sales, origin, weeks, by_size=sizes)
    except (SalesError, CsvError, OSError) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    write_csv_table(forecasts, out)
    n_products = forecasts.loc[forecasts["size"] == "", "product"].nunique()
    n_sizes = len(forecasts.loc[forecasts["size"] != "", ["product", "size"]].drop_duplicates())
    console.print(f"wrote {len(forecasts):,} forecasts ({n_products:,} products, {n_sizes:,} product-sizes, "
                  f"{weeks} weeks after {origin}) to {out}")


def _date(text: str):
    from sneaker_core.forecast.sales_csv import SalesError

    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise SalesError(f"--as-of {text!r} is not a date: use YYYY-MM-DD") from exc


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
