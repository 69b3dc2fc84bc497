"""Step 1, identify the equity gap: disaggregate, compare with a reference group, measure the gradient.

``disaggregate`` splits an outcome (missed appointments, screening uptake...)
by one or more characteristics and compares every group with a reference
group; ``GapResult.sii()`` measures the gradient across ordered groups such as
deprivation deciles (slope and relative index of inequality); ``pareto`` and
``representation`` show which groups a service reaches and which it misses.

The statistics follow PHEindicatormethods 2.1.0 (Wilson intervals for
proportions, ``phe_sii`` for the slope index) and Newcombe (1998) for the
difference between two proportions.
Their options are checked in :mod:`equitykit.gaps_options`, the charts drawn by
:mod:`equitykit.gaps_chart`.

Example
-------
>>> import pandas as pd
>>> import equitykit as ek
>>> visits = pd.DataFrame({"decile": [1, 2, 3, 4, 5], "dna": [140, 120, 100, 80, 60],
...                        "appointments": [1000] * 5})
>>> g = ek.disaggregate(visits, outcome="dna", by="decile", n="appointments",
...                     reference="most_advantaged")
>>> g.table[["group", "rate", "difference"]].round(1).values.tolist()[0]
['1', 14.0, 8.0]
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import gaps_chart, privacy
from ._arguments import vocabulary
from .gaps_options import (
    NOT_RECORDED,
    by_columns,
    check_disaggregate,
    check_order,
    choose_reference,
    population_map,
    refuse_totals_group,
)
from .gaps_options import group_label as _label
from .inequality import conf_key, fitted_line, phe_sii
from .intervals import newcombe, risk_ratio, wilson, z_value
from .results import Result, Summary
from .theme import alt
from .validation import (
    EquityKitError,
    as_binary,
    as_frame,
    as_numeric,
    check_not_above,
    require_columns,
)
from .wording import words

__all__ = [
    "NOT_RECORDED",
    "disaggregate",
    "GapResult",
    "SIIResult",
    "pareto",
    "ParetoResult",
    "representation",
    "RepresentationResult",
]

_UNSTATED = frozenset({"not stated", "not known", "unknown", "not recorded", "refused", "declined",
                       "prefer not to say", "missing", "z", "99"})

_phe_sii, _conf_key = phe_sii, conf_key  # the names tests/test_gaps_reference.py imports from here

# --------------------------------------------------------------------------- helpers


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _pp(value: float) -> str:
    return f"{100 * value:.1f}"


def _numeric_text(levels: list[Any]) -> np.ndarray | None:
    """The levels as numbers when every non-blank one is text holding a number, else None."""
    text = [v for v in levels if isinstance(v, str) and v.strip()]
    if not text or len(text) != sum(1 for v in levels if not (isinstance(v, str) and not v.strip())):
        return None
    numbers = pd.to_numeric(pd.Series(text, dtype=object).str.strip(), errors="coerce")
    if numbers.isna().any():
        return None
    out = np.full(len(levels), np.inf)
    out[[i for i, v in enumerate(levels) if isinstance(v, str) and v.strip()]] = numbers.to_numpy(float)
    return out


def _factorize(column: pd.Series) -> tuple[np.ndarray, list[Any], bool]:
    """Integer codes for one grouping column, missing labels mapped to NOT_RECORDED.

    Returns codes, the level values (in natural order) and whether the levels
    have a meaningful order (numbers, or an ordered categorical).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        levels = list(column.cat.categories)
        ordered = bool(column.cat.ordered) or pd.api.types.is_numeric_dtype(column.cat.categories)
    else:
        codes, uniques = pd.factorize(column, sort=True)
        codes = codes.astype(np.int64, copy=False)
        levels = list(uniques)
        ordered = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        numbers = _numeric_text(levels)
        if numbers is not None:
            # Deciles read as text ("1", "2", ... "10") keep their numeric order, not "1", "10", "2".
            rank = np.lexsort((np.arange(len(levels)), numbers))
            remap = np.empty(len(levels), dtype=np.int64)
            remap[rank] = np.arange(len(levels))
            codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], codes)
            levels = [levels[i] for i in rank]
            ordered = True
    blank = [i for i, v in enumerate(levels) if isinstance(v, str) and not v.strip()]
    missing_code = len(levels)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, missing_code, codes)
    if blank:
        # Empty text labels are "not recorded" too, never a group of their own.
        remap = np.arange(len(levels) + 1, dtype=np.int64)
        remap[blank] = missing_code
        codes = remap[codes]
    levels = levels + [NOT_RECORDED]
    return codes, levels, ordered


def _aggregate(
    frame: pd.DataFrame, by: list[Any], outcome: str, n: str | None
) -> tuple[pd.DataFrame, list[bool], list[list[Any]], int]:
    """Numerator and denominator per group (or combination) without per-row Python."""
    per_column = [_factorize(frame[col]) for col in by]
    sizes = [len(levels) for _, levels, _ in per_column]
    total = int(np.prod(sizes, dtype=np.int64))
    code = per_column[0][0]
    for (codes, _, _), size in zip(per_column[1:], sizes[1:]):
        code = code * size
        code += codes
    if total > 5_000_000:
        uniques, code = np.unique(code, return_inverse=True)
    else:
        uniques = None

    left_out = 0
    if n is None:
        try:
            y = as_binary(frame, outcome).to_numpy()
        except EquityKitError as exc:
            raise EquityKitError(
                f"{exc} If '{outcome}' holds counts per group (aggregated data), also give "
                "n= the column with each group's denominator."
            ) from None
        missing = np.isnan(y)
        left_out = int(np.count_nonzero(missing))
        minlength = total if uniques is None else len(uniques)
        rows = np.bincount(code, minlength=minlength)
        if left_out:
            numerator = np.bincount(code, weights=np.where(missing, 0.0, y), minlength=minlength)
            denominator = np.bincount(code, weights=(~missing).astype(float), minlength=minlength)
        else:
            numerator = np.bincount(code, weights=y, minlength=minlength)
            denominator = rows.astype(float)
    else:
        require_columns(frame, [n])
        x = as_numeric(frame, outcome, nonnegative=True)
        d = as_numeric(frame, n, nonnegative=True)
        check_not_above(frame, outcome, n, x, d)
        xv, dv = x.to_numpy(), d.to_numpy()
        missing = np.isnan(xv) | np.isnan(dv)
        left_out = int(missing.sum())
        minlength = total if uniques is None else len(uniques)
        rows = np.bincount(code, minlength=minlength)
        numerator = np.bincount(code, weights=np.where(missing, 0.0, xv), minlength=minlength)
        denominator = np.bincount(code, weights=np.where(missing, 0.0, dv), minlength=minlength)
        if left_out:
            # A group whose every row lacks its counts has no counts at all, not counts of 0.
            usable = np.bincount(code, weights=(~missing).astype(float), minlength=minlength)
            numerator[usable == 0] = np.nan
            denominator[usable == 0] = np.nan

    present = np.flatnonzero(rows > 0)
    combo = present if uniques is None else uniques[present]
    values: dict[Any, list[Any]] = {}
    level_lists = [levels for _, levels, _ in per_column]
    rest = combo.copy()
    idx_per_col = []
    for size in reversed(sizes):
        idx_per_col.append(rest % size)
        rest = rest // size
    idx_per_col.reverse()
    for col, idx, levels in zip(by, idx_per_col, level_lists):
        values[col] = [levels[i] for i in idx]
    table = pd.DataFrame(values)
    table["numerator"] = numerator[present]
    table["denominator"] = denominator[present]
    # Natural order: by each column's level order, "Not recorded" last.
    sort_keys = np.lexsort(tuple(reversed(idx_per_col)))
    table = table.iloc[sort_keys].reset_index(drop=True)
    return table, [ordered for _, _, ordered in per_column], level_lists, left_out


# --------------------------------------------------------------------------- disaggregate

@vocabulary(positional=("outcome", "by", "n", "reference", "improvement", "confidence", "suppress", "min_group",
                        "order", "multiply"))
def disaggregate(
    data: pd.DataFrame,
    *,
    outcome: str,
    by: str | Sequence[str],
    n: str | None = None,
    reference: Any = "overall",
    improvement: str = "neutral",
    confidence: float = 0.95,
    suppress: bool = False,
    min_group: int = 30,
    order: Sequence[Any] | None = None,
    multiply: float | None = None,
) -> GapResult:
    """Split an outcome by group and compare every group with a reference group.

    Parameters
    ----------
    data : DataFrame
        Either one row per person or event, with ``outcome`` 0/1, yes/no or
        True/False; or aggregated counts, with ``outcome`` the count of people
        with the outcome and ``n`` the column of denominators.
    outcome : str
        The outcome column (e.g. ``"dna"`` for did not attend).
    by : str or list of str
        The characteristic(s) to split by. A list gives every combination
        (intersections, e.g. ethnicity and age band).
    n : str, optional
        Denominator column, for aggregated data only.
    reference : str or value
        What each group is compared with: ``"overall"`` (everyone together),
        ``"best"`` (the group with the best rate, among groups that are not
        small), ``"most_advantaged"`` (the last of the ordered groups, e.g. IMD
        decile 10 when decile 1 is the most deprived) or the name of a group.
    improvement : {"neutral", "decrease", "increase"}
        Whether a lower rate (e.g. missed appointments) or a higher one (e.g.
        screening uptake) is better; it decides "best", "worse" and "better".
        The default, "neutral", compares without judging (higher, lower);
        ``reference="best"`` or ``"worst"`` then asks you to choose.
    confidence : float
        Confidence level of every interval, e.g. 0.95.
    suppress : bool
        If True, counts are shown under NHS disclosure control (1-7 as ``*``,
        others rounded to 5) and the rates of suppressed groups are withheld.
    min_group : int
        Groups with a smaller denominator are flagged ``small`` (their rates are
        unstable) and never chosen as the "best" reference.
    order : list, optional
        The groups from most deprived (or disadvantaged) to least. By default a
        numeric ``by`` (IMD decile 1 = most deprived) or an ordered categorical
        gives the order; text groups have none unless you give one.
    multiply : float, optional
        Scale of rates and differences. Left out, rates are percentages and
        differences percentage points (100), as everywhere in the kit; 1 gives
        proportions.

    Returns
    -------
    GapResult
        ``.table`` has one row per group (per combination with several ``by``
        columns): the ``by`` column(s), ``group`` (label), ``numerator``,
        ``denominator``, ``rate``, ``lower``, ``upper`` (Wilson), ``reference``
        (what was asked for, echoed), ``is_reference``, ``difference``,
        ``difference_lower``, ``difference_upper`` (group minus reference,
        Newcombe interval), ``ratio``, ``ratio_lower``, ``ratio_upper`` (group over
        reference, log-scale interval), ``compared`` (worse, better, no clear
        difference, reference) and ``small``. With ``suppress=True`` the counts
        are text and a ``suppressed`` column is added.

    Notes
    -----
    Missing group labels (empty or NA) become their own "Not recorded" group;
    rows with no outcome recorded are left out and counted in the reading.
    The difference interval is Newcombe's method 10 (from two Wilson intervals)
    and the ratio interval is exp(log RR ± z·se) (Katz). The groups are treated
    as independent samples, which is conservative for ``reference="overall"``.

    Example
    -------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"sex": ["F", "F", "M", "M", None], "dna": [1, 0, 0, 0, 1]})
    >>> disaggregate(rows, outcome="dna", by="sex").table["group"].tolist()
    ['F', 'M', 'Not recorded']
    """
    frame = as_frame(data)
    by_cols = by_columns(by)
    improvement, multiply = check_disaggregate(frame, outcome, by_cols, n, improvement, confidence, min_group,
                                               multiply)

    groups, ordered_flags, level_lists, left_out = _aggregate(frame, by_cols, outcome, n)
    if len(by_cols) == 1:
        labels = [_label(v) for v in groups[by_cols[0]]]
    else:
        labels = [" / ".join(_label(v) for v in row) for row in groups[by_cols].itertuples(index=False)]

    # The ordered groups (most deprived first), used by "most_advantaged" and sii().
    order_labels = check_order(order, labels, by_cols, ordered_flags[0])

    x = groups["numerator"].to_numpy(float)
    d = groups["denominator"].to_numpy(float)
    if len(by_cols) == 1:
        refuse_totals_group(labels, x, d, str(by_cols[0]))
    has_rate = d > 0
    not_recorded = np.array([any(_label(v) == NOT_RECORDED for v in row)
                             for row in groups[by_cols].itertuples(index=False)])
    small = d < min_group

    ref_index, ref_x, ref_n, ref_text = choose_reference(
        reference, groups, labels, by_cols, x, d, has_rate, small, not_recorded, improvement, order_labels
    )

    rate, lower, upper, diff, ratio = _compare(x, d, has_rate, ref_index, ref_x, ref_n, confidence)
    compared, is_ref = _verdicts(diff, has_rate, ref_index, improvement)

    table = groups[[c for c in by_cols if c != "group"]].copy()
    table["group"] = labels
    table["numerator"] = x
    table["denominator"] = d
    table["rate"] = rate * multiply
    table["lower"] = lower * multiply
    table["upper"] = upper * multiply
    table["reference"] = ref_text
    table["is_reference"] = is_ref
    table["difference"] = diff[0] * multiply
    table["difference_lower"] = diff[1] * multiply
    table["difference_upper"] = diff[2] * multiply
    table["ratio"] = ratio[0]
    table["ratio_lower"] = ratio[1]
    table["ratio_upper"] = ratio[2]
    table["compared"] = compared
    table["small"] = small
    if np.isfinite(x).all() and np.isfinite(d).all() and np.allclose(x, np.round(x)) and np.allclose(d, np.round(d)):
        table["numerator"] = x.astype(np.int64)
        table["denominator"] = d.astype(np.int64)

    zero = d == 0
    if zero.any():
        names = ", ".join(repr(lab) for lab in np.asarray(labels, dtype=object)[zero][:5])
        warnings.warn(
            f"{int(zero.sum())} group(s) have a denominator of 0 and no rate: {names}.",
            UserWarning,
            stacklevel=2,
        )

    raw = table.copy()
    if suppress:
        table = _disclosed(table, multiply)

    return GapResult(
        table=table,
        raw=raw,
        by=by_cols,
        outcome=outcome,
        reference=reference,
        reference_text=ref_text,
        reference_rate=(ref_x / ref_n) if ref_n > 0 else np.nan,
        improvement=improvement,
        confidence=float(confidence),
        multiply=float(multiply),
        order=order_labels,
        left_out=left_out,
        min_group=int(min_group),
        suppressed=bool(suppress),
        not_recorded=int(np.nansum(d[not_recorded])) if not_recorded.any() else 0,
        aggregated=n is not None,
    )


def _compare(
    x: np.ndarray, d: np.ndarray, has_rate: np.ndarray, ref_index: int | None, ref_x: float, ref_n: float,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each group's rate (Wilson), difference from the reference (Newcombe) and ratio to it (Katz)."""
    rate = np.full(len(x), np.nan)
    lower = np.full(len(x), np.nan)
    upper = np.full(len(x), np.nan)
    diff = np.full((3, len(x)), np.nan)
    ratio = np.full((3, len(x)), np.nan)
    if has_rate.any():
        w = wilson(x[has_rate], d[has_rate], confidence)
        rate[has_rate], lower[has_rate], upper[has_rate] = w.estimate, w.lower, w.upper
        nd = newcombe(x[has_rate], d[has_rate], ref_x, ref_n, confidence)
        rr = risk_ratio(x[has_rate], d[has_rate], ref_x, ref_n, confidence)
        for row, value in enumerate(nd):
            diff[row, has_rate] = value
        for row, value in enumerate(rr):
            ratio[row, has_rate] = value
    if ref_index is not None:
        diff[:, ref_index] = [0.0, np.nan, np.nan]
        ratio[:, ref_index] = [1.0, np.nan, np.nan]
    return rate, lower, upper, diff, ratio


def _verdicts(diff: np.ndarray, has_rate: np.ndarray, ref_index: int | None,
              improvement: str) -> tuple[np.ndarray, np.ndarray]:
    """Each group against the reference in words (worse, better, ...), and which group is the reference."""
    compared = np.full(len(diff[0]), "no clear difference", dtype=object)
    above = diff[1] > 0
    below = diff[2] < 0
    if improvement == "decrease":
        compared[above], compared[below] = "worse", "better"
    elif improvement == "increase":
        compared[above], compared[below] = "better", "worse"
    else:
        compared[above], compared[below] = "higher", "lower"
    compared[~has_rate] = "no rate"
    is_ref = np.zeros(len(diff[0]), dtype=bool)
    if ref_index is not None:
        is_ref[ref_index] = True
        compared[ref_index] = "reference"
    return compared, is_ref


def _disclosed(table: pd.DataFrame, multiply: float) -> pd.DataFrame:
    """The table under NHS disclosure control: small counts as *, their rates (and the reference's) withheld."""
    shown = privacy.suppress(
        table,
        counts=["numerator", "denominator"],
        rates=["rate", "lower", "upper", "difference", "difference_lower", "difference_upper",
               "ratio", "ratio_lower", "ratio_upper"],
        complement=("numerator", "denominator"),  # 95 of 100 gives away the 5 without
    )
    hidden = shown["suppressed"].to_numpy(bool)
    shown.loc[hidden, "compared"] = "suppressed"
    if (hidden & shown["is_reference"].to_numpy(bool)).any():
        # every difference and ratio would give the reference group's withheld rate away
        for col in ("difference", "difference_lower", "difference_upper", "ratio", "ratio_lower", "ratio_upper"):
            shown[col] = np.nan
    rate_places = privacy.rate_places(multiply)  # 1 for percentages, 3 for proportions
    return privacy.round_shared(shown, {
        **dict.fromkeys(["rate", "lower", "upper", "difference", "difference_lower", "difference_upper"],
                        rate_places),
        **dict.fromkeys(["ratio", "ratio_lower", "ratio_upper"], 2),
    })


class GapResult(Result):
    """The outcome by group, compared with a reference group.

    Attributes
    ----------
    table : DataFrame
        One row per group; columns are listed in :func:`disaggregate`.
    reference : Any
        The reference as asked for ("overall", "best", "most_advantaged" or a group).
    reference_group : str
        What it resolved to, e.g. "most advantaged (10)"; the same text is in
        the table's ``reference`` column.
    """

    def __init__(self, table: pd.DataFrame, raw: pd.DataFrame, by: list[Any], outcome: str,
                 reference: Any, reference_text: str, reference_rate: float, improvement: str,
                 confidence: float, multiply: float, order: list[str] | None, left_out: int,
                 min_group: int, suppressed: bool, not_recorded: int, aggregated: bool = False) -> None:
        self.table = table
        self._raw = raw
        self.by = by
        self.outcome = outcome
        self.reference = reference
        self.reference_group = reference_text
        self.reference_rate = reference_rate
        self.improvement = improvement
        self.confidence = confidence
        self.multiply = multiply
        self.order = order
        self.left_out = left_out
        self.min_group = min_group
        self.suppressed = suppressed
        self.not_recorded = not_recorded
        self.aggregated = aggregated

    # -- words
    def _name(self, label: str) -> str:
        if len(self.by) > 1:
            parts = label.split(" / ")
            return ", ".join(f"{words(col)} {part}" for col, part in zip(self.by, parts))
        if label == NOT_RECORDED:
            return f"{words(self.by[0])} not recorded"
        return f"{words(self.by[0])} {label}"

    def _outcome_words(self) -> str:
        return words(self.outcome)

    def summary(self) -> Summary:
        """The groups from the biggest gap down, with a plain-English reading."""
        t = self.table
        cols = ["group", "rate", "lower", "upper", "difference", "difference_lower",
                "difference_upper", "ratio", "ratio_lower", "ratio_upper", "compared", "small"]
        sign = {"decrease": 1.0, "increase": -1.0}.get(self.improvement)
        key = t["difference"] * sign if sign is not None else t["difference"].abs()
        key = key.where(~t["is_reference"], np.inf)
        order = key.fillna(-np.inf).sort_values(ascending=False, kind="stable").index
        out = t.loc[order, [c for c in cols if c in t.columns]].reset_index(drop=True)
        return Summary(out, reading=self._reading())

    def _count(self, value: float) -> str:
        """A count for the reading: exact, or under disclosure control with ``suppress=True``."""
        if not self.suppressed:
            return f"{int(value):,}"
        shown = privacy.round_count(value)
        return "* (a small number)" if shown == privacy.SUPPRESSED else f"about {int(shown):,}"

    def _reference_withheld(self) -> bool:
        shown = self.table
        return bool(self.suppressed and self.reference_group != "overall"
                    and (shown["suppressed"].to_numpy(bool) & shown["is_reference"].to_numpy(bool)).any())

    def _reading(self) -> str:
        raw, shown = self._raw, self.table
        conf = f"{self.confidence * 100:g}%"
        outcome = self._outcome_words()
        visible = ~shown["compared"].isin(["suppressed", "no rate"]).to_numpy()
        if self._reference_withheld():
            ref_label = raw.loc[raw["is_reference"], "group"].iloc[0]
            ref_phrase = "the reference"
            opening = (f"Reference group: {self._name(ref_label)}; its counts are small, so its rate and every "
                       "difference from it are withheld.")
        elif self.reference_group == "overall":
            ref_phrase = f"{_pct(self.reference_rate)} overall (the reference)"
            opening = f"Each group's {outcome} rate is compared with everyone together ({_pct(self.reference_rate)})."
        else:
            ref_label = raw.loc[raw["is_reference"], "group"].iloc[0]
            why = {"best": "the group with the best rate", "most_advantaged": "the most advantaged group"}
            kind = why.get(str(self.reference).lower())
            ref_phrase = f"{_pct(self.reference_rate)} in {self._name(ref_label)} (the reference)"
            opening = (f"Reference group: {self._name(ref_label)}{', ' + kind if kind else ''}, with a "
                       f"{outcome} rate of {_pct(self.reference_rate)}.")
        lines = [opening]
        # Headline gaps come from groups large enough to read; small ones are flagged below.
        comparable = visible & ~raw["is_reference"].to_numpy() & ~raw["small"].to_numpy()
        comp = raw["compared"].to_numpy()
        if self.improvement == "neutral":
            n_hi, n_lo = int(((comp == "higher") & comparable).sum()), int(((comp == "lower") & comparable).sum())
            lines.append(f"{n_hi} of {int(comparable.sum())} groups compared had a clearly higher rate and {n_lo} a "
                         f"clearly lower one ({conf} intervals for the difference exclude zero).")
            gaps = raw.index[comparable].tolist()
            gaps = sorted(gaps, key=lambda i: -abs(raw.at[i, "difference"]))
        else:
            better_dir = "lower" if self.improvement == "decrease" else "higher"
            n_worse = int(((comp == "worse") & comparable).sum())
            n_better = int(((comp == "better") & comparable).sum())
            lines.append(f"{n_worse} of {int(comparable.sum())} groups compared had a clearly worse {outcome} rate "
                         f"({better_dir} is better) and {n_better} a clearly better one ({conf} intervals "
                         "for the difference exclude zero).")
            sign = 1.0 if self.improvement == "decrease" else -1.0
            gaps = [i for i in raw.index[comparable] if comp[i] == "worse"]
            gaps = sorted(gaps, key=lambda i: -sign * raw.at[i, "difference"])
            if not gaps:
                lines.append("No group's rate was clearly worse than the reference's.")
        for i in gaps[:0 if self._reference_withheld() else 3]:
            r = raw.loc[i]
            p, dv = r["rate"] / self.multiply, r["difference"] / self.multiply
            dl, du = r["difference_lower"] / self.multiply, r["difference_upper"] / self.multiply
            word = "more" if dv > 0 else "fewer"
            times = f", {r['ratio']:.2f} times the reference rate" if np.isfinite(r["ratio"]) else ""
            lines.append(
                f"{self._name(r['group'])}: {_pct(p)} against {ref_phrase}, {_pp(abs(dv))} percentage points "
                f"{word} ({conf} CI {_pp(dl)} to {_pp(du)}){times}."
            )
        small = raw["small"].to_numpy() & (raw["denominator"].to_numpy(float) > 0)
        if small.any():
            lines.append(f"{int(small.sum())} group(s) have fewer than {self.min_group} in the denominator and "
                         "are flagged small: read their rates with care.")
        if self.not_recorded:
            lines.append(f"{self._count(self.not_recorded)} with no {', '.join(words(b) for b in self.by)} recorded are "
                         f"shown as '{NOT_RECORDED}', not dropped.")
        if self.left_out:
            what = "a missing count" if self.aggregated else f"no {outcome} recorded"
            lines.append(f"{self._count(self.left_out)} row(s) with {what} were left out.")
        if self.suppressed and shown["suppressed"].any():
            lines.append(f"{int(shown['suppressed'].sum())} group(s) have small counts: shown as * "
                         "with rates withheld.")
        return "\n".join(lines)

    def _draw(self) -> alt.Chart:
        """Each group's rate with its interval, the reference group and its rate marked."""
        return gaps_chart.gap_chart(self)

    def sii(self, repetitions: int = 10_000, confidence: float = 0.95, seed: int | None = None,
            transform: bool = False) -> SIIResult:
        """Slope and relative index of inequality across the ordered groups.

        Parameters
        ----------
        repetitions : int
            Simulation draws for the intervals (at least 1,000).
        confidence : float
            Level of the simulated intervals.
        seed : int, optional
            Seed for numpy's random Generator, for repeatable intervals.
        transform : bool
            Fit the line to logit rates (PHE's ``transform = TRUE``), which keeps
            fitted rates inside 0-100%; the SII is then the difference of the
            back-transformed ends.

        Returns
        -------
        SIIResult
            ``.table`` (one row): ``sii`` (fitted rate at the least deprived end
            minus the most deprived end, in percentage points), ``rii`` (PHE's
            relative index: fitted least deprived / fitted most deprived),
            ``rii_mean`` (SII divided by the mean rate), their ``_lower`` and
            ``_upper`` limits, ``intercept`` (fitted rate at the most deprived end),
            ``mean_rate``, ``groups``, ``repetitions``, ``confidence``, ``transform``;
            ``.groups`` the data of each group (share, midpoint, rate, fitted).

        Notes
        -----
        As ``phe_sii`` in PHEindicatormethods 2.1.0 with ``value_type = 2``: the
        rate of each group is regressed on the midpoint of its cumulative share
        of the population (0 = most deprived), weighted by its share; intervals
        come from normal draws of each group's logit rate, with standard error
        from its 95% Wilson limits. "Not recorded" is left out. 5 to 100 groups.
        """
        if len(self.by) != 1 or self.order is None:
            raise EquityKitError(
                "sii() needs ordered groups from a single by= column (e.g. IMD deciles as numbers, "
                "1 = most deprived), or order=[...] given to disaggregate()."
            )
        raw = self._raw.set_index("group").loc[self.order]
        k = len(raw)
        if not 5 <= k <= 100:
            raise EquityKitError(
                f"the slope index of inequality needs 5 to 100 ordered groups (e.g. quintiles or "
                f"deciles); there are {k}: {', '.join(self.order)}."
            )
        if not isinstance(repetitions, (int, np.integer)) or repetitions < 1000:
            raise EquityKitError(f"repetitions={repetitions!r} should be a whole number of 1,000 or more.")
        x = raw["numerator"].to_numpy(float)
        d = raw["denominator"].to_numpy(float)
        bad = ~np.isfinite(x) | ~np.isfinite(d) | (d <= 0) | (x <= 0) | (x >= d)
        if bad.any():
            names = ", ".join(repr(g) for g in raw.index[bad])
            raise EquityKitError(
                f"the slope index needs every group to have some, but not all, people with the outcome "
                f"(a rate strictly between 0% and 100%, from counts that are recorded); not so for {names}."
            )
        w95 = wilson(x, d, 0.95)
        rng = np.random.default_rng(seed)
        res = phe_sii(d, w95.estimate, lower=w95.lower, upper=w95.upper, value_type=2,
                       transform=bool(transform), multiplier=self.multiply, repetitions=int(repetitions),
                       confidence=[confidence], rng=rng)
        mean = float(x.sum() / d.sum()) * self.multiply
        c = conf_key(confidence)
        # PHE scales the intercept by the multiplier only on the transformed route.
        intercept = res["intercept"] if transform else res["intercept"] * self.multiply
        row = {
            "sii": res["sii"], "sii_lower": res[f"sii_lower{c}"], "sii_upper": res[f"sii_upper{c}"],
            "rii": res["rii"], "rii_lower": res[f"rii_lower{c}"], "rii_upper": res[f"rii_upper{c}"],
            "rii_mean": res["sii"] / mean, "rii_mean_lower": res[f"sii_lower{c}"] / mean,
            "rii_mean_upper": res[f"sii_upper{c}"] / mean,
            "intercept": intercept, "fitted_least_deprived": intercept + res["sii"],
            "mean_rate": mean, "groups": k, "repetitions": int(repetitions), "confidence": float(confidence),
            "transform": "logit" if transform else "none",
        }
        a, b = res["a"], res["b"]
        grp = pd.DataFrame({
            "group": list(raw.index), "denominator": d, "population_share": a, "midpoint": b,
            "rate": x / d * self.multiply, "lower": w95.lower * self.multiply, "upper": w95.upper * self.multiply,
            "fitted": fitted_line(intercept, res["sii"], b, bool(transform), self.multiply),
        })
        left = [g for g in self._raw["group"] if g not in self.order]
        return SIIResult(pd.DataFrame([row]), grp, self, left)


class SIIResult(Result):
    """Slope index (SII) and relative index (RII) of inequality across ordered groups.

    ``table`` is one row of statistics (see :meth:`GapResult.sii`); ``groups``
    one row per ordered group with its population share, midpoint and fitted rate.
    """

    def __init__(self, table: pd.DataFrame, groups: pd.DataFrame, gap: GapResult, left_out: list[str]) -> None:
        self.table = table
        self.groups = groups
        self._gap = gap
        self._left_out = left_out

    def __getattr__(self, name: str) -> Any:
        table = self.__dict__.get("table")
        if table is not None and name in table.columns:
            return table[name].iloc[0]
        raise AttributeError(name)

    def summary(self) -> Summary:
        """SII, both RIIs and the intercept, each with its meaning."""
        t = self.table.iloc[0]
        unit = "percentage points" if self._gap.multiply == 100 else "rate units"
        rows = [
            ("SII", t["sii"], t["sii_lower"], t["sii_upper"],
             f"fitted rate at the least deprived end minus the most deprived end ({unit})"),
            ("RII (PHE)", t["rii"], t["rii_lower"], t["rii_upper"],
             "fitted rate at the least deprived end divided by that at the most deprived end"),
            ("RII (SII / mean)", t["rii_mean"], t["rii_mean_lower"], t["rii_mean_upper"],
             "SII divided by the mean rate of all the groups"),
            ("intercept", t["intercept"], np.nan, np.nan, "fitted rate at the most deprived end"),
        ]
        out = pd.DataFrame(rows, columns=["measure", "value", "lower", "upper", "meaning"])
        return Summary(out, reading=self._reading())

    def _reading(self) -> str:
        t = self.table.iloc[0]
        g = self._gap
        m = g.multiply
        conf = f"{t['confidence'] * 100:g}%"
        outcome = g._outcome_words()
        direction = "falls" if t["sii"] < 0 else "rises"
        lines = [
            f"Across the {int(t['groups'])} {words(g.by[0])} groups, the {outcome} rate {direction} by "
            f"{_pp(abs(t['sii']) / m)} percentage points from the most deprived end "
            f"(fitted {_pct(t['intercept'] / m)}) to the least deprived end (fitted "
            f"{_pct(t['fitted_least_deprived'] / m)}): slope index of inequality (SII) {_pp(t['sii'] / m)} "
            f"({conf} CI {_pp(t['sii_lower'] / m)} to {_pp(t['sii_upper'] / m)}).",
            f"Relative index of inequality, as PHE defines it (least deprived / most deprived): "
            f"{t['rii']:.2f} ({conf} CI {t['rii_lower']:.2f} to {t['rii_upper']:.2f}); "
            f"SII relative to the mean rate of {_pct(t['mean_rate'] / m)}: {t['rii_mean']:.2f}.",
        ]
        crosses = t["sii_lower"] <= 0 <= t["sii_upper"]
        if crosses:
            lines.append("The interval for the SII includes zero: no clear gradient.")
        if self._left_out:
            lines.append(f"Left out (not ordered): {', '.join(self._left_out)}.")
        scale = " Line fitted to logit rates." if t["transform"] == "logit" else ""
        lines.append(f"Intervals from {int(t['repetitions']):,} simulations.{scale}")
        return "\n".join(lines)

    def _draw(self) -> alt.Chart:
        """Each group's rate at the midpoint of its population share, with the fitted slope."""
        return gaps_chart.sii_chart(self)


# --------------------------------------------------------------------------- pareto

class ParetoResult(Result):
    """Categories sorted by size with their cumulative percentage."""

    def __init__(self, table: pd.DataFrame, category: str, what: str, suppressed: bool) -> None:
        self.table = table
        self.category = category
        self._what = what
        self._suppressed = suppressed

    def summary(self) -> Summary:
        t = self.table
        vital = t[t["vital_few"]]
        total = len(t)
        names = ", ".join(str(c) for c in vital["category"][:8])
        more = "" if len(vital) <= 8 else f" and {len(vital) - 8} more"
        top = t["percent"].iloc[0]
        share = "its share withheld: small numbers" if pd.isna(top) else f"{top:.1f}%"
        reading = (f"{len(vital)} of {total} {words(self.category)} categories ({names}{more}) account for "
                   f"80% of the {self._what}; the largest is {t['category'].iloc[0]} ({share}).")
        return Summary(t.copy(), reading=reading)

    def _draw(self) -> alt.Chart:
        """Bars of counts, largest first, with the cumulative percentage line and the 80% mark."""
        return gaps_chart.pareto_chart(self)


@vocabulary(renamed={"category": "by", "value": "outcome"}, positional=("category", "value", "suppress"))
def pareto(data: pd.DataFrame, *, by: str, outcome: str | None = None, suppress: bool = False) -> ParetoResult:
    """Sort categories by size and show which few account for most (the 80/20 rule).

    Parameters
    ----------
    data : DataFrame
        One row per item (e.g. per referral), or one row per category with a
        ``outcome`` column of counts.
    by : str
        The column of categories (e.g. ``"ethnicity"``). Missing ones are shown
        as "Not recorded".
    outcome : str, optional
        Column of counts to add up; without it, rows are counted.
    suppress : bool
        Apply NHS disclosure control to the counts (percentages of small
        counts withheld).

    Returns
    -------
    ParetoResult
        ``.table`` columns: ``category``, ``count``, ``percent``,
        ``cumulative_percent``, ``vital_few`` (the categories up to and
        including the one that takes the cumulative share to 80%).

    Example
    -------
    >>> import pandas as pd
    >>> refs = pd.DataFrame({"reason": ["a"] * 6 + ["b"] * 3 + ["c"]})
    >>> pareto(refs, by="reason").table["cumulative_percent"].tolist()
    [60.0, 90.0, 100.0]
    """
    frame = as_frame(data)
    require_columns(frame, [by, outcome])
    codes, levels, _ = _factorize(frame[by])
    if outcome is None:
        counts = np.bincount(codes, minlength=len(levels)).astype(float)
        what = "records"
    else:
        v = as_numeric(frame, outcome, nonnegative=True).fillna(0.0).to_numpy()
        counts = np.bincount(codes, weights=v, minlength=len(levels))
        what = words(outcome)
        refuse_totals_group([_label(v) for v in levels], counts, counts, by)
    present = np.bincount(codes, minlength=len(levels)) > 0
    table = pd.DataFrame({"category": [_label(v) for v in levels], "count": counts})[present]
    total = table["count"].sum()
    if total <= 0:
        raise EquityKitError(f"there is nothing to count: every value of '{outcome}' is 0.")
    table = table.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)
    table["percent"] = 100 * table["count"] / total
    table["cumulative_percent"] = table["percent"].cumsum()
    before = table["cumulative_percent"].shift(fill_value=0.0)
    table["vital_few"] = before < 80 - 1e-9
    if np.allclose(table["count"], np.round(table["count"])):
        table["count"] = table["count"].astype(np.int64)
    if suppress:
        table = privacy.round_shared(
            privacy.suppress_parts(table, "count", shares=["percent"], running=["cumulative_percent"]),
            {"percent": 1, "cumulative_percent": 1})
    return ParetoResult(table, by, what, suppress)


# --------------------------------------------------------------------------- representation

class RepresentationResult(Result):
    """Each group's share of a service against its share of the local population."""

    def __init__(self, table: pd.DataFrame, by: str, confidence: float, not_recorded: float,
                 unmatched: list[str]) -> None:
        self.table = table
        self.by = by
        self.confidence = confidence
        self._not_recorded = not_recorded
        self._unmatched = unmatched

    def summary(self) -> Summary:
        t = self.table
        conf = f"{self.confidence * 100:g}%"
        under = t[t["representation"] == "under-represented"].sort_values("ratio")
        over = t[t["representation"] == "over-represented"].sort_values("ratio", ascending=False)
        lines = []
        if len(under):
            parts = [f"{r.group} ({r.service_share:.1f}% of the service against "
                     f"{r.population_share:.1f}% of the population, ratio {r.ratio:.2f})" for r in under.itertuples()]
            lines.append(f"Under-represented ({conf} interval of the ratio below 1): " + "; ".join(parts) + ".")
        else:
            lines.append(f"No group is clearly under-represented ({conf} intervals of the ratio all reach 1).")
        if len(over):
            parts = [f"{r.group} (ratio {r.ratio:.2f})" for r in over.itertuples()]
            lines.append("Over-represented: " + ", ".join(parts) + ".")
        if self._not_recorded:
            lines.append(f"{self._not_recorded:,.0f} with no {words(self.by)} recorded are not in the shares.")
        if self._unmatched:
            lines.append(f"No population figure for: {', '.join(self._unmatched)}; the ratios compare shares "
                         "among the other groups.")
        return Summary(t.copy(), reading="\n".join(lines))

    def _draw(self) -> alt.Chart:
        """Service share with its interval (dots) against population share (ticks), by group."""
        return gaps_chart.representation_chart(self)


@vocabulary(renamed={"count": "outcome"}, positional=("by", "count", "population_count", "confidence", "suppress"),
            leading=2)
def representation(
    data: pd.DataFrame,
    population: pd.DataFrame | Mapping[Any, float] | pd.Series,
    *,
    by: str,
    outcome: str | None = None,
    population_count: str = "population",
    confidence: float = 0.95,
    suppress: bool = False,
) -> RepresentationResult:
    """Compare each group's share of a service with its share of the local population.

    Parameters
    ----------
    data : DataFrame
        The service's records: one row per person (or referral), or one row
        per group with an ``outcome`` column of counts.
    population : DataFrame, Series or dict
        The local population per group: a table with the ``by`` column and a
        ``population_count`` column (e.g. census counts), or a mapping from
        group to population.
    by : str
        The characteristic, e.g. ``"ethnicity"``; group names must match the
        population's.
    outcome : str, optional
        Column of counts per group in ``data`` (aggregated data).
    population_count : str
        Name of the population column in a population table.
    confidence : float
        Confidence level of the intervals.
    suppress : bool
        Apply NHS disclosure control to the counts.

    Returns
    -------
    RepresentationResult
        ``.table`` columns: ``group``, ``count``, ``service_share`` (%),
        ``service_lower``, ``service_upper`` (Wilson), ``population``,
        ``population_share`` (%), ``ratio`` (service share / population
        share) with ``ratio_lower``, ``ratio_upper``, and ``representation``
        (under-represented, in line, over-represented).

    Notes
    -----
    Shares of the service are among records with the group recorded; records
    with no group are counted in the reading, not in the shares. The population
    share is taken as known (census-sized counts), so the ratio's interval is
    the Wilson interval of the service share divided by the population share.
    Groups in the population with no one in the service get a share of 0.
    Groups of the service with no population figure (or a population of 0)
    have no ratio, and a warning names them; the other groups' shares and
    ratios then compare shares among the groups that have a figure (like with
    like), so ``ratio`` is always ``service_share / population_share``.

    Example
    -------
    >>> import pandas as pd
    >>> refs = pd.DataFrame({"ethnicity": ["A"] * 80 + ["B"] * 20})
    >>> pop = {"A": 6000, "B": 4000}
    >>> representation(refs, pop, by="ethnicity").table["representation"].tolist()
    ['over-represented', 'under-represented']
    """
    frame = as_frame(data)
    require_columns(frame, [by, outcome])
    z_value(confidence)
    pop_map, pop_total = population_map(population, by, population_count)

    codes, levels, _ = _factorize(frame[by])
    if outcome is None:
        counts = np.bincount(codes, minlength=len(levels)).astype(float)
    else:
        counts = np.bincount(codes, weights=as_numeric(frame, outcome, nonnegative=True).fillna(0.0).to_numpy(),
                             minlength=len(levels))
        refuse_totals_group([_label(v) for v in levels], counts, counts, by)
    service = {_label(v): c for v, c in zip(levels, counts) if _label(v) != NOT_RECORDED and c > 0}
    not_recorded = float(counts[-1])
    groups = list(dict.fromkeys([*[_label(v) for v in levels if _label(v) in service], *pop_map]))
    n_service = sum(service.values())
    if n_service <= 0:
        raise EquityKitError(f"no records have '{by}' recorded: there are no shares to compare.")
    x = np.array([service.get(g, 0.0) for g in groups])
    w = wilson(x, np.full(len(x), n_service), confidence)
    share, share_lo, share_hi = (np.array(v, dtype=float) for v in (w.estimate, w.lower, w.upper))
    pop = np.array([pop_map.get(g, np.nan) for g in groups])
    pshare = pop / pop_total
    # Like with like: the ratio compares shares among the groups that have a population figure,
    # so a group missing from the population table does not shrink everyone else's ratio.
    compared = pshare > 0
    n_compared = float(x[compared].sum())
    ratio = np.full(len(x), np.nan)
    rlo, rhi = ratio.copy(), ratio.copy()
    if n_compared > 0:
        wc = wilson(x[compared], np.full(int(compared.sum()), n_compared), confidence)
        ratio[compared] = wc.estimate / pshare[compared]
        rlo[compared] = wc.lower / pshare[compared]
        rhi[compared] = wc.upper / pshare[compared]
        # the share shown is the one the ratio compares, so the table and the reading agree
        share[compared], share_lo[compared], share_hi[compared] = wc.estimate, wc.lower, wc.upper
    # "Not stated" and the like have no census counterpart: leaving them out is expected, and the
    # reading says so; a warning is kept for names that look like a spelling mismatch.
    left_out = [g for g, c, k in zip(groups, compared, x)
                if not c and k > 0 and str(g).strip().lower() not in _UNSTATED]
    if left_out:
        warnings.warn(
            f"{len(left_out)} group(s) in the service have no population figure (or a population of 0): "
            f"{', '.join(repr(g) for g in left_out[:5])}. Their people are left out of the ratios, which "
            "compare shares among the groups that have a figure; add them to the population table "
            "(with the same spelling) to compare them too.", UserWarning, stacklevel=2)
    label = np.where(rhi < 1, "under-represented", np.where(rlo > 1, "over-represented", "in line"))
    label = np.where(np.isnan(ratio), "no population figure", label).astype(object)
    table = pd.DataFrame({
        "group": groups, "count": x, "service_share": 100 * share, "service_lower": 100 * share_lo,
        "service_upper": 100 * share_hi, "population": pop, "population_share": 100 * pshare,
        "ratio": ratio, "ratio_lower": rlo, "ratio_upper": rhi, "representation": label,
    })
    if np.allclose(table["count"], np.round(table["count"])):
        table["count"] = table["count"].astype(np.int64)
    if suppress:
        # the service shares add up to 100%: a small group's share must not be 100% minus the others'
        table = privacy.suppress_parts(table, "count",
                                       shares=["service_share", "service_lower", "service_upper", "ratio",
                                               "ratio_lower", "ratio_upper"])
        table = privacy.round_shared(table, {
            **dict.fromkeys(["service_share", "service_lower", "service_upper", "population_share"], 1),
            **dict.fromkeys(["ratio", "ratio_lower", "ratio_upper"], 2),
        })
    unmatched = [g for g in groups if g not in pop_map]
    return RepresentationResult(table, by, float(confidence), not_recorded, unmatched)
