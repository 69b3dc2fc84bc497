"""read_data: CSV, Excel and DataFrames in; a checked copy out; clear errors for every bad input.

Each class of bad input from issue 2 (missing column, wrong type, empty file,
unreadable Excel, negative counts, numerator above denominator, unparseable
dates) raises EquityKitError naming the column, the rows and the fix, and
leaves the input (file bytes or DataFrame) unchanged.
"""
from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

import equitykit as ek
from equitykit import EquityKitError, read_data

GOOD_CSV = (
    "month,age_group,screened,eligible,attended\n"
    "2023-01-01,24-49,540,1000,yes\n"
    "2023-02-01,24-49,560,1000,no\n"
    "2023-03-01,24-49,580,1000,Y\n"
)
SPREADSHEET_NOTE = "Rows are numbered as in a spreadsheet: the column names are row 1."


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(tmp_path: Path, rows: list[list], name: str = "team.xlsx", sheet: str = "Data") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    notes = book.create_sheet("Notes")
    notes.append(["note"])
    notes.append(["written by the team"])
    path = tmp_path / name
    book.save(path)
    return path


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "month": ["2023-01-01", "2023-02-01", "2023-03-01"],
        "screened": [540, 560, 580],
        "eligible": [1000, 1000, 1000],
        "attended": ["yes", "no", "Y"],
    })


def _raises_and_file_unchanged(path: Path, match: str, **kwargs) -> str:
    before = path.read_bytes()
    with pytest.raises(EquityKitError, match=match) as info:
        read_data(path, **kwargs)
    assert path.read_bytes() == before
    return str(info.value)


# --------------------------------------------------------------------------- good input


def test_exported_from_the_package():
    assert ek.read_data is read_data
    assert issubclass(EquityKitError, ValueError)


def test_csv_is_read_and_converted(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV)
    data = read_data(path, columns="age_group", dates="month",
                     numerators={"screened": "eligible"}, binary=["attended"])
    assert pd.api.types.is_datetime64_dtype(data["month"])
    assert data["screened"].dtype == np.int64 and data["eligible"].dtype == np.int64
    assert data["attended"].tolist() == [1, 0, 1]
    assert data.index.tolist() == [2, 3, 4] and data.index.name == "row"


def test_string_path_and_blank_rows_keep_spreadsheet_numbers(tmp_path):
    path = _write(tmp_path, "gaps.csv", "month,n\n2023-01-01,5\n\n2023-03-01,x\n")
    message = _raises_and_file_unchanged(path, r"row 4: 'x'", counts="n")
    assert SPREADSHEET_NOTE in message
    data = read_data(str(path))
    assert data.index.tolist() == [2, 4]


def test_numeric_keeps_fractions_and_gaps_as_float(tmp_path):
    path = _write(tmp_path, "wait.csv", "weeks\n1.5\n\n2\n")
    assert read_data(path, numeric="weeks")["weeks"].tolist() == [1.5, 2.0]
    path = _write(tmp_path, "wait2.csv", "weeks,team\n1,a\n,b\n")
    assert read_data(path, numeric="weeks")["weeks"].isna().tolist() == [False, True]


def test_excel_workbook_and_named_sheet(tmp_path):
    path = _xlsx(tmp_path, [["month", "incidents"], ["2020-08-10", 2], ["2020-08-24", 3]])
    data = read_data(path, dates="month", counts="incidents", sheet="Data")
    assert data["incidents"].tolist() == [2, 3]
    assert data["month"].iloc[0] == pd.Timestamp("2020-08-10")
    assert read_data(path, sheet=1)["note"].tolist() == ["written by the team"]
    assert read_data(path, sheet="Notes")["note"].tolist() == ["written by the team"]


def test_excel_rows_are_named_as_excel_shows_them(tmp_path):
    path = _xlsx(tmp_path, [["incidents"], [2], [-1], [3]])
    message = _raises_and_file_unchanged(path, r"row 3: -1", counts="incidents")
    assert "negative" in message and "'incidents'" in message


def test_windows_and_semicolon_csv(tmp_path):
    path = _write(tmp_path, "cafe.csv", "team;café\nA;1\n", encoding="cp1252")
    assert read_data(path, counts="café")["café"].tolist() == [1]
    tab = _write(tmp_path, "t.tsv", "a\tb\n1\t2\n")
    assert read_data(tab).columns.tolist() == ["a", "b"]


def test_column_names_lose_surrounding_spaces(tmp_path):
    path = _write(tmp_path, "s.csv", " screened ,eligible\n1,2\n")
    assert read_data(path, numerators={"screened": "eligible"}).columns.tolist() == [
        "screened", "eligible"]


def test_dataframe_is_copied_never_changed():
    frame = _frame()
    before = frame.copy(deep=True)
    data = read_data(frame, dates="month", binary="attended",
                     numerators={"screened": "eligible"})
    pd.testing.assert_frame_equal(frame, before)
    assert data is not frame
    data.loc[0, "screened"] = -5
    pd.testing.assert_frame_equal(frame, before)
    assert data.index.tolist() == [0, 1, 2]


# --------------------------------------------------------------------------- bad input


def test_missing_column_lists_columns_and_suggests_a_close_match(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV)
    message = _raises_and_file_unchanged(path, "no column 'Screened'", counts="Screened")
    assert "Did you mean 'screened'" in message
    assert "'month', 'age_group', 'screened', 'eligible', 'attended'" in message
    frame = _frame()
    before = frame.copy()
    with pytest.raises(EquityKitError, match="Did you mean 'eligible'"):
        read_data(frame, numerators={"screened": "eligable"})
    pd.testing.assert_frame_equal(frame, before)


def test_title_rows_above_the_header_are_read_past_or_explained(tmp_path):
    path = _xlsx(tmp_path, [["Screening by month"], [], ["month", "screened"], ["2023-01", 5]])
    with pytest.warns(ek.EquityKitWarning, match="starts with 2 title rows"):
        assert read_data(path, counts="screened")["screened"].tolist() == [5]
    # no row of names below the title: the error says what to do
    path = _xlsx(tmp_path, [["Screening by month"], [], ["2023-01", 5], ["2023-02", 6]])
    _raises_and_file_unchanged(path, "delete any title rows", counts="screened")


def test_wrong_type_names_the_column_and_rows(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV.replace("560", "56O"))
    message = _raises_and_file_unchanged(path, "column 'screened'", counts="screened")
    assert "row 3: '56O'" in message and "is not a number" in message
    frame = _frame().assign(eligible=[1000, "many", 1000])
    before = frame.copy()
    with pytest.raises(EquityKitError, match=r"row 1: 'many'"):
        read_data(frame, counts="eligible")
    pd.testing.assert_frame_equal(frame, before)


def test_not_yes_no(tmp_path):
    path = _write(tmp_path, "a.csv", "attended\nyes\nY?\n")
    _raises_and_file_unchanged(
        path, r"'attended' has 1 value that is not yes/no, e\.g\. row 3: 'Y\?'", binary="attended")


def test_empty_file(tmp_path):
    path = _write(tmp_path, "empty.csv", "")
    _raises_and_file_unchanged(path, "'empty.csv' is empty")
    header_only = _write(tmp_path, "header.csv", "month,incidents\n")
    _raises_and_file_unchanged(header_only, "no rows of data")
    with pytest.raises(EquityKitError, match="no rows"):
        read_data(pd.DataFrame({"a": []}))


def test_empty_excel_sheet(tmp_path):
    path = _xlsx(tmp_path, [])
    _raises_and_file_unchanged(path, "is empty")


def test_corrupt_excel(tmp_path):
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(b"\x00\x01 this is not a workbook" * 20)
    _raises_and_file_unchanged(noise, "could not be opened as an Excel workbook")
    wrong_zip = tmp_path / "wrong.xlsx"
    with zipfile.ZipFile(wrong_zip, "w") as z:
        z.writestr("hello.txt", "not a spreadsheet")
    message = _raises_and_file_unchanged(wrong_zip, "could not be opened as an Excel workbook")
    assert "save a fresh copy" in message
    good = _xlsx(tmp_path, [["a"], [1]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:300])
    _raises_and_file_unchanged(truncated, "could not be opened as an Excel workbook")


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = _xlsx(tmp_path, [["a"], [1]])
    _raises_and_file_unchanged(path, r"no sheet 'Sheet1'. Its sheets are: 'Data', 'Notes'",
                               sheet="Sheet1")
    _raises_and_file_unchanged(path, "no sheet 5", sheet=5)


def test_file_not_found_suggests_similar_names(tmp_path):
    _write(tmp_path, "screening_2023.csv", GOOD_CSV)
    with pytest.raises(EquityKitError, match="cannot find the file") as info:
        read_data(tmp_path / "screening_2032.csv")
    assert "'screening_2023.csv'" in str(info.value)
    with pytest.raises(EquityKitError, match="does not exist either"):
        read_data(tmp_path / "nowhere" / "x.csv")
    with pytest.raises(EquityKitError, match="is a folder"):
        read_data(tmp_path)


def test_unsupported_files_and_arguments(tmp_path):
    old = _write(tmp_path, "old.xls", "x")
    _raises_and_file_unchanged(old, r"old-style \.xls")
    doc = _write(tmp_path, "notes.docx", "x")
    _raises_and_file_unchanged(doc, "reads .csv")
    csv = _write(tmp_path, "a.csv", "a\n1\n")
    _raises_and_file_unchanged(csv, "only applies to Excel", sheet="Data")
    with pytest.raises(EquityKitError, match="not int"):
        read_data(42)


def test_ragged_csv(tmp_path):
    path = _write(tmp_path, "ragged.csv", "a,b\n1,2\n3,4,5\n")
    _raises_and_file_unchanged(path, "more cells than the column names")


def test_negative_counts(tmp_path):
    path = _write(tmp_path, "ward.csv", "fortnight,incidents\n2020-08-10,2\n2020-08-24,-1\n")
    message = _raises_and_file_unchanged(path, "'incidents' has 1 negative value",
                                         counts="incidents")
    assert "row 3: -1" in message
    frame = pd.DataFrame({"screened": [5, 4], "eligible": [-10, 10]})
    before = frame.copy()
    with pytest.raises(EquityKitError, match=r"'eligible' has 1 negative value, e\.g\. row 0"):
        read_data(frame, numerators={"screened": "eligible"})
    pd.testing.assert_frame_equal(frame, before)


def test_fractional_counts(tmp_path):
    path = _write(tmp_path, "ward.csv", "incidents\n2\n1.5\n")
    _raises_and_file_unchanged(path, r"whole numbers .* row 3: 1\.5", counts="incidents")


def test_numerator_above_denominator(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV.replace("580,1000", "1580,1000"))
    message = _raises_and_file_unchanged(path, "'screened' is larger than 'eligible'",
                                         numerators={"screened": "eligible"})
    assert "row 4: 1580 > 1000" in message and SPREADSHEET_NOTE in message
    frame = _frame().assign(screened=[540, 1560, 580])
    before = frame.copy()
    with pytest.raises(EquityKitError, match="row 1: 1560 > 1000"):
        read_data(frame, numerators={"screened": "eligible"})
    pd.testing.assert_frame_equal(frame, before)


def test_unparseable_dates(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV.replace("2023-02-01", "Febuary"))
    message = _raises_and_file_unchanged(path, "'month' has 1 value that cannot be read as dates",
                                         dates="month")
    assert "row 3: 'Febuary'" in message
    frame = _frame().assign(month=["2023-01-01", "soon", "2023-03-01"])
    before = frame.copy()
    with pytest.raises(EquityKitError, match="row 1: 'soon'"):
        read_data(frame, dates="month")
    pd.testing.assert_frame_equal(frame, before)


def test_uk_dates_are_read_day_first(tmp_path):
    path = _write(tmp_path, "uk.csv", "month\n31/01/2023\n28/02/2023\n")
    assert read_data(path, dates="month")["month"].dt.month.tolist() == [1, 2]


def test_numbers_are_not_taken_for_dates_nor_dates_for_numbers(tmp_path):
    path = _write(tmp_path, "screening.csv", GOOD_CSV)
    _raises_and_file_unchanged(path, "'eligible' holds numbers, not dates", dates="eligible")
    _raises_and_file_unchanged(path, "'month' holds dates, not numbers",
                               dates="month", numerators={"screened": "month"})


# --- reports with title rows above the column names -----------------------------------------------

def _titled_workbook(path, titles):
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in titles:
        sheet.append(row)
    sheet.append(["Month", "Decile", "Missed", "Booked"])
    for month in range(1, 4):
        sheet.append([datetime.date(2024, month, 1), 1, 20 + month, 100])
    book.save(path)


@pytest.mark.parametrize("titles", [
    [["Missed appointments by deprivation decile"]],
    [["Missed appointments"], ["Source: PAS extract, April 2024"], []],
    [["Report", None, None, None], [None, None, None, None]],
])
def test_title_rows_above_the_names_are_skipped_with_a_note_and_rows_keep_excels_numbers(tmp_path, titles):
    path = tmp_path / "report.xlsx"
    _titled_workbook(path, titles)
    with pytest.warns(ek.EquityKitWarning, match=rf"starts with {len(titles)} title row.*row {len(titles) + 1}"):
        table = ek.read_data(path, dates="Month", counts=["Missed", "Booked"])
    assert list(table.columns) == ["Month", "Decile", "Missed", "Booked"]
    assert table.index.tolist() == [len(titles) + 2, len(titles) + 3, len(titles) + 4]  # as Excel numbers them
    assert table["Missed"].tolist() == [21, 22, 23]
    # and the rows an error names are the rows Excel shows, with the names' row said
    with pytest.raises(EquityKitError, match=rf"row {len(titles) + 3}: 22.*the column names are row {len(titles) + 1}\."):
        ek.read_data(path, numerators={"Missed": "Decile"})


@pytest.mark.parametrize("text", [
    "Missed appointments by decile\nSource: PAS\n\nMonth,Decile,Missed,Booked\n",  # a ragged file
    "Missed appointments by decile,,,\n,,,\nMonth,Decile,Missed,Booked\n",      # commas all the way
])
def test_title_lines_of_a_csv_are_skipped_too(tmp_path, text):
    path = tmp_path / "report.csv"
    path.write_text(text + "Jan-24,1,21,100\nFeb-24,1,22,100\n")
    titles = text.count("\n") - 1
    with pytest.warns(ek.EquityKitWarning, match=rf"starts with {titles} title row"):
        table = ek.read_data(path, dates="Month")
    assert list(table.columns) == ["Month", "Decile", "Missed", "Booked"] and table.index[0] == titles + 2


def test_a_table_whose_names_are_in_row_one_is_read_as_it_is(tmp_path):
    path = tmp_path / "log.csv"
    # half the columns have no name, but no later row is a row of names: nothing is skipped
    path.write_text("date,category,,\n2024-01-01,Verbal,x,y\n2024-01-02,Self-harm,x,y\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = ek.read_data(path)
    assert list(table.columns)[:2] == ["date", "category"] and table.index[0] == 2
