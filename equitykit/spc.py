"""Statistical process control (step 4): run and control charts that agree with qicharts2 and NHS Making Data Count.

One entry point, :func:`spc`, in the style of qicharts2's ``qic()``. It
aggregates row-level data to one point per x (per group), computes the centre
line and limits of the chosen chart, applies a rule set (see
:mod:`equitykit.rules`) and returns an :class:`SPCResult` with a point table, a
summary per group and phase with a plain-English reading, and an Altair chart.

Example
-------
>>> import pandas as pd
>>> import equitykit as ek
>>> d = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=12, freq="W-MON"),
...                   "falls": [3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9]})
>>> res = ek.spc(d, x="week", y="falls", chart="c")
>>> round(float(res.table["cl"].iloc[0]), 3)
4.167
>>> res.summary()[["phase", "n_obs", "runs_signal", "sigma_signals"]]
   phase  n_obs  runs_signal  sigma_signals
0      1     12        False              0
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import rules as _rules
from ._arguments import vocabulary
from .periods import infer_frequency
from .results import Result, Summary
from .spc_limits import RATIO_CHARTS, compute_limits, mdc_limits
from .spc_points import (
    Phases,
    Points,
    Rows,
    differing_column,
    mark_baseline,
    mark_excluded,
    missing_points,
    one_point_per_x,
    sorted_rows,
    split_phases,
)
from .spc_reading import missing_note, summary_reading, summed_rows_note
from .theme import styled
from .validation import EquityKitError, SPCWarning, as_frame, checked_multiply, column_names, require_columns
from .wording import check_choice, check_improvement

__all__ = ["spc", "SPCResult", "SPCWarning", "CHARTS"]

CHARTS = {
    "run": "run chart: values over time around the median",
    "i": "I chart (XmR): individual values, sigma from the average moving range",
    "mr": "moving-range chart: the point-to-point ranges of an I chart",
    "xbar": "X-bar chart: subgroup means of several measurements per x",
    "s": "S chart: subgroup standard deviations",
    "c": "C chart: counts of events per x (equal opportunity)",
    "u": "U chart: rates, events per unit (n) with limits that vary with n",
    "p": "P chart: proportions (y out of n) with limits that vary with n",
    "pp": "Laney P' chart: a P chart allowing for extra variation between points (large n)",
    "up": "Laney U' chart: a U chart allowing for extra variation between points (large n)",
    "g": "G chart: opportunities or days between rare events",
    "t": "T chart: time between rare events (transformed I chart)",
}
# How people name the charts and rule sets ("P chart", "XmR", "Laney P'", "Making Data Count").
_CHART_WORDS = {
    **{f"{c}{joint}chart": c for c in CHARTS for joint in (" ", "-", "")},
    "xmr": "i", "x-mr": "i", "i-mr": "i", "imr": "i", "xmr chart": "i", "individuals": "i", "x": "i",
    "p'": "pp", "p prime": "pp", "laney p": "pp", "laney p'": "pp", "p' chart": "pp",
    "u'": "up", "u prime": "up", "laney u": "up", "laney u'": "up", "u' chart": "up",
    "moving range": "mr", "x-bar": "xbar", "x bar": "xbar",
}
_RULE_WORDS = {"making data count": "mdc", "anhøj": "anhoej", "anhoj": "anhoej"}
# Columns of the result's table and summary: a by= column may not share their names.
_OUTPUT_COLUMNS = frozenset({
    "x", "y", "n", "value", "cl", "lcl", "ucl", "lcl_95", "ucl_95", "target", "phase", "phase_label", "baseline",
    "excluded", "sigma_signal", "run_signal", "long_run", "few_crossings", "shift", "trend", "runs",
    "outside_limits", "close_to_limits", "two_in_three", "special_cause_type", "point_type", "n_rows", "start",
    "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min", "n_crossings_max",
    "runs_signal", "sigma_signals", "common_cause", "special_cause_improvement", "special_cause_concern",
    "variation", "assurance",
})

# Fewest points for limits or runs analysis we call trustworthy (a warning below).
MIN_POINTS_RUN = 10  # runs analysis: the Anhøj and IHI tables start at 10 useful points
MIN_POINTS_LIMITS = 12  # control limits: fewer baseline points give trial limits
MIN_POINTS_MDC = 13  # NHSRplotthedots warns when a group has fewer than 13 points
MIN_POINTS_FIRM = 20  # limits from fewer baseline points are trial limits (Provost and Murray 2011)


# ----------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------

def _annotation_frame(annotations: Any) -> pd.DataFrame:
    if annotations is None:
        return pd.DataFrame({"x": [], "label": [], "detail": []})
    if isinstance(annotations, pd.DataFrame):
        require_columns(annotations, ["x", "label"], what="annotations")
        out = pd.DataFrame({"x": annotations["x"].to_numpy(), "label": annotations["label"].astype(str).to_numpy()})
        out["detail"] = annotations["detail"].astype(str).to_numpy() if "detail" in annotations else ""
        return out
    try:
        rows = [tuple(item) for item in annotations]
        if any(len(r) < 2 for r in rows):
            raise ValueError
    except (TypeError, ValueError):
        raise EquityKitError(
            "annotations should be a table with columns 'x' and 'label' (e.g. PDSALog.annotations()) "
            "or a list of (x, label) pairs such as [('2024-03-01', 'PDSA 1: huddle')]."
        ) from None
    return pd.DataFrame({
        "x": [r[0] for r in rows],
        "label": [str(r[1]) for r in rows],
        "detail": [str(r[2]) if len(r) > 2 else "" for r in rows],
    })


# ----------------------------------------------------------------------------
# The entry point
# ----------------------------------------------------------------------------

@vocabulary(positional=("x", "y", "n", "chart", "phase", "freeze", "exclude", "rules", "improvement", "target",
                        "multiply", "screen_mr", "annotations", "by"))
def spc(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    chart: str | None = None,
    phase: Any = None,
    freeze: int | None = None,
    exclude: Any = None,
    rules: str = "anhoej",
    improvement: str = "neutral",
    target: float | dict | None = None,
    multiply: float | None = None,
    screen_mr: bool = True,
    annotations: Any = None,
    by: str | Sequence[str] | None = None,
) -> "SPCResult":
    """Compute a run or control chart, its signals and a plain-English reading.

    Parameters
    ----------
    data : DataFrame
        One row per observation or per period; several rows with the same x
        (and group) are combined into one point. Never changed.
    x : str
        Column of the time axis (dates, numbers, or categories such as
        deprivation deciles). Text in ISO form (2024-03-01) is read as dates;
        other text is taken as categories in order of first appearance (or a
        pandas Categorical's order); runs are not analysed over categories.
        Repeated x values are combined (sum of y and n; mean for run, i, g, t;
        mean and sd for xbar and s), except with ``rules="mdc"``, which
        needs one value per x, as NHSRplotthedots does.
    y : str
        Column of the measure: counts (c, u, p charts), the numerator over ``n``,
        or measurements (run, i, xbar, s, g, t).
    n : str, optional
        Column of denominators (people eligible, bed days): needed for p, pp,
        u and up; optional for run and i charts (then the point is sum(y)/sum(n)).
    chart : str
        One of ``run`` (default), ``i``, ``mr``, ``xbar``, ``s``, ``c``, ``u``,
        ``p``, ``pp``, ``up``, ``g``, ``t``. With ``rules="mdc"`` the default
        (and the only choice) is ``i``, the NHS XmR chart.
    phase : str or x value(s), optional
        A column of phase labels (a new phase starts where the label changes),
        or the x value(s) at which new phases start. Each phase has its own
        centre line, limits and runs analysis.
    freeze : int, optional
        Compute the centre line and limits from the first ``freeze`` points
        (of the first phase) and extend them. With ``phase`` as well, the
        frozen baseline applies within the first phase and later phases use
        all their points (qicharts2 ignores ``freeze`` when parts are given).
    exclude : x value(s), optional
        Points kept on the chart but left out of the limits and runs analysis.
    rules : str
        ``anhoej`` (qicharts2), ``bestbox`` or ``cutbox`` (the Anhøj rules
        with the limits of Anhøj and Wentzel-Larsen 2020, for 10 to 100 useful
        points), ``ihi`` (run-chart rules) or ``mdc`` (Making Data Count);
        see :mod:`equitykit.rules`.
    improvement : str
        ``increase``, ``decrease`` or ``neutral``: which direction is better.
        Colours signals and words the reading.
    target : float or dict, optional
        A target line, in the units plotted (95 for 95% on a P chart, which
        is in percent unless ``multiply`` says otherwise); a dict gives one per group. With
        ``mdc`` it also gives the assurance icon.
    multiply : float, optional
        Scale of the plotted values and limits, after the statistics. Left
        out, P and P' charts are in percent (100), U and U' charts per 1,000
        of ``n`` (1000) and other charts as they are (1); ``multiply=1`` gives
        a P chart's proportions, as qicharts2 shows them.
    screen_mr : bool
        Drop moving ranges at or above 3.267 x their average from the average
        (i, t, pp, up charts and mdc), as qicharts2 does when attached.
    annotations : DataFrame or list of (x, label), optional
        PDSA cycles or notes drawn on the chart (``PDSALog.annotations()``).
    by : str or list of str, optional
        Compute a separate chart for each group (stratified charts).

    Returns
    -------
    SPCResult
        ``.table`` has one row per point: the ``by`` columns, ``x``, ``y``
        (sum or mean of y), ``n``, ``value`` (plotted), ``cl``, ``lcl``,
        ``ucl``, ``lcl_95``, ``ucl_95`` (2-sigma), ``target``, ``phase``,
        ``baseline``, ``excluded``, ``sigma_signal``, ``run_signal`` (the
        phase's runs signal) and each rule's own flag (anhoej: ``long_run``,
        ``few_crossings``; ihi: ``shift``, ``trend``, ``runs``; mdc:
        ``outside_limits``, ``close_to_limits``, ``trend``, ``two_in_three``,
        ``shift``, ``special_cause_type``, ``point_type``).

    Notes
    -----
    Formulas follow qicharts2 0.8.1 (Anhøj): I chart sigma = AMR / 1.128;
    C sigma = sqrt(cl); U sigma = sqrt(cl / n); P sigma = sqrt(cl (1 - cl) / n)
    with limits clipped to [0, 1]; Laney P' and U' multiply by sigma_z, the
    screened AMR of the z-scores / 1.128 (the sd of z for categorical x);
    G chart limits from the mean g, g +/- 3 sqrt(g (g + 1)), with the median as
    centre line; T chart = I chart of y^(1/3.6), back-transformed; xbar and s
    use c4-based A3, B3, B4. Lower limits of C, U, P, G (and T) are floored at 0.
    ``mdc`` uses NHSRplotthedots' XmR: mean +/- 2.66 AMR.

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=12, freq="MS"),
    ...                   "seen": [40, 42, 39, 45, 44, 48, 41, 43, 40, 46, 44, 47], "referred": [50] * 12})
    >>> res = spc(d, x="month", y="seen", n="referred", chart="p")
    >>> round(float(res.table["cl"].iloc[0]), 1)
    86.5
    """
    # options -> one point per (group, x) -> phases, baseline, exclusions -> limits -> rules -> result
    frame = as_frame(data)
    chart, rules, improvement, by_cols, phase_col, multiply = _checked_options(
        frame, x=x, y=y, n=n, chart=chart, phase=phase, rules=rules, improvement=improvement,
        multiply=multiply, by=by)
    rows = sorted_rows(frame, x=x, y=y, n=n, chart=chart, by_cols=by_cols)
    points = one_point_per_x(frame, rows, x=x, y=y, n=n, chart=chart, rules=rules, by_cols=by_cols)
    phases = split_phases(frame, rows, points, phase=phase, phase_col=phase_col)
    baseline = mark_baseline(freeze, rules, phases, points, by_cols, rows)
    excluded = mark_excluded(exclude, rows, points, x)
    include = ~excluded
    base = baseline & include
    categorical = rows.kind == "category"
    lim = _limits(chart, rules, screen_mr, points.pts, base, phases.seg, phases.nseg, categorical)
    found = _signals(rules, improvement, points.pts["value"], lim, include, phases.seg, phases.nseg,
                     multiply=multiply, runs_off=categorical or chart == "mr")
    value, ra = found.value, found.runs
    seg_info, flags = dict(found.segments), dict(found.flags)
    if rules == "mdc":
        flags["point_type"] = _point_type(flags["special_cause_type"], improvement)
    table = _point_table(frame, rows, points, phases, by_cols, value=value, limits=found.limits,
                         sigma=found.sigma, target=target, baseline=baseline, excluded=excluded,
                         seg_info=seg_info, flags=flags)
    _warn_short(chart, rules, phases.seg, phases.nseg, base, ra, by_cols, stacklevel=3)
    _warn_target_units(table, value, multiply)
    notes, missing, freq = _honest_notes(frame, table, rows, points, phases, seg_info, x=x, y=y, n=n,
                                         chart=chart, phase_col=phase_col, by_cols=by_cols, base=base,
                                         value=value, limits=found.limits)
    options = {
        "x": x, "y": y, "n": n, "chart": chart, "rules": rules, "improvement": improvement, "kind": rows.kind,
        "multiply": multiply, "by": by_cols, "freeze": freeze, "categorical": categorical,
        "target": target, "phase_labels": phases.labels is not None, "seg_group": phases.seg_group,
        "notes": tuple(notes), "missing": missing, "frequency": freq,
    }
    return SPCResult(table, phases.seg, seg_info, options, _annotation_frame(annotations), ra)


# ----------------------------------------------------------------------------
# The steps of spc(), in order (warnings use stacklevel=3: they point at spc's caller)
# ----------------------------------------------------------------------------

def _checked_options(frame: pd.DataFrame, *, x: str, y: str, n: str | None, chart: str | None, phase: Any,
                     rules: str, improvement: str, multiply: Any,
                     by: Any) -> tuple[str, str, str, list, str | None, float]:
    """The options checked and normalised: chart, rules, improvement, by columns, phase column, multiply."""
    rules = check_choice(rules, "rules", list(_rules.RULE_SETS), aliases=_RULE_WORDS)
    improvement = check_improvement(improvement)
    if chart is None:
        chart = "i" if rules == "mdc" else "run"
    chart = check_choice(chart, "chart", list(CHARTS), aliases=_CHART_WORDS)
    if rules == "mdc" and chart != "i":
        raise EquityKitError(
            f"rules='mdc' (Making Data Count) is defined for the XmR chart only; use chart='i' "
            f"(or rules='anhoej' with chart={chart!r})."
        )
    by_cols = column_names(by)
    phase_col = phase if isinstance(phase, str) and phase in frame.columns else None
    require_columns(frame, [x, y, n, *by_cols] + ([phase_col] if phase_col else []))
    if x == y or (n is not None and n in (x, y)):
        raise EquityKitError(
            f"x, y and n should be different columns, but got x={x!r}, y={y!r}, n={n!r}: "
            "x is the time axis, y the measure and n its denominator.")
    same = [c for c in by_cols if c in (x, y, n)]
    if same:
        role = "x (the time axis)" if same[0] == x else "y (the measure)" if same[0] == y else "n (the denominator)"
        raise EquityKitError(
            f"by={same[0]!r} is also {role}: by= names the column of groups to chart one by one, such as "
            "'ethnicity' or 'team'. Leave by= out for one chart.")
    clash = [c for c in by_cols if c in _OUTPUT_COLUMNS]
    if clash:
        raise EquityKitError(
            f"by= column {clash[0]!r} has the name of a column of the result table; rename it first, "
            f"e.g. data.rename(columns={{{clash[0]!r}: '{clash[0]}_group'}}).")
    if chart in RATIO_CHARTS and n is None:
        raise EquityKitError(
            f"a {chart} chart needs a denominator: pass n='column' (e.g. people eligible, or bed days). "
            "For counts without a denominator use chart='c'."
        )
    if chart in ("c", "xbar", "s") and n is not None:
        hint = "use chart='u' for events per unit of n" if chart == "c" else "give one measurement per row in y"
        raise EquityKitError(f"a {chart} chart does not take n: {hint}.")
    multiply = checked_multiply(multiply, chart)
    return chart, rules, improvement, by_cols, phase_col, multiply


def _limits(chart: str, rules: str, screen_mr: Any, pts: dict, base: np.ndarray, seg: np.ndarray, nseg: int,
            categorical: bool) -> _rules.Limits:
    """Centre lines and limits per segment (spc_limits.py): Making Data Count's XmR, or the chart's own."""
    if not isinstance(screen_mr, (bool, np.bool_)):
        raise EquityKitError(f"screen_mr should be True or False, not {screen_mr!r}.")
    if rules == "mdc":
        return mdc_limits(pts, base, seg, nseg, bool(screen_mr))
    return compute_limits(chart, pts, base, seg, nseg, bool(screen_mr), categorical)


def _signals(rules: str, improvement: str, value: np.ndarray, lim: _rules.Limits, include: np.ndarray, seg: np.ndarray,
             nseg: int, *, multiply: float, runs_off: bool) -> _rules.RuleOutcome:
    """The rule set applied (rules.py); a box-rule fallback to the anhoej rules is warned."""
    found = _rules.apply_rules(rules, value, lim, include, seg, nseg, multiply=multiply, runs_off=runs_off)
    if found.fallback is not None and found.fallback.any():
        sizes = found.runs.n_useful[found.fallback]
        where = f"{int(found.fallback.sum())} of {nseg} group/phase(s) have" if nseg > 1 else "this chart has"
        warnings.warn(
            f"rules={rules!r} is tabulated for 10 to 100 useful points, but {where} "
            f"{', '.join(str(int(v)) for v in sizes[:3])} useful points: the anhoej rules are used there instead.",
            SPCWarning, stacklevel=3)
    return found


def _point_table(frame: pd.DataFrame, r: Rows, p: Points, ph: Phases, by_cols: list, *, value: np.ndarray,
                 limits: _rules.Limits, sigma: np.ndarray, target: Any, baseline: np.ndarray, excluded: np.ndarray,
                 seg_info: dict, flags: dict) -> pd.DataFrame:
    """The result's table: one row per point."""
    # built as one dict of columns: adding columns one by one is the slow part of a small chart
    table: dict[str, Any] = {}
    npts = p.xx.size
    gvals = frame.iloc[p.src_rows][by_cols].reset_index(drop=True) if by_cols else pd.DataFrame(index=range(npts))
    for col in by_cols:
        table[col] = gvals[col].to_numpy()
    table["x"] = r.xv.iloc[p.src_rows].to_numpy()
    table["y"] = p.y_out
    table["n"] = p.pts["n"]
    table["value"] = value
    table.update(limits.columns())
    table["target"] = _target_column(target, gvals, by_cols)
    table["phase"] = ph.phase_num
    if ph.labels is not None:
        table["phase_label"] = ph.labels
    table["baseline"] = baseline
    table["excluded"] = excluded
    table["sigma_signal"] = sigma
    table["run_signal"] = seg_info["runs_signal"][ph.seg]
    for k, v in flags.items():
        table[k] = v
    table["n_rows"] = p.pts["count"].astype(int)
    return pd.DataFrame(table)


def _warn_target_units(table: pd.DataFrame, value: np.ndarray, multiply: float) -> None:
    """Warn when a target looks like a proportion on a chart multiplied (e.g. to percentages)."""
    tgt = table["target"].to_numpy(dtype=float)
    scaled = multiply >= 10 and np.isfinite(tgt).any() and np.isfinite(value).any()
    if scaled and np.nanmax(np.abs(tgt)) <= 1 < np.nanmedian(np.abs(value)):
        warnings.warn(
            f"target {np.nanmax(tgt):g} looks like a proportion, but the chart is multiplied by {multiply:g}: "
            f"give the target in the same units (e.g. {np.nanmax(tgt) * multiply:g}).", SPCWarning, stacklevel=3)


def _honest_notes(frame: pd.DataFrame, table: pd.DataFrame, r: Rows, p: Points, ph: Phases, seg_info: dict,
                  *, x: str, y: str, n: str | None, chart: str, phase_col: str | None, by_cols: list,
                  base: np.ndarray, value: np.ndarray, limits: _rules.Limits) -> tuple[list, pd.DataFrame, Any]:
    """Be honest about the data: rows added up and periods missing (warned), trial limits (in seg_info).

    Returns the notes, the missing points and the series' frequency; adds ``trial_limits``,
    ``trial_base_points`` and ``missing_periods`` to ``seg_info``.
    """
    freq = infer_frequency(table["x"].to_numpy()) if r.kind in ("date", "number") else None
    notes: list[str] = []
    count, nseg = p.pts["count"], ph.nseg
    if p.dup.any() and chart not in ("xbar", "s"):
        combined = "adds them up" if (chart == "c" or n is not None) else "takes their mean"
        differs = differing_column(frame, r.rows, p.point_of_row, count, {x, y, n, phase_col, *by_cols})
        notes.append(summed_rows_note(count, x, freq, differs, combined))
        warnings.warn(notes[-1], SPCWarning, stacklevel=3)
    missing = missing_points(table, by_cols, ph.seg, freq)
    if len(missing):
        notes.append(missing_note(missing, freq, r.kind, by_cols, p.ngroups))
        warnings.warn(notes[-1], SPCWarning, stacklevel=3)
    has_limits = chart != "run" and bool(np.isfinite(limits.ucl).any() or np.isfinite(limits.lcl).any())
    base_points = np.bincount(ph.seg[base & ~np.isnan(value)], minlength=nseg)
    seg_info["trial_limits"] = (base_points < MIN_POINTS_FIRM) & (base_points > 0) & has_limits
    seg_info["trial_base_points"] = base_points
    seg_info["missing_periods"] = np.bincount(missing["segment"].to_numpy(dtype=np.int64), minlength=nseg) \
        if len(missing) else np.zeros(nseg, dtype=np.int64)
    return notes, missing, freq


def _point_type(sct: np.ndarray, improvement: str) -> np.ndarray:
    out = np.full(sct.size, "common_cause", dtype=object)
    text = pd.Series(sct, dtype=object).fillna("")
    up = text.str.contains("Above|Increasing").to_numpy()
    down = text.str.contains("Below|Decreasing").to_numpy()
    if improvement == "neutral":
        out[up] = "special_cause_neutral_high"
        out[down] = "special_cause_neutral_low"
    else:
        good_up = improvement == "increase"
        out[up] = "special_cause_improvement" if good_up else "special_cause_concern"
        out[down] = "special_cause_concern" if good_up else "special_cause_improvement"
    out[pd.isna(sct)] = None
    return out


def _target_column(target: Any, table: pd.DataFrame, by_cols: list) -> np.ndarray:
    if target is None:
        return np.full(len(table), np.nan)
    if isinstance(target, dict):
        if not by_cols:
            raise EquityKitError("a target per group (a dict) needs by= to name the groups.")
        key = table[by_cols[0]] if len(by_cols) == 1 else pd.Series(list(zip(*(table[c] for c in by_cols))))
        unknown = [k for k in target if k not in set(key)]
        if unknown:
            raise EquityKitError(f"target names groups that are not in the data: {unknown[:3]!r}.")
        return pd.to_numeric(key.map(target), errors="coerce").to_numpy(dtype=float)
    try:
        return np.full(len(table), float(target))
    except (TypeError, ValueError):
        raise EquityKitError(f"target should be a number (or a dict of numbers per group), not {target!r}.") from None


def _warn_short(chart: str, rules: str, seg: np.ndarray, nseg: int, base: np.ndarray, ra: _rules.RunsAnalysis,
                by_cols: list, stacklevel: int) -> None:
    if rules == "mdc":
        sizes, need, what = np.bincount(seg, minlength=nseg), MIN_POINTS_MDC, "points"
        why = "Making Data Count treats limits from fewer points as trial limits"
    elif chart == "run":
        sizes, need, what = ra.n_useful, MIN_POINTS_RUN, "useful points"
        why = "runs analysis has little power with fewer"
    else:
        sizes, need, what = np.bincount(seg[base], minlength=nseg), MIN_POINTS_LIMITS, "baseline points"
        why = "limits from fewer points are trial limits (20 or more are better)"
    short = sizes < need
    if short.any():
        where = f"{int(short.sum())} of {nseg} group/phase(s) have" if nseg > 1 else "this chart has"
        warnings.warn(
            f"{where} fewer than {need} {what} (smallest: {int(sizes[short].min())}): {why}. "
            f"Read signals with care, and add points as they come.", SPCWarning, stacklevel=stacklevel)


# ----------------------------------------------------------------------------
# The result
# ----------------------------------------------------------------------------

class SPCResult(Result):
    """The result of :func:`spc`: ``.table`` (one row per point), ``.summary()``, ``.chart()``."""

    def __init__(self, table: pd.DataFrame, seg: np.ndarray, seg_info: dict, options: dict,
                 annotations: pd.DataFrame, runs: _rules.RunsAnalysis) -> None:
        self.table = table
        self.options = options
        self.annotations = annotations
        self._seg = seg
        self._seg_info = seg_info
        self._runs = runs
        self._summary: Summary | None = None

    # summary ----------------------------------------------------------------
    def summary(self) -> Summary:
        """One row per group and phase, with a plain-English ``.reading``.

        Columns: the ``by`` columns, ``phase``, ``n_obs``, ``n_useful``,
        ``longest_run``, ``longest_run_max``, ``n_crossings``,
        ``n_crossings_min``, ``runs_signal``, ``sigma_signals``, and the means
        over the phase of ``cl``, ``lcl``, ``ucl``, ``lcl_95``, ``ucl_95``.
        With ``rules="mdc"`` also the counts ``common_cause``,
        ``special_cause_improvement``, ``special_cause_concern`` and the icon
        names ``variation`` (the last point's type) and ``assurance``
        (``consistent_pass``, ``consistent_fail``, ``inconsistent``; only with
        a target and only for the last phase).

        ``longest_run_max`` and ``n_crossings_min`` are the anhoej critical
        values; with ``ihi`` they are 5 (a run of 6 is a shift) and the
        fewest runs expected minus one, with ``n_crossings_max`` the most;
        with ``mdc`` ``longest_run_max`` is 6 (a run of 7 is a signal) and
        ``runs_signal`` means any trend, 2-of-3 or 7-in-a-row flag. With
        ``bestbox`` and ``cutbox`` they stay the anhoej values (as qicharts2
        reports them) and ``box_longest_run_max`` (for the crossings seen) and
        ``box_crossings_min`` are the limits the box applies.
        """
        if self._summary is not None:
            return self._summary
        t, seg, info, opts = self.table, self._seg, self._seg_info, self.options
        nseg = len(info["n_obs"])
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        out: dict[str, Any] = {}
        for col in opts["by"]:
            out[col] = t[col].to_numpy()[starts]
        out["phase"] = t["phase"].to_numpy()[starts]
        if opts["phase_labels"]:
            out["phase_label"] = t["phase_label"].to_numpy()[starts]
        out["start"] = t["x"].to_numpy()[starts]
        out["n_obs"] = info["n_obs"]
        out["n_useful"] = info["n_useful"]
        for k in ("longest_run", "longest_run_max", "n_crossings", "n_crossings_min", "n_crossings_max",
                  "box_longest_run_max", "box_crossings_min"):
            if k in info:
                out[k] = pd.array(np.asarray(info[k], dtype=float), dtype="Int64")
        out["runs_signal"] = info["runs_signal"]
        out["sigma_signals"] = info["sigma_signals"]
        out["trial_limits"] = info["trial_limits"]
        out["missing_periods"] = info["missing_periods"]
        for k in ("cl", "lcl", "ucl", "lcl_95", "ucl_95"):
            v = t[k].to_numpy(dtype=float)
            ok = ~np.isnan(v)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[k] = (np.bincount(seg[ok], weights=v[ok], minlength=nseg)
                          / np.bincount(seg[ok], minlength=nseg))
        if opts["rules"] == "mdc":
            pt = t["point_type"].to_numpy(dtype=object)
            flag = t["special_cause_type"].fillna("Common Cause").to_numpy(dtype=object) != "Common Cause"
            sizes = np.bincount(seg, minlength=nseg)
            out["common_cause"] = sizes - np.bincount(seg[flag], minlength=nseg)
            out["special_cause_improvement"] = np.bincount(seg[pt == "special_cause_improvement"], minlength=nseg)
            out["special_cause_concern"] = np.bincount(seg[pt == "special_cause_concern"], minlength=nseg)
            typed = np.flatnonzero(pd.notna(pt))
            last = np.full(nseg, -1)
            last[seg[typed]] = typed  # later points overwrite earlier ones
            out["variation"] = np.where(last >= 0, pt[np.maximum(last, 0)], None)
            out["assurance"] = self._assurance(seg, nseg, starts)
        frame = pd.DataFrame(out)
        self._summary = Summary(frame, reading=summary_reading(self, frame))
        return self._summary

    def _assurance(self, seg: np.ndarray, nseg: int, starts: np.ndarray) -> np.ndarray:
        t, opts = self.table, self.options
        res = np.full(nseg, None, dtype=object)
        if opts["target"] is None or opts["improvement"] == "neutral":
            return res
        ends = np.r_[starts[1:], len(t)] - 1
        seg_group = opts["seg_group"]
        last_phase = np.r_[seg_group[1:] != seg_group[:-1], True]
        tgt = t["target"].to_numpy(dtype=float)[ends]
        ucl = t["ucl"].to_numpy(dtype=float)[ends]
        lcl = t["lcl"].to_numpy(dtype=float)[ends]
        inc = opts["improvement"] == "increase"
        above = tgt > ucl
        below = tgt < lcl
        val = np.where(above, "consistent_fail" if inc else "consistent_pass",
                       np.where(below, "consistent_pass" if inc else "consistent_fail", "inconsistent"))
        val = np.where(np.isnan(tgt), None, val)
        res[last_phase] = val[last_phase]
        return res

    # chart ------------------------------------------------------------------
    def chart(self, *, title: str | None = None, width: int | None = None, height: int | None = None) -> Any:
        """The chart as an Altair object in the kit's look (returned, never displayed).

        Points with a signal are highlighted, phases have their own lines,
        P and U limits step with n, the target is a dashed line and
        annotations (PDSA cycles) are labelled vertical rules. ``width`` and
        ``height`` are in pixels (each panel's, with ``by``).
        """
        return styled(self._draw(title=title, width=width, height=height))

    def _draw(self, *, title: str | None = None, width: int | None = None, height: int | None = None) -> Any:
        from .spc_chart import build_chart

        return build_chart(self, title=title, width=width or 640, height=height or 300)
