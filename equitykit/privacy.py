"""Disclosure control for anything the kit renders for sharing.

The NHS rule used here (as in NHS England's published statistics): a count of
1 to 7 is shown as ``*``; any other count is rounded to the nearest 5 (0 stays
0). A rate whose numerator or denominator is suppressed is withheld too, so it
cannot be used to work the count back out.

Example
-------
>>> import pandas as pd
>>> t = pd.DataFrame({"group": ["A", "B"], "numerator": [3, 42], "denominator": [50, 118],
...                   "rate": [0.06, 0.356]})
>>> suppress(t, counts=["numerator", "denominator"], rates=["rate"]).to_dict("list")
{'group': ['A', 'B'], 'numerator': ['*', '40'], 'denominator': ['50', '120'], 'rate': [nan, 0.356], 'suppressed': [True, False]}
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .validation import require_columns

__all__ = ["SUPPRESSED", "SMALL_COUNT_MAX", "round_count", "round_shared", "suppress"]

SUPPRESSED = "*"
SMALL_COUNT_MAX = 7


def round_count(value: float) -> str:
    """Show one count under the rule: '*' for 1-7, else the nearest 5 ('' if missing)."""
    if value is None or pd.isna(value):
        return ""
    if 0 < value <= SMALL_COUNT_MAX:
        return SUPPRESSED
    # Round half up, as published NHS tables do (np.round would round 2.5 to 2).
    return str(int(np.floor(value / 5.0 + 0.5) * 5))


def suppress(
    table: pd.DataFrame,
    counts: Sequence[str],
    rates: Sequence[str] = (),
) -> pd.DataFrame:
    """Return a copy of ``table`` safe to share: counts suppressed or rounded, rates withheld.

    Parameters
    ----------
    table : DataFrame
        An aggregated table (one row per group), never row-level records.
    counts : list of str
        Count columns to show as text under the rule.
    rates : list of str
        Columns (rates, intervals, differences) withheld (NaN) in any row where one
        of ``counts`` was suppressed.

    Returns
    -------
    DataFrame
        A new table; ``counts`` become text columns, ``rates`` keep their dtype.
        The column ``suppressed`` (bool) says which rows were affected.
    """
    require_columns(table, [*counts, *rates], what="the table to suppress")
    out = table.copy()
    small = np.zeros(len(out), dtype=bool)
    for col in counts:
        values = pd.to_numeric(out[col], errors="coerce")
        small |= ((values > 0) & (values <= SMALL_COUNT_MAX)).to_numpy()
        out[col] = [round_count(v) for v in values]
    for col in rates:
        out[col] = out[col].where(~small, np.nan)
    out["suppressed"] = small
    return out


def round_shared(table: pd.DataFrame, decimals: dict[str, int]) -> pd.DataFrame:
    """Return a copy of ``table`` with rates shown to a few decimals, as a shared table shows them.

    Rates given to many decimals next to rounded counts let a reader work the exact
    counts back out (``rate x denominator``); one decimal of a percentage does not
    for any but the smallest groups, whose counts :func:`suppress` hides anyway.

    Example
    -------
    >>> round_shared(pd.DataFrame({"rate": [63.8741], "ratio": [2.28473]}), {"rate": 1, "ratio": 2}).to_dict("list")
    {'rate': [63.9], 'ratio': [2.28]}
    """
    out = table.copy()
    for col, places in decimals.items():
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").round(places)
    return out
