"""`sneaker market`: serve the local demo marketplace; `sneaker market gallery`: draw docs/market-gallery.png."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sneaker_cli._errors import print_error

MAX_PRODUCTS = 100_000  # generating more takes minutes and gigabytes: not a demo any more

market_app = typer.Typer(help="The local GOAT-like demo marketplace.", invoke_without_command=True,
                         no_args_is_help=False)


@market_app.callback()
def market(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Bind address (loopback unless told otherwise).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 0,
    catalog: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                 help="Serve this CSV (title,image,price[,search_model]).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the synthetic catalog and of the faults.")] = 0,
    products: Annotated[int, typer.Option(min=1, max=MAX_PRODUCTS, help="Synthetic catalog size.")] = 1500,
    faults: Annotated[str | None, typer.Option(help="e.g. error_rate=0.2,latency_ms=50,throttle_rate=0.05")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Serve the market as it stood on this date (YYYY-MM-DD: its ISO week; a datetime: the "
                        "week whose Monday 06:00 UTC snapshot precedes it). Default: now.")] = None,
) -> None:
    """Serve the demo market in the foreground; prints 'Demo market on URL' first."""
    if ctx.invoked_subcommand is not None:
        return
    from sneaker_core.market import FaultSpec, serve_foreground
    from sneaker_core.market.weeks import parse_as_of

    try:
        spec = FaultSpec.parse(faults)
        week = parse_as_of(as_of)
        serve_foreground(catalog_csv=catalog, seed=seed, n_products=products, faults=spec, host=host, port=port,
                         as_of=week)
    except (ValueError, OSError) as exc:  # a bad fault, as-of or catalog, an address it cannot listen on
        print_error(Console(stderr=True), exc)
        raise typer.Exit(2) from None


@market_app.command("gallery")
def gallery(
    out: Annotated[Path, typer.Argument(help="PNG to write.")] = Path("docs/market-gallery.png"),
    seed: Annotated[int, typer.Option(min=0, help="Catalog seed.")] = 0,
    count: Annotated[int, typer.Option(min=1, max=60, help="Products shown.")] = 30,
) -> None:
    """Write a grid of rendered demo products across models, titled (what the CNN sees)."""
    from sneaker_core.csv_files import check_output_path
    from sneaker_core.market.gallery import write_gallery

    try:
        check_output_path(out, None, option="OUT", example="market-gallery.png")
    except ValueError as exc:
        print_error(Console(stderr=True), exc)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {write_gallery(out, seed=seed, count=count)}")


def register(app: typer.Typer) -> None:
    app.add_typer(market_app, name="market")
