"""The kit's words, in one place: column names as words, numbers in readings, and choices.

Every module that writes for people takes its wording helpers from here:
``words`` (a column name as words), ``number`` (a figure in a reading),
``chart_name`` (an SPC chart's name), and one choice checker, ``check_choice``,
whose error lists the choices and says "did you mean" (``_yaml.as_choice`` is
the same check for a field read from a file, worded for the file).

Example
-------
>>> words("imd_decile"), words("fortnight_start")
('IMD decile', 'fortnight start')
>>> number(1234.5), number(0.30412)
('1,234', '0.304')
>>> check_choice("Increse", "improvement", ["increase", "decrease", "neutral"])
Traceback (most recent call last):
...
equitykit.validation.EquityKitError: improvement='Increse' is not one of the choices: 'increase', 'decrease', 'neutral'. Did you mean 'increase'?
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .validation import EquityKitError

__all__ = ["words", "number", "chart_name", "closest", "did_you_mean", "check_choice"]

# Written in capitals wherever a column name becomes words.
ACRONYMS = {"imd", "dna", "nhs", "gp", "ae", "lsoa", "bmi", "iapt", "ed", "id"}


def words(name: Any) -> str:
    """A column name as words for titles and readings: 'imd_decile' -> 'IMD decile'."""
    tokens = str(name).replace("_", " ").split()
    return " ".join(t.upper() if t.lower() in ACRONYMS else t for t in tokens)


def number(value: float | None) -> str:
    """A figure for a reading: three significant figures, thousands with commas; 'not defined' if missing."""
    if value is None or not math.isfinite(value):
        return "not defined"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def chart_name(chart: str, rules: str) -> str:
    """An SPC chart's name for titles and readings, e.g. "P' chart (Laney)" or "Run chart"."""
    if rules == "mdc":
        return "XmR chart (Making Data Count)"
    return {"run": "Run chart", "mr": "Moving-range chart", "xbar": "X-bar chart", "s": "S chart",
            "pp": "P' chart (Laney)", "up": "U' chart (Laney)"}.get(chart, f"{chart.upper()} chart")


def closest(word: Any, choices: Iterable[Any]) -> str | None:
    """The choice closest to ``word`` (difflib), or None if nothing is close."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """" Did you mean 'x'?" for the closest choice, or an empty string."""
    near = closest(word, choices)
    return f" Did you mean {near!r}?" if near else ""


def _listed(choices: Sequence[Any]) -> str:
    return ", ".join(repr(c) for c in choices)


IMPROVEMENTS = ("increase", "decrease", "neutral")
# How people say which way is better, and the kit's word for it.
_IMPROVEMENT_WORDS = {
    "up": "increase", "higher": "increase", "higher is better": "increase", "increasing": "increase",
    "increased": "increase", "more": "increase",
    "down": "decrease", "lower": "decrease", "lower is better": "decrease", "decreasing": "decrease",
    "decreased": "decrease", "less": "decrease", "fewer": "decrease",
    "none": "neutral", "either": "neutral",
}


def check_improvement(value: Any) -> str:
    """Check ``improvement``: "increase", "decrease" or "neutral"; for "up" and the like, name the word meant.

    Example
    -------
    >>> check_improvement("Increase")
    'increase'
    >>> check_improvement("higher is better")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    equitykit.validation.EquityKitError: improvement='higher is better' is not one of the choices: ... Did you mean 'increase'?
    """
    key = value.strip().lower().replace("_", " ") if isinstance(value, str) else None
    meant = _IMPROVEMENT_WORDS.get(key) if key else None
    if meant is not None and key not in IMPROVEMENTS:
        raise EquityKitError(f"improvement={value!r} is not one of the choices: {_listed(IMPROVEMENTS)}. "
                             f"Did you mean {meant!r}?")
    return check_choice(value, "improvement", IMPROVEMENTS)


def check_choice(
    value: Any, name: str, choices: Sequence[Any], *, aliases: Mapping[str, str] | None = None, message: str = ""
) -> Any:
    """``value`` as one of ``choices`` (text lower-cased, common spellings mapped by ``aliases``).

    Anything else raises EquityKitError naming the argument, the choices and the
    nearest one: "rules='ihl' is not one of the choices: ... Did you mean 'ihi'?".
    ``message`` words the first part differently (``{choices}`` is replaced by the list).
    """
    key = value.strip().lower() if isinstance(value, str) else value
    key = (aliases or {}).get(key, key) if isinstance(key, str) else key
    try:
        known = key in choices
    except TypeError:  # an unhashable value is no choice
        known = False
    if not known:
        head = message.format(choices=_listed(choices)) if message else (
            f"{name}={value!r} is not one of the choices: {_listed(choices)}.")
        raise EquityKitError(f"{head}{did_you_mean(value, choices)}")
    return key
