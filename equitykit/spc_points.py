"""SPC rows to points: the steps of :func:`equitykit.spc` between the options and the limits.

The caller's rows are read (x as dates, numbers or categories by the kit's one
reader of periods; y and n as numbers) and sorted by group and x
(:func:`sorted_rows`); the rows that share a (group, x) become one point
(:func:`one_point_per_x`: sum, mean and sd of y, sum of n); each group is split
into phases (:func:`split_phases`); the points the limits are computed from
(:func:`mark_baseline`, ``freeze=``) and the points left out of them
(:func:`mark_excluded`, ``exclude=``) are marked. For the honest notes it also
finds the column that tells apart rows added into one point
(:func:`differing_column`) and the periods a regular series skips
(:func:`missing_points`). Bad input is an ``EquityKitError``; what the reader
of the chart should know is an ``SPCWarning`` aimed at the line that called
``spc()``. Nothing here computes limits or words a reading.

Example
-------
>>> import pandas as pd
>>> d = pd.DataFrame({"month": ["2024-01", "2024-01", "2024-02", "2024-03"], "falls": [2, 3, 4, 6]})
>>> rows = sorted_rows(d, x="month", y="falls", n=None, chart="c", by_cols=[])
>>> points = one_point_per_x(d, rows, x="month", y="falls", n=None, chart="c", rules="anhoej", by_cols=[])
>>> points.pts["value"].tolist()
[5.0, 4.0, 6.0]
>>> phases = split_phases(d, rows, points, phase="2024-03-01", phase_col=None)
>>> phases.phase_num.tolist()
[1, 1, 2]
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .periods import missing_periods, positions, read_periods, to_timestamps
from .validation import EquityKitError, SPCWarning, as_numeric, check_not_above, describe_rows

__all__ = ["Rows", "Points", "Phases", "sorted_rows", "one_point_per_x", "split_phases", "mark_baseline",
           "mark_excluded", "differing_column", "missing_points"]

_COUNT_CHARTS = {"c", "u", "p", "pp", "up", "g"}  # y is a count: it may not be negative
MIN_FREEZE_MDC = 12  # NHSRplotthedots refuses fix_after_n_points below 12

# Each step is called by spc() itself, so its warnings use stacklevel=3 (the step, spc, and the
# _arguments wrapper, which re-issues them at the line that called spc()).


def _blank(raw: pd.Series) -> pd.Series:
    """True where a cell is missing or holds only spaces (an Excel blank)."""
    blank = raw.isna().to_numpy(bool)
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
        empty = np.asarray([isinstance(u, str) and not u.strip() for u in uniques], dtype=bool)
        if empty.any():
            blank = blank | ((codes >= 0) & empty[np.maximum(codes, 0)])
    return pd.Series(blank, index=raw.index)


def _x_values(frame: pd.DataFrame, x: str) -> tuple[pd.Series, str]:
    """Return x as a Series and its kind: 'date', 'number' or 'category'.

    Read by the kit's one reader of periods (:mod:`equitykit.periods`): text
    that is all numbers is a number; dates in any accepted format are dates;
    text that is mostly dates with a few other values is an error naming
    those rows, never a silent category. Notes (time zones dropped, Excel
    numbers read as dates) are warned as SPCWarning.
    """
    got = read_periods(frame[x], x, categories=True)
    for note in got.notes:
        warnings.warn(note, SPCWarning, stacklevel=4)  # one call deeper than the other steps (sorted_rows)
    if got.kind == "date":
        return got.values.astype("datetime64[ns]"), "date"
    return got.values, got.kind


def _category_order(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return list(pd.unique(values.dropna()))


def _keys_for(values: Any, kind: str, categories: list | None, what: str) -> np.ndarray:
    """Turn x values given by the caller (phase starts, exclude, annotations) into sort keys."""
    if values is None:
        return np.zeros(0)
    if isinstance(values, (pd.Series, pd.Index, np.ndarray, list, tuple, set)):
        vals = list(values)
    else:
        vals = [values]
    if kind == "date":
        return to_timestamps(vals, f"{what} (dates like the x column)").asi8.astype(float)
    if kind == "number":
        try:
            return np.asarray(vals, dtype=float)
        except (ValueError, TypeError):
            raise EquityKitError(f"{what} should be numbers like the x column, got {vals[:3]!r}.") from None
    lookup = {c: i for i, c in enumerate(categories or [])}
    missing = [v for v in vals if v not in lookup]
    if missing:
        raise EquityKitError(
            f"{what} has values that are not in the x column: {missing[:3]!r}. "
            f"The x values are: {list(lookup)[:6]!r}{' ...' if len(lookup) > 6 else ''}."
        )
    return np.asarray([lookup[v] for v in vals], dtype=float)



def _x_keys(values: Any, r: "Rows", p: "Points", what: str) -> np.ndarray:
    """``_keys_for`` the chart's x; point numbers given for dates (as qicharts2 takes them) get the x to write."""
    try:
        return _keys_for(values, r.kind, r.categories, what)
    except EquityKitError as exc:
        given = list(values) if isinstance(values, (list, tuple, np.ndarray, pd.Series, pd.Index)) else [values]
        first = np.sort(p.xkey[p.group == p.group[0]]) if p.xkey.size else np.zeros(0)
        numbers = [v for v in given if isinstance(v, (int, np.integer)) and not isinstance(v, bool)]
        if r.kind != "date" or len(numbers) != len(given) or not all(1 <= v <= first.size for v in numbers):
            raise
        named = [str(pd.Timestamp(int(first[v - 1])).date()) for v in numbers]
        raise EquityKitError(
            f"{what} names x values, not point numbers: point {numbers[0]} is {named[0]}, so write "
            f"{what}={named if len(named) > 1 else named[0]!r}.") from exc


@dataclass(frozen=True)
class Rows:
    """The rows that have an x, sorted by (group, x), with the columns read from them."""

    xv: pd.Series  # x of every row of the frame, read as dates, numbers or categories
    kind: str  # "date", "number" or "category"
    categories: list | None
    keep: np.ndarray  # rows of the frame with an x
    rows: np.ndarray  # positions in the frame of the kept rows, sorted by (group, x)
    group: np.ndarray  # group code of each sorted row
    xkey: np.ndarray  # x of each sorted row as a number
    y: np.ndarray
    n: np.ndarray | None
    n_missing_y: int


def sorted_rows(frame: pd.DataFrame, *, x: str, y: str, n: str | None, chart: str, by_cols: list) -> Rows:
    """Read x, y, n and the groups; leave out rows with no x (warned); sort by group and x."""
    xv, kind = _x_values(frame, x)
    yv = as_numeric(frame, y, nonnegative=chart in _COUNT_CHARTS)
    nv = as_numeric(frame, n, nonnegative=True) if n is not None else None
    if nv is not None and chart in ("p", "pp"):
        check_not_above(frame, y, n, yv, nv)
    if nv is not None:
        incomplete = yv.isna() | nv.isna()
        yv = yv.mask(incomplete)
        nv = nv.mask(incomplete)
    keep = xv.notna().to_numpy()
    if not keep.all():
        warnings.warn(
            f"{int((~keep).sum())} row(s) have no value in '{x}' and were left out, e.g. "
            f"{describe_rows(frame[x], ~keep)}.", SPCWarning, stacklevel=3)
    for col in by_cols:
        if frame[col].isna().any():
            bad = frame[col].isna()
            raise EquityKitError(
                f"column '{col}' (by=) has empty cells, e.g. {describe_rows(frame[col], bad)}. "
                "Fill them in (e.g. 'Unknown') or remove those rows.")
    n_missing_y = int((yv.isna().to_numpy() & keep).sum())

    categories = _category_order(xv) if kind == "category" else None
    if kind == "date":
        xkey = xv.to_numpy().astype(np.int64).astype(float)
    elif kind == "number":
        xkey = xv.to_numpy(dtype=float)
    else:
        lookup = {c: i for i, c in enumerate(categories)}
        xkey = np.asarray([lookup.get(v, -1) if v is not None and v == v else -1 for v in xv], dtype=float)
    if by_cols:
        gcode = frame.groupby(by_cols, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    else:
        gcode = np.zeros(len(frame), dtype=np.int64)
    rows = np.flatnonzero(keep)
    gcode, xkey_r = gcode[rows], xkey[rows]
    y_r = yv.to_numpy(dtype=float)[rows]
    n_r = nv.to_numpy(dtype=float)[rows] if nv is not None else None
    order = np.lexsort((xkey_r, gcode))
    rows, gcode, xkey_r, y_r = rows[order], gcode[order], xkey_r[order], y_r[order]
    if n_r is not None:
        n_r = n_r[order]
    if rows.size == 0:
        raise EquityKitError(f"no rows have a value in '{x}': nothing to chart.")
    return Rows(xv, kind, categories, keep, rows, gcode, xkey_r, y_r, n_r, n_missing_y)


@dataclass(frozen=True)
class Points:
    """One point per (group, x): the values the limits are computed from, and where each came from."""

    pts: dict  # y (sum), mean, sd, count, n, value: what spc_limits and rules read
    y_out: np.ndarray  # the table's y: sum or mean of y
    dup: np.ndarray  # sorted rows that repeat the (group, x) of the row before
    point_of_row: np.ndarray
    src_rows: np.ndarray  # the frame row each point takes its x and group from
    group: np.ndarray  # group code of each point
    xkey: np.ndarray  # x of each point as a number
    xx: np.ndarray  # position of each point within its group (0, 1, ...)
    ngroups: int


def one_point_per_x(frame: pd.DataFrame, r: Rows, *, x: str, y: str, n: str | None, chart: str, rules: str,
                     by_cols: list) -> Points:
    """Combine the rows of each (group, x) into one point: sum, mean and sd of y, sum of n."""
    gcode, xkey_r, y_r, n_r, rows = r.group, r.xkey, r.y, r.n, r.rows
    dup = np.zeros(rows.size, dtype=bool)
    dup[1:] = (gcode[1:] == gcode[:-1]) & (xkey_r[1:] == xkey_r[:-1])
    if dup.any() and rules == "mdc":
        first = rows[np.flatnonzero(dup)[:3]]
        raise EquityKitError(
            f"rules='mdc' needs one value per '{x}'{' and group' if by_cols else ''}, but some x values repeat "
            f"(e.g. rows {', '.join(str(frame.index[i]) for i in first)}). Combine them first (e.g. sum or "
            "mean per date), or use rules='anhoej', which combines them.")
    point_of_row = np.cumsum(~dup) - 1
    npts = int(point_of_row[-1]) + 1
    first_row = np.flatnonzero(~dup)
    y_ok = ~np.isnan(y_r)
    count = np.bincount(point_of_row, weights=y_ok, minlength=npts)
    y_sum = np.bincount(point_of_row, weights=np.where(y_ok, y_r, 0), minlength=npts)
    if dup.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            y_mean = y_sum / count
            sq = np.bincount(point_of_row, weights=np.where(y_ok, (y_r - y_mean[point_of_row]) ** 2, 0),
                             minlength=npts)
            y_sd = np.sqrt(sq / (count - 1))
        y_sd[count < 2] = np.nan
        y_sum = np.where(count > 0, y_sum, np.nan)
    else:
        y_mean = y_r.copy()
        y_sum = y_r.copy()
        y_sd = np.full(npts, np.nan)
    if chart in ("xbar", "s") and not dup.any():
        raise EquityKitError(
            f"an {chart} chart needs several measurements per '{x}' (one row each); every x here has one row. "
            "Use chart='i' for one value per x.")
    pts: dict[str, np.ndarray] = {"y": y_sum, "mean": y_mean, "sd": y_sd, "count": count}
    if n_r is not None:
        n_sum = np.bincount(point_of_row, weights=np.where(np.isnan(n_r), 0, n_r), minlength=npts)
        pts["n"] = n_sum
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where((count > 0) & (n_sum > 0), y_sum / n_sum, np.nan)
        zero_n = (n_sum == 0) & (count > 0)
        if zero_n.any():
            warnings.warn(
                f"{int(zero_n.sum())} point(s) have a denominator '{n}' of 0; they are kept on the chart as "
                "gaps and left out of the limits and runs analysis.", SPCWarning, stacklevel=3)
        y_out = np.where(count > 0, y_sum, np.nan)
    else:
        pts["n"] = np.full(npts, np.nan)
        value = y_sum if chart == "c" else y_mean
        y_out = y_sum if chart == "c" else y_mean
    pts["value"] = value.astype(float)
    if r.n_missing_y:
        warnings.warn(
            f"{r.n_missing_y} row(s) have no value in '{y}'{' or ' + repr(n) if n else ''}; points with no value "
            "are shown as gaps and left out of the analysis.", SPCWarning, stacklevel=3)
    if chart == "t":
        finite = value[~np.isnan(value)]
        if finite.size and finite.min() <= 0:
            raise EquityKitError(
                f"a t chart needs times between events greater than zero, but '{y}' has values <= 0 "
                "(two events at the same time?). Measure the gaps in hours or minutes, or use chart='g' "
                "for counts of days between events.")

    g_pt = gcode[first_row]
    ngroups = int(g_pt.max()) + 1 if g_pt.size else 0
    gcounts = np.bincount(g_pt, minlength=ngroups)
    gstart = np.concatenate(([0], np.cumsum(gcounts)[:-1]))
    xx = np.arange(npts) - gstart[g_pt]
    return Points(pts, y_out, dup, point_of_row, rows[first_row], g_pt, xkey_r[first_row], xx, ngroups)


@dataclass(frozen=True)
class Phases:
    """The segments (group and phase) of the points: each has its own centre line, limits and runs."""

    seg: np.ndarray  # segment of each point, 0 .. nseg - 1
    nseg: int
    seg_group: np.ndarray  # group code of each segment
    phase_num: np.ndarray  # phase of each point within its group, from 1
    labels: np.ndarray | None  # the phase= column's label of each point, if phase named a column


def split_phases(frame: pd.DataFrame, r: Rows, p: Points, *, phase: Any, phase_col: str | None) -> Phases:
    """Split each group into phases: where the phase column's label changes, or at the given x values."""
    group_first = p.xx == 0
    if phase_col is not None:
        blank_phase = _blank(frame[phase_col]).to_numpy(bool)
        if blank_phase[r.rows].any():
            raise EquityKitError(
                f"column '{phase_col}' (phase=) has empty cells, e.g. "
                f"{describe_rows(frame[phase_col], blank_phase & r.keep)}. Give every row its phase "
                "label (e.g. 'baseline', 'after PDSA 1'), or pass phase= the x value(s) where new phases start.")
        labels = frame[phase_col].to_numpy(dtype=object)[p.src_rows]
        labels = np.asarray(["" if (lab is None or lab != lab) else str(lab) for lab in labels], dtype=object)
        change = group_first.copy()
        change[1:] |= labels[1:] != labels[:-1]
    else:
        starts = _x_keys(phase, r, p, "phase") if phase is not None else np.zeros(0)
        starts = np.sort(starts)
        phase_num_tmp = np.searchsorted(starts, p.xkey, side="right")
        change = group_first.copy()
        change[1:] |= phase_num_tmp[1:] != phase_num_tmp[:-1]
        labels = None
    seg = np.cumsum(change) - 1
    nseg = int(seg[-1]) + 1
    seg_group = p.group[change]
    seg_first_of_group = np.concatenate(([0], np.flatnonzero(np.diff(seg_group)) + 1))
    phase_num = seg - seg_first_of_group[np.searchsorted(seg_first_of_group, seg, side="right") - 1] + 1
    return Phases(seg, nseg, seg_group, phase_num.astype(int), labels)


def mark_baseline(freeze: Any, rules: str, ph: Phases, p: Points, by_cols: list, r: Rows | None = None) -> np.ndarray:
    """The points the limits are computed from: all, or the first ``freeze`` of the first phase."""
    if freeze is None:
        return np.ones(p.xx.size, dtype=bool)
    if isinstance(freeze, (float, np.floating)) and float(freeze).is_integer():
        freeze = int(freeze)  # 12.0 from a slider or a cell is 12 points
    if isinstance(freeze, bool) or not isinstance(freeze, (int, np.integer)) or freeze < 1:
        raise EquityKitError(f"freeze should be a whole number of points (e.g. 12), not {freeze!r}."
                             + (_freeze_hint(freeze, r, p) if r is not None else ""))
    if rules == "mdc" and freeze < MIN_FREEZE_MDC:
        raise EquityKitError(
            f"with rules='mdc', freeze must be at least {MIN_FREEZE_MDC} points (Making Data Count fixes "
            f"limits only after 12 or more); got {freeze}.")
    baseline = ~((ph.phase_num == 1) & (p.xx >= freeze))
    first_len = np.bincount(p.group[ph.phase_num == 1], minlength=p.ngroups)
    if (first_len <= freeze).all():
        warnings.warn(
            f"freeze={freeze} but the {'first phase has' if ph.nseg > p.ngroups else 'chart has'} only "
            f"{int(first_len.max())} point(s){' in any group' if by_cols else ''}: the limits use all of "
            "them, so nothing is frozen. Freeze at the end of the baseline period (e.g. 12 or 20 points).",
            SPCWarning, stacklevel=3)
    return baseline


def _freeze_hint(freeze: Any, r: Rows, p: Points) -> str:
    """For a freeze given as an x value (a learner's natural 'up to June'): the count of points to write."""
    if isinstance(freeze, (bool, int, float, np.number)) or freeze is None:
        return ""
    try:
        key = _keys_for([freeze], r.kind, r.categories, "freeze")[0]
    except (EquityKitError, ValueError, TypeError):
        return ""
    count = int(np.sum(p.xkey[p.group == p.group[0]] <= key)) if p.xkey.size else 0
    if count < 1:
        return ""
    shown = repr(freeze) if isinstance(freeze, str) else str(freeze)
    return (f" It counts the baseline's points: {shown} is point {count} of the series, so freeze={count} "
            "computes the limits from the points up to and including it.")


def mark_excluded(exclude: Any, r: Rows, p: Points, x: str) -> np.ndarray:
    """The points named by ``exclude`` (kept on the chart, left out of limits and runs); unknown x warned."""
    if exclude is None:
        return np.zeros(p.xx.size, dtype=bool)
    ex_keys = _x_keys(exclude, r, p, "exclude")
    excluded = np.isin(p.xkey, ex_keys)
    off_axis = ~np.isin(ex_keys, p.xkey)
    if off_axis.any():
        given = list(exclude) if isinstance(exclude, (pd.Series, pd.Index, np.ndarray, list, tuple, set)) \
            else [exclude]
        shown = [v for v, off in zip(given, off_axis) if off]
        warnings.warn(
            f"exclude names {int(off_axis.sum())} value(s) that are not on the x axis, so nothing is "
            f"excluded for them: {shown[:3]!r}. Use x values exactly as they are in '{x}'.",
            SPCWarning, stacklevel=3)
    return excluded



def differing_column(frame: pd.DataFrame, rows: np.ndarray, point_of_row: np.ndarray, count: np.ndarray,
                      skip: set) -> Any:
    """The column that tells apart the rows added into one point (e.g. ethnicity), or None.

    A column qualifies when, in nearly every point made of several rows, each
    row has its own value; of those, the one with the fewest distinct values
    (a grouping, not a row id) is named.
    """
    shared = np.bincount(point_of_row, minlength=count.size) > 1
    best, best_levels = None, np.inf
    for col in list(frame.columns)[:40]:
        if col in skip:
            continue
        codes, levels = pd.factorize(frame[col].to_numpy(dtype=object)[rows], use_na_sentinel=True)
        if len(levels) < 2:
            continue
        pairs = np.unique(point_of_row.astype(np.int64) * (len(levels) + 1) + (codes + 1))
        distinct = np.bincount(pairs // (len(levels) + 1), minlength=count.size)
        rows_here = np.bincount(point_of_row, minlength=count.size)
        if (distinct[shared] == rows_here[shared]).mean() >= 0.9 and len(levels) < best_levels:
            best, best_levels = col, len(levels)
    return best



def missing_points(table: pd.DataFrame, by_cols: list, seg: np.ndarray, freq: Any) -> pd.DataFrame:
    """The x values a regular series skips, per group, with the segment (group and phase) they fall in."""
    columns = [*by_cols, "x", "segment"]
    if freq is None:
        return pd.DataFrame({c: [] for c in columns})
    xs = table["x"].to_numpy()
    if by_cols:
        gid = table.groupby(by_cols, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    else:
        gid = np.zeros(len(table), dtype=np.int64)
    group_of, gone = missing_periods(xs, freq, gid)
    if not len(gone):
        return pd.DataFrame({c: [] for c in columns})
    # each missing point belongs to the segment of the point before it in its group
    pos = positions(xs, freq)
    order = np.lexsort((pos, gid))
    key = gid[order].astype(float) * 1e12 + pos[order]
    before = order[np.searchsorted(key, group_of.astype(float) * 1e12 + positions(gone, freq), side="right") - 1]
    out = {c: table[c].to_numpy()[before] for c in by_cols}
    out["x"] = gone
    out["segment"] = seg[before]
    return pd.DataFrame(out, columns=columns)

