"""One way for every command to print an error: red `error:`, the message as plain text, one line."""

from __future__ import annotations

import sys
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup


def print_error(console: Console, message: object) -> None:
    """Print `error: <message>` without reading the message as rich markup (so `[dask]` stays visible)."""
    console.print(f"[red]error:[/red] {escape(str(message))}", soft_wrap=True)


def print_renamed(console: Console, renamed: dict[str, str]) -> None:
    """Say which input columns were kept under another name because the output uses theirs."""
    if renamed:
        pairs = ", ".join(f"{old} -> {new}" for old, new in renamed.items())
        console.print(f"input column(s) renamed, their names are output columns: {escape(pairs)}", soft_wrap=True)


class OneLineErrors(TyperGroup):
    """The `sneaker` group: a usage error (a bad option value, a missing argument) is one `error:` line naming
    the option, like every other user error, instead of a usage box."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # typer's own (vendored click) usage errors derive from it
            if type(exc).__name__ == "NoArgsIsHelpError":  # `sneaker` alone, or a group without its command
                exc.show()  # type: ignore[attr-defined]
            else:
                print_error(Console(stderr=True), getattr(exc, "format_message", exc.__str__)())
            sys.exit(exc.exit_code)
        except ValidationError as exc:  # a bad SNEAKER_* setting (environment or .env)
            print_error(Console(stderr=True), settings_problem(exc))
            sys.exit(2)
        except typer.Abort:
            print_error(Console(stderr=True), "aborted")
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)  # non-standalone mode returns an Exit's code


def settings_problem(exc: ValidationError) -> str:
    """One line naming each bad setting as the user set it (`SNEAKER_ITEM_CAP=0`) and what it must be."""
    parts = []
    for err in exc.errors():
        name = "_".join(str(p) for p in err["loc"]).upper()
        prefix = f"SNEAKER_{name}" if exc.title == "Settings" else f"{exc.title}.{name.lower()}"
        parts.append(f"{prefix}={err.get('input')!s}: {err['msg']}")
    return "; ".join(parts) + " (fix it in the environment or .env)"
