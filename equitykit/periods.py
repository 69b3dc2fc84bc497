"""One reader of dates and periods for every entry point of the kit.

``read_data``, ``spc``, ``equity_lens``, ``safety_cross``, ``PDSALog`` and the
handouts all read their time column here, so a column that one of them accepts
the others accept too, and read the same way:

- ISO dates and months: ``2024-04-01``, ``2024-04``, ``2024-04-01 09:30``;
- UK day-first dates: ``01/04/2024`` is 1 April (also ``1-4-24``, ``01.04.2024``);
- month labels as Excel writes them: ``Apr-24``, ``Apr 2024``, ``April 2024``,
  ``apr-2024``, and dates with month names: ``4 March 2024``, ``04-Mar-24``;
- date-times, Python dates, pandas Timestamps and Periods, real Excel date
  cells and (from an .xlsx file, or mixed with other dates) Excel serial
  numbers such as 45383 (1 April 2024);
- plain numbers as period numbers (1, 2, 3 ...), where the caller allows them.

Text in one column is read with one rule for the whole column: every format
above is unambiguous once 01/04/2024 means 1 April, so a column is never read
partly day-first and partly month-first; a column that only makes sense
month-first (04/13/2024) is an error. Dates with a time zone keep their own
local clock time (1 June BST stays 1 June) and the zone is dropped, with a
note. Anything else is an :class:`~equitykit.validation.EquityKitError` naming
the column, the first rows affected and the formats accepted.

Nothing here imports more than pandas; the functions are pure: they return new
objects and never change what they are given.

Example
-------
>>> import pandas as pd
>>> read_periods(pd.Series(["Apr-24", "May-24"]), "month").values.dt.strftime("%d %B %Y").tolist()
['01 April 2024', '01 May 2024']
>>> read_periods(pd.Series(["01/04/2024"]), "month").values.iloc[0]
Timestamp('2024-04-01 00:00:00')
>>> read_periods(pd.Series([1, 2, 3]), "week").kind
'number'
"""
from __future__ import annotations

import warnings
import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .validation import EquityKitError, EquityKitWarning, describe_rows, is_total_label, require_columns

__all__ = ["Periods", "read_periods", "read_dates", "as_dates", "to_timestamps", "Frequency", "infer_frequency", "missing_periods", "positions", "from_positions", "ACCEPTED", "ACCEPTED_DATES", "EXCEL_EPOCH"]

ACCEPTED = (
    "The kit reads ISO dates or months (2024-04-01, 2024-04), UK dates day first "
    "(01/04/2024 is 1 April), month labels (Apr-24, Apr 2024, April 2024, 2024M04), months and dates as numbers (202404, 20240401), "
    "dates with times, Excel dates, and whole numbers as period numbers (1, 2, 3)."
)
ACCEPTED_DATES = (
    "The kit reads ISO dates or months (2024-04-01, 2024-04), UK dates day first "
    "(01/04/2024 is 1 April), month labels (Apr-24, Apr 2024, April 2024, 2024M04), months and dates as numbers (202404, 20240401), "
    "dates with times and Excel dates."
)

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (its serial 60 is the non-existent 29 Feb 1900)
# Plausible dates: serial numbers and parsed years outside this are not read as dates.
_FIRST_YEAR, _LAST_YEAR = 1900, 2200
_SERIAL_MIN = (pd.Timestamp(f"{_FIRST_YEAR + 1}-01-01") - EXCEL_EPOCH).days   # 367
_SERIAL_MAX = (pd.Timestamp(f"{_LAST_YEAR}-12-31") - EXCEL_EPOCH).days
_SERIAL_2000, _SERIAL_2100 = 36526, 73051  # numbers that, as Excel dates, fall in 2000-2099

# Text formats other than ISO 8601, all day first or with a month name (so never ambiguous).
_DAY_FIRST = (
    "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d-%m-%y", "%d.%m.%Y", "%d.%m.%y",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
)
_MONTH_NAMES = (
    "%b-%y", "%b %y", "%b-%Y", "%b %Y", "%B %Y", "%B-%Y", "%B %y", "%B-%y", "%b/%Y", "%b/%y",
    "%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%d %B %y", "%d-%B-%Y",
    "%d %b %Y %H:%M", "%d %B %Y %H:%M", "%B %d, %Y", "%b %d, %Y", "%Y %b", "%Y %B", "%m/%Y", "%m-%Y",
    "%Y-%b", "%Y-%B", "%B, %Y", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M", "%d %B, %Y",
)
_MONTH_FIRST = ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y")
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)
_ONS_MONTH = re.compile(r"^(\d{4})\s*M(\d{1,2})$", re.IGNORECASE)  # 2024M04, as ONS and NHS publications write months
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)  # 1st April 2024
_ABBREVIATION_STOP = re.compile(r"\b([A-Za-z]{3,4})\.(?=[\s\d'-])")  # Apr. 2024, Sept. 24
_APOSTROPHE_YEAR = re.compile(r"^([A-Za-z]{3,9})[\s-]*['\u2019](\d{2})$")  # Apr '24
_PERIOD_LIKE = re.compile(r"(?<!\d)(19|20|21)\d\d(?!\d)|['\u2019]\d\d\b|\bQ[1-4]\b|\bweek\b|\bwk\b", re.IGNORECASE)


@dataclass(frozen=True)
class Periods:
    """A time column as the kit reads it.

    ``values`` has the caller's index: naive datetimes for dates (``datetime64[ns]``,
    or the unit of a column that already held datetimes),
    float for period numbers, the original values for categories; missing
    or blank cells are NaT / NaN. ``kind`` is ``date``, ``number`` or
    ``category``; ``notes`` are sentences for the user (time zones dropped,
    Excel serial numbers read as dates).
    """

    values: pd.Series
    kind: str
    notes: tuple[str, ...] = field(default=())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _numeric_text(v: Any) -> float | None:
    if isinstance(v, str):
        try:
            out = float(v.strip().replace(",", ""))
        except ValueError:
            return None
        return out
    if _is_number(v):
        return float(v)
    return None


def _zone_name(ts: pd.Timestamp) -> str:
    name = str(ts.tzinfo)
    if name in ("UTC", "utc") or re.match(r"^UTC[+-]", name):
        return name
    if re.match(r"^[+-]\d\d:\d\d$", name):
        return f"UTC{name}"
    return name


def _local(ts: pd.Timestamp, zones: set[str]) -> np.datetime64:
    if not _FIRST_YEAR <= ts.year <= _LAST_YEAR:
        return np.datetime64("NaT")
    if ts.tzinfo is not None:
        zones.add(_zone_name(ts))
        ts = ts.tz_localize(None)
    return ts.as_unit("ns").to_datetime64()


def _tidy_text_date(text: str) -> str:
    """A date as people type it, put into a form the formats below read (no weekday, Sep, no ordinals)."""
    text = _SEPT.sub("Sep", _WEEKDAY.sub("", _ABBREVIATION_STOP.sub(r"\1", text)))
    text = _ORDINAL.sub(r"\1", text)
    text = _ONS_MONTH.sub(lambda m: f"{m[1]}-{int(m[2]):02d}", text)
    return _APOSTROPHE_YEAR.sub(r"\1 \2", text)


def _parse_text(texts: list[str], zones: set[str]) -> np.ndarray:
    """Parse distinct strings (already stripped) to datetime64[ns]; NaT where no format fits."""
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not texts:
        return out
    cleaned = [_tidy_text_date(t) for t in texts]
    todo = np.arange(len(texts))
    # ISO 8601 first (2024-04-01, 2024-04, 2024-04-01T09:30+01:00)
    iso_like = np.asarray([bool(re.match(r"^\d{4}[-/]\d{1,2}", t)) for t in cleaned], dtype=bool)
    iso_at = todo[iso_like]
    if iso_at.size:
        series = pd.Series([cleaned[i] for i in iso_at], dtype=object)
        try:
            got = pd.to_datetime(series, errors="coerce", format="ISO8601")
            stamps = list(got)
        except (ValueError, TypeError):  # mixed time-zone offsets: one value at a time
            stamps = []
            for t in series:
                try:
                    stamps.append(pd.to_datetime(pd.Series([t]), errors="coerce", format="ISO8601").iloc[0])
                except (ValueError, TypeError):
                    stamps.append(pd.NaT)
        for i, ts in zip(iso_at, stamps):
            if ts is not None and not pd.isna(ts):
                out[i] = _local(pd.Timestamp(ts), zones)
    todo = todo[np.isnat(out[todo])]
    for fmt in _DAY_FIRST + _MONTH_NAMES:
        if not todo.size:
            break
        got = pd.to_datetime(pd.Series([cleaned[i] for i in todo], dtype=object), errors="coerce", format=fmt)
        ok = got.notna().to_numpy().copy()
        ok[ok] &= ((got[ok].dt.year >= _FIRST_YEAR) & (got[ok].dt.year <= _LAST_YEAR)).to_numpy()
        if ok.any():
            out[todo[ok]] = got[ok].dt.as_unit("ns").to_numpy()
            todo = todo[~ok]
    return out


def _month_first(texts: list[str]) -> np.ndarray:
    ok = np.zeros(len(texts), dtype=bool)
    for fmt in _MONTH_FIRST:
        ok |= pd.to_datetime(pd.Series(texts, dtype=object), errors="coerce", format=fmt).notna().to_numpy()
    return ok


def _serial_dates(numbers: np.ndarray) -> np.ndarray:
    """Excel serial day numbers (45383 = 1 April 2024, fractions are times of day) to datetime64[ns]."""
    out = np.full(numbers.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(numbers) & (numbers >= _SERIAL_MIN) & (numbers <= _SERIAL_MAX)
    if ok.any():
        ns = np.round(numbers[ok] * 86_400_000_000_000).astype("int64")
        out[ok] = EXCEL_EPOCH.to_datetime64().astype("datetime64[ns]") + ns.astype("timedelta64[ns]")
    return out


def _first_serial_example(raw: pd.Series, mask: np.ndarray, parsed: np.ndarray) -> str:
    at = int(np.flatnonzero(mask)[0])
    when = pd.Timestamp(parsed[at])
    value = raw.iloc[at]
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value!r} is {when.day} {when:%B %Y}"


def _implausible(parsed: np.ndarray) -> np.ndarray:
    ok = ~np.isnat(parsed)
    years = parsed.astype("datetime64[Y]").astype(np.int64) + 1970
    return ok & ((years < _FIRST_YEAR) | (years > _LAST_YEAR))


def _tz_note(column: str, zones: set[str]) -> str:
    shown = ", ".join(sorted(zones)[:3]) + (" and others" if len(zones) > 3 else "")
    return (f"Column '{column}' has dates with time zones ({shown}). Each date keeps its own local clock time "
            "(1 June stays 1 June) and the time zone is dropped.")


def read_periods(
    values: pd.Series,
    column: str,
    *,
    numbers: bool = True,
    categories: bool = False,
    excel: bool = False,
) -> Periods:
    """Read a time column: dates, period numbers or (if allowed) categories.

    Parameters
    ----------
    values
        The column (never changed). Blank cells come back missing.
    column
        Its name, for messages.
    numbers
        Whether plain numbers are period numbers (``spc``, the lens); if not,
        numbers are an error (``read_data(dates=...)``), except Excel serials.
    categories
        Whether text that is mostly not dates is returned as categories
        (``spc`` charts deprivation deciles along x); if not, it is an error.
    excel
        The column came from an .xlsx file: whole numbers in the range of
        Excel dates are serial numbers, read as dates with a note.

    Returns
    -------
    Periods
        ``values`` (same index), ``kind`` and ``notes``.

    Raises
    ------
    EquityKitError
        Naming the column, the first rows that cannot be read and the formats accepted.

    Example
    -------
    >>> import pandas as pd
    >>> p = read_periods(pd.Series(["2024-04", "Apr 2024", "1/4/2024"]), "month")
    >>> p.kind, p.values.nunique()
    ('date', 1)
    """
    raw = values
    notes: list[str] = []
    if isinstance(raw.dtype, pd.PeriodDtype):
        out = raw.dt.to_timestamp().astype("datetime64[ns]")
        return Periods(out, "date")
    if pd.api.types.is_datetime64_any_dtype(raw):
        tz = getattr(raw.dt, "tz", None)
        out = raw
        if tz is not None:
            out = raw.dt.tz_localize(None)
            if raw.notna().any():
                notes.append(_tz_note(column, {str(tz)}))
        _check_plausible(raw, out.to_numpy().astype("datetime64[ns]"), column)
        return Periods(out, "date", tuple(notes))
    if isinstance(raw.dtype, pd.CategoricalDtype) and categories:
        return Periods(raw, "category")
    if pd.api.types.is_bool_dtype(raw):
        if categories:
            return Periods(raw.astype(str), "category")
        raise EquityKitError(
            f"column '{column}' holds yes/no values, not dates or periods, e.g. {describe_rows(raw.head(1))}. "
            "Choose the column with the dates. " + ACCEPTED)
    if pd.api.types.is_numeric_dtype(raw):
        return _numbers(raw, column, numbers=numbers, excel=excel)
    return _objects(raw, column, numbers=numbers, categories=categories, excel=excel)


def _year_months(raw: pd.Series, vals: np.ndarray, column: str) -> Periods | None:
    """Numbers that are all dates written as digits, as NHS extracts write them, read as dates.

    Six digits are years and months (202404 is April 2024), eight digits are
    dates (20240401 is 1 April 2024, as the Secondary Uses Service writes them).
    """
    live = ~np.isnan(vals)
    if not live.any():
        return None
    v = vals[live]
    if not np.all(v == np.round(v)):
        return None
    for digits, day_part, what in ((6, False, "months"), (8, True, "dates")):
        low, high = 10 ** (digits - 1), 10 ** digits
        if not np.all((v >= low) & (v < high)):
            continue
        whole = v.astype(np.int64)
        day = whole % 100 if day_part else np.ones_like(whole)
        rest = whole // 100 if day_part else whole
        year, month = rest // 100, rest % 100
        if not (np.all((year >= _FIRST_YEAR) & (year <= _LAST_YEAR)) and np.all((month >= 1) & (month <= 12))):
            return None
        stamps = pd.to_datetime({"year": year, "month": month, "day": day}, errors="coerce")
        if stamps.isna().any():  # 20240231: not a date
            return None
        out = np.full(len(vals), np.datetime64("NaT"), dtype="datetime64[ns]")
        out[live] = stamps.to_numpy()
        at = int(np.flatnonzero(live)[0])
        first = pd.Timestamp(out[at])
        said = f"{first:%B %Y}" if not day_part else f"{first.day} {first:%B %Y}"
        note = (f"Column '{column}' holds {what} written as {digits}-digit numbers ({describe_rows(raw.iloc[[at]])} "
                f"is {said}); they were read as {what}. If they are period numbers, number the periods from 1.")
        return Periods(pd.Series(out, index=raw.index), "date", (note,))
    return None


def _numbers(raw: pd.Series, column: str, *, numbers: bool, excel: bool) -> Periods:
    vals = raw.astype(float).to_numpy()
    finite = np.isfinite(vals)
    if np.isinf(vals).any():
        bad = np.isinf(vals)
        raise EquityKitError(f"column '{column}' has infinite values, e.g. {describe_rows(raw, bad)}. Fix those rows.")
    months = _year_months(raw, vals, column)
    if months is not None:
        return months
    live = ~np.isnan(vals)
    serial = _serial_dates(vals)
    looks_serial = live.any() and not np.isnat(serial[live]).any()
    if excel and not numbers and looks_serial:
        note = (f"Column '{column}' holds Excel date numbers; they were read as dates "
                f"({_first_serial_example(raw, live & finite, serial)}).")
        return Periods(pd.Series(serial, index=raw.index), "date", (note,))
    if numbers:
        notes: tuple[str, ...] = ()
        recent = live.any() and bool(((vals[live] >= _SERIAL_2000) & (vals[live] <= _SERIAL_2100)).all())
        if recent and infer_frequency(serial[live]) is not None and infer_frequency(vals[live]) is None:
            notes = (f"Column '{column}' holds numbers that look like Excel dates "
                     f"({_first_serial_example(raw, live, serial)}): they are charted as numbers. If they are dates, "
                     "read the file with "
                     f"equitykit.read_data(..., dates={column!r}) or format the column as Date in Excel.",)
        return Periods(pd.Series(vals, index=raw.index), "number", notes)
    hint = ""
    if looks_serial:
        hint = (f" They look like Excel date numbers ({_first_serial_example(raw, live, serial)}): "
                "format the column as Date in Excel and save again, or read the .xlsx file itself.")
    first = raw[live].head(1)
    raise EquityKitError(
        f"column '{column}' holds numbers, not dates, e.g. {describe_rows(first)}.{hint} "
        "Write dates as 2024-03-31 (or 31/03/2024). " + ACCEPTED_DATES)


def _objects(raw: pd.Series, column: str, *, numbers: bool, categories: bool, excel: bool) -> Periods:
    codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
    uniq = list(uniques)
    live = np.asarray([not (isinstance(u, str) and not u.strip()) for u in uniq], dtype=bool)
    if len(uniq):
        codes = np.where((codes >= 0) & ~live[np.maximum(codes, 0)], -1, codes)
    filled = codes >= 0

    def spread(per_unique: np.ndarray, fill: Any) -> np.ndarray:
        if not len(uniq):
            return np.full(len(raw), fill)
        return np.where(filled, per_unique[np.maximum(codes, 0)], fill)

    if not filled.any():
        kind = "number" if numbers else "date"
        empty = pd.Series(np.nan, index=raw.index) if numbers else pd.Series(
            np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]"), index=raw.index)
        return Periods(empty, "category" if categories else kind)

    # numbers, or numbers stored as text (Excel exports mix both): period numbers
    as_num = np.asarray([_numeric_text(u) if ok else np.nan for u, ok in zip(uniq, live)], dtype=float)
    all_numbers = all(_numeric_text(u) is not None for u, ok in zip(uniq, live) if ok)
    no_dates = not any(_is_datelike(u) for u, ok in zip(uniq, live) if ok)
    if all_numbers and no_dates:
        series = pd.Series(spread(as_num, np.nan).astype(float), index=raw.index)
        if np.isinf(series.to_numpy()).any():
            bad = np.isinf(series.to_numpy())
            raise EquityKitError(
                f"column '{column}' has infinite values, e.g. {describe_rows(raw, bad)}. Fix those rows.")
        months = _year_months(raw, series.to_numpy(), column)
        if months is not None:
            return months
        return _numbers(series.set_axis(raw.index), column, numbers=numbers, excel=excel) \
            if not numbers else Periods(series, "number")

    # dates: date objects as they are, text by format, numbers as Excel serials
    zones: set[str] = set()
    parsed = np.full(len(uniq), np.datetime64("NaT"), dtype="datetime64[ns]")
    text_at: list[int] = []
    serial_at: list[int] = []
    for i, (u, ok) in enumerate(zip(uniq, live)):
        if not ok:
            continue
        if isinstance(u, str):
            text_at.append(i)
        elif isinstance(u, pd.Period):
            parsed[i] = u.to_timestamp().as_unit("ns").to_datetime64()
        elif _is_datelike(u):
            try:
                parsed[i] = _local(pd.Timestamp(u), zones)
            except (ValueError, TypeError, OverflowError):
                pass
        elif _is_number(u):
            serial_at.append(i)
    if text_at:
        parsed[text_at] = _parse_text([uniq[i].strip() for i in text_at], zones)
    serial_mask = np.zeros(len(uniq), dtype=bool)
    if serial_at:
        nums = np.asarray([float(uniq[i]) for i in serial_at])
        parsed[serial_at] = _serial_dates(nums)
        serial_mask[serial_at] = ~np.isnat(parsed[serial_at])
    parsed[_implausible(parsed)] = np.datetime64("NaT")
    ok_u = ~np.isnat(parsed)
    row_ok = spread(ok_u, False).astype(bool)
    bad = filled & ~row_ok
    if bad.any():
        if categories and row_ok[filled].mean() < 0.5:
            cleaned = pd.Series(np.asarray(uniq + [None], dtype=object)[np.where(filled, codes, len(uniq))],
                                index=raw.index, dtype=object)
            return Periods(cleaned, "category", _category_note(column, [uniq[i] for i in text_at]))
        raise _unreadable(raw, column, bad, categories, uniq, codes, text_at)
    out = pd.Series(spread(parsed, np.datetime64("NaT")).astype("datetime64[ns]"), index=raw.index)
    notes: list[str] = []
    if zones:
        notes.append(_tz_note(column, zones))
    serial_rows = spread(serial_mask, False).astype(bool)
    if serial_rows.any():
        at = int(np.flatnonzero(serial_rows)[0])
        when = out.iloc[at]
        notes.append(
            f"Column '{column}' mixes dates with Excel date numbers; {_plural(int(serial_rows.sum()), 'number')} "
            f"{'was' if serial_rows.sum() == 1 else 'were'} read as Excel dates "
            f"(e.g. {describe_rows(raw.iloc[[at]])} is {when.day} {when:%B %Y}). Check that they are right.")
    return Periods(out, "date", tuple(notes))


def _category_note(column: str, texts: list[str]) -> tuple[str, ...]:
    """A note when labels read as categories look like periods (2023 Q2, Wk 14): runs are not analysed on them."""
    looks = [t.strip() for t in texts if _PERIOD_LIKE.search(t)]
    if len(looks) < max(2, len(texts) // 2):
        return ()
    return (f"Column '{column}' is read as labels, not dates (e.g. {looks[0]!r}), so the points keep the order "
            "in which they first appear and runs are not analysed. If these are periods (months, quarters or "
            "weeks), write them as dates (2024-04 or Apr-24, or the date each period starts) to get the run rules. " + ACCEPTED_DATES,)


def _is_datelike(u: Any) -> bool:
    return isinstance(u, (pd.Timestamp, np.datetime64, _dt.date, pd.Period))


def _check_plausible(raw: pd.Series, parsed: np.ndarray, column: str) -> None:
    odd = _implausible(parsed)
    if odd.any():
        raise EquityKitError(
            f"column '{column}' has {_plural(int(odd.sum()), 'date')} outside {_FIRST_YEAR} to {_LAST_YEAR}, "
            f"e.g. {describe_rows(raw, odd)}: numbers were probably read as dates somewhere. "
            "Read the file with equitykit.read_data(..., dates=...) or fix those rows. " + ACCEPTED_DATES)


def _unreadable(raw: pd.Series, column: str, bad: np.ndarray, mostly: bool,
                uniq: list, codes: np.ndarray, text_at: list[int]) -> EquityKitError:
    count = int(bad.sum())
    head = (f"column '{column}' holds dates, but {_plural(count, 'value')} cannot be read as dates"
            if mostly else f"column '{column}' has {_plural(count, 'value')} that cannot be read as dates")
    hint = ""
    texts = [uniq[i].strip() for i in text_at]
    if texts and _month_first(texts).any():
        us = [t for t, m in zip(texts, _month_first(texts)) if m]
        failed = set(np.asarray(uniq, dtype=object)[np.unique(codes[bad])].tolist()) if bad.any() else set()
        if any(t in {str(f).strip() for f in failed} for t in us):
            hint = (" They look like US dates, month first (04/13/2024); the kit reads 01/04/2024 as 1 April, so "
                    "one column cannot be read both ways. Write the dates as 2024-04-13, or day first.")
    totals = [u for u in np.asarray(uniq, dtype=object)[np.unique(codes[bad])] if is_total_label(u)] if bad.any() else []
    if totals:
        hint += (f" {totals[0].strip()!r} looks like the spreadsheet's totals row: remove it, e.g. "
                 f"data = data[data[{column!r}] != {totals[0]!r}], and the kit adds up the rows itself.")
    return EquityKitError(
        f"{head}, e.g. {describe_rows(raw, bad)}.{hint} Fix or remove those rows. " + ACCEPTED_DATES)


def read_dates(values: pd.Series, column: str, *, excel: bool = False) -> Periods:
    """Read a column that must hold dates (numbers are refused unless ``excel`` serials).

    Example
    -------
    >>> import pandas as pd
    >>> read_dates(pd.Series(["4 March 2024"]), "start_date").values.iloc[0]
    Timestamp('2024-03-04 00:00:00')
    """
    return read_periods(values, column, numbers=False, excel=excel)


def to_timestamps(values: Any, what: str) -> pd.DatetimeIndex:
    """Read date values the caller gives as arguments (``change=``, ``exclude=``, PDSA dates).

    One value or a list; the same formats as a column. Raises EquityKitError
    naming ``what`` and the values that are not dates.

    Example
    -------
    >>> to_timestamps("Apr-24", "change")[0]
    Timestamp('2024-04-01 00:00:00')
    """
    if isinstance(values, (pd.Series, pd.Index, np.ndarray, list, tuple, set)):
        vals = list(values)
    else:
        vals = [values]
    series = pd.Series(vals, dtype=object)
    if any(isinstance(v, (bool, np.bool_)) for v in vals) or any(_is_number(v) for v in vals):
        shown = [v for v in vals if _is_number(v) or isinstance(v, (bool, np.bool_))]
        raise EquityKitError(f"{what} should be a date (e.g. '2024-04-01' or '01/04/2024'), not the number "
                             f"{shown[0]!r}. " + ACCEPTED_DATES)
    try:
        got = read_periods(series, what, numbers=False)
    except EquityKitError:
        bad = [v for v in vals if not _one_ok(v)]
        raise EquityKitError(
            f"{what} should be a date (e.g. '2024-04-01' or '01/04/2024'), got {(bad or vals)[:3]!r}. "
            + ACCEPTED_DATES) from None
    if got.values.isna().any():
        raise EquityKitError(f"{what} should be a date (e.g. '2024-04-01'), but it is empty.")
    return pd.DatetimeIndex(got.values)


def _one_ok(value: Any) -> bool:
    try:
        read_periods(pd.Series([value], dtype=object), "value", numbers=False)
    except EquityKitError:
        return False
    return True


@dataclass(frozen=True)
class Frequency:
    """How often a regular series has a point: ``word`` (month, week ...) every ``step`` ``unit``.

    ``anchor`` places a point within its unit: the day of the month (0 for
    each month's last day) for months, the time of day in nanoseconds for days.
    """

    unit: str   # "month", "day", "busday" or "number"
    step: int | float
    word: str
    anchor: int = 0
    phase: int = 0  # where the grid starts within a step (e.g. weeks start on a Monday)


_MONTH_WORDS = {1: "month", 3: "quarter", 12: "year"}
_DAY_WORDS = {1: "day", 7: "week", 14: "fortnight"}
_NS_PER_DAY = 86_400_000_000_000


def _coarsest_first(words: dict[int, str]) -> list[tuple[int, str]]:
    # A fortnightly series also sits on a weekly grid with every other week "missing": the coarsest
    # grid that holds every point is the series' own spacing.
    return sorted(words.items(), reverse=True)


def infer_frequency(values: Any) -> Frequency | None:
    """The regular spacing of dates or period numbers, or None when they are not regular.

    Monthly, quarterly and yearly dates fall on the same day of the month (or
    each month's end); daily, weekly and fortnightly dates are 1, 7 or 14 days
    apart (working days only when no date is a weekend); period numbers go up
    by a whole step. Gaps are allowed, but a series missing more points than
    it has is not called regular.

    Example
    -------
    >>> import pandas as pd
    >>> infer_frequency(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-04-01"])).word
    'month'
    >>> infer_frequency([1, 2, 3, 5]).word
    'period'
    """
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        uniq = np.unique(arr[~np.isnat(arr)].astype("datetime64[ns]"))
        if uniq.size < 3:
            return None
        stamps = pd.DatetimeIndex(uniq)
        candidates = []
        month0 = int(uniq[0].astype("datetime64[M]").astype(np.int64))
        day0 = int(uniq[0].astype("datetime64[D]").astype(np.int64))
        if (stamps.normalize() == stamps).all():
            if stamps.day.nunique() == 1 and stamps.day[0] <= 28:
                candidates += [Frequency("month", s, w, int(stamps.day[0]), month0 % s) for s, w in _coarsest_first(_MONTH_WORDS)]
            elif stamps.is_month_end.all():
                candidates += [Frequency("month", s, w, 0, month0 % s) for s, w in _coarsest_first(_MONTH_WORDS)]
        time_of_day = (stamps - stamps.normalize()).asi8
        if np.unique(time_of_day).size == 1:
            if uniq.size >= 10 and not (stamps.day_of_week >= 5).any():
                candidates.append(Frequency("busday", 1, "working day", int(time_of_day[0])))
            candidates += [Frequency("day", s, w, int(time_of_day[0]), day0 % s) for s, w in _coarsest_first(_DAY_WORDS)]
        for freq in candidates:
            if _regular(positions(uniq, freq)):
                return freq
        return None
    if arr.dtype.kind in "iuf" and arr.size:
        nums = np.unique(arr[np.isfinite(arr)].astype(float))
        if nums.size < 3 or not np.all(nums == np.round(nums)):
            return None
        step = float(np.diff(nums).min())
        freq = Frequency("number", step, "period", 0, 0)
        if step >= 1 and _regular(positions(nums, freq)):
            return freq
    return None


def positions(values: Any, freq: Frequency) -> np.ndarray:
    """Where each value sits on the grid of ``freq``, in steps (NaN where it is off the grid)."""
    arr = np.asarray(values)
    if freq.unit == "number":
        out = arr.astype(float) / freq.step
    else:
        ns = arr.astype("datetime64[ns]")
        if freq.unit == "month":
            months = ns.astype("datetime64[M]").astype(np.int64)
            out = (months - freq.phase).astype(float) / freq.step
            day = (ns.astype("datetime64[D]") - ns.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
            last = ((ns.astype("datetime64[M]") + 1).astype("datetime64[D]") - ns.astype("datetime64[D]")) \
                .astype(np.int64) == 1
            on_anchor = last if freq.anchor == 0 else day == freq.anchor
            out = np.where(on_anchor & (ns == ns.astype("datetime64[D]")), out, np.nan)
        else:
            days = ns.astype("datetime64[D]")
            tod = (ns - days.astype("datetime64[ns]")).astype(np.int64)
            if freq.unit == "busday":
                ok = np.is_busday(days)
                out = np.where(ok, np.busday_count(np.datetime64("1970-01-01", "D"), np.where(ok, days, days)),
                               np.nan).astype(float)
            else:
                out = (days.astype(np.int64) - freq.phase).astype(float) / freq.step
            out = np.where(tod == freq.anchor, out, np.nan)
    out = np.where(np.isfinite(out) & (out == np.round(out)), out, np.nan)
    return out


def from_positions(pos: np.ndarray, freq: Frequency) -> np.ndarray:
    """The values at grid positions (in steps) of ``freq``: the inverse of :func:`positions`."""
    pos = np.asarray(pos, dtype=float)
    if freq.unit == "number":
        return pos * freq.step
    whole = np.round(pos * freq.step).astype(np.int64) + freq.phase if freq.unit != "busday" \
        else np.round(pos).astype(np.int64)
    if freq.unit == "month":
        first = whole.astype("datetime64[M]")
        if freq.anchor == 0:
            days = (first + 1).astype("datetime64[D]") - 1
        else:
            days = first.astype("datetime64[D]") + (freq.anchor - 1)
        return days.astype("datetime64[ns]")
    if freq.unit == "busday":
        days = np.busday_offset(np.datetime64("1970-01-01", "D"), whole, roll="forward")
    else:
        days = whole.astype("datetime64[D]")
    return days.astype("datetime64[ns]") + np.timedelta64(freq.anchor, "ns")


def _regular(pos: np.ndarray) -> bool:
    if np.isnan(pos).any() or pos.size < 3:
        return False
    pos = np.unique(pos)
    expected = pos[-1] - pos[0] + 1
    return expected - pos.size <= pos.size


def missing_periods(values: Any, freq: Frequency, groups: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The points a regular series (``freq``) skips between its first and last, per group.

    Returns the group label of each missing point (``groups`` given, else
    zeros) and its value. Vectorised over groups.

    Example
    -------
    >>> import pandas as pd
    >>> xs = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-05-01"])
    >>> _, gone = missing_periods(xs, infer_frequency(xs))
    >>> [f"{d:%b}" for d in pd.DatetimeIndex(gone)]
    ['Mar', 'Apr']
    """
    pos = positions(values, freq)
    gid = np.zeros(pos.size, dtype=np.int64) if groups is None else np.asarray(groups)
    ok = ~np.isnan(pos)
    order = np.lexsort((pos[ok], gid[ok]))
    p, g = pos[ok][order], gid[ok][order]
    keep = np.r_[True, (p[1:] != p[:-1]) | (g[1:] != g[:-1])]
    p, g = p[keep], g[keep]
    step = np.diff(p)
    same = g[1:] == g[:-1]
    gap = np.where(same, step - 1, 0).astype(np.int64)
    gap[gap < 0] = 0
    if not gap.sum():
        empty = np.asarray([], dtype=float if freq.unit == "number" else "datetime64[ns]")
        return g[:0], empty
    start = np.repeat(p[:-1], gap)
    offset = np.arange(gap.sum()) - np.repeat(np.cumsum(gap) - gap, gap) + 1
    return np.repeat(g[:-1], gap), from_positions(start + offset, freq)


def as_dates(frame: pd.DataFrame, column: str, *, allow_missing: bool = False, excel: bool = False) -> pd.Series:
    """Return ``frame[column]`` as dates, naming the rows that are not dates.

    The one reader of dates (:mod:`equitykit.periods`): ISO dates and months,
    UK day-first dates (01/03/2024 is 1 March), month labels (Mar-24, March
    2024), date-times and Excel dates. Numbers are refused unless ``excel``
    (a column of an .xlsx file holding Excel date numbers). Notes (time zones
    dropped, Excel numbers read as dates) are given as EquityKitWarning.

    Example
    -------
    >>> import pandas as pd
    >>> as_dates(pd.DataFrame({"m": ["Mar-24", "01/04/2024"]}), "m").dt.month.tolist()
    [3, 4]
    """
    require_columns(frame, [column])
    raw = frame[column]
    got = read_dates(raw, column, excel=excel)
    for note in got.notes:
        warnings.warn(note, EquityKitWarning, stacklevel=3)
    values = got.values
    if not allow_missing and values.isna().any():
        missing = values.isna().to_numpy()
        raise EquityKitError(
            f"column '{column}' has {_plural(int(missing.sum()), 'empty date')}, "
            f"e.g. {describe_rows(raw, missing)}. Fill them in or remove those rows."
        )
    return values
