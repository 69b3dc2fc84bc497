"""Tests of the equity lens: the verdict, its evidence, its intervals and its guard rails.

The gap intervals are Newcombe's method 10 (equitykit.intervals.newcombe, pinned
to Newcombe 1998's published examples in test_intervals.py); here they are
checked against an independent hand computation of the Wilson limits.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import equitykit as ek


def _wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def two_groups(after_a: int, after_b: int, before_a: int = 60, before_b: int = 50, months: int = 24) -> pd.DataFrame:
    half = months // 2
    rows = []
    for m in range(1, months + 1):
        a = before_a if m <= half else after_a
        b = before_b if m <= half else after_b
        rows += [{"month": m, "group": "A", "yes": a, "n": 100}, {"month": m, "group": "B", "yes": b, "n": 100}]
    return pd.DataFrame(rows)


def noisy_two_groups(shift_b: float, seed: int = 7, months: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(1, months + 1):
        pb = 0.50 + (shift_b if m > months // 2 else 0.0)
        rows.append({"month": m, "group": "A", "yes": rng.binomial(400, 0.60), "n": 400})
        rows.append({"month": m, "group": "B", "yes": rng.binomial(400, pb), "n": 400})
    return pd.DataFrame(rows)


def test_screening_story_narrowed_with_both_groups_improving() -> None:
    cs = ek.load_dataset("cervical_screening")
    lens = ek.equity_lens(cs, x="month", outcome="screened", n="eligible", by="age_group",
                          change="phase", improvement="increase")
    assert lens.verdict == "narrowed"
    assert (lens.focus, lens.reference) == ("24-49", "50-64")
    s = lens.summary()
    before, after = s.set_index("period").loc["before"], s.set_index("period").loc["after"]
    # The published story: a gap of about 8 points fell to about 3, both groups improving.
    assert 7 <= before["gap"] <= 9 and 2 <= after["gap"] <= 4
    assert after["rate_24-49"] > before["rate_24-49"] and after["rate_50-64"] > before["rate_50-64"]
    assert "both groups improved" in s.reading and "NARROWED" in s.reading


def test_gap_interval_is_newcombe_from_wilson_limits() -> None:
    d = two_groups(after_a=60, after_b=57)
    lens = ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")
    s = lens.summary().set_index("period")
    # Pooled before: A 720/1200, B 600/1200.
    la, ua = _wilson(720, 1200)
    lb, ub = _wilson(600, 1200)
    pa, pb = 0.6, 0.5
    lower = (pa - pb) - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    upper = (pa - pb) + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    assert s.loc["before", "gap"] == pytest.approx(10.0)
    assert s.loc["before", "gap_lower"] == pytest.approx(100 * lower, rel=1e-9)
    assert s.loc["before", "gap_upper"] == pytest.approx(100 * upper, rel=1e-9)


@pytest.mark.parametrize(
    ("shift_b", "verdict"),
    [(0.08, "narrowed"), (0.0, "maintained"), (-0.08, "widened")],
)
def test_three_possible_effects(shift_b: float, verdict: str) -> None:
    d = noisy_two_groups(shift_b)
    lens = ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")
    assert lens.verdict == verdict, lens.summary().reading


def test_lower_is_better_orients_the_gap() -> None:
    # Missed appointments: B misses more; the change brings B down towards A.
    d = two_groups(after_a=10, after_b=12, before_a=10, before_b=20)
    d = d.rename(columns={"yes": "dna"})
    rng = np.random.default_rng(3)
    d["dna"] = d["dna"] + rng.integers(-2, 3, len(d))
    lens = ek.equity_lens(d, x="month", outcome="dna", by="group", n="n", change=13, improvement="decrease")
    assert lens.focus == "B" and lens.reference == "A"
    assert lens.summary().set_index("period").loc["before", "gap"] > 0
    assert lens.verdict == "narrowed"


def test_row_level_input_and_dates() -> None:
    rng = np.random.default_rng(11)
    months = pd.date_range("2023-01-01", periods=12, freq="MS")
    rows = []
    for i, m in enumerate(months):
        for g, p in (("A", 0.7), ("B", 0.4 if i < 6 else 0.68)):
            rows += [{"date": m, "team": g, "attended": "yes" if v else "no"} for v in rng.random(150) < p]
    d = pd.DataFrame(rows)
    lens = ek.equity_lens(d, x="date", outcome="attended", by="team", change="2023-07-01", improvement="increase")
    assert lens.verdict == "narrowed"
    assert len(lens.table) == 24  # aggregated: one row per month and group


def test_chart_carries_only_aggregated_rows() -> None:
    cs = ek.load_dataset("cervical_screening")
    lens = ek.equity_lens(cs, x="month", outcome="screened", n="eligible", by="age_group", change="phase", improvement="increase")
    spec = lens.chart().to_dict()
    sizes = [len(v) for v in spec.get("datasets", {}).values()]
    assert sizes and max(sizes) <= cs["month"].nunique() * 2
    assert "narrowed" in str(spec)
    # Rates only: no counts behind them travel in the spec.
    for rows in spec["datasets"].values():
        assert not any({"numerator", "denominator", "screened", "eligible"} & set(r) for r in rows)


def test_caller_data_unchanged() -> None:
    d = two_groups(after_a=60, after_b=58)
    before = d.copy()
    ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")
    pd.testing.assert_frame_equal(d, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"change": None}, "needs change="),
        ({"change": 99}, "no points after"),
        ({"change": 13, "groups": ("A", "Z")}, "'Z' is not in column 'group'"),
        ({"change": 13, "groups": ("A", "A")}, "same group"),
        ({"change": 13, "improvement": "sideways"}, "improvement='sideways'"),
        ({"change": 13, "n": "missing"}, "no column 'missing'"),
    ],
)
def test_bad_input_is_explained(kwargs: dict, message: str) -> None:
    d = two_groups(after_a=60, after_b=58)
    args = {"x": "month", "outcome": "yes", "by": "group", "n": "n", **kwargs}
    with pytest.raises(ek.EquityKitError, match=message):
        ek.equity_lens(d, **{"improvement": "increase", **args})


def test_numerator_above_denominator_is_refused() -> None:
    d = two_groups(after_a=60, after_b=58)
    d.loc[3, "yes"] = 120
    with pytest.raises(ek.EquityKitError, match="larger than 'n'"):
        ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")


def test_verdicts_are_not_claimed_lightly() -> None:
    """On 100 simulated series with no real change, a change is claimed rarely;
    on 100 with a real 8-point narrowing, it is found nearly always."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        none = [ek.equity_lens(noisy_two_groups(0.0, seed=s), x="month", outcome="yes", by="group", n="n",
                               change=13, improvement="increase").verdict for s in range(100)]
        real = [ek.equity_lens(noisy_two_groups(0.08, seed=s), x="month", outcome="yes", by="group", n="n",
                               change=13, improvement="increase").verdict for s in range(100)]
    assert none.count("maintained") >= 94
    assert real.count("narrowed") >= 95


def test_time_zone_dates_and_missing_group_labels() -> None:
    d = two_groups(after_a=60, after_b=60)
    d["month"] = pd.date_range("2023-01-01", periods=24, freq="MS", tz="Europe/London").repeat(2)
    lens = ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change="2024-01-01", improvement="increase")
    assert lens.verdict == "narrowed"
    d.loc[3, "group"] = None
    lens = ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change="2024-01-01",
                          groups=("A", "B"), improvement="increase")
    assert "Not recorded" in set(lens.table["group"])


# ----------------------------------------------------------------------------
# the verdict is about the size of the gap, whichever order the groups are named in
# ----------------------------------------------------------------------------

def _pair(before: dict, after: dict, n: int = 2000, months: int = 24) -> pd.DataFrame:
    rows = []
    for m in range(1, months + 1):
        rates = before if m <= months // 2 else after
        for g, r in rates.items():
            rows.append({"month": m, "group": g, "yes": round(r * n), "n": n})
    return pd.DataFrame(rows)


def _both_ways(d: pd.DataFrame, **kw) -> tuple:
    args = {"x": "month", "outcome": "yes", "by": "group", "n": "n", "change": 13, "improvement": "increase", **kw}
    one = ek.equity_lens(d, groups=("Most deprived", "Least deprived"), **args)
    two = ek.equity_lens(d, groups=("Least deprived", "Most deprived"), **args)
    return one, two


def test_a_gap_that_fell_from_ten_points_to_half_a_point_narrowed_whichever_way_named() -> None:
    d = _pair({"Least deprived": 0.60, "Most deprived": 0.50}, {"Least deprived": 0.60, "Most deprived": 0.595})
    one, two = _both_ways(d)
    assert one.verdict == two.verdict == "narrowed"
    for lens in (one, two):
        s = lens.summary().set_index("period")
        assert s.loc["before", "gap"] == pytest.approx(10.0) and s.loc["after", "gap"] == pytest.approx(0.5)
        assert lens.focus == "Most deprived"  # the group behind, however the pair was given
        assert "Most deprived was behind Least deprived" in lens.summary().reading
    pd.testing.assert_frame_equal(one.summary(), two.summary())


def test_lower_is_better_names_the_group_behind_both_ways() -> None:
    d = _pair({"Least deprived": 0.10, "Most deprived": 0.22}, {"Least deprived": 0.10, "Most deprived": 0.25})
    one, two = _both_ways(d, improvement="decrease")
    assert one.verdict == two.verdict == "widened"
    assert one.focus == two.focus == "Most deprived"
    assert one.summary().set_index("period").loc["after", "gap"] == pytest.approx(15.0)


def test_a_group_that_crosses_over_is_said_so_and_judged_on_the_size_of_the_gap() -> None:
    crossed_small = _pair({"Least deprived": 0.60, "Most deprived": 0.50},
                          {"Least deprived": 0.60, "Most deprived": 0.62})
    one, two = _both_ways(crossed_small)
    assert one.verdict == two.verdict == "narrowed"  # 10 behind, then 2 ahead: a smaller gap
    assert "swapped places" in one.summary().reading and "now Least deprived is the group behind" \
        in one.summary().reading
    same_size = _pair({"Least deprived": 0.60, "Most deprived": 0.50},
                      {"Least deprived": 0.60, "Most deprived": 0.70})
    one, two = _both_ways(same_size)
    assert one.verdict == two.verdict == "maintained"  # 10 behind, then 10 ahead: the same size
    assert "swapped places" in one.summary().reading


def test_groups_level_before_the_change_are_said_to_be_level_whichever_way_named() -> None:
    d = _pair({"Least deprived": 0.60, "Most deprived": 0.60}, {"Least deprived": 0.60, "Most deprived": 0.50})
    one, two = _both_ways(d)
    assert one.verdict == two.verdict == "widened"
    assert one.focus == two.focus == "Most deprived"  # behind after the change
    assert "were level before the change" in one.summary().reading


def test_a_learners_near_misses_get_the_name_they_meant() -> None:
    s = ek.load_dataset("cervical_screening")
    base = dict(x="month", outcome="screened", n="eligible", by="age_group", change="phase")
    with pytest.raises(ek.EquityKitError, match=r"'50-65' is not in column 'age_group'.*Did you mean '50-64'\?"):
        ek.equity_lens(s, **base, groups=("24-49", "50-65"), improvement="increase")
    with pytest.raises(ek.EquityKitError, match=r"change='Phase' is not a column.*Did you mean 'phase'\?"):
        ek.equity_lens(s, **{**base, "change": "Phase"}, improvement="increase")
    # how people say which way is better: the kit's word for it
    with pytest.raises(ek.EquityKitError, match=r"improvement='higher is better' is not one of .*Did you mean 'increase'\?"):
        ek.equity_lens(s, **base, improvement="higher is better")
    with pytest.raises(ek.EquityKitError, match=r"Did you mean 'decrease'\?"):
        ek.spc(s, x="month", y="screened", n="eligible", chart="p", by="age_group", improvement="down")
