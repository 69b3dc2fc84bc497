"""Tests for equitykit.plans: aim statements, the aim checker and the measurement plan.

The aim checker is tested on the aims published by the trust (all four elements
present) and on weak aims, checking exactly which elements are reported missing.
Chart suggestions follow the usual SPC chart selection (Provost and Murray, The
Health Care Data Guide, 2011; qicharts2's chart types).
"""
from __future__ import annotations

import io
import os
from contextlib import redirect_stdout

import pytest

import equitykit as ek
from equitykit import files
from equitykit.plans import AIM_ELEMENTS, AimStatement, Measure, MeasurementPlan, check_aim
from equitykit.validation import EquityKitError

PUBLISHED_AIMS = [
    "a 50% recovery rate for Bangladeshi patients accessing talking therapies by 31 March 2024",
    "reduce recorded incidents against LGBTQ+ patients on an inpatient ward by 50% by December 2023",
    "To increase referrals to talking therapies for young Black men aged 18-25 years from 1.5% to 1.8% "
    "by December 2023",
]


# ----------------------------------------------------------------- aim statement


def test_aim_sentence_for_the_talking_therapies_case():
    aim = AimStatement("referrals to talking therapies", "Black men aged 18-25", baseline=1.5, target=1.8,
                       by_when="December 2023")
    assert aim.sentence == (
        "Increase referrals to talking therapies for Black men aged 18-25 from 1.5% to 1.8% by December 2023."
    )
    assert aim.improvement == "increase"
    assert aim.check().ok


def test_aim_sentence_other_shapes():
    lgbtq = AimStatement("recorded incidents", "LGBTQ+ patients on an inpatient ward", change=50,
                         improvement="decrease", by_when="December 2023", link="against")
    assert lgbtq.sentence == ("Reduce recorded incidents against LGBTQ+ patients on an inpatient ward "
                              "by 50% by December 2023.")
    recovery = AimStatement("the recovery rate", "Bangladeshi patients accessing talking therapies", target=50,
                            improvement="increase", by_when="31 March 2024")
    assert recovery.sentence == ("Increase the recovery rate for Bangladeshi patients accessing talking therapies "
                                 "to 50% by 31 March 2024.")
    ward = AimStatement("racist incidents", "staff and service users on the ward", baseline=2, target=0.5,
                        unit="incidents a fortnight", by_when="March 2021", link="experienced by")
    assert ward.sentence == ("Reduce racist incidents experienced by staff and service users on the ward "
                             "from 2 to 0.5 incidents a fortnight by March 2021.")
    for aim in (lgbtq, recovery):
        assert aim.check().ok


def test_aim_bad_input():
    with pytest.raises(EquityKitError, match="no date"):
        AimStatement("referrals", "Black men aged 18-25", baseline=1.5, target=1.8)
    with pytest.raises(EquityKitError, match="how much"):
        AimStatement("referrals", "Black men aged 18-25", by_when="2024")
    with pytest.raises(EquityKitError, match="group"):
        AimStatement("referrals", "", target=2, improvement="increase", by_when="2024")
    with pytest.raises(EquityKitError, match="says decrease but goes from 1.5 to 1.8"):
        AimStatement("referrals", "Black men", baseline=1.5, target=1.8, improvement="decrease", by_when="2024")
    with pytest.raises(EquityKitError, match="improvement='increase' or improvement='decrease'"):
        AimStatement("referrals", "Black men", change=10, by_when="2024")


def test_aim_yaml_round_trip_and_typo(tmp_path):
    aim = AimStatement("referrals to talking therapies", "Black men aged 18-25", baseline=1.5, target=1.8,
                       by_when="December 2023")
    again = AimStatement.from_yaml(aim.to_yaml(tmp_path / "aim.yaml"))
    assert again == aim and again.sentence == aim.sentence
    (tmp_path / "bad.yaml").write_text("what: referrals\ngroup: Black men\ntarget: 2\nby_whn: 2024\n")
    with pytest.raises(EquityKitError, match="'by_whn'. Did you mean 'by_when'"):
        AimStatement.from_yaml(tmp_path / "bad.yaml")


def test_aim_save_is_atomic(tmp_path, monkeypatch):
    aim = AimStatement("referrals", "Black men aged 18-25", baseline=1.5, target=1.8, by_when="2024")
    path = aim.to_yaml(tmp_path / "aim.yaml")
    before = path.read_text()
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        AimStatement("waits", "women", target=3, improvement="decrease", by_when="2025").to_yaml(path)
    assert path.read_text() == before and os.listdir(tmp_path) == ["aim.yaml"]


# ----------------------------------------------------------------- aim checker


@pytest.mark.parametrize("text", PUBLISHED_AIMS)
def test_published_aims_have_all_four_elements(text):
    res = check_aim(text)
    assert res.ok and res.missing == [] and bool(res)
    assert set(res.found) == set(AIM_ELEMENTS)


def test_what_the_checker_finds_in_the_published_aims():
    found = [check_aim(t).found for t in PUBLISHED_AIMS]
    assert found[0]["group"] == "Bangladeshi" and found[0]["by when"] == "31 March 2024"
    assert found[0]["how much"] == "50%"
    assert found[1]["group"] == "LGBTQ+" and found[1]["how much"] == "by 50%"
    assert found[1]["by when"] == "by December 2023"
    assert found[2]["group"] == "Black" and found[2]["how much"].startswith("from 1.5% to 1.8")
    assert found[2]["inequity"] == "referrals"


@pytest.mark.parametrize(
    "text, missing",
    [
        ("Improve access", ["group", "how much", "by when"]),
        ("Reduce DNAs for deprived patients", ["how much", "by when"]),
        ("Increase screening by 10%", ["group", "by when"]),
        ("Increase uptake for women aged 24-49 by 2025", ["how much"]),
        ("Reduce waits for disabled people by 31 March 2024", ["how much"]),
        ("Make things better for everyone", ["inequity", "group", "how much", "by when"]),
        ("Increase referrals of young men aged 18-25", ["how much", "by when"]),
        ("By June 2024, 60% of Pakistani women are screened", []),
    ],
)
def test_weak_aims_report_exactly_what_is_missing(text, missing):
    res = check_aim(text)
    assert res.missing == missing
    assert res.ok is (not missing)
    assert list(res.reasons) == missing
    assert all(len(reason) > 40 for reason in res.reasons.values())


def test_age_range_is_a_group_not_an_amount_and_a_date_is_not_an_amount():
    res = check_aim("Increase referrals for men aged 18-25 by December 2023")
    assert res.missing == ["how much"]
    res = check_aim("Reduce waits for people in the most deprived decile by 31 March 2024")
    assert res.missing == ["how much"]


def test_checker_gives_hints_without_printing_or_writing_the_aim():
    text = "Reduce DNAs for deprived patients"
    out = io.StringIO()
    with redirect_stdout(out):
        res = check_aim(text)
        res._repr_html_()
        repr(res)
    assert out.getvalue() == ""
    table = res.table
    assert table["element"].tolist() == list(AIM_ELEMENTS)
    assert table["present"].tolist() == [True, True, False, False]
    # the hints explain what is missing; they never hand back a finished aim for this project
    for hint in res.reasons.values():
        assert "DNA" not in hint and "deprived patients" not in hint


# ----------------------------------------------------------------- measurement plan


def fear_of_childbirth_plan() -> MeasurementPlan:
    return MeasurementPlan([
        Measure("% of referrals for ethnic-minority women", "outcome", "classification",
                numerator="Referrals of ethnic-minority women", denominator="All referrals",
                source="Referral system", frequency="monthly", owner="Service lead"),
        Measure("Fear of childbirth score", "process", "continuous", definition="Score on a standard scale",
                source="Clinic records", frequency="each appointment", owner="Psychologist"),
        Measure("Days from referral to first appointment", "balancing", "continuous", subgroup_size=5,
                source="Referral system", frequency="weekly", owner="Administrator"),
    ])


def talking_therapies_plan() -> MeasurementPlan:
    return MeasurementPlan([
        {"name": "% of referrals that are Black men aged 18-25", "type": "outcome", "data_kind": "classification",
         "numerator": "Referrals of Black men aged 18-25", "denominator": "All referrals aged 18-25",
         "source": "Talking therapies database", "frequency": "monthly", "owner": "Data lead",
         "definition": "Self-reported ethnicity, age at referral"},
        {"name": "Sessions held in barbers' shops", "type": "process", "data_kind": "count",
         "source": "Outreach log", "frequency": "monthly", "owner": "Outreach worker", "definition": "x"},
        {"name": "Wait to first appointment for other groups", "type": "balancing", "data_kind": "continuous",
         "source": "Database", "frequency": "monthly", "owner": "Data lead", "definition": "days"},
    ], aim="Increase referrals to talking therapies for Black men aged 18-25 from 1.5% to 1.8% by December 2023")


def test_measurement_plan_with_all_three_types_passes_the_check():
    res = talking_therapies_plan().check()
    assert res.ok and res.missing == [] and res.gaps == {}


def test_measurement_plan_reports_missing_types_and_empty_details():
    plan = MeasurementPlan([Measure("Racist incidents per fortnight", "outcome", "count")])
    res = plan.check()
    assert not res.ok and res.missing == ["process", "balancing"]
    assert "balancing" in res.reasons["balancing"].lower()
    assert res.gaps == {"Racist incidents per fortnight": ["definition", "source", "frequency", "owner"]}


@pytest.mark.parametrize(
    "kwargs, chart",
    [
        (dict(data_kind="classification", denominator="All referrals"), "p"),
        (dict(data_kind="count"), "c"),
        (dict(data_kind="count", denominator="Occupied bed days"), "u"),
        (dict(data_kind="rate", denominator="Occupied bed days"), "u"),
        (dict(data_kind="continuous"), "i"),
        (dict(data_kind="continuous", subgroup_size=5), "xbar"),
        (dict(data_kind="rare event", denominator="admissions"), "g"),
        (dict(data_kind="rare event"), "t"),
        (dict(data_kind="Rare events"), "t"),
        (dict(data_kind="proportion"), "p"),
    ],
)
def test_suggest_chart(kwargs, chart):
    assert Measure("m", "outcome", **kwargs).suggest_chart() == chart


def test_plan_suggestions_and_table():
    plan = fear_of_childbirth_plan()
    suggested = plan.suggest_chart()
    assert suggested["chart"].tolist() == ["p", "i", "xbar"]
    assert suggested.columns.tolist() == ["measure", "data_kind", "chart", "chart_name", "why"]
    table = plan.table
    assert table["type"].tolist() == ["outcome", "process", "balancing"]
    assert table["chart"].tolist() == ["p", "i", "xbar"]
    assert "Measurement plan" in plan._repr_html_()


def test_measure_bad_input():
    with pytest.raises(EquityKitError, match="type 'outcom'.*Did you mean 'outcome'"):
        Measure("x", "outcom")
    with pytest.raises(EquityKitError, match="data_kind 'cont'"):
        Measure("x", "outcome", "cont")
    with pytest.raises(EquityKitError, match="no data_kind"):
        Measure("x", "outcome").suggest_chart()
    with pytest.raises(EquityKitError, match="appears twice"):
        MeasurementPlan([Measure("x", "outcome"), Measure("x", "process")])


def test_plan_yaml_round_trip_and_typo(tmp_path):
    for plan in (fear_of_childbirth_plan(), talking_therapies_plan()):
        again = MeasurementPlan.from_yaml(plan.to_yaml(tmp_path / "plan.yaml"))
        assert again == plan
    (tmp_path / "bad.yaml").write_text("measures:\n  - name: x\n    type: outcome\n    numerater: a\n")
    with pytest.raises(EquityKitError, match="'numerater'. Did you mean 'numerator'"):
        MeasurementPlan.from_yaml(tmp_path / "bad.yaml")


def test_public_names():
    for name in ("AimStatement", "check_aim", "Measure", "MeasurementPlan", "AimCheck"):
        assert name in ek.__all__ and hasattr(ek, name)
