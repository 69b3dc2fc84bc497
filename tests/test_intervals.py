"""Intervals against published check values (tests/reference/README.md section 6),
Newcombe (1998) and the Garwood exact Poisson table; properties by hypothesis."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitykit import EquityKitError
from equitykit.intervals import (
    Interval,
    byars,
    exact_poisson,
    newcombe,
    poisson_interval,
    risk_ratio,
    wilson,
    z_value,
)

SIX_FIGURES = 5e-6
REALDATA = Path(__file__).parent / "realdata" / "phe"


def test_wilson_published_checks() -> None:
    w = wilson(65, 100, 0.95)
    np.testing.assert_allclose([w.lower, w.upper], [0.552544, 0.736358], rtol=SIX_FIGURES)
    w = wilson(1045, 5000, 0.998)
    np.testing.assert_allclose([w.lower, w.upper], [0.191794, 0.227316], rtol=SIX_FIGURES)


def test_byars_published_check() -> None:
    b = byars(65)
    np.testing.assert_allclose([b.lower, b.upper], [50.1632, 82.8491], rtol=SIX_FIGURES)
    # From 10 events, poisson_interval uses Byar's method.
    p = poisson_interval(65)
    assert (p.lower, p.upper) == (b.lower, b.upper)


@pytest.mark.parametrize(
    "count, lower, upper",
    # Garwood (1936) exact 95% limits, as tabled in standard references.
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (3, 0.6187, 8.767), (9, 4.115, 17.08)],
)
def test_exact_poisson_table(count: int, lower: float, upper: float) -> None:
    e = exact_poisson(count)
    np.testing.assert_allclose([e.lower, e.upper], [lower, upper], rtol=1e-3, atol=1e-4)
    p = poisson_interval(count)  # below 10 events: exact
    assert (p.lower, p.upper) == (e.lower, e.upper)


@pytest.mark.parametrize(
    "x1, n1, x2, n2, lower, upper",
    # Newcombe (1998) Stat Med 17:873, Table II, method 10.
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ],
)
def test_newcombe_published_examples(x1: int, n1: int, x2: int, n2: int, lower: float, upper: float) -> None:
    d = newcombe(x1, n1, x2, n2)
    np.testing.assert_allclose(d.estimate, x1 / n1 - x2 / n2)
    np.testing.assert_allclose([d.lower, d.upper], [lower, upper], atol=6e-5)


def test_risk_ratio_log_interval() -> None:
    r = risk_ratio(30, 100, 15, 100)
    se = np.sqrt(1 / 30 - 1 / 100 + 1 / 15 - 1 / 100)
    z = 1.959963984540054
    np.testing.assert_allclose([r.estimate, r.lower, r.upper], [2.0, 2 * np.exp(-z * se), 2 * np.exp(z * se)])
    zero = risk_ratio(0, 100, 15, 100)
    assert zero.estimate == 0 and np.isnan(zero.lower) and np.isnan(zero.upper)


def test_vectorised_and_series_inputs() -> None:
    x = pd.Series([65, 1045, np.nan])
    n = pd.Series([100, 5000, np.nan])
    w = wilson(x, n)
    assert isinstance(w, Interval) and w.lower.shape == (3,)
    assert np.isnan(w.lower[2]) and np.isnan(w.estimate[2])
    assert isinstance(wilson(1, 2).lower, float)


def test_realdata_byars_wilson_rows_behave() -> None:
    # PHE's Byars/Wilson test workbook inputs: every row gives limits around its value.
    rows = pd.read_csv(REALDATA / "byars_wilson_inputs.csv")
    for r in rows.itertuples():
        conf = float(r.confidence.rstrip("%")) / 100
        if r.method == "Wilson":
            w = wilson(r.x, r.n, conf)
            assert 0 <= w.lower <= w.estimate <= w.upper <= 1
        else:
            b = poisson_interval(r.x, conf)
            assert 0 <= b.lower <= r.x <= b.upper


def test_bad_inputs() -> None:
    with pytest.raises(EquityKitError, match="greater than zero"):
        wilson(0, 0)
    with pytest.raises(EquityKitError, match="larger than its denominator"):
        wilson(5, 4)
    with pytest.raises(EquityKitError, match="negative"):
        wilson(-1, 4)
    with pytest.raises(EquityKitError, match="0.95"):
        wilson(1, 4, confidence=95)
    with pytest.raises(EquityKitError):
        byars(-3)
    assert round(z_value(0.998), 4) == 3.0902


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000).flatmap(lambda n: st.tuples(st.integers(0, max(n, 1)), st.just(max(n, 1)))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]))
def test_wilson_contains_rate_within_unit_interval(xn: tuple[int, int], conf: float) -> None:
    x, n = xn
    w = wilson(x, n, conf)
    assert 0 <= w.lower <= w.estimate + 1e-12
    assert w.estimate - 1e-12 <= w.upper <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 5000), st.data())
def test_newcombe_contains_difference(n1: int, n2: int, data: st.DataObject) -> None:
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    d = newcombe(x1, n1, x2, n2)
    assert -1 - 1e-12 <= d.lower <= d.estimate + 1e-12
    assert d.estimate - 1e-12 <= d.upper <= 1 + 1e-12


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 100_000))
def test_poisson_interval_contains_count(x: int) -> None:
    p = poisson_interval(x)
    assert 0 <= p.lower <= x <= p.upper


def test_poisson_switches_to_byars_at_ten_events() -> None:
    p = poisson_interval([9, 10])
    e, b = exact_poisson(9), byars(10)
    assert (p.lower[0], p.upper[0]) == (e.lower, e.upper)
    assert (p.lower[1], p.upper[1]) == (b.lower, b.upper)
