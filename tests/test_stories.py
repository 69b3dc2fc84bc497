"""The published stories, end to end on the bundled data, as the notebooks tell them.

Each test builds one story from data/ with the public API and checks what the
method says should be seen (figures from the published work: racist incidents
2 -> 0.3 a fortnight on a C chart; EI access 67% -> 85% on a P chart; the
screening gap 8 -> 3 points with both age groups improving). The limits
themselves are pinned against qicharts2 in test_spc_reference.py; here the C
chart's limits are also checked against the textbook formula cl +/- 3 sqrt(cl).
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

import equitykit as ek

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.simplefilter("ignore", ek.SPCWarning)


def _spec_text(chart) -> str:
    """The spec as text, with wrapped labels joined again."""
    return str(chart.to_dict()).replace("\\n", " ")


def test_ward_racism_story() -> None:
    ward = ek.load_dataset("ward_incidents")
    log = ek.PDSALog.from_csv(DATA / "pdsa_log.csv")
    notes = log.annotations()
    res = ek.spc(ward, x="fortnight_start", y="incidents", chart="c", phase="phase",
                 improvement="decrease", annotations=notes)
    summary = res.summary()
    first, last = summary.iloc[0], summary.iloc[-1]
    assert first["cl"] == pytest.approx(2, abs=0.25)
    assert last["cl"] == pytest.approx(0.3, abs=0.1)
    # C chart limits: cl +/- 3 sqrt(cl), lower floored at 0.
    assert first["ucl"] == pytest.approx(first["cl"] + 3 * math.sqrt(first["cl"]), rel=1e-12)
    assert first["lcl"] == 0
    # Every PDSA cycle is drawn on the chart, labelled.
    text = _spec_text(res.chart())
    for label in notes["label"]:
        assert label in text
    # The three change ideas of the published work are in the log.
    ideas = " ".join(log.table["change_idea"]).lower()
    for idea in ("post-incident", "safety cross", "training"):
        assert idea in ideas

    fb = ek.Fishbone("Racist incidents on the ward", causes={
        "People": ["Staff unsure how to respond"], "Process": ["No post-incident plan"],
        "Culture": ["Racism not named"], "Environment": ["Crowded lounge"]})
    assert "Racist incidents on the ward" in _spec_text(fb.chart())

    dd = ek.DriverDiagram("Cut racist incidents experienced by staff and service users by 75%", primary=[
        ek.Driver("Response to incidents", change_ideas=[ek.ChangeIdea("Post-incident action plan", status="adopted")]),
        ek.Driver("Visibility", change_ideas=[ek.ChangeIdea("Safety cross at huddles", status="adopted")]),
        ek.Driver("Skills and culture", change_ideas=[ek.ChangeIdea("Racial trauma and bias training")]),
    ])
    assert len(dd.change_ideas) == 3
    spec = _spec_text(dd.chart())
    assert "Safety cross at huddles" in spec and "Racial trauma and bias training" in spec

    incidents = ek.load_dataset("ward_incident_log")
    cross = ek.safety_cross(incidents, x="date", by="category", month="2020-09").chart()
    days = [r for rows in cross.to_dict()["datasets"].values() for r in rows if "day" in r]
    assert {r["day"] for r in days} >= set(range(1, 31))
    month = incidents[(incidents["date"] >= "2020-09-01") & (incidents["date"] < "2020-10-01")]
    racist_days = set(month.loc[month["category"] == "racist incident", "date"].dt.day)
    assert racist_days, "the story needs at least one racist incident that month"


def test_early_intervention_story() -> None:
    ei = ek.load_dataset("ei_access")
    res = ek.spc(ei, x="month", y="ethnic_minority_users", n="service_users", chart="p",
                 phase="phase", improvement="increase", multiply=100)
    summary = res.summary()
    assert summary.iloc[0]["cl"] == pytest.approx(67, abs=2.5)
    assert summary.iloc[-1]["cl"] == pytest.approx(85, abs=2.5)
    t = res.table
    assert (t["ucl"] <= 100).all() and (t["lcl"] >= 0).all()
    # P chart limits vary with n: more than one distinct limit within a phase.
    assert t.groupby("phase")["ucl"].nunique().max() > 1


def test_screening_story_by_group_and_through_the_lens() -> None:
    cs = ek.load_dataset("cervical_screening")
    res = ek.spc(cs, x="month", y="screened", n="eligible", chart="p", by="age_group", multiply=100)
    assert set(res.table["age_group"]) == {"24-49", "50-64"}
    lens = ek.equity_lens(cs, x="month", outcome="screened", n="eligible", by="age_group",
                          change="phase", improvement="increase")
    assert lens.verdict == "narrowed"
    s = lens.summary().set_index("period")
    assert s.loc["before", "rate_24-49"] == pytest.approx(54, abs=2)
    assert s.loc["after", "rate_24-49"] == pytest.approx(68, abs=2)
    assert s.loc["before", "rate_50-64"] == pytest.approx(62, abs=2)
    assert s.loc["after", "rate_50-64"] == pytest.approx(71, abs=2)


def test_deprivation_and_missed_appointments_story() -> None:
    appts = ek.load_dataset("appointments")
    gap = ek.disaggregate(appts, outcome="dna", by="imd_decile", reference="most_advantaged",
                          improvement="decrease")
    t = gap.table.set_index("imd_decile")
    assert t.loc[1, "rate"] > 2 * t.loc[10, "rate"]
    assert bool(t.loc[10, "is_reference"])
    sii = gap.sii(repetitions=2000, seed=1)
    assert float(sii.table["sii"].iloc[0]) < 0  # fewer missed appointments towards the least deprived


def test_talking_therapies_story() -> None:
    aim = ek.AimStatement(what="referrals to talking therapies", group="Black men aged 18-25",
                          baseline=1.5, target=1.8, unit="%", by_when="December 2023", improvement="increase")
    assert ek.check_aim(aim.sentence).ok
    dd = ek.DriverDiagram(aim, primary=[
        ek.Driver("Stigma", change_ideas=[ek.ChangeIdea("Sessions in barbers and community spaces"),
                                          ek.ChangeIdea("Work with local leaders")]),
        ek.Driver("A workforce that reflects the community",
                  change_ideas=[ek.ChangeIdea("Staff who reflect the community")]),
    ])
    assert "Stigma" in _spec_text(dd.chart())
    plan = ek.MeasurementPlan([
        ek.Measure("Share of referrals for Black men aged 18-25", type="outcome", data_kind="classification",
                   numerator="referrals of Black men 18-25", denominator="all referrals"),
        ek.Measure("Community sessions held", type="process", data_kind="count"),
        ek.Measure("Wait from referral to first appointment", type="balancing", data_kind="continuous"),
    ])
    assert plan.check().missing == []  # outcome, process and balancing all present
    charts = plan.suggest_chart()
    assert list(charts["chart"]) == ["p", "c", "i"]
    tt = ek.load_dataset("talking_therapies")
    share = tt["black_men_18_25"].sum() / tt["referrals"].sum() * 100
    assert 1.4 < share < 1.9
