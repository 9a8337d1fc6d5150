"""Entry point of the `sneaker` console script; discovers the command modules of this package."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import sneaker_cli
from sneaker_cli._errors import OneLineErrors

app = typer.Typer(
    cls=OneLineErrors,
    help="Aftermarket sneaker price forecaster: scrape, images, shards, CNNs, stacking, reports (Prefect 3).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

for _info in sorted(pkgutil.iter_modules(sneaker_cli.__path__), key=lambda i: i.name):
    if _info.name != "main" and not _info.name.startswith("_"):
        importlib.import_module(f"sneaker_cli.{_info.name}").register(app)

if __name__ == "__main__":
    app()
