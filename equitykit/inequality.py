"""Inequality statistics as pure functions: the slope and relative index of inequality.

Beside :mod:`equitykit.intervals` (Wilson, Newcombe, Byars): numbers in,
numbers out, no DataFrames, no wording. ``phe_sii`` is a port of
PHEindicatormethods 2.1.0's ``phe_sii`` for one area's ordered quantiles;
:meth:`equitykit.gaps.GapResult.sii` calls it, and
``tests/test_gaps_reference.py`` pins it to the R package.

Example
-------
>>> import numpy as np
>>> out = phe_sii(np.array([100.0, 100, 100]), np.array([0.3, 0.2, 0.1]), se=np.full(3, 0.01),
...               repetitions=1000, rng=np.random.default_rng(1))
>>> round(out["sii"], 3), conf_key(0.95)
(-0.3, '95_0')
"""
from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

__all__ = ["phe_sii", "conf_key", "fitted_line"]


def fitted_line(intercept: float, sii: float, b: np.ndarray, transform: bool, multiply: float) -> np.ndarray:
    """Fitted rate at each midpoint: a straight line, or a logistic curve when transformed."""
    if not transform:
        return intercept + sii * b
    lo, hi = intercept / multiply, (intercept + sii) / multiply
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    t = logit(lo) + (logit(hi) - logit(lo)) * b
    return multiply * np.exp(t) / (1 + np.exp(t))


def conf_key(conf: float) -> str:
    """PHE's column suffix for a confidence level: 0.95 -> '95_0', 0.998 -> '99_8'."""
    return f"{conf * 100:.1f}".replace(".", "_")


def phe_sii(
    population: np.ndarray,
    value: np.ndarray,
    *,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    se: np.ndarray | None = None,
    value_type: int = 0,
    transform: bool = False,
    multiplier: float = 1.0,
    repetitions: int = 100_000,
    confidence: Sequence[float] = (0.95,),
    rng: np.random.Generator | None = None,
) -> dict[str, Any]:
    """A port of ``phe_sii`` (PHEindicatormethods 2.1.0) for one area's ordered quantiles.

    Rows run from quantile 1 (most deprived) up. Returns sii, rii, intercept and,
    for each confidence c, ``sii_lower<c>`` etc. with c as PHE writes it ('95_0'),
    plus ``a`` (population shares) and ``b`` (midpoints). Deterministic values
    match the R package to rounding; the intervals are simulated (numpy Generator).
    """
    rng = rng if rng is not None else np.random.default_rng()
    pop = np.asarray(population, dtype=float)
    val = np.asarray(value, dtype=float)
    if value_type == 1:
        fwd, back = np.log, np.exp
    elif value_type == 2:
        fwd, back = (lambda p: np.log(p / (1 - p))), (lambda t: np.exp(t) / (1 + np.exp(t)))
    else:
        fwd, back = (lambda v: v), (lambda v: v)
    tval = fwd(val)
    if se is None:
        se_calc = (fwd(np.asarray(upper, float)) - fwd(np.asarray(lower, float))) / NormalDist().inv_cdf(0.975) / 2
    else:
        se_calc = np.asarray(se, dtype=float)

    a = pop / pop.sum()
    cum = np.cumsum(a)
    b = a / 2 + np.concatenate([[0.0], cum[:-1]])
    sqrt_a = np.sqrt(a)
    design = np.column_stack([sqrt_a, b * sqrt_a])
    y = sqrt_a * (tval if transform else back(tval))
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    c0, c1 = float(coef[0]), float(coef[1])

    # Simulation: one draw per quantile per repetition, all at once.
    solver = np.linalg.solve(design.T @ design, design.T)  # 2 x k
    draws = rng.standard_normal((repetitions, len(val))) * se_calc + tval
    if not transform:
        draws = back(draws)
    params = (draws * sqrt_a) @ solver.T
    sim_sii = params[:, 1]
    sim_rii = (params[:, 1] + params[:, 0]) / params[:, 0]
    if not transform:
        if multiplier < 0:
            sim_rii = 1 / sim_rii
        sim_sii = sim_sii * multiplier

    out: dict[str, Any] = {"a": a, "b": b}
    confs = [float(cv) for cv in confidence]
    limits = {}
    for conf in confs:
        cv = conf + (1 - conf) / 2
        pos = np.array([np.round(repetitions * (1 - cv)), np.round(repetitions * cv)], dtype=np.int64) - 1
        s = np.partition(sim_sii, pos)[pos]
        r = np.partition(sim_rii, pos)[pos]
        limits[conf] = (s, r)

    if not transform:
        out["sii"] = multiplier * c1
        rii = (c0 + c1) / c0
        out["rii"] = 1 / rii if multiplier < 0 else rii
        out["intercept"] = c0
        for conf, (s, r) in limits.items():
            k = conf_key(conf)
            out[f"sii_lower{k}"], out[f"sii_upper{k}"] = float(s[0]), float(s[1])
            out[f"rii_lower{k}"], out[f"rii_upper{k}"] = float(r[0]), float(r[1])
        return out

    x1 = c0 + c1
    half = (c0 + x1) / 2
    f0, f1 = back(c0), back(x1)
    out["sii"] = (f1 - f0) * multiplier
    out["rii"] = 1 / (f1 / f0) if multiplier < 0 else f1 / f0
    out["intercept"] = f0 * abs(multiplier)
    # PHE flips limits for a negative multiplier (a rate, value_type 1, tests multiplier < 1).
    flip = multiplier < 1 if value_type == 1 else multiplier < 0
    for conf, (s, _) in limits.items():
        k = conf_key(conf)
        i_l, i_u = half - s[0] / 2, half - s[1] / 2
        x_l, x_u = half + s[0] / 2, half + s[1] / 2
        lo = (back(x_l) - back(i_l)) * multiplier
        hi = (back(x_u) - back(i_u)) * multiplier
        rlo, rhi = back(x_l) / back(i_l), back(x_u) / back(i_u)
        if flip:
            lo, hi = hi, lo
            rlo, rhi = 1 / rhi, 1 / rlo
        out[f"sii_lower{k}"], out[f"sii_upper{k}"] = float(lo), float(hi)
        out[f"rii_lower{k}"], out[f"rii_upper{k}"] = float(rlo), float(rhi)
    return out
