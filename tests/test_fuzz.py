"""Property tests: any frame a team might bring gives a result or a clear EquityKitError.

Hypothesis builds small frames of awkward shapes (duplicate index labels,
duplicate or integer column names, empty frames, all-missing groups, zero
denominators, a time column named ``period``, time zones, Excel serial numbers
mixed with text dates, month labels, numbers as text) and runs ``read_data``,
``disaggregate``, every ``spc`` chart type and ``equity_lens`` on them. Nothing
but EquityKitError (or a warning) may escape, and the caller's frame is never
changed, index and dtypes included.

``make test`` runs a few hundred frames; ``make fuzz`` runs thousands
(``EQUITYKIT_FUZZ=thorough`` selects that hypothesis profile).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import equitykit as ek
from equitykit import EquityKitError

settings.register_profile("default", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("EQUITYKIT_FUZZ", "default"))

TIME_VALUES = st.one_of(
    st.sampled_from(["2024-01-01", "2024-02-01", "2024-03", "01/04/2024", "13/05/2024", "Jun-24", "July 2024",
                     "aug-2024", "2024-09-01T00:00:00+01:00", "2024-10-01T00:00:00Z", "not a date", "", "  ",
                     "04/13/2024", "0024-01-01", "1", "2", "3.5"]),
    st.integers(min_value=-3, max_value=60_000),
    st.sampled_from([45292, 45323, 45352]),  # Excel serials for Jan-Mar 2024
    st.datetimes(min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2024, 12, 31)),
    st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2024, 12, 31)),
    st.none(),
    st.just(float("nan")),
    st.just(float("inf")),
)
GROUPS = st.one_of(st.sampled_from(["A", "B", "C", "Most deprived", "Least deprived"]), st.none(),
                   st.integers(1, 3), st.just(True))
COUNTS = st.one_of(st.integers(min_value=-1, max_value=40), st.none(), st.just(float("nan")), st.just(2.5),
                   st.sampled_from(["3", "x", " "]))


@st.composite
def frames(draw):
    rows = draw(st.integers(min_value=0, max_value=14))
    uniform_time = draw(st.booleans())
    if uniform_time:
        kind = draw(st.sampled_from(["dates", "months", "numbers", "labels", "tz", "uk"]))
        base = {
            "dates": [pd.Timestamp("2024-01-01") + pd.DateOffset(months=i) for i in range(rows)],
            "months": [f"2024-{i % 12 + 1:02d}" for i in range(rows)],
            "numbers": list(range(1, rows + 1)),
            "labels": [f"{m}-24" for m in ["Jan", "Feb", "Mar", "Apr", "May", "Jun"] * 3][:rows],
            "tz": list(pd.date_range("2024-01-01", periods=rows, freq="MS", tz="Europe/London")),
            "uk": [f"01/{i % 12 + 1:02d}/2024" for i in range(rows)],
        }[kind]
        time = base
    else:
        time = draw(st.lists(TIME_VALUES, min_size=rows, max_size=rows))
    group = draw(st.lists(GROUPS, min_size=rows, max_size=rows))
    y = draw(st.lists(COUNTS, min_size=rows, max_size=rows))
    n = draw(st.lists(st.one_of(st.integers(0, 60), st.none()), min_size=rows, max_size=rows))
    if draw(st.booleans()):
        y = [v if isinstance(v, int) and v >= 0 else 1 for v in y]
        n = [max(v or 0, a) for v, a in zip(n, y)]
    if draw(st.booleans()):
        n = [0] * rows  # every denominator zero
    time_name = draw(st.sampled_from(["month", "period", 0, "x", "gap"]))
    group_name = draw(st.sampled_from(["group", 1, "phase", "period_group"]))
    frame = pd.DataFrame({"__t": pd.Series(time, dtype=object) if not uniform_time else time,
                          "__g": pd.Series(group, dtype=object), "y": pd.Series(y, dtype=object),
                          "n": pd.Series(n, dtype=object)})
    if draw(st.booleans()):
        frame = frame.infer_objects()
    dtypes = draw(st.sampled_from([None, "nullable", "string", "category"]))
    if dtypes == "nullable":  # pandas' own missing value, pd.NA
        for col in ("y", "n"):
            numbers = pd.to_numeric(frame[col], errors="coerce")
            if numbers.dropna().mod(1).eq(0).all():
                frame[col] = numbers.astype("Int64")
    elif dtypes == "string":
        frame = frame.astype({"__g": "string"})
    elif dtypes == "category":
        frame = frame.astype({"__g": "category"})
    if rows and draw(st.booleans()):
        frame.index = draw(st.lists(st.integers(0, 3), min_size=rows, max_size=rows))  # duplicate labels
    columns = [time_name, group_name, "y", "n"]
    if draw(st.integers(0, 6)) == 6:
        columns[1] = "y"  # a duplicate column name
    frame.columns = columns
    return frame, time_name, group_name


def _deep(frame: pd.DataFrame) -> pd.DataFrame:
    return copy.deepcopy(frame)


def _unchanged(frame: pd.DataFrame, before: pd.DataFrame) -> None:
    assert list(frame.columns) == list(before.columns)
    assert frame.index.equals(before.index) and frame.index.dtype == before.index.dtype
    assert frame.dtypes.astype(str).tolist() == before.dtypes.astype(str).tolist()
    for i in range(frame.shape[1]):
        a, b = frame.iloc[:, i], before.iloc[:, i]
        assert a.isna().tolist() == b.isna().tolist()
        assert [repr(v) for v in a[a.notna()]] == [repr(v) for v in b[b.notna()]]


def _only_kit_errors(call) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except EquityKitError:
            pass


CHART_TYPES = sorted(ek.CHARTS)


@given(frames())
def test_read_data_gives_a_table_or_a_kit_error(drawn) -> None:
    frame, t, g = drawn
    before = _deep(frame)
    _only_kit_errors(lambda: ek.read_data(frame, dates=t, counts="y", numerators={"y": "n"}))
    _only_kit_errors(lambda: ek.read_data(frame, columns=[t, g], numeric="y"))
    _unchanged(frame, before)


@given(frames(), st.sampled_from(["overall", "best", "A", 1, "Z"]), st.sampled_from(["increase", "decrease"]))
def test_disaggregate_gives_a_result_or_a_kit_error(drawn, reference, improvement) -> None:
    frame, t, g = drawn
    before = _deep(frame)
    _only_kit_errors(lambda: ek.disaggregate(frame, outcome="y", by=g, n="n", reference=reference,
                                             improvement=improvement).summary())
    _only_kit_errors(lambda: ek.disaggregate(frame, outcome="y", by=g, suppress=True).chart())
    _unchanged(frame, before)


SPC_OPTIONS = st.fixed_dictionaries({}, optional={
    "freeze": st.integers(1, 14), "exclude": st.sampled_from([2, "2024-02-01", ["Mar-24"], "nonsense"]),
    "phase": st.sampled_from([3, "2024-03-01", "group"]), "target": st.sampled_from([0.5, 10, {"A": 1}]),
    "multiply": st.sampled_from([100, 0.5]), "improvement": st.sampled_from(["increase", "decrease"]),
    "annotations": st.sampled_from([[("2024-02-01", "PDSA 1")], [(3, "PDSA 2")]]),
})


@given(frames(), st.sampled_from(CHART_TYPES), st.sampled_from([None, "anhoej", "ihi", "mdc", "bestbox"]),
       st.booleans(), SPC_OPTIONS)
def test_every_spc_chart_gives_a_result_or_a_kit_error(drawn, chart, rules, grouped, options) -> None:
    frame, t, g = drawn
    before = _deep(frame)
    kw = {"chart": chart, **options}
    if kw.get("phase") == "group":
        kw["phase"] = g
    if rules:
        kw["rules"] = rules
    if chart in ("u", "p", "pp", "up"):
        kw["n"] = "n"
    if grouped:
        kw["by"] = g

    def run() -> None:
        res = ek.spc(frame, x=t, y="y", **kw)
        res.summary()
        res.chart().to_dict()

    _only_kit_errors(run)
    _unchanged(frame, before)


@given(frames(), st.sampled_from([3, "2024-03-01", "Apr-24", "period", 13.0, None]),
       st.sampled_from([None, ("A", "B"), ("B", "A")]), st.sampled_from(["increase", "decrease"]))
def test_equity_lens_gives_a_verdict_or_a_kit_error(drawn, change, groups, improvement) -> None:
    frame, t, g = drawn
    before = _deep(frame)

    def run() -> None:
        lens = ek.equity_lens(frame, x=t, outcome="y", by=g, n="n", change=change, groups=groups,
                              improvement=improvement)
        lens.summary()
        lens.chart().to_dict()

    _only_kit_errors(run)
    _unchanged(frame, before)


@pytest.mark.parametrize("chart", CHART_TYPES)
def test_an_empty_frame_with_the_columns_is_a_kit_error(chart) -> None:
    empty = pd.DataFrame({"month": [], "y": [], "n": []})
    with pytest.raises(EquityKitError, match="no rows"):
        ek.spc(empty, x="month", y="y", n="n" if chart in ("u", "p", "pp", "up") else None, chart=chart)


# ----------------------------------------------------------------------------
# the shapes the issue names, each with the answer it should get
# ----------------------------------------------------------------------------

def _two_groups(months: int = 24) -> pd.DataFrame:
    rows = []
    for m in range(1, months + 1):
        rows += [{"month": m, "group": "A", "yes": 60, "n": 100},
                 {"month": m, "group": "B", "yes": 50 if m <= months // 2 else 59, "n": 100}]
    return pd.DataFrame(rows)


def test_duplicate_index_labels_with_y_above_n_name_the_row() -> None:
    d = _two_groups().set_axis([0, 1] * 24)
    d.iloc[5, d.columns.get_loc("yes")] = 120
    before = _deep(d)
    for call in (lambda: ek.spc(d, x="month", y="yes", n="n", chart="p"),
                 lambda: ek.read_data(d, numerators={"yes": "n"}),
                 lambda: ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase"),
                 lambda: ek.disaggregate(d, outcome="yes", by="group", n="n")):
        with pytest.raises(EquityKitError, match=r"'yes' is larger than 'n'.*row 1: 120 > 100"):
            call()
    _unchanged(d, before)


def test_duplicate_index_labels_give_the_same_answers_as_unique_ones() -> None:
    d = _two_groups()
    dup = d.set_axis([7] * len(d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ek.equity_lens(dup, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase").verdict == \
            ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase").verdict == "narrowed"
        pd.testing.assert_frame_equal(ek.spc(dup, x="month", y="yes", n="n", chart="p").table,
                                      ek.spc(d, x="month", y="yes", n="n", chart="p").table)
        pd.testing.assert_frame_equal(ek.disaggregate(dup, outcome="yes", by="group", n="n").table,
                                      ek.disaggregate(d, outcome="yes", by="group", n="n").table)


def test_duplicate_column_names_are_a_kit_error_naming_them() -> None:
    d = _two_groups()
    d.columns = ["month", "group", "yes", "yes"]
    for call in (lambda: ek.spc(d, x="month", y="yes"), lambda: ek.read_data(d, dates="month"),
                 lambda: ek.disaggregate(d, outcome="yes", by="group"),
                 lambda: ek.equity_lens(d, x="month", outcome="yes", by="group", change=13, improvement="increase")):
        with pytest.raises(EquityKitError, match="2 columns named 'yes'"):
            call()


def test_integer_column_names_work() -> None:
    d = _two_groups()
    d.columns = [0, 1, 2, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(ek.spc(d, x=0, y=2, n=3, chart="p", by=1).table) == 48
        assert ek.equity_lens(d, x=0, outcome=2, by=1, n=3, change=13, improvement="increase").verdict == "narrowed"
        assert len(ek.disaggregate(d, outcome=2, by=1, n=3).table) >= 2
        assert ek.read_data(d, counts=[2, 3])[2].dtype == "int64"


def test_a_time_column_named_period_or_gap() -> None:
    for name in ("period", "gap", "x"):
        d = _two_groups().rename(columns={"month": name})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lens = ek.equity_lens(d, x=name, outcome="yes", by="group", n="n", change=13, improvement="increase")
        assert lens.verdict == "narrowed"
        lens.chart().to_dict()


def test_numeric_periods_with_a_date_for_change_and_dates_with_a_number() -> None:
    d = _two_groups()
    with pytest.raises(EquityKitError, match=r"change='2024-01-01' is not a period number.*change=13"):
        ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change="2024-01-01", improvement="increase")
    dated = d.assign(month=pd.Timestamp("2023-01-01") + pd.to_timedelta((d["month"] - 1) * 31, unit="D"))
    with pytest.raises(EquityKitError, match=r"change=13 is a number, but 'month' holds dates"):
        ek.equity_lens(dated, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")


def test_a_group_column_all_missing_and_every_baseline_denominator_zero() -> None:
    d = _two_groups().assign(group=None)
    with pytest.raises(EquityKitError, match="only one group"):
        ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")
    with pytest.raises(EquityKitError, match="empty cells"):
        ek.spc(d, x="month", y="yes", n="n", chart="p", by="group")
    ek.disaggregate(d, outcome="yes", by="group", n="n")  # one group, 'Not recorded': a table all the same
    zero = _two_groups()
    zero.loc[zero["month"] <= 12, ["yes", "n"]] = 0
    with pytest.raises(EquityKitError, match="no one counted before the change|fewer than two groups"):
        ek.equity_lens(zero, x="month", outcome="yes", by="group", n="n", change=13, improvement="increase")
    with pytest.raises(EquityKitError, match="group 'A' of column 'group' has no one counted before the change"):
        ek.equity_lens(zero, x="month", outcome="yes", by="group", n="n", change=13, groups=("A", "B"), improvement="increase")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ek.spc(zero, x="month", y="yes", n="n", chart="p")
    assert res.table["value"].iloc[:12].isna().all()


def test_mixed_time_zones_in_every_entry_point() -> None:
    d = _two_groups(12)
    d["month"] = [f"2024-{m:02d}-01T00:00:00{'+01:00' if m % 2 else 'Z'}" for m in d["month"]]
    with pytest.warns(ek.EquityKitWarning, match="time zones"):
        assert ek.read_data(d, dates="month")["month"].dt.day.eq(1).all()
    with pytest.warns(ek.EquityKitWarning, match="time zones"):
        ek.spc(d, x="month", y="yes", n="n", chart="p")
    with pytest.warns(ek.EquityKitWarning, match="time zones"):
        ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change="2024-07-01", improvement="increase")


# --- files as teams save them: title lines, ragged rows, stray quotes, other encodings ----------------

_CELLS = ["Month", "Total", "Apr-24", "2024M04", "202404", "1,234", "*", "", " ", "x", "£5", '"a,b"', "01/04/2024",
          "NaN", "-", "Report title", "0", "3.5", "é", ";", '"', "All"]


@settings(max_examples=max(400, settings.default.max_examples),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(_CELLS), max_size=5), max_size=8),
       encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]), suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
       ask=st.sampled_from([{}, {"dates": "Month"}, {"counts": "Total"}, {"numeric": "Month"}]))
def test_any_small_text_file_reads_or_says_what_is_wrong(tmp_path, rows, encoding, suffix, ask) -> None:
    path = tmp_path / f"team{suffix}"
    path.write_bytes("\n".join(",".join(r) for r in rows).encode(encoding, errors="replace"))
    before = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ek.read_data(path, **ask)
        except EquityKitError:
            pass
    assert path.read_bytes() == before  # the team's file is never changed
