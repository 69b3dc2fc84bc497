"""Rule sets for reading SPC charts: critical values from exact arithmetic, hand-made patterns."""
from __future__ import annotations

import dataclasses
import itertools
import warnings
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit import rules, spc_limits


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
    assert set(ek.RULE_SETS) == {"anhoej", "bestbox", "cutbox", "ihi", "mdc"}


# ----------------------------------------------------------------------------
# bestbox / cutbox (Anhøj and Wentzel-Larsen 2020)
# ----------------------------------------------------------------------------

def _enumerate(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crossings, longest run and number of points above for all 2**n sequences."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    change = bits[:, 1:] != bits[:, :-1]
    crossings = change.sum(axis=1)
    longest = np.ones(2**n, dtype=int)
    run = np.ones(2**n, dtype=int)
    for k in range(n - 1):
        run = np.where(change[:, k], 1, run + 1)
        longest = np.maximum(longest, run)
    return crossings, longest, bits.sum(axis=1)


def _joint(n: int, p: float) -> np.ndarray:
    """P(C = c, L = l) by brute force, indexed [c, l]."""
    c, l, above = _enumerate(n)
    w = p**above * (1 - p) ** (n - above)
    out = np.zeros((n, n + 1))
    np.add.at(out, (c, l), w)
    return out


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14])
@pytest.mark.parametrize("p", [0.5, 0.7])
def test_joint_distribution_matches_enumeration(n: int, p: float) -> None:
    brute = np.cumsum(_joint(n, p), axis=1)  # P(C = c, L <= l)
    ours = rules.joint_runs_distribution(p)[n, :n, : n + 1]
    np.testing.assert_allclose(ours, brute, rtol=1e-12, atol=1e-15)
    if p == 0.5:
        # counts of sequences, e.g. n = 10: 2 sequences with no crossing, 2 * 9 with one
        counts = np.rint(ours[:, n] * 2**n).astype(int)
        assert counts.tolist() == [2 * comb(n - 1, k) for k in range(n)]


def _shift_p() -> float:
    from math import erf, sqrt

    return 0.5 * (1 + erf(0.8 / sqrt(2)))


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14])
def test_best_box_is_the_exhaustive_optimum(n: int) -> None:
    c_, l_, _ = _enumerate(n)
    null_counts = np.zeros((n, n + 1), dtype=np.int64)
    np.add.at(null_counts, (c_, l_), 1)
    shifted = _joint(n, _shift_p())
    best, best_box = np.inf, None
    for c in range(n):
        for l in range(1, n + 1):
            inside = null_counts[c:, : l + 1].sum()
            if inside * 1000 >= 925 * 2**n:  # specificity >= 92.5%, in integers
                power_in = shifted[c:, : l + 1].sum()
                if power_in < best:
                    best, best_box = power_in, (c, l)
    cmin, lmax = rules.box_limits([n])
    assert (int(cmin[0]), int(lmax[0])) == best_box


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14])
def test_cut_box_keeps_specificity_and_cannot_cut_more(n: int) -> None:
    c_, l_, _ = _enumerate(n)
    null = np.zeros((n, n + 1), dtype=np.int64)
    np.add.at(null, (c_, l_), 1)
    c, l, cbord, lbord = (int(v[0]) for v in rules.box_limits([n], "cutbox"))
    box = null[c:, : l + 1].sum()
    if cbord < 0:  # nothing cut: even the corner alone would cost too much
        assert (box - null[c, l]) * 1000 < 925 * 2**n
        return
    cut = null[c, lbord + 1: l + 1].sum() + null[c + 1: cbord, l].sum()
    kept = box - cut
    assert kept * 1000 >= 925 * 2**n
    for nxt in (null[c, lbord] if lbord >= 1 else 0, null[cbord, l] if cbord < n else 0):
        assert nxt == 0 or (kept - nxt) * 1000 < 925 * 2**n


def test_box_limits_published_values() -> None:
    # Anhøj and Wentzel-Larsen 2020: for N = 11 the best box signals if C < 3 or L > 7,
    # and the cut box only cuts the corner (Cbord = 4, Lbord = 6)
    assert [int(v[0]) for v in rules.box_limits([11], "cutbox")] == [3, 7, 4, 6]
    # tests/reference/README.md: for n = 24 the longest-run limit of both boxes is 7
    assert int(rules.box_limits([24])[1][0]) == 7
    # qicharts2 0.8.1 falls back to anhoej outside 10-100 useful points
    assert [v.tolist() for v in rules.box_limits([9, 101], "cutbox")] == [[-1, -1]] * 4


def test_cut_box_signals_in_the_cut_corner() -> None:
    # 24 points, 12 either side of the median, runs 7, 4, 2, 4, 2, 4, 1: 6 crossings and a longest
    # run of 7 -- the best box's corner for n = 24 (C = 6, L = 7), cut from the cut box
    lengths = [7, 4, 2, 4, 2, 4, 1]
    sign = np.concatenate([np.full(k, 1.0 if i % 2 == 0 else -1.0) for i, k in enumerate(lengths)])
    values = sign * (10 + np.arange(24) / 10)
    d = pd.DataFrame({"t": np.arange(24), "v": values})
    got = {}
    for r in ("anhoej", "bestbox", "cutbox"):
        s = ek.spc(d, x="t", y="v", rules=r).summary().iloc[0]
        assert (s["n_useful"], s["longest_run"], s["n_crossings"]) == (24, 7, 6)
        got[r] = bool(s["runs_signal"])
    # anhoej signals too: fewer than 8 crossings
    assert got == {"anhoej": True, "bestbox": False, "cutbox": True}


def test_box_rules_fall_back_to_anhoej_with_a_warning() -> None:
    d = pd.DataFrame({"t": np.arange(8), "v": [1, 2, 3, 4, 5, 6, 7, 8.0]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        box = ek.spc(d, x="t", y="v", rules="bestbox").summary()
    assert any("anhoej rules are used" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        plain = ek.spc(d, x="t", y="v").summary()
    for col in ("longest_run_max", "n_crossings_min", "runs_signal"):
        assert box[col].tolist() == plain[col].tolist()
    assert box["box_longest_run_max"].tolist() == plain["longest_run_max"].tolist()


def _eight_above_four_below() -> tuple:
    """12 points about a centre line of 0: a run of 8 above, then 4 below (one crossing)."""
    return np.array([1.0] * 8 + [-1.0] * 4), np.zeros(12), np.ones(12, dtype=bool), np.zeros(12, dtype=int)


def test_each_rule_set_returns_a_small_frozen_typed_result() -> None:
    v, cl, include, seg = _eight_above_four_below()
    ra = rules.runs_analysis(v, cl, include, seg, 1)
    lim = rules.Limits(cl=cl, lcl=cl - 3, ucl=cl + 3, lcl_95=cl - 2, ucl_95=cl + 2)
    found = {
        rules.Limits: spc_limits.compute_limits("i", {"value": v}, include, seg, 1, False, False),
        rules.RunsAnalysis: ra,
        rules.AnhoejRules: rules.anhoej_rules(ra, seg, 1),
        rules.BoxRules: rules.box_rules(ra, seg, 1, "cutbox"),
        rules.IHIRules: rules.ihi_rules(v, ra, include, seg, 1),
        rules.MDCRules: rules.mdc_rules(v, cl, cl + 3, cl - 3, cl + 2, cl - 2, include, seg, 1),
        rules.RuleOutcome: rules.apply_rules("anhoej", v, lim, include, seg, 1),
    }
    for kind, res in found.items():
        assert type(res) is kind and dataclasses.is_dataclass(res)
        for field in dataclasses.fields(res):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(res, field.name, None)
    # the fields carry what the rules found, read by name
    assert (ra.n_useful[0], ra.longest_run[0], ra.n_crossings[0], ra.n_runs[0]) == (12, 8, 1, 2)
    assert ra.side.tolist() == [1] * 8 + [-1] * 4 and ra.run_length.tolist() == [8] * 8 + [4] * 4
    anhoej = found[rules.AnhoejRules]  # 12 useful points: a run longer than 7 or fewer than 3 crossings
    assert (anhoej.longest_run_max[0], anhoej.n_crossings_min[0]) == (7, 3)
    assert anhoej.long_run_seg[0] and anhoej.few_crossings_seg[0] and anhoej.runs_signal[0]
    assert anhoej.long_run.tolist() == [True] * 8 + [False] * 4
    assert list(anhoej.flags) == ["long_run", "few_crossings"]
    box = found[rules.BoxRules]
    assert not box.fallback[0] and box.longest_run_max[0] == 7 and box.few_crossings_seg[0]
    ihi = found[rules.IHIRules]  # a shift of 6 or more; no trend (no rising or falling points)
    assert ihi.shift.tolist() == [True] * 8 + [False] * 4 and not ihi.trend.any()
    assert ihi.shift_seg[0] and not ihi.trend_seg[0] and list(ihi.flags) == ["shift", "trend", "runs"]
    mdc = found[rules.MDCRules]  # 7 or more in a row on one side of the mean
    assert mdc.shift.tolist() == [True] * 8 + [False] * 4 and not mdc.outside_limits.any()
    assert mdc.special_cause_type.tolist() == ["7 Points Above CL"] * 8 + ["Common Cause"] * 4
    assert list(mdc.flags)[-1] == "special_cause_type"
    assert found[rules.RuleOutcome].runs.longest_run[0] == 8
    # I chart of the 12 points, moving ranges not screened: mean 1/3, one moving range of 2 in 11 (AMR 2/11)
    assert found[rules.Limits].ucl[0] == pytest.approx(1 / 3 + 3 * (2 / 11) / 1.128)
    assert list(found[rules.Limits].columns()) == ["cl", "lcl", "ucl", "lcl_95", "ucl_95"]


def test_architecture_names_the_typed_results_of_rules() -> None:
    text = (Path(__file__).parents[1] / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "→ rules.py" in line)
    end = next(i for i in range(start + 1, len(lines)) if "→" in lines[i])
    rules_line = " ".join(lines[start:end])
    typed = [name for name in rules.__all__ if dataclasses.is_dataclass(getattr(rules, name))]
    assert {"RuleOutcome", "Limits", "RunsAnalysis", "AnhoejRules", "BoxRules", "IHIRules", "MDCRules"} <= set(typed)
    for name in typed:
        assert name in rules_line, f"docs/ARCHITECTURE.md's rules.py line should name {name}"
