"""`sneaker train-titles CATALOG_CSV --run-dir DIR` and `sneaker predict (CSV | --title "...") --run DIR`.

Title-only prediction needs a run folder holding the title model (written by train-titles).
Image prediction needs a run with CNN models; the title path works on any run that has the title model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sneaker_cli._errors import print_error
from sneaker_core.images.normalise import BadImage
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings

CSV_SUFFIXES = (".csv",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")


def _models():
    """The models registry of these settings (SNEAKER_MODELS_FILE, else the built-in file)."""
    from sneaker_core.registry import load_models

    return load_models(Settings().models_file)


def train_titles_cmd(
    catalog: Annotated[Path, typer.Argument(help="catalog CSV: title, image, price (+ optional search_model)")],
    run_dir: Annotated[Path, typer.Option("--run-dir", help="folder the title models are saved in")],
    seed: Annotated[int, typer.Option("--seed", help="seed of the grouped validation split and models")] = 0,
) -> None:
    """Train the title-side decile/band classifiers and dollar estimate; print grouped-validation figures."""
    from sneaker_core.catalog import CatalogError
    from sneaker_core.stacking.title_run import train_titles

    console = Console(stderr=True, soft_wrap=True)
    try:
        manifest = train_titles(catalog, run_dir, seed=seed, log=console.print, models_file=Settings().models_file)
    except (CatalogError, ValueError, OSError) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    table = Table(title="grouped validation (held-out product groups), title-only rows")
    for col in ("target", "model", "accuracy", "within one", "macro F1"):
        table.add_column(col)
    val = manifest["validation"]
    for target in ("price_decile", "price_band"):
        for name in ("blended", "classifier", "regression", "majority"):
            s = val[target][name]
            table.add_row(target, name, f"{s['accuracy']:.3f}", f"{s['within_one']:.3f}", f"{s['macro_f1']:.3f}")
    console.print(table)
    est = val["price_estimate"]
    console.print(f"dollar estimate: MdAPE {est['mdape']:.1%}, MAE ${est['mae']:,.0f}, "
                  f"10-90% coverage {est['coverage_10_90']:.1%} (n={est['n']})")
    print(run_dir)


def _single_title_table(table: pd.DataFrame) -> Table:
    row = table.iloc[0]
    out = Table(title=str(row["title"]))
    out.add_column("field")
    out.add_column("value")
    if row["reason"]:
        out.add_row("reason", str(row["reason"]))
        return out
    for field in ("model", "brand", "label_status", "pred_price_decile_class", "pred_price_band_class"):
        out.add_row(field, str(row[field]))
    out.add_row("estimate", f"${row['price_estimate_usd']:,.0f} "
                f"(10-90%: ${row['price_low_usd']:,.0f} - ${row['price_high_usd']:,.0f})")
    return out


def _print_image_prediction(image: Path, run: RunDir, title: str | None) -> None:
    """The run's four CNNs on one image (and, when the run has a title model and --title is given, the title's)."""
    from sneaker_core.training.predict import predict_image

    result = predict_image(run, image.read_bytes(), Settings())
    table = Table(title=f"{image.name} (run {run.run_id})", show_header=False)
    for target, r in result["targets"].items():
        table.add_row(target, f"{r['pred']} (p={r['probabilities'][r['pred']]:.2f})")
    if "price_estimate_usd" in result:
        table.add_row("estimate (CNN)", f"${result['price_estimate_usd']:,.0f} (10-90%: "
                      f"${result['price_low_usd']:,.0f} - ${result['price_high_usd']:,.0f})")
    Console().print(table)
    if title and run.title_model.is_file():
        from sneaker_core.stacking.title_predict import predict_title_rows
        from sneaker_core.stacking.title_run import load_title_model

        Console().print(_single_title_table(predict_title_rows(pd.DataFrame({"title": [title]}),
                                                               load_title_model(run), _models())))


def predict_cmd(
    source: Annotated[Path | None, typer.Argument(help="a CSV of rows (column title; search_model, image "
                                                       "optional) or an image file")] = None,
    title: Annotated[str | None, typer.Option("--title", help="a product title")] = None,
    run: Annotated[Path | None, typer.Option("--run", help="run directory (default: the latest run)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="where the CSV predictions go")] = None,
) -> None:
    """Predict price decile, $100 band and a dollar estimate with its 10-90% interval."""
    from sneaker_core.stacking.title_predict import predict_csv, predict_title_rows
    from sneaker_core.stacking.title_run import load_title_model

    console = Console(stderr=True, soft_wrap=True)
    try:
        run_dir = RunDir.open(run) if run is not None else RunDir.latest(Settings().data_dir)
        if source is not None and source.suffix.lower() in CSV_SUFFIXES:
            if out is None:
                raise ValueError("predicting a CSV needs --out OUT.csv")
            result = predict_csv(source, run_dir, out, _models())
            console.print(f"{result['predicted']:,} of {result['rows']:,} rows predicted; "
                          f"skipped: {result['skipped'] or 'none'}")
            print(result["out"])
            return
        if source is not None and source.suffix.lower() in IMAGE_SUFFIXES:
            _print_image_prediction(source, run_dir, title)
            return
        if source is not None:
            raise ValueError(f"{source} is neither a CSV nor an image ({', '.join(sorted(IMAGE_SUFFIXES))})")
        if not title:
            raise ValueError("give a CSV, an image, or --title \"...\"")
        table = predict_title_rows(pd.DataFrame({"title": [title]}), load_title_model(run_dir), _models())
        Console().print(_single_title_table(table))
    except (ValueError, OSError, TypeError, BadImage) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc


def register(app: typer.Typer) -> None:
    app.command("train-titles")(train_titles_cmd)
    app.command("predict")(predict_cmd)
