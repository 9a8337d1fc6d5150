"""One way for every command to print an error: red `error:`, the message as plain text, one line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape


def print_error(console: Console, message: object) -> None:
    """Print `error: <message>` without reading the message as rich markup (so `[dask]` stays visible)."""
    console.print(f"[red]error:[/red] {escape(str(message))}", soft_wrap=True)


def print_renamed(console: Console, renamed: dict[str, str]) -> None:
    """Say which input columns were kept under another name because the output uses theirs."""
    if renamed:
        pairs = ", ".join(f"{old} -> {new}" for old, new in renamed.items())
        console.print(f"input column(s) renamed, their names are output columns: {escape(pairs)}", soft_wrap=True)
