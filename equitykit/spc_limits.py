"""SPC limit formulas: centre lines and control limits for every chart type, as pure functions.

Each function takes the points (numpy arrays), which of them form the baseline,
and the segment (group and phase) of each point, and returns the arrays as
:class:`equitykit.rules.Limits` (``cl``, ``lcl``, ``ucl``, ``lcl_95``, ``ucl_95``): nothing
here reads a DataFrame, warns or words anything. The formulas and constants
follow qicharts2 0.8.1 (Anhoej) and NHSRplotthedots 0.2.2 (Making Data Count);
``tests/test_spc_reference.py`` pins them point for point through :func:`equitykit.spc`.

Example
-------
>>> import numpy as np
>>> seg, base = np.zeros(4, dtype=int), np.ones(4, dtype=bool)
>>> lim = compute_limits("c", {"value": np.array([2.0, 4, 3, 5])}, base, seg, 1, True, False)
>>> round(float(lim.cl[0]), 2), round(float(lim.ucl[0]), 2)
(3.5, 9.11)
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from . import rules as _rules
from .rules import Limits
from .validation import EquityKitError

__all__ = ["RATIO_CHARTS", "compute_limits", "mdc_limits"]

RATIO_CHARTS = {"u", "p", "pp", "up"}  # limits that step with n
_MR_SCREEN = 3.267  # moving ranges above 3.267 x their average are left out of it (screened)
_D2 = 1.128  # bias constant of the moving range of two points


def _seg_sum(values: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Sum of the non-missing values per segment, in extended precision like R's sum()."""
    v = np.where(np.isnan(values), 0, values).astype(np.longdouble)
    return _rules.seg_reduce(np.add, v, seg, nseg, np.longdouble(0)).astype(float)


def _amr(values: np.ndarray, base: np.ndarray, seg: np.ndarray, nseg: int, screen: bool) -> np.ndarray:
    """Average moving range of consecutive baseline points per segment.

    Excluded points are skipped (the range bridges them); a missing value makes
    the two ranges around it missing. With ``screen``, ranges at or above
    3.267 x the average are dropped from the average only (Nelson 1982).
    """
    idx = np.flatnonzero(base)
    v, g = values[idx], seg[idx]
    if idx.size < 2:
        return np.full(nseg, np.nan)
    same = g[1:] == g[:-1]
    mr = np.abs(np.diff(v))[same]
    mg = g[1:][same]
    amr = _rules.seg_mean(mr, mg, nseg)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < _MR_SCREEN * amr[mg]
        amr = _rules.seg_mean(np.where(keep, mr, np.nan), mg, nseg)
    return amr


def _c4(n: np.ndarray) -> np.ndarray:
    n = np.where(np.asarray(n) <= 1, np.nan, n).astype(float)
    sizes, where = np.unique(n, return_inverse=True)  # few distinct subgroup sizes: lgamma once each
    half = np.array([math.lgamma(s / 2) - math.lgamma((s - 1) / 2) for s in sizes])
    return (np.sqrt(2 / (sizes - 1)) * np.exp(half))[where].reshape(n.shape)


def _limits(cl: np.ndarray, sd: np.ndarray) -> Limits:
    return Limits(cl=cl, lcl=cl - 3 * sd, ucl=cl + 3 * sd, lcl_95=cl - 2 * sd, ucl_95=cl + 2 * sd)


def _floor0(lim: Limits) -> Limits:
    """Lower limits below 0 raised to 0."""
    return replace(lim, lcl=np.where(np.isfinite(lim.lcl) & (lim.lcl < 0), 0.0, lim.lcl),
                   lcl_95=np.where(np.isfinite(lim.lcl_95) & (lim.lcl_95 < 0), 0.0, lim.lcl_95))


def _cap1(lim: Limits) -> Limits:
    """Upper limits above 1 lowered to 1 (a proportion)."""
    return replace(lim, ucl=np.where(np.isfinite(lim.ucl) & (lim.ucl > 1), 1.0, lim.ucl),
                   ucl_95=np.where(np.isfinite(lim.ucl_95) & (lim.ucl_95 > 1), 1.0, lim.ucl_95))


def compute_limits(chart: str, pts: dict, base: np.ndarray, seg: np.ndarray, nseg: int, screen: bool,
                    categorical: bool) -> Limits:
    """Centre line and limits per point for one chart type, all segments at once (qicharts2 0.8.1 formulas)."""
    value = pts["value"]
    vb = np.where(base, value, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if chart == "run":
            cl = _rules.seg_median(vb, seg, nseg)[seg]
            nan = np.full(value.size, np.nan)
            return Limits(cl=cl, lcl=nan, ucl=nan, lcl_95=nan, ucl_95=nan)
        if chart in ("i", "t"):
            v = value
            if chart == "t":
                v = value ** (1 / 3.6)
            cl = _rules.seg_mean(np.where(base, v, np.nan), seg, nseg)[seg]
            sd = (_amr(v - cl, base, seg, nseg, screen) / _D2)[seg]
            lim = _limits(cl, sd)
            if chart == "t":
                pts["value"] = v ** 3.6
                lim = lim.map(lambda a: a ** 3.6)
                lim = replace(lim, lcl=np.where((lim.lcl < 0) | np.isnan(lim.lcl), 0.0, lim.lcl))
            return lim
        if chart == "mr":
            same = np.zeros(value.size, dtype=bool)
            same[1:] = seg[1:] == seg[:-1]
            mr = np.full(value.size, np.nan)
            mr[1:] = np.abs(np.diff(value))
            mr = np.where(same, mr, np.nan)
            pts["value"] = mr
            cl = _rules.seg_mean(np.where(base, mr, np.nan), seg, nseg)[seg]
            zero = np.zeros(value.size)
            return Limits(cl=cl, lcl=zero, ucl=_MR_SCREEN * cl, lcl_95=zero.copy(), ucl_95=(_MR_SCREEN / 3) * 2 * cl)
        if chart == "c":
            cl = _rules.seg_mean(vb, seg, nseg)[seg]
            return _floor0(_limits(cl, np.sqrt(cl)))
        if chart == "g":
            mean = _rules.seg_mean(vb, seg, nseg)[seg]
            lim = _limits(mean, np.sqrt(mean * (mean + 1)))
            return replace(lim, cl=_rules.seg_median(vb, seg, nseg)[seg], lcl=np.where(lim.lcl < 0, 0.0, lim.lcl),
                           lcl_95=np.where(lim.lcl_95 < 0, 0.0, lim.lcl_95))
        if chart in RATIO_CHARTS:
            n = pts["n"]
            cl = (_seg_sum(np.where(base, pts["y"], np.nan), seg, nseg)
                  / _seg_sum(np.where(base, n, np.nan), seg, nseg))[seg]
            sd = np.sqrt(cl * (1 - cl) / n) if chart in ("p", "pp") else np.sqrt(cl / n)
            if chart in ("pp", "up"):
                z = np.where(base, (value - cl) / sd, np.nan)
                if categorical:
                    sigma_z = _seg_sd_strict(z, base, seg, nseg)
                else:
                    sigma_z = _amr(z, base, seg, nseg, screen) / _D2
                sd = sd * sigma_z[seg]
            lim = _limits(cl, sd)
            return _floor0(_cap1(lim) if chart in ("p", "pp") else lim)
        if chart in ("xbar", "s"):
            k = pts["count"]
            sdv = pts["sd"]
            # unequal subgroup sizes anywhere in the segment -> pooled sd (Montgomery 6.31)
            kmin = _rules.seg_reduce(np.minimum, k, seg, nseg, np.inf)
            kmax = _rules.seg_reduce(np.maximum, k, seg, nseg, -np.inf)
            var_n = (kmin != kmax)[seg]
            pooled = np.sqrt(_seg_sum(np.where(base, (k - 1) * sdv ** 2, np.nan), seg, nseg)
                             / _seg_sum(np.where(base, k - 1, np.nan), seg, nseg))[seg]
            mean_sd = _rules.seg_mean(np.where(base, sdv, np.nan), seg, nseg)[seg]
            stdev = np.where(var_n, pooled, mean_sd)
            c4 = _c4(k)
            if chart == "xbar":
                cl = (_seg_sum(np.where(base, k * pts["mean"], np.nan), seg, nseg)
                      / _seg_sum(np.where(base, k, np.nan), seg, nseg))[seg]
                a3 = 1 / (c4 * np.sqrt(np.where(k <= 1, np.nan, k)))
                return Limits(cl=cl, lcl=cl - 3 * a3 * stdev, ucl=cl + 3 * a3 * stdev, lcl_95=cl - 2 * a3 * stdev,
                              ucl_95=cl + 2 * a3 * stdev)
            pts["value"] = sdv
            cl = stdev
            c5 = np.sqrt(1 - c4 ** 2)
            return Limits(cl=cl, lcl=np.maximum(0, 1 - 3 * c5 / c4) * cl, ucl=(1 + 3 * c5 / c4) * cl,
                          lcl_95=np.maximum(0, 1 - 2 * c5 / c4) * cl, ucl_95=(1 + 2 * c5 / c4) * cl)
    raise EquityKitError(f"chart={chart!r} has no limit formula.")  # pragma: no cover


def _seg_sd_strict(z: np.ndarray, base: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Sample sd of z over the baseline points per segment; NaN if any is missing (R's sd())."""
    any_nan = np.bincount(seg[base & np.isnan(z)], minlength=nseg) > 0
    zb = np.where(base, z, np.nan)
    mean = _rules.seg_mean(zb, seg, nseg)
    cnt = np.bincount(seg[base & ~np.isnan(z)], minlength=nseg)
    ss = _seg_sum((zb - mean[seg]) ** 2, seg, nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(ss / (cnt - 1))
    return np.where(any_nan | (cnt < 2), np.nan, sd)


def mdc_limits(pts: dict, base: np.ndarray, seg: np.ndarray, nseg: int, screen: bool) -> Limits:
    """Making Data Count XmR limits: mean +/- 2.66 x AMR (NHSRplotthedots 0.2.2)."""
    value = pts["value"]
    cl = _rules.seg_mean(np.where(base, value, np.nan), seg, nseg)[seg]
    amr = _amr(value, base, seg, nseg, screen)[seg]
    with np.errstate(invalid="ignore"):
        return Limits(cl=cl, lcl=cl - _rules.MDC_LIMIT * amr, ucl=cl + _rules.MDC_LIMIT * amr,
                      lcl_95=cl - _rules.MDC_CLOSE * amr, ucl_95=cl + _rules.MDC_CLOSE * amr)
