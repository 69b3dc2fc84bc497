"""How the kit's tables look in a notebook: rounded, with thousands separators, fitting the page.

One helper, :func:`frame_html`, used by every result's notebook display; the
DataFrame itself keeps its full precision (``summary()`` is still a DataFrame).

Example
-------
>>> import pandas as pd
>>> html = frame_html(pd.DataFrame({"group": ["A"], "rate": [12.3456], "ratio": [0.5812], "n": [12000.0]}))
>>> "12.3" in html and "0.58" in html and "12,000" in html and "12.3456" not in html
True
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["frame_html", "format_column"]

# Ratios (how many times) read best with two decimals; everything else on a rate scale with one.
_TWO_DECIMALS = ("ratio", "rii", "index")
_STYLE = (
    "<style>.equitykit-table table{font-size:0.95em}"
    ".equitykit-table th{white-space:normal;max-width:7.5em;vertical-align:bottom}"
    ".equitykit-table td{white-space:nowrap}</style>"
)


def format_column(name: Any, values: pd.Series) -> pd.Series:
    """One column as text for display: counts with thousands separators, rates to one decimal."""
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "yes", False: ""})
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%d %b %Y").fillna("")
    if not pd.api.types.is_numeric_dtype(values):
        return values.astype(object).where(values.notna(), "")
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers)]
    if finite.empty or np.allclose(finite, np.round(finite)):
        pattern = "{:,.0f}"
    elif any(word in str(name).lower() for word in _TWO_DECIMALS):
        pattern = "{:,.2f}"
    elif finite.abs().max() < 1:
        pattern = "{:,.3f}"
    else:
        pattern = "{:,.1f}"
    return numbers.map(lambda v: "" if pd.isna(v) else pattern.format(v))


def frame_html(frame: pd.DataFrame) -> str:
    """The table as compact HTML: rounded numbers, column names in words, headers that wrap."""
    shown = pd.DataFrame({
        str(name).replace("_", " "): format_column(name, frame[name]).to_numpy()
        for name in frame.columns
    })
    if not isinstance(frame.index, pd.RangeIndex):
        shown.index = frame.index
    table = shown.to_html(index=not isinstance(frame.index, pd.RangeIndex), escape=True, border=0)
    return f"{_STYLE}<div class='equitykit-table' style='max-width:100%;overflow-x:auto'>{table}</div>"
