"""equitykit.spc: formulas against textbook values, bad input, by=, phases, charts, invariants.

The numbers of every chart type are pinned against qicharts2 and
NHSRplotthedots in tests/test_spc_reference.py; here the expected values come
from the formulas (computed independently in the test) or textbook constants.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import equitykit as ek
from equitykit.theme import PALETTE
from equitykit.validation import EquityKitError


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        return ek.spc(*args, **kwargs)


def monthly(values, n=None, start="2022-01-01"):
    d = pd.DataFrame({"month": pd.date_range(start, periods=len(values), freq="MS"), "y": values})
    if n is not None:
        d["n"] = n
    return d


# ----------------------------------------------------------------------------
# formulas
# ----------------------------------------------------------------------------

def test_mr_screening_drops_large_ranges_from_the_average_only() -> None:
    v = np.array([10, 11, 10, 12, 11, 10, 11, 30, 11, 10, 12, 11, 10, 11], float)
    res = quiet(monthly(v), x="month", y="y", chart="i")
    mr = np.abs(np.diff(v))
    amr = mr.mean()
    kept = mr[mr < 3.267 * amr]
    sigma = kept.mean() / 1.128
    assert res.table["cl"].iloc[0] == pytest.approx(v.mean())  # the mean keeps every point
    assert res.table["ucl"].iloc[0] == pytest.approx(v.mean() + 3 * sigma)
    unscreened = quiet(monthly(v), x="month", y="y", chart="i", screen_mr=False)
    assert unscreened.table["ucl"].iloc[0] == pytest.approx(v.mean() + 3 * amr / 1.128)


def test_xbar_and_s_limits_use_textbook_constants() -> None:
    # subgroups of 5: A3 = 1.427, B3 = 0, B4 = 2.089 (Montgomery, Appendix VI)
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"day": np.repeat(np.arange(20), 5), "w": rng.normal(50, 4, 100)})
    means = rows.groupby("day")["w"].mean()
    sds = rows.groupby("day")["w"].std()
    xb = quiet(rows, x="day", y="w", chart="xbar").table
    assert xb["cl"].iloc[0] == pytest.approx(means.mean())
    assert xb["ucl"].iloc[0] == pytest.approx(means.mean() + 1.427 * sds.mean(), rel=1e-3)
    s = quiet(rows, x="day", y="w", chart="s").table
    assert s["value"].to_numpy() == pytest.approx(sds.to_numpy())
    assert s["ucl"].iloc[0] == pytest.approx(2.089 * sds.mean(), rel=1e-3)
    assert s["lcl"].iloc[0] == 0


def test_p_chart_limits_vary_with_n_and_stay_within_0_1() -> None:
    y = [1, 0, 2, 1, 3, 0, 1, 2, 1, 0, 1, 2]
    n = [5, 3, 8, 4, 9, 2, 5, 6, 4, 3, 5, 7]
    t = quiet(monthly(y, n), x="month", y="y", n="n", chart="p", multiply=1).table
    p = sum(y) / sum(n)
    expected_ucl = np.minimum(1, p + 3 * np.sqrt(p * (1 - p) / np.asarray(n)))
    assert t["ucl"].to_numpy() == pytest.approx(expected_ucl)
    assert (t["lcl"] >= 0).all() and (t["ucl"] <= 1).all()


def test_g_chart_median_centre_line_mean_based_limits() -> None:
    g = np.array([3, 10, 1, 25, 7, 2, 14, 6, 30, 4, 9, 12], float)
    t = quiet(pd.DataFrame({"event": range(12), "days": g}), x="event", y="days", chart="g").table
    assert t["cl"].iloc[0] == np.median(g)
    m = g.mean()
    assert t["ucl"].iloc[0] == pytest.approx(m + 3 * np.sqrt(m * (m + 1)))
    assert t["lcl"].iloc[0] == 0


def test_multiply_scales_values_and_limits() -> None:
    d = monthly([30, 35, 40, 32, 38, 36, 33, 41, 37, 35, 34, 39], [50] * 12)
    a = quiet(d, x="month", y="y", n="n", chart="p", multiply=1).table
    b = quiet(d, x="month", y="y", n="n", chart="p", multiply=100).table
    for c in ("value", "cl", "lcl", "ucl"):
        assert b[c].to_numpy() == pytest.approx(100 * a[c].to_numpy())


# ----------------------------------------------------------------------------
# phases, freeze, exclude
# ----------------------------------------------------------------------------

def test_phase_and_freeze_together_freeze_within_the_first_phase() -> None:
    v = np.array([20, 22, 19, 21, 23, 20, 25, 26, 24, 25, 12, 13, 11, 12, 14, 13, 12, 11], float)
    d = monthly(v)
    res = quiet(d, x="month", y="y", chart="i", freeze=6, phase=d["month"][10])
    t = res.table
    assert t["phase"].tolist() == [1] * 10 + [2] * 8
    assert t["baseline"].tolist() == [True] * 6 + [False] * 4 + [True] * 8
    assert t["cl"].iloc[0] == pytest.approx(v[:6].mean())
    assert t["cl"].iloc[12] == pytest.approx(v[10:].mean())
    # runs analysis still covers every point of the phase
    assert res.summary()["n_obs"].tolist() == [10, 8]


def test_phase_as_a_column_of_labels() -> None:
    d = monthly([5, 6, 5, 7, 6, 2, 3, 2, 1, 2])
    d["stage"] = ["before"] * 5 + ["after"] * 5
    res = quiet(d, x="month", y="y", chart="c", phase="stage")
    assert res.table["phase"].tolist() == [1] * 5 + [2] * 5
    assert res.summary()["phase_label"].tolist() == ["before", "after"]


def test_exclude_keeps_the_point_but_not_in_the_limits() -> None:
    v = [10, 11, 10, 12, 40, 11, 10, 12, 11, 10, 11, 12]
    d = monthly(v)
    res = quiet(d, x="month", y="y", chart="i", exclude=[d["month"][4]])
    t = res.table
    assert len(t) == 12 and t["excluded"].sum() == 1
    rest = np.delete(np.asarray(v, float), 4)
    assert t["cl"].iloc[0] == pytest.approx(rest.mean())
    assert res.summary()["n_obs"].iloc[0] == 11


def test_mdc_freeze_below_12_is_refused() -> None:
    with pytest.raises(EquityKitError, match="at least 12"):
        quiet(monthly(range(20)), x="month", y="y", rules="mdc", freeze=11)


# ----------------------------------------------------------------------------
# aggregation and by=
# ----------------------------------------------------------------------------

def test_row_level_data_is_aggregated_and_sorted() -> None:
    rows = pd.DataFrame({
        "date": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01"]),
        "event": [1, 1, 1, 1, 1],
    })
    t = quiet(rows, x="date", y="event", chart="c").table
    assert t["x"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert t["value"].tolist() == [2, 1, 2]
    i = quiet(rows.assign(event=[3, 1, 5, 2, 4]), x="date", y="event", chart="i").table
    assert i["value"].tolist() == [3, 2, 3.5]  # mean per x for I charts


def test_iso_date_text_is_read_as_dates() -> None:
    d = pd.DataFrame({"m": ["2024-02-01", "2024-01-01", "2024-03-01"], "y": [1, 2, 3]})
    t = quiet(d, x="m", y="y", chart="c").table
    assert pd.api.types.is_datetime64_any_dtype(t["x"])
    assert t["value"].tolist() == [2, 1, 3]


@pytest.mark.parametrize("kw", [
    dict(chart="p", n="n"), dict(chart="pp", n="n"), dict(chart="u", n="n"), dict(chart="up", n="n"),
    dict(chart="i"), dict(chart="run"), dict(chart="c"), dict(chart="mr"), dict(chart="g"), dict(chart="t"),
    dict(chart="i", rules="ihi"), dict(chart="i", rules="mdc", improvement="increase"),
    dict(chart="i", freeze=12), dict(chart="p", n="n", exclude=["2021-05-01"]),
])
def test_by_matches_separate_charts(kw: dict) -> None:
    rng = np.random.default_rng(7)
    months = pd.date_range("2020-01-01", periods=30, freq="MS")
    frames = []
    for g, p in (("north", 0.3), ("south", 0.5), ("east", 0.4)):
        n = rng.integers(20, 60, 30)
        frames.append(pd.DataFrame({"area": g, "month": months, "n": n, "y": rng.binomial(n, p) + 1}))
    d = pd.concat(frames, ignore_index=True)
    d["phase"] = np.where(d["month"] >= "2021-06-01", "after", "before")
    together = quiet(d, x="month", y="y", by="area", phase="phase", **kw).table
    for g, part in d.groupby("area"):
        alone = quiet(part, x="month", y="y", phase="phase", **kw).table
        mine = together[together["area"] == g].drop(columns="area").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False)


# ----------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------

def test_negative_counts_are_refused() -> None:
    with pytest.raises(EquityKitError, match="negative"):
        ek.spc(monthly([3, -1, 2]), x="month", y="y", chart="c")


def test_y_above_n_on_a_p_chart_is_refused() -> None:
    with pytest.raises(EquityKitError, match="larger than"):
        ek.spc(monthly([3, 9, 2], [5, 5, 5]), x="month", y="y", n="n", chart="p", multiply=1)


def test_zero_denominator_is_a_gap_with_a_warning() -> None:
    d = monthly([3, 0, 2, 4, 3, 2, 5, 3, 4, 2, 3, 4], [10, 0, 10, 12, 9, 8, 11, 10, 12, 9, 10, 11])
    with pytest.warns(ek.SPCWarning, match="denominator"):
        res = ek.spc(d, x="month", y="y", n="n", chart="p", multiply=1)
    t = res.table
    assert len(t) == 12 and np.isnan(t["value"].iloc[1]) and np.isnan(t["ucl"].iloc[1])
    assert res.summary()["n_useful"].iloc[0] <= 11


def test_too_few_points_warns_with_the_number_needed() -> None:
    with pytest.warns(ek.SPCWarning, match="fewer than 12"):
        ek.spc(monthly([3, 4, 2, 5, 3]), x="month", y="y", chart="c")
    with pytest.warns(ek.SPCWarning, match="fewer than 13"):
        ek.spc(monthly([3, 4, 2, 5, 3, 4, 5, 3, 2, 4]), x="month", y="y", rules="mdc")


def test_text_in_a_number_column_is_refused() -> None:
    d = monthly([3, 4, 2]).astype({"y": object})
    d.loc[1, "y"] = "four"
    with pytest.raises(EquityKitError, match=r"not a number.*row 1: .four."):
        ek.spc(d, x="month", y="y", chart="c")


def test_missing_values_are_gaps_with_a_warning() -> None:
    d = monthly([3, np.nan, 2, 4, 3, 2, 5, 3, 4, 2, 3, 4])
    with pytest.warns(ek.SPCWarning, match="no value"):
        res = ek.spc(d, x="month", y="y", chart="i")
    assert len(res.table) == 12 and np.isnan(res.table["value"].iloc[1])


@pytest.mark.parametrize("kw, match", [
    (dict(chart="p"), "denominator"),
    (dict(chart="u"), "denominator"),
    (dict(chart="pie"), "not one of"),
    (dict(chart="c", rules="shewhart"), "not one of"),
    (dict(chart="c", freeze=2.5), "whole number"),
    (dict(chart="c", improvement="up"), "not one of"),
    (dict(chart="c", exclude=["not a date"]), "dates"),
    (dict(chart="p", rules="mdc"), "XmR"),
    (dict(chart="xbar"), "several measurements"),
    (dict(chart="c", annotations=[1, 2]), "annotations"),
])
def test_argument_errors_are_clear(kw: dict, match: str) -> None:
    with pytest.raises(EquityKitError, match=match):
        quiet(monthly([3, 4, 2, 5, 3, 4, 2, 5, 3, 4, 2, 5]), x="month", y="y", **kw)


def test_t_chart_refuses_zero_gaps_and_missing_column() -> None:
    d = pd.DataFrame({"event": range(6), "gap": [2.0, 0.0, 1.5, 3.0, 2.2, 1.0]})
    with pytest.raises(EquityKitError, match="greater than zero"):
        quiet(d, x="event", y="gap", chart="t")
    with pytest.raises(EquityKitError, match="no column"):
        quiet(d, x="event", y="gaps", chart="t")
    with pytest.raises(EquityKitError):
        ek.spc([1, 2, 3], x="event", y="gap")


def test_mdc_refuses_duplicate_dates() -> None:
    d = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-01-01"] + [f"2024-02-{i:02d}" for i in range(1, 14)]),
                      "v": range(15)})
    with pytest.raises(EquityKitError, match="repeat"):
        quiet(d, x="d", y="v", rules="mdc")


# ----------------------------------------------------------------------------
# runs analysis switched off
# ----------------------------------------------------------------------------

def test_categorical_x_and_mr_chart_force_runs_signal_off() -> None:
    d = pd.DataFrame({"ward": list("ABCDEFGHIJKL"), "y": [1, 2, 3, 4, 5, 6, 20, 21, 22, 23, 24, 25]})
    res = quiet(d, x="ward", y="y", chart="i")
    assert res.summary()["longest_run"].iloc[0] == 6  # still counted
    assert not res.table["run_signal"].any()
    v = monthly([1, 2, 3, 4, 5, 6, 20, 21, 22, 23, 24, 25] * 2)
    assert not quiet(v, x="month", y="y", chart="mr").table["run_signal"].any()


# ----------------------------------------------------------------------------
# summary and reading
# ----------------------------------------------------------------------------

def test_summary_columns_and_reading() -> None:
    v = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 14, 15, 14, 16, 15, 14, 15, 16, 15, 14]
    res = quiet(monthly(v, start="2021-01-01"), x="month", y="y", chart="run", improvement="increase")
    s = res.summary()
    for col in ("phase", "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings",
                "n_crossings_min", "runs_signal", "sigma_signals", "cl", "lcl", "ucl"):
        assert col in s.columns
    assert bool(s["runs_signal"].iloc[0])
    assert "10 points in a row above the centre line from November 2021" in s.reading
    assert "unlikely to be chance" in s.reading and "improvement" in s.reading
    assert "equitykit-reading" in res._repr_html_()


def test_mdc_summary_has_icon_names() -> None:
    v = [20, 21, 19, 22, 20, 21, 19, 20, 22, 21, 20, 19, 21, 20, 22, 21]
    s = quiet(monthly(v), x="month", y="y", rules="mdc", improvement="decrease", target=15).summary()
    assert s["variation"].iloc[0] == "common_cause"
    assert s["assurance"].iloc[0] == "consistent_fail"  # target below the lower limit, lower is better
    assert "Assurance icon: consistent fail" in s.reading


# ----------------------------------------------------------------------------
# the chart
# ----------------------------------------------------------------------------

def _layers(spec: dict) -> list[dict]:
    return spec["spec"]["layer"] if "spec" in spec else spec["layer"]


def _values(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_chart_spec_is_valid_and_carries_only_points() -> None:
    rows = pd.DataFrame({"date": np.repeat(pd.date_range("2023-01-01", periods=24, freq="MS"), 40),
                         "fell": np.random.default_rng(1).integers(0, 2, 960)})
    notes = pd.DataFrame({"x": ["2023-06-01", "2024-01-01"], "label": ["PDSA 1: huddle", "PDSA 2: alarms"],
                          "detail": ["", ""]})
    res = quiet(rows, x="date", y="fell", chart="c", improvement="decrease", target=15,
                phase=["2023-09-01"], annotations=notes)
    spec = res.chart().to_dict(validate=True)
    values = _values(spec)
    points = [v for v in values if v["layer"] == "point"]
    assert len(points) == 24 and len(values) == 24 + 2 + 1  # points, annotations, one phase break
    labels = {v.get("label") for v in values}
    assert {"PDSA 1: huddle", "PDSA 2: alarms", "Phase 2"} <= labels
    colours = {str(layer["mark"].get("color")) for layer in _layers(spec)}
    assert PALETTE["target"] in colours and PALETTE["annotation"] in colours


def test_p_chart_limits_are_stepped_and_signals_coloured() -> None:
    y = [5, 6, 5, 7, 6, 5, 6, 5, 30, 6, 5, 6]
    n = [50, 40, 55, 60, 45, 50, 52, 48, 50, 44, 58, 50]
    spec = quiet(monthly(y, n), x="month", y="y", n="n", chart="p", multiply=1).chart().to_dict()
    lines = [layer for layer in _layers(spec) if layer["mark"]["type"] == "line"]
    assert any(layer["mark"].get("interpolate") == "step" for layer in lines)
    point = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "point")
    scale = point["encoding"]["color"]["scale"]
    assert PALETTE["signal"] in scale["range"]


def test_by_chart_is_faceted_with_annotations_in_each_group() -> None:
    d = pd.concat([monthly([3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4]).assign(team=t) for t in ("red", "blue")])
    spec = quiet(d, x="month", y="y", chart="c", by="team", annotations=[("2022-06-01", "PDSA 1")]).chart()
    spec = spec.to_dict(validate=True)
    assert spec["facet"]["row"]["field"] == "group"
    assert sum(v.get("label") == "PDSA 1" for v in _values(spec)) == 2


# ----------------------------------------------------------------------------
# invariants (hypothesis)
# ----------------------------------------------------------------------------

counts = st.lists(st.integers(0, 50), min_size=3, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_p_limits_within_0_1(data) -> None:
    n = data.draw(st.lists(st.integers(1, 80), min_size=3, max_size=30))
    y = [data.draw(st.integers(0, k)) for k in n]
    for chart in ("p", "pp"):
        t = quiet(monthly(y, n), x="month", y="y", n="n", chart=chart, multiply=1).table
        for c in ("lcl", "ucl", "lcl_95", "ucl_95"):
            v = t[c].dropna()
            assert ((v >= 0) & (v <= 1)).all()


@settings(max_examples=40, deadline=None)
@given(y=counts)
def test_count_limits_not_negative(y) -> None:
    for chart in ("c", "g"):
        t = quiet(monthly(y), x="month", y="y", chart=chart).table
        assert (t["lcl"].dropna() >= 0).all()
    t = quiet(monthly(y, [v + 3 for v in y]), x="month", y="y", n="n", chart="u", multiply=1).table
    assert (t["lcl"].dropna() >= 0).all()


@settings(max_examples=30, deadline=None)
@given(y=counts, seed=st.integers(0, 10_000), chart=st.sampled_from(["run", "i", "c", "p", "mr"]))
def test_row_order_does_not_change_results(y, seed, chart) -> None:
    d = monthly(y, [v + 5 for v in y])
    kw = {"n": "n"} if chart == "p" else {}
    a = quiet(d, x="month", y="y", chart=chart, **kw)
    shuffled = d.sample(frac=1, random_state=seed)
    before = shuffled.copy()
    b = quiet(shuffled, x="month", y="y", chart=chart, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(pd.DataFrame(a.summary()), pd.DataFrame(b.summary()))
    pd.testing.assert_frame_equal(shuffled, before)  # caller's data unchanged


# ----------------------------------------------------------------------------
# textbook examples (D. C. Montgomery, Introduction to Statistical Quality Control;
# data from tests/realdata/montgomery, figures as printed in the book)
# ----------------------------------------------------------------------------

MONT = __import__("pathlib").Path(__file__).parent / "realdata" / "montgomery"


def test_montgomery_example_6_3_xbar_and_s() -> None:
    d = pd.read_csv(MONT / "tbl_06.03.csv")
    xb = quiet(d, x="sample", y="obs", chart="xbar").summary().iloc[0]
    # the book rounds s-bar to 0.0094 before multiplying by A3 = 1.427
    assert (xb["cl"], xb["lcl"], xb["ucl"]) == pytest.approx((74.001, 73.988, 74.014), abs=1e-3)
    s = quiet(d, x="sample", y="obs", chart="s").summary().iloc[0]
    assert (round(s["cl"], 4), s["lcl"], round(s["ucl"], 4)) == (0.0094, 0.0, 0.0196)


def test_montgomery_example_7_1_p_chart_with_revised_limits() -> None:
    d = pd.read_csv(MONT / "tbl_07.03.csv")
    p1 = d[d["phase"] == 1]
    s = quiet(p1, x="sample", y="count", n="size", chart="p", multiply=1).summary().iloc[0]
    assert (round(s["cl"], 4), round(s["lcl"], 4), round(s["ucl"], 4)) == (0.2313, 0.0524, 0.4102)
    # samples 15 and 23 have assignable causes: dropped from the limits, kept on the chart
    r = quiet(p1, x="sample", y="count", n="size", chart="p", multiply=1, exclude=[15, 23])
    s = r.summary().iloc[0]
    assert (round(s["cl"], 4), round(s["lcl"], 4), round(s["ucl"], 4)) == (0.2150, 0.0407, 0.3893)
    assert len(r.table) == 30


def test_montgomery_example_7_3_c_chart() -> None:
    d = pd.read_csv(MONT / "tbl_07.08.csv")
    s = quiet(d[d["phase"] == 1], x="sample", y="count", chart="c").summary().iloc[0]
    assert (round(s["cl"], 2), round(s["lcl"], 2), round(s["ucl"], 2)) == (19.85, 6.48, 33.21)
    s = quiet(d[d["phase"] == 1], x="sample", y="count", chart="c", exclude=[6, 20]).summary().iloc[0]
    assert (round(s["cl"], 2), round(s["lcl"], 2), round(s["ucl"], 2)) == (19.67, 6.36, 32.97)


def test_periods_and_python_dates_are_read_as_dates() -> None:
    import datetime as dt

    d = pd.DataFrame({"m": pd.period_range("2024-01", periods=3, freq="M"), "y": [1, 2, 3]})
    assert quiet(d, x="m", y="y", chart="c").table["x"].iloc[0] == pd.Timestamp("2024-01-01")
    d2 = pd.DataFrame({"m": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "y": [1, 2]})
    assert quiet(d2, x="m", y="y", chart="c").table["x"].iloc[1] == pd.Timestamp("2024-02-01")


def test_spc_never_changes_the_callers_data() -> None:
    d = monthly([3, 4, np.nan, 5, 3, 4, 2, 5, 3, 4, 2, 5], [10] * 12)
    d["phase"] = ["a"] * 6 + ["b"] * 6
    before = d.copy()
    quiet(d, x="month", y="y", n="n", chart="p", multiply=1, phase="phase", exclude=[d["month"][3]]).chart().to_dict()
    pd.testing.assert_frame_equal(d, before)


# ----------------------------------------------------------------------------
# odd inputs a QI team brings (acceptance review regressions)
# ----------------------------------------------------------------------------

def _c_table(frame, **kw):
    return quiet(frame, x="month", y="y", chart="c", **kw)


def test_day_first_and_month_name_text_is_read_as_dates() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9])
    expected = d["month"].tolist()
    for fmt in ("%d/%m/%Y", "%b-%y", "%B %Y", "%Y-%m"):
        res = _c_table(d.assign(month=d["month"].dt.strftime(fmt)))
        assert res.options["kind"] == "date", fmt
        assert res.table["x"].tolist() == expected, fmt
    # 01/02/2022 is 1 February (day first, as in the UK), and exclude reads it the same way
    res = _c_table(d.assign(month=d["month"].dt.strftime("%d/%m/%Y")), exclude=["01/02/2022"])
    assert res.table.loc[res.table["excluded"], "x"].tolist() == [pd.Timestamp("2022-02-01")]


def test_numbers_written_as_text_are_numbers() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9]).assign(month=[str(i) for i in range(12, 0, -1)])
    res = _c_table(d)
    assert res.options["kind"] == "number"
    assert res.table["x"].tolist() == list(range(1, 13))


def test_mostly_dates_with_a_stray_word_is_an_error_naming_the_row() -> None:
    d = monthly([3, 5, 2, 4, 6, 3])
    d["month"] = d["month"].dt.strftime("%Y-%m-%d").where(d.index != 4, "tbc")
    with pytest.raises(EquityKitError, match=r"column 'month' holds dates.*row 4: 'tbc'"):
        ek.spc(d, x="month", y="y", chart="c")


def test_time_zone_dates_keep_their_local_day() -> None:
    d = monthly(list(range(1, 13)))
    local = d.assign(month=d["month"].dt.tz_localize("Europe/London"))
    res = _c_table(local, exclude=[pd.Timestamp("2022-06-01", tz="Europe/London")],
                   annotations=[(pd.Timestamp("2022-07-01", tz="Europe/London"), "PDSA 1")])
    assert res.table["x"].tolist() == d["month"].tolist()  # 1 June BST is not 31 May 23:00
    assert res.table.loc[res.table["excluded"], "x"].tolist() == [pd.Timestamp("2022-06-01")]
    res.chart().to_dict()
    assert str(local["month"].dt.tz) == "Europe/London"  # the caller's column is untouched


def test_excel_blank_cells_are_missing_not_text() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9]).astype({"y": object})
    d.loc[3, "y"] = "  "
    with pytest.warns(ek.SPCWarning, match="1 row\\(s\\) have no value in 'y'"):
        res = ek.spc(d, x="month", y="y", chart="c")
    assert np.isnan(res.table["value"].iloc[3])
    assert res.table["cl"].iloc[0] == pytest.approx((50 - 4) / 11)  # the blank month is left out


def test_multiply_must_be_positive() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9])
    for bad in (0, -100, float("nan")):
        with pytest.raises(EquityKitError, match=r"multiply=\S+ should be a positive number"):
            ek.spc(d, x="month", y="y", chart="c", multiply=bad)


def test_x_and_y_must_differ() -> None:
    d = monthly([3, 5, 2, 4, 6, 3])
    with pytest.raises(EquityKitError, match="should be different columns"):
        ek.spc(d, x="y", y="y", chart="c")


@pytest.mark.parametrize("name", ["x", "value", "phase", "cl"])
def test_by_column_with_a_result_column_name_is_refused(name) -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2]).assign(team=list("ABABABAB")).rename(columns={"team": name})
    with pytest.raises(EquityKitError, match=f"by= column '{name}' has the name of a column"):
        ek.spc(d, x="month", y="y", chart="c", by=name)


def test_phase_column_with_blanks_is_an_error() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2]).assign(stage=["before"] * 4 + [None] * 4)
    with pytest.raises(EquityKitError, match=r"column 'stage' \(phase=\) has empty cells, e\.g\. row 4"):
        ek.spc(d, x="month", y="y", chart="c", phase="stage")


def test_freeze_beyond_the_series_warns() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9, 4, 5])
    with pytest.warns(ek.SPCWarning, match="freeze=50 but the chart has only 14 point"):
        res = ek.spc(d, x="month", y="y", chart="c", freeze=50)
    assert res.table["cl"].iloc[0] == pytest.approx(d["y"].mean())


def test_exclude_value_not_on_the_axis_warns() -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9, 4, 5])
    with pytest.warns(ek.SPCWarning, match=r"not on the x axis.*'2030-01-01'"):
        res = ek.spc(d, x="month", y="y", chart="c", exclude=["2030-01-01", "2022-03-01"])
    assert res.table["excluded"].sum() == 1


def test_tuple_column_names_chart() -> None:
    d = pd.concat({"ward": monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9])}, axis=1)
    spec = quiet(d, x=("ward", "month"), y=("ward", "y"), chart="c").chart().to_dict()
    assert "ward" in str(spec["title"])


def test_screen_mr_must_be_true_or_false() -> None:
    with pytest.raises(EquityKitError, match="screen_mr should be True or False"):
        ek.spc(monthly([3, 5, 2, 4, 6, 3]), x="month", y="y", chart="i", screen_mr="no")


def test_infinite_x_is_an_error() -> None:
    d = monthly([3, 5, 2, 4, 6, 3]).assign(month=[1, 2, np.inf, 4, 5, 6])
    with pytest.raises(EquityKitError, match="column 'month' has infinite values, e.g. row 2"):
        ek.spc(d, x="month", y="y", chart="c")


def test_long_text_date_columns_are_parsed_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # Speed is measured in benchmarks/, not here: this pins the reason it is fast (one parse per distinct text).
    from equitykit import periods

    parsed: list[int] = []
    real = periods._parse_text

    def counting(texts: list[str], zones: set[str]) -> np.ndarray:
        parsed.append(len(texts))
        return real(texts, zones)

    monkeypatch.setattr(periods, "_parse_text", counting)
    months = pd.date_range("2000-01-01", periods=60, freq="MS")
    d = pd.DataFrame({"month": np.tile(months.strftime("%d/%m/%Y"), 2000), "team": np.repeat(np.arange(2000), 60),
                      "y": np.tile(np.arange(60) % 7, 2000)})
    res = quiet(d, x="month", y="y", chart="c", by="team")
    assert parsed and max(parsed) <= 60 and sum(parsed) <= 2 * 60  # 120,000 rows, 60 distinct texts
    assert res.table["x"].iloc[:60].tolist() == list(months)


def test_target_in_the_wrong_units_warns() -> None:
    d = monthly([80, 82, 85, 81, 84, 83, 86, 82, 85, 84, 83, 85], n=[100] * 12)
    with pytest.warns(ek.SPCWarning, match=r"target 0.95 looks like a proportion.*e\.g\. 95"):
        ek.spc(d, x="month", y="y", n="n", chart="p", multiply=100, target=0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ek.SPCWarning)
        ek.spc(d, x="month", y="y", n="n", chart="p", multiply=100, target=95)
        ek.spc(d, x="month", y="y", n="n", chart="p", multiply=1, target=0.95)


def test_x_mixing_numbers_and_numbers_as_text_is_numeric() -> None:
    d = monthly([3, 5, 2, 4, 6, 3]).assign(month=pd.Series([1, "2", 3.0, " 4", 5, "6"], dtype=object))
    res = _c_table(d)
    assert res.options["kind"] == "number" and res.table["x"].tolist() == [1, 2, 3, 4, 5, 6]


def test_crowded_annotations_are_numbered_staggered_and_listed_once() -> None:
    ward = ek.load_dataset("ward_incidents")
    notes = ek.PDSALog.from_csv(Path(__file__).parent.parent / "data" / "pdsa_log.csv").annotations()
    res = quiet(ward, x="fortnight_start", y="incidents", chart="c", phase="phase", improvement="decrease",
                annotations=notes)
    spec = res.chart().to_dict(validate=True)
    rows = [v for v in _values(spec) if v["layer"] == "annotation"]
    assert len(rows) == len(notes) and sorted(int(v["num"]) for v in rows) == list(range(1, len(notes) + 1))
    assert sorted(v["label"] for v in rows) == sorted(notes["label"])
    # the number markers never sit on top of each other
    assert len({(v["x"], v["ypos"]) for v in rows}) == len(rows)
    # the key: each annotation once, in full words, at its own place below the chart
    key = [layer for layer in spec["layer"] if "value" in layer["encoding"].get("y", {})
           and not layer["mark"].get("fontWeight")]
    texts = [layer["encoding"]["text"]["value"] for layer in key]
    assert len(texts) == len(notes) and all(any(lab in t for t in texts) for lab in notes["label"])
    places = {(layer["encoding"]["x"]["value"], layer["encoding"]["y"]["value"]) for layer in key}
    assert len(places) == len(key) and min(y for _, y in places) > spec["height"]
    # dates carry the year; titles are words; a count axis never goes below zero
    x_enc = spec["layer"][0]["encoding"]["x"]
    assert "%Y" in x_enc["axis"]["format"] and x_enc["title"] == "fortnight start"
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domainMin"] == 0
    assert all(v["ypos"] >= 0 for v in _values(spec) if "ypos" in v)
    sub = spec["title"]["subtitle"][0]
    assert sub.startswith("3 phases") and "no signals" in sub and len(sub) <= 640 / 6.9


def test_faceted_chart_lists_annotations_in_the_subtitle() -> None:
    d = pd.concat([monthly([3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4]).assign(team=t) for t in ("red", "blue")])
    spec = quiet(d, x="month", y="y", chart="c", by="team",
                 annotations=[("2022-06-01", "PDSA 1"), ("2022-06-01", "PDSA 2")]).chart().to_dict()
    assert any("1 1 Jun 2022: PDSA 1" in line for line in spec["title"]["subtitle"][1:])
    rows = [v for v in _values(spec) if v["layer"] == "annotation" and v["group"] == "red"]
    assert len({(v["x"], v["ypos"]) for v in rows}) == 2


def test_subtitle_of_one_phase_names_signals_and_rate_axis_keeps_its_range() -> None:
    y = [50, 52, 51, 49, 50, 53, 51, 50, 49, 52, 51, 90]
    res = quiet(monthly(y, [100] * 12), x="month", y="y", n="n", chart="p", multiply=100, improvement="increase")
    spec = res.chart().to_dict()
    sub = spec["title"]["subtitle"][0]
    assert sub.startswith("Mean ") and "1 point outside the limits" in sub and sub.endswith("(improvement)")
    # a rate far from zero keeps a readable axis rather than being squashed down to 0
    assert spec["layer"][0]["encoding"]["y"]["scale"].get("domainMin", 1) > 0


@pytest.mark.parametrize("role", ["x", "y", "n"])
def test_by_the_same_column_as_x_y_or_n_is_a_clear_error(role) -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9], [20] * 12)
    col = {"x": "month", "y": "y", "n": "n"}[role]
    with pytest.raises(EquityKitError, match=rf"by='{col}' is also {role} "):
        ek.spc(d, x="month", y="y", n="n", chart="p", by=col)


@pytest.mark.parametrize("said, chart", [("P chart", "p"), ("p-chart", "p"), ("XmR", "i"), ("Laney P'", "pp"),
                                         ("U' chart", "up"), ("run chart", "run"), ("C", "c")])
def test_charts_named_as_people_name_them(said: str, chart: str) -> None:
    d = monthly([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9], [20] * 12)
    n = "n" if chart in ("p", "pp", "up") else None
    assert quiet(d, x="month", y="y", n=n, chart=said).options["chart"] == chart
    assert quiet(d, x="month", y="y", chart="i", rules="Making Data Count").options["rules"] == "mdc"
