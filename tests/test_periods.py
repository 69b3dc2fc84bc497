"""The one reader of dates and periods (equitykit.periods), and every entry point reading alike.

A table of the formats a team's extract may hold, each with the date a person
reads in it (written out by hand here, not computed by the kit); real .xlsx
files written with openpyxl; and the errors for what cannot be read.
"""
from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import equitykit as ek
from equitykit import EquityKitError
from equitykit.periods import read_dates, read_periods, to_timestamps

APRIL, MAY = pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01")

# (what a cell holds for 1 April 2024, the same for 1 May 2024)
FORMATS = [
    ("2024-04-01", "2024-05-01"),            # ISO date
    ("2024-04", "2024-05"),                  # ISO month
    ("2024/04/01", "2024/05/01"),            # ISO with slashes
    ("01/04/2024", "01/05/2024"),            # UK, day first: 1 April
    ("1/4/2024", "1/5/2024"),
    ("01/04/24", "01/05/24"),
    ("01-04-2024", "01-05-2024"),
    ("01.04.2024", "01.05.2024"),
    ("Apr-24", "May-24"),                    # Excel month labels
    ("apr-24", "MAY-24"),
    ("Apr 2024", "May 2024"),
    ("April 2024", "May 2024"),
    ("apr-2024", "may-2024"),
    ("April-2024", "May-2024"),
    ("Apr 24", "May 24"),
    ("1 April 2024", "1 May 2024"),          # handouts write "4 March 2024"
    ("01-Apr-24", "01-May-24"),
    ("01-Apr-2024", "01-May-2024"),
    ("1 Apr 2024", "1 May 2024"),
    ("Monday 1 April 2024", "Wednesday 1 May 2024"),
    ("04/2024", "05/2024"),
    ("2024-04-01 00:00:00", "2024-05-01 00:00:00"),   # date-times
    ("2024-04-01T00:00", "2024-05-01T00:00"),
    ("01/04/2024 00:00", "01/05/2024 00:00"),
    (" 2024-04-01 ", "2024-05-01"),          # spaces around
    ("2024M04", "2024M05"),                  # ONS and NHS publications' months
    ("2024m4", "2024 M5"),
    ("Apr '24", "May ’24"),                 # slide and report labels
    ("April-24", "May-24"),
    ("1st April 2024", "1st May 2024"),      # as people type them
    ("Apr. 2024", "May 2024"),
    ("Apr. 24", "May 24"),
    ("2024-Apr", "2024-May"),
]


@pytest.mark.parametrize(("april", "may"), FORMATS)
def test_each_format_is_read_as_the_date_a_person_reads(april: str, may: str) -> None:
    got = read_periods(pd.Series([april, may, april]), "month")
    assert got.kind == "date"
    assert got.values.tolist() == [APRIL, MAY, APRIL]


@pytest.mark.parametrize(("april", "may"), FORMATS)
def test_every_entry_point_reads_each_format_alike(april: str, may: str) -> None:
    months = [april, may] * 6
    d = pd.DataFrame({"month": months, "group": ["A"] * 6 + ["B"] * 6, "yes": [5, 6] * 6, "n": [10] * 12})
    assert ek.read_data(d, dates="month")["month"].tolist() == [APRIL, MAY] * 6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.EquityKitWarning)
        res = ek.spc(d, x="month", y="yes", chart="c")
        lens = ek.equity_lens(d, x="month", outcome="yes", by="group", n="n", change=may, improvement="increase")
    assert res.options["kind"] == "date" and res.table["x"].tolist() == [APRIL, MAY]
    assert set(lens.table["x"]) == {APRIL, MAY}
    assert ek.Cycle("1", "idea", start_date=april).start_date == APRIL
    log = pd.DataFrame({"date": [april], "category": ["Verbal aggression"]})
    ek.safety_cross(log, month=april).chart().to_dict()


def test_python_and_pandas_date_objects() -> None:
    values = [dt.date(2024, 4, 1), dt.datetime(2024, 5, 1), pd.Timestamp("2024-04-01"),
              np.datetime64("2024-05-01"), pd.Period("2024-04", "M")]
    assert read_periods(pd.Series(values, dtype=object), "m").values.tolist() == [APRIL, MAY, APRIL, MAY, APRIL]
    assert read_periods(pd.Series(pd.period_range("2024-04", periods=2, freq="M")), "m").values.tolist() \
        == [APRIL, MAY]


def test_plain_numbers_are_period_numbers_and_numbers_as_text_too() -> None:
    got = read_periods(pd.Series([1, 2, 3]), "week")
    assert got.kind == "number" and got.values.tolist() == [1.0, 2.0, 3.0]
    assert read_periods(pd.Series(["3", " 1", "2"]), "week").values.tolist() == [3.0, 1.0, 2.0]
    with pytest.raises(EquityKitError, match="'week' holds numbers, not dates"):
        read_dates(pd.Series([1, 2, 3]), "week")


@pytest.mark.parametrize("months", [[202404, 202405, 202404], ["202404", "202405", "202404"],
                                    [202404.0, 202405.0, 202404.0], [20240401, 20240501, 20240401],
                                    ["20240401", "20240501", "20240401"]])
def test_six_digit_year_months_are_months_with_a_note(months) -> None:
    for read in (lambda s: read_periods(s, "month"), lambda s: read_dates(s, "month")):
        got = read(pd.Series(months))
        assert got.kind == "date" and got.values.tolist() == [APRIL, MAY, APRIL]
        assert got.notes and str(int(float(months[0]))) in got.notes[0] and "April 2024" in got.notes[0]


def test_a_year_of_year_months_is_charted_in_order_with_its_runs() -> None:
    # 202312 -> 202401 is one month, not 89 period numbers: no gap and the run rules apply
    months = [int(m.strftime("%Y%m")) for m in pd.date_range("2023-04-01", periods=24, freq="MS")]
    d = pd.DataFrame({"month": months, "y": list(range(10, 34)), "n": [100] * 24})
    with pytest.warns(ek.SPCWarning, match="months written as 6-digit numbers"):
        res = ek.spc(d, x="month", y="y", n="n", chart="p")
    assert res.options["kind"] == "date" and res.table["run_signal"].any()


@pytest.mark.parametrize("numbers", [[1, 2, 3], [202413, 202401, 202402], [190000, 190001, 190002], [2024, 2025, 2026],
                                     [20240231, 20240301, 20240302], [1, 202404, 202405]])
def test_numbers_that_are_not_all_year_months_stay_period_numbers(numbers) -> None:
    assert read_periods(pd.Series(numbers), "period").kind == "number"


def test_labels_that_look_like_periods_say_runs_are_lost_and_how_to_get_them() -> None:
    quarters = [f"{y} Q{q}" for y in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
    d = pd.DataFrame({"quarter": quarters, "y": range(12), "n": [100] * 12})
    with pytest.warns(ek.SPCWarning, match=r"'quarter' is read as labels, not dates \(e.g. '2022 Q1'\).*2024-04"):
        res = ek.spc(d, x="quarter", y="y", n="n", chart="p")
    assert res.options["kind"] == "category"
    wards = pd.DataFrame({"ward": ["North", "South", "East", "West"], "y": [3, 4, 5, 6]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_periods(wards["ward"], "ward", categories=True).notes == ()


def test_day_first_is_one_rule_for_the_whole_column() -> None:
    # 01/04 and 13/04 are both day first: never 4 January for one and 13 April for the other
    got = read_periods(pd.Series(["01/04/2024", "13/04/2024", "02/05/2024"]), "day").values
    assert got.tolist() == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-04-13"), pd.Timestamp("2024-05-02")]
    # a column that only makes sense month first is an error, not a column read half one way
    with pytest.raises(EquityKitError, match=r"row 1: '04/13/2024'.*month first"):
        read_periods(pd.Series(["04/01/2024", "04/13/2024"]), "day")


def test_time_zones_keep_local_time_with_a_note() -> None:
    mixed = pd.Series(["2024-04-01T00:30:00+01:00", "2024-05-01T00:00:00+00:00", "2024-05-01T09:00:00Z"])
    got = read_periods(mixed, "when")
    assert got.values.dt.normalize().tolist() == [APRIL, MAY, MAY]  # 1 April stays 1 April
    assert got.notes and "time zone" in got.notes[0] and "'when'" in got.notes[0]
    aware = pd.Series(pd.date_range("2024-04-01", periods=2, freq="MS", tz="Europe/London"))
    d = pd.DataFrame({"month": aware, "y": [1, 2]})
    with pytest.warns(ek.EquityKitWarning, match="time zones"):
        out = ek.read_data(d, dates="month")
    assert out["month"].tolist() == [APRIL, MAY] and out["month"].dt.tz is None
    with pytest.warns(ek.SPCWarning, match="time zones"):
        ek.spc(pd.DataFrame({"month": mixed, "y": [1, 2, 3]}), x="month", y="y")


@pytest.mark.parametrize("bad", ["soon", "31/02/2024", "2024-13-01", "Apr", "0024-04-01", "Q5 2024"])
def test_anything_else_is_an_error_naming_column_rows_and_formats(bad: str) -> None:
    d = pd.DataFrame({"month": ["2024-04-01", "2024-05-01", bad]})
    with pytest.raises(EquityKitError) as info:
        ek.read_data(d, dates="month")
    message = str(info.value)
    assert "'month'" in message and f"row 2: {bad!r}" in message
    assert "01/04/2024 is 1 April" in message and "Apr-24" in message  # the formats accepted


def test_month_labels_never_become_the_year_one() -> None:
    d = pd.DataFrame({"month": ["Jan-24", "Feb-24", "Mar-24"], "y": [1, 2, 3]})
    assert ek.read_data(d, dates="month")["month"].dt.year.tolist() == [2024] * 3


def test_single_values_given_as_arguments() -> None:
    assert to_timestamps(["Apr-24", "01/05/2024"], "exclude").tolist() == [APRIL, MAY]
    with pytest.raises(EquityKitError, match="change should be a date"):
        to_timestamps("someday", "change")
    with pytest.raises(EquityKitError, match="not the number 13"):
        to_timestamps(13, "change")


# ----------------------------------------------------------------------------
# real .xlsx files
# ----------------------------------------------------------------------------

def _xlsx(tmp_path, cells: list, number_format: str | None = None, name: str = "team.xlsx"):
    book = Workbook()
    ws = book.active
    ws.append(["month", "screened"])
    for i, cell in enumerate(cells):
        ws.append([cell, 10 + i])
        if number_format and isinstance(cell, (int, float)):
            ws.cell(row=i + 2, column=1).number_format = number_format
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx_date_cells(tmp_path) -> None:
    path = _xlsx(tmp_path, [dt.datetime(2024, 4, 1), dt.datetime(2024, 5, 1)])
    assert ek.read_data(path, dates="month")["month"].tolist() == [APRIL, MAY]


def test_xlsx_text_month_labels(tmp_path) -> None:
    path = _xlsx(tmp_path, ["Apr-24", "May-24"])
    assert ek.read_data(path, dates="month")["month"].tolist() == [APRIL, MAY]


def test_xlsx_serial_numbers_are_excel_dates_with_a_note(tmp_path) -> None:
    # 45383 and 45413 are Excel's day numbers for 1 April and 1 May 2024
    path = _xlsx(tmp_path, [45383, 45413])
    with pytest.warns(ek.EquityKitWarning, match=r"Excel date numbers.*45383 is 1 April 2024"):
        out = ek.read_data(path, dates="month")
    assert out["month"].tolist() == [APRIL, MAY]


def test_xlsx_mixing_text_dates_and_serials_is_read_right_never_1970(tmp_path) -> None:
    path = _xlsx(tmp_path, ["01/04/2024", 45413, dt.datetime(2024, 6, 1)])
    with pytest.warns(ek.EquityKitWarning, match=r"mixes dates with Excel date numbers.*row 3: 45413"):
        out = ek.read_data(path, dates="month")
    assert out["month"].tolist() == [APRIL, MAY, pd.Timestamp("2024-06-01")]
    assert (out["month"].dt.year > 1970).all()


def test_xlsx_mixing_dates_and_small_numbers_is_an_error(tmp_path) -> None:
    path = _xlsx(tmp_path, ["01/04/2024", 7])
    with pytest.raises(EquityKitError, match=r"'month' has 1 value that cannot be read as dates, e\.g\. row 3: 7"):
        ek.read_data(path, dates="month")


def test_a_csv_of_numbers_is_not_read_as_dates(tmp_path) -> None:
    path = tmp_path / "team.csv"
    path.write_text("month,screened\n45383,1\n45413,2\n")
    with pytest.raises(EquityKitError, match="holds numbers, not dates.*look like Excel date numbers"):
        ek.read_data(path, dates="month")


def test_spc_says_when_period_numbers_look_like_excel_dates() -> None:
    serials = (pd.date_range("2024-01-01", periods=12, freq="MS") - pd.Timestamp("1899-12-30")).days
    d = pd.DataFrame({"month": serials, "y": range(12)})
    with pytest.warns(ek.SPCWarning, match=r"look like Excel dates \(45292 is 1 January 2024\)"):
        ek.spc(d, x="month", y="y")
    assert read_periods(pd.Series(range(1, 13)), "week").notes == ()


# (strftime format, what it keeps of the date) for the property test below
ROUND_TRIP = [("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%d/%m/%Y", "day"), ("%d/%m/%y", "day"),
              ("%d.%m.%Y", "day"), ("%b-%y", "month"), ("%b %Y", "month"), ("%B %Y", "month"),
              ("%d %B %Y", "day"), ("%d-%b-%y", "day"), ("%Y-%m-%d %H:%M", "minute"), ("%m/%Y", "month")]


@pytest.mark.parametrize(("fmt", "keeps"), ROUND_TRIP)
def test_any_date_written_in_an_accepted_format_reads_back(fmt: str, keeps: str) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(st.lists(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2068, 12, 31)),
                    min_size=1, max_size=6))
    def reads_back(stamps: list) -> None:
        text = pd.Series([s.strftime(fmt) for s in stamps])
        got = read_periods(text, "when").values
        want = pd.Series(pd.to_datetime(stamps)).dt.floor("min")
        if keeps == "day":
            want = want.dt.normalize()
        elif keeps == "month":
            want = want.dt.to_period("M").dt.start_time
        assert got.tolist() == want.tolist()

    reads_back()


@pytest.mark.parametrize(("start", "freq", "word"), [
    ("2019-09-09", "14D", "fortnight"),   # the ward's fortnights are not weeks with every other one missing
    ("2024-01-01", "7D", "week"),
    ("2024-01-01", "D", "day"),
    ("2023-01-01", "QS", "quarter"),
    ("2023-01-01", "MS", "month"),
    ("2015-01-01", "YS", "year"),
])
def test_a_complete_series_is_read_at_its_own_spacing_with_nothing_missing(start: str, freq: str, word: str) -> None:
    from equitykit.periods import infer_frequency, missing_periods

    xs = pd.date_range(start, periods=30, freq=freq)
    f = infer_frequency(xs.to_numpy())
    assert f is not None and f.word == word
    assert len(missing_periods(xs.to_numpy(), f)[1]) == 0


def test_the_fortnightly_ward_data_has_no_missing_periods() -> None:
    import warnings

    import equitykit as ek

    ward = ek.load_dataset("ward_incidents")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ek.spc(ward, x="fortnight_start", y="incidents", chart="c", improvement="decrease")
    assert "missing" not in res.summary().reading.lower()
