"""One vocabulary (docs/API.md): call shape, names, the improvement rule, the shared result interface."""
from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import equitykit as ek
from equitykit.results import Result, Summary

ROOT = Path(__file__).resolve().parent.parent

APPTS = ek.load_dataset("appointments")
WARD = ek.load_dataset("ward_incidents")
SCREENING = ek.load_dataset("cervical_screening")
REFERRALS = pd.DataFrame({"ethnicity": ["Asian"] * 30 + ["Black"] * 20 + ["White"] * 50})
POPULATION = {"Asian": 200, "Black": 300, "White": 500}
LOG = pd.DataFrame({"date": ["2020-10-03", "2020-10-17"], "category": ["Racist incident", "Self-harm"]})
ANSWERS = pd.DataFrame({"statement": ["S"] * 4, "response": ["Agree", "Agree", "Disagree", "Neutral"],
                        "part": [1, 1, 2, 2]})

DATA_FUNCTIONS = {  # name -> how many leading positional data arguments
    "disaggregate": 1, "pareto": 1, "representation": 2, "spc": 1, "equity_lens": 1,
    "safety_cross": 1, "likert": 1, "read_data": 1, "gap_explorer": 1, "spc_explorer": 1,
    "gap_effect_explorer": 1,
}


def test_api_doc_lists_every_signature_as_the_code_has_it():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "api_table.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("name", sorted(DATA_FUNCTIONS))
def test_data_first_and_every_option_by_name(name):
    params = list(inspect.signature(getattr(ek, name)).parameters.values())
    leading = DATA_FUNCTIONS[name]
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params[:leading])
    assert all(p.kind is p.KEYWORD_ONLY for p in params[leading:]), name


def _results():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap = ek.disaggregate(APPTS, outcome="dna", by="imd_decile", reference="most_advantaged",
                              improvement="decrease")
        return {
            "disaggregate": gap,
            "sii": gap.sii(repetitions=1000, seed=1),
            "pareto": ek.pareto(REFERRALS, by="ethnicity"),
            "representation": ek.representation(REFERRALS, POPULATION, by="ethnicity"),
            "spc": ek.spc(WARD, x="fortnight_start", y="incidents", chart="c", phase="phase"),
            "equity_lens": ek.equity_lens(SCREENING, x="month", outcome="screened", n="eligible", by="age_group",
                                          change="phase", improvement="increase"),
            "safety_cross": ek.safety_cross(LOG, month="2020-10"),
            "likert": ek.likert(ANSWERS, by="part"),
        }


@pytest.mark.parametrize("name, result", list(_results().items()))
def test_every_result_has_table_summary_reading_and_one_chart_signature(name, result):
    assert isinstance(result, Result)
    assert isinstance(result.table, pd.DataFrame) and len(result.table)
    summary = result.summary()
    assert isinstance(summary, Summary) and summary.reading
    assert result.reading == summary.reading
    params = inspect.signature(result.chart).parameters
    assert [p for p in params][:3] == ["title", "width", "height"]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is None for p in list(params.values())[:3])
    spec = result.chart(title="My title", width=300, height=200).to_dict()
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    assert title == "My title"
    assert spec["config"]["font"] == ek.theme.LOOK["font"]  # the kit's look, on the chart itself
    sizes = str(spec)
    assert "'width': 300" in sizes and "'height': 200" in sizes


# --- improvement: a verdict only on a direction the learner chose -------------------------------

def test_improvement_defaults_to_neutral_everywhere():
    for name in ("disaggregate", "spc", "equity_lens", "gap_explorer", "spc_explorer"):
        assert inspect.signature(getattr(ek, name)).parameters["improvement"].default == "neutral", name


def test_neutral_gaps_are_higher_or_lower_never_better_or_worse():
    gap = ek.disaggregate(APPTS, outcome="dna", by="imd_decile", reference="most_advantaged")
    assert set(gap.table["compared"]) <= {"higher", "lower", "no clear difference", "reference", "too small",
                                          "withheld", "no different"}
    assert not {"better", "worse"} & set(gap.table["compared"])
    words = gap.reading.lower()
    assert "worse" not in words and "better" not in words
    chosen = ek.disaggregate(APPTS, outcome="dna", by="imd_decile", reference="most_advantaged",
                             improvement="decrease")
    assert "worse" in set(chosen.table["compared"])


def test_best_reference_needs_a_direction():
    with pytest.raises(ek.EquityKitError, match="improvement='decrease' or 'increase'"):
        ek.disaggregate(APPTS, outcome="dna", by="imd_decile", reference="best")


def test_neutral_spc_signals_are_never_called_improvement_or_concern():
    data = WARD.assign(incidents=[1] * 30 + [15] + [1] * (len(WARD) - 31))  # one point far above the limit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ek.spc(data, x="fortnight_start", y="incidents", chart="c")
        chosen = ek.spc(data, x="fortnight_start", y="incidents", chart="c", improvement="decrease")
    assert res.table["sigma_signal"].any()
    assert "improvement" not in res.reading.lower() and "concern" not in res.reading.lower()
    assert "concern" in chosen.reading.lower() or "worse" in chosen.reading.lower()


def test_the_lens_asks_for_a_direction_instead_of_assuming_one():
    with pytest.raises(ek.EquityKitError, match="improvement='increase'.*improvement='decrease'"):
        ek.equity_lens(SCREENING, x="month", outcome="screened", n="eligible", by="age_group", change="phase")


# --- multiply: one default, one rule, everywhere ---------------------------------------------------

EI = ek.load_dataset("ei_access")


def test_multiply_has_one_default_everywhere():
    for name in ("disaggregate", "spc", "equity_lens"):
        assert inspect.signature(getattr(ek, name)).parameters["multiply"].default is None, name


def test_left_out_multiply_puts_proportions_in_percent_and_rates_per_thousand():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ek.spc(EI, x="month", y="ethnic_minority_users", n="service_users", chart="p", phase="phase")
        p1 = ek.spc(EI, x="month", y="ethnic_minority_users", n="service_users", chart="p", phase="phase",
                    multiply=1)
        u = ek.spc(WARD.assign(days=700), x="fortnight_start", y="incidents", n="days", chart="u")
        c = ek.spc(WARD, x="fortnight_start", y="incidents", chart="c")
    for col in ("value", "cl", "lcl", "ucl"):
        assert p.table[col].to_numpy() == pytest.approx(100 * p1.table[col].to_numpy(), nan_ok=True)
    # the published story reads in percent: access rose from about 67% to about 85%
    centre = p.table.groupby("phase", sort=False)["cl"].first()
    assert 60 < centre.iloc[0] < 75 and 80 < centre.iloc[-1] < 90
    assert u.table["value"].to_numpy() == pytest.approx(1000 * WARD["incidents"].to_numpy() / 700)
    assert c.table["value"].tolist() == WARD["incidents"].astype(float).tolist()  # counts stay counts
    assert "% (" in str(p.chart().to_dict())  # the axis says percent
    assert "per 1,000" in str(u.chart().to_dict())


def test_group_comparisons_and_handouts_read_multiply_by_the_same_rule():
    from equitykit.handouts import rate_unit
    from equitykit.validation import checked_multiply

    gap = ek.disaggregate(APPTS, outcome="dna", by="imd_decile")
    as_proportions = ek.disaggregate(APPTS, outcome="dna", by="imd_decile", multiply=1)
    assert gap.table["rate"].to_numpy() == pytest.approx(100 * as_proportions.table["rate"].to_numpy(), nan_ok=True)
    lens = ek.equity_lens(SCREENING, x="month", outcome="screened", n="eligible", by="age_group", change="phase",
                          improvement="increase")
    assert lens.unit == "%" and lens.multiply == 100
    for chart in ("p", "pp", "u", "up", "i", "c", "run"):
        assert rate_unit(chart, 0, "", "bed_days")[0] == checked_multiply(None, chart)


@pytest.mark.parametrize("bad", [0, -100, float("nan"), float("inf"), True, "per cent", [100]])
def test_a_wrong_multiply_is_a_clear_error_everywhere(bad):
    calls = [
        lambda: ek.spc(EI, x="month", y="ethnic_minority_users", n="service_users", chart="p", multiply=bad),
        lambda: ek.disaggregate(APPTS, outcome="dna", by="imd_decile", multiply=bad),
        lambda: ek.equity_lens(SCREENING, x="month", outcome="screened", n="eligible", by="age_group",
                               change="phase", improvement="increase", multiply=bad),
    ]
    for call in calls:
        with pytest.raises(ek.EquityKitError, match=r"multiply=.* should be a positive number"):
            call()


# --- old names and positions: still working for this version, with a FutureWarning ---------------

@pytest.mark.parametrize("old, new", [
    (lambda: ek.pareto(REFERRALS, category="ethnicity"), lambda: ek.pareto(REFERRALS, by="ethnicity")),
    (lambda: ek.pareto(REFERRALS, "ethnicity"), lambda: ek.pareto(REFERRALS, by="ethnicity")),
    (lambda: ek.representation(REFERRALS.assign(k=1), POPULATION, "ethnicity", "k"),
     lambda: ek.representation(REFERRALS.assign(k=1), POPULATION, by="ethnicity", outcome="k")),
    (lambda: ek.representation(REFERRALS.assign(k=1), POPULATION, by="ethnicity", count="k"),
     lambda: ek.representation(REFERRALS.assign(k=1), POPULATION, by="ethnicity", outcome="k")),
    (lambda: ek.likert(ANSWERS, part="part"), lambda: ek.likert(ANSWERS, by="part")),
    (lambda: ek.disaggregate(APPTS, "dna", "imd_decile"), lambda: ek.disaggregate(APPTS, outcome="dna", by="imd_decile")),
    (lambda: ek.safety_cross(LOG, "date", "category", "2020-10"), lambda: ek.safety_cross(LOG, month="2020-10")),
])
def test_old_names_and_positions_warn_and_give_the_same_result(old, new):
    with pytest.warns(FutureWarning, match="next version"):
        before = old()
    pd.testing.assert_frame_equal(before.table, new().table)


def test_a_warning_from_inside_points_at_the_learners_line():
    with pytest.warns(ek.SPCWarning) as caught:
        ek.spc(WARD, x="fortnight_start", y="incidents", chart="c", phase="phase")  # a 7-point phase
    where = {Path(w.filename).name for w in caught}
    assert "test_api.py" in where and "_arguments.py" not in where  # never the wrapper's own line


def test_too_many_positions_is_a_type_error():
    with pytest.raises(TypeError, match="positional"):
        ek.pareto(REFERRALS, "ethnicity", None, False, "extra")
