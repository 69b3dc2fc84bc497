"""disaggregate, GapResult (summary, chart, sii), pareto and representation.

Numbers are pinned to independent calculations (Wilson by formula, weighted least
squares by numpy's polyfit on PHE's own SII test inputs); the PHEindicatormethods
reference values are in test_gaps_reference.py.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equitykit as ek
from equitykit import EquityKitError
from equitykit.gaps import NOT_RECORDED, _phe_sii
from equitykit.results import Summary

REF = Path(__file__).parent / "reference"
REALDATA = Path(__file__).parent / "realdata" / "phe"


@pytest.fixture
def deciles() -> pd.DataFrame:
    return pd.read_csv(REF / "data" / "i_dna_by_imd_decile.csv")


def _rows(aggregated: pd.DataFrame) -> pd.DataFrame:
    """One row per appointment, rebuilt from the decile counts."""
    parts = []
    for r in aggregated.itertuples():
        parts.append(pd.DataFrame({"imd_decile": r.imd_decile,
                                   "dna": [1] * r.dna + [0] * (r.appointments - r.dna)}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def clinic() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3000
    eth = rng.choice(["Asian", "Black", "Mixed", "White", "Other"], n, p=[0.25, 0.2, 0.05, 0.45, 0.05])
    age = rng.choice(["18-25", "26-64", "65+"], n)
    dna = (rng.random(n) < np.where(eth == "Black", 0.2, 0.1)).astype(int)
    frame = pd.DataFrame({"ethnicity": eth, "age_band": age, "dna": dna})
    frame.loc[[3, 17, 250], "ethnicity"] = None
    frame.loc[[40], "ethnicity"] = "  "
    return frame


# ----------------------------------------------------------------------------- disaggregate

def test_row_level_equals_aggregated(deciles: pd.DataFrame) -> None:
    agg = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged").table
    rows = ek.disaggregate(_rows(deciles), outcome="dna", by="imd_decile", reference="most_advantaged").table
    pd.testing.assert_frame_equal(agg, rows)
    assert agg.columns[:1].tolist() == ["imd_decile"]
    for col in ["group", "numerator", "denominator", "rate", "lower", "upper", "is_reference", "difference",
                "difference_lower", "difference_upper", "ratio", "ratio_lower", "ratio_upper"]:
        assert col in agg.columns


def test_difference_and_ratio_against_formula(deciles: pd.DataFrame) -> None:
    t = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference=10).table
    x, n = deciles["dna"].to_numpy(float), deciles["appointments"].to_numpy(float)
    p = x / n
    z = 1.959963984540054
    lo = (2 * x + z * z - z * np.sqrt(z * z + 4 * x * (1 - p))) / (2 * (n + z * z))
    hi = (2 * x + z * z + z * np.sqrt(z * z + 4 * x * (1 - p))) / (2 * (n + z * z))
    d = p - p[9]
    d_lo = d - np.sqrt((p - lo) ** 2 + (hi[9] - p[9]) ** 2)
    d_hi = d + np.sqrt((hi - p) ** 2 + (p[9] - lo[9]) ** 2)
    np.testing.assert_allclose(t["difference"][:9], 100 * d[:9], rtol=1e-12)
    np.testing.assert_allclose(t["difference_lower"][:9], 100 * d_lo[:9], rtol=1e-10)
    np.testing.assert_allclose(t["difference_upper"][:9], 100 * d_hi[:9], rtol=1e-10)
    np.testing.assert_allclose(t["ratio"][:9], p[:9] / p[9], rtol=1e-12)
    assert t.loc[9, "is_reference"] and t.loc[9, "difference"] == 0 and t.loc[9, "ratio"] == 1
    assert t["is_reference"].sum() == 1


def test_reference_options_are_echoed(deciles: pd.DataFrame) -> None:
    best = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="best", improvement="decrease")
    assert best.table.loc[best.table["is_reference"], "group"].tolist() == ["9"]  # lowest DNA rate
    assert (best.table["reference"] == "best (9)").all()
    assert "IMD decile 9" in best.summary().reading
    up = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="best", improvement="increase")
    assert up.table.loc[up.table["is_reference"], "group"].tolist() == ["1"]
    overall = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments")
    assert (overall.table["reference"] == "overall").all() and not overall.table["is_reference"].any()
    pooled = deciles["dna"].sum() / deciles["appointments"].sum()
    np.testing.assert_allclose(overall.table["difference"], 100 * (deciles["dna"] / deciles["appointments"] - pooled))
    assert "overall" in overall.summary().reading
    adv = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged")
    assert (adv.table["reference"] == "most advantaged (10)").all()
    named = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="10")
    assert named.table.loc[named.table["is_reference"], "group"].tolist() == ["10"]


def test_reading_names_the_biggest_gap(deciles: pd.DataFrame) -> None:
    g = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged")
    s = g.summary()
    assert isinstance(s, Summary)
    reading = s.reading
    assert "IMD decile 1: 14.1% against 6.2% in IMD decile 10 (the reference), 7.9 percentage points more" in reading
    assert "95% CI 6.8 to 9.0" in reading
    assert s["group"].iloc[0] == "10" and s["group"].iloc[1] == "1"  # reference, then biggest gap
    assert "8 of 9 groups compared" in reading


def test_missing_reference_lists_groups(deciles: pd.DataFrame) -> None:
    with pytest.raises(EquityKitError, match=r"'1', '2', '3'.*'10'"):
        ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="11")


def test_not_recorded_is_its_own_group(clinic: pd.DataFrame) -> None:
    g = ek.disaggregate(clinic, outcome="dna", by="ethnicity", reference="White")
    t = g.table
    assert t["group"].tolist()[-1] == NOT_RECORDED
    assert t.loc[t["group"] == NOT_RECORDED, "denominator"].item() == 4  # 3 missing + 1 blank
    assert t["denominator"].sum() == len(clinic)
    assert "shown as 'Not recorded'" in g.summary().reading
    assert not t.loc[t["group"] == NOT_RECORDED, "is_reference"].item()


def test_intersections_flag_small_groups(clinic: pd.DataFrame) -> None:
    g = ek.disaggregate(clinic, outcome="dna", by=["ethnicity", "age_band"], reference="best", min_group=60, improvement="decrease")
    t = g.table
    assert {"ethnicity", "age_band", "group"} <= set(t.columns)
    assert t["group"].iloc[0] == "Asian / 18-25"
    expected = clinic.assign(ethnicity=clinic["ethnicity"].where(clinic["ethnicity"].str.strip() != "", None))
    counts = expected.fillna({"ethnicity": NOT_RECORDED}).groupby(["ethnicity", "age_band"]).size()
    assert t["denominator"].sum() == len(clinic)
    assert len(t) == len(counts)
    np.testing.assert_array_equal(t["small"], t["denominator"] < 60)
    ref = t[t["is_reference"]]
    assert not ref["small"].item() and NOT_RECORDED not in ref["group"].item()
    with pytest.raises(EquityKitError, match="ordered"):
        ek.disaggregate(clinic, outcome="dna", by=["ethnicity", "age_band"], reference="most_advantaged")
    assert "ethnicity" in g.summary().reading


def test_yes_no_and_bool_outcomes(clinic: pd.DataFrame) -> None:
    as_int = ek.disaggregate(clinic, outcome="dna", by="age_band").table
    words = clinic.assign(dna=clinic["dna"].map({1: "Yes", 0: "no"}))
    flags = clinic.assign(dna=clinic["dna"].astype(bool))
    pd.testing.assert_frame_equal(ek.disaggregate(words, outcome="dna", by="age_band").table, as_int)
    pd.testing.assert_frame_equal(ek.disaggregate(flags, outcome="dna", by="age_band").table, as_int)


def test_missing_outcomes_are_counted(clinic: pd.DataFrame) -> None:
    frame = clinic.assign(dna=clinic["dna"].astype(float))
    frame.loc[[0, 1], "dna"] = np.nan
    g = ek.disaggregate(frame, outcome="dna", by="age_band")
    assert g.table["denominator"].sum() == len(frame) - 2
    assert "2 row(s) with no DNA recorded were left out" in g.summary().reading


def test_rate_outcome_not_binary_is_an_error(deciles: pd.DataFrame) -> None:
    with pytest.raises(EquityKitError, match="n= the column"):
        ek.disaggregate(deciles, outcome="dna", by="imd_decile")
    rates = pd.DataFrame({"g": ["a", "b"], "r": [0.3, 0.7]})
    with pytest.raises(EquityKitError, match="not yes/no"):
        ek.disaggregate(rates, outcome="r", by="g")


def test_other_bad_input(deciles: pd.DataFrame) -> None:
    with pytest.raises(EquityKitError, match="no column 'decile'"):
        ek.disaggregate(deciles, outcome="dna", by="decile", n="appointments")
    with pytest.raises(EquityKitError, match="larger than"):
        ek.disaggregate(deciles.assign(dna=deciles["appointments"] + 1), outcome="dna", by="imd_decile", n="appointments")
    with pytest.raises(EquityKitError, match="improvement"):
        ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", improvement="down")
    with pytest.raises(EquityKitError, match="confidence"):
        ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", confidence=95)


def test_zero_denominator_group_warns_and_has_no_rate(deciles: pd.DataFrame) -> None:
    frame = deciles.copy()
    frame.loc[3, ["dna", "appointments"]] = 0
    with pytest.warns(UserWarning, match="denominator of 0"):
        t = ek.disaggregate(frame, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged").table
    assert np.isnan(t.loc[3, "rate"]) and t.loc[3, "compared"] == "no rate"
    assert t.loc[2, "rate"] == pytest.approx(100 * 604 / 4990)


def test_suppression(deciles: pd.DataFrame) -> None:
    frame = deciles.copy()
    frame.loc[0, ["dna", "appointments"]] = [5, 40]
    g = ek.disaggregate(frame, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged", suppress=True)
    t = g.table
    assert t.loc[0, "numerator"] == "*" and np.isnan(t.loc[0, "rate"]) and np.isnan(t.loc[0, "difference"])
    assert t.loc[1, "numerator"] == "490" and t.loc[1, "denominator"] == "3730"
    assert t.loc[1, "rate"] == pytest.approx(round(100 * 491 / 3731, 1))  # shared tables round rates
    assert t["suppressed"].tolist()[:2] == [True, False]
    assert "IMD decile 1:" not in g.summary().reading
    spec = g.chart().to_dict()
    data = next(iter(spec["datasets"].values()))
    assert all(row["rate"] is None for row in data if row["group"] == "1")
    plain = ek.disaggregate(frame, outcome="dna", by="imd_decile", n="appointments")
    assert plain.table.loc[0, "numerator"] == 5


def test_suppression_keeps_exact_small_counts_out_of_the_reading() -> None:
    # 3 people with no ethnicity recorded, 2 rows with no outcome: neither number may be printed
    rows = pd.DataFrame({
        "ethnicity": ["White"] * 200 + ["Asian"] * 120 + [None] * 3 + ["White"] * 2,
        "dna": [1] * 20 + [0] * 180 + [1] * 24 + [0] * 96 + [1, 0, 0] + [None, None],
    })
    g = ek.disaggregate(rows, outcome="dna", by="ethnicity", suppress=True)
    reading = g.summary().reading
    assert "* (a small number) with no ethnicity recorded" in reading
    assert "* (a small number) row(s)" in reading
    assert not re.search(r"\b3 with|\b2 row", reading)
    assert all(c in {"*", "0"} or int(c) % 5 == 0 for c in g.table["numerator"].tolist() + g.table["denominator"].tolist())
    nr = g.table.loc[g.table["group"] == NOT_RECORDED].iloc[0]
    assert nr["numerator"] == "*" and nr["denominator"] == "*" and np.isnan(nr["rate"])
    assert np.isnan(g.summary().loc[g.summary()["group"] == NOT_RECORDED, "rate"]).all()
    data = next(iter(g.chart().to_dict()["datasets"].values()))
    assert all(row["rate"] is None for row in data if row["group"] == NOT_RECORDED)
    assert "3" not in {str(v) for row in data for v in row.values()}
    # without suppression the exact counts are read out
    assert "3 with no ethnicity recorded" in ek.disaggregate(rows, outcome="dna", by="ethnicity").summary().reading


def test_suppression_rounds_large_counts_in_the_reading() -> None:
    rows = pd.DataFrame({"sex": ["F"] * 300 + ["M"] * 300 + [None] * 23, "dna": ([1] * 30 + [0] * 270) * 2 + [0] * 23})
    reading = ek.disaggregate(rows, outcome="dna", by="sex", suppress=True).summary().reading
    assert "about 25 with no sex recorded" in reading and "23" not in reading


def test_suppressed_reference_group_withholds_its_rate_and_the_differences(deciles: pd.DataFrame) -> None:
    frame = deciles.copy()
    frame.loc[9, ["dna", "appointments"]] = [4, 60]  # decile 10, the most advantaged, is the reference
    g = ek.disaggregate(frame, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged", suppress=True)
    assert g.table["difference"].isna().all() and g.table["ratio"].isna().all()
    reading = g.summary().reading
    assert "withheld" in reading and f"{100 * 4 / 60:.1f}%" not in reading
    data = next(iter(g.chart().to_dict()["datasets"].values()))
    assert all(row["reference_rate"] is None for row in data)


def test_chart_is_aggregated_and_marks_reference(deciles: pd.DataFrame) -> None:
    rows = _rows(deciles)
    g = ek.disaggregate(rows, outcome="dna", by="imd_decile", reference="most_advantaged")
    spec = g.chart().to_dict()
    datasets = spec["datasets"]
    assert sum(len(v) for v in datasets.values()) == 10  # one row per group, never per appointment
    layers = spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks == ["rule", "point", "rule"]
    assert layers[1]["encoding"]["shape"]["field"] == "is_reference"
    assert layers[2]["encoding"]["x"]["aggregate"] == "mean"
    assert "most advantaged (10)" in spec["title"]["subtitle"]


def test_order_argument_and_sii_errors(clinic: pd.DataFrame, deciles: pd.DataFrame) -> None:
    g = ek.disaggregate(clinic, outcome="dna", by="ethnicity")
    with pytest.raises(EquityKitError, match="ordered"):
        g.sii()
    with pytest.raises(EquityKitError, match="order"):
        ek.disaggregate(clinic, outcome="dna", by="ethnicity", reference="most_advantaged")
    four = deciles[deciles["imd_decile"] <= 4]
    with pytest.raises(EquityKitError, match="5 to 100"):
        ek.disaggregate(four, outcome="dna", by="imd_decile", n="appointments").sii()
    # Quintiles numbered the other way (5 = most deprived): order= says so.
    q = (deciles.assign(q=6 - (deciles["imd_decile"] + 1) // 2)
         .groupby("q", as_index=False)[["dna", "appointments"]].sum())
    g = ek.disaggregate(q, outcome="dna", by="q", n="appointments", order=[5, 4, 3, 2, 1], reference="most_advantaged")
    assert g.table.loc[g.table["is_reference"], "group"].item() == "1"
    s = g.sii(seed=1)
    assert s.groups["group"].tolist() == ["5", "4", "3", "2", "1"]
    assert s.sii < 0
    with pytest.raises(EquityKitError, match="order="):
        ek.disaggregate(q, outcome="dna", by="q", n="appointments", order=[6, 5])
    zero = deciles.copy()
    zero.loc[0, "dna"] = 0
    with pytest.raises(EquityKitError, match="strictly between"):
        ek.disaggregate(zero, outcome="dna", by="imd_decile", n="appointments").sii()


def test_sii_result(deciles: pd.DataFrame) -> None:
    rows = pd.concat([_rows(deciles), pd.DataFrame({"imd_decile": [np.nan] * 50, "dna": [1] * 50})])
    g = ek.disaggregate(rows, outcome="dna", by="imd_decile", reference="most_advantaged")
    s = g.sii(seed=3)
    s2 = g.sii(seed=3)
    pd.testing.assert_frame_equal(s.table, s2.table)  # seeded: repeatable
    t = s.table.iloc[0]
    assert t["sii_lower"] < t["sii"] < t["sii_upper"]
    assert t["rii_lower"] < t["rii"] < t["rii_upper"]
    np.testing.assert_allclose(t["fitted_least_deprived"] / t["intercept"], t["rii"], rtol=1e-12)
    reading = s.summary().reading
    assert "slope index of inequality (SII) -8.8" in reading and "as PHE defines it" in reading
    assert "Left out (not ordered): Not recorded" in reading
    assert s.summary()["measure"].tolist() == ["SII", "RII (PHE)", "RII (SII / mean)", "intercept"]
    spec = s.chart().to_dict()
    assert sum(len(v) for v in spec["datasets"].values()) == 10
    with pytest.raises(EquityKitError, match="repetitions"):
        g.sii(repetitions=10)


def test_sii_on_phe_test_workbook_inputs_equals_weighted_regression() -> None:
    # PHE's own SII test inputs (proportions by quantile): our port's SII, RII and intercept
    # equal a weighted least-squares line fitted independently with numpy.polyfit.
    sii = pd.read_csv(REALDATA / "sii_inputs.csv")
    blocks = sii[sii["TestDescription"] == "proportion (e.g. child obesity) - default parameters"]
    assert len(blocks) == 20
    for _, block in blocks.groupby("Area"):
        block = block.sort_values("Quantile")
        pop, value = block["Population"].to_numpy(float), block["Value"].to_numpy(float)
        a = pop / pop.sum()
        b = np.cumsum(a) - a / 2
        slope, intercept = np.polyfit(b, value, 1, w=np.sqrt(a))
        got = _phe_sii(pop, value, lower=block["LowerCL"].to_numpy(float), upper=block["UpperCL"].to_numpy(float),
                       value_type=2, repetitions=1000, rng=np.random.default_rng(0))
        np.testing.assert_allclose([got["sii"], got["intercept"]], [slope, intercept], rtol=1e-9)
        np.testing.assert_allclose(got["rii"], (intercept + slope) / intercept, rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 500)), min_size=2, max_size=8),
       st.sampled_from([0.9, 0.95, 0.998]))
def test_every_interval_contains_its_rate(counts: list[tuple[int, int]], conf: float) -> None:
    frame = pd.DataFrame({"g": [f"g{i}" for i in range(len(counts))],
                          "x": [min(x, n) for x, n in counts], "n": [n for _, n in counts]})
    t = ek.disaggregate(frame, outcome="x", by="g", n="n", reference="g0", confidence=conf, multiply=1).table
    assert ((t["lower"] <= t["rate"] + 1e-12) & (t["rate"] <= t["upper"] + 1e-12)).all()
    assert ((t["lower"] >= 0) & (t["upper"] <= 1 + 1e-12)).all()
    other = ~t["is_reference"]
    d = t[other]
    assert (d["difference_lower"] <= d["difference"] + 1e-12).all()
    assert (d["difference"] <= d["difference_upper"] + 1e-12).all()


# ----------------------------------------------------------------------------- pareto

def test_pareto() -> None:
    refs = pd.DataFrame({"reason": ["anxiety"] * 50 + ["low mood"] * 30 + ["sleep"] * 12 + ["other"] * 8 + [None] * 3})
    p = ek.pareto(refs, by="reason")
    t = p.table
    assert t["category"].tolist() == ["anxiety", "low mood", "sleep", "other", NOT_RECORDED]
    assert t["count"].tolist() == [50, 30, 12, 8, 3]
    np.testing.assert_allclose(t["cumulative_percent"], np.cumsum([50, 30, 12, 8, 3]) / 103 * 100)
    assert t["vital_few"].tolist() == [True, True, True, False, False]  # 77.7% after two
    assert "3 of 5" in p.summary().reading
    spec = p.chart().to_dict()
    assert sum(len(v) for v in spec["datasets"].values()) == 5
    assert spec["resolve"]["scale"]["y"] == "independent"
    agg = pd.DataFrame({"reason": ["a", "b", "c"], "n": [5, 20, 75]})
    assert ek.pareto(agg, by="reason", outcome="n").table["category"].tolist() == ["c", "b", "a"]
    s = ek.pareto(agg, by="reason", outcome="n", suppress=True).table
    assert s["count"].tolist() == ["75", "20", "*"] and np.isnan(s["percent"].iloc[2])


# ----------------------------------------------------------------------------- representation

def test_representation() -> None:
    refs = pd.DataFrame({"ethnicity": ["Asian"] * 30 + ["Black"] * 15 + ["White"] * 55 + [None] * 4})
    pop = pd.DataFrame({"ethnicity": ["Asian", "Black", "White", "Mixed"],
                        "population": [25000, 30000, 40000, 5000]})
    r = ek.representation(refs, pop, by="ethnicity")
    t = r.table.set_index("group")
    assert t.loc["Black", "service_share"] == pytest.approx(15.0)
    assert t.loc["Black", "population_share"] == pytest.approx(30.0)
    assert t.loc["Black", "ratio"] == pytest.approx(0.5)
    w = ek.wilson(15, 100)
    assert t.loc["Black", "ratio_upper"] == pytest.approx(w.upper / 0.3)
    assert t.loc["Black", "representation"] == "under-represented"
    assert t.loc["White", "representation"] == "over-represented"
    assert t.loc["Mixed", "count"] == 0 and t.loc["Mixed", "representation"] == "under-represented"
    reading = r.summary().reading
    assert "Under-represented" in reading and "Black" in reading and "Mixed" in reading
    assert "4 with no ethnicity recorded" in reading
    as_dict = ek.representation(refs, {"Asian": 25000, "Black": 30000, "White": 40000, "Mixed": 5000}, by="ethnicity")
    pd.testing.assert_frame_equal(as_dict.table, r.table)
    spec = r.chart().to_dict()
    assert sum(len(v) for v in spec["datasets"].values()) == 4
    counts = pd.DataFrame({"ethnicity": ["Asian", "Black", "White"], "referrals": [30, 15, 55]})
    agg = ek.representation(counts, pop, by="ethnicity", outcome="referrals")
    pd.testing.assert_frame_equal(agg.table, r.table)
    with pytest.raises(EquityKitError, match="population"):
        ek.representation(refs, [1, 2], by="ethnicity")


def test_representation_table_and_reading_agree_when_a_group_has_no_population_figure() -> None:
    # 01's broad groups: "Not stated" has no census figure, so shares compare the other groups.
    refs = pd.DataFrame({"ethnic_group": ["Asian", "White", "Not stated"], "referrals": [1279, 3483, 371]})
    pop = {"Asian": 98365, "White": 113745}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ek.representation(refs, pop, "ethnic_group", count="referrals")
    t = r.table.set_index("group")
    expected = (1279 / (1279 + 3483)) / (98365 / (98365 + 113745))  # 0.5818...
    assert t.loc["Asian", "ratio"] == pytest.approx(expected)
    assert t.loc["Asian", "service_share"] / t.loc["Asian", "population_share"] == pytest.approx(expected)
    assert f"ratio {expected:.2f}" in r.reading and f"{100 * 1279 / (1279 + 3483):.1f}% of the service" in r.reading


# ----------------------------------------------------------------------------- no mutation

def test_no_function_changes_the_callers_data(deciles: pd.DataFrame, clinic: pd.DataFrame) -> None:
    frames = [deciles, clinic]
    before = [f.copy(deep=True) for f in frames]
    pop = pd.DataFrame({"ethnicity": ["Asian", "Black"], "population": [10, 20]})
    pop_before = pop.copy(deep=True)
    ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged",
                    suppress=True).sii(seed=1)
    ek.disaggregate(clinic, outcome="dna", by=["ethnicity", "age_band"], reference="best", improvement="decrease").chart()
    ek.pareto(clinic, by="ethnicity")
    ek.representation(clinic, pop, by="ethnicity")
    for b, f in zip(before, frames):
        pd.testing.assert_frame_equal(b, f)
    pd.testing.assert_frame_equal(pop_before, pop)


def test_small_groups_are_flagged_not_headlined() -> None:
    frame = pd.DataFrame({"site": ["A", "B", "C"], "dna": [10, 12, 4], "n": [100, 100, 5]})
    g = ek.disaggregate(frame, outcome="dna", by="site", n="n", reference="A")
    reading = g.summary().reading
    assert g.table["small"].tolist() == [False, False, True]
    assert "site C" not in reading and "1 group(s) have fewer than 30" in reading
    assert reading.startswith("Reference group: site A, with a DNA rate of 10.0%.")


def test_a_by_column_named_group_is_kept() -> None:
    frame = pd.DataFrame({"group": ["a", "b"] * 20, "dna": [1, 0, 0, 0] * 10})
    t = ek.disaggregate(frame, outcome="dna", by="group").table
    assert t["group"].tolist() == ["a", "b"] and t["rate"].tolist() == [50.0, 0.0]
    with pytest.raises(EquityKitError, match="rename"):
        ek.disaggregate(frame.rename(columns={"group": "rate"}), outcome="dna", by="rate")


def test_aggregation_matches_phe_grouped_workbook() -> None:
    # PHE's proportion workbook: its grouped sheet holds the per-Area sums of the ungrouped sheet,
    # and Areas whose counts are missing stay missing (never 0).
    rows = pd.read_csv(REALDATA / "proportion_inputs.csv")
    grouped = pd.read_csv(REALDATA / "proportion_grouped_inputs.csv").set_index("Area")
    g = ek.disaggregate(rows, outcome="Numerator", by="Area", n="Denominator", reference="Area1")
    t = g.table.set_index("group")
    complete = grouped.index[grouped[["Numerator", "Denominator"]].notna().all(axis=1)]
    np.testing.assert_array_equal(t.loc[complete, "numerator"], grouped.loc[complete, "Numerator"])
    np.testing.assert_array_equal(t.loc[complete, "denominator"], grouped.loc[complete, "Denominator"])
    np.testing.assert_allclose(t.loc[complete, "rate"],
                               100 * grouped.loc[complete, "Numerator"] / grouped.loc[complete, "Denominator"])
    for area in ["Area09", "Area10", "Area11"]:
        assert np.isnan(t.loc[area, "rate"]) and t.loc[area, "compared"] == "no rate"
    assert "3 row(s) with a missing count were left out" in g.summary().reading


def test_deciles_written_as_text_keep_their_numeric_order() -> None:
    d = pd.DataFrame({"decile": [str(i) for i in range(10, 0, -1)], "dna": range(100, 50, -5),
                      "appts": [1000] * 10})
    g = ek.disaggregate(d, outcome="dna", by="decile", n="appts", reference="most_advantaged")
    assert g.table["group"].tolist() == [str(i) for i in range(1, 11)]
    assert g.table.loc[g.table["is_reference"], "group"].tolist() == ["10"]
    numeric = ek.disaggregate(d.astype({"decile": int}), outcome="dna", by="decile", n="appts").sii(seed=3)
    text = g.sii(seed=3)
    assert text.table["sii"].iloc[0] == pytest.approx(numeric.table["sii"].iloc[0])


def test_sii_with_a_group_of_missing_counts_is_a_clear_error() -> None:
    d = pd.DataFrame({"decile": range(1, 11), "dna": [float(v) for v in range(100, 50, -5)],
                      "appts": [1000] * 10})
    d.loc[1, "dna"] = np.nan
    g = ek.disaggregate(d, outcome="dna", by="decile", n="appts")
    with pytest.raises(EquityKitError, match="not so for '2'"):
        g.sii(seed=1)


def test_representation_compares_like_with_like_when_a_population_figure_is_missing() -> None:
    refs = pd.DataFrame({"eth": ["A"] * 300 + ["B"] * 100 + ["C"] * 100})
    pop = {"A": 6000, "B": 4000}  # C is missing from the population table
    with pytest.warns(UserWarning, match="no population figure.*'C'"):
        r = ek.representation(refs, pop, by="eth")
    t = r.table.set_index("group")
    # among A and B: A is 300/400 = 75% of the service against 60% of the population
    assert t.loc["A", "ratio"] == pytest.approx(0.75 / 0.6)
    assert t.loc["B", "ratio"] == pytest.approx(0.25 / 0.4)
    assert np.isnan(t.loc["C", "ratio"]) and t.loc["C", "representation"] == "no population figure"
    assert "B (25.0% of the service against 40.0%" in r.summary().reading


def test_representation_leaves_not_stated_out_of_the_ratios_quietly() -> None:
    refs = pd.DataFrame({"eth": ["A"] * 300 + ["B"] * 100 + ["Not stated"] * 100})
    import warnings as _w

    with _w.catch_warnings():
        _w.simplefilter("error")
        r = ek.representation(refs, {"A": 6000, "B": 4000}, by="eth")
    assert r.table.set_index("group").loc["A", "ratio"] == pytest.approx(0.75 / 0.6)
    assert "No population figure for: Not stated; the ratios compare shares among the other groups" \
        in r.summary().reading


def test_disaggregate_multiply_given_as_text_is_a_clear_error() -> None:
    rows = pd.DataFrame({"sex": ["F", "M"] * 10, "dna": [0, 1] * 10})
    with pytest.raises(EquityKitError, match="multiply='per cent' should be a positive number"):
        ek.disaggregate(rows, outcome="dna", by="sex", multiply="per cent")
    assert ek.disaggregate(rows, outcome="dna", by="sex", multiply="100").table["rate"].tolist() == [0.0, 100.0]


def test_shared_tables_show_rates_to_a_few_decimals() -> None:
    """With suppress=True, rates are rounded so they cannot give the exact counts back."""
    import equitykit as ek

    appts = ek.load_dataset("appointments")
    t = ek.disaggregate(appts, outcome="dna", by="imd_decile", reference="most_advantaged", suppress=True).table
    for col in ("rate", "lower", "upper", "difference"):
        values = t[col].dropna()
        assert np.allclose(values, values.round(1)), col
    assert np.allclose(t["ratio"].dropna(), t["ratio"].dropna().round(2))
    ref = ek.load_dataset("referrals_by_ethnicity")
    p = ek.pareto(ref, by="ethnicity", outcome="referrals", suppress=True).table
    assert np.allclose(p["percent"].dropna(), p["percent"].dropna().round(1))
    r = ek.representation(ref, ek.load_dataset("population_by_ethnicity"), by="ethnicity", outcome="referrals",
                          suppress=True).table
    assert np.allclose(r["service_share"].dropna(), r["service_share"].dropna().round(1))
    # Without suppression the API keeps full precision for analysis.
    full = ek.disaggregate(appts, outcome="dna", by="imd_decile", reference="most_advantaged").table
    assert not np.allclose(full["rate"], full["rate"].round(1))


def test_a_mistyped_reference_gets_the_group_meant() -> None:
    appts = ek.load_dataset("appointments")
    with pytest.raises(EquityKitError, match=r"reference='Whte' is not one of the groups.*Did you mean 'White'\?"):
        ek.disaggregate(appts, outcome="dna", by="ethnicity", reference="Whte")
    with pytest.raises(EquityKitError, match=r"Did you mean 'most_advantaged'"):
        ek.disaggregate(appts, outcome="dna", by="imd_decile", reference="Least deprived")
