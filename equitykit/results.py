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

__all__ = ["Summary", "Result"]


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
        table = pd.DataFrame(self)._repr_html_() or ""
        return f"{_reading_html(self.reading)}{table}"

    def __repr__(self) -> str:
        text = repr(pd.DataFrame(self))
        return f"{self.reading}\n\n{text}" if self.reading else text


def _reading_html(reading: str) -> str:
    if not reading:
        return ""
    paras = "".join(f"<p style='margin:0.2em 0'>{html.escape(line)}</p>" for line in reading.splitlines() if line)
    return f"<div class='equitykit-reading' style='font-size:1.05em;margin-bottom:0.6em'>{paras}</div>"


class Result:
    """Base class: subclasses set ``table`` and implement ``summary()`` and ``chart()``."""

    table: pd.DataFrame

    def summary(self) -> Summary:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def chart(self) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def reading(self) -> str:
        """The plain-English reading of the summary."""
        return self.summary().reading

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.table)} rows>\n{self.reading}"
