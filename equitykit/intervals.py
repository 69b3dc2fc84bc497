"""Confidence intervals for proportions, counts, differences and ratios.

Every function works on single numbers or on whole columns at once (numpy
arrays or pandas Series) and returns an :class:`Interval`: the estimate with
its lower and upper limits. The methods are those of PHEindicatormethods 2.1.0
(the R package the Office for Health Improvement and Disparities uses for
Fingertips), so figures agree with published public-health statistics.

Example
-------
>>> from equitykit.intervals import wilson
>>> w = wilson(65, 100)
>>> round(w.lower, 6), round(w.upper, 6)
(0.552544, 0.736358)
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from statistics import NormalDist

from .validation import EquityKitError

__all__ = [
    "Interval",
    "z_value",
    "wilson",
    "byars",
    "exact_poisson",
    "poisson_interval",
    "newcombe",
    "risk_ratio",
]


class Interval(NamedTuple):
    """An estimate with its confidence limits (floats, or arrays for columns)."""

    estimate: Any
    lower: Any
    upper: Any


def _check_confidence(confidence: float) -> float:
    try:
        conf = float(confidence)
    except (TypeError, ValueError):
        raise EquityKitError(f"confidence={confidence!r} should be a number such as 0.95.") from None
    if not 0.5 <= conf < 1:
        hint = f" Did you mean {conf / 100:g}?" if 50 <= conf < 100 else ""
        raise EquityKitError(
            f"confidence={confidence!r} should be a proportion between 0.5 and 1, e.g. 0.95 "
            f"for 95% or 0.998 for 99.8%.{hint}"
        )
    return conf


def z_value(confidence: float = 0.95) -> float:
    """The two-sided standard normal quantile, e.g. 1.959964 for 95%.

    Example
    -------
    >>> round(z_value(0.95), 6)
    1.959964
    """
    conf = _check_confidence(confidence)
    return NormalDist().inv_cdf(conf + (1 - conf) / 2)


def _array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise EquityKitError(f"{name} should be numbers, not {values!r}.") from None
    return arr


def _out(arr: np.ndarray) -> Any:
    return float(arr) if np.ndim(arr) == 0 else arr


def wilson(numerator: Any, denominator: Any, confidence: float = 0.95) -> Interval:
    """Proportion with its Wilson score interval.

    Parameters
    ----------
    numerator, denominator : number or array-like
        Counts of people with the outcome, and of people who could have it.
        Missing values give missing results.
    confidence : float
        Confidence level, e.g. 0.95 or 0.998.

    Returns
    -------
    Interval
        ``estimate`` = numerator / denominator, ``lower`` and ``upper`` the
        Wilson limits (always inside 0 to 1).

    Notes
    -----
    lower, upper = (2x + z² ∓ z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²)), as
    ``phe_proportion`` in PHEindicatormethods 2.1.0 (Wilson 1927; Newcombe 1998).
    A zero denominator is an error, as there.

    Example
    -------
    >>> w = wilson(1045, 5000, confidence=0.998)
    >>> round(w.estimate, 3), round(w.lower, 6), round(w.upper, 6)
    (0.209, 0.191794, 0.227316)
    """
    x = _array(numerator, "numerator")
    n = _array(denominator, "denominator")
    z = z_value(confidence)
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise EquityKitError("numerators must be zero or more: a count cannot be negative.")
        if np.any(n <= 0):
            raise EquityKitError(
                "denominators must be greater than zero: a group with no people in it has no rate. "
                "Remove that group or check its denominator."
            )
        if np.any(x > n):
            raise EquityKitError(
                "a numerator is larger than its denominator: a numerator counts people within "
                "the denominator, so check those rows."
            )
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
        lower = (2 * x + z * z - root) / 2 / (n + z * z)
        upper = (2 * x + z * z + root) / 2 / (n + z * z)
        estimate = x / n
    return Interval(_out(estimate), _out(lower), _out(upper))


def _check_counts(x: np.ndarray) -> None:
    with np.errstate(invalid="ignore"):
        if np.any(x < 0):
            raise EquityKitError("counts of events must be zero or more.")


def byars(count: Any, confidence: float = 0.95) -> Interval:
    """Count of events with Byar's approximation to the Poisson interval.

    Notes
    -----
    lower = x(1 − 1/(9x) − z/(3√x))³ and upper = (x+1)(1 − 1/(9(x+1)) + z/(3√(x+1)))³
    (Breslow and Day 1987), as ``byars_lower``/``byars_upper`` in
    PHEindicatormethods 2.1.0. Use it from 10 events up; :func:`poisson_interval`
    chooses for you.

    Example
    -------
    >>> b = byars(65)
    >>> round(b.lower, 4), round(b.upper, 4)
    (50.1632, 82.8491)
    """
    x = _array(count, "count")
    _check_counts(x)
    z = z_value(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(x == 0, 0.0, lower)
    return Interval(_out(x.copy()), _out(lower), _out(upper))


def exact_poisson(count: Any, confidence: float = 0.95) -> Interval:
    """Count of events with the exact (chi-squared based) Poisson interval.

    Notes
    -----
    lower = χ²(α/2; 2x)/2 and upper = χ²(1 − α/2; 2x + 2)/2 (Garwood 1936);
    the lower limit of 0 events is 0.

    Example
    -------
    >>> e = exact_poisson(3)
    >>> round(e.lower, 4), round(e.upper, 4)
    (0.6187, 8.7673)
    """
    x = _array(count, "count")
    _check_counts(x)
    conf = _check_confidence(confidence)
    alpha = 1 - conf
    from scipy import stats  # imported here: scipy.stats costs a second at kernel start

    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, stats.chi2.ppf(alpha / 2, np.where(x > 0, 2 * x, 1)) / 2, 0.0)
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    lower = np.where(np.isnan(x), np.nan, lower)
    return Interval(_out(x.copy()), _out(lower), _out(upper))


def poisson_interval(count: Any, confidence: float = 0.95) -> Interval:
    """Count of events with its interval: exact below 10 events, Byar's from 10.

    This is the rule ``phe_rate`` and ``phe_dsr`` use in PHEindicatormethods
    2.1.0. Divide the result by a population (and multiply, e.g. by 100,000) to
    get a rate with its interval.

    Example
    -------
    >>> p = poisson_interval([3, 65])
    >>> p.upper.round(4).tolist()
    [8.7673, 82.8491]
    """
    x = _array(count, "count")
    exact = exact_poisson(x, confidence)
    approx = byars(x, confidence)
    small = x < 10
    lower = np.where(small, exact.lower, approx.lower)
    upper = np.where(small, exact.upper, approx.upper)
    return Interval(_out(x.copy()), _out(lower), _out(upper))


def newcombe(
    numerator1: Any,
    denominator1: Any,
    numerator2: Any,
    denominator2: Any,
    confidence: float = 0.95,
) -> Interval:
    """Difference between two proportions (group 1 minus group 2) with Newcombe's interval.

    Use it to compare a group with its reference group: the estimate is in
    proportions (multiply by 100 for percentage points).

    Notes
    -----
    Newcombe's method 10 (score interval from two Wilson intervals; Newcombe
    1998, Stat Med 17:873): with d = p1 − p2 and (l1, u1), (l2, u2) the Wilson
    limits, lower = d − √((p1 − l1)² + (u2 − p2)²) and
    upper = d + √((u1 − p1)² + (p2 − l2)²). The groups are taken as independent.

    Example
    -------
    >>> d = newcombe(56, 70, 48, 80)   # Newcombe (1998), example (a)
    >>> round(d.estimate, 4), round(d.lower, 4), round(d.upper, 4)
    (0.2, 0.0524, 0.3339)
    """
    p1, l1, u1 = (np.asarray(v) for v in wilson(numerator1, denominator1, confidence))
    p2, l2, u2 = (np.asarray(v) for v in wilson(numerator2, denominator2, confidence))
    d = p1 - p2
    lower = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Interval(_out(d), _out(lower), _out(upper))


def risk_ratio(
    numerator1: Any,
    denominator1: Any,
    numerator2: Any,
    denominator2: Any,
    confidence: float = 0.95,
) -> Interval:
    """Ratio of two proportions (group 1 over group 2) with a log-scale interval.

    Notes
    -----
    The interval is exp(log RR ± z·se) with se = √(1/x1 − 1/n1 + 1/x2 − 1/n2)
    (Katz et al. 1978). It is undefined (missing) when either numerator is 0.

    Example
    -------
    >>> r = risk_ratio(30, 100, 15, 100)
    >>> round(r.estimate, 3), round(r.lower, 3), round(r.upper, 3)
    (2.0, 1.149, 3.482)
    """
    x1, n1 = _array(numerator1, "numerator"), _array(denominator1, "denominator")
    x2, n2 = _array(numerator2, "numerator"), _array(denominator2, "denominator")
    p1 = np.asarray(wilson(x1, n1, confidence).estimate)
    p2 = np.asarray(wilson(x2, n2, confidence).estimate)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = p1 / p2
        se = np.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        lower = np.exp(np.log(ratio) - z * se)
        upper = np.exp(np.log(ratio) + z * se)
    undefined = (x1 == 0) | (x2 == 0)
    lower = np.where(undefined, np.nan, lower)
    upper = np.where(undefined, np.nan, upper)
    ratio = np.where(x2 == 0, np.nan, ratio)
    return Interval(_out(ratio), _out(lower), _out(upper))
