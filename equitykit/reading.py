"""Reading a team's own data from CSV or Excel, with checks a learner can act on.

``read_data`` opens the file (or copies a DataFrame), checks that the columns a
step needs are there and hold the right kind of values, and converts them:
dates to dates, yes/no to 1/0, counts to whole numbers. Every problem raises
``EquityKitError`` naming the column, the first rows affected and what to do.

Rows of a file are numbered as in a spreadsheet: the column names are row 1,
so the first row of data is row 2. The returned table keeps those numbers as
its index (named ``row``), so later messages from the kit name the same rows
you see in Excel. Rows of a DataFrame are named by its own index.

Example
-------
>>> import pandas as pd
>>> table = pd.DataFrame({"month": ["2024-01-01", "2024-02-01"],
...                       "screened": [54, 60], "eligible": [100, 100]})
>>> clean = read_data(table, dates="month", numerators={"screened": "eligible"})
>>> clean.dtypes.astype(str).tolist()
['datetime64[ns]', 'int64', 'int64']
>>> table["month"].tolist()   # the caller's table is untouched
['2024-01-01', '2024-02-01']
"""
from __future__ import annotations

import csv
import difflib
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .periods import as_dates
from .validation import (
    EquityKitError,
    EquityKitWarning,
    as_binary,
    as_numeric,
    check_not_above,
    check_unique_columns,
    column_names,
    require_columns,
)

__all__ = ["read_data"]

_EXCEL = {".xlsx", ".xlsm"}
_TEXT = {".csv", ".txt", ".tsv"}
_FILE_ROWS = "Rows are numbered as in a spreadsheet: the column names are row {}."
_TITLE_SEARCH = 30  # how far down a report's title rows may push the column names


def _is_text(value: object) -> bool:
    """A cell that can be a column name: text that is not a number or a date."""
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value.strip().replace(",", "").rstrip("%"))
    except ValueError:
        return not value.strip()[:1].isdigit()
    return False


def _header_below(rows: list[list[object]], width: int) -> int | None:
    """Which of ``rows`` holds the column names: the first one that fills the width with text."""
    for i, row in enumerate(rows[:_TITLE_SEARCH]):
        cells = [v for v in row if not (v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "")]
        if len(cells) == width and width >= 2 and all(_is_text(v) for v in cells):
            return i
    return None


def _titles_in_text(path: Path, sep: str, encoding: str) -> int:
    """How many title lines sit above the column names of a CSV file (0 if none are found)."""
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        rows = [row for _, row in zip(range(_TITLE_SEARCH + 200), csv.reader(handle, delimiter=sep))]
    width = max((len([c for c in r if c.strip()]) for r in rows), default=0)
    at = _header_below(rows, width)
    return at or 0


def _titles_in_frame(frame: pd.DataFrame) -> int:
    """How many title rows sit above the column names, when the first row read holds a title, not names."""
    unnamed = sum(str(c).startswith("Unnamed: ") for c in frame.columns)
    if unnamed * 2 < frame.shape[1] or frame.shape[1] < 2:
        return 0
    rows = frame.head(_TITLE_SEARCH).astype(object).values.tolist()
    at = _header_below(rows, frame.shape[1])
    return 0 if at is None else at + 1


def _titled(frame: pd.DataFrame, titles: int) -> pd.DataFrame:
    """The table read below its title rows; ``read_data`` says so."""
    frame.attrs["title_rows"] = titles
    return frame


def _missing_file(path: Path) -> EquityKitError:
    folder = path.parent if str(path.parent) else Path(".")
    hint = ""
    if folder.is_dir():
        files = sorted(p.name for p in folder.iterdir() if p.is_file())
        close = difflib.get_close_matches(path.name, files, n=3, cutoff=0.5)
        if close:
            hint = " Files with similar names there: " + ", ".join(repr(c) for c in close) + "."
    else:
        hint = f" The folder {str(folder)!r} does not exist either."
    return EquityKitError(
        f"cannot find the file {str(path)!r}.{hint} Check the name and the folder; "
        f"a relative path starts from {str(Path.cwd())!r}."
    )


def _read_text(path: Path) -> pd.DataFrame:
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    last_error: Exception | None = None
    # Excel on Windows saves CSV as cp1252 unless told otherwise.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(path, sep=sep, encoding=encoding, skip_blank_lines=False)
            if sep == "," and frame.shape[1] == 1 and ";" in str(frame.columns[0]):
                frame = pd.read_csv(path, sep=";", encoding=encoding, skip_blank_lines=False)
            return frame
        except UnicodeDecodeError as exc:
            last_error = exc
        except pd.errors.EmptyDataError:
            raise EquityKitError(
                f"the file {path.name!r} is empty. Save the data into it again "
                "(with the column names in the first row) and try once more."
            ) from None
        except pd.errors.ParserError as exc:
            below = _read_text_below(path, sep, _titles_in_text(path, sep, encoding), encoding)
            if below is not None:
                return below
            raise EquityKitError(
                f"the file {path.name!r} could not be read as a table: {exc}. A row has more "
                "cells than the column names, often from a comma inside a value: put such "
                "values in quotes or remove the comma."
            ) from None
    raise EquityKitError(
        f"the file {path.name!r} is not readable text ({last_error}). Save it again as "
        "'CSV UTF-8' from Excel."
    )


def _read_text_below(path: Path, sep: str, titles: int, encoding: str) -> pd.DataFrame | None:
    """The table below ``titles`` title lines, or None if there are none or it still does not read."""
    if not titles:
        return None
    try:
        return _titled(pd.read_csv(path, sep=sep, encoding=encoding, skip_blank_lines=False, skiprows=titles),
                       titles)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        return None


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl")
    except (ValueError, KeyError, IndexError) as exc:
        if "Worksheet" in str(exc):
            raise EquityKitError(
                f"the workbook {path.name!r} has no sheet {sheet!r}. Its sheets are: "
                f"{_sheet_names(path)}. Pass one of them as sheet=..."
            ) from None
        problem = exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        problem = exc
    raise EquityKitError(
        f"the file {path.name!r} could not be opened as an Excel workbook "
        f"({type(problem).__name__}: {problem}). It may be damaged, password-protected or "
        "not really an .xlsx file. Open it in Excel and save a fresh copy as .xlsx or as "
        "CSV UTF-8, then try again."
    )


def _sheet_names(path: Path) -> str:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
        names = book.sheetnames
        book.close()
    except Exception:  # the sheet error matters more than a listing failure
        return "(could not list them)"
    return ", ".join(repr(n) for n in names)


def _read_file(path: Path, sheet: str | int | None) -> pd.DataFrame:
    if not path.exists():
        raise _missing_file(path)
    if path.is_dir():
        raise EquityKitError(f"{str(path)!r} is a folder, not a file: name the file inside it.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise EquityKitError(
            f"{path.name!r} is an old-style .xls workbook. Open it in Excel and save it as "
            ".xlsx (Excel Workbook) or CSV UTF-8, then read that file."
        )
    if suffix not in _EXCEL | _TEXT:
        raise EquityKitError(
            f"cannot read {path.name!r}: the kit reads .csv, .tsv, .txt and .xlsx files. "
            "Save the data from Excel as .xlsx or CSV UTF-8."
        )
    if suffix in _EXCEL:
        frame = _read_excel(path, sheet)
        titles = _titles_in_frame(frame)
        if titles:
            frame = _titled(pd.read_excel(path, sheet_name=0 if sheet is None else sheet, engine="openpyxl",
                                          header=titles), titles)
    else:
        if sheet is not None:
            raise EquityKitError(
                f"sheet={sheet!r} only applies to Excel workbooks, and {path.name!r} is a text "
                "file: leave sheet out."
            )
        frame = _read_text(path)
        titles = 0 if frame.attrs.get("title_rows") else _titles_in_frame(frame)
        sep = "\t" if suffix == ".tsv" else ","
        for encoding in ("utf-8-sig", "cp1252") if titles else ():
            below = _read_text_below(path, sep, titles, encoding)
            if below is not None:
                frame = below
                break
    if frame.shape[1] == 0:
        raise EquityKitError(
            f"the file {path.name!r} is empty. Save the data into it again "
            "(with the column names in the first row) and try once more."
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    # Spreadsheet numbering: column names in row 1, data from row 2. Blank rows are
    # dropped only after numbering, so the numbers still match what Excel shows.
    first = 2 + frame.attrs.get("title_rows", 0)
    frame.index = pd.RangeIndex(first, len(frame) + first, name="row")
    frame = frame.dropna(how="all")
    return frame


def read_data(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    columns: str | Iterable[str] | None = None,
    dates: str | Iterable[str] | None = None,
    numeric: str | Iterable[str] | None = None,
    counts: str | Iterable[str] | None = None,
    binary: str | Iterable[str] | None = None,
    numerators: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a CSV or Excel file (or check a DataFrame) and return a new, checked table.

    Every argument naming columns takes one name or a list; each named column
    must exist.

    Parameters
    ----------
    source
        A path to a .csv, .tsv, .txt or .xlsx file, or a DataFrame (never changed).
    columns
        Columns that must be present, whatever they hold.
    dates
        Columns to read as dates: ISO (2024-03-31, 2024-03), UK day first
        (31/03/2024), month labels (Mar-24, March 2024), date-times, Excel date
        cells, and in an .xlsx file Excel date numbers (45383 is 1 April 2024).
        Time zones are dropped, keeping local time, with a warning.
    numeric
        Columns that must hold numbers; whole numbers come back as integers.
    counts
        Columns that must hold whole numbers of zero or more (people, incidents).
    binary
        Yes/no columns (yes/no, y/n, true/false, 1/0), returned as 1/0.
    numerators
        ``{numerator: denominator}`` pairs of counts, e.g. ``{"screened": "eligible"}``;
        both are checked as counts and no numerator may exceed its denominator.
    sheet
        For Excel: the sheet's name or position (0 = first, the default).

    Returns
    -------
    DataFrame
        A copy with the named columns converted. For a file, the index is the
        spreadsheet row number (``row``; column names are row 1) and blank rows
        are dropped; surrounding spaces are removed from column names. Title
        rows above the column names (a report's heading and source) are
        skipped with a warning naming the row the names were read from.

    Raises
    ------
    EquityKitError
        For a missing file, an empty file, an unreadable workbook, a missing
        column, text where numbers belong, negative or fractional counts, a
        numerator above its denominator, or values that are not dates or yes/no.

    Example
    -------
    >>> import pandas as pd
    >>> visits = pd.DataFrame({"attended": ["yes", "no", "Y"]})
    >>> read_data(visits, binary="attended")["attended"].tolist()
    [1, 0, 1]
    >>> read_data(visits, counts="attended")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    equitykit.validation.EquityKitError: column 'attended' has 3 values that are not numbers, ...
    """
    pairs = dict(numerators or {})
    if isinstance(source, pd.DataFrame):
        frame = source.copy(deep=True)
        what, note, excel = "the table", "", False
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        frame = _read_file(path, sheet)
        titles = frame.attrs.get("title_rows", 0)
        if titles:
            warnings.warn(
                f"the file {path.name!r} starts with {titles} title row{'s' if titles > 1 else ''}: the column "
                f"names were read from row {titles + 1} ({', '.join(repr(str(c)) for c in frame.columns[:4])}"
                f"{', ...' if frame.shape[1] > 4 else ''}). Rows keep the numbers Excel shows.",
                EquityKitWarning, stacklevel=2)
        what, note = f"the file {path.name!r}", " " + _FILE_ROWS.format(titles + 1)
        excel = path.suffix.lower() in _EXCEL
    else:
        raise EquityKitError(
            f"read_data needs a file name or a DataFrame, not {type(source).__name__}: "
            "e.g. read_data('my_team.csv')."
        )
    if frame.empty:
        raise EquityKitError(
            f"{what} has no rows of data. Check that the data were saved, "
            "or that the right sheet was chosen."
        )

    check_unique_columns(frame, what[0].upper() + what[1:])
    count_cols = column_names(counts) + [c for pair in pairs.items() for c in pair]
    wanted = (column_names(columns) + column_names(dates) + column_names(numeric) + count_cols
              + column_names(binary))
    try:
        require_columns(frame, dict.fromkeys(wanted), what=what[0].upper() + what[1:])
        for column in dict.fromkeys(column_names(dates)):
            frame[column] = as_dates(frame, column, excel=excel)
        for column in dict.fromkeys(column_names(numeric)):
            frame[column] = _tidy_number(as_numeric(frame, column))
        for column in dict.fromkeys(count_cols):
            frame[column] = _tidy_number(
                as_numeric(frame, column, nonnegative=True, integer=True)
            )
        for column in dict.fromkeys(column_names(binary)):
            frame[column] = _tidy_number(as_binary(frame, column))
        for numerator, denominator in pairs.items():
            check_not_above(frame, numerator, denominator, frame[numerator], frame[denominator])
    except EquityKitError as exc:
        message = str(exc)
        if note and "row " in message:
            message += note
        raise EquityKitError(message) from None
    return frame


def _tidy_number(values: pd.Series) -> pd.Series:
    """Whole numbers with no gaps become int64; anything else stays float."""
    if values.notna().all() and np.all(np.mod(values.to_numpy(dtype=float), 1) == 0):
        return values.astype("int64")
    return values
