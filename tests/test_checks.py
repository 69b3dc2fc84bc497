"""Every exercise's check accepts the solution and rejects a plausible wrong answer.

Small stand-ins carrying a ``table`` test each hint on its own; the ``test_real_*``
tests build each notebook's solution and a plausible slip with the real kit.
The source notebooks also run their solutions through the same checks under
EQUITYKIT_STRICT_CHECKS=1 (nbval over workshop/source, run by make test).
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

import equitykit as ek
from equitykit.checks import EXERCISES, STUB_MESSAGE, STRICT_ENV, effect_on_gap


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)


def result(**columns):
    return SimpleNamespace(table=pd.DataFrame(columns))


# --- the framework ---------------------------------------------------------------

def test_stub_gets_the_replace_hint_for_every_exercise():
    for exercise_id in EXERCISES:
        res = ek.check(exercise_id, ...)
        assert not res.passed and res.message == STUB_MESSAGE


def test_stub_inside_a_dictionary_or_list_gets_the_replace_hint():
    assert ek.check("03_measure_types", {"referrals_share": ..., "fear_score": ..., "wait": ...}).message == STUB_MESSAGE
    assert ek.check("02_review_parts", [..., ..., ...]).message == STUB_MESSAGE


@pytest.mark.parametrize("odd", [None, 3, 2.5, "text", [1, 2], {"a": 1}, object(), float("nan"), True])
def test_wrong_types_give_a_hint_never_an_error(odd):
    for exercise_id in EXERCISES:
        res = ek.check(exercise_id, odd)
        assert isinstance(res, ek.CheckResult)
        assert isinstance(res.message, str) and res.message


def test_unknown_exercise_lists_the_exercises():
    res = ek.check("no_such_exercise", 1)
    assert not res.passed and "00_effect" in res.message


def test_display_is_green_yes_or_amber_hint():
    good = ek.check("00_effect", "narrowed")
    assert good.message.startswith("Yes - ")
    assert "data-passed='true'" in good._repr_html_() and "#009E73" in good._repr_html_()
    bad = ek.check("00_effect", "widened")
    assert repr(bad).startswith("Not yet - ") and "data-passed='false'" in bad._repr_html_()


def test_strict_mode_raises_on_a_rejected_answer(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="00_effect"):
        ek.check("00_effect", "widened")
    assert ek.check("00_effect", "narrowed")


def test_hints_never_contain_the_answer():
    for answer in (8, -3, 0.03, 14, 99):
        assert " 3 " not in f" {ek.check('00_gap_after', answer).message} "
    for answer in ("widened", "maintained", "bigger"):
        assert "narrowed" not in ek.check("00_effect", answer).message
    assert '"p"' not in ek.check("04_chart_choice", "c").message


def test_effect_on_gap():
    assert effect_on_gap(8, 3) == "narrowed"
    assert effect_on_gap(3, 8) == "widened"
    assert effect_on_gap(5, 5.2) == "maintained"


# --- 00 ----------------------------------------------------------------------------

def test_00_gap_after():
    assert ek.check("00_gap_after", 71 - 68)
    assert ek.check("00_gap_after", 3.0)
    for wrong in (8, -3, 0.03, 14, 9, "3"):
        assert not ek.check("00_gap_after", wrong)
    assert "before" in ek.check("00_gap_after", 8).message
    assert "quotation" in ek.check("00_gap_after", "3").message


def test_00_effect():
    assert ek.check("00_effect", "narrowed")
    assert ek.check("00_effect", " Narrowed. ")
    assert not ek.check("00_effect", "maintained")
    assert not ek.check("00_effect", "widened")
    assert not ek.check("00_effect", "better")


# --- 01 ----------------------------------------------------------------------------

APPTS = pd.DataFrame({"age_band": ["18-34", "35-64", "65+", "18-34"], "dna": [1, 0, 0, 1]})


def age_result(reference_group="65+"):
    rates = {"18-34": 0.30, "35-64": 0.12, "65+": 0.08}
    return result(
        group=list(rates), rate=list(rates.values()),
        is_reference=[g == reference_group for g in rates],
    )


def test_01_by_age():
    assert ek.check("01_by_age", age_result(), data=APPTS)
    wrong_reference = ek.check("01_by_age", age_result("18-34"), data=APPTS)
    assert not wrong_reference and "best" in wrong_reference.message
    deciles = result(group=list(range(1, 11)), rate=[0.1] * 10, is_reference=[i == 10 for i in range(1, 11)])
    assert "age bands" in ek.check("01_by_age", deciles, data=APPTS).message
    assert not ek.check("01_by_age", APPTS, data=APPTS)


def rep_result():
    return result(group=["Asian", "Black", "Mixed", "White"], representation_ratio=[1.1, 0.55, 0.8, 1.2])


def test_01_under_represented():
    assert ek.check("01_under_represented", "Black", result=rep_result())
    assert ek.check("01_under_represented", " black ", result=rep_result())
    assert "over-represented" in ek.check("01_under_represented", "White", result=rep_result()).message
    assert not ek.check("01_under_represented", "Mixed", result=rep_result())
    assert not ek.check("01_under_represented", "Martian", result=rep_result())
    assert not ek.check("01_under_represented", "Black")  # no result given


# --- 02 ----------------------------------------------------------------------------

def test_02_review_parts():
    assert ek.check("02_review_parts", [
        "Service and public-health data", "Staff and voluntary groups who support them", "People with lived experience",
    ])
    missing_lived = ek.check("02_review_parts", ["Service data", "Public health data", "Staff views"])
    assert not missing_lived and "experience" in missing_lived.message
    assert not ek.check("02_review_parts", "data, staff, lived experience")


def test_02_fishbone():
    good = SimpleNamespace(
        effect="Women aged 24-49 are screened less than women aged 50-64",
        causes={"Communication": ["letters only in English"], "Access": ["no evening clinics"], "Knowledge": ["unsure why it matters"]},
    )
    assert ek.check("02_fishbone", good)
    two = SimpleNamespace(effect=good.effect, causes={"Access": ["no evening clinics"], "Knowledge": ["myths"]})
    assert not ek.check("02_fishbone", two)
    empty = SimpleNamespace(effect=good.effect, causes={**good.causes, "Culture": []})
    assert "Culture" in ek.check("02_fishbone", empty).message


# --- 03 ----------------------------------------------------------------------------

def test_03_aim():
    good = "To increase referrals to talking therapies for young Black men aged 18-25 years from 1.5% to 1.8% by December 2023"
    assert ek.check("03_aim", good)
    assert not ek.check("03_aim", "To improve access to talking therapies for everyone")


def test_03_aim_without_a_sentence_is_a_hint():
    assert not ek.check("03_aim", "better")


def test_03_measure_types():
    solution = {"referrals_share": "outcome", "fear_score": "process", "wait": "balancing"}
    assert ek.check("03_measure_types", solution)
    swapped = {"referrals_share": "outcome", "fear_score": "balancing", "wait": "process"}
    res = ek.check("03_measure_types", swapped)
    assert not res and "fear_score" in res.message
    assert not ek.check("03_measure_types", {"referrals_share": "outcome"})


# --- 04 ----------------------------------------------------------------------------

def test_04_chart_choice():
    assert ek.check("04_chart_choice", "p")
    assert ek.check("04_chart_choice", "P chart")
    for wrong in ("c", "run", "i", "u"):
        assert not ek.check("04_chart_choice", wrong)


def c_chart(centres=(2.0, 2.0, 0.5, 0.5), phases=(1, 1, 2, 2)):
    cl = pd.Series(centres, dtype=float)
    return result(
        x=range(len(cl)), y=[2, 1, 0, 1], cl=cl, ucl=cl + 3 * cl.pow(0.5), lcl=(cl - 3 * cl.pow(0.5)).clip(lower=0),
        phase=list(phases),
    )


def test_04_ward_chart():
    assert ek.check("04_ward_chart", c_chart())
    one_phase = ek.check("04_ward_chart", c_chart((1.25,) * 4, (1,) * 4))
    assert not one_phase and "phase" in one_phase.message
    i_chart = c_chart()
    i_chart.table["ucl"] = i_chart.table["cl"] + 2.0
    assert "C chart" in ek.check("04_ward_chart", i_chart).message
    run = c_chart()
    run.table["ucl"] = math.nan
    assert not ek.check("04_ward_chart", run)


# --- 05 ----------------------------------------------------------------------------

def p_chart(baseline_points=12, points=30):
    cl = 0.67
    n = pd.Series([110 + (i * 7) % 40 for i in range(points)], dtype=float)
    return result(
        x=range(points), cl=[cl] * points, ucl=cl + 3 * (cl * (1 - cl) / n).pow(0.5),
        lcl=cl - 3 * (cl * (1 - cl) / n).pow(0.5), baseline=[i < baseline_points for i in range(points)],
    )


EI = pd.DataFrame({"phase": ["baseline"] * 12 + ["testing"] * 6 + ["after changes"] * 12})


def test_05_frozen():
    assert ek.check("05_frozen", p_chart(), data=EI)
    assert "first months only" in ek.check("05_frozen", p_chart(30), data=EI).message
    assert "baseline" in ek.check("05_frozen", p_chart(6), data=EI).message
    flat = p_chart()
    flat.table["ucl"] = 0.9
    assert 'chart="p"' in ek.check("05_frozen", flat, data=EI).message


def test_05_sustain_missing():
    assert ek.check("05_sustain_missing", "training")
    assert ek.check("05_sustain_missing", "Train the staff")
    assert "already planned" in ek.check("05_sustain_missing", "documentation").message


# --- 06 ----------------------------------------------------------------------------

MINE = pd.DataFrame({"Week": ["2024-01-01", "2024-01-08"], "Missed": [3, 4], "Booked": [40, 41], "Team": ["A", "B"]})


def test_06_columns():
    assert ek.check("06_columns", {"x": "Week", "y": "Missed", "n": "Booked"}, data=MINE)
    assert not ek.check("06_columns", {"x": "Team", "y": "Missed"}, data=MINE)
    assert "not a column" in ek.check("06_columns", {"x": "week", "y": "Missed"}, data=MINE).message
    assert not ek.check("06_columns", {"x": "Week", "y": "Missed"})


def test_checks_do_not_change_the_callers_data():
    before = MINE.copy()
    ek.check("06_columns", {"x": "Week", "y": "Missed"}, data=MINE)
    pd.testing.assert_frame_equal(MINE, before)


# --- with the real kit: each notebook's solution passes, a plausible slip does not -------

@pytest.fixture(scope="module")
def appts():
    return ek.load_dataset("appointments")


def test_real_01_by_age(appts):
    solution = ek.disaggregate(appts, outcome="dna", by="age_band", reference="best", improvement="decrease")
    assert ek.check("01_by_age", solution, data=appts)
    copied_unchanged = ek.disaggregate(appts, outcome="dna", by="imd_decile", reference="most_advantaged")
    assert not ek.check("01_by_age", copied_unchanged, data=appts)
    overall = ek.disaggregate(appts, outcome="dna", by="age_band", reference="overall", improvement="decrease")
    assert "best" in ek.check("01_by_age", overall, data=appts).message


def test_real_01_under_represented():
    referrals = ek.load_dataset("referrals_by_ethnicity")
    population = ek.load_dataset("population_by_ethnicity")
    groups = ek.representation(referrals, population, by="ethnic_group", count="referrals")
    assert ek.check("01_under_represented", "Asian", result=groups)
    # The most under-represented fine-grained group is not a broad group's name.
    assert not ek.check("01_under_represented", "White", result=groups)
    assert not ek.check("01_under_represented", "Black", result=groups)
    # The detailed table (rep, by="ethnicity") is not the exercise's: the hint says which column to use.
    detailed = ek.representation(referrals, population, by="ethnicity", count="referrals")
    wrong_table = ek.check("01_under_represented", "Chinese", result=detailed)
    assert not wrong_table and "ethnic_group" in wrong_table.message
    assert "rep_groups" in ek.check("01_under_represented", "Asian", result=...).message


def test_real_02_review_and_fishbone():
    review = ek.DataReview("Missed appointments by deprivation", items=[
        {"part": "service", "question": "DNA by decile?", "found": "20% in decile 1, 6% in decile 10"},
        {"part": "supporters", "question": "What do peer workers hear?", "found": "Phone credit runs out"},
        {"part": "lived experience", "question": "What do people say?", "found": "Letters arrive late"},
    ])
    assert ek.check("02_review_parts", review)
    half = ek.DataReview("Missed appointments", items=[
        {"part": "service", "question": "DNA by decile?", "found": "a gradient"},
        {"part": "lived experience", "question": "What do people say?"},
    ])
    assert "supporters" in ek.check("02_review_parts", half).message or not ek.check("02_review_parts", half)
    solution = ek.Fishbone(effect="People from the most deprived areas miss more appointments", causes={
        "Money": ["Cost of travel"], "Communication": ["Letters go to old addresses"], "Access": ["Clinic times"]})
    assert ek.check("02_fishbone", solution)
    two = ek.Fishbone(effect=solution.effect, causes={"Money": ["Cost of travel"], "Access": ["Clinic times"]})
    assert "three categories" in ek.check("02_fishbone", two).message
    stub = ek.Fishbone(effect="...", causes={"Money": ["..."], "Communication": ["..."], "Access": ["..."]})
    assert "Replace each ..." in ek.check("02_fishbone", stub).message
    half_done = ek.Fishbone(effect=solution.effect, causes={"Money": ["Cost of travel"], "Access": ["..."],
                                                            "Communication": ["Letters"]})
    assert not ek.check("02_fishbone", half_done)


def test_real_03_aim_uses_check_aim_reasons():
    good = ("To increase cervical screening for women aged 24-49 from 54% to 68% by March 2024, "
            "narrowing the gap with women aged 50-64")
    assert ek.check("03_aim", good)
    no_amount = ek.check("03_aim", "To increase cervical screening for women aged 24-49 by March 2024")
    assert not no_amount and "how much" in no_amount.message


def _quiet_spc(*args, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        return ek.spc(*args, **kwargs)


def test_real_04_ward_chart():
    ward = ek.load_dataset("ward_incidents")
    notes = ek.PDSALog.from_frame(ek.load_dataset("pdsa_log")).annotations()
    solution = _quiet_spc(ward, x="fortnight_start", y="incidents", chart="c", phase="phase",
                          improvement="decrease", annotations=notes)
    assert ek.check("04_ward_chart", solution)
    no_phase = _quiet_spc(ward, x="fortnight_start", y="incidents", chart="c", improvement="decrease")
    assert "phase" in ek.check("04_ward_chart", no_phase).message
    i_chart = _quiet_spc(ward, x="fortnight_start", y="incidents", chart="i", phase="phase")
    assert "C chart" in ek.check("04_ward_chart", i_chart).message
    run = _quiet_spc(ward, x="fortnight_start", y="incidents", chart="run", phase="phase")
    assert not ek.check("04_ward_chart", run)


def test_real_05_frozen():
    ei = ek.load_dataset("ei_access")
    args = dict(x="month", y="ethnic_minority_users", n="service_users", improvement="increase")
    assert ek.check("05_frozen", _quiet_spc(ei, chart="p", freeze=12, **args), data=ei)
    assert "baseline" in ek.check("05_frozen", _quiet_spc(ei, chart="p", freeze=6, **args), data=ei).message
    with_phases = _quiet_spc(ei, chart="p", freeze=12, phase="phase", **args)
    assert not ek.check("05_frozen", with_phases, data=ei)
    assert not ek.check("05_frozen", _quiet_spc(ei, chart="p", **args), data=ei)


def test_real_06_columns(tmp_path, appts):
    path = tmp_path / "export.csv"
    appts.head(200).to_csv(path, index=False)
    mine = ek.read_data(path, dates="date", binary="dna")
    assert ek.check("06_columns", {"x": "date", "y": "dna"}, data=mine)
    assert not ek.check("06_columns", {"x": "team", "y": "dna"}, data=mine)
    assert "not a column" in ek.check("06_columns", {"x": "Date", "y": "dna"}, data=mine).message
