"""One validation layer for every entry point of the kit.

Every public function that takes a DataFrame checks it here, so a learner sees
the same kind of message everywhere: the column, the first offending rows and
what to do. Nothing in this module changes the caller's data: each check reads
the column and returns a new, cleaned Series.

Example
-------
>>> import pandas as pd
>>> from equitykit.validation import as_binary
>>> as_binary(pd.DataFrame({"attended": ["yes", "No"]}), "attended").tolist()
[1.0, 0.0]
"""
from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EquityKitError",
    "EquityKitWarning",
    "SPCWarning",
    "as_frame",
    "check_unique_columns",
    "require_columns",
    "as_numeric",
    "as_binary",
    "check_not_above",
    "describe_rows",
    "closest_column",
    "column_names",
    "checked_multiply",
    "is_total_label",
]

_MAX_EXAMPLES = 3

TRUE_WORDS = frozenset({"1", "1.0", "yes", "y", "true", "t"})
FALSE_WORDS = frozenset({"0", "0.0", "no", "n", "false", "f"})


class EquityKitError(ValueError):
    """A problem with the data or the arguments, explained for people.

    The message names the column, the first rows affected and what to do.

    Example
    -------
    >>> raise EquityKitError("column 'attended' is missing")
    Traceback (most recent call last):
    ...
    equitykit.validation.EquityKitError: column 'attended' is missing
    """


class EquityKitWarning(UserWarning):
    """Something about the data that the reader of a result should know, in a plain sentence.

    Every warning the kit gives is one of these (``SPCWarning`` is one kind), so
    ``warnings.simplefilter("ignore", ek.EquityKitWarning)`` quiets them all.
    """


class SPCWarning(EquityKitWarning):
    """Something about the data that the reader of the chart should know."""


def describe_rows(values: pd.Series, mask: pd.Series | np.ndarray | None = None) -> str:
    """Name the first offending rows and their values, e.g. "row 17: 'Y?'".

    Rows are named by the DataFrame's index label.
    """
    if mask is not None:
        values = values[np.asarray(mask, dtype=bool)]
    shown = [f"row {idx}: {val!r}" for idx, val in list(values.items())[:_MAX_EXAMPLES]]
    more = len(values) - len(shown)
    text = ", ".join(shown)
    if more > 0:
        text += f" and {more} more"
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def as_frame(data: Any, what: str = "data") -> pd.DataFrame:
    """Return ``data`` as a DataFrame the kit may work on, never the caller's own object.

    Raises EquityKitError for anything that is not a non-empty table.
    """
    if isinstance(data, pd.DataFrame):
        frame = data.copy(deep=False)
    elif isinstance(data, (dict, list)):
        try:
            frame = pd.DataFrame(data)
        except ValueError as exc:
            raise EquityKitError(f"{what} could not be read as a table: {exc}") from None
    else:
        raise EquityKitError(
            f"{what} should be a pandas DataFrame (a table), not {type(data).__name__}. "
            "Load a file with equitykit.read_data('your_file.csv') first."
        )
    if frame.empty:
        raise EquityKitError(f"{what} has no rows: check the file or the filter you applied.")
    check_unique_columns(frame, what)
    return frame


def check_unique_columns(frame: pd.DataFrame, what: str = "data") -> None:
    """Raise EquityKitError if two columns share a name (the kit could not tell which one you mean).

    Example
    -------
    >>> import pandas as pd
    >>> check_unique_columns(pd.DataFrame([[1, 2]], columns=["month", "month"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    equitykit.validation.EquityKitError: data has 2 columns named 'month' (positions 1, 2), ...
    """
    dup = frame.columns[frame.columns.duplicated()]
    if len(dup):
        name = dup[0]
        count = int((frame.columns == name).sum())
        raise EquityKitError(
            f"{what} has {count} columns named {str(name)!r} (positions "
            f"{', '.join(str(i + 1) for i in np.flatnonzero(frame.columns == name))}), so the kit cannot tell "
            "which one you mean. Rename or drop one of them, e.g. "
            "data = data.loc[:, ~data.columns.duplicated()] to keep the first."
        )


def column_names(value: Any) -> list[Any]:
    """One column name or several, as a list (None gives []); integer names count as one name.

    Example
    -------
    >>> column_names("ethnicity"), column_names(["sex", "age"]), column_names(0), column_names(None)
    (['ethnicity'], ['sex', 'age'], [0], [])
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, pd.Index, np.ndarray, pd.Series)):
        return list(value)
    return [value]


def closest_column(name: str, columns: Iterable[Any]) -> str | None:
    """The column of ``columns`` that ``name`` was most likely meant to be, or None.

    Differences of case and surrounding spaces count as a match first; then
    ``difflib`` looks for a near spelling.

    Example
    -------
    >>> closest_column("attended", ["Date", "Attended ", "team"])
    'Attended '
    >>> closest_column("screened", ["month", "age"]) is None
    True
    """
    names = [str(c) for c in columns]
    folded: dict[str, str] = {}
    for c in names:
        folded.setdefault(c.strip().lower(), c)
    key = str(name).strip().lower()
    if key in folded:
        return folded[key]
    match = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def require_columns(frame: pd.DataFrame, columns: Iterable[str | None], what: str = "data") -> None:
    """Raise EquityKitError naming any column that ``frame`` lacks, and listing those it has.

    When a column present looks like the one asked for (other case, extra spaces,
    a near spelling) the message suggests it.
    """
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        have = ", ".join(repr(str(c)) for c in frame.columns)
        names = ", ".join(repr(str(c)) for c in missing)
        hints = []
        for column in missing:
            close = closest_column(column, frame.columns)
            if close is not None:
                hints.append(f"Did you mean {close!r} for {str(column)!r}?")
        unnamed = sum(str(c).startswith("Unnamed") for c in frame.columns)
        if unnamed and unnamed * 2 >= len(frame.columns):
            hints.append(
                "Most columns have no name: the column names should be in the first row, "
                "so delete any title rows above them."
            )
        hint = (" " + " ".join(hints)) if hints else ""
        raise EquityKitError(
            f"{what} has no column {names}.{hint} The columns it has are: {have}. "
            "Check the spelling (it is case-sensitive) or rename the column."
        )


_TOTAL_LABEL = r"(?:grand\s+)?(?:sub-?)?totals?|all(?:\s+(?:groups|ages|people|patients))?|overall"


def is_total_label(value: Any) -> bool:
    """Whether a label is what a spreadsheet calls its totals row ("Total", "Grand total", "All").

    Example
    -------
    >>> [is_total_label(v) for v in ("Total", " grand total", "All ages", "Totally", 3)]
    [True, True, True, False, False]
    """
    return isinstance(value, str) and re.fullmatch(_TOTAL_LABEL, value.strip(), flags=re.IGNORECASE) is not None


_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
# What published NHS and ONS extracts write in place of a number that is withheld or not available.
_WITHHELD_MARKS = frozenset({"*", "**", "~", "-", "..", ":", "c", "x", "[c]", "[x]", "[z]", "[low]", "n/a", "na",
                             "suppressed"})


def _not_a_number_advice(bad: pd.Series, column: str) -> str:
    """The next step for text in a number column: what the text looks like, and what to do."""
    text = bad.astype("string").str.strip().str.lower()
    if text.isin(_WITHHELD_MARKS).any():
        return ("These marks stand for values withheld or not available in the extract: the kit cannot count "
                "them. Ask for the extract without suppression, or remove those rows and say so when you share "
                "the results.")
    if text.str.endswith("%").any():
        return (f"'{column}' looks like percentages: give the count of people (e.g. 67) with n= the total it "
                "is out of (e.g. 100), and the kit works out the percentage and its limits.")
    return "Fix or remove those rows (numbers only, no units or text)."


def as_numeric(
    frame: pd.DataFrame,
    column: str,
    *,
    nonnegative: bool = False,
    integer: bool = False,
    allow_missing: bool = True,
) -> pd.Series:
    """Return ``frame[column]`` as float, with a clear error for text, negatives or fractions.

    Missing cells stay NaN when ``allow_missing``; otherwise they are an error.
    """
    require_columns(frame, [column])
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw) or isinstance(raw.dtype, pd.PeriodDtype):
        raise EquityKitError(
            f"column '{column}' holds dates, not numbers, e.g. {describe_rows(raw.head(1))}. "
            "Choose the column with the numbers (counts, rates or measurements)."
        )
    if pd.api.types.is_bool_dtype(raw):
        values = raw.astype(float)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(float)
    bad_text = values.isna() & raw.notna()
    if bad_text.any() and (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
        text = raw.astype("string").str.strip()
        # A cell holding only spaces is an Excel blank: missing, not text.
        bad_text &= ~text.eq("").fillna(False).to_numpy(bool)
        # Thousands written with commas, as Excel formats them (1,234): the number they say.
        thousands = bad_text & text.str.fullmatch(_THOUSANDS).fillna(False).to_numpy(bool)
        if thousands.any():
            values = values.copy()
            values[thousands] = pd.to_numeric(text[thousands].str.replace(",", "", regex=False)).astype(float)
            bad_text &= ~thousands
    if bad_text.any():
        one = bad_text.sum() == 1
        raise EquityKitError(
            f"column '{column}' has {_plural(int(bad_text.sum()), 'value')} that "
            f"{'is not a number' if one else 'are not numbers'}, "
            f"e.g. {describe_rows(raw, bad_text)}. " + _not_a_number_advice(raw[bad_text], column)
        )
    if not allow_missing and values.isna().any():
        missing = values.isna()
        raise EquityKitError(
            f"column '{column}' has {_plural(int(missing.sum()), 'empty cell')}, "
            f"e.g. {describe_rows(raw, missing)}. Fill them in or remove those rows."
        )
    if np.isinf(values).any():
        inf = np.isinf(values)
        raise EquityKitError(
            f"column '{column}' has infinite values, e.g. {describe_rows(raw, inf)}. Fix those rows."
        )
    if nonnegative and (values < 0).any():
        neg = values < 0
        raise EquityKitError(
            f"column '{column}' has {_plural(int(neg.sum()), 'negative value')}, "
            f"e.g. {describe_rows(raw, neg)}. Counts cannot be negative: check those rows."
        )
    if integer and ((values.dropna() % 1) != 0).any():
        frac = (values % 1 != 0) & values.notna()
        raise EquityKitError(
            f"column '{column}' should hold whole numbers (counts) but has fractions, "
            f"e.g. {describe_rows(raw, frac)}."
        )
    return values


def as_binary(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a yes/no column as 0/1 floats (NaN where empty).

    Accepts booleans, 0/1, and the words yes/no, y/n, true/false (any case).
    """
    require_columns(frame, [column])
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    if pd.api.types.is_numeric_dtype(raw):
        values = raw.astype(float)
        bad = values.notna() & ~values.isin([0.0, 1.0])
    else:
        words = raw.astype("string").str.strip().str.lower()
        values = pd.Series(np.nan, index=raw.index)
        values[words.isin(TRUE_WORDS).fillna(False).to_numpy(bool)] = 1.0
        values[words.isin(FALSE_WORDS).fillna(False).to_numpy(bool)] = 0.0
        bad = values.isna() & raw.notna() & (words != "").fillna(False)
    if bad.any():
        raise EquityKitError(
            f"column '{column}' has {_plural(int(bad.sum()), 'value')} that "
            f"{'is' if bad.sum() == 1 else 'are'} not yes/no, e.g. {describe_rows(raw, bad)}. "
            "Use 1/0, yes/no or true/false for each row."
        )
    return values.astype(float)


def check_not_above(
    frame: pd.DataFrame, numerator: str, denominator: str, num: pd.Series, den: pd.Series
) -> None:
    """Raise if a numerator is larger than its denominator (e.g. more screened than eligible)."""
    n_arr, d_arr = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore"):
        above = pd.Series((n_arr > d_arr) & ~np.isnan(n_arr) & ~np.isnan(d_arr), index=num.index)
    if above.any():
        first = np.flatnonzero(above.to_numpy())[:_MAX_EXAMPLES]
        examples = ", ".join(f"row {num.index[i]}: {n_arr[i]:g} > {d_arr[i]:g}" for i in first)
        raise EquityKitError(
            f"column '{numerator}' is larger than '{denominator}' in "
            f"{_plural(int(above.sum()), 'row')}, e.g. {examples}. "
            "A numerator counts people within its denominator: check those rows."
        )


#: ``multiply=None``, every function's default, resolved by chart type: proportions in percent,
#: rates per unit per 1,000 of the denominator, anything else as it is (``docs/API.md``).
DEFAULT_MULTIPLY = {"p": 100.0, "pp": 100.0, "u": 1000.0, "up": 1000.0}


def checked_multiply(multiply: Any, chart: str = "p") -> float:
    """``multiply`` as a positive number, with ``None`` resolved by the kit's one rule.

    ``None`` (the default of ``spc``, ``disaggregate``, ``equity_lens`` and the
    handouts) gives percentages for proportions (P and P' charts and every group
    comparison: 100), rates per 1,000 of the denominator for U and U' charts
    (e.g. per 1,000 bed days) and the measure as it is for every other chart (1).

    Example
    -------
    >>> checked_multiply(None, "p"), checked_multiply(None, "u"), checked_multiply(None, "i"), checked_multiply(1, "p")
    (100.0, 1000.0, 1.0, 1.0)
    """
    if multiply is None:
        return DEFAULT_MULTIPLY.get(chart, 1.0)
    advice = ("multiply scales rates for display: 100 for percentages, 1000 for a rate per 1,000, "
              "1 for the measure as it is, or leave it out for the usual one")
    try:
        if isinstance(multiply, (bool, np.bool_)):
            raise TypeError
        multiply = float(multiply)
    except (TypeError, ValueError):
        raise EquityKitError(f"multiply={multiply!r} should be a positive number such as 100: {advice}.") from None
    if not np.isfinite(multiply) or multiply <= 0:
        raise EquityKitError(
            f"multiply={multiply:g} should be a positive number ({advice}): it scales values and limits, "
            "so 0 or a negative number would hide or flip them.")
    return multiply
