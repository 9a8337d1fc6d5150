"""`sneaker models list | show RUN | promote RUN | rollback`: which run serves predictions, and why."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sneaker_cli._errors import print_error
from sneaker_core.governance import runfiles
from sneaker_core.governance.promotion import champion_stack, promote, rollback
from sneaker_core.settings import Settings

models_app = typer.Typer(help="Champion and challengers: list, inspect, promote, roll back.", no_args_is_help=True)
Reason = Annotated[str, typer.Option("--reason", "-r", help="why (recorded in runs/champion.json)")]


def _fail(exc: Exception) -> None:
    print_error(Console(stderr=True, soft_wrap=True), exc)
    raise typer.Exit(2) from exc


def run_status(run_id: str, champion: dict, decision: dict | None) -> str:
    """What a run is now: champion, a past champion (rolled back or replaced), refused, or not judged."""
    if run_id == champion["run_id"]:
        return "champion"
    entries = [e for e in champion["history"] if run_id in (e["run_id"], e.get("previous"))]
    if any(e["action"] == "rollback" and e.get("previous") == run_id for e in entries):
        return "rolled back"
    if any(e["run_id"] == run_id and e["action"] != "rollback" for e in entries):
        return "past champion"
    if decision is None:
        return "not judged"
    return "NOT PROMOTED" if not decision.get("promoted") else str(decision.get("status"))


@models_app.command("list")
def list_cmd() -> None:
    """Every run with its status, the automatic decision, and its first reason."""
    data_dir = Settings().data_dir
    try:
        champion = runfiles.read_champion(data_dir)
        table = Table(title=f"Runs under {runfiles.runs_root(data_dir)} (champion: {champion['run_id'] or 'none'})")
        for col in ("run", "status", "decision", "decided at", "reason"):
            table.add_column(col)
        for run_id in runfiles.list_run_ids(data_dir):
            decision = runfiles.read_promotion(data_dir, run_id)
            d = decision or {}
            table.add_row(run_id, run_status(run_id, champion, decision), str(d.get("status", "-")),
                          str(d.get("decided_at", "-")), str((d.get("reasons") or ["-"])[0]))
    except (OSError, ValueError) as exc:
        _fail(exc)
    Console(width=160).print(table)


@models_app.command("show")
def show_cmd(run: Annotated[str, typer.Argument(help="run id (a folder name under runs/)")]) -> None:
    """A run's promotion decision: per-target figures on the shared rows, reasons, and its champion history."""
    data_dir = Settings().data_dir
    console = Console(width=160)
    try:
        runfiles.require_run(data_dir, run)
        champion = runfiles.read_champion(data_dir)
        decision = runfiles.read_promotion(data_dir, run)
    except (OSError, ValueError) as exc:
        _fail(exc)
    console.print(f"run {run}: {run_status(run, champion, decision)}")
    if decision is None:
        console.print("no promotion.json: this run was never judged as a challenger")
    else:
        console.print(f"decision {decision['status']} at {decision['decided_at']} "
                      f"(champion then: {decision.get('champion_before') or 'none'})")
        comparison = decision.get("comparison")
        if comparison:
            console.print(f"{comparison['evaluation_rows']:,} evaluation rows of {comparison['challenger_test']:,} "
                          f"test products ({comparison['in_champion_train_or_val']:,} excluded: the champion "
                          "trained or validated on them)")
            console.print(figures_table(comparison["targets"]))
        for reason in decision.get("reasons", []):
            console.print(f"- {reason}", markup=False)
    for e in champion["history"]:
        if run in (e["run_id"], e.get("previous")):
            console.print(f"{e['at']} {e['action']} -> {e['run_id']} (was {e.get('previous')}): {e['reason']}",
                          markup=False)


def figures_table(targets: dict) -> Table:
    table = Table(title="challenger vs champion on the same rows")
    for col in ("target", "rows", "challenger", "champion", "difference", "interval", "verdict"):
        table.add_column(col)
    for target, t in targets.items():
        if "difference" in t:
            table.add_row(target, f"{t['n']:,}", f"{t['challenger_accuracy']:.3f}", f"{t['champion_accuracy']:.3f}",
                          f"{t['difference']:+.3f}", f"[{t['low']:+.3f}, {t['high']:+.3f}]", t["verdict"])
        else:
            table.add_row(target, f"{t['n']:,}", "-", "-", "-", "-", t["verdict"])
    return table


@models_app.command("promote")
def promote_cmd(run: Annotated[str, typer.Argument(help="run id to serve")], reason: Reason) -> None:
    """Make RUN the champion by hand (e.g. a refused run you have checked)."""
    try:
        record = promote(Settings().data_dir, run, reason)
    except (OSError, ValueError) as exc:
        _fail(exc)
    Console().print(f"champion: {record['run_id']} (was {record['history'][-1]['previous'] or 'none'})")


@models_app.command("rollback")
def rollback_cmd(reason: Reason) -> None:
    """Serve the previous champion again; the current one is marked rolled back."""
    try:
        record = rollback(Settings().data_dir, reason)
    except (OSError, ValueError) as exc:
        _fail(exc)
    Console().print(f"champion: {record['run_id']} (rolled back {record['history'][-1]['previous']}); "
                    f"earlier champions: {', '.join(champion_stack(record['history'])[:-1]) or 'none'}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
