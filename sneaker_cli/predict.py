"""`sneaker train-titles CATALOG_CSV --run-dir DIR` and `sneaker predict (CSV | --title "...") --run DIR`.

Title-only prediction needs a run folder holding the title model (written by train-titles).
Image prediction needs a run with CNN models; the title path works on any run that has the title model.
Optional CSV columns `retail_usd` and `release_date` (or `--retail` / `--release` with `--title`) feed the market
estimate; the age is taken at `--as-of` (default: today, UTC). Every estimate comes with the seller's net payout
under the fee schedule in the settings (SNEAKER_FEE_COMMISSION_RATE, SNEAKER_FEE_SELLER_USD,
SNEAKER_FEE_CASHOUT_RATE).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from sneaker_cli._errors import print_error, print_renamed
from sneaker_core.csv_files import check_output_path
from sneaker_core.governance.promotion import serving_run_dir
from sneaker_core.images.normalise import BadImage
from sneaker_core.payout import schedule_from
from sneaker_core.prices import DEFAULT_MAX_USD
from sneaker_core.rundir import RunDir
from sneaker_core.settings import Settings

CSV_SUFFIXES = (".csv",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
AS_OF_HELP = "date the prices were seen, YYYY-MM-DD: the age since release is taken there (default: today, UTC)"


def _as_of(value: str | None) -> date:
    """The as-of date of an option (today in UTC when not given); a one-line error when it is not a date."""
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"--as-of {value!r} is not a date; give it as YYYY-MM-DD, e.g. 2023-04-15") from exc


def _models():
    """The models registry of these settings (SNEAKER_MODELS_FILE, else the built-in file)."""
    from sneaker_core.registry import load_models

    return load_models(Settings().models_file)


def train_titles_cmd(
    catalog: Annotated[Path, typer.Argument(help="catalog CSV: title, image, price (+ optional search_model)")],
    run_dir: Annotated[Path, typer.Option("--run-dir", help="folder the title models are saved in")],
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1,
                                      help="seed of the models")] = 0,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Train the title-side decile/band classifiers and dollar estimate; print grouped out-of-fold figures."""
    from sneaker_core.stacking.title_run import train_titles

    console = Console(stderr=True, soft_wrap=True)
    try:
        manifest = train_titles(catalog, run_dir, seed=seed, log=console.print, as_of=_as_of(as_of).isoformat(),
                                models_file=Settings().models_file)
    except (ValueError, OSError) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc
    table = Table(title="grouped out-of-fold validation (each row predicted without its product group), title-only rows")
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
    if "size_label" in row.index:
        out.add_row("size", f"{row['size_label']}: " + (f"× {row['size_ratio']:.3f} of the product's price"
                                                        if not row["size_reason"] else
                                                        f"no size estimate ({row['size_reason']})"))
    out.add_row("estimate", f"${row['price_estimate_usd']:,.0f} "
                f"(10-90%: ${row['price_low_usd']:,.0f} - ${row['price_high_usd']:,.0f})")
    out.add_row("net payout", f"${row['net_payout_usd']:,.2f} (after the marketplace's fees)")
    return out


def _title_frame(title: str, retail: float | None, release: str | None, size: str | None = None) -> pd.DataFrame:
    """One title row with its optional retail price and release date; a one-line error for an unusable one."""
    from sneaker_core.stacking.market_features import MISSING, OK, release_value, retail_value

    if retail_value(retail)[1] not in (OK, MISSING):
        raise ValueError(f"--retail {retail}: {retail_value(retail)[1]}; give the retail price in dollars, e.g. 110")
    if release_value(release)[1] not in (OK, MISSING):
        raise ValueError(f"--release {release!r} is not a date; give it as YYYY-MM-DD, e.g. 2023-03-21")
    row = {"title": [title], "retail_usd": [retail], "release_date": [release]}
    return pd.DataFrame(row if size is None else {**row, "size": [size]})


def _print_image_prediction(image: Path, run: RunDir, title: str | None, title_row: pd.DataFrame,
                            as_of: date) -> None:
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

        Console().print(_single_title_table(predict_title_rows(title_row, load_title_model(run), _models(),
                                                               schedule_from(Settings()), as_of)))


def predict_cmd(
    source: Annotated[Path | None, typer.Argument(help="a CSV of rows (column title; search_model, image "
                                                       "optional) or an image file")] = None,
    title: Annotated[str | None, typer.Option("--title", help="a product title")] = None,
    run: Annotated[Path | None, typer.Option("--run", help="run directory (default: the champion, else the latest run)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="where the CSV predictions go")] = None,
    retail: Annotated[float | None, typer.Option("--retail", min=0.01, max=DEFAULT_MAX_USD,
                                                           help="retail price in dollars (with --title)")] = None,
    release: Annotated[str | None, typer.Option("--release", help="release date YYYY-MM-DD (with --title)")] = None,
    size: Annotated[str | None, typer.Option("--size", help="US size, e.g. 9.5 (with --title; a CSV takes a `size` "
                                                             "column): the estimate for that size")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=AS_OF_HELP)] = None,
) -> None:
    """Predict price decile, $100 band and a dollar estimate with its 10-90% interval."""
    from sneaker_core.stacking.size_estimate import load_size_curves
    from sneaker_core.stacking.title_predict import predict_csv, predict_title_rows
    from sneaker_core.stacking.title_run import load_title_model

    console = Console(stderr=True, soft_wrap=True)
    try:
        settings = Settings()
        if source is not None and source.suffix.lower() in CSV_SUFFIXES:  # the output is checked before anything
            if out is None:
                raise ValueError("predicting a CSV needs --out OUT.csv")
            check_output_path(out, source)
        run_dir = RunDir.open(run if run is not None else serving_run_dir(settings.data_dir))
        seen, schedule = _as_of(as_of), schedule_from(settings)
        if source is not None and source.suffix.lower() in CSV_SUFFIXES:
            result = predict_csv(source, run_dir, out, _models(), schedule, seen)
            console.print(f"{result['predicted']:,} of {result['rows']:,} rows predicted; "
                          f"skipped: {result['skipped'] or 'none'}; market columns: {result['market_inputs']}")
            print_renamed(console, result["renamed"])
            print(result["out"])
            return
        if source is not None and source.suffix.lower() in IMAGE_SUFFIXES:
            _print_image_prediction(source, run_dir, title, _title_frame(title or "", retail, release), seen)
            return
        if source is not None:
            raise ValueError(f"{source} is neither a CSV nor an image ({', '.join(sorted(IMAGE_SUFFIXES))})")
        if not title:
            raise ValueError("give a CSV, an image, or --title \"...\"")
        table = predict_title_rows(_title_frame(title, retail, release, size), load_title_model(run_dir), _models(),
                                   schedule, seen, load_size_curves(run_dir))
        Console().print(_single_title_table(table))
    except (ValueError, OSError, TypeError, BadImage) as exc:
        print_error(console, exc)
        raise typer.Exit(2) from exc


def register(app: typer.Typer) -> None:
    app.command("train-titles")(train_titles_cmd)
    app.command("predict")(predict_cmd)
