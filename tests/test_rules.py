"""Rule sets for reading SPC charts: critical values from exact arithmetic, hand-made patterns."""
from __future__ import annotations

import itertools
import warnings
from math import comb

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit import rules


def _exact_qbinom05(m: int) -> int:
    """Smallest k with P(Binomial(m, 1/2) <= k) >= 0.05, in integers."""
    total, cum = 2**m, 0
    for k in range(m + 1):
        cum += comb(m, k)
        if cum * 20 >= total:
            return k
    return m


@pytest.mark.parametrize("n", [1, 2, 4, 5, 8, 10, 11, 12, 23, 24, 25, 40, 60, 100, 101, 250])
def test_anhoej_limits_match_exact_arithmetic(n: int) -> None:
    longest, crossings = rules.anhoej_limits([n])
    # R's round() is half-to-even; log2 of a whole number is never exactly x.5
    assert longest[0] == int(np.round(np.log2(n))) + 3
    assert crossings[0] == _exact_qbinom05(n - 1)


def test_anhoej_limits_reference_values() -> None:
    # tests/reference/README.md: n = 24 -> 8 and 8; n = 4 -> 5 and 0; n = 8 -> 6 and 1
    longest, crossings = rules.anhoej_limits([24, 4, 8])
    assert longest.tolist() == [8, 5, 6]
    assert crossings.tolist() == [8, 0, 1]


def _runs_distribution(n1: int, n2: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for above in itertools.combinations(range(n1 + n2), n1):
        seq = np.zeros(n1 + n2, dtype=int)
        seq[list(above)] = 1
        r = 1 + int(np.sum(seq[1:] != seq[:-1]))
        counts[r] = counts.get(r, 0) + 1
    return counts


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14])
def test_ihi_runs_table_matches_enumeration(n: int) -> None:
    dist = _runs_distribution(n // 2, n - n // 2)
    total = sum(dist.values())
    lo, hi = rules.ihi_runs_limits([n])
    # fewer runs than lo: probability at most 2.5%; lo itself is not rare
    assert sum(c for r, c in dist.items() if r < lo[0]) / total <= 0.025
    assert sum(c for r, c in dist.items() if r <= lo[0]) / total > 0.025
    assert sum(c for r, c in dist.items() if r > hi[0]) / total <= 0.025
    assert sum(c for r, c in dist.items() if r >= hi[0]) / total > 0.025


def test_ihi_runs_table_outside_range_never_signals() -> None:
    lo, hi = rules.ihi_runs_limits([5, 150])
    assert lo.tolist() == [0, 0]
    assert (hi > 10**6).all()


def _series(values, **kw):
    d = pd.DataFrame({"t": np.arange(1, len(values) + 1), "v": values})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        return ek.spc(d, x="t", y="v", **kw)


def test_ihi_shift_skips_points_on_the_median() -> None:
    # median 5; six points above with one exactly on the median between them
    v = [1, 2, 3, 1, 2, 5, 9, 8, 9, 5, 8, 9, 8, 3, 5, 2, 1]
    res = _series(v, rules="ihi")
    t = res.table
    assert t["value"].median() == 5
    shift = t["shift"].to_numpy()
    assert shift[[6, 7, 8, 10, 11, 12]].all()  # the six above, around the point on the median
    assert not shift[9]  # the point on the median is not part of the run
    assert res.summary()["runs_signal"].iloc[0]


def test_ihi_trend_skips_ties() -> None:
    # 1 2 2 3 4 5: five distinct rising values with a tie -> a trend of 5
    v = [6, 3, 1, 2, 2, 3, 4, 5, 3, 6, 4, 5, 3, 4]
    t = _series(v, rules="ihi").table
    assert t["trend"].iloc[2:8].all()
    assert not t["trend"].iloc[0]
    # four rising points are not a trend
    v2 = [5, 1, 2, 3, 4, 2, 5, 3, 4, 2, 5, 3]
    assert not _series(v2, rules="ihi").table["trend"].any()


def test_mdc_trend_broken_by_a_tie() -> None:
    rising = [10, 11, 12, 13, 14, 15, 16]
    with_tie = [10, 11, 12, 12, 13, 14, 15]
    pad = [13, 12, 14, 13]
    t1 = _series(pad + rising + pad, rules="mdc", improvement="increase").table
    t2 = _series(pad + with_tie + pad, rules="mdc", improvement="increase").table
    assert t1["trend"].sum() == 7
    assert not t2["trend"].any()


def test_mdc_point_on_mean_breaks_a_run_of_seven() -> None:
    # mean is 10; six above, one on the mean, then six above: no run of 7
    v = [4, 5, 4, 5, 11, 12, 11, 12, 11, 12, 10, 11, 12, 11, 12, 11, 12, 4, 5, 4, 5, 6]
    t = _series(v, rules="mdc").table
    assert t["cl"].iloc[0] == pytest.approx(np.mean(v))
    # a run of 7 only where 7 consecutive points are strictly on one side
    side = np.sign(np.asarray(v, float) - np.mean(v))
    for i in np.flatnonzero(t["shift"].to_numpy()):
        assert side[i] != 0


def test_rules_do_not_cross_groups_or_phases() -> None:
    # two groups, each with 5 high then 5 low points: a run of 10 must not form across the join
    v = [5, 6, 5, 6, 5, 1, 2, 1, 2, 1]
    d = pd.DataFrame({"t": list(range(10)) * 2, "v": v + v[::-1], "g": ["a"] * 10 + ["b"] * 10})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        res = ek.spc(d, x="t", y="v", by="g")
    s = res.summary()
    assert s["longest_run"].tolist() == [5, 5]


def test_rule_sets_are_named() -> None:
    assert set(ek.RULE_SETS) == {"anhoej", "ihi", "mdc"}
