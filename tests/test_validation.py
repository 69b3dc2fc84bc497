"""The one validation layer: each helper converts or explains, and never changes its input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitykit.validation import (
    EquityKitError,
    as_binary,
    as_frame,
    as_numeric,
    check_not_above,
    closest_column,
    describe_rows,
    require_columns,
)
from equitykit.periods import as_dates
from equitykit.wording import check_choice


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "month": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"],
        "count": [3, 0, 5, 2],
        "attended": ["yes", "No", "Y", "n"],
    })


def test_describe_rows_names_three_then_counts_the_rest():
    values = pd.Series(["a", "b", "c", "d", "e"], index=[10, 11, 12, 13, 14])
    assert describe_rows(values) == "row 10: 'a', row 11: 'b', row 12: 'c' and 2 more"
    assert describe_rows(values, values == "d") == "row 13: 'd'"


def test_as_frame_copies_and_refuses_non_tables():
    frame = _frame()
    copy = as_frame(frame)
    assert copy is not frame
    assert as_frame({"a": [1]})["a"].tolist() == [1]
    with pytest.raises(EquityKitError, match="read_data"):
        as_frame("file.csv")
    with pytest.raises(EquityKitError, match="no rows"):
        as_frame(pd.DataFrame({"a": []}))


def test_closest_column():
    assert closest_column("Attended", ["attended", "team"]) == "attended"
    assert closest_column("screend", ["screened", "eligible"]) == "screened"
    assert closest_column("ethnicity", ["month", "count"]) is None


def test_require_columns_lists_what_is_there_and_suggests():
    with pytest.raises(EquityKitError) as info:
        require_columns(_frame(), ["Count", None], what="My table")
    message = str(info.value)
    assert message.startswith("My table has no column 'Count'.")
    assert "Did you mean 'count' for 'Count'?" in message
    assert "'month', 'count', 'attended'" in message
    require_columns(_frame(), ["count", None])  # present: no error


def test_as_numeric_checks_and_converts():
    frame = _frame()
    before = frame.copy()
    assert as_numeric(frame, "count", nonnegative=True, integer=True).tolist() == [3, 0, 5, 2]
    pd.testing.assert_frame_equal(frame, before)
    bad = frame.assign(count=["3", "x", "y", "1"])
    with pytest.raises(EquityKitError, match=r"2 values that are not numbers, e\.g\. row 1: 'x'"):
        as_numeric(bad, "count")
    with pytest.raises(EquityKitError, match="1 negative value"):
        as_numeric(frame.assign(count=[1, -2, 3, 4]), "count", nonnegative=True)
    with pytest.raises(EquityKitError, match="whole numbers"):
        as_numeric(frame.assign(count=[1, 2.5, 3, 4]), "count", integer=True)
    with pytest.raises(EquityKitError, match="empty cell"):
        as_numeric(frame.assign(count=[1, None, 3, 4]), "count", allow_missing=False)
    with pytest.raises(EquityKitError, match="infinite"):
        as_numeric(frame.assign(count=[1, np.inf, 3, 4]), "count")
    with pytest.raises(EquityKitError, match="holds dates, not numbers"):
        as_numeric(frame.assign(month=pd.to_datetime(frame["month"])), "month")


def test_as_binary_reads_yes_no_words():
    frame = _frame()
    assert as_binary(frame, "attended").tolist() == [1.0, 0.0, 1.0, 0.0]
    assert as_binary(frame.assign(attended=[True, False, True, True]), "attended").sum() == 3
    with pytest.raises(EquityKitError, match=r"not yes/no, e\.g\. row 2: 'Y\?'"):
        as_binary(frame.assign(attended=["yes", "no", "Y?", "no"]), "attended")
    with pytest.raises(EquityKitError, match="not yes/no"):
        as_binary(frame.assign(attended=[0, 1, 2, 1]), "attended")


def test_as_dates_reads_iso_and_uk_dates_and_refuses_numbers():
    frame = _frame()
    assert as_dates(frame, "month").dt.month.tolist() == [1, 2, 3, 4]
    uk = frame.assign(month=["31/01/2024", "29/02/2024", "31/03/2024", "30/04/2024"])
    assert as_dates(uk, "month").dt.day.tolist() == [31, 29, 31, 30]
    with pytest.raises(EquityKitError, match="row 3: 'never'"):
        as_dates(frame.assign(month=["2024-01-01", "2024-02-01", "2024-03-01", "never"]), "month")
    with pytest.raises(EquityKitError, match="empty date"):
        as_dates(frame.assign(month=["2024-01-01", None, "2024-03-01", "2024-04-01"]), "month")
    with pytest.raises(EquityKitError, match="holds numbers, not dates"):
        as_dates(frame, "count")


def test_check_not_above_names_the_rows():
    num = pd.Series([5, 12, 3])
    den = pd.Series([10, 10, 2])
    with pytest.raises(EquityKitError, match=r"2 rows, e\.g\. row 1: 12 > 10, row 2: 3 > 2"):
        check_not_above(pd.DataFrame(), "screened", "eligible", num, den)
    check_not_above(pd.DataFrame(), "screened", "eligible", num.clip(upper=2), den)


def test_check_choice():
    assert check_choice("Increase", "improvement", ["increase", "decrease"]) == "increase"
    with pytest.raises(EquityKitError, match="'up' is not one of the choices"):
        check_choice("up", "improvement", ["increase", "decrease"])


def test_as_numeric_reads_cells_of_spaces_as_missing():
    frame = pd.DataFrame({"count": ["3", " ", "", "4"], "other": ["a", "b", "c", "d"]})
    assert as_numeric(frame, "count").isna().tolist() == [False, True, True, False]
    with pytest.raises(EquityKitError, match="2 empty cells, e.g. row 1: ' '"):
        as_numeric(frame, "count", allow_missing=False)
    with pytest.raises(EquityKitError, match="row 0: 'a'"):
        as_numeric(frame, "other")


# --- what NHS extracts put in number columns ------------------------------------------------------

def test_thousands_with_commas_are_the_numbers_they_say():
    frame = pd.DataFrame({"n": ["1,234", "12,345,678", "999", " 2,000.5 ", None]})
    got = as_numeric(frame, "n")
    assert got.iloc[:4].tolist() == [1234.0, 12345678.0, 999.0, 2000.5] and np.isnan(got.iloc[4])
    assert frame["n"].iloc[0] == "1,234"  # the caller's frame is not changed
    for bad in ("1,23", "12,3456", "1,,234", ",123"):  # not thousands: still an error
        with pytest.raises(EquityKitError, match="not a number"):
            as_numeric(pd.DataFrame({"n": [bad]}), "n")


@pytest.mark.parametrize("mark", ["*", "~", "-", "..", "c", "[c]", "[x]", "suppressed"])
def test_withheld_marks_in_an_extract_say_what_they_are_and_what_to_do(mark):
    frame = pd.DataFrame({"dna": ["12", mark, "40"]})
    with pytest.raises(EquityKitError, match=r"row 1: .*withheld or not available.*without suppression"):
        as_numeric(frame, "dna")


def test_percentages_in_a_count_column_say_to_give_the_count_and_the_total():
    with pytest.raises(EquityKitError, match=r"'uptake' looks like percentages: give the count.*n= the total"):
        as_numeric(pd.DataFrame({"uptake": ["67%", "70%"]}), "uptake")


def test_a_totals_row_is_refused_wherever_groups_are_added_up():
    import equitykit as ek

    rows = pd.DataFrame({"eth": ["Asian", "Black", "White", "Total"], "dna": [10, 20, 30, 60],
                         "appts": [100, 150, 300, 550]})
    calls = [lambda d: ek.disaggregate(d, outcome="dna", by="eth", n="appts"),
             lambda d: ek.pareto(d, by="eth", outcome="dna"),
             lambda d: ek.representation(d, {"Asian": 100, "Black": 200, "White": 700}, by="eth", outcome="dna")]
    for call in calls:
        with pytest.raises(EquityKitError, match=r"'Total'.*totals row.*data\[data\['eth'\] != 'Total'\]"):
            call(rows)
        call(rows[rows["eth"] != "Total"])  # without it, fine
    # a group that is only called "All" but is not the others added up is a group like any other
    assert "All" in set(ek.disaggregate(rows.replace({"Total": "All"}).assign(dna=[10, 20, 30, 61]), outcome="dna",
                                        by="eth", n="appts").table["group"])
    with pytest.raises(EquityKitError, match="'All people' in the population's 'eth'.*leave 'All people' out"):
        ek.representation(rows[:3], {"Asian": 100, "Black": 200, "White": 700, "All people": 1003},
                          by="eth", outcome="dna")


def test_a_totals_row_in_the_dates_says_to_remove_it():
    import equitykit as ek

    d = pd.DataFrame({"month": ["Jan-24", "Feb-24", "Mar-24", "Grand Total"], "y": [1, 2, 3, 6]})
    with pytest.raises(EquityKitError, match=r"row 3: 'Grand Total'.*totals row: remove it"):
        ek.spc(d, x="month", y="y", chart="c")
