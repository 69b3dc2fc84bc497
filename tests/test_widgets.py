"""The explorers: wiring tested with fake views, real views tested through their pure functions.

The real gap and SPC explorers call ``equitykit.disaggregate`` and ``equitykit.spc``
(issues 3 and 4); their tests skip, saying so, only while those are missing.
"""
from __future__ import annotations

import pandas as pd
import pytest

import equitykit
from equitykit import widgets
from equitykit.validation import EquityKitError

APPTS = pd.DataFrame(
    {
        "dna": [1, 0, 0, 1, 0, 1, 0, 0, 0, 1] * 3,
        "imd_decile": list(range(1, 11)) * 3,
        "ethnicity": ["Asian", "Black", "White", "Mixed", "Other"] * 6,
        "age_band": ["18-34", "35-64", "65+"] * 10,
    }
)
STORY = pd.DataFrame({"group": ["Aged 24-49", "Aged 50-64"], "before": [54, 62], "after": [68, 71]})


class FakeView:
    """Records each call and returns a chart whose title names the choices."""

    def __init__(self):
        self.calls = []

    def __call__(self, data, **choices):
        self.calls.append(choices)
        if choices.get("reference") == "bad":
            raise EquityKitError("no group called 'bad'")
        title = " / ".join(f"{k}={v}" for k, v in sorted(choices.items()) if k in ("by", "reference", "chart", "rules", "baseline"))
        chart = equitykit.widgets.alt.Chart(pd.DataFrame({"a": [1]})).mark_point().properties(title=title)
        return chart, f"Reading for {title}"


# --- wiring -----------------------------------------------------------------------

def test_gap_explorer_updates_chart_and_reading_when_a_control_changes():
    view = FakeView()
    ex = widgets.gap_explorer(APPTS, outcome="dna", by=["imd_decile", "ethnicity", "age_band"], improvement="decrease",
                              view=view)
    assert view.calls[-1] == {"outcome": "dna", "n": None, "improvement": "decrease", "by": "imd_decile", "reference": "best"}
    first_reading, first_chart = ex.reading.value, ex.chart
    ex.controls["by"].value = "ethnicity"
    assert view.calls[-1]["by"] == "ethnicity"
    assert ex.chart is not first_chart and ex.chart.to_dict()["title"].startswith("by=ethnicity")
    assert ex.reading.value != first_reading and "by=ethnicity" in ex.reading.value


def test_gap_explorer_offers_the_groups_of_the_chosen_characteristic():
    ex = widgets.gap_explorer(APPTS, outcome="dna", by=["imd_decile", "ethnicity"], view=FakeView())
    values = [v for _, v in ex.controls["reference"].options]
    assert "most_advantaged" in values and 10 in values
    ex.controls["reference"].value = 10
    ex.controls["by"].value = "ethnicity"
    values = [v for _, v in ex.controls["reference"].options]
    assert "most_advantaged" not in values and "Black" in values
    assert ex.controls["reference"].value == "best"  # decile 10 is not an ethnicity
    ex.controls["reference"].value = "Black"
    assert ex.view.calls[-1] == {**ex.view.calls[-1], "by": "ethnicity", "reference": "Black"}


def test_a_choice_that_does_not_fit_shows_the_reason_not_a_traceback():
    view = FakeView()
    ex = widgets.Explorer(view, APPTS, {"reference": widgets._dropdown("Reference", ["best", "bad"])})
    ex.controls["reference"].value = "bad"
    assert ex.chart is None
    assert "no group called" in ex.reading.value and "does not work" in ex.reading_text


def test_spc_explorer_controls_chart_rules_and_baseline():
    data = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=20, freq="W"), "count": range(20)})
    view = FakeView()
    ex = widgets.spc_explorer(data, x="week", y="count", charts=("run", "c"), view=view)
    assert view.calls[-1]["chart"] == "run" and view.calls[-1]["baseline"] == 0
    assert ex.controls["baseline"].max == 20
    ex.controls["baseline"].value = 8
    assert view.calls[-1]["baseline"] == 8
    ex.controls["chart"].value = "c"
    ex.controls["rules"].value = "mdc"
    assert view.calls[-1] == {**view.calls[-1], "chart": "c", "rules": "mdc", "baseline": 8, "x": "week", "y": "count"}
    assert "rules=mdc" in ex.reading.value


def test_explorer_displays_as_its_widget():
    ex = widgets.gap_effect_explorer(STORY)
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "equitykit-explorer" in ex.widget._dom_classes


def test_explorers_do_not_change_the_callers_data():
    before = APPTS.copy()
    ex = widgets.gap_explorer(APPTS, outcome="dna", by=["imd_decile", "ethnicity"], view=FakeView())
    ex.controls["by"].value = "ethnicity"
    pd.testing.assert_frame_equal(APPTS, before)


# --- gap effect (runs now) ------------------------------------------------------------

def test_gap_effect_view_reads_the_screening_story():
    chart, reading = widgets.gap_effect_view(STORY)
    assert reading.startswith("The gap between Aged 24-49 and Aged 50-64 was 8 points before and 3 points after: it narrowed.")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Gap: 8 points before, 3 after"
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 4  # 2 groups x before/after, nothing more


def test_gap_effect_view_widened_and_maintained():
    assert "it widened" in widgets.gap_effect_view(STORY, first_after=60)[1]
    assert "it maintained" in widgets.gap_effect_view(STORY, first_after=63, second_after=71)[1]


def test_gap_effect_explorer_slider_moves_the_reading():
    ex = widgets.gap_effect_explorer(STORY)
    assert "it narrowed" in ex.reading.value
    ex.controls["first_after"].value = 55
    assert "it widened" in ex.reading.value and ex.updates == 2
    assert ex.chart.to_dict()["title"]["text"] == "Gap: 8 points before, 16 after"


def test_with_the_jupyter_renderer_one_live_chart_is_updated_in_place():
    import altair as alt

    previous = alt.renderers.active
    alt.renderers.enable("jupyter")  # online here: the offline bundle is not needed to test the wiring
    try:
        ex = widgets.gap_effect_explorer(STORY)
        live = ex._live
        assert live is not None and live.chart is ex.chart
        ex.controls["second_after"].value = 80
        assert ex._live is live and live.chart is ex.chart
        assert live.spec["title"]["text"] == "Gap: 8 points before, 12 after"
    finally:
        alt.renderers.enable(previous)


def test_gap_effect_view_needs_two_groups():
    with pytest.raises(EquityKitError, match="two groups"):
        widgets.gap_effect_view(pd.concat([STORY, STORY]))


def test_gap_effect_view_does_not_change_the_callers_data():
    before = STORY.copy()
    widgets.gap_effect_view(STORY, first_after=10)
    pd.testing.assert_frame_equal(STORY, before)


# --- real explorers over the kit's functions (turn on by themselves when merged) ---------

needs_disaggregate = pytest.mark.skipif(
    not hasattr(equitykit, "disaggregate"), reason="equitykit.disaggregate (issue 4) is not merged yet"
)
needs_spc = pytest.mark.skipif(not hasattr(equitykit, "spc"), reason="equitykit.spc (issue 3) is not merged yet")


@needs_disaggregate
def test_gap_view_matches_disaggregate():
    chart, reading = widgets.gap_view(APPTS, outcome="dna", by="ethnicity", reference="best", improvement="decrease")
    expected = equitykit.disaggregate(APPTS, outcome="dna", by="ethnicity", reference="best", improvement="decrease")
    assert reading == expected.summary().reading
    assert chart.to_dict() == expected.chart().to_dict()


@needs_disaggregate
def test_real_gap_explorer_changes_with_the_characteristic():
    ex = widgets.gap_explorer(APPTS, outcome="dna", by=["imd_decile", "ethnicity"], improvement="decrease")
    before_spec, before_reading = ex.chart.to_dict(), ex.reading.value
    ex.controls["by"].value = "ethnicity"
    assert ex.chart.to_dict() != before_spec and ex.reading.value != before_reading
    ex.controls["reference"].value = "White"
    assert ex.chart is not None and "does not work" not in ex.reading_text


@needs_spc
def test_spc_view_matches_spc():
    data = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=24, freq="W"), "count": [3, 5, 2, 4, 6, 3] * 4})
    chart, reading = widgets.spc_view(data, x="week", y="count", chart="c", baseline=12)
    expected = equitykit.spc(data, x="week", y="count", chart="c", freeze=12, improvement="neutral")
    assert reading == expected.summary().reading
    assert chart.to_dict() == expected.chart().to_dict()


@needs_spc
def test_real_spc_explorer_changes_with_the_baseline():
    data = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=24, freq="W"), "count": [1, 2, 1, 2] * 3 + [6, 7, 6, 7] * 3})
    ex = widgets.spc_explorer(data, x="week", y="count", charts=("c", "run"))
    before_spec = ex.chart.to_dict()
    ex.controls["baseline"].value = 12
    assert ex.chart.to_dict() != before_spec


def test_spc_explorer_live_chart_swaps_its_spec_when_the_baseline_moves():
    """What the browser sees: one live chart widget whose spec changes in place (offline renderer)."""
    import altair as alt

    ward = equitykit.load_dataset("ward_incidents")
    previous = alt.renderers.active
    alt.renderers.enable("jupyter", offline=True)
    try:
        ex = widgets.spc_explorer(ward, x="fortnight_start", y="incidents", charts=("run", "c"), improvement="decrease")
        live = ex._live
        spec_before = live.spec
        ex.controls["chart"].value = "c"
        ex.controls["baseline"].value = 27
        assert ex._live is live and live.spec != spec_before
        assert ex.controls["baseline"].layout.width  # wide enough to drag point by point
    finally:
        alt.renderers.enable(previous)


# --- notebook_setup: what a learner sees in a real kernel ------------------------------------

def _run_in_kernel(cells, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb.cells


def test_notebook_setup_gives_short_warnings_plain_errors_and_a_stub_reminder(tmp_path):
    cells = _run_in_kernel([
        ("import equitykit as ek\nek.notebook_setup(offline=False)", []),
        ("import warnings\nwarnings.warn(ek.SPCWarning('Read the testing phase with care.'))", []),
        ("answer = ...  # your turn\nanswer", []),
        ("ek.read_data('no_such_file.csv')", ["raises-exception"]),
        ("1 + 1", []),
    ], tmp_path)
    warning = "".join(o.get("text", "") for o in cells[1].outputs)
    assert warning == "SPCWarning: Read the testing phase with care.\n"
    stub = cells[2].outputs[0]["data"]["text/plain"]
    assert "Ellipsis" not in stub and "your turn" in stub
    error = cells[3].outputs[-1]
    assert error["output_type"] == "error" and error["ename"] == "EquityKitError"
    shown = "\n".join(error["traceback"])
    assert "no_such_file.csv" in shown
    assert "equitykit/" not in shown and "File " not in shown and "raise " not in shown and "%tb" not in shown
    assert cells[4].outputs[0]["data"]["text/plain"] == "2"  # the run went on past the tagged cell


def test_importing_the_kit_changes_no_warning_display():
    import subprocess
    import sys

    code = ("import warnings; before = warnings.showwarning; import equitykit; "
            "assert warnings.showwarning is before")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plain_label():
    assert widgets.plain_label("imd_decile") == "IMD decile"
    assert widgets.plain_label("age_band") == "Age band"
