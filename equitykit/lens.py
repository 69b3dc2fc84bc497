"""The equity lens (step 4): did a change narrow, maintain or widen the gap?

Every QI project has one of three effects on the gap between the group with
the best outcome and the group with the worst: it narrows it, maintains it or
widens it. :func:`equity_lens` charts each group over time and the gap between
the two groups of interest, and gives a verdict only when the evidence holds.

Example
-------
>>> import equitykit as ek
>>> cs = ek.load_dataset("cervical_screening")
>>> lens = ek.equity_lens(cs, x="month", outcome="screened", n="eligible",
...                       by="age_group", change="phase", improvement="increase")
>>> lens.verdict
'narrowed'
"""
from __future__ import annotations

import textwrap
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ._arguments import vocabulary
from .intervals import newcombe
from .periods import ACCEPTED_DATES, read_periods, to_timestamps
from .results import Result, Summary
from .theme import PALETTE, alt
from .validation import (
    EquityKitError,
    EquityKitWarning,
    as_binary,
    as_frame,
    as_numeric,
    check_not_above,
    checked_multiply,
    describe_rows,
    require_columns,
)
from .wording import check_improvement, did_you_mean, words

__all__ = ["equity_lens", "LensResult", "VERDICTS", "effect_on_gap"]

VERDICTS = ("narrowed", "maintained", "widened")


def _x_axis(frame: pd.DataFrame, x: str) -> tuple[pd.Series, str]:
    """The time column read by the kit's one reader of periods: dates or period numbers."""
    got = read_periods(frame[x], x, numbers=True)
    for note in got.notes:
        warnings.warn(note, EquityKitWarning, stacklevel=3)
    return got.values, got.kind


def _change_point(change: Any, x: str, kind: str) -> Any:
    """The first x of the new period, read like the x column (a date, or a period number)."""
    if kind == "date":
        if isinstance(change, (bool, np.bool_)) or isinstance(change, (int, float, np.integer, np.floating)):
            raise EquityKitError(
                f"change={change!r} is a number, but '{x}' holds dates: give the date the change began, "
                "e.g. change='2024-01-01', or the name of a column of phases.")
        try:
            return to_timestamps(change, "change")[0]
        except EquityKitError:
            raise EquityKitError(
                f"change={change!r} is neither a column of the data nor a date: give the date the change "
                f"began, e.g. '2023-01-01', or the name of a column of phases. {ACCEPTED_DATES}") from None
    number = pd.to_numeric(pd.Series([change], dtype=object), errors="coerce").iloc[0] \
        if not isinstance(change, (bool, np.bool_)) else np.nan
    if pd.isna(number):
        raise EquityKitError(
            f"change={change!r} is not a period number, but '{x}' holds period numbers (1, 2, 3 ...): give the "
            f"number of the first period after the change (e.g. change=13), the name of a column of phases, "
            f"or use a column of dates for x.")
    return float(number)


def _periods(frame: pd.DataFrame, xs: pd.Series, kind: str, x: str, change: Any) -> pd.Series:
    """Label each row before / during / after the change.

    ``change`` is the first x of the new period, or a phase column: its first
    phase is the baseline, its last phase is "after" and any phases between
    (testing, roll-out) are "during", shown but not pooled into either side.
    """
    if change is None:
        raise EquityKitError(
            "equity_lens needs change=: the date the change began (e.g. change='2023-01-01') "
            "or the name of a column of phases (the first phase is the baseline)."
        )
    if isinstance(change, str) and change in frame.columns:
        labels = frame[change]
        if labels.isna().any():
            raise EquityKitError(f"column '{change}' has empty phases: give every row its phase.")
        positions = np.argsort(xs.to_numpy(), kind="stable")
        order = pd.unique(labels.to_numpy(dtype=object)[positions]).tolist()
        values = labels.to_numpy(dtype=object)
        out = np.full(len(frame), "during", dtype=object)
        out[values == order[0]] = "before"
        if len(order) > 1:
            out[values == order[-1]] = "after"
        return pd.Series(out, index=frame.index)
    try:
        when = _change_point(change, x, kind)
    except EquityKitError as exc:
        column = did_you_mean(change, [str(c) for c in frame.columns]) if isinstance(change, str) else ""
        if column:
            raise EquityKitError(f"change={change!r} is not a column of the data (names match exactly, capitals "
                                 f"too), nor a date.{column}") from exc
        raise
    with np.errstate(invalid="ignore"):
        after = (xs >= when).to_numpy(bool)
    return pd.Series(np.where(after, "after", "before"), index=frame.index)


def _behind_and_ahead(pooled: pd.DataFrame, names: list[str], improvement: str) -> tuple[str, str]:
    """Order a pair of groups as (the one behind, the one ahead), whatever order they were named in.

    Behind means worse off before the change given ``improvement``; on a tie, worse off after it.
    """
    better_high = improvement == "increase"

    def rate(group: str, side: str) -> float:
        row = pooled.loc[(group, side)]
        return float(row["numerator"] / row["denominator"])

    a, b = sorted(names)
    for side in ("before", "after"):
        ra, rb = rate(a, side), rate(b, side)
        if ra != rb:
            a_behind = (ra < rb) if better_high else (ra > rb)
            return (a, b) if a_behind else (b, a)
    return a, b


def _check_counted(pooled: pd.DataFrame, groups: list[str], by: str, n: str | None) -> None:
    """Each group of interest needs people counted before and after the change."""
    for g in groups:
        for side in ("before", "after"):
            den = float(pooled["denominator"].get((g, side), 0.0))
            if not den > 0:
                what = f"its denominator '{n}' is 0 there" if n is not None else "no row has an outcome there"
                raise EquityKitError(
                    f"group {g!r} of column '{by}' has no one counted {side} the change ({what}), so its rate "
                    f"{side} the change is unknown. Check the data for that group, or compare other groups "
                    "with groups=(...).")


def effect_on_gap(gap_before: float, gap_after: float, tolerance: float = 0.5) -> str:
    """Classify a change in a gap: ``"narrowed"``, ``"maintained"`` or ``"widened"``.

    Gaps are sizes (absolute differences between two groups) in the same units;
    a change smaller than ``tolerance`` counts as maintained. This is the simple
    arithmetic of notebook 00; real data also need the evidence that the change
    is more than chance (``equitykit.equity_lens``).

    Example
    -------
    >>> effect_on_gap(8, 3)
    'narrowed'
    """
    change = abs(gap_after) - abs(gap_before)
    if change <= -tolerance:
        return "narrowed"
    if change >= tolerance:
        return "widened"
    return "maintained"


@vocabulary(positional=("x", "outcome", "by", "n", "change", "improvement", "groups", "confidence"))
def equity_lens(
    data: pd.DataFrame,
    *,
    x: str,
    outcome: str,
    by: str,
    n: str | None = None,
    change: Any = None,
    improvement: str = "neutral",
    groups: tuple[Any, Any] | list[Any] | None = None,
    confidence: float = 0.95,
    multiply: float | None = None,
    unit: str | None = None,
) -> "LensResult":
    """Chart each group over time and judge whether a change narrowed the gap.

    Parameters
    ----------
    data : DataFrame
        Row-level (``outcome`` is yes/no per row) or aggregated (``outcome`` is a
        count and ``n`` its denominator) data, one or more rows per x and group.
    x : str
        The time column (dates or period numbers).
    outcome : str
        The yes/no outcome or the count of people with it.
    by : str
        The characteristic whose groups are compared (e.g. ``age_group``).
    n : str, optional
        The denominator column for aggregated data.
    change : str or date
        When the change began: a date (the first x of the new period) or the
        name of a phase column whose first phase is the baseline.
    improvement : str
        ``increase`` if a higher rate is better (screening), ``decrease`` if
        lower is better (missed appointments). Required: the lens names the
        group that is behind, which needs a direction (the default, "neutral",
        is refused with that advice).
    groups : pair, optional
        The two groups of interest. By default, the groups with the best and
        the worst rate before the change.
    confidence : float
        Confidence level of the intervals.
    multiply, unit : float, str, optional
        The scale and unit rates are written in. Left out, rates are in percent
        and gaps in percentage points (100 and ``"%"``), as everywhere in the
        kit; or e.g. 1000 and ``" per 1,000 bed days"`` for a rate per bed day,
        so the lens speaks in the same units as the SPC chart.

    Returns
    -------
    LensResult
        ``.verdict`` (``narrowed``, ``maintained`` or ``widened``), ``.evidence``
        (sentences), ``.table`` (one row per x and group: ``x``, ``group``,
        ``period``, ``numerator``, ``denominator``, ``rate``), ``.gaps`` (one
        row per x: ``x``, ``period``, ``gap`` in percentage points, with the
        SPC columns of its I chart), ``.summary()`` (before, after and change,
        with intervals) and ``.chart()``.

    Notes
    -----
    The gap is the shortfall of the disadvantaged group in percentage points
    (positive while it is behind). Its interval before and after the change is
    Newcombe's (method 10); the change in the gap has a MOVER interval (Zou and
    Donner 2008) built from those two. The gap series is also put on an I chart
    with limits frozen on the baseline period (qicharts2 rules). The verdict is
    ``narrowed`` (or ``widened``) only if the gap's intervals before and after
    do not overlap, or both the chart (a point beyond the frozen limits or a
    runs signal, after the change, on that side) and the interval for the
    change (excluding 0) say so; otherwise ``maintained``. On simulated
    series with no real change this claims a change about 2% of the time.

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"month": list(range(1, 13)) * 2,
    ...                   "group": ["A"] * 12 + ["B"] * 12,
    ...                   "yes": [60] * 12 + [50] * 6 + [59] * 6, "n": [100] * 24})
    >>> equity_lens(d, x="month", outcome="yes", by="group", n="n", change=7, improvement="increase").verdict
    'narrowed'
    """
    from .spc import spc  # spc imports nothing from here; the late import keeps module load light

    improvement = check_improvement(improvement)
    multiply = checked_multiply(multiply, "p")  # the lens compares proportions
    if unit is None:
        unit = "%" if multiply == 100 else f" per {multiply:,g}"
    if improvement == "neutral":
        raise EquityKitError(
            "equity_lens names the group that is behind, so it needs to know which way is better: add "
            "improvement='increase' if a higher rate is better (e.g. screening) or improvement='decrease' "
            "if a lower rate is better (e.g. missed appointments)."
        )
    frame = as_frame(data)
    change_col = change if isinstance(change, str) and change in frame.columns else None
    require_columns(frame, [x, outcome, by, n, change_col])
    xs, kind = _x_axis(frame, x)
    period = _periods(frame, xs, kind, x, change)
    if n is None:
        numerator = as_binary(frame, outcome)
        denominator = pd.Series(np.where(numerator.notna(), 1.0, np.nan), index=frame.index)
    else:
        numerator = as_numeric(frame, outcome, nonnegative=True)
        denominator = as_numeric(frame, n, nonnegative=True)
        check_not_above(frame, outcome, n, numerator, denominator)
    by_values = frame[by]
    labels = by_values.astype("object").where(by_values.notna(), "Not recorded").astype(str)
    work = pd.DataFrame(
        {"x": xs.to_numpy(), "group": labels.to_numpy(), "period": period.to_numpy(),
         "numerator": numerator.to_numpy(dtype=float), "denominator": denominator.to_numpy(dtype=float)}
    )
    no_x = work["x"].isna().to_numpy()
    if no_x.all():
        raise EquityKitError(f"column '{x}' is empty in every row: the lens needs the time of each row.")
    if no_x.any():
        warnings.warn(
            f"{int(no_x.sum())} row(s) have no value in '{x}' and were left out, e.g. "
            f"{describe_rows(frame[x], no_x)}.", EquityKitWarning, stacklevel=2)
        work = work[~no_x]
    for side in ("before", "after"):
        if not (work["period"] == side).any():
            raise EquityKitError(
                f"change={change!r} leaves no points {side} the change: the lens compares a baseline "
                "with what came after. Check the date or the phase column."
            )
    per_x = (
        work.groupby(["group", "x"], sort=True, observed=True)
        .agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"), period=("period", "first"))
        .reset_index()
    )
    per_x["rate"] = per_x["numerator"] / per_x["denominator"].where(per_x["denominator"] > 0)
    pooled = per_x.groupby(["group", "period"], observed=True)[["numerator", "denominator"]].sum()

    names = sorted(per_x["group"].unique())
    if groups is None:
        if len(names) < 2:
            raise EquityKitError(f"column '{by}' has only one group ({names[0]!r}): the lens compares two groups.")
        base = pooled.xs("before", level="period")
        after_groups = set(pooled.xs("after", level="period").query("denominator > 0").index)
        base = base[(base["denominator"] > 0) & base.index.isin(after_groups)]
        if len(base) < 2:
            raise EquityKitError(
                f"fewer than two groups of '{by}' have people counted both before and after the change "
                f"({'every denominator ' + repr(n) + ' is 0' if n is not None else 'no outcomes recorded'} for "
                "the others), so there is no gap to follow. Check the counts, or the date of the change.")
        base_rate = base["numerator"] / base["denominator"]
        pair = [str(base_rate.idxmax()), str(base_rate.idxmin())]
        if pair[0] == pair[1]:
            pair = [str(g) for g in base_rate.index[:2]]
    else:
        if isinstance(groups, (str, bytes)) or len(groups) != 2:
            raise EquityKitError("groups= takes exactly two groups, e.g. groups=('Most deprived', 'Least deprived').")
        unknown = [str(g) for g in groups if str(g) not in names]
        if unknown:
            raise EquityKitError(
                f"group {unknown[0]!r} is not in column '{by}'. The groups are: {', '.join(map(repr, names))}."
                f"{did_you_mean(unknown[0], names)}"
            )
        pair = [str(g) for g in groups]
    if pair[0] == pair[1]:
        raise EquityKitError("the two groups of interest are the same group: name two different groups.")
    _check_counted(pooled, pair, by, n)
    # The verdict is about the size of the gap between the two groups, whichever order they were
    # named in: "focus" is the group behind before the change, "reference" the one ahead.
    focus, reference = _behind_and_ahead(pooled, pair, improvement)

    # sign turns "reference minus focus" into "how far the focus group is behind".
    sign = 1.0 if improvement == "increase" else -1.0
    rates = per_x.pivot(index="x", columns="group", values="rate")
    periods = per_x.groupby("x")["period"].first()
    gaps = pd.DataFrame(
        {"x": rates.index, "gap": multiply * sign * (rates[reference] - rates[focus]).to_numpy(),
         "period": periods.reindex(rates.index).to_numpy()}
    ).dropna(subset=["gap"]).reset_index(drop=True)

    def pooled_gap(side: str) -> tuple[float, float, float]:
        r, f = pooled.loc[(reference, side)], pooled.loc[(focus, side)]
        est, lo, hi = newcombe(r["numerator"], r["denominator"], f["numerator"], f["denominator"], confidence)
        lo, hi = (lo, hi) if sign > 0 else (-hi, -lo)
        return multiply * sign * float(est), multiply * float(lo), multiply * float(hi)

    before, later = pooled_gap("before"), pooled_gap("after")
    # A group that was behind and is ahead after the change: the gap reversed. Its size after
    # is then the distance the other way.
    crossed = later[0] < 0 < before[0]
    size_after = (-later[0], -later[2], -later[1]) if crossed else later
    change_est = size_after[0] - before[0]
    change_lo = change_est - np.hypot(size_after[0] - size_after[1], before[2] - before[0])
    change_hi = change_est + np.hypot(size_after[2] - size_after[0], before[0] - before[1])

    n_before = int((gaps["period"] == "before").sum())
    spc_evidence = None
    chart_notes: list[str] = []
    if n_before >= 2 and (gaps["period"] != "before").any():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # the time column keeps its own name on the chart, unless it clashes with the gap table's
            axis = str(x) if str(x) not in ("gap", "period") else "time"
            gap_chart = spc(gaps.rename(columns={"x": axis}), x=axis, y="gap", chart="i", freeze=n_before,
                            improvement="decrease")
        chart_notes = [str(w.message) for w in caught]
        gt = gap_chart.table
        after_rows = gt[gaps["period"].to_numpy() != "before"]
        cl = float(gt["cl"].iloc[0])
        below = bool((after_rows["sigma_signal"] & (after_rows["value"] < cl)).any())
        above = bool((after_rows["sigma_signal"] & (after_rows["value"] > cl)).any())
        runs = bool(gt["run_signal"].any())
        median_after = float(after_rows["value"].median())
        spc_evidence = {
            "narrow": below or (runs and median_after < cl),
            "widen": above or (runs and median_after > cl),
            "below": below, "above": above, "runs": runs, "cl": cl,
        }
        gaps = gaps.join(gt[["cl", "lcl", "ucl", "sigma_signal", "run_signal"]].reset_index(drop=True))
    else:
        gap_chart = None

    # A verdict needs two kinds of evidence to agree (an SPC signal and a change interval
    # that excludes 0), or intervals before and after that do not overlap. Either alone at
    # 5% would claim a change in about one series in six that has none. Once the groups have
    # swapped places the chart of the signed gap says nothing about its size: only the
    # intervals count.
    apart_narrow, apart_widen = size_after[2] < before[1], size_after[1] > before[2]
    ci_narrow, ci_widen = change_hi < 0, change_lo > 0
    chart_ok = bool(spc_evidence) and not crossed
    narrow = apart_narrow or (ci_narrow and chart_ok and bool(spc_evidence and spc_evidence["narrow"]))
    widen = apart_widen or (ci_widen and chart_ok and bool(spc_evidence and spc_evidence["widen"]))
    verdict = "narrowed" if narrow and not widen else "widened" if widen and not narrow else "maintained"

    pct = int(round(confidence * 100))
    points = _gap_unit(unit)
    evidence = [
        f"Before the change the gap between {focus} and {reference} was {before[0]:.1f} {points} "
        f"({pct}% CI {before[1]:.1f} to {before[2]:.1f}); after it, {later[0]:.1f} ({later[1]:.1f} to {later[2]:.1f}). "
        + (f"{focus} was behind {reference} before the change." if before[0] > 0
         else f"{focus} and {reference} were level before the change."),
        f"The change in the size of the gap is {change_est:+.1f} {points} ({pct}% CI {change_lo:+.1f} to "
        f"{change_hi:+.1f}): "
        + ("the gap's intervals before and after do not overlap." if apart_narrow or apart_widen
           else "the interval excludes zero." if ci_narrow or ci_widen
           else "the interval includes zero: no clear change."),
    ]
    if crossed:
        evidence.append(
            f"The groups swapped places: {focus} was {before[0]:.1f} {points} behind {reference} before the change "
            f"and is {-later[0]:.1f} {points} ahead after it. The verdict is about the size of the gap, and now "
            f"{reference} is the group behind.")
    if spc_evidence is None:
        evidence.append("Too few baseline points to put the gap on an SPC chart.")
    elif spc_evidence["narrow"] or spc_evidence["widen"]:
        kinds = []
        if spc_evidence["below"] or spc_evidence["above"]:
            kinds.append("points beyond the baseline limits")
        if spc_evidence["runs"]:
            kinds.append("a run or too few crossings (a shift)")
        side = "below" if spc_evidence["narrow"] else "above"
        evidence.append(
            f"On an I chart of the gap with limits frozen on the {n_before} baseline points, the later points show "
            f"{' and '.join(kinds)} {side} the baseline mean of {spc_evidence['cl']:.1f}: special cause, unlikely to be chance."
        )
    else:
        evidence.append(
            f"On an I chart of the gap with limits frozen on the {n_before} baseline points, the later points show "
            "only common cause variation."
        )
    both_before = pooled.xs("before", level="period")
    both_after = pooled.xs("after", level="period")
    moves = {}
    for g in (focus, reference):
        r0 = both_before.loc[g, "numerator"] / both_before.loc[g, "denominator"]
        r1 = both_after.loc[g, "numerator"] / both_after.loc[g, "denominator"]
        moves[g] = (multiply * r0, multiply * r1)
    better = [g for g, (r0, r1) in moves.items() if (r1 > r0) == (improvement == "increase") and r1 != r0]
    evidence.append(
        "; ".join(f"{g}: {r0:.1f}{unit} before, {r1:.1f}{unit} after" for g, (r0, r1) in moves.items())
        + (" (both groups improved)." if len(better) == 2 else ".")
    )
    table = per_x[["x", "group", "period", "numerator", "denominator", "rate"]]
    return LensResult(
        table=table, gaps=gaps, verdict=verdict, evidence=evidence, focus=focus, reference=reference,
        before=before, after=later, change=(change_est, change_lo, change_hi), moves=moves,
        gap_chart=gap_chart, notes=chart_notes, confidence=confidence, by=by,
        improvement=improvement, multiply=float(multiply), unit=unit,
    )


class LensResult(Result):
    """What :func:`equity_lens` found: the verdict, its evidence, the tables and the charts."""

    def __init__(self, *, table: pd.DataFrame, gaps: pd.DataFrame, verdict: str, evidence: list[str],
                 focus: str, reference: str, before: tuple, after: tuple, change: tuple,
                 moves: dict, gap_chart: Any, notes: list[str], confidence: float, by: str,
                 improvement: str = "increase", multiply: float = 100, unit: str = "%") -> None:
        self.table = table
        self.gaps = gaps
        self.verdict = verdict
        self.evidence = evidence
        self.focus, self.reference = focus, reference
        self._before, self._after, self._change = before, after, change
        self._moves = moves
        self._gap_chart = gap_chart
        self.notes = notes
        self.confidence = confidence
        self.by = by
        self.improvement, self.multiply, self.unit = improvement, multiply, unit

    def summary(self) -> Summary:
        """One row each for before, after and the change: rates, gap and its interval."""
        rows = []
        for label, gap, idx in (("before", self._before, 0), ("after", self._after, 1)):
            rows.append({
                "period": label,
                f"rate_{self.focus}": self._moves[self.focus][idx],
                f"rate_{self.reference}": self._moves[self.reference][idx],
                "gap": gap[0], "gap_lower": gap[1], "gap_upper": gap[2],
            })
        rows.append({"period": "change", "gap": self._change[0], "gap_lower": self._change[1],
                     "gap_upper": self._change[2]})
        out = pd.DataFrame(rows)
        out["verdict"] = self.verdict
        headline = {
            "narrowed": f"The gap between {self.focus} and {self.reference} NARROWED.",
            "widened": f"The gap between {self.focus} and {self.reference} WIDENED.",
            "maintained": f"No evidence that the gap between {self.focus} and {self.reference} changed: "
                          "it was MAINTAINED.",
        }[self.verdict]
        return Summary(out, reading="\n".join([headline, *self.evidence, "Is my work helping to achieve equity?"]))

    def chart(self, *, title: str | None = None, width: int | None = None, height: int | None = None,
              suppress: bool = False) -> Any:
        """Each group over time (top) and the gap on an I chart (bottom), the change marked.

        With ``suppress=True`` (a page to share) only the two groups compared
        are drawn, from :func:`equitykit.privacy.safe_chart_data`: periods are
        pooled (never across the change) until no point rests on a count of 1
        to 7, any point still small is left out (said under the title), the gap
        is drawn from the points shown, and every number is rounded.
        """
        if not suppress:
            return super().chart(title=title, width=width, height=height)
        from . import privacy
        from .results import resized
        from .theme import styled

        chart = styled(resized(self._draw(suppress=True), title=title, width=width, height=height))
        return privacy.safe_chart(chart, places=privacy.rate_places(self.multiply),
                                  description=f"Equity lens: the gap {self.verdict}")

    def _draw(self, suppress: bool = False) -> alt.VConcatChart:
        """The chart; ``suppress`` as in :meth:`chart`."""
        note = ""
        rate_title = self.unit.strip() or "rate"
        if suppress:
            from . import privacy

            two = self.table[self.table["group"].isin([self.focus, self.reference])]
            changes = two.sort_values("x", kind="stable").drop_duplicates("x")
            starts = changes.loc[changes["period"].ne(changes["period"].shift()), "x"].iloc[1:].tolist()
            safe = privacy.safe_chart_data(two, x="x", numerator="numerator", denominator="denominator",
                                           by="group", multiply=self.multiply, complement=self.unit == "%",
                                           starts=starts)
            note = safe.note
            t = safe.table.rename(columns={"rate": "value"})
            period_of = dict(zip(changes["x"], changes["period"]))
            t["period"] = t["x"].map(period_of)
            wide = safe.counts.assign(rate=safe.counts["numerator"] / safe.counts["denominator"].where(
                safe.counts["denominator"] > 0)).pivot(index="x", columns="group", values="rate")
            sign = 1.0 if self.improvement == "increase" else -1.0
            if {self.focus, self.reference} <= set(wide.columns):
                gap_values = self.multiply * sign * (wide[self.reference] - wide[self.focus])
            else:
                gap_values = pd.Series(dtype=float)
            gaps = pd.DataFrame({"x": gap_values.index, "gap": gap_values.to_numpy()}).dropna().reset_index(drop=True)
            gaps["period"] = gaps["x"].map(period_of)
            gap_chart = None
            n_before = int((gaps["period"] == "before").sum())
            if n_before >= 2 and (gaps["period"] != "before").any():
                from .spc import spc

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gap_chart = spc(gaps, x="x", y="gap", chart="i", freeze=n_before, improvement="decrease")
        else:
            t = self.table.assign(value=self.multiply * self.table["rate"])[["x", "group", "period", "value"]]
            gaps, gap_chart = self.gaps, self._gap_chart
        first_after = t.loc[t["period"] != "before", "x"].min()
        base = alt.Chart(t).encode(
            x=alt.X("x", title=None),
            y=alt.Y("value:Q", title=rate_title, scale=alt.Scale(zero=False)),
            color=alt.Color("group:N", title=words(self.by)),
        )
        head = (f"{words(self.by)}: {self.focus} and {self.reference} over time" if suppress
                else f"{words(self.by)}: each group over time")
        groups = (base.mark_line() + base.mark_point()).properties(
            title=alt.TitleParams(head, subtitle=[note] if note else []), width=640, height=240)
        rule = alt.Chart(pd.DataFrame({"x": [first_after]})).mark_rule(
            strokeDash=[6, 4], color=PALETTE["annotation"]).encode(x="x")
        top = groups + rule
        gap_title = f"Gap ({self.focus} behind {self.reference}), {_gap_unit(self.unit)}"
        if gap_chart is not None:
            bottom = gap_chart._draw(title=gap_title)
        else:
            bottom = alt.Chart(gaps).mark_line(point=True, color=PALETTE["data"]).encode(
                x=alt.X("x", title=None), y=alt.Y("gap:Q", title=f"gap ({_gap_unit(self.unit)})")
            ).properties(width=640, height=200, title=gap_title)
        # Independent colours: shared with the gap chart's signal colours, the groups' lines vanish.
        chart = alt.vconcat(top, bottom).resolve_scale(color="independent").properties(
            # the evidence in lines that fit a laptop screen with the file browser open (about 900 px)
            title=alt.TitleParams(f"Equity lens: the gap {self.verdict}",
                                  subtitle=textwrap.wrap(self.evidence[0], 95) or [""])
        )
        return chart


def _gap_unit(unit: str) -> str:
    """How a gap between two rates is written: percentage points, or the rate's own unit."""
    return "percentage points" if unit.strip() == "%" else unit.strip()
