"""Tests for equitykit.sustain: the ward safety cross and the sustain checklist.

The safety cross is checked through its spec: one cell per day of the month
(28-31), laid out as a plus-shaped cross, coloured by what happened, with a
grey dot for a racist incident as in the published ward work.
"""
from __future__ import annotations

import os

import pandas as pd
import pytest

import equitykit as ek
from equitykit import files
from equitykit.sustain import (DOT_COLOUR, NO_INCIDENT, SustainChecklist, cross_layout, safety_cross,
                               sustain_checklist)
from equitykit.theme import PALETTE
from equitykit.validation import EquityKitError

# A ward's incident log for the autumn of 2020: one row per incident.
WARD_LOG = pd.DataFrame({
    "date": ["2020-10-03", "2020-10-03", "2020-10-09", "2020-10-17", "2020-10-21", "2020-10-21",
             "2020-10-28", "2020-09-14", "2020-09-30"],
    "category": ["Racist incident", "Verbal aggression", "Self-harm", "Racist incident", "Verbal aggression",
                 "Self-harm", "Verbal aggression", "Racist incident", "Self-harm"],
})


def spec_parts(cross):
    spec = cross.chart().to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    return spec, rows


def colour_scale(spec):
    enc = spec["layer"][0]["encoding"]["color"]
    return dict(zip(enc["scale"]["domain"], enc["scale"]["range"]))


@pytest.mark.parametrize("month, days", [("2021-02", 28), ("2020-02", 29), ("2020-09", 30), ("2020-10", 31)])
def test_one_cell_per_day_of_the_month(month, days):
    spec, rows = spec_parts(safety_cross(WARD_LOG, month=month))
    assert [r["day"] for r in rows] == list(range(1, days + 1))
    assert spec["layer"][0]["mark"]["type"] == "rect"


def test_cells_make_a_plus_shaped_cross():
    layout = cross_layout(31)
    assert layout["row"].max() == 6 and layout["col"].max() == 6
    # the bar across is full width, the arms are narrower and centred
    across = layout[layout["row"].between(2, 4)]
    assert sorted(across["col"].unique()) == list(range(7)) and len(across) == 21
    arms = layout[~layout["row"].between(2, 4)]
    assert set(arms["col"]) <= {2, 3, 4}
    assert not layout.duplicated(["row", "col"]).any()


def test_ward_month_colours_and_grey_dots():
    chart = safety_cross(WARD_LOG, month="2020-10")
    spec, rows = spec_parts(chart)
    colours = colour_scale(spec)
    by_day = {r["day"]: r for r in rows}
    assert colours[NO_INCIDENT] == PALETTE["target"]  # green
    assert by_day[1]["status"] == NO_INCIDENT and not by_day[1]["dot"]
    # racist incident + verbal aggression: the other type's colour and a grey dot
    assert by_day[3]["status"] == "Verbal aggression" and by_day[3]["dot"]
    assert by_day[9]["status"] == "Self-harm" and not by_day[9]["dot"]
    # a racist incident alone: a light cell with the grey dot
    assert by_day[17]["status"] == "Racist incident only" and by_day[17]["dot"]
    assert by_day[21]["status"] == "More than one type"
    assert by_day[21]["incidents"] == 2
    types = [colours["Verbal aggression"], colours["Self-harm"], colours[NO_INCIDENT],
             colours["More than one type"], colours["Racist incident only"]]
    assert len(set(types)) == len(types)  # distinct colours
    dots = spec["layer"][2]
    assert dots["mark"]["type"] == "point" and dots["mark"]["color"] == DOT_COLOUR
    assert sum(r["dot"] for r in rows) == 2
    assert spec["title"] == "Safety cross: October 2020"


def test_colours_stay_the_same_from_month_to_month():
    oct_colours = colour_scale(spec_parts(safety_cross(WARD_LOG, month="2020-10"))[0])
    sep_colours = colour_scale(spec_parts(safety_cross(WARD_LOG, month="2020-09"))[0])
    assert sep_colours["Self-harm"] == oct_colours["Self-harm"]


def test_chart_carries_one_row_per_day_not_incident_rows():
    big = pd.DataFrame({"date": ["2020-10-05"] * 40, "category": ["Verbal aggression"] * 40})
    spec, rows = spec_parts(safety_cross(big))
    assert len(spec["datasets"]) == 1 and len(rows) == 31
    assert rows[4]["incidents"] == 40


def test_default_month_counts_and_up_to():
    spec, rows = spec_parts(safety_cross(WARD_LOG))  # latest month in the log
    assert len(rows) == 31
    _, rows = spec_parts(safety_cross(WARD_LOG, month="2020-10", up_to="2020-10-20"))
    assert rows[20]["status"] == "Not yet recorded" and rows[16]["status"] == "Racist incident only"
    counted = pd.DataFrame({"day": ["2020-10-02", "2020-10-03"], "type": ["Self-harm", "none"], "count": [3, 0]})
    _, rows = spec_parts(safety_cross(counted, x="day", by="type", n="count"))
    assert rows[1]["incidents"] == 3 and rows[2]["status"] == NO_INCIDENT


def test_named_grey_dot_type():
    log = pd.DataFrame({"date": ["2021-03-02"], "category": ["Discrimination"]})
    _, rows = spec_parts(safety_cross(log, grey_dot="Discrimination"))
    assert rows[1]["dot"] and rows[1]["status"] == "Racist incident only"
    with pytest.raises(EquityKitError, match="Did you mean 'Discrimination'"):
        safety_cross(log, grey_dot="Discrimnation")


def test_the_cross_is_a_result_with_a_table_a_reading_and_the_drawing():
    cross = safety_cross(WARD_LOG, month="2020-10")
    assert list(cross.table.columns) == ["day", "date", "status", "incidents", "grey_dot", "detail"]
    assert len(cross.table) == 31 and cross.table["grey_dot"].sum() == 2  # the 3rd and the 17th
    summary = cross.summary()
    assert summary.set_index("status").loc[NO_INCIDENT, "days"] == 31 - 5  # incidents on 3, 9, 17, 21, 28
    assert cross.reading == ("October 2020: 26 of 31 days recorded with no incident, 5 with an incident, "
                             "2 with a grey dot (racist incident).")
    # shown in a notebook, the result is the drawing, with the reading as the HTML fallback
    bundle = cross._repr_mimebundle_()
    assert "text/html" in bundle
    spec = cross.chart(title="Ward 3", width=300).to_dict()
    assert spec["title"]["text"] == "Ward 3" and spec["width"] == 300
    assert spec["config"]["font"].startswith("Arial")  # the kit's look travels with the chart


def test_old_argument_names_still_work_with_a_future_warning():
    with pytest.warns(FutureWarning, match=r"safety_cross\(date=...\) is now safety_cross\(x=...\)"):
        old = safety_cross(WARD_LOG, date="date", category="category", month="2020-10")
    with pytest.warns(FutureWarning, match="takes its options by name"):
        positional = safety_cross(WARD_LOG, "date", "category", "2020-10")
    new = safety_cross(WARD_LOG, x="date", by="category", month="2020-10")
    pd.testing.assert_frame_equal(old.table, new.table)
    pd.testing.assert_frame_equal(positional.table, new.table)
    with pytest.raises(EquityKitError, match="both date= and x="):
        safety_cross(WARD_LOG, date="date", x="date")


def test_no_mutation_of_the_callers_frame():
    before = WARD_LOG.copy()
    safety_cross(WARD_LOG, month="2020-10")
    pd.testing.assert_frame_equal(WARD_LOG, before)


def test_bad_input():
    with pytest.raises(EquityKitError, match="no column 'when'"):
        safety_cross(WARD_LOG, x="when")
    with pytest.raises(EquityKitError, match="cannot be read as dates"):
        safety_cross(pd.DataFrame({"date": ["tuesday"], "category": ["x"]}))
    with pytest.raises(EquityKitError, match="is not a month"):
        safety_cross(WARD_LOG, month="autumn")


# ----------------------------------------------------------------- checklist


def test_checklist_covers_the_implementation_activities():
    table = sustain_checklist().table
    assert list(dict.fromkeys(table["area"])) == ["standardisation", "documentation", "training", "measurement",
                                                  "resources", "social side of change"]
    assert table["activity"].str.contains("Freeze the control limits").any()
    assert (table["done"] == "").all()


def test_tick_by_number_or_words():
    cl = sustain_checklist()
    cl.tick(1, who="Ward manager")
    cl.tick("induction", notes="From April")
    table = cl.table
    assert table.loc[0, "done"] == "✓" and table.loc[0, "who"] == "Ward manager"
    assert table.loc[table["activity"] == "Build it into induction", "notes"].item() == "From April"
    assert cl.done == 2
    assert "Nothing ticked yet for: documentation, measurement" in cl.reading
    cl.untick(1)
    assert cl.done == 1
    with pytest.raises(EquityKitError, match="numbered 1 to 14"):
        cl.tick(99)
    with pytest.raises(EquityKitError, match="matches 2 items"):
        cl.tick("measure")  # two activities mention measuring


def test_checklist_yaml_round_trip_typo_and_atomic_save(tmp_path, monkeypatch):
    cl = sustain_checklist()
    cl.tick(3, who="QI lead")
    cl.add("resources", "Bid for a peer support worker post")
    path = cl.to_yaml(tmp_path / "sustain.yaml")
    assert SustainChecklist.from_yaml(path) == cl
    (tmp_path / "bad.yaml").write_text("items:\n  - area: training\n    activty: x\n")
    with pytest.raises(EquityKitError, match="'activty'. Did you mean 'activity'"):
        SustainChecklist.from_yaml(tmp_path / "bad.yaml")
    before = path.read_text()
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        sustain_checklist().to_yaml(path)
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["bad.yaml", "sustain.yaml"]


def test_public_names():
    for name in ("safety_cross", "sustain_checklist", "SustainChecklist", "PDSALog", "Cycle", "Fishbone",
                 "ProcessMap", "DriverDiagram", "DataReview"):
        assert name in ek.__all__ and hasattr(ek, name)
