"""`sneaker history PRODUCT_ID | --model KEY | --search TEXT`: weekly prices with a sparkline and the change."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sneaker_cli._errors import print_error
from sneaker_core.csv_files import check_output_path, write_csv_table
from sneaker_core.settings import Settings

console = Console()
SPARKS = "▁▂▃▄▅▆▇█"
UNPRICED, ABSENT = "·", " "  # listed without an ask / not listed that week
MAX_ROWS = 40


class HistoryError(ValueError):
    """A selection the history cannot answer; printed as one line."""


def sparkline(prices: list[float | None]) -> str:
    """One character per week: the price's height between the series' lowest and highest ask; NaN (listed,
    no ask) is UNPRICED and None (not listed) is ABSENT."""
    known = [p for p in prices if p is not None and not math.isnan(p)]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
    out = []
    for p in prices:
        if p is None:
            out.append(ABSENT)
        elif math.isnan(p):
            out.append(UNPRICED)
        else:
            out.append(SPARKS[round((p - lo) / (hi - lo) * (len(SPARKS) - 1)) if hi > lo else 3])
    return "".join(out)


def weekly_series(rows: pd.DataFrame) -> list[float | None]:
    """A product's asks from its first to its last listed week: NaN when unpriced, None when not listed."""
    weeks = pd.date_range(rows["week_start"].min(), rows["week_start"].max(), freq="7D")
    by_week = rows.set_index("week_start")["price_usd"]
    return [float(by_week[w]) if w in by_week.index else None for w in weeks]


def select(history: pd.DataFrame, product_id: str | None, model: str | None, search: str | None,
           models_file: Path | None) -> pd.DataFrame:
    """The rows of the product, the model's products or the products whose title has every search word."""
    if sum(x is not None for x in (product_id, model, search)) != 1:
        raise HistoryError("give exactly one of PRODUCT_ID, --model KEY or --search TEXT")
    if product_id is not None:
        rows = history[history["product_id"] == product_id]
        if rows.empty:
            raise HistoryError(f"no product {product_id!r} in the history ({history['product_id'].nunique()} "
                               "products); find ids with --search TEXT")
        return rows
    if model is not None:
        from sneaker_core.registry import get_model

        key = get_model(model, models_file).key
        rows = history[history["model"] == key]
        if rows.empty:
            raise HistoryError(f"no products of model {key!r} in the history")
        return rows
    words = search.lower().split()
    if not words:
        raise HistoryError("--search needs at least one word")
    titles = history["title"].str.lower()
    rows = history[[all(w in t for w in words) for t in titles]]
    if rows.empty:
        raise HistoryError(f"no product title contains {search!r}")
    return rows


def _money(v: float | None) -> str:
    return "—" if v is None or pd.isna(v) else f"${v:,.0f}"


def _change(v: float | None) -> str:
    if v is None or pd.isna(v):
        return ""
    colour = "green" if v > 0 else "red" if v < 0 else "white"
    return f"[{colour}]{v:+.1f}%[/{colour}]"


def product_table(rows: pd.DataFrame) -> Table:
    """One product, one line per week."""
    first = rows.iloc[-1]
    table = Table(title=f"{escape(first['title'])} ({escape(first['product_id'])})  "
                        f"{sparkline(weekly_series(rows))}")  # scraped text is never read as markup
    for col in ("week", "Monday", "lowest ask", "w/w"):
        table.add_column(col, justify="left" if col in ("week", "Monday") else "right")
    for r in rows.itertuples():
        table.add_row(r.week, r.week_start.date().isoformat(), _money(r.price_usd), _change(r.change_pct))
    return table


def products_table(rows: pd.DataFrame) -> Table:
    """Several products, one line each: the latest week's ask and change, and the weekly sparkline."""
    n = rows["product_id"].nunique()
    table = Table(title=f"{n} product{'s' if n != 1 else ''}, weeks {rows['week'].min()} to {rows['week'].max()}")
    for col in ("product", "model", "weeks", "last week", "ask", "w/w", "prices"):  # the id names the title
        table.add_column(col, justify="right" if col in ("weeks", "ask", "w/w") else "left",
                         no_wrap=col != "product", overflow="fold")  # a whole id, to paste into a command
    for i, (pid, group) in enumerate(rows.groupby("product_id", sort=True)):
        if i == MAX_ROWS:
            table.caption = f"{n - MAX_ROWS} more products: --csv OUT writes all"
            break
        last = group.iloc[-1]
        table.add_row(escape(pid), last["model"] or "", str(len(group)), last["week"],
                      _money(last["price_usd"]), _change(last["change_pct"]), sparkline(weekly_series(group)))
    return table


def history(
    product_id: Annotated[str | None, typer.Argument(help="the marketplace's product id (the slug)")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="every product of this model key")] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", help="products whose title has these words")
                      ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="write the selected weekly rows here")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data directory (default: settings)")] = None,
) -> None:
    """Weekly lowest asks of a product, a model or a title search, from every weekly snapshot."""
    from sneaker_core.history import read_history, with_changes

    settings = Settings.with_overrides(data_dir=data_dir)
    try:
        read = read_history(Path(settings.data_dir))
        if read.frame.empty:
            skipped = f" ({sum(read.skipped.values())} unusable snapshot files skipped)" if read.skipped else ""
            raise HistoryError(f"no history yet under {Path(settings.data_dir) / 'raw'}{skipped}; run "
                               "`sneaker scrape` or `sneaker backfill --weeks N` first")
        rows = with_changes(select(read.frame, product_id, model, search, settings.models_file))
    except (HistoryError, KeyError, OSError) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    console.print(product_table(rows) if product_id is not None else products_table(rows))
    if read.skipped:
        console.print(f"[yellow]skipped snapshot files:[/yellow] {read.skipped}")
    if csv is not None:
        try:
            write_csv_table(rows, check_output_path(csv, None, option="--csv", example="history.csv"))
        except ValueError as exc:
            print_error(console, exc)
            raise typer.Exit(2) from exc
        except OSError as exc:
            print_error(console, f"cannot write {csv}: {exc.strerror or exc}")
            raise typer.Exit(2) from exc
        console.print(f"wrote {len(rows):,} weekly rows to {csv}")


def register(app: typer.Typer) -> None:
    app.command("history")(history)
