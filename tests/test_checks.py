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


# --- the battery: per exercise, plausible wrong answers and right answers worded differently ---
#
# Each case: (label, answer, context, passes, a phrase the message must contain). Answers that
# need the real kit are built lazily (a callable), once per session.

import functools
import warnings


@functools.cache
def data(name):
    return ek.load_dataset(name)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@functools.cache
def gap(**kwargs):
    return quiet(ek.disaggregate, data("appointments"), outcome="dna", **kwargs)


@functools.cache
def rep(by):
    return ek.representation(data("referrals_by_ethnicity"), data("population_by_ethnicity"), by=by, count="referrals")


@functools.cache
def notes():
    return ek.PDSALog.from_frame(data("pdsa_log")).annotations()


def ward(**kwargs):
    args = dict(x="fortnight_start", y="incidents", chart="c", phase="phase", improvement="decrease",
                annotations=notes())
    args.update(kwargs)
    return quiet(ek.spc, data("ward_incidents"), **{k: v for k, v in args.items() if v is not None})


def frozen(**kwargs):
    args = dict(x="month", y="ethnic_minority_users", n="service_users", chart="p", freeze=12, improvement="increase")
    args.update(kwargs)
    return quiet(ek.spc, data("ei_access"), **{k: v for k, v in args.items() if v is not None})


def fishbone(effect="People from the most deprived areas miss more appointments", **causes):
    causes = causes or {"Money": ["Cost of travel"], "Communication": ["Letters go to old addresses"],
                        "Access": ["Clinic times clash with shifts"]}
    return ek.Fishbone(effect=effect, causes=causes)


@functools.cache
def mine():
    frame = data("appointments")
    return frame[frame["team"] == "Perinatal"].reset_index(drop=True)


def review(figures, supporters, lived):
    return {"figures": figures, "people who support": supporters, "lived experience": lived}


def aim(**kwargs):
    args = dict(what="cervical screening", group="women aged 24-49", baseline=54, target=68, by_when="March 2025")
    args.update(kwargs)
    return ek.AimStatement(**args)


STUB = STUB_MESSAGE[:20]
REMOVE_CHART = "remove `.chart()`"

BATTERY = {
    "00_gap_after": [
        ("stub", ..., {}, False, STUB),
        ("in quotes", "3", {}, False, "without quotation marks"),
        ("wrong sign", 68 - 71, {}, False, "wrong sign"),
        ("the gap before", 62 - 54, {}, False, "gap before"),
        ("as a fraction", 0.03, {}, False, "percentage points"),
        ("one group's change", 68 - 54, {}, False, "how much one group improved"),
        ("the other group's change", 71 - 62, {}, False, "how much one group improved"),
        ("one group's figure", 71, {}, False, "one group's figure"),
        ("words", "three points", {}, False, "number of percentage points"),
        ("a list", [71, 68], {}, False, "number of percentage points"),
        ("a sum", 71 - 68, {}, True, "Yes"),
        ("a number", 3, {}, True, "Yes"),
        ("a float", 3.0, {}, True, "Yes"),
        ("a numpy number", __import__("numpy").int64(3), {}, True, "Yes"),
    ],
    "00_effect": [
        ("stub", ..., {}, False, STUB),
        ("widened", "widened", {}, False, "catch up"),
        ("maintained", "maintained", {}, False, "did not stay the same"),
        ("same", "same", {}, False, "did not stay the same"),
        ("grew, in a sentence", "the gap grew", {}, False, "catch up"),
        ("negated", "it did not narrow", {}, False, "one of the three words"),
        ("two verdicts", "narrowed then widened", {}, False, "one of the three words"),
        ("a number", 3, {}, False, "quotation marks"),
        ("better", "better", {}, False, "one of the three words"),
        ("improved", "improved", {}, False, "one of the three words"),
        ("a list", ["narrowed"], {}, False, "quotation marks"),
        ("narrowed", "narrowed", {}, True, "narrowed it"),
        ("capitals and a full stop", " Narrowed. ", {}, True, "Yes"),
        ("narrow", "narrow", {}, True, "Yes"),
        ("narrowing", "NARROWING", {}, True, "Yes"),
        ("in a sentence", "The gap has narrowed.", {}, True, "Yes"),
        ("in other words", "the gap got smaller", {}, True, "Yes"),
    ],
    "01_by_age": [
        ("stub", ..., {}, False, STUB),
        ("copied unchanged", lambda: gap(by="imd_decile", reference="most_advantaged", improvement="decrease"),
         {"data": data("appointments")}, False, "age band column"),
        ("wrong group column", lambda: gap(by="ethnicity", reference="best", improvement="decrease"),
         {"data": data("appointments")}, False, "age band column"),
        ("overall reference", lambda: gap(by="age_band", reference="overall", improvement="decrease"),
         {"data": data("appointments")}, False, 'reference="best"'),
        ("wrong direction", lambda: gap(by="age_band", reference="best", improvement="increase"),
         {"data": data("appointments")}, False, 'improvement="decrease"'),
        ("a chart", lambda: gap(by="age_band", reference="best", improvement="decrease").chart(),
         {"data": data("appointments")}, False, REMOVE_CHART),
        ("a summary", lambda: gap(by="age_band", reference="best", improvement="decrease").summary(),
         {"data": data("appointments")}, False, "remove `.summary()`"),
        ("the data itself", lambda: data("appointments"), {"data": data("appointments")}, False, "ek.disaggregate"),
        ("a word", "age_band", {"data": data("appointments")}, False, "ek.disaggregate"),
        ("a named reference that is not the best", lambda: gap(by="age_band", reference="18-24", improvement="decrease"),
         {"data": data("appointments")}, False, "reference"),
        ("the solution", lambda: gap(by="age_band", reference="best", improvement="decrease"),
         {"data": data("appointments")}, True, "fewest"),
        ("arguments in another order", lambda: quiet(ek.disaggregate, data("appointments"), by="age_band",
                                                     improvement="decrease", outcome="dna", reference="best"),
         {"data": data("appointments")}, True, "Yes"),
        ("with a confidence level", lambda: gap(by="age_band", reference="best", improvement="decrease", confidence=0.9),
         {"data": data("appointments")}, True, "Yes"),
        ("the best group named", lambda: gap(by="age_band", reference="65-74", improvement="decrease"),
         {"data": data("appointments")}, True, "Yes"),
    ],
    "01_under_represented": [
        ("stub", ..., {"result": lambda: rep("ethnic_group")}, False, STUB),
        ("not in quotes", 3, {"result": lambda: rep("ethnic_group")}, False, "quotation marks"),
        ("most over-represented", "White", {"result": lambda: rep("ethnic_group")}, False, "over-represented"),
        ("over 1", "Black", {"result": lambda: rep("ethnic_group")}, False, "not"),
        ("a detailed group", "Chinese", {"result": lambda: rep("ethnic_group")}, False, "not one of the groups"),
        ("typo", "Asain", {"result": lambda: rep("ethnic_group")}, False, "spelling"),
        ("table not made", "Asian", {"result": ...}, False, "rep_groups"),
        ("detailed table", "Chinese", {"result": lambda: rep("ethnicity")}, False, 'by="ethnic_group"'),
        ("a chart instead of the table", "Asian", {"result": lambda: rep("ethnic_group").chart()}, False, REMOVE_CHART),
        ("a list", ["Asian"], {"result": lambda: rep("ethnic_group")}, False, "quotation marks"),
        ("right", "Asian", {"result": lambda: rep("ethnic_group")}, True, "furthest below"),
        ("lower case", "asian", {"result": lambda: rep("ethnic_group")}, True, "Yes"),
        ("spaces", "  Asian ", {"result": lambda: rep("ethnic_group")}, True, "Yes"),
        ("full stop", "Asian.", {"result": lambda: rep("ethnic_group")}, True, "Yes"),
    ],
    "02_review_parts": [
        ("stub", {"figures": [...], "people who support": [...], "lived experience": [...]}, {}, False, STUB),
        ("placeholders kept", review(["..."], ["..."], ["..."]), {}, False, "replace its"),
        ("old list form", ["DNA rates", "staff", "patients"], {}, False, "Keep the dictionary"),
        ("a sentence", "data, staff and patients", {}, False, "Keep the dictionary"),
        ("slot name typo", {"figures": ["DNA rates"], "people who suport": ["staff"], "lived experience": ["patients"]},
         {}, False, "spelling"),
        ("three kinds of data", review(["DNA rates by team"], ["DNA rates by decile"], ["attendance figures"]),
         {}, False, "sounds like figures"),
        ("words in the wrong slots", review(["talk to people who have missed appointments"], ["DNA rates by team"],
                                            ["reception staff"]), {}, False, "sounds like lived experience"),
        ("supporters as lived experience", review(["DNA rates by team"], ["reception staff"], ["GPs and practice nurses"]),
         {}, False, "sounds like people who support"),
        ("patients as supporters", review(["DNA rates by team"], ["patients who miss appointments"], ["focus group"]),
         {}, False, '"people who support" slot'),
        ("empty slot", review(["DNA rates by team"], [], ["patients"]), {}, False, "empty"),
        ("vague", review(["DNA rates by team"], ["reception staff"], ["find out more"]), {}, False, "cannot tell"),
        ("the prompt's own example", review(["DNA rates by team"], ["reception staff"], ["patients who missed appointments"]),
         {}, True, "Yes"),
        ("talk to people", review(["Missed appointments by postcode", "an audit of reminder letters"],
                                  ["GP receptionists", "community groups"],
                                  ["talk to people who have missed appointments"]), {}, True, "Yes"),
        ("focus group", review("Attendance figures by deprivation decile", "Carers and the local food bank",
                               "A focus group with people from deprived areas"), {}, True, "Yes"),
        ("interviews and stories", review(["Percentage of appointments missed each month"],
                                          ["Link workers and voluntary organisations"],
                                          ["Interviews with service users", "their stories"]), {}, True, "Yes"),
        ("other wordings", review(["How many appointments are missed in each postcode"],
                                  ["Ask the receptionists what they notice", "Healthwatch"],
                                  ["Listen to the experiences of people living in deprived areas"]), {}, True, "Yes"),
        ("a DataReview", lambda: ek.DataReview("Missed appointments", items=[
            {"part": "service", "question": "DNA by decile?", "found": "20% in decile 1, 6% in decile 10"},
            {"part": "supporters", "question": "What do peer workers hear?", "found": "Phone credit runs out"},
            {"part": "lived experience", "question": "What do people say?", "found": "Letters arrive late"}]),
         {}, True, "Yes"),
    ],
    "02_fishbone": [
        ("stub", ..., {}, False, STUB),
        ("placeholders kept", lambda: fishbone("...", Money=["..."], Communication=["..."], Access=["..."]), {}, False,
         "Replace each ..."),
        ("one placeholder kept", lambda: fishbone(Money=["Cost of travel"], Communication=["..."], Access=["Far away"]),
         {}, False, "Replace each ..."),
        ("two categories", lambda: fishbone(Money=["Cost of travel"], Access=["Clinic times"]), {}, False, "three categories"),
        ("an empty category", SimpleNamespace(effect="People in deprived areas miss more appointments",
                                              causes={"Money": ["Cost"], "Access": ["Far"], "Culture": []}), {}, False,
         "Culture"),
        ("one-word effect", lambda: fishbone("DNAs"), {}, False, "short sentence"),
        ("a chart", lambda: fishbone().chart(), {}, False, REMOVE_CHART),
        ("a dictionary", {"Money": ["Cost"]}, {}, False, "ek.Fishbone"),
        ("text", "cost, letters, access", {}, False, "ek.Fishbone"),
        ("three categories", lambda: fishbone(), {}, True, "Yes"),
        ("four categories", lambda: fishbone(Money=["Travel"], People=["Not welcome"], Place=["Far"], Post=["Old address"]),
         {}, True, "Yes"),
        ("several causes each", lambda: fishbone("Most deprived patients miss more appointments",
                                                 Cost=["Bus fares", "Phone credit"], Letters=["Old addresses", "English only"],
                                                 Times=["Shift work"]), {}, True, "Yes"),
        ("short category names", lambda: fishbone("Deprived areas: more missed appointments", A=["x y"], B=["z"], C=["w"]),
         {}, True, "Yes"),
    ],
    "03_aim": [
        ("stub", ..., {}, False, STUB),
        ("a word", "screening", {}, False, "as a sentence"),
        ("proportions for percentages", ek.AimStatement(what="cervical screening", group="women aged 24-49",
                                                         baseline=0.54, target=0.62, unit="%", by_when="March 2025"),
         {}, False, "whole numbers"),
        ("a start that is not the group's", "Increase screening for women aged 24-49 from 45% to 62% by March 2025",
         {}, False, "Start from where the women aged 24-49 are now"),
        ("no group", "To increase cervical screening from 54% to 68% by March 2025", {}, False, "group"),
        ("the advantaged group", "Increase screening for women aged 50-64 from 62% to 80% by March 2025", {}, False,
         "already ahead"),
        ("reduces screening", "Reduce cervical screening for women aged 24-49 by 10% by March 2025", {}, False,
         "lower screening"),
        ("target below baseline", "Cervical screening for women aged 24-49 to go from 54% to 45% by March 2025", {}, False,
         "lower than where"),
        ("no date", "Increase cervical screening for women aged 24-49 from 54% to 68%", {}, False, "by when"),
        ("no amount", "Increase cervical screening for women aged 24-49 by March 2025", {}, False, "how much"),
        ("starts from the other group's figure", "Increase screening for women aged 24-49 from 62% to 70% by 2025", {},
         False, "62%"),
        ("an AimStatement for the advantaged group", lambda: aim(group="women aged 50-64", baseline=62, target=80), {},
         False, "already ahead"),
        ("an AimStatement going down", lambda: aim(baseline=54, target=40), {}, False, "lower"),
        ("another service's aim", "To improve access to talking therapies for everyone by 2025 by 10%", {}, False,
         "screening"),
        ("over 100%", "Increase cervical screening for women aged 24-49 from 54% to 140% by 2025", {}, False, "100%"),
        ("both groups alike", "Increase screening for women aged 24-49 and 50-64 by 10% by 2025", {}, False,
         "keeps the gap"),
        ("the notebook's form", lambda: aim(), {}, True, "group behind"),
        ("date first", "By April 2025, increase cervical screening among women aged 25 to 49 from 54% to 65%", {}, True,
         "Yes"),
        ("narrow the gap", "Narrow the gap in cervical screening between women aged 24-49 and women aged 50-64 from 8 "
                           "to 3 points by December 2025", {}, True, "Yes"),
        ("younger women", "More younger women (under 50) screened for cervical cancer: from 54% to 62% by the end of 2025",
         {}, True, "Yes"),
        ("an AimStatement with a relative change", lambda: aim(baseline=None, target=None, change=20, improvement="increase"),
         {}, True, "Yes"),
        ("the aim's sentence", lambda: aim().sentence, {}, True, "Yes"),
    ],
    "03_measure_types": [
        ("stub", {"referrals_share": ..., "fear_score": ..., "wait": ...}, {}, False, STUB),
        ("fear and wait swapped", {"referrals_share": "outcome", "fear_score": "balancing", "wait": "process"}, {}, False,
         "fear_score"),
        ("all outcome", {"referrals_share": "outcome", "fear_score": "outcome", "wait": "outcome"}, {}, False, "fear_score"),
        ("outcome and process swapped", {"referrals_share": "process", "fear_score": "outcome", "wait": "balancing"}, {},
         False, "referrals_share"),
        ("a measure lost", {"referrals_share": "outcome", "wait": "balancing"}, {}, False, "lost a measure"),
        ("a key renamed", {"referral_share": "outcome", "fear_score": "process", "wait": "balancing"}, {}, False,
         "referrals_share"),
        ("a typo in a type", {"referrals_share": "outcome", "fear_score": "proccess", "wait": "balancing"}, {}, False,
         "fear_score"),
        ("a list", ["outcome", "process", "balancing"], {}, False, "Keep the dictionary"),
        ("text", "outcome, process, balancing", {}, False, "Keep the dictionary"),
        ("the solution", {"referrals_share": "outcome", "fear_score": "process", "wait": "balancing"}, {}, True, "one of each"),
        ("capitals", {"referrals_share": "Outcome", "fear_score": "PROCESS", "wait": "Balancing"}, {}, True, "Yes"),
        ("with 'measure'", {"referrals_share": "outcome measure", "fear_score": "process measure", "wait": "balancing measure"},
         {}, True, "Yes"),
        ("balance", {"wait": "balance", "fear_score": "process ", "referrals_share": " outcome"}, {}, True, "Yes"),
        ("plurals", {"wait": "balancing measures", "fear_score": "processes", "referrals_share": "outcomes"}, {}, True, "Yes"),
    ],
    "04_chart_choice": [
        ("stub", ..., {}, False, STUB),
        ("c", "c", {}, False, "C chart counts events"),
        ("u", "u", {}, False, "U chart"),
        ("i", "I", {}, False, "I chart"),
        ("run", "run", {}, False, "run chart"),
        ("xmr", "XmR", {}, False, "I chart"),
        ("g", "g", {}, False, "G chart"),
        ("no quotes", 3, {}, False, "quotation marks"),
        ("something else", "bar", {}, False, "one of the chart types"),
        ("p", "p", {}, True, "P chart"),
        ("capital", "P", {}, True, "Yes"),
        ("with chart", "P chart", {}, True, "Yes"),
        ("hyphen", "p-chart", {}, True, "Yes"),
        ("p prime", "p'", {}, True, "Yes"),
        ("quotes inside the quotes", "'p'", {}, True, "Yes"),
        ("the argument as written", "chart='p'", {}, True, "Yes"),
        ("the measure, not the chart", "percentage", {}, False, "Nearly"),
    ],
    "04_ward_chart": [
        ("stub", ..., {}, False, STUB),
        ("a chart", lambda: ward().chart(), {}, False, REMOVE_CHART),
        ("the data", lambda: data("ward_incidents"), {}, False, "ek.spc"),
        ("wrong direction", lambda: ward(improvement="increase"), {}, False, 'improvement="decrease"'),
        ("no direction", lambda: ward(improvement=None), {}, False, 'improvement="decrease"'),
        ("no annotations", lambda: ward(annotations=None), {}, False, "annotations=pdsa.annotations()"),
        ("no phase", lambda: ward(phase=None), {}, False, 'phase="phase"'),
        ("freeze instead of phase", lambda: ward(phase=None, freeze=27), {}, False, 'phase="phase"'),
        ("Making Data Count's XmR chart", lambda: ward(rules="mdc", chart=None), {}, False, 'chart="c"'),
        ("run chart", lambda: ward(chart="run"), {}, False, 'chart="c"'),
        ("i chart", lambda: ward(chart="i"), {}, False, 'chart="c"'),
        ("wrong data", lambda: quiet(ek.spc, data("ei_access"), x="month", y="ethnic_minority_users", chart="c",
                                     phase="phase", improvement="decrease"), {}, False, "not the dates"),
        ("the solution", lambda: ward(), {}, True, "PDSA cycles marked"),
        ("arguments in another order", lambda: quiet(ek.spc, data("ward_incidents"), y="incidents", x="fortnight_start",
                                                     annotations=notes(), improvement="decrease", phase="phase", chart="c"),
         {}, True, "Yes"),
        ("with a title-free multiply", lambda: ward(multiply=1), {}, True, "Yes"),
        ("with IHI rules", lambda: ward(rules="ihi"), {}, True, "Yes"),
    ],
    "05_frozen": [
        ("stub", ..., {"data": data("ei_access")}, False, STUB),
        ("a chart", lambda: frozen().chart(), {"data": data("ei_access")}, False, REMOVE_CHART),
        ("wrong direction", lambda: frozen(improvement="decrease"), {"data": data("ei_access")}, False,
         'improvement="increase"'),
        ("no direction", lambda: frozen(improvement=None), {"data": data("ei_access")}, False, 'improvement="increase"'),
        ("freeze and phase", lambda: frozen(phase="phase"), {"data": data("ei_access")}, False, "remove phase="),
        ("phase, no freeze", lambda: frozen(phase="phase", freeze=None), {"data": data("ei_access")}, False, "leave out phase="),
        ("no freeze", lambda: frozen(freeze=None), {"data": data("ei_access")}, False, "Add freeze="),
        ("freeze too short", lambda: frozen(freeze=6), {"data": data("ei_access")}, False, "count the rows"),
        ("freeze on everything", lambda: frozen(freeze=30), {"data": data("ei_access")}, False, "Every point"),
        ("c chart", lambda: frozen(chart="c", n=None), {"data": data("ei_access")}, False, "n="),
        ("i chart", lambda: frozen(chart="i"), {"data": data("ei_access")}, False, 'chart="p"'),
        ("run chart", lambda: frozen(chart="run"), {"data": data("ei_access")}, False, 'chart="p"'),
        ("no total", lambda: frozen(n=None, chart="i"), {"data": data("ei_access")}, False, "n="),
        ("the solution", lambda: frozen(), {"data": data("ei_access")}, True, "baseline months"),
        ("as percentages", lambda: frozen(multiply=100), {"data": data("ei_access")}, True, "Yes"),
        ("another order", lambda: quiet(ek.spc, data("ei_access"), improvement="increase", freeze=12, chart="p",
                                        n="service_users", y="ethnic_minority_users", x="month"),
         {"data": data("ei_access")}, True, "Yes"),
        ("P prime", lambda: frozen(chart="pp"), {"data": data("ei_access")}, True, "Yes"),
        ("no data given to the check", lambda: frozen(), {}, True, "Yes"),
    ],
    "05_sustain_missing": [
        ("stub", ..., {}, False, STUB),
        ("documentation", "documentation", {}, False, "already planned documentation"),
        ("standardisation", "Standardisation", {}, False, "already planned standardisation"),
        ("measurement", "measuring", {}, False, "already planned measurement"),
        ("resources", "funding", {}, False, "already planned resources"),
        ("social side", "the social side of change", {}, False, "already planned the social side"),
        ("empty", "", {}, False, "quotation marks"),
        ("a number", 3, {}, False, "quotation marks"),
        ("a list", ["training"], {}, False, "without square brackets"),
        ("something else", "leadership", {}, False, "checklist"),
        ("training", "training", {}, True, "without training"),
        ("train staff", "Train the staff", {}, True, "Yes"),
        ("education", "staff education", {}, True, "Yes"),
        ("teaching", "Teaching new starters", {}, True, "Yes"),
        ("a hedge with a planned one", "documentation and training", {}, False, "already planned documentation"),
        ("two words for training", "training and education", {}, True, "Yes"),
        ("training on a planned thing", "training on the written procedure", {}, True, "Yes"),
    ],
    "06_columns": [
        ("stub", {"x": ..., "y": ...}, {"data": lambda: mine()}, False, STUB),
        ("a grouping column as outcome", {"x": "date", "y": "imd_decile"}, {"data": lambda: mine()}, False,
         "which group each row is in"),
        ("age as outcome", {"x": "date", "y": "age"}, {"data": lambda: mine()}, False, "which group each row is in"),
        ("text as outcome", {"x": "date", "y": "ethnicity"}, {"data": lambda: mine()}, False, "mostly text"),
        ("swapped", {"x": "dna", "y": "date"}, {"data": lambda: mine()}, False, "swapped"),
        ("team as x", {"x": "team", "y": "dna"}, {"data": lambda: mine()}, False, "column of dates"),
        ("typo", {"x": "Date", "y": "dna"}, {"data": lambda: mine()}, False, "Did you mean 'date'"),
        ("the column, not its name", {"x": "date", "y": lambda: mine()["dna"]}, {"data": lambda: mine()}, False,
         "not the column itself"),
        ("same twice", {"x": "date", "y": "date"}, {"data": lambda: mine()}, False, "same column"),
        ("an id", {"x": "date", "y": "appointment_id"}, {"data": lambda: mine()}, False, "mostly text"),
        ("other keys", {"date": "date", "outcome": "dna"}, {"data": lambda: mine()}, False, "Keep the dictionary"),
        ("no data", {"x": "date", "y": "dna"}, {}, False, "Pass your data"),
        ("the solution", {"x": "date", "y": "dna"}, {"data": lambda: mine()}, True, "Yes"),
        ("with by", {"x": "date", "y": "dna", "by": "imd_decile"}, {"data": lambda: mine()}, True, "Yes"),
        ("own data with n", {"x": "Week", "y": "Missed", "n": "Booked"}, {"data": pd.DataFrame(
            {"Week": ["2024-01-01", "2024-01-08"], "Missed": [3, 4], "Booked": [40, 41], "Team": ["A", "B"]})}, True, "Yes"),
        ("own data, yes/no text", {"x": "Appt date", "y": "Attended"}, {"data": pd.DataFrame(
            {"Appt date": ["01/02/2024", "08/02/2024", "15/02/2024"], "Attended": ["Yes", "No", "Yes"]})}, True, "Yes"),
    ],
}


def _build(value):
    if callable(value) and not isinstance(value, type):
        return value()
    if isinstance(value, dict):
        return {k: _build(v) for k, v in value.items()}
    return value


CASES = [
    pytest.param(exercise, answer, context, passes, phrase, id=f"{exercise}-{label}")
    for exercise, cases in BATTERY.items()
    for label, answer, context, passes, phrase in cases
]


@pytest.mark.parametrize("exercise, answer, context, passes, phrase", CASES)
def test_battery(exercise, answer, context, passes, phrase):
    res = ek.check(exercise, _build(answer), **_build(context))
    assert res.passed is passes, res.message
    assert phrase.lower() in res.message.lower(), res.message


def test_every_exercise_has_a_full_battery():
    assert set(BATTERY) == set(EXERCISES)
    for exercise, cases in BATTERY.items():
        wrong = [c for c in cases if not c[3]]
        right = [c for c in cases if c[3]]
        assert len(wrong) >= 8 and len(right) >= 4, exercise


def test_hints_never_suggest_overwriting_the_learners_data():
    for exercise, cases in BATTERY.items():
        for label, answer, context, passes, _ in cases:
            message = ek.check(exercise, _build(answer), **_build(context)).message
            for data_name in ("ward", "ei", "appts", "mine"):
                assert f"{data_name} = ek." not in message, (exercise, label, message)


def test_checks_do_not_change_the_callers_data():
    frame = pd.DataFrame({"Week": ["2024-01-01", "2024-01-08"], "Missed": [3, 4], "Booked": [40, 41]})
    before = frame.copy()
    ek.check("06_columns", {"x": "Week", "y": "Missed"}, data=frame)
    pd.testing.assert_frame_equal(frame, before)
