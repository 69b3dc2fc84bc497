"""Rules for reading SPC charts: which patterns are signals, and when.

Five rule sets, each a convention the NHS quality-improvement field uses.
Every function here works on many series at once: points are given in order,
with a segment number (one segment per group and phase) that never decreases,
so thousands of charts are analysed with a handful of numpy calls.

``anhoej`` (the default, as qicharts2 0.8.1)
    Runs analysis of Anhøj (2014, 2015). Points exactly on the centre line and
    missing or excluded points are left out ("useful" points remain). A signal
    is an unusually long run, ``longest_run > round(log2(n_useful)) + 3``, or
    too few crossings of the centre line,
    ``n_crossings < qbinom(0.05, n_useful - 1, 0.5)``.
``ihi`` (Perla, Provost and Murray 2011, the IHI run-chart rules)
    A *shift* is 6 or more consecutive useful points on one side of the centre
    line (points on it are skipped: they neither count nor break the run).
    A *trend* is 5 or more points all going up or all going down; a point
    equal to the one before it is skipped (it neither counts nor breaks the
    trend). *Too few or too many runs*: the number of runs is compared with
    the two-sided 5% limits of the Swed-Eisenhart runs distribution for the
    number of useful points (10 to 100; outside that range the test is not
    made). The fourth IHI rule, an "astronomical" point, is a judgement: read
    it from the chart (``sigma_signal`` shows points beyond 3 sigma).
``bestbox`` and ``cutbox`` (Anhøj and Wentzel-Larsen 2020, as qicharts2 0.8.1's ``method``)
    The Anhøj tests read together. For ``n`` useful points the exact joint
    distribution of the number of crossings C and the longest run L is
    computed for random data (each point above the centre line with
    probability 1/2) and for a shift of 0.8 standard deviations (probability
    Phi(0.8)). The *best box* is the pair of limits (C >= c, L <= l) with the
    highest chance of a signal under that shift among all boxes whose chance
    of no signal in random data (the specificity) is at least 92.5%. The *cut
    box* then trims the best box's corner cell (C = c, L = l) and, one cell at
    a time, its neighbours along the row C = c and the column L = l, each time
    taking the cell with the larger chance under the shift, as long as the
    specificity stays at least 92.5%: with c crossings the longest run may
    then be at most ``Lbord``, with c + 1 to ``Cbord`` - 1 crossings at most
    l - 1, and with ``Cbord`` or more at most l. A signal is a point outside
    the (cut) box. Tabulated for 10 to 100 useful points (Anhøj and
    Wentzel-Larsen, "Smooth operator", PLoS ONE 2020; qicharts2 calls it
    experimental); a phase with fewer or more useful points is read with the
    anhoej rules instead, with a warning, as qicharts2 does with a message.
    As in qicharts2, ``longest_run_max`` and ``n_crossings_min`` stay the
    anhoej values; the box's own limits are ``box_longest_run_max`` (for the
    crossings seen) and ``box_crossings_min``.
``mdc`` (NHS England Making Data Count, as NHSRplotthedots 0.2.2)
    On an XmR chart with limits at mean +/- 2.66 x average moving range, in
    this priority order: a point outside the limits; a 7-point trend (6
    increases or 6 decreases in a row; a tie breaks it); 2 of 3 points beyond
    two thirds of the way to a limit, all 3 on the same side of the mean
    (points outside the limits do not count as "close"); 7 points in a row on
    one side of the mean (a point exactly on the mean breaks the run).

Example
-------
>>> anhoej_limits([24])
(array([8]), array([8]))
>>> ihi_runs_limits([20])
(array([7]), array([15]))
>>> box_limits([11, 24], "cutbox")  # (c, l, Cbord, Lbord); -1: no cut
(array([3, 6]), array([7, 7]), array([4, 7]), array([6, 6]))
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from math import comb, erf, sqrt
from typing import Callable, Iterable

import numpy as np

__all__ = ["RULE_SETS", "anhoej_limits", "ihi_runs_limits", "box_limits", "apply_rules", "RuleOutcome",
           "Limits", "RunsAnalysis", "AnhoejRules", "BoxRules", "IHIRules", "MDCRules"]

RULE_SETS = {
    "anhoej": "Anhøj runs rules (qicharts2): an unusually long run, or too few crossings of the centre line.",
    "ihi": "IHI run-chart rules (Perla, Provost and Murray 2011): shift of 6, trend of 5, too few or too many runs.",
    "bestbox": "Anhøj rules with the best box limits (Anhøj and Wentzel-Larsen 2020; qicharts2 method='bestbox').",
    "cutbox": "Anhøj rules with the cut box limits (Anhøj and Wentzel-Larsen 2020; qicharts2 method='cutbox').",
    "mdc": "NHS Making Data Count (NHSRplotthedots): outside the limits, 7-point trend, 2 of 3 close to a limit, "
    "7 points on one side.",
}

# Constants of the NHS Making Data Count XmR chart (NHSRplotthedots 0.2.2).
MDC_LIMIT = 2.66
MDC_CLOSE = 2 * (MDC_LIMIT / 3)
MDC_RUN = 7
MDC_TREND = 7
IHI_SHIFT = 6
IHI_TREND = 5
IHI_TABLE_RANGE = (10, 100)
BOX_RANGE = (10, 100)
BOX_SPECIFICITY = 0.925  # target chance of no signal in random data
BOX_SHIFT = 0.8  # target shift, in standard deviations, for the sensitivity


def anhoej_limits(n_useful: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the Anhøj critical values for each number of useful points.

    Returns ``(longest_run_max, n_crossings_min)``: a run longer than the first,
    or fewer crossings than the second, is a signal.

    Notes
    -----
    ``round(log2(n)) + 3`` (Schilling 2012) and the 5th percentile of
    Binomial(n - 1, 0.5) (Chen 2010), as in qicharts2 0.8.1. R rounds half to
    even; log2 of an integer is never exactly x.5, so no tie arises.
    """
    n = np.asarray(list(n_useful) if not isinstance(n_useful, np.ndarray) else n_useful, dtype=float)
    safe = np.where(n > 0, n, 1)
    longest_max = np.round(np.log2(safe)) + 3
    from scipy import stats  # imported here: scipy.stats costs a second at kernel start

    crossings_min = stats.binom.ppf(0.05, np.maximum(safe - 1, 0), 0.5)
    return longest_max.astype(int), crossings_min.astype(int)


@lru_cache(maxsize=None)
def _runs_table() -> tuple[np.ndarray, np.ndarray]:
    """Swed-Eisenhart two-sided 5% limits on the number of runs, n = 0..100."""
    lo_n, hi_n = IHI_TABLE_RANGE
    lower = np.zeros(hi_n + 1, dtype=int)
    upper = np.full(hi_n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    for n in range(lo_n, hi_n + 1):
        n1, n2 = n // 2, n - n // 2
        total = comb(n, n1)
        probs = {}
        for r in range(2, n + 1):
            k, odd = divmod(r, 2)
            if odd:
                count = comb(n1 - 1, k) * comb(n2 - 1, k - 1) + comb(n1 - 1, k - 1) * comb(n2 - 1, k)
            else:
                count = 2 * comb(n1 - 1, k - 1) * comb(n2 - 1, k - 1)
            probs[r] = count / total
        cum = 0.0
        for r in sorted(probs):
            cum += probs[r]
            if cum > 0.025:
                lower[n] = r
                break
        cum = 0.0
        for r in sorted(probs, reverse=True):
            cum += probs[r]
            if cum > 0.025:
                upper[n] = r
                break
    return lower, upper


def ihi_runs_limits(n_useful: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(fewest, most)`` runs expected by chance for each number of useful points.

    Fewer runs than ``fewest`` or more than ``most`` is a signal. Outside 10 to
    100 useful points no limits apply: ``(0, a very large number)``.

    Notes
    -----
    Computed from the exact distribution of the number of runs (Swed and
    Eisenhart 1943) with the useful points split as evenly as possible above
    and below the median, 2.5% in each tail, the basis of the table in Perla,
    Provost and Murray (2011).
    """
    n = np.asarray(list(n_useful) if not isinstance(n_useful, np.ndarray) else n_useful, dtype=int)
    lower, upper = _runs_table()
    inside = (n >= IHI_TABLE_RANGE[0]) & (n <= IHI_TABLE_RANGE[1])
    idx = np.where(inside, n, 0)
    return np.where(inside, lower[idx], 0), np.where(inside, upper[idx], np.iinfo(np.int64).max)


@lru_cache(maxsize=None)
def joint_runs_distribution(p: float, n_max: int = BOX_RANGE[1]) -> np.ndarray:
    """Exact joint distribution of crossings and longest run in random sequences.

    Returns ``F`` with ``F[n, c, l]`` the probability that ``n`` independent
    points, each above the centre line with probability ``p``, cross it
    exactly ``c`` times and have no run longer than ``l`` (n <= n_max).

    Notes
    -----
    For each cap ``l`` a dynamic programme over the sequence length carries
    the probability of every (side of the last point, length of the current
    run, crossings so far) state whose runs are all at most ``l`` long.
    """
    q = 1.0 - p
    out = np.zeros((n_max + 1, n_max, n_max + 1))
    weight = np.array([p, q])[:, None, None]
    for cap in range(1, n_max + 1):
        # state[s, r, c]: last point on side s (0 above, 1 below), current run r + 1 long, c crossings
        state = np.zeros((2, cap, n_max))
        state[:, 0, 0] = p, q
        out[1, 0, cap] = 1.0
        for n in range(2, n_max + 1):
            nxt = np.empty_like(state)
            nxt[:, 1:, :] = state[:, :-1, :]  # the run goes on (a run at the cap would exceed it: dropped)
            on_side = state.sum(axis=1)
            nxt[:, 0, 0] = 0.0
            nxt[0, 0, 1:] = on_side[1, :-1]  # a crossing starts a new run on the other side
            nxt[1, 0, 1:] = on_side[0, :-1]
            state = nxt * weight
            out[n, :, cap] = state.sum(axis=(0, 1))
    return out


@lru_cache(maxsize=None)
def _box_table() -> np.ndarray:
    """Rows n = 0..100 of (c, l, Cbord, Lbord); -1 where not defined."""
    lo, hi = BOX_RANGE
    table = np.full((hi + 1, 4), -1, dtype=np.int64)
    null = joint_runs_distribution(0.5, hi)
    shifted = joint_runs_distribution(0.5 * (1 + erf(BOX_SHIFT / sqrt(2))), hi)
    for n in range(lo, hi + 1):
        # P(C >= c and L <= l), indexed [c, l]
        spec = np.cumsum(null[n, :n, :][::-1], axis=0)[::-1]
        power_in = np.cumsum(shifted[n, :n, :][::-1], axis=0)[::-1]
        # best box: least chance of "no signal" under the shift among boxes with enough specificity
        c, l = np.unravel_index(np.argmin(np.where(spec >= BOX_SPECIFICITY, power_in, np.inf)), spec.shape)
        table[n, :2] = c, l
        # cut box: trim the corner, then cell by cell along row C = c and column L = l
        cell0 = np.diff(null[n], axis=1, prepend=0.0)  # P(C = c and L = l)
        cell1 = np.diff(shifted[n], axis=1, prepend=0.0)
        kept = spec[c, l] - cell0[c, l]
        if kept < BOX_SPECIFICITY:
            continue
        lbord, cbord = l - 1, c + 1  # next cells: (c, lbord) in the row, (cbord, l) in the column
        while True:
            options = []
            if lbord >= 1 and cell1[c, lbord] > 0 and kept - cell0[c, lbord] >= BOX_SPECIFICITY:
                options.append((cell1[c, lbord], 0))
            if cbord < n and cell1[cbord, l] > 0 and kept - cell0[cbord, l] >= BOX_SPECIFICITY:
                options.append((cell1[cbord, l], 1))
            if not options:
                break
            if max(options)[1] == 0:
                kept -= cell0[c, lbord]
                lbord -= 1
            else:
                kept -= cell0[cbord, l]
                cbord += 1
        table[n, 2:] = cbord, lbord
    return table


def box_limits(n_useful: Iterable[int], method: str = "bestbox") -> tuple[np.ndarray, ...]:
    """Return the best box (or cut box) limits for each number of useful points.

    Returns ``(crossings_min, longest_run_max)`` for ``bestbox``, and
    ``(crossings_min, longest_run_max, crossings_border, longest_run_border)``
    for ``cutbox`` (``Cbord`` and ``Lbord``; -1 where nothing is cut, when the
    cut box is the best box). Outside 10 to 100 useful points every value is -1.
    """
    n = np.asarray(list(n_useful) if not isinstance(n_useful, np.ndarray) else n_useful, dtype=int)
    table = _box_table()
    inside = (n >= BOX_RANGE[0]) & (n <= BOX_RANGE[1])
    rows = np.where(inside[:, None], table[np.where(inside, n, 0)], -1)
    cols = 4 if method == "cutbox" else 2
    return tuple(rows[:, k] for k in range(cols))


def box_longest_run_max(n_useful: np.ndarray, n_crossings: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The box's ``(crossings_min, longest_run_max)`` given the crossings seen (-1 outside 10-100)."""
    cmin, lmax, cbord, lbord = box_limits(n_useful, "cutbox")
    if method == "cutbox":
        cut = cbord >= 0
        c = np.nan_to_num(np.asarray(n_crossings, dtype=float), nan=-1)
        lmax = np.where(cut & (c == cmin), lbord, np.where(cut & (c > cmin) & (c < cbord), lmax - 1, lmax))
    return cmin, lmax


def box_rules(ra: RunsAnalysis, seg: np.ndarray, nseg: int, method: str) -> BoxRules:
    """Apply the best box or cut box rules to a runs analysis (anhoej outside 10-100 useful points).

    Returns what :func:`anhoej_rules` returns (its ``longest_run_max`` and
    ``n_crossings_min`` are the anhoej values, as qicharts2 reports them),
    with the box's signals, plus ``box_longest_run_max``, ``box_crossings_min``
    (the limits applied) and ``fallback`` (segments read with the anhoej rules).
    """
    res = anhoej_rules(ra, seg, nseg)
    has = ra.n_useful > 0
    cmin, lmax = box_longest_run_max(ra.n_useful, ra.n_crossings, method)
    inside = cmin >= 0
    box_l = np.where(inside, lmax, res.longest_run_max)
    box_c = np.where(inside, cmin, res.n_crossings_min)
    with np.errstate(invalid="ignore"):
        long_seg = has & (ra.longest_run > box_l)
        few_seg = has & (ra.n_crossings < box_c)
    # built in integers: the float route turned int64's maximum into a value numpy warns it cannot cast back
    limit = np.full(np.shape(has), np.iinfo(np.int64).max, dtype=np.int64)
    limit[has] = np.nan_to_num(np.asarray(box_l, float)[has], nan=0).astype(np.int64)
    return BoxRules(
        longest_run_max=res.longest_run_max,
        n_crossings_min=res.n_crossings_min,
        runs_signal=long_seg | few_seg,
        long_run_seg=long_seg,
        few_crossings_seg=few_seg,
        long_run=ra.useful & (ra.run_length > limit[seg]),
        few_crossings=few_seg[seg],
        box_longest_run_max=np.where(has, box_l, np.nan),
        box_crossings_min=np.where(has, box_c, np.nan),
        fallback=has & ~inside,
    )


# ----------------------------------------------------------------------------
# Segment helpers (points sorted by segment; segment ids never decrease)
# ----------------------------------------------------------------------------

def seg_reduce(ufunc: np.ufunc, values: np.ndarray, seg: np.ndarray, nseg: int, empty: float) -> np.ndarray:
    """Reduce ``values`` within each segment (``seg`` sorted); ``empty`` where a segment has none."""
    counts = np.bincount(seg, minlength=nseg)
    out = np.full(nseg, empty, dtype=np.result_type(values.dtype, type(empty)))
    present = counts > 0
    if values.size:
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        out[present] = ufunc.reduceat(values, starts[present])
    return out


def seg_mean(values: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Mean of the non-missing values in each segment, computed as R's mean() does.

    R sums in extended precision and then adds a correction pass; matching it
    keeps "exactly on the centre line" decisions identical to qicharts2's.
    """
    ok = ~np.isnan(values)
    v = values[ok].astype(np.longdouble)
    s = seg[ok]
    counts = np.bincount(s, minlength=nseg).astype(np.longdouble)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = seg_reduce(np.add, v, s, nseg, np.longdouble(0)) / counts
        if v.size:
            m = m + seg_reduce(np.add, v - m[s], s, nseg, np.longdouble(0)) / counts
    return m.astype(float)


def seg_median(values: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Median of the non-missing values in each segment (NaN for none)."""
    ok = ~np.isnan(values)
    v, s = values[ok], seg[ok]
    order = np.lexsort((v, s))
    v = v[order]
    counts = np.bincount(s, minlength=nseg)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(nseg, np.nan)
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2
    return out


def _span_flags(first: np.ndarray, last: np.ndarray, size: int) -> np.ndarray:
    """True for positions within any [first, last] span (inclusive)."""
    marks = np.zeros(size + 1, dtype=np.int64)
    np.add.at(marks, first, 1)
    np.add.at(marks, last + 1, -1)
    return np.cumsum(marks[:-1]) > 0


# ----------------------------------------------------------------------------
# Runs analysis (anhoej and ihi)
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RunsAnalysis:
    """The runs about the centre line: what :func:`runs_analysis` counts.

    Attributes
    ----------
    n_obs : per segment, the included points
    n_useful : per segment, the included points off the centre line (the "useful" ones)
    longest_run : per segment, the longest run of useful points on one side (NaN: none useful)
    n_crossings : per segment, how often the useful points cross the centre line (NaN: none useful)
    n_runs : per segment, the number of runs
    side : per point, +1 above the centre line, -1 below, 0 on it, missing or excluded
    run_length : per point, the length of the run a useful point belongs to (0 for the others)
    useful : per point, True for a useful point
    """

    n_obs: np.ndarray
    n_useful: np.ndarray
    longest_run: np.ndarray
    n_crossings: np.ndarray
    n_runs: np.ndarray
    side: np.ndarray
    run_length: np.ndarray
    useful: np.ndarray


def runs_analysis(value: np.ndarray, cl: np.ndarray, include: np.ndarray, seg: np.ndarray,
                  nseg: int) -> RunsAnalysis:
    """Count runs about the centre line in every segment at once.

    Example
    -------
    >>> ra = runs_analysis(np.array([1.0, 2, 3, 3, 1]), np.full(5, 2.0), np.ones(5, bool), np.zeros(5, int), 1)
    >>> ra.side.tolist(), ra.run_length.tolist(), int(ra.n_useful[0]), float(ra.n_crossings[0])
    ([-1.0, 0.0, 1.0, 1.0, -1.0], [1, 0, 2, 2, 1], 4, 2.0)
    """
    with np.errstate(invalid="ignore"):
        side = np.sign(value - cl)
    side = np.where(np.isnan(side) | ~include, 0, side)
    useful = side != 0
    idx = np.flatnonzero(useful)
    s, g = side[idx], seg[idx]
    n_useful = np.bincount(g, minlength=nseg)
    new = np.ones(idx.size, dtype=bool)
    if idx.size > 1:
        new[1:] = (s[1:] != s[:-1]) | (g[1:] != g[:-1])
    run_id = np.cumsum(new) - 1
    run_len = np.bincount(run_id) if idx.size else np.zeros(0, dtype=np.int64)
    run_seg = g[new]
    n_runs = np.bincount(run_seg, minlength=nseg)
    longest = seg_reduce(np.maximum, run_len, run_seg, nseg, 0)
    point_run = np.zeros(value.size, dtype=np.int64)
    point_run[idx] = run_len[run_id] if idx.size else 0
    has = n_useful > 0
    return RunsAnalysis(
        n_obs=np.bincount(seg[include], minlength=nseg),
        n_useful=n_useful,
        longest_run=np.where(has, longest, np.nan),
        n_crossings=np.where(has, np.maximum(n_runs - 1, 0), np.nan),
        n_runs=n_runs,
        side=side,
        run_length=point_run,
        useful=useful,
    )


@dataclass(frozen=True)
class AnhoejRules:
    """What the Anhøj rules found: :func:`anhoej_rules`.

    Attributes
    ----------
    longest_run_max : per segment, the longest run expected by chance (NaN: no useful point)
    n_crossings_min : per segment, the fewest crossings expected by chance (NaN: no useful point)
    runs_signal : per segment, a long run or too few crossings
    long_run_seg : per segment, a run longer than ``longest_run_max``
    few_crossings_seg : per segment, fewer crossings than ``n_crossings_min``
    long_run : per point, a point in a run that is too long
    few_crossings : per point, a point in a segment with too few crossings
    """

    longest_run_max: np.ndarray
    n_crossings_min: np.ndarray
    runs_signal: np.ndarray
    long_run_seg: np.ndarray
    few_crossings_seg: np.ndarray
    long_run: np.ndarray
    few_crossings: np.ndarray

    @property
    def flags(self) -> dict[str, np.ndarray]:
        """The per-point table columns, in table order."""
        return {"long_run": self.long_run, "few_crossings": self.few_crossings}


@dataclass(frozen=True)
class BoxRules(AnhoejRules):
    """What the best box or cut box rules found: :func:`box_rules`.

    The fields of :class:`AnhoejRules` (signals from the box; ``longest_run_max``
    and ``n_crossings_min`` the anhoej values, as qicharts2 reports them), and:

    Attributes
    ----------
    box_longest_run_max : per segment, the box's longest run allowed for the crossings seen
    box_crossings_min : per segment, the box's fewest crossings allowed
    fallback : per segment, read with the anhoej rules (fewer than 10 or more than 100 useful points)
    """

    box_longest_run_max: np.ndarray
    box_crossings_min: np.ndarray
    fallback: np.ndarray


def anhoej_rules(ra: RunsAnalysis, seg: np.ndarray, nseg: int) -> AnhoejRules:
    """Apply the Anhøj rules to a runs analysis; add limits, flags and the segment signal."""
    has = ra.n_useful > 0
    lmax, cmin = anhoej_limits(ra.n_useful)
    longest_max = np.where(has, lmax, np.nan)
    crossings_min = np.where(has, cmin, np.nan)
    with np.errstate(invalid="ignore"):
        long_seg = has & (ra.longest_run > longest_max)
        few_seg = has & (ra.n_crossings < crossings_min)
    return AnhoejRules(
        longest_run_max=longest_max,
        n_crossings_min=crossings_min,
        runs_signal=long_seg | few_seg,
        long_run_seg=long_seg,
        few_crossings_seg=few_seg,
        long_run=ra.useful & (ra.run_length > np.where(has, lmax, np.iinfo(np.int64).max)[seg]),
        few_crossings=few_seg[seg],
    )


def _trends(value: np.ndarray, include: np.ndarray, seg: np.ndarray, length: int, skip_ties: bool) -> tuple:
    """Find runs of ``length`` or more points all rising or all falling, per segment.

    Returns (per-point flag, per-point direction +1/-1/0). With ``skip_ties``
    a point equal to the previous one is ignored; otherwise a tie breaks a trend.
    """
    size = value.size
    flag = np.zeros(size, dtype=bool)
    direction = np.zeros(size, dtype=np.int8)
    idx = np.flatnonzero(include & ~np.isnan(value))
    if idx.size < 2:
        return flag, direction
    v, g = value[idx], seg[idx]
    if skip_ties:
        keep = np.ones(idx.size, dtype=bool)
        keep[1:] = ~((v[1:] == v[:-1]) & (g[1:] == g[:-1]))
        idx, v, g = idx[keep], v[keep], g[keep]
        if idx.size < 2:
            return flag, direction
    step = np.sign(np.diff(v))
    same_seg = g[1:] == g[:-1]
    step = np.where(same_seg, step, 0)
    # runs of equal non-zero steps: a run of k steps spans k + 1 points
    new = np.ones(step.size, dtype=bool)
    new[1:] = (step[1:] != step[:-1]) | ~same_seg[1:] | ~same_seg[:-1]
    run_id = np.cumsum(new) - 1
    run_len = np.bincount(run_id)
    run_step = step[new]
    run_first = np.flatnonzero(new)
    hit = (run_step != 0) & (run_len + 1 >= length)
    if not hit.any():
        return flag, direction
    first_pt = idx[run_first[hit]]
    last_pt = idx[run_first[hit] + run_len[hit]]
    flag = _span_flags(first_pt, last_pt, size) & include
    for sign in (1, -1):
        sel = run_step[hit] == sign
        if sel.any():
            direction[_span_flags(first_pt[sel], last_pt[sel], size) & include] = sign
    return flag, direction


@dataclass(frozen=True)
class IHIRules:
    """What the IHI run-chart rules found: :func:`ihi_rules`.

    Attributes
    ----------
    runs_min, runs_max : per segment, the fewest and most runs expected by chance (NaN: no table)
    runs_signal : per segment, a shift, a trend, or too few or too many runs
    shift_seg, trend_seg, runs_seg : per segment, each of those three signals
    shift : per point, a point in a shift (6 or more on one side)
    trend : per point, a point in a trend (5 or more rising or falling)
    runs : per point, a point in a segment with too few or too many runs
    """

    runs_min: np.ndarray
    runs_max: np.ndarray
    runs_signal: np.ndarray
    shift_seg: np.ndarray
    trend_seg: np.ndarray
    runs_seg: np.ndarray
    shift: np.ndarray
    trend: np.ndarray
    runs: np.ndarray

    @property
    def flags(self) -> dict[str, np.ndarray]:
        """The per-point table columns, in table order."""
        return {"shift": self.shift, "trend": self.trend, "runs": self.runs}


def ihi_rules(value: np.ndarray, ra: RunsAnalysis, include: np.ndarray, seg: np.ndarray, nseg: int) -> IHIRules:
    """Apply the IHI run-chart rules (shift 6, trend 5, runs table)."""
    shift = ra.useful & (ra.run_length >= IHI_SHIFT)
    trend, _ = _trends(value, include, seg, IHI_TREND, skip_ties=True)
    lo, hi = ihi_runs_limits(ra.n_useful)
    runs_seg = (ra.n_useful > 0) & ((ra.n_runs < lo) | (ra.n_runs > hi))
    shift_seg = np.bincount(seg[shift], minlength=nseg) > 0
    trend_seg = np.bincount(seg[trend], minlength=nseg) > 0
    return IHIRules(
        runs_min=np.where(ra.n_useful >= IHI_TABLE_RANGE[0], lo, np.nan),
        runs_max=np.where((ra.n_useful >= IHI_TABLE_RANGE[0]) & (ra.n_useful <= IHI_TABLE_RANGE[1]), hi, np.nan),
        runs_signal=shift_seg | trend_seg | runs_seg,
        shift_seg=shift_seg,
        trend_seg=trend_seg,
        runs_seg=runs_seg,
        shift=shift,
        trend=trend,
        runs=runs_seg[seg],
    )


# ----------------------------------------------------------------------------
# Making Data Count
# ----------------------------------------------------------------------------

def _window_any(hits: np.ndarray, seg: np.ndarray, width: int) -> np.ndarray:
    """True where any of this point and the next ``width - 1`` points (same segment) is a hit."""
    size = hits.size
    out = hits.copy()
    for k in range(1, width):
        ahead = np.zeros(size, dtype=bool)
        ahead[:-k] = hits[k:] & (seg[k:] == seg[:-k])
        out |= ahead
    return out


@dataclass(frozen=True)
class MDCRules:
    """What the Making Data Count rules found, per point: :func:`mdc_rules`.

    Attributes
    ----------
    outside_limits : beyond a process limit
    close_to_limits : beyond two thirds of the way to a limit, but not outside it
    trend : in a 7-point trend
    two_in_three : 2 of 3 points close to a limit, all 3 on one side of the mean
    shift : in a run of 7 points on one side of the mean
    special_cause_type : NHSRplotthedots' name for the point's signal ("Common Cause", "Above UCL", ...;
        None for a point not used)
    used : included and not missing
    """

    outside_limits: np.ndarray
    close_to_limits: np.ndarray
    trend: np.ndarray
    two_in_three: np.ndarray
    shift: np.ndarray
    special_cause_type: np.ndarray
    used: np.ndarray

    @property
    def flags(self) -> dict[str, np.ndarray]:
        """The per-point table columns, in table order."""
        return {"outside_limits": self.outside_limits, "close_to_limits": self.close_to_limits,
                "trend": self.trend, "two_in_three": self.two_in_three, "shift": self.shift,
                "special_cause_type": self.special_cause_type}


def mdc_rules(value: np.ndarray, cl: np.ndarray, upl: np.ndarray, lpl: np.ndarray, near_hi: np.ndarray,
              near_lo: np.ndarray, include: np.ndarray, seg: np.ndarray, nseg: int) -> MDCRules:
    """Apply the Making Data Count rules with NHSRplotthedots' priority.

    Rules run over the included, non-missing points of each segment in order.
    """
    size = value.size
    use = include & ~np.isnan(value)
    idx = np.flatnonzero(use)
    v, g = value[idx], seg[idx]
    with np.errstate(invalid="ignore"):
        rel = np.sign(v - cl[idx])
        outside = (v > upl[idx]) | (v < lpl[idx])
        close = ~outside & ((v < near_lo[idx]) | (v > near_hi[idx]))
    outside = outside & ~np.isnan(upl[idx])
    close = close & ~np.isnan(upl[idx])
    m = idx.size

    def lag(arr: np.ndarray, k: int, fill) -> np.ndarray:
        if k == 0:
            return arr.copy()
        out = np.full(m, fill, dtype=arr.dtype)
        if k < m:
            out[k:] = np.where(g[k:] == g[:-k], arr[:-k], fill)
        return out

    # 7 points in a row on one side: fires at the 7th, flags the 7
    same_side = rel != 0
    for k in range(1, MDC_RUN):
        same_side &= lag(rel, k, 0) == rel
    run7 = _window_any(same_side, g, MDC_RUN)

    # 7-point trend: six strict steps in one direction
    step = np.zeros(m)
    if m > 1:
        step[1:] = np.where(g[1:] == g[:-1], np.sign(np.diff(v)), 0)
    up = np.ones(m, dtype=bool)
    down = np.ones(m, dtype=bool)
    for k in range(0, MDC_TREND - 1):
        sk = lag(step, k, 0.0)
        up &= sk == 1
        down &= sk == -1
    trend_end = up | down
    trend = _window_any(trend_end, g, MDC_TREND)
    # direction of a trend point: the step to its right if the next point is in the trend too, else its left step
    nxt_in = np.zeros(m, dtype=bool)
    nxt_in[:-1] = trend[1:] & (g[1:] == g[:-1])
    right = np.zeros(m)
    right[:-1] = np.where(g[1:] == g[:-1], np.sign(np.diff(v)), 0)
    trend_dir = np.where(trend & nxt_in, right, step)

    # 2 of 3 close to a limit, all 3 on the same side, the point itself close
    closef = close.astype(int)
    two3 = np.zeros(m, dtype=bool)
    for start in (0, 1, 2):  # windows [i-2, i], [i-1, i+1], [i, i+2]
        tot_close = np.zeros(m, dtype=int)
        tot_rel = np.zeros(m)
        for j in range(3):
            off = j - (2 - start)  # offset from i
            if off <= 0:
                c_ = lag(closef, -off, 0) if off else closef
                r_ = lag(rel, -off, 0.0) if off else rel
            else:
                c_ = np.zeros(m, dtype=int)
                r_ = np.zeros(m)
                c_[:-off] = np.where(g[off:] == g[:-off], closef[off:], 0)
                r_[:-off] = np.where(g[off:] == g[:-off], rel[off:], 0)
            tot_close += c_
            tot_rel += r_
        two3 |= (tot_close >= 2) & (np.abs(tot_rel) == 3)
    two3 &= close

    above = rel > 0
    code = np.full(m, "Common Cause", dtype=object)
    code = np.where(run7, np.where(above, "7 Points Above CL", "7 Points Below CL"), code)
    code = np.where(two3, np.where(above, "2 in 3 Above CL", "2 in 3 Below CL"), code)
    code = np.where(trend, np.where(trend_dir == 1, "7 Point Trend (Increasing)", "7 Point Trend (Decreasing)"), code)
    code = np.where(outside, np.where(rel == 1, "Above UCL", "Below LCL"), code)

    def scatter(arr: np.ndarray, fill) -> np.ndarray:
        out = np.full(size, fill, dtype=arr.dtype if arr.dtype != object else object)
        out[idx] = arr
        return out

    return MDCRules(
        outside_limits=scatter(outside, False),
        close_to_limits=scatter(close, False),
        trend=scatter(trend, False),
        two_in_three=scatter(two3, False),
        shift=scatter(run7, False),
        special_cause_type=scatter(code, None),
        used=use,
    )


# ----------------------------------------------------------------------------
# One rule set applied to a chart's points: a typed result
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """A chart's centre line and limits, one value per point (made by ``spc_limits.py``).

    Kept here, beside :class:`RuleOutcome`, because ``spc_limits.py`` builds on
    this module, never the other way round.

    Attributes
    ----------
    cl : the centre line
    lcl, ucl : the lower and upper control limits (3 sigma; Making Data Count: mean -/+ 2.66 x AMR)
    lcl_95, ucl_95 : 2 sigma (Making Data Count: two thirds of the way to a limit)
    """

    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray

    def columns(self) -> dict[str, np.ndarray]:
        """The limits as table columns, in table order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def map(self, fn: Callable[[np.ndarray], np.ndarray]) -> Limits:
        """The limits with ``fn`` applied to each array (e.g. multiplied)."""
        return Limits(**{k: fn(v) for k, v in self.columns().items()})


@dataclass(frozen=True)
class RuleOutcome:
    """What a rule set found on a chart's points.

    ``value`` and ``limits`` come back multiplied (``multiply`` is applied
    after the analysis, as qicharts2 does); ``segments`` holds one array per
    summary column (one value per group and phase), ``flags`` one array per
    table column (one value per point), ``sigma`` marks points outside the
    limits, ``runs`` is the :class:`RunsAnalysis`, and ``fallback`` (box rules only)
    marks the segments read with the anhoej rules instead.
    """

    value: np.ndarray
    limits: Limits
    sigma: np.ndarray
    segments: Mapping[str, np.ndarray]
    flags: Mapping[str, np.ndarray]
    runs: RunsAnalysis
    fallback: np.ndarray | None = None


def apply_rules(rules: str, value: np.ndarray, limits: Limits, include: np.ndarray,
                seg: np.ndarray, nseg: int, *, multiply: float = 1, runs_off: bool = False) -> RuleOutcome:
    """Apply one rule set (``RULE_SETS``) to the points of a chart, segment by segment.

    ``runs_off`` (categorical x, moving-range charts) keeps the points outside
    the limits and switches the runs signals off, as qicharts2 does.

    Example
    -------
    >>> import numpy as np
    >>> v = np.array([1.0, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 9])
    >>> lim = Limits(*(np.full(12, c) for c in (1.5, 0.0, 4.0, 0.5, 3.0)))
    >>> out = apply_rules("anhoej", v, lim, np.ones(12, bool), np.zeros(12, int), 1)
    >>> int(out.segments["sigma_signals"][0]), bool(out.segments["runs_signal"][0])
    (1, False)
    """
    ra = runs_analysis(value, limits.cl, include, seg, nseg)
    segments: dict[str, np.ndarray] = {
        "n_obs": ra.n_obs, "n_useful": ra.n_useful, "longest_run": ra.longest_run, "n_crossings": ra.n_crossings,
    }
    flags: dict[str, np.ndarray] = {}
    fallback = None
    if rules == "anhoej":
        res = anhoej_rules(ra, seg, nseg)
        segments.update(longest_run_max=res.longest_run_max, n_crossings_min=res.n_crossings_min,
                        runs_signal=res.runs_signal, long_run=res.long_run_seg, few_crossings=res.few_crossings_seg)
        flags.update(res.flags)
    elif rules in ("bestbox", "cutbox"):
        box = box_rules(ra, seg, nseg, rules)
        segments.update(longest_run_max=box.longest_run_max, n_crossings_min=box.n_crossings_min,
                        box_longest_run_max=box.box_longest_run_max, box_crossings_min=box.box_crossings_min,
                        runs_signal=box.runs_signal, long_run=box.long_run_seg, few_crossings=box.few_crossings_seg)
        flags.update(box.flags)
        fallback = None if runs_off else box.fallback
    elif rules == "ihi":
        ihi = ihi_rules(value, ra, include, seg, nseg)
        segments.update(longest_run_max=np.where(ra.n_useful > 0, IHI_SHIFT - 1, np.nan),
                        n_crossings_min=ihi.runs_min - 1, n_crossings_max=ihi.runs_max - 1,
                        runs_signal=ihi.runs_signal, shift=ihi.shift_seg, trend=ihi.trend_seg, runs=ihi.runs_seg)
        flags.update(ihi.flags)

    if multiply != 1:
        value = value * multiply
        limits = limits.map(lambda v: v * multiply)
    limits = limits.map(lambda v: np.where(np.isfinite(v), v, np.nan))
    with np.errstate(invalid="ignore"):
        sigma = (value > limits.ucl) | (value < limits.lcl)
    sigma &= ~np.isnan(limits.ucl) | ~np.isnan(limits.lcl)

    if rules == "mdc":
        mdc = mdc_rules(value, limits.cl, limits.ucl, limits.lcl, limits.ucl_95, limits.lcl_95, include, seg, nseg)
        sigma = mdc.outside_limits.copy()
        flags.update(mdc.flags)
        runs_any = mdc.trend | mdc.two_in_three | mdc.shift
        segments.update(longest_run_max=np.where(ra.n_useful > 0, MDC_RUN - 1, np.nan),
                        n_crossings_min=np.full(nseg, np.nan),
                        runs_signal=np.bincount(seg[runs_any], minlength=nseg) > 0)

    if runs_off:
        segments["runs_signal"] = np.zeros(nseg, dtype=bool)
        for k in list(flags):
            if k not in ("outside_limits", "close_to_limits", "special_cause_type"):
                flags[k] = np.zeros(len(value), dtype=bool)
    segments["sigma_signals"] = np.bincount(seg[sigma], minlength=nseg)
    return RuleOutcome(value=value, limits=limits, sigma=sigma, segments=segments, flags=flags, runs=ra,
                       fallback=fallback)
