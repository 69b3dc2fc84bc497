"""The shape every result of the kit shares: a tidy table, a summary, a chart.

A result shown in a notebook displays its plain-English reading and its
summary, so ``res`` on the last line of a cell is useful on its own.

Example
-------
>>> import pandas as pd
>>> s = Summary(pd.DataFrame({"phase": [1]}), reading="No signals.")
>>> s.reading
'No signals.'
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ._display import frame_html
from .theme import alt, styled

__all__ = ["Summary", "Result", "Charted", "resized"]


class Summary(pd.DataFrame):
    """A DataFrame with a plain-English ``reading`` shown above it in a notebook.

    Any operation on it gives back a plain DataFrame.
    """

    _metadata = ["reading"]

    def __init__(self, data: Any = None, *args: Any, reading: str = "", **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.reading = reading

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str:  # type: ignore[override]
        table = frame_html(pd.DataFrame(self))
        return f"{_reading_html(self.reading)}{table}"

    def __repr__(self) -> str:
        text = repr(pd.DataFrame(self))
        return f"{self.reading}\n\n{text}" if self.reading else text


def _reading_html(reading: str) -> str:
    if not reading:
        return ""
    paras = "".join(f"<p style='margin:0.2em 0'>{html.escape(line)}</p>" for line in reading.splitlines() if line)
    return f"<div class='equitykit-reading' style='font-size:1.05em;margin-bottom:0.6em'>{paras}</div>"


class Charted:
    """Anything the kit draws: ``chart(*, title=None, width=None, height=None)`` for all of them.

    A subclass implements ``_draw()``: its chart with no look of its own (code
    combining several charts can still layer or stack it). ``chart()`` applies
    the caller's title and size and puts the kit's look on it
    (:func:`equitykit.theme.styled`).
    """

    def _draw(self) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def chart(self, *, title: str | None = None, width: int | None = None, height: int | None = None) -> Any:
        """The chart, in the kit's look (returned, never displayed).

        ``title`` replaces the kit's title (its subtitle is kept); ``width`` and
        ``height`` are in pixels, for each panel of a chart with several.
        """
        return styled(resized(self._draw(), title=title, width=width, height=height))


class Result(Charted):
    """Base class: subclasses set ``table`` and implement ``summary()`` and ``_draw()``."""

    table: pd.DataFrame

    def summary(self) -> Summary:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def reading(self) -> str:
        """The plain-English reading of the summary."""
        return self.summary().reading

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.table)} rows>\n{self.reading}"


def resized(chart: Any, *, title: str | None = None, width: int | None = None, height: int | None = None) -> Any:
    """``chart`` with the caller's title (the kit's subtitle kept) and size, where given.

    Width and height go on each panel of a faceted or stacked chart.
    """
    if title is not None:
        subtitle = getattr(chart.title, "subtitle", alt.Undefined)
        chart = chart.properties(title=alt.TitleParams(title, subtitle=subtitle))
    size = {k: v for k, v in (("width", width), ("height", height)) if v is not None}
    if not size:
        return chart
    if isinstance(chart, alt.FacetChart):
        chart = chart.copy(deep=False)
        chart.spec = chart.spec.properties(**size)
    elif isinstance(chart, (alt.VConcatChart, alt.HConcatChart)):
        chart = chart.copy(deep=False)
        key = "vconcat" if isinstance(chart, alt.VConcatChart) else "hconcat"
        setattr(chart, key, [resized(panel, **size) for panel in getattr(chart, key)])
    else:
        chart = chart.properties(**size)
    return chart
