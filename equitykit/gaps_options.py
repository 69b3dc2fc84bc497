"""The options of step 1, checked: what ``disaggregate``, ``pareto`` and ``representation`` are asked for.

Each function raises :class:`equitykit.EquityKitError` naming the option and
what to do, or returns the option resolved (the reference group, the order of
the groups, the population per group). Used by :mod:`equitykit.gaps`.

Example
-------
>>> group_label(3.0), by_columns("decile")
('3', ['decile'])
>>> population_map({"A": 600, "B": 400}, by="ethnicity", population_count="population")
({'A': 600.0, 'B': 400.0}, 1000.0)
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .intervals import z_value
from .validation import EquityKitError, as_frame, as_numeric, checked_multiply, is_total_label, require_columns
from .wording import check_improvement, did_you_mean

__all__ = ["NOT_RECORDED", "group_label", "by_columns", "check_disaggregate", "check_order", "choose_reference",
           "population_map"]

NOT_RECORDED = "Not recorded"
_OUTPUT_COLUMNS = {"numerator", "denominator", "rate", "lower", "upper", "reference", "is_reference",
                   "difference", "difference_lower", "difference_upper", "ratio", "ratio_lower",
                   "ratio_upper", "compared", "small", "suppressed"}


def group_label(value: Any) -> str:
    """A group's name as text: 3.0 reads "3"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def by_columns(by: Any) -> list[Any]:
    """The by= column(s) as a list."""
    if isinstance(by, (list, tuple)):
        if not by:
            raise EquityKitError("by= needs at least one column name, e.g. by='ethnicity'.")
        return list(by)
    return [by]


def check_disaggregate(frame: pd.DataFrame, outcome: str, by_cols: list[Any], n: str | None, improvement: str,
                       confidence: float, min_group: int, multiply: float | None) -> tuple[str, float]:
    """Check the options of ``disaggregate``; return ``improvement`` and ``multiply`` as resolved."""
    require_columns(frame, [outcome, *by_cols, n])
    if outcome in by_cols:
        raise EquityKitError(f"'{outcome}' is both the outcome and a by= column: choose different columns.")
    clash = [c for c in by_cols if c in _OUTPUT_COLUMNS]
    if clash:
        raise EquityKitError(
            f"by= column {clash[0]!r} has the name of a result column; rename it first, e.g. "
            f"data.rename(columns={{{clash[0]!r}: '{clash[0]}_group'}})."
        )
    improvement = check_improvement(improvement)
    z_value(confidence)  # validates confidence early
    if not isinstance(min_group, (int, np.integer)) or min_group < 0:
        raise EquityKitError(f"min_group={min_group!r} should be a whole number such as 30.")
    multiply = checked_multiply(multiply, "p")  # a group comparison is of proportions
    return improvement, multiply


def check_order(order: Sequence[Any] | None, labels: list[str], by_cols: list[Any],
                ordered: bool) -> list[str] | None:
    """The groups from most deprived to least, or None when they have no order.

    They come from ``order=`` (each checked to be one of the groups), else from
    the natural order of a single ordered by= column ("Not recorded" left out).
    """
    if len(by_cols) > 1:
        if order is not None:
            raise EquityKitError("order= works with a single by= column; with several, name the reference group.")
        return None
    if order is None:
        return [lab for lab in labels if lab != NOT_RECORDED] if ordered else None
    wanted = [group_label(v) for v in order]
    unknown = [w for w in wanted if w not in labels]
    if unknown:
        raise EquityKitError(
            f"order= names {', '.join(repr(u) for u in unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not among the groups: "
            f"{', '.join(repr(g) for g in labels)}."
        )
    return wanted


def choose_reference(
    reference: Any,
    groups: pd.DataFrame,
    labels: list[str],
    by_cols: list[Any],
    x: np.ndarray,
    d: np.ndarray,
    has_rate: np.ndarray,
    small: np.ndarray,
    not_recorded: np.ndarray,
    improvement: str,
    order_labels: list[str] | None,
) -> tuple[int | None, float, float, str]:
    """Index of the reference group (None for overall), its counts and its echo text."""
    listed = ", ".join(repr(lab) for lab in labels)
    if isinstance(reference, str) and reference.lower() == "overall":
        total_x, total_d = float(x.sum()), float(d.sum())
        return None, total_x, total_d, "overall"
    if isinstance(reference, str) and reference.lower() == "best":
        if improvement == "neutral":
            raise EquityKitError(
                "reference='best' needs to know which direction is better: set "
                "improvement='decrease' or 'increase', or name the reference group."
            )
        candidates = has_rate & ~small & ~not_recorded
        if not candidates.any():
            candidates = has_rate & ~not_recorded
        if not candidates.any():
            raise EquityKitError("no group has a rate, so there is no best group to compare with.")
        rates = np.where(candidates, x / np.where(d > 0, d, 1), np.nan)
        idx = int(np.nanargmin(rates) if improvement == "decrease" else np.nanargmax(rates))
        return idx, float(x[idx]), float(d[idx]), f"best ({labels[idx]})"
    if isinstance(reference, str) and reference.lower() == "most_advantaged":
        if order_labels is None:
            raise EquityKitError(
                "reference='most_advantaged' needs ordered groups (e.g. IMD deciles as numbers, "
                "1 = most deprived) and a single by= column. Give order=[...] from most to least "
                f"deprived, or name the reference group. The groups are: {listed}."
            )
        label = order_labels[-1]
        idx = labels.index(label)
        if d[idx] <= 0:
            raise EquityKitError(f"the most advantaged group {label!r} has a denominator of 0.")
        return idx, float(x[idx]), float(d[idx]), f"most advantaged ({label})"
    # A named group: match its label, or the raw value(s).
    wanted = " / ".join(group_label(v) for v in reference) if isinstance(reference, tuple) else group_label(reference)
    if wanted not in labels:
        meant = did_you_mean(wanted, labels)
        if not meant and re.search(r"least deprived|advantaged|affluent|richest", wanted, re.IGNORECASE):
            meant = " Did you mean 'most_advantaged' (the last of the ordered groups)?"
        raise EquityKitError(
            f"reference={reference!r} is not one of the groups. Choose 'overall', 'best', "
            f"'most_advantaged' or one of the groups: {listed}.{meant}"
        )
    idx = labels.index(wanted)
    if d[idx] <= 0:
        raise EquityKitError(f"the reference group {wanted!r} has a denominator of 0: choose another.")
    return idx, float(x[idx]), float(d[idx]), wanted


def population_map(population: pd.DataFrame | Mapping[Any, float] | pd.Series, by: str,
                   population_count: str) -> tuple[dict[str, float], float]:
    """The population per group label, from a table or a mapping, and its total."""
    if isinstance(population, pd.DataFrame):
        pop_frame = as_frame(population, what="population")
        require_columns(pop_frame, [by, population_count], what="population")
        pop_values = as_numeric(pop_frame, population_count, nonnegative=True)
        pop_map: dict[str, float] = {}
        for key, val in zip(pop_frame[by], pop_values):
            if pd.isna(key) or pd.isna(val):
                continue
            pop_map[group_label(key)] = pop_map.get(group_label(key), 0.0) + float(val)
    elif isinstance(population, (Mapping, pd.Series)):
        pop_map = {group_label(k): float(v) for k, v in dict(population).items() if not pd.isna(v)}
    else:
        raise EquityKitError(
            "population should be a table (with the by= column and a population column) or a dict "
            "from group to population, e.g. {'Asian': 1200, 'Black': 900}."
        )
    if any(v < 0 for v in pop_map.values()):
        raise EquityKitError("population has negative values: populations are counts of people.")
    labels = list(pop_map)
    refuse_totals_group(labels, [pop_map[k] for k in labels], [pop_map[k] for k in labels], by, "population")
    pop_total = sum(pop_map.values())
    if pop_total <= 0:
        raise EquityKitError("population adds up to 0: check the population table.")
    return pop_map, pop_total


def refuse_totals_group(labels: Sequence[str], numerator: Any, denominator: Any, by: str,
                        what: str = "data") -> None:
    """A spreadsheet's totals row kept as a group counts everyone twice: refuse it, with the fix.

    Only a group named like a total ("Total", "All") whose counts are the other groups' added up
    (within 1%, as census tables round their parts).
    """
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    for i, label in enumerate(labels):
        if not is_total_label(label):
            continue
        rest = np.arange(len(labels)) != i
        if rest.any() and np.isclose(numerator[i], numerator[rest].sum(), rtol=0.01) \
                and np.isclose(denominator[i], denominator[rest].sum(), rtol=0.01):
            fix = (f"e.g. {what} = {what}[{what}[{by!r}] != {label!r}]" if what == "data"
                   else f"leave {label!r} out of the {what}")
            raise EquityKitError(
                f"the group {label!r} in the {what}'s '{by}' holds the other groups added up (a totals row), so "
                f"everyone would be counted twice: remove it ({fix}). The kit adds up the groups itself.")
