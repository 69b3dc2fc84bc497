"""The kit run on real, public data as a QI team would, against values derived here.

Data (inputs only; see tests/realdata/README.md for provenance and licences):

- ``montgomery/``: tables of D. C. Montgomery, *Introduction to Statistical
  Quality Control* (Wiley), as shipped in qicharts2 0.8.1 and checked by its
  ``tests/testthat/test_montgomery.R``. Expected values are computed here from
  the textbook formulas (equation numbers of the 6th edition) and, where the
  book prints them, its rounded figures.
- ``qicharts2/``: the datasets qicharts2 0.8.1 ships (cdi, nhs_accidents,
  hospital_infections, cabg, gtt, complaints, lots).
- ``nhsr/ae_attendances.csv``: NHS England A&E attendances and 4-hour breaches
  (OGL v3.0, via NHSRdatasets).
- ``phe/``: input tables of PHEindicatormethods' test workbooks.

No expected number here was copied from equitykit's output: each comes from a
formula evaluated in this file with numpy/scipy (the formula is named in each
test) or from the textbook.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import gammaln

import equitykit as ek
from equitykit.gaps import _phe_sii
from equitykit.intervals import byars, exact_poisson, poisson_interval, wilson

REAL = Path(__file__).parent / "realdata"
MONT = REAL / "montgomery"
QIC = REAL / "qicharts2"


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ek.SPCWarning)
        return ek.spc(*args, **kwargs)


# ----------------------------------------------------------------------------
# independent helpers: textbook formulas written out again, not imported
# ----------------------------------------------------------------------------

def c4(n):
    """Montgomery appendix VI: c4 = sqrt(2/(n-1)) Gamma(n/2) / Gamma((n-1)/2)."""
    n = np.asarray(n, dtype=float)
    return np.sqrt(2 / (n - 1)) * np.exp(gammaln(n / 2) - gammaln((n - 1) / 2))


def a3(n):
    return 3 / (c4(n) * np.sqrt(n))


def b4(n):
    return 1 + 3 * np.sqrt(1 - c4(n) ** 2) / c4(n)


def b3(n):
    return np.maximum(0, 1 - 3 * np.sqrt(1 - c4(n) ** 2) / c4(n))


def screened_amr(values):
    """Average moving range with ranges >= 3.267 x the average left out (Nelson 1982)."""
    v = np.asarray(values, dtype=float)
    mr = np.abs(np.diff(v))
    mr = mr[~np.isnan(mr)]
    return mr[mr < 3.267 * mr.mean()].mean()


def anhoej(values, centre):
    """Longest run, crossings and their Anhøj limits, by direct counting (Anhøj 2015)."""
    v = np.asarray(values, dtype=float)
    side = np.sign(v - centre)
    side = side[~np.isnan(side) & (side != 0)]
    n = len(side)
    changes = int((side[1:] != side[:-1]).sum())
    longest, cur = 1, 1
    for a, b in zip(side[:-1], side[1:]):
        cur = cur + 1 if a == b else 1
        longest = max(longest, cur)
    return {"n_useful": n, "longest_run": longest, "n_crossings": changes,
            "longest_run_max": int(round(np.log2(n)) + 3),
            "n_crossings_min": int(stats.binom.ppf(0.05, n - 1, 0.5))}


def check_runs(res, values, centre, row=0):
    s = res.summary().iloc[row]
    exp = anhoej(values, centre)
    for k, v in exp.items():
        assert int(s[k]) == v, k
    signal = exp["longest_run"] > exp["longest_run_max"] or exp["n_crossings"] < exp["n_crossings_min"]
    assert bool(s["runs_signal"]) == signal


# ----------------------------------------------------------------------------
# Montgomery's textbook tables
# ----------------------------------------------------------------------------

def test_montgomery_6_3_xbar_and_s_equal_subgroups() -> None:
    """Example 6.3: 25 samples of 5 piston rings; book: CL 74.001, limits 73.988 and 74.014, S UCL 0.0196."""
    t = pd.read_csv(MONT / "tbl_06.03.csv")
    g = t.groupby("sample")["obs"]
    xbb, sbar = g.mean().mean(), g.std().mean()  # eq. 6.28-6.29
    xb = quiet(t, x="sample", y="obs", chart="xbar")
    s = quiet(t, x="sample", y="obs", chart="s")
    np.testing.assert_allclose(xb.table["value"], g.mean().to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(xb.table["cl"], xbb, rtol=1e-12)
    np.testing.assert_allclose(xb.table["ucl"], xbb + a3(5) * sbar, rtol=1e-12)
    np.testing.assert_allclose(xb.table["lcl"], xbb - a3(5) * sbar, rtol=1e-12)
    np.testing.assert_allclose(s.table["value"], g.std().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(s.table["ucl"], b4(5) * sbar, rtol=1e-10)
    np.testing.assert_allclose(s.table["lcl"], 0, atol=1e-15)
    # the book's rounded figures (A3 = 1.427, B4 = 2.089 for n = 5)
    assert round(float(xb.table["cl"].iloc[0]), 3) == 74.001
    assert float(xb.table["ucl"].iloc[0]) == pytest.approx(74.014, abs=1e-3)
    assert float(xb.table["lcl"].iloc[0]) == pytest.approx(73.988, abs=1e-3)
    assert float(s.table["ucl"].iloc[0]) == pytest.approx(0.0196, abs=1e-4)
    assert round(a3(5), 3) == 1.427 and round(b4(5), 3) == 2.089
    assert xb.summary()["sigma_signals"].iloc[0] == 0  # the book: the process is in control
    check_runs(xb, g.mean(), xbb)


def test_montgomery_6_4_xbar_and_s_variable_subgroups() -> None:
    """Example 6.4: sizes 3 to 5; weighted grand mean (6.30) and pooled s (6.31).

    Book: x-double-bar 74.001 and s-pooled 0.0103, with the tabled constants A3 = 1.954, 1.628,
    1.427 and B4 = 2.568, 2.266, 2.089 for n = 3, 4, 5 (B3 = 0).
    """
    t = pd.read_csv(MONT / "tbl_06.04.csv")
    g = t.groupby("sample")["obs"]
    k, m, sd = g.count().to_numpy(), g.mean().to_numpy(), g.std().to_numpy()
    xbb = (k * m).sum() / k.sum()
    sp = np.sqrt(((k - 1) * sd ** 2).sum() / (k - 1).sum())
    xb = quiet(t, x="sample", y="obs", chart="xbar")
    s = quiet(t, x="sample", y="obs", chart="s")
    np.testing.assert_allclose(xb.table["n_rows"], k)
    np.testing.assert_allclose(xb.table["ucl"], xbb + a3(k) * sp, rtol=1e-12)
    np.testing.assert_allclose(xb.table["lcl"], xbb - a3(k) * sp, rtol=1e-12)
    np.testing.assert_allclose(s.table["cl"], sp, rtol=1e-10)
    np.testing.assert_allclose(s.table["ucl"], b4(k) * sp, rtol=1e-10)
    np.testing.assert_allclose(s.table["lcl"], b3(k) * sp, atol=1e-15)
    assert round(xbb, 3) == 74.001 and round(sp, 4) == 0.0103
    book_a3 = {3: 1.954, 4: 1.628, 5: 1.427}
    book_b4 = {3: 2.568, 4: 2.266, 5: 2.089}
    for size in (3, 4, 5):
        at = np.flatnonzero(k == size)[0]
        assert float(xb.table["ucl"].iloc[at]) == pytest.approx(74.001 + book_a3[size] * 0.0103, abs=1e-3)
        assert float(xb.table["lcl"].iloc[at]) == pytest.approx(74.001 - book_a3[size] * 0.0103, abs=1e-3)
        assert float(s.table["ucl"].iloc[at]) == pytest.approx(book_b4[size] * 0.0103, abs=1e-4)
        assert float(s.table["lcl"].iloc[at]) == 0


def test_montgomery_na_test_missing_observations_and_samples() -> None:
    """qicharts2's NA test table: rows without a sample are dropped with a warning; a sample with one
    observation has no xbar limits (c4 is undefined for n = 1); a sample with none is a gap."""
    t = pd.read_csv(MONT / "NA_test.csv")
    with pytest.warns(ek.SPCWarning) as caught:
        xb = ek.spc(t, x="sample", y="obs", chart="xbar")
    text = " ".join(str(w.message) for w in caught)
    assert "7 row(s) have no value in 'sample'" in text and "9 row(s) have no value in 'obs'" in text
    g = t.dropna(subset=["sample"]).groupby("sample")["obs"]
    k, m, sd = g.count().to_numpy(), g.mean().to_numpy(), g.std().to_numpy()
    tab = xb.table
    assert tab["n_rows"].tolist() == k.tolist()
    np.testing.assert_allclose(tab["value"], m, rtol=1e-12)  # NaN for the empty sample 16
    assert np.isnan(tab["value"].iloc[15])
    np.testing.assert_allclose(tab["cl"], np.nansum(k * m) / k.sum(), rtol=1e-12)  # eq. 6.30
    one = k == 1
    assert tab.loc[one, ["lcl", "ucl"]].isna().all().all()
    # Pooled s as qicharts2 0.8.1 computes eq. 6.31: the sum of (n_i - 1) runs over every sample,
    # so the empty sample 16 adds -1 to the denominator (kept for agreement with qicharts2).
    sp = np.sqrt(np.nansum((k - 1) * sd ** 2) / (k - 1).sum())
    full = k >= 2
    np.testing.assert_allclose(tab.loc[full, "ucl"], xbb_plus(np.nansum(k * m) / k.sum(), k[full], sp),
                               rtol=1e-12)


def xbb_plus(xbb, k, sp):
    return xbb + a3(k) * sp


def test_montgomery_6_5_individuals_with_frozen_baseline() -> None:
    """Example 6.5 (Table 6.7): weeks 1-20 set the limits: x-bar 300.5, MR-bar 7.79,
    limits 300.5 +/- 2.66 x 7.79 = 279.78 to 321.22; MR chart UCL 3.267 x 7.79 = 25.45."""
    t = pd.read_csv(MONT / "tbl_06.07.csv")
    base = t["cost"].to_numpy(float)[:20]
    mrbar = np.abs(np.diff(base)).mean()
    assert screened_amr(base) == pytest.approx(mrbar)  # no range is screened here
    i = quiet(t, x="weeks", y="cost", chart="i", freeze=20)
    np.testing.assert_allclose(i.table["cl"], base.mean(), rtol=1e-12)
    np.testing.assert_allclose(i.table["ucl"], base.mean() + 3 * mrbar / 1.128, rtol=1e-12)
    np.testing.assert_allclose(i.table["lcl"], base.mean() - 3 * mrbar / 1.128, rtol=1e-12)
    assert round(float(i.table["ucl"].iloc[0]), 1) == 321.2 and round(float(i.table["lcl"].iloc[0]), 1) == 279.8
    assert i.table["baseline"].tolist() == [True] * 20 + [False] * 20
    beyond = (t["cost"] > base.mean() + 3 * mrbar / 1.128) | (t["cost"] < base.mean() - 3 * mrbar / 1.128)
    assert i.table["sigma_signal"].tolist() == beyond.tolist()
    mr = quiet(t, x="weeks", y="cost", chart="mr", freeze=20)
    np.testing.assert_allclose(mr.table["value"].iloc[1:], np.abs(np.diff(t["cost"].to_numpy(float))))
    np.testing.assert_allclose(mr.table["ucl"], 3.267 * mrbar, rtol=1e-12)
    assert round(float(mr.table["ucl"].iloc[0]), 2) == 25.45
    # the same chart as two phases: each phase has its own mean and moving ranges
    ph = quiet(t, x="weeks", y="cost", chart="i", phase="phase")
    second = t["cost"].to_numpy(float)[20:]
    np.testing.assert_allclose(ph.table["cl"].iloc[20:], second.mean())
    np.testing.assert_allclose(ph.table["ucl"].iloc[20:], second.mean() + 3 * screened_amr(second) / 1.128)


def test_montgomery_7_1_p_chart_with_exclusions_and_a_new_phase() -> None:
    """Example 7.1 (Table 7.3): samples 15 and 23 (assignable causes) are dropped from phase 1;
    the book's revised limits are p-bar 0.2150, 0.0407 to 0.3893. Phase 2 starts at sample 31."""
    t = pd.read_csv(MONT / "tbl_07.03.csv")
    res = quiet(t, x="sample", y="count", n="size", chart="p", multiply=1, exclude=[15, 23], phase=[31])
    ph1 = t[(t["sample"] <= 30) & ~t["sample"].isin([15, 23])]
    p1 = ph1["count"].sum() / ph1["size"].sum()
    ph2 = t[t["sample"] > 30]
    p2 = ph2["count"].sum() / ph2["size"].sum()
    first = res.table["phase"] == 1
    np.testing.assert_allclose(res.table.loc[first, "cl"], p1, rtol=1e-12)
    np.testing.assert_allclose(res.table.loc[first, "ucl"], p1 + 3 * np.sqrt(p1 * (1 - p1) / 50), rtol=1e-12)
    np.testing.assert_allclose(res.table.loc[first, "lcl"], p1 - 3 * np.sqrt(p1 * (1 - p1) / 50), rtol=1e-12)
    np.testing.assert_allclose(res.table.loc[~first, "cl"], p2, rtol=1e-12)
    np.testing.assert_allclose(res.table.loc[~first, "lcl"], max(0.0, p2 - 3 * np.sqrt(p2 * (1 - p2) / 50)))
    assert (round(p1, 4), round(p1 - 3 * np.sqrt(p1 * (1 - p1) / 50), 4),
            round(p1 + 3 * np.sqrt(p1 * (1 - p1) / 50), 4)) == (0.215, 0.0407, 0.3893)
    assert res.table.loc[res.table["excluded"], "x"].tolist() == [15, 23]
    # excluded points stay on the chart and are judged against the limits
    assert bool(res.table.loc[res.table["x"] == 15, "sigma_signal"].iloc[0])
    # runs analysis of phase 2 against its own centre line
    check_runs(res, ph2["count"] / 50, p2, row=1)


def test_montgomery_7_2_p_chart_variable_sample_size() -> None:
    """Table 7.4: p-bar = sum(d) / sum(n) (book: 0.096); limits vary with each n (eq. 7.15)."""
    t = pd.read_csv(MONT / "tbl_07.04.csv")
    res = quiet(t, x="sample", y="count", n="size", chart="p", multiply=1)
    p = t["count"].sum() / t["size"].sum()
    sd = np.sqrt(p * (1 - p) / t["size"].to_numpy(float))
    np.testing.assert_allclose(res.table["ucl"], p + 3 * sd, rtol=1e-12)
    np.testing.assert_allclose(res.table["lcl"], np.maximum(0, p - 3 * sd), rtol=1e-12, atol=1e-15)
    assert round(p, 3) == 0.096
    n100 = np.flatnonzero(t["size"] == 100)[0]
    assert (round(float(res.table["lcl"].iloc[n100]), 3), round(float(res.table["ucl"].iloc[n100]), 3)) == (
        0.007, 0.184)


def test_montgomery_7_3_c_chart_excluding_two_and_frozen() -> None:
    """Example 7.3 (Table 7.8): c-bar from 26 samples is 516/26 = 19.85 (6.48 to 33.22); without
    samples 6 and 20 it is 472/24 = 19.67 (6.36 to 32.97), and it is extended to phase 2."""
    t = pd.read_csv(MONT / "tbl_07.08.csv")
    all26 = quiet(t[t["phase"] == 1], x="sample", y="count", chart="c")
    c = t["count"][:26].mean()
    assert round(c, 2) == 19.85
    np.testing.assert_allclose(all26.table["ucl"], c + 3 * np.sqrt(c))
    assert round(float(all26.table["lcl"].iloc[0]), 2) == 6.48
    res = quiet(t, x="sample", y="count", chart="c", exclude=[6, 20], freeze=26)
    kept = t["count"][:26][~t["sample"][:26].isin([6, 20])]
    c2 = kept.sum() / len(kept)
    assert kept.sum() == 472 and len(kept) == 24
    np.testing.assert_allclose(res.table["cl"], c2)
    np.testing.assert_allclose(res.table["ucl"], c2 + 3 * np.sqrt(c2))
    np.testing.assert_allclose(res.table["lcl"], c2 - 3 * np.sqrt(c2))
    assert (round(c2, 2), round(c2 - 3 * np.sqrt(c2), 2), round(c2 + 3 * np.sqrt(c2), 2)) == (19.67, 6.36, 32.97)
    assert res.table["sigma_signal"].tolist() == ((t["count"] > c2 + 3 * np.sqrt(c2))
                                                  | (t["count"] < c2 - 3 * np.sqrt(c2))).tolist()


def test_montgomery_7_4_and_7_5_u_charts() -> None:
    """Table 7.10: u = sum(c)/sum(n), limits u +/- 3 sqrt(u/n) (eq. 7.19). Example 7.5 (Table 7.11):
    defects per 50 square metres, so multiply = 50 with n in metres; book u-bar 1.42."""
    t = pd.read_csv(MONT / "tbl_07.10.csv")
    res = quiet(t, x="sample", y="count", n="size", chart="u", multiply=1)
    u = t["count"].sum() / t["size"].sum()
    np.testing.assert_allclose(res.table["ucl"], u + 3 * np.sqrt(u / t["size"]), rtol=1e-12)
    np.testing.assert_allclose(res.table["lcl"], np.maximum(0, u - 3 * np.sqrt(u / t["size"])), atol=1e-15)
    r = pd.read_csv(MONT / "tbl_07.11.csv")
    res = quiet(r, x="roll", y="count", n="meters", chart="u", multiply=50)
    units = r["meters"] / 50  # inspection units of 50 m2
    u = r["count"].sum() / units.sum()
    assert round(u, 2) == 1.42
    np.testing.assert_allclose(res.table["value"], r["count"] / units, rtol=1e-12)
    np.testing.assert_allclose(res.table["ucl"], u + 3 * np.sqrt(u / units), rtol=1e-12)
    np.testing.assert_allclose(res.table["lcl"], np.maximum(0, u - 3 * np.sqrt(u / units)), rtol=1e-12)
    assert res.summary()["sigma_signals"].iloc[0] == 0


def test_montgomery_7_6_t_chart_of_times_between_failures() -> None:
    """Example 7.6 (Table 7.14): an I chart of y = x^(1/3.6) (Nelson's transform), back-transformed."""
    t = pd.read_csv(MONT / "tbl_07.14.csv")
    res = quiet(t, x="failure", y="hours", chart="t")
    y = t["hours"].to_numpy(float) ** (1 / 3.6)
    sd = screened_amr(y) / 1.128
    np.testing.assert_allclose(res.table["value"], t["hours"], rtol=1e-12)
    np.testing.assert_allclose(res.table["cl"], y.mean() ** 3.6, rtol=1e-10)
    np.testing.assert_allclose(res.table["ucl"], (y.mean() + 3 * sd) ** 3.6, rtol=1e-10)
    assert y.mean() - 3 * sd < 0
    np.testing.assert_allclose(res.table["lcl"], 0)
    with pytest.raises(ek.EquityKitError, match="greater than zero"):
        ek.spc(t.assign(hours=t["hours"].where(t["failure"] != 4, 0)), x="failure", y="hours", chart="t")


def test_montgomery_9_1_individuals_runs_analysis() -> None:
    """Table 9.1: the book's CUSUM data shift up by about 1 after sample 20; an I chart and its runs."""
    t = pd.read_csv(MONT / "tbl_09.01.csv")
    res = quiet(t, x="sample", y="x", chart="i")
    v = t["x"].to_numpy(float)
    np.testing.assert_allclose(res.table["ucl"], v.mean() + 3 * screened_amr(v) / 1.128, rtol=1e-12)
    check_runs(res, v, v.mean())
    run = quiet(t, x="sample", y="x", chart="run")
    check_runs(run, v, np.median(v))


# ----------------------------------------------------------------------------
# qicharts2's bundled datasets
# ----------------------------------------------------------------------------

def test_cdi_u_chart_before_and_after_the_intervention() -> None:
    """C. difficile per 10,000 risk days, one phase per period (the qicharts2 vignette's chart)."""
    cdi = pd.read_csv(QIC / "cdi.csv", parse_dates=["month"])
    res = quiet(cdi, x="month", y="n", n="days", chart="u", multiply=10_000, phase="period")
    assert res.summary()["phase_label"].tolist() == ["pre", "post"]
    for label, part in cdi.groupby("period", sort=False):
        u = part["n"].sum() / part["days"].sum()
        rows = res.table["phase_label"] == label
        np.testing.assert_allclose(res.table.loc[rows, "cl"], 10_000 * u, rtol=1e-12)
        np.testing.assert_allclose(res.table.loc[rows, "ucl"],
                                   10_000 * (u + 3 * np.sqrt(u / part["days"].to_numpy())), rtol=1e-12)
    # the same from the frozen baseline of 24 months on a C chart
    c = quiet(cdi, x="month", y="n", chart="c", freeze=24, annotations=cdi.dropna(subset=["notes"])
              .rename(columns={"month": "x", "notes": "label"})[["x", "label"]])
    cbar = cdi["n"][:24].mean()
    np.testing.assert_allclose(c.table["cl"], cbar)
    np.testing.assert_allclose(c.table["lcl"], max(0, cbar - 3 * np.sqrt(cbar)))
    check_runs(c, cdi["n"], cbar)
    spec = c.chart().to_dict()
    assert "Intervention begins" in str(spec)


def test_nhs_accidents_p_chart_versus_laney_p_prime() -> None:
    """Mohammed et al. (2013): with ~270,000 attendances a week the P chart limits are too tight;
    Laney's P' widens them by sigma_z, the screened average moving range of z-scores / 1.128."""
    acc = pd.read_csv(QIC / "nhs_accidents.csv")
    p = acc["r"].sum() / acc["n"].sum()
    pi = acc["r"] / acc["n"]
    sd = np.sqrt(p * (1 - p) / acc["n"])
    res = quiet(acc, x="i", y="r", n="n", chart="p", multiply=1, improvement="increase")
    np.testing.assert_allclose(res.table["ucl"], p + 3 * sd, rtol=1e-12)
    beyond = ((pi > p + 3 * sd) | (pi < p - 3 * sd)).sum()
    assert res.summary()["sigma_signals"].iloc[0] == beyond > 10
    z = (pi - p) / sd
    sigma_z = screened_amr(z) / 1.128
    pp = quiet(acc, x="i", y="r", n="n", chart="pp", multiply=1, improvement="increase")
    np.testing.assert_allclose(pp.table["ucl"], p + 3 * sd * sigma_z, rtol=1e-10)
    np.testing.assert_allclose(pp.table["lcl"], p - 3 * sd * sigma_z, rtol=1e-10)
    assert pp.summary()["sigma_signals"].iloc[0] == ((pi > p + 3 * sd * sigma_z) | (pi < p - 3 * sd * sigma_z)).sum()
    # percentages: multiply scales values and limits, not the signals
    pct = quiet(acc, x="i", y="r", n="n", chart="pp", multiply=100)
    np.testing.assert_allclose(pct.table["ucl"], 100 * pp.table["ucl"], rtol=1e-12)
    assert pct.table["sigma_signal"].tolist() == pp.table["sigma_signal"].tolist()


def test_hospital_infections_by_hospital_and_infection() -> None:
    """18 series (6 hospitals x 3 infections) through by=, each as its own U chart per 10,000 days."""
    hi = pd.read_csv(QIC / "hospital_infections.csv", parse_dates=["month"])
    res = quiet(hi, x="month", y="n", n="days", chart="u", multiply=10_000, by=["hospital", "infection"])
    summ = res.summary()
    assert len(summ) == 18 and summ["n_obs"].eq(24).all()
    for (hosp, inf), part in hi.groupby(["hospital", "infection"]):
        u = part["n"].sum() / part["days"].sum()
        rows = (res.table["hospital"] == hosp) & (res.table["infection"] == inf)
        tab = res.table[rows]
        np.testing.assert_allclose(tab["cl"], 1e4 * u, rtol=1e-12)
        np.testing.assert_allclose(tab["lcl"], 1e4 * np.maximum(0, u - 3 * np.sqrt(u / part["days"].to_numpy())),
                                   rtol=1e-12, atol=1e-12)
        row = summ[(summ["hospital"] == hosp) & (summ["infection"] == inf)].iloc[0]
        exp = anhoej(part["n"] / part["days"], u)
        assert int(row["longest_run"]) == exp["longest_run"] and int(row["n_crossings"]) == exp["n_crossings"]
    assert len(res.chart().to_dict()["datasets"]) <= 1


def _cabg() -> pd.DataFrame:
    cabg = pd.read_csv(QIC / "cabg.csv", parse_dates=["date"])
    return cabg.assign(month=cabg["date"].dt.to_period("M").dt.to_timestamp())


def test_cabg_xbar_and_s_of_length_of_stay_by_month() -> None:
    """Row-level operations grouped by month: subgroup sizes vary, so pooled s (Montgomery 6.31)."""
    cabg = _cabg()
    g = cabg.groupby("month")["los"]
    k, m, sd = g.count().to_numpy(), g.mean().to_numpy(), g.std().to_numpy()
    xbb = (k * m).sum() / k.sum()
    sp = np.sqrt(((k - 1) * sd ** 2).sum() / (k - 1).sum())
    xb = quiet(cabg, x="month", y="los", chart="xbar")
    np.testing.assert_allclose(xb.table["value"], m, rtol=1e-12)
    np.testing.assert_allclose(xb.table["ucl"], xbb + a3(k) * sp, rtol=1e-10)
    s = quiet(cabg, x="month", y="los", chart="s")
    np.testing.assert_allclose(s.table["value"], sd, rtol=1e-10)
    np.testing.assert_allclose(s.table["ucl"], b4(k) * sp, rtol=1e-10)
    check_runs(xb, m, xbb)


def test_cabg_deaths_p_chart_row_level_equals_monthly_counts_and_by_gender() -> None:
    """A P chart from one row per operation (y = death, n = 1) equals one from monthly counts."""
    cabg = _cabg()
    rows = quiet(cabg.assign(one=1), x="month", y="death", n="one", chart="p", multiply=1)
    monthly = cabg.groupby("month").agg(deaths=("death", "sum"), ops=("death", "size")).reset_index()
    agg = quiet(monthly, x="month", y="deaths", n="ops", chart="p", multiply=1)
    for col in ("value", "cl", "lcl", "ucl", "sigma_signal"):
        np.testing.assert_array_equal(rows.table[col].to_numpy(), agg.table[col].to_numpy())
    p = monthly["deaths"].sum() / monthly["ops"].sum()
    np.testing.assert_allclose(agg.table["ucl"], p + 3 * np.sqrt(p * (1 - p) / monthly["ops"]), rtol=1e-12)
    by = quiet(cabg.assign(one=1), x="month", y="readmission", n="one", chart="p", multiply=1, by="gender")
    for sex, part in cabg.groupby("gender"):
        q = part["readmission"].sum() / len(part)
        np.testing.assert_allclose(by.table.loc[by.table["gender"] == sex, "cl"], q, rtol=1e-12)


def test_cabg_g_chart_of_operations_between_deaths() -> None:
    """G chart: operations between deaths; median centre line, limits from the mean g:
    g +/- 3 sqrt(g (g + 1)) (Benneyan 2001), lower floored at 0."""
    cabg = _cabg().sort_values("date", kind="stable").reset_index(drop=True)
    where = np.flatnonzero(cabg["death"].to_numpy())
    gaps = pd.DataFrame({"death": np.arange(1, len(where)), "between": np.diff(where) - 1})
    res = quiet(gaps, x="death", y="between", chart="g")
    g = gaps["between"].mean()
    np.testing.assert_allclose(res.table["cl"], gaps["between"].median())
    np.testing.assert_allclose(res.table["ucl"], g + 3 * np.sqrt(g * (g + 1)), rtol=1e-12)
    np.testing.assert_allclose(res.table["lcl"], max(0.0, g - 3 * np.sqrt(g * (g + 1))))
    check_runs(res, gaps["between"], gaps["between"].median())


def test_gtt_harms_per_1000_patient_days() -> None:
    """Global Trigger Tool: U chart of harms per 1,000 patient days by month, from row-level reviews."""
    gtt = pd.read_csv(QIC / "gtt.csv", parse_dates=["month"])
    res = quiet(gtt, x="month", y="harms", n="days", chart="u", multiply=1000)
    m = gtt.groupby("month").agg(h=("harms", "sum"), d=("days", "sum"))
    u = m["h"].sum() / m["d"].sum()
    np.testing.assert_allclose(res.table["value"], 1000 * m["h"] / m["d"], rtol=1e-12)
    np.testing.assert_allclose(res.table["ucl"], 1000 * (u + 3 * np.sqrt(u / m["d"].to_numpy())), rtol=1e-12)
    assert res.table["n_rows"].tolist() == gtt.groupby("month").size().tolist()
    check_runs(res, m["h"] / m["d"], u)
    # harms per admission reviewed, as a C chart of monthly sums (20 reviews a month)
    c = quiet(gtt, x="month", y="harms", chart="c")
    np.testing.assert_allclose(c.table["value"], m["h"].to_numpy())


def test_complaints_u_prime_and_lots_i_chart() -> None:
    """variation.com's normalised individuals example: complaints per sales on a Laney U' chart."""
    comp = pd.read_csv(QIC / "complaints.csv")
    u = comp["complaints"].sum() / comp["sales"].sum()
    ui = comp["complaints"] / comp["sales"]
    sd = np.sqrt(u / comp["sales"])
    sigma_z = screened_amr((ui - u) / sd) / 1.128
    res = quiet(comp, x="month", y="complaints", n="sales", chart="up", multiply=1)
    np.testing.assert_allclose(res.table["ucl"], u + 3 * sd * sigma_z, rtol=1e-10)
    np.testing.assert_allclose(res.table["lcl"], np.maximum(0, u - 3 * sd * sigma_z), rtol=1e-10)
    plain = quiet(comp, x="month", y="complaints", n="sales", chart="u", multiply=1)
    assert plain.summary()["sigma_signals"].iloc[0] >= res.summary()["sigma_signals"].iloc[0]
    lots = pd.read_csv(QIC / "lots.csv")
    i = quiet(lots, x="lot", y="value", chart="i")
    v = lots["value"].to_numpy(float)
    np.testing.assert_allclose(i.table["ucl"], v.mean() + 3 * screened_amr(v) / 1.128, rtol=1e-12)


# ----------------------------------------------------------------------------
# NHS England A&E attendances
# ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ae() -> pd.DataFrame:
    return pd.read_csv(REAL / "nhsr" / "ae_attendances.csv", dtype={"type": str})


def _one_trust(ae: pd.DataFrame, org: str = "RF4") -> pd.DataFrame:
    return ae[(ae["org_code"] == org) & (ae["type"] == "1")].sort_values("period").reset_index(drop=True)


def test_ae_one_trust_individuals_and_making_data_count(ae) -> None:
    """Monthly type 1 attendances at one trust: I chart (mean +/- 3 AMR/1.128) and the NHS XmR
    (mean +/- 2.66 AMR, NHSRplotthedots), with dates given as text exactly as the CSV has them."""
    one = _one_trust(ae)
    assert one["period"].dtype != "datetime64[ns]"  # text dates, read by the kit
    v = one["attendances"].to_numpy(float)
    amr = screened_amr(v)
    i = quiet(one, x="period", y="attendances", chart="i")
    assert i.options["kind"] == "date"
    np.testing.assert_allclose(i.table["ucl"], v.mean() + 3 * amr / 1.128, rtol=1e-12)
    check_runs(i, v, v.mean())
    mdc = quiet(one, x="period", y="attendances", rules="mdc", improvement="decrease")
    np.testing.assert_allclose(mdc.table["ucl"], v.mean() + 2.66 * amr, rtol=1e-12)
    np.testing.assert_allclose(mdc.table["lcl"], v.mean() - 2.66 * amr, rtol=1e-12)
    outside = (v > v.mean() + 2.66 * amr) | (v < v.mean() - 2.66 * amr)
    assert mdc.table["outside_limits"].tolist() == outside.tolist()
    # 7 in a row on one side of the mean, counted directly
    side = np.sign(v - v.mean())
    run7 = np.zeros(len(v), bool)
    for k in range(len(v) - 6):
        if abs(side[k:k + 7].sum()) == 7:
            run7[k:k + 7] = True
    assert (mdc.table["shift"].to_numpy() == run7).all()
    below = (v < v.mean() - 2.66 * amr)
    types = mdc.table["point_type"].to_numpy()
    assert (types[below] == "special_cause_improvement").all()  # fewer attendances is the better way here


def test_ae_four_hour_performance_p_chart_and_assurance(ae) -> None:
    """4-hour performance = 1 - breaches / attendances, a P chart of those seen in time; against
    the 95% standard the MDC assurance icon says whether the process can meet it."""
    one = _one_trust(ae).assign(within=lambda d: d["attendances"] - d["breaches"])
    p = one["within"].sum() / one["attendances"].sum()
    sd = np.sqrt(p * (1 - p) / one["attendances"])
    res = quiet(one, x="period", y="within", n="attendances", chart="p", multiply=100, improvement="increase",
                target=95)
    np.testing.assert_allclose(res.table["cl"], 100 * p, rtol=1e-12)
    np.testing.assert_allclose(res.table["ucl"], 100 * np.minimum(1, p + 3 * sd), rtol=1e-12)
    perf = one["within"] / one["attendances"]
    assert res.summary()["sigma_signals"].iloc[0] == ((perf > p + 3 * sd) | (perf < p - 3 * sd)).sum()
    mdc = quiet(one.assign(perf=perf), x="period", y="perf", rules="mdc", improvement="increase", target=0.95)
    ucl = perf.mean() + 2.66 * screened_amr(perf)
    lcl = perf.mean() - 2.66 * screened_amr(perf)
    expected = "consistent_fail" if 0.95 > ucl else ("consistent_pass" if 0.95 < lcl else "inconsistent")
    assert mdc.summary()["assurance"].iloc[0] == expected


def test_ae_by_trust_equals_one_chart_per_trust(ae) -> None:
    """by= over 130+ trusts gives the same numbers as charting each trust on its own."""
    t1 = ae[ae["type"] == "1"]
    allp = quiet(t1, x="period", y="breaches", n="attendances", chart="pp", multiply=1, by="org_code")
    assert allp.summary()["org_code"].nunique() == t1["org_code"].nunique()
    for org in ["RF4", "RRK", "RJ1", "R0A", "RBZ"]:
        part = t1[t1["org_code"] == org]
        if part.empty:
            continue
        alone = quiet(part, x="period", y="breaches", n="attendances", chart="pp", multiply=1)
        mine = allp.table[allp.table["org_code"] == org].reset_index(drop=True)
        for col in ("value", "cl", "lcl", "ucl", "sigma_signal", "run_signal"):
            np.testing.assert_array_equal(mine[col].to_numpy(), alone.table[col].to_numpy(), err_msg=f"{org} {col}")


def test_ae_national_totals_aggregate_rows_per_month(ae) -> None:
    """Every department's rows for a month are summed into one point (sum of y and of n)."""
    res = quiet(ae, x="period", y="breaches", n="attendances", chart="p", multiply=1)
    tot = ae.groupby("period")[["breaches", "attendances"]].sum()
    np.testing.assert_allclose(res.table["value"], (tot["breaches"] / tot["attendances"]).to_numpy(), rtol=1e-12)
    assert res.table["n_rows"].tolist() == ae.groupby("period").size().tolist()


def test_ae_breaches_by_department_type_wilson(ae) -> None:
    """disaggregate on one month: Wilson intervals by department type (Wilson 1927 closed form)."""
    month = ae[ae["period"] == "2019-03-01"]
    g = ek.disaggregate(month, outcome="breaches", by="type", n="attendances", reference="1", multiply=100)
    tot = month.groupby("type")[["breaches", "attendances"]].sum()
    z = stats.norm.ppf(0.975)
    x, n = tot["breaches"].to_numpy(float), tot["attendances"].to_numpy(float)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    tab = g.table.set_index("group").loc[tot.index]
    np.testing.assert_allclose(tab["rate"], 100 * p, rtol=1e-12)
    np.testing.assert_allclose(tab["lower"], 100 * (centre - half), rtol=1e-10)
    np.testing.assert_allclose(tab["upper"], 100 * (centre + half), rtol=1e-10)
    np.testing.assert_allclose(tab["difference"], 100 * (p - p[list(tot.index).index("1")]), atol=1e-10)


# ----------------------------------------------------------------------------
# PHEindicatormethods' test inputs
# ----------------------------------------------------------------------------

def _z(conf: float) -> float:
    return stats.norm.ppf(1 - (1 - conf) / 2)


def test_phe_byars_and_wilson_inputs() -> None:
    """Byar's approximation (Breslow and Day 1987) and Wilson's score interval, written out here;
    the published checks: Wilson 65/100 at 95% is 0.552544 to 0.736358, Byars 65 is 50.1632 to 82.8491."""
    t = pd.read_csv(REAL / "phe" / "byars_wilson_inputs.csv")
    for row in t.itertuples():
        conf = float(row.confidence.rstrip("%")) / 100
        z = _z(conf)
        x = float(row.x)
        if row.method == "Byars":
            lo = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
            hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
            got = byars(x, conf)
        else:
            n = float(row.n)
            lo = (2 * x + z * z - z * np.sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z))
            hi = (2 * x + z * z + z * np.sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z))
            got = wilson(x, n, conf)
        assert got.lower == pytest.approx(lo, rel=1e-12), row.row
        assert got.upper == pytest.approx(hi, rel=1e-12), row.row
    w = wilson(65, 100)
    assert (round(w.lower, 6), round(w.upper, 6)) == (0.552544, 0.736358)
    b = byars(65)
    assert (round(b.lower, 4), round(b.upper, 4)) == (50.1632, 82.8491)


def test_phe_proportions_with_multiplier_and_missing_rows() -> None:
    """phe_proportion inputs: Wilson x multiplier; rows with a missing count give no interval."""
    t = pd.read_csv(REAL / "phe" / "proportion_inputs.csv")
    w = wilson(t["Numerator"], t["Denominator"])
    z = _z(0.95)
    x, n = t["Numerator"].to_numpy(float), t["Denominator"].to_numpy(float)
    lo = (2 * x + z * z - z * np.sqrt(z * z + 4 * x * (1 - x / n))) / (2 * (n + z * z))
    np.testing.assert_allclose(np.asarray(w.lower) * t["multiplier"], lo * t["multiplier"], rtol=1e-12)
    assert np.isnan(np.asarray(w.lower)[16:]).all()
    # disaggregate by area sums the repeated areas, as the grouped sheet does
    grouped = pd.read_csv(REAL / "phe" / "proportion_grouped_inputs.csv")
    g = ek.disaggregate(t, outcome="Numerator", by="Area", n="Denominator", multiply=1)
    tab = g.table.set_index("group")
    for row in grouped.dropna().itertuples():
        assert tab.loc[row.Area, "numerator"] == row.Numerator
        assert tab.loc[row.Area, "denominator"] == row.Denominator


def test_phe_rates_exact_below_10_byars_from_10() -> None:
    """phe_rate's rule: exact Poisson (Garwood 1936, chi-squared) below 10 events, Byar's from 10."""
    t = pd.read_csv(REAL / "phe" / "rate_inputs.csv").iloc[:16]
    x = t["Numerator"].to_numpy(float)
    a = 0.05
    exact_lo = np.where(x > 0, stats.chi2.ppf(a / 2, 2 * np.maximum(x, 1)) / 2, 0.0)
    exact_hi = stats.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    z = _z(0.95)
    by_lo = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    by_hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lo = np.where(x < 10, exact_lo, by_lo)
    hi = np.where(x < 10, exact_hi, by_hi)
    got = poisson_interval(x)
    np.testing.assert_allclose(got.lower, lo, rtol=1e-10)
    np.testing.assert_allclose(got.upper, hi, rtol=1e-10)
    rate_hi = got.upper / t["Denominator"] * t["multiplier"]
    np.testing.assert_allclose(rate_hi, hi / t["Denominator"] * t["multiplier"], rtol=1e-10)
    e = exact_poisson([1, 5])
    np.testing.assert_allclose(e.upper, stats.chi2.ppf(0.975, [4, 12]) / 2, rtol=1e-12)


def _sii_blocks():
    t = pd.read_csv(REAL / "phe" / "sii_inputs.csv")
    t = t[t["Repetitions"].notna() & t["Population"].notna() & t["Value"].notna()]
    for (test, area), block in t.groupby(["TestDescription", "Area"], sort=False):
        if test.startswith(("error", "warning")) or "transform" in test or len(block) not in (5, 10):
            continue
        yield test, area, block.sort_values("Quantile")


def test_phe_sii_inputs_weighted_least_squares() -> None:
    """SII on PHE's own test inputs: weighted least squares of value on the midpoint of cumulative
    population share (weights = population share), here by numpy.polyfit, slope = SII."""
    checked = 0
    for test, area, block in _sii_blocks():
        pop = block["Population"].to_numpy(float)
        val = block["Value"].to_numpy(float)
        a = pop / pop.sum()
        b = np.cumsum(a) - a / 2
        slope, intercept = np.polyfit(b, val, 1, w=np.sqrt(a))
        res = _phe_sii(pop, val, lower=block["LowerCL"].to_numpy(float), upper=block["UpperCL"].to_numpy(float),
                       value_type=int(block["ValueType"].iloc[0]), repetitions=1000,
                       rng=np.random.default_rng(1))
        assert res["sii"] == pytest.approx(slope, rel=1e-9, abs=1e-12), (test, area)
        assert res["rii"] == pytest.approx((intercept + slope) / intercept, rel=1e-9), (test, area)
        np.testing.assert_allclose(res["b"], b, rtol=1e-12)
        checked += 1
    assert checked >= 10


def test_phe_sii_proportions_through_disaggregate() -> None:
    """The proportion blocks (Count out of Population) through disaggregate(...).sii(): same slope."""
    done = 0
    for test, area, block in _sii_blocks():
        if int(block["ValueType"].iloc[0]) != 2 or block["Count"].isna().any() or "multiplier" in test:
            continue
        d = block.rename(columns={"Quantile": "quantile"})
        g = ek.disaggregate(d, outcome="Count", by="quantile", n="Population", multiply=100)
        s = g.sii(seed=2, repetitions=1000).table.iloc[0]
        pop = block["Population"].to_numpy(float)
        rate = (block["Count"] / block["Population"]).to_numpy()
        a = pop / pop.sum()
        slope, intercept = np.polyfit(np.cumsum(a) - a / 2, rate, 1, w=np.sqrt(a))
        assert s["sii"] == pytest.approx(100 * slope, rel=1e-9)
        assert s["rii"] == pytest.approx((intercept + slope) / intercept, rel=1e-9)
        assert s["sii_lower"] < s["sii"] < s["sii_upper"]
        done += 1
    assert done >= 2


# ----------------------------------------------------------------------------
# invariants on real data (hypothesis)
# ----------------------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16))
def test_sii_does_not_depend_on_row_order(seed) -> None:
    t = pd.read_csv(REAL / "phe" / "sii_inputs.csv")
    block = t[t["TestDescription"].str.startswith("proportion (e.g. child obesity) - default")
              & (t["Area"] == "area1")]
    shuffled = block.sample(frac=1, random_state=seed)
    one = ek.disaggregate(block, outcome="Count", by="Quantile", n="Population").sii(seed=5, repetitions=1000)
    two = ek.disaggregate(shuffled, outcome="Count", by="Quantile", n="Population").sii(seed=5, repetitions=1000)
    pd.testing.assert_frame_equal(one.table, two.table)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(2, 6), chart=st.sampled_from(["run", "i", "u", "up", "c"]), seed=st.integers(0, 2**16))
def test_by_equals_separate_calls_on_hospital_infections(k, chart, seed) -> None:
    hi = pd.read_csv(QIC / "hospital_infections.csv", parse_dates=["month"])
    hi = hi[hi["infection"] == "CDI"]
    hosp = list(pd.Series(hi["hospital"].unique()).sample(k, random_state=seed))
    part = hi[hi["hospital"].isin(hosp)].sample(frac=1, random_state=seed)
    n = "days" if chart in ("u", "up") else None
    res = quiet(part, x="month", y="n", n=n, chart=chart, by="hospital")
    for h in hosp:
        alone = quiet(part[part["hospital"] == h], x="month", y="n", n=n, chart=chart)
        mine = res.table[res.table["hospital"] == h].reset_index(drop=True)
        for col in ("value", "cl", "lcl", "ucl", "sigma_signal", "run_signal"):
            np.testing.assert_array_equal(mine[col].to_numpy(), alone.table[col].to_numpy())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), by=st.sampled_from(["gender", ["gender", "age_band"], "age_band"]))
def test_disaggregate_rows_equal_aggregated_counts_on_cabg(seed, by) -> None:
    cabg = _cabg().sample(400, random_state=seed)
    cabg = cabg.assign(age_band=pd.cut(cabg["age"], [0, 60, 70, 80, 120], labels=["<60", "60-69", "70-79", "80+"]))
    cols = [by] if isinstance(by, str) else by
    rows = ek.disaggregate(cabg, outcome="readmission", by=by, reference="overall")
    agg = cabg.groupby(cols, observed=True)["readmission"].agg(["sum", "size"]).reset_index()
    counts = ek.disaggregate(agg, outcome="sum", by=by, n="size", reference="overall")
    for col in ("group", "numerator", "denominator", "rate", "lower", "upper", "difference"):
        a, b = rows.table[col].to_numpy(), counts.table[col].to_numpy()
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
        else:
            assert list(a) == list(b)


def test_real_data_is_never_changed_by_the_kit(ae) -> None:
    one = _one_trust(ae)
    before = one.copy()
    quiet(one, x="period", y="breaches", n="attendances", chart="pp", multiply=1, exclude=["2017-01-01"], freeze=12)
    quiet(one, x="period", y="attendances", rules="mdc", target=20000)
    ek.disaggregate(one, outcome="breaches", by="type", n="attendances")
    pd.testing.assert_frame_equal(one, before)
