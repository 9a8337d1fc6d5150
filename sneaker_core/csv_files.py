"""Every CSV the project reads or writes goes through here: hostile files are refused, hostile cells defused.

Reading: columns are taken by name from the header, never by position. A row with more fields than the header
(a trailing comma on every row makes pandas take the first column as the index and shift every other one) is
refused, naming the file, the line and the fix. A NUL byte inside a field is kept as part of the field's text,
in every reader (pandas' C parser would cut the field short there and change the row's label). The file must
be UTF-8 (a byte-order mark is dropped).

Writing: text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return) get a leading `'`, as the OWASP guidance on CSV injection recommends. Numbers, and text that
is only a plain number (`-120`), are left alone: they cannot run anything. An output is never the input file
nor a directory, and input columns named like output columns are kept under an `input_` prefix.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sneaker_core.atomic import atomic_path

RENAMED_ATTR = "renamed_input_columns"  # DataFrame.attrs key: {input column: its name in the output}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class CsvError(ValueError):
    """A CSV that cannot be read as the table it should be; the message names the file and the fix."""


def _header_and_check(text: str, path: Path, what: str) -> list[str]:
    """The stripped header names; raises on a missing or duplicated header or a row longer than the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        if not any(header):
            raise CsvError(f"{what} {path} is not a readable CSV: no header row; the first line must name the "
                           "columns")
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        if dupes:
            raise CsvError(f"{what} {path}: column(s) {', '.join(map(repr, dupes))} appear more than once in the "
                           "header; give every column a distinct name")
        for row in reader:
            if len(row) > len(header):
                raise CsvError(
                    f"{what} {path} line {reader.line_num}: {len(row)} fields but the header names {len(header)} "
                    "(a trailing comma?); remove the extra field(s) or name them in the header")
    except csv.Error as exc:
        raise CsvError(f"{what} {path} is not a readable CSV: line {reader.line_num}: {exc}") from None
    return header


def read_csv_table(path: Path | str, *, what: str = "CSV", required: Iterable[str] = (), expected: str = "",
                   text_columns: Iterable[str] | None = None, blank_lines: bool = False) -> pd.DataFrame:
    """Read a CSV by column name.

    `text_columns=None`: every column is text, nothing is guessed ('N/A' stays a string, a short row's missing
    fields are ''). Otherwise those columns are text and the others typed by pandas (empty -> NaN).
    `blank_lines`: keep blank lines as rows of empty fields (so a caller can report them) instead of skipping.
    `required`: columns that must be present; `expected` is added to that error to describe a good header.
    """
    path = Path(path)
    if not path.is_file():
        raise CsvError(f"{what} {path} does not exist or is not a file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(f"{what} {path} is not a readable CSV: byte {exc.start} is not UTF-8; save the file as "
                       "UTF-8") from None
    header = _header_and_check(text, path, what)
    missing = [c for c in required if c not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "none"
        raise CsvError(f"{what} {path} lacks column(s) {', '.join(missing)}; "
                       f"expected {expected or ', '.join(required)}; found {found}")
    as_text = text_columns is None
    try:  # the python engine keeps a NUL byte inside a field; the C engine ends the field there
        df = pd.read_csv(
            io.StringIO(text, newline=""), engine="python", header=0, names=header, index_col=False,
            skip_blank_lines=not blank_lines, dtype=str if as_text else {c: str for c in text_columns},
            keep_default_na=not as_text, na_filter=not as_text)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise CsvError(f"{what} {path} is not a readable CSV: {exc}") from None
    return df.fillna("") if as_text else df


def check_output_path(out: Path | str, source: Path | str | None, option: str = "--out",
                      example: str = "out.csv") -> Path:
    """`out` as a Path, once it is known to be neither a directory nor the input file (by any path or link)."""
    out = Path(out)
    if out.is_dir():
        raise CsvError(f"{option} {out} is a directory; give a file name, e.g. {out / example}")
    if source is not None and out.exists() and Path(source).exists() and os.path.samefile(out, source):
        raise CsvError(f"{option} {out} is the input file {source}; writing there would destroy the input: "
                       "choose another file")
    return out


def keep_clashing_columns(df: pd.DataFrame, output_columns: Iterable[str], prefix: str = "input_",
                          output_prefixes: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename the input columns whose names the output uses (or that start with `output_prefixes`) to
    `prefix` + name, so no input value is dropped or overwritten; returns the frame and {old: new}."""
    taken = set(output_columns)
    clashes = [c for c in df.columns if c in taken or c.startswith(output_prefixes)]
    renamed: dict[str, str] = {}
    names = set(df.columns) | taken
    for col in clashes:
        new = prefix + col
        while new in names:
            new = prefix + new
        renamed[col] = new
        names.add(new)
    return df.rename(columns=renamed), renamed


def safe_cell(value: object) -> object:
    """`value` with a leading `'` when it is text a spreadsheet would run as a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv_table(df: pd.DataFrame, path: Path | str) -> Path:
    """Write `df` (no index) atomically, its text cells defused against spreadsheet formulas."""
    safe = df.copy()
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
            safe.isetitem(i, col.map(safe_cell))
    with atomic_path(path) as tmp:
        # CRLF line ends (RFC 4180): the writer then quotes a field holding a bare CR, which it would otherwise
        # write raw, and every reader would split the row there
        safe.to_csv(tmp, index=False, header=[safe_cell(str(c)) for c in df.columns], lineterminator="\r\n")
    return Path(path)
