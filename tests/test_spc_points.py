"""equitykit.spc_points: the steps of spc() from the caller's rows to points, phases, baseline and exclusions.

Each step is called as spc() calls it, on small frames whose answers are
worked out by hand here; the last tests check that every warning a step gives
names the line that called ``ek.spc``, not a line inside the kit.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit.periods import infer_frequency
from equitykit.spc_points import (
    differing_column,
    mark_baseline,
    mark_excluded,
    missing_points,
    one_point_per_x,
    sorted_rows,
    split_phases,
)


def _steps(d: pd.DataFrame, *, x: str = "month", y: str = "y", n: str | None = None, chart: str = "c",
           by_cols: list | None = None):
    by_cols = by_cols or []
    rows = sorted_rows(d, x=x, y=y, n=n, chart=chart, by_cols=by_cols)
    points = one_point_per_x(d, rows, x=x, y=y, n=n, chart=chart, rules="anhoej", by_cols=by_cols)
    return rows, points


def test_rows_are_sorted_by_group_then_x_and_rows_without_x_are_left_out_with_a_warning() -> None:
    d = pd.DataFrame({"ward": ["B", "A", "B", "A", "A"],
                      "month": ["2024-02-01", "2024-02-01", "2024-01-01", None, "2024-01-01"],
                      "y": [5, 3, 4, 9, 2]})
    with pytest.warns(ek.SPCWarning, match=r"1 row\(s\) have no value in 'month' and were left out, e.g. row 3"):
        rows = sorted_rows(d, x="month", y="y", n=None, chart="c", by_cols=["ward"])
    assert rows.kind == "date"
    assert rows.rows.tolist() == [4, 1, 2, 0]  # A Jan, A Feb, B Jan, B Feb
    assert rows.group.tolist() == [0, 0, 1, 1]
    assert rows.y.tolist() == [2, 3, 4, 5]


def test_rows_sharing_an_x_become_one_point_sum_mean_and_sd_of_y_and_sum_of_n() -> None:
    d = pd.DataFrame({"month": ["2024-01-01"] * 3 + ["2024-02-01"] * 2,
                      "y": [1.0, 2.0, 6.0, 4.0, 4.0], "n": [10, 10, 20, 5, 15]})
    _, p = _steps(d, n="n", chart="u")
    assert p.pts["y"].tolist() == [9.0, 8.0]
    assert p.pts["mean"].tolist() == [3.0, 4.0]
    assert p.pts["sd"] == pytest.approx([np.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2), 0.0])
    assert p.pts["n"].tolist() == [40.0, 20.0]
    assert p.pts["value"].tolist() == [9 / 40, 8 / 20]
    assert p.point_of_row.tolist() == [0, 0, 0, 1, 1]
    assert p.dup.tolist() == [False, True, True, False, True]


def test_a_run_chart_point_is_the_mean_of_its_rows_and_a_c_chart_point_their_sum() -> None:
    d = pd.DataFrame({"month": ["2024-01-01", "2024-01-01", "2024-02-01"], "y": [2.0, 6.0, 5.0]})
    assert _steps(d, chart="run")[1].pts["value"].tolist() == [4.0, 5.0]
    assert _steps(d, chart="c")[1].pts["value"].tolist() == [8.0, 5.0]


def test_phases_start_at_the_x_values_given_and_restart_in_each_group() -> None:
    months = list(pd.date_range("2024-01-01", periods=4, freq="MS"))
    d = pd.DataFrame({"team": ["A"] * 4 + ["B"] * 4, "month": months * 2, "y": range(8)})
    rows, points = _steps(d, by_cols=["team"])
    ph = split_phases(d, rows, points, phase=["2024-03-01"], phase_col=None)
    assert ph.phase_num.tolist() == [1, 1, 2, 2, 1, 1, 2, 2]
    assert ph.seg.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert ph.nseg == 4 and ph.seg_group.tolist() == [0, 0, 1, 1]
    assert ph.labels is None


def test_phases_from_a_column_change_where_the_label_changes() -> None:
    d = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=5, freq="MS"), "y": range(5),
                      "stage": ["before", "before", "PDSA 1", "PDSA 1", "before"]})
    rows, points = _steps(d)
    ph = split_phases(d, rows, points, phase="stage", phase_col="stage")
    assert ph.phase_num.tolist() == [1, 1, 2, 2, 3]  # going back to a label is a new phase
    assert ph.labels.tolist() == ["before", "before", "PDSA 1", "PDSA 1", "before"]


def test_the_baseline_is_the_first_freeze_points_of_the_first_phase_of_each_group() -> None:
    months = list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    d = pd.DataFrame({"team": ["A"] * 6 + ["B"] * 6, "month": months * 2, "y": range(12)})
    rows, points = _steps(d, by_cols=["team"])
    ph = split_phases(d, rows, points, phase="2024-05-01", phase_col=None)
    base = mark_baseline(3, "anhoej", ph, points, ["team"])
    # per team: months 1-3 frozen, 4 outside the baseline, and the second phase (5-6) uses all its points
    assert base.tolist() == [True, True, True, False, True, True] * 2
    assert mark_baseline(None, "anhoej", ph, points, ["team"]).all()
    with pytest.raises(ek.EquityKitError, match="freeze should be a whole number"):
        mark_baseline(2.5, "anhoej", ph, points, ["team"])
    with pytest.raises(ek.EquityKitError, match="freeze must be at least 12"):
        mark_baseline(6, "mdc", ph, points, ["team"])


def test_excluded_points_are_the_x_values_named_and_unknown_ones_are_warned() -> None:
    d = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=4, freq="MS"), "y": [3, 4, 5, 6]})
    rows, points = _steps(d)
    assert mark_excluded(["2024-02-01"], rows, points, "month").tolist() == [False, True, False, False]
    assert not mark_excluded(None, rows, points, "month").any()
    with pytest.warns(ek.SPCWarning, match=r"exclude names 1 value\(s\) that are not on the x axis.*'2030-01-01'"):
        got = mark_excluded(["2030-01-01", "2024-04-01"], rows, points, "month")
    assert got.tolist() == [False, False, False, True]


def test_the_column_that_differs_between_rows_added_up_is_the_grouping_not_a_row_id() -> None:
    d = pd.DataFrame({"month": np.repeat(pd.date_range("2024-01-01", periods=3, freq="MS"), 2),
                      "sex": ["F", "M"] * 3, "record": range(6), "ward": ["W1"] * 6, "y": [1] * 6})
    rows, points = _steps(d)
    found = differing_column(d, rows.rows, points.point_of_row, points.pts["count"], {"month", "y"})
    assert found == "sex"  # record differs too, but has more distinct values; ward never differs
    assert differing_column(d, rows.rows, points.point_of_row, points.pts["count"], {"month", "y", "sex", "record"}) \
        is None


def test_missing_points_are_the_periods_a_regular_series_skips_in_each_group() -> None:
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    table = pd.DataFrame({"team": ["A"] * 5 + ["B"] * 6,
                          "x": list(months.delete(3)) + list(months)})
    seg = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2])
    got = missing_points(table, ["team"], seg, infer_frequency(table["x"].to_numpy()))
    assert got["team"].tolist() == ["A"]
    assert got["x"].tolist() == [pd.Timestamp("2024-04-01")]
    assert got["segment"].tolist() == [0]  # the segment of the point before the gap


# --- every warning of a step points at the line that called spc() ----------------------------------------------

def _monthly(values: list, **extra) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2022-01-01", periods=len(values), freq="MS"), "y": values, **extra})


_TWELVE = [3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 9]
_CASES = {
    "time zones dropped": (
        lambda: _monthly(_TWELVE).assign(month=lambda f: f["month"].dt.tz_localize("Europe/London")),
        {"chart": "c"}, "time zones"),
    "rows with no x": (lambda: _monthly(_TWELVE).assign(month=lambda f: f["month"].where(f.index != 4)),
                       {"chart": "c"}, "no value in 'month'"),
    "a denominator of 0": (lambda: _monthly(_TWELVE, n=[20] * 11 + [0]), {"chart": "u", "n": "n"}, "denominator"),
    "rows with no y": (lambda: _monthly(_TWELVE).astype({"y": float}).assign(y=lambda f: f["y"].where(f.index != 2)),
                       {"chart": "c"}, "no value in 'y'"),
    "freeze beyond the series": (lambda: _monthly(_TWELVE), {"chart": "c", "freeze": 50}, "freeze=50"),
    "exclude off the axis": (lambda: _monthly(_TWELVE), {"chart": "c", "exclude": "2030-01-01"}, "not on the x axis"),
    "rows added up": (lambda: pd.concat([_monthly(_TWELVE), _monthly(_TWELVE)]), {"chart": "c"}, "2 rows a month"),
    "periods missing": (lambda: _monthly(_TWELVE).drop(index=5), {"chart": "c"}, "No data for 1 month"),
}


@pytest.mark.parametrize("case", list(_CASES))
def test_a_steps_warning_names_the_line_that_called_spc(case: str) -> None:
    make, options, said = _CASES[case]
    data = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        called_at = inspect.currentframe().f_lineno + 1
        ek.spc(data, x="month", y="y", **options)
    ours = [w for w in caught if issubclass(w.category, ek.EquityKitWarning)]
    assert any(said in str(w.message) for w in ours), [str(w.message) for w in ours]
    assert {(w.filename, w.lineno) for w in ours} == {(__file__, called_at)}


def test_a_freeze_given_as_a_date_says_which_number_to_write() -> None:
    d = pd.DataFrame({"m": pd.date_range("2023-01-01", periods=12, freq="MS").strftime("%b-%y"),
                      "y": range(20, 32), "n": [100] * 12})
    for given in ("Jun-23", "2023-06-01", "01/06/2023"):
        with pytest.raises(ek.EquityKitError, match=r"is point 6 of the series, so freeze=6 "):
            ek.spc(d, x="m", y="y", n="n", chart="p", freeze=given)
    with pytest.raises(ek.EquityKitError, match=r"not 'soon'\.$"):
        ek.spc(d, x="m", y="y", n="n", chart="p", freeze="soon")
    whole = ek.spc(d, x="m", y="y", n="n", chart="p", freeze=6.0).table["baseline"]
    assert whole.tolist() == [True] * 6 + [False] * 6


def test_point_numbers_for_dates_say_which_x_to_write() -> None:
    # qicharts2 takes exclude= and part= as point numbers; the kit takes x values and says which ones
    d = pd.DataFrame({"m": pd.date_range("2023-01-01", periods=12, freq="MS").strftime("%b-%y"),
                      "y": range(20, 32), "n": [100] * 12})
    with pytest.raises(ek.EquityKitError, match=r"point 5 is 2023-05-01, so write exclude=\['2023-05-01', '2023-09-01'\]"):
        ek.spc(d, x="m", y="y", n="n", chart="p", exclude=[5, 9])
    with pytest.raises(ek.EquityKitError, match=r"point 7 is 2023-07-01, so write phase='2023-07-01'"):
        ek.spc(d, x="m", y="y", n="n", chart="p", phase=[7])
    with pytest.raises(ek.EquityKitError, match="should be a date"):  # no such point: the plain message
        ek.spc(d, x="m", y="y", n="n", chart="p", exclude=[50])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        done = ek.spc(d, x="m", y="y", n="n", chart="p", exclude="2023-05-01").table["excluded"]
    assert done.tolist() == [False] * 4 + [True] + [False] * 7
