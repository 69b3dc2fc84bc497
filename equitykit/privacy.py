"""Disclosure control: the one layer every shared table and chart passes through.

The NHS rule used here (as in NHS England's published statistics): a count of
1 to 7 is shown as ``*``; any other count is rounded to the nearest 5 (0 stays
0). A rate whose count, denominator or complement (denominator minus count) is
1 to 7 is withheld too, and every rate that is shown is rounded to the
precision people read (one decimal of a percentage or of a rate per 1,000), so
no shown number can be used to work a small count back out.

The API (everything a page for sharing needs, in the order a page uses it):

- :func:`safe_table` -- a table of counts and rates, suppressed and rounded.
- :func:`safe_chart_data` -- counts per period (and group) made safe to chart:
  periods pooled until no point rests on a small count, any cell still small
  withheld, a note saying so in words.
- :func:`safe_chart` -- an Altair chart whose embedded data are rounded (so the
  SVG's aria-labels and tooltips carry rounded values only) and whose
  description carries no number.
- :func:`find_disclosures` -- the check: which small cells a rendered page
  would let a reader rebuild. Use it in tests of anything that renders.

Example
-------
>>> import pandas as pd
>>> t = pd.DataFrame({"group": ["A", "B"], "numerator": [3, 42], "denominator": [50, 118],
...                   "rate": [0.06, 0.356]})
>>> suppress(t, counts=["numerator", "denominator"], rates=["rate"]).to_dict("list")
{'group': ['A', 'B'], 'numerator': ['*', '40'], 'denominator': ['50', '120'], 'rate': [nan, 0.356], 'suppressed': [True, False]}
"""
from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .validation import require_columns

__all__ = [
    "SUPPRESSED",
    "SMALL_COUNT_MAX",
    "round_count",
    "round_shared",
    "suppress",
    "suppress_parts",
    "small",
    "disclosive",
    "rate_places",
    "safe_table",
    "SafeSeries",
    "safe_chart_data",
    "safe_chart",
    "find_disclosures",
]

SUPPRESSED = "*"
SMALL_COUNT_MAX = 7
# Consecutive periods pooled into one point, tried in this order, until no point is small. Not 2:
# every other month (or fortnight) reads as a regular series with half its points missing.
_POOLS = (1, 3, 4, 6, 12)
# Pool no further once the withheld points hold at most this share of the denominator.
_WITHHELD_SHARE = 0.05


def small(values: Any) -> np.ndarray:
    """True where a count is 1 to 7 (a small count that must not be shown).

    Example
    -------
    >>> small([0, 1, 7, 8, float("nan")]).tolist()
    [False, True, True, False, False]
    """
    v = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (v > 0) & (v < SMALL_COUNT_MAX + 0.5)


def disclosive(numerator: Any, denominator: Any = None, complement: bool = True) -> np.ndarray:
    """True where a rate would give a small count away.

    A rate rests on a small count when its count, its denominator or (for
    proportions of people, ``complement=True``) the people without the outcome
    (denominator minus count) is 1 to 7. Leave ``complement`` off for rates per
    bed day or per 1,000 population, whose denominator is not a count of people.

    Example
    -------
    >>> disclosive([3, 40, 95, 0], [50, 100, 100, 12]).tolist()
    [True, False, True, False]
    """
    num = pd.to_numeric(pd.Series(np.asarray(numerator, dtype=object).ravel()), errors="coerce").to_numpy(float)
    out = small(num)
    if denominator is not None:
        den = pd.to_numeric(pd.Series(np.asarray(denominator, dtype=object).ravel()), errors="coerce").to_numpy(float)
        out = out | small(den)
        if complement:
            out = out | small(den - num)
    return out


def rate_places(multiply: float) -> int:
    """Decimals a shared rate is shown to: 1 for percentages and rates per 1,000, 3 for proportions.

    Example
    -------
    >>> rate_places(100), rate_places(1000), rate_places(1)
    (1, 1, 3)
    """
    return max(1, int(np.ceil(np.log10(100 / float(multiply)))) + 1)


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
    complement: tuple[str, str] | None = None,
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
    complement : (count, denominator), optional
        Also withhold a row's rates when ``denominator - count`` is 1 to 7 (the
        people without the outcome would be given away by the rate).

    Returns
    -------
    DataFrame
        A new table; ``counts`` become text columns, ``rates`` keep their dtype.
        The column ``suppressed`` (bool) says which rows were affected.
    """
    require_columns(table, [*counts, *rates, *(complement or ())], what="the table to suppress")
    out = table.copy()
    hidden = np.zeros(len(out), dtype=bool)
    for col in counts:
        hidden |= small(out[col])
    if complement is not None:
        num, den = (pd.to_numeric(out[c], errors="coerce") for c in complement)
        hidden |= small(den - num)
    for col in counts:
        out[col] = [round_count(v) for v in pd.to_numeric(out[col], errors="coerce")]
    for col in rates:
        out[col] = out[col].where(~hidden, np.nan)
    out["suppressed"] = hidden
    return out


def suppress_parts(
    table: pd.DataFrame,
    count: str,
    shares: Sequence[str] = (),
    running: Sequence[str] = (),
) -> pd.DataFrame:
    """Suppress a table whose rows are the parts of one whole (a Pareto table, say).

    :func:`suppress` alone is not enough here: the shares add up to 100%, so one
    small part withheld on its own can be worked out as 100% minus the others.
    The smallest other parts are withheld with it (secondary suppression) until
    the withheld parts hold at least 8 together, and a running total (a
    cumulative percentage) is withheld from the first withheld part on. Counts
    of withheld parts that are not small stay rounded to the nearest 5.

    Parameters
    ----------
    table : DataFrame
        One row per part, never row-level records.
    count : str
        The parts' counts.
    shares : list of str
        Columns withheld (NaN) on every withheld row, e.g. ``percent``.
    running : list of str
        Running totals over the rows in their order, withheld from the first
        withheld row to the end, e.g. ``cumulative_percent``.

    Returns
    -------
    DataFrame
        A new table; ``count`` is text, ``suppressed`` (bool) marks the withheld rows.

    Example
    -------
    >>> t = pd.DataFrame({"category": ["c", "b", "a"], "count": [75, 20, 5], "percent": [75.0, 20.0, 5.0]})
    >>> suppress_parts(t, "count", shares=["percent"]).to_dict("list")
    {'category': ['c', 'b', 'a'], 'count': ['75', '20', '*'], 'percent': [75.0, nan, nan], 'suppressed': [False, True, True]}
    """
    require_columns(table, [count, *shares, *running], what="the table to suppress")
    values = pd.to_numeric(table[count], errors="coerce").to_numpy(float)
    hidden = small(values)
    # Secondary suppression: withhold the next smallest parts until the withheld total is not small.
    by_size = [i for i in np.argsort(values, kind="stable") if not hidden[i] and values[i] > 0]
    while hidden.any() and np.nansum(values[hidden]) <= SMALL_COUNT_MAX and by_size:
        hidden[by_size.pop(0)] = True
    out = table.copy()
    out[count] = [round_count(v) for v in values]
    for col in shares:
        out[col] = out[col].where(~hidden, np.nan)
    if hidden.any():
        after_first = np.arange(len(out)) >= np.flatnonzero(hidden)[0]
        for col in running:
            out[col] = out[col].where(~after_first, np.nan)
    out["suppressed"] = hidden
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


def safe_table(
    table: pd.DataFrame,
    counts: Sequence[str],
    rates: Sequence[str] = (),
    complement: tuple[str, str] | None = None,
    multiply: float = 100,
) -> pd.DataFrame:
    """A table ready to share: small counts as ``*`` with their rates withheld, the rest rounded.

    Counts become text (``*`` or a multiple of 5); ``rates`` (rates, limits,
    differences, all on the ``multiply`` scale) are withheld where a count is
    suppressed and otherwise rounded to :func:`rate_places` decimals.

    Example
    -------
    >>> t = pd.DataFrame({"group": ["A", "B"], "yes": [3, 42], "n": [50, 118]})
    >>> t["rate"] = 100 * t["yes"] / t["n"]
    >>> safe_table(t, counts=["yes", "n"], rates=["rate"], complement=("yes", "n")).to_dict("list")
    {'group': ['A', 'B'], 'yes': ['*', '40'], 'n': ['50', '120'], 'rate': [nan, 35.6], 'suppressed': [True, False]}
    """
    shown = suppress(table, counts, rates, complement)
    return round_shared(shown, dict.fromkeys(rates, rate_places(multiply)))


@dataclass(frozen=True)
class SafeSeries:
    """Counts per period (and group) made safe to chart.

    Attributes
    ----------
    counts : DataFrame
        The cells that may be shown: ``x`` (the first period of each pooled
        point), the group column if any, ``numerator`` and ``denominator``.
        For analysis (an SPC chart of the pooled points), never for printing.
    table : DataFrame
        The same cells with ``rate`` (on the ``multiply`` scale, rounded) and no
        counts: what a chart may carry.
    pooled : int
        Consecutive periods pooled into each point (1 = none).
    withheld : int
        Cells left out because they rested on a count of 1 to 7 even when pooled.
    note : str
        A sentence for the page saying what was pooled or withheld ('' when nothing).
    """

    counts: pd.DataFrame
    table: pd.DataFrame
    pooled: int
    withheld: int
    note: str


def _pool(frame: pd.DataFrame, x: str, by: str | None, k: int, starts: Sequence[Any]) -> pd.DataFrame:
    """Sum each run of ``k`` consecutive periods (a new run at every ``starts`` value)."""
    periods = pd.Series(sorted(frame[x].dropna().unique()))
    segment = np.zeros(len(periods), dtype=int)
    for s in starts:
        segment += (periods >= s).to_numpy()
    position = periods.groupby(segment).cumcount().to_numpy() // k
    first = periods.groupby([segment, position]).transform("first")
    block = dict(zip(periods, first))
    keys = ["_x"] + ([by] if by else [])
    work = frame.assign(_x=frame[x].map(block))
    out = work.groupby(keys, sort=True, dropna=False)[["numerator", "denominator"]].sum(min_count=1).reset_index()
    return out.rename(columns={"_x": x})


def safe_chart_data(
    data: pd.DataFrame,
    x: str,
    numerator: str,
    denominator: str,
    by: str | None = None,
    multiply: float = 100,
    complement: bool = True,
    starts: Sequence[Any] = (),
    what: str = "people",
) -> SafeSeries:
    """Counts per period (and group) pooled and withheld until no point gives a small count away.

    Periods are pooled in runs of 1, 3, 4, 6 or 12: the fewest that leave
    at most 5% of the denominator on points resting on a count of 1 to 7, which
    are withheld (a group that is small everywhere does not coarsen the rest). Nothing
    about a withheld cell (its count, rate or size) is carried on.

    Parameters
    ----------
    data : DataFrame
        Counts: one row per period (and group), aggregated, never rows about people.
    x, numerator, denominator : str
        The period column and the count columns.
    by : str, optional
        The group column; every group is pooled the same way.
    multiply : float
        Scale of ``rate`` in ``.table`` (100 for percentages, 1000 per 1,000).
    complement : bool
        Treat ``denominator - numerator`` as a count of people too (proportions).
    starts : list, optional
        Periods that must begin a new point (e.g. the date a change began).
    what : str
        What the counts count, for the note (e.g. "people", "incidents").

    Returns
    -------
    SafeSeries

    Example
    -------
    >>> d = pd.DataFrame({"month": [1, 2, 3, 4, 5, 6], "yes": [3, 5, 9, 12, 8, 9], "n": [20, 20, 30, 30, 30, 30]})
    >>> s = safe_chart_data(d, x="month", numerator="yes", denominator="n")
    >>> s.pooled, s.table.to_dict("list"), s.withheld
    (3, {'month': [1, 4], 'rate': [24.3, 32.2]}, 0)
    """
    require_columns(data, [x, numerator, denominator, by], what="the counts to chart")
    frame = pd.DataFrame({
        x: data[x],
        **({by: data[by].astype("object").where(data[by].notna(), "Not recorded").astype(str)} if by else {}),
        "numerator": pd.to_numeric(data[numerator], errors="coerce"),
        "denominator": pd.to_numeric(data[denominator], errors="coerce"),
    })
    keys = [x] + ([by] if by else [])
    frame = frame.groupby(keys, sort=True, dropna=False)[["numerator", "denominator"]].sum(min_count=1).reset_index()
    n_periods = frame[x].nunique()
    total = float(frame["denominator"].sum()) or 1.0
    best: tuple[float, int, pd.DataFrame, np.ndarray] | None = None
    for k in _POOLS:
        if k > 1 and n_periods // k < 2:
            break
        pooled = _pool(frame, x, by, k, starts)
        bad = disclosive(pooled["numerator"], pooled["denominator"], complement)
        share = float(pooled.loc[bad, "denominator"].sum()) / total
        if best is None or share < best[0]:
            best = (share, k, pooled, bad)
        if share <= _WITHHELD_SHARE:
            best = (share, k, pooled, bad)
            break
    assert best is not None
    _, k, pooled, bad = best
    kept = pooled[~bad].reset_index(drop=True)
    denominator_ok = kept["denominator"] > 0
    rate = (multiply * kept["numerator"] / kept["denominator"].where(denominator_ok)).round(rate_places(multiply))
    table = kept[keys].assign(rate=rate)
    notes = []
    if k > 1:
        notes.append(f"Each point pools {k} consecutive periods, so that no point rests on 1 to 7 {what}.")
    if bad.any():
        withheld = pooled[bad]
        where = ""
        if by:
            names = ", ".join(str(g) for g in pd.unique(withheld[by]))
            where = f" ({names})"
        notes.append(f"{int(bad.sum())} point(s){where} rest on 1 to 7 {what} and are not shown.")
    return SafeSeries(counts=kept, table=table, pooled=k, withheld=int(bad.sum()), note=" ".join(notes))


def _round_values(node: Any, places: int, drop: frozenset[str]) -> Any:
    if isinstance(node, float):
        return node if not math.isfinite(node) else round(node, places)
    if isinstance(node, list):
        return [_round_values(v, places, drop) for v in node]
    if isinstance(node, dict):
        return {k: _round_values(v, places, drop) for k, v in node.items() if k not in drop}
    return node


def _strip_numbers(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[-+]?\d[\d,.]*", "", text)).strip(" ,;:()")


def safe_chart(chart: Any, places: int = 1, description: str | None = None,
               drop: Iterable[str] = ("numerator", "denominator", "n")) -> Any:
    """An Altair chart whose embedded data are rounded and whose description carries no number.

    The SVG renderer writes each mark's field values into its ``aria-label``,
    and tooltips show them: the data are rounded to ``places`` decimals (and
    fields named in ``drop``, counts, removed) before the spec is drawn. The
    chart's ``description`` (the SVG's own label) is its title with the
    numbers taken out, unless given.

    Example
    -------
    >>> import altair as alt
    >>> c = alt.Chart(pd.DataFrame({"x": [1], "rate": [63.6363636364], "n": [11]})).mark_point().encode(
    ...     x="x:Q", y="rate:Q").properties(title="Rate, 2 groups")
    >>> spec = safe_chart(c).to_dict()
    >>> list(spec["datasets"].values())[0], spec["description"]
    ([{'x': 1, 'rate': 63.6}], 'Rate, groups')
    """
    import altair as alt

    spec = chart.to_dict()
    drop_set = frozenset(drop)
    for key in ("datasets", "data"):
        if key in spec:
            spec[key] = _round_values(spec[key], places, drop_set)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (_round_values(v, places, drop_set) if k in ("data", "datasets") else walk(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    spec = walk(spec)
    if description is None:
        title = spec.get("title", "")
        text = title.get("text", "") if isinstance(title, dict) else title
        text = " ".join(text) if isinstance(text, list) else str(text)
        description = _strip_numbers(text) or "Chart"
    spec["description"] = description
    for key, cls in (("vconcat", alt.VConcatChart), ("hconcat", alt.HConcatChart), ("concat", alt.ConcatChart),
                     ("layer", alt.LayerChart), ("facet", alt.FacetChart), ("repeat", alt.RepeatChart)):
        if key in spec:
            return cls.from_dict(spec, validate=False)
    return alt.Chart.from_dict(spec, validate=False)


# --------------------------------------------------------------------------- the check


# Attributes that place or style a mark (pixels, not data): a reader cannot take a rate from them.
_GEOMETRY = re.compile(
    r"""\s(?:d|transform|points|x|y|x1|x2|y1|y2|dx|dy|width|height|r|cx|cy|rx|ry|viewBox|style|class|id"""
    r"""|clip-path|offset|font-size|font-weight|opacity|fill-opacity|stroke-opacity|stroke-width"""
    r"""|stroke-dasharray|stroke-dashoffset|stroke-miterlimit)\s*=\s*("[^"]*"|'[^']*')""",
    re.I,
)


def _page_numbers(page: str) -> set[tuple[str, int, str]]:
    """Every number a reader can read in a page, with its decimals and what it is next to.

    Text, aria-labels, titles, tooltips, embedded JSON and base64 blobs
    (decoded) are read; style sheets and the geometry attributes of SVG marks
    (pixel positions) are not. Whole numbers count only when followed by
    ``%`` (a rate in whole per cent). The context is the aria-label (one mark:
    its date and group) or the paragraph the number is in.
    """
    blobs = [page]
    for chunk in re.findall(r"base64,([A-Za-z0-9+/=]+)", page):
        try:
            blobs.append(base64.b64decode(chunk).decode("utf-8", "ignore"))
        except (ValueError, TypeError):
            continue
    found: set[tuple[str, int, str]] = set()
    for blob in blobs:
        blob = re.sub(r"<style\b[^>]*>.*?</style>", " ", blob, flags=re.S | re.I)
        blob = html.unescape(_GEOMETRY.sub(" ", blob))
        for part in re.split(r"[<>\n{}]|aria-label=", blob):
            if not re.search(r"\d", part):
                continue
            for token in re.findall(r"(?<![\w.])-?\d+\.\d+(?:[eE]-?\d+)?", part):
                mantissa, _, power = token.lower().partition("e")
                found.add((token, len(mantissa.split(".")[1]) - int(power or 0), part))
            for token in re.findall(r"(?<![\w.])\d+(?=\s*%)", part):
                found.add((token, 0, part))
    return found


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_WRITTEN_DATE = re.compile(rf"\b({_MONTHS})[a-z]*\.? (?:\d{{1,2}},? )?(\d{{4}})\b|\b(\d{{4}})-(\d{{2}})-\d{{2}}\b")


def _about(context: str, when: Any) -> bool:
    """Whether a number's context is about period ``when`` (a number by no date is about no one period)."""
    if when is None or (not isinstance(when, str) and pd.isna(when)):
        return True
    if not hasattr(when, "strftime"):
        return str(when) in context
    dates = set()
    for month, year, iso_year, iso_month in _WRITTEN_DATE.findall(context):
        dates.add((month, year) if month else (pd.Timestamp(f"{iso_year}-{iso_month}-01").strftime("%b"), iso_year))
    return (f"{when:%b}", f"{when:%Y}") in dates


def _rebuilt(values: list[tuple[str, float, int, str]], x: float, n: float, scales: Sequence[float],
             when: Any = None) -> list[str]:
    """The numbers that give count ``x`` of ``n`` back: its rate, to their decimals, and no other count's."""
    if not (n > 0) or x in (0, n):  # a rate of 0 or 100% says nothing about the count
        return []
    counts = np.arange(int(n) + 1)
    found = []
    for scale in scales:
        exact = x / n * scale
        for token, value, places, context in values:
            if places < 0 or round(exact, places) != value or not _about(context, when):
                continue
            if int((np.round(counts / n * scale, places) == value).sum()) == 1:
                found.append(f"count {x:g} of {n:g} from {token} (x{scale:g})")
    return found


def find_disclosures(
    page: str,
    cells: pd.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    complement: bool = True,
    scales: Sequence[float] = (1, 100, 1000),
    control: tuple[str, pd.DataFrame] | None = None,
    period: str = "period",
) -> list[str]:
    """Small cells of ``cells`` that a reader could rebuild from a rendered page.

    Every decimal number in the page (text, attributes, embedded JSON, base64
    data) is tried as the rate of each small cell on each scale: when the
    number equals ``count / denominator x scale`` to the decimals it is written
    with, and no other count of that denominator would be written the same,
    ``count = rate x denominator`` gives the small count back.

    Parameters
    ----------
    page : str
        The rendered page (HTML, SVG or a chart spec).
    cells : DataFrame
        The aggregated source data (one row per period and group, and any
        totals you want checked), with its exact counts. A ``period`` column
        (dates) ties a cell to the chart marks labelled with its month; a
        number labelled with another month is not tried as its rate.
    control : (page, cells), optional
        The same page rendered from data whose small counts were changed, and
        those cells (same rows). A number on a busy page can equal a small
        cell's rate by chance; with a control, a cell counts as rebuilt only
        when both pages give their own (different) count back, from numbers
        that changed between them: the number follows the cell.

    Returns
    -------
    list of str
        One line per rebuilt cell (empty when none can be).

    Example
    -------
    >>> cells = pd.DataFrame({"numerator": [7, 40], "denominator": [11, 100]})
    >>> find_disclosures('<path aria-label="%: 63.6363636364"/>', cells)
    ['count 7 of 11 from 63.6363636364 (x100)']
    >>> find_disclosures('<td>40.0</td>', cells)
    []
    """
    numbers = _page_numbers(page)
    other = _page_numbers(control[0]) if control is not None else set()
    mine, theirs = {t for t, _, _ in numbers}, {t for t, _, _ in other}
    values = [(t, float(t), p, c) for t, p, c in numbers if control is None or t not in theirs]
    control_values = [(t, float(t), p, c) for t, p, c in other if t not in mine]
    num = pd.to_numeric(cells[numerator], errors="coerce").to_numpy(float)
    den = pd.to_numeric(cells[denominator], errors="coerce").to_numpy(float)
    when = cells[period].tolist() if period in cells.columns else [None] * len(cells)
    risky = disclosive(num, den, complement)
    if control is not None:
        c_num = pd.to_numeric(control[1][numerator], errors="coerce").to_numpy(float)
        c_den = pd.to_numeric(control[1][denominator], errors="coerce").to_numpy(float)
    found: list[str] = []
    for i in np.flatnonzero(risky):
        hits = _rebuilt(values, num[i], den[i], scales, when[i])
        if hits and control is not None and not _rebuilt(control_values, c_num[i], c_den[i], scales, when[i]):
            continue
        found.extend(hits)
    return sorted(set(found))
