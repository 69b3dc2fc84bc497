"""Per-team handouts: one self-contained HTML page per team, from one notebook.

A teams YAML file names each team's data and choices; each team's values are
injected into the handout notebook as papermill parameters, the notebook is
executed, and the result is exported as HTML with no code, charts as inline SVG
and no script or style fetched from the internet, so it opens on a ward PC with
no network. An ``index.html`` lists every team and whether its handout worked.

Speed comes from doing everything in one Python process: a small pool of
kernels (one per job) is started once and each kernel renders team after team
(``%reset -f`` between teams, so no team's variables reach the next one's page).
Kernels talk over IPC sockets where the system allows it, which avoids the port
races seen when many kernels start at once; a kernel that fails to start is
retried, and a kernel that dies is restarted and its team tried once more.

The handout notebook (``workshop/handout.ipynb``) calls helpers from here:
:func:`team_counts` (a team's data as counts per period and group, the only
table the page is built from), :func:`compare_groups` (the gap table, its
errors written for the teams file), :func:`groups_to_compare` and
:func:`lens_problem` (the two groups for the equity lens, and whether they can
be shown safely), :func:`pdsa_in_range`, :func:`rate_unit`, :func:`say_date`
and :func:`narrative` (a few plain-English sentences, rates only). Every table
and chart on the page passes through :mod:`equitykit.privacy` first. Before a
page is written, the renderer checks that nothing in it would load from the
network and that no value of an identifier-like column of the team's data file
(NHS number, patient ID, ...) appears in it.

A run says what happened: each team's entry is checked on its own (a YAML
error, an unknown key or a wrong option is that team's failure, naming it and
the line), the pages are made in a folder beside the output folder that then
takes its place (so it holds this run's pages only), the index lists every
failure with its reason, and Ctrl-C kills the kernels at once.

The teams file::

    notebook: handout.ipynb          # optional, relative to this file
    defaults:                        # optional, used by every team
      chart: p
      improvement: decrease
    teams:
      - name: Riverside Outpatients
        data: teams/riverside.csv    # relative to this file
        outcome: dna
        n: appointments              # denominator column (omit for row-level data)
        characteristic: imd_decile
        reference: "10"
        focus: "1"                   # optional: the group the aim is about
        date: month
        aim: Reduce missed appointments for ...
        pdsa_log: teams/riverside_pdsa.csv
        identifiers: [nhs_number]    # columns that must never appear in the handout
        # optional, as the kit's functions take them:
        order: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]   # groups from most deprived to least
        multiply: 1000               # rates per 1,000 (default 100 for p, 1,000 for u charts)
        unit: per 1,000 occupied bed days
        period: month                # row-level dates grouped by month or week
        confidence: 0.95
        min_group: 30
        rules: anhoej                # SPC rules: anhoej, ihi, ...

Example
-------
>>> parse_teams_text("teams: [{name: Ward A, data: a.csv, outcome: dna}]", base=".")[0].parameters["team_name"]
'Ward A'
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import functools
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import yaml

from .files import atomic_write_text
from .periods import as_dates
from .validation import EquityKitError, as_binary, as_frame, as_numeric, checked_multiply, require_columns
from .wording import check_choice

__all__ = [
    "TEAM_KEYS",
    "Team",
    "TeamOutcome",
    "HandoutReport",
    "parse_teams",
    "parse_teams_text",
    "export_html",
    "offline_problems",
    "render_handouts",
    "RATE_CHARTS",
    "team_counts",
    "groups_to_compare",
    "narrative",
    "say_date",
    "rate_unit",
    "compare_groups",
    "pdsa_in_range",
    "lens_problem",
    "shared_evidence",
]

#: YAML key -> notebook parameter. Paths (data, pdsa_log) are made absolute.
TEAM_KEYS: dict[str, str] = {
    "name": "team_name",
    "data": "data_file",
    "outcome": "outcome",
    "n": "denominator",
    "characteristic": "characteristic",
    "reference": "reference_group",
    "focus": "focus_group",
    "date": "date_column",
    "chart": "chart_type",
    "improvement": "improvement",
    "aim": "aim",
    "pdsa_log": "pdsa_log_file",
    "order": "order",
    "multiply": "multiply",
    "unit": "unit",
    "period": "period",
    "confidence": "confidence",
    "min_group": "min_group",
    "rules": "rules",
}
_PATH_KEYS = ("data", "pdsa_log")
# Options checked when the teams file is read: the choices each takes.
_CHOICES: dict[str, tuple[str, ...]] = {
    "improvement": ("decrease", "increase", "neutral"),
    "period": ("month", "week"),
}
_COUNT_CHARTS = ("c", "i", "mr", "xbar", "s", "g", "t", "run")
_ENGINE_KEYS = ("identifiers",)
_REQUIRED = ("name", "data")
# Column names that look like they identify a person: checked against the rendered page.
_IDENTIFIER_PATTERN = re.compile(
    r"(nhs|patient|person|mrn|hospital_number|identifier|^id$|_id$|postcode|^name$|surname|forename"
    r"|first_name|last_name|full_name|date_of_birth|^dob$|address|phone|email)",
    re.I,
)
_MAX_ATTEMPTS = 3
# A <style> block (in the page's <head>, from the template): skipped by the identifier check.
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style>", re.I | re.S)

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] }}
</div>
{%- endblock data_svg -%}
{%- block extra_css -%}
<style type="text/css">
  body.jp-Notebook { max-width: 980px; margin: 0 auto; padding: 1em 1.5em; }
  .jp-OutputArea-output img, .jp-OutputArea-output svg { max-width: 100%; height: auto; }
  @media print { body.jp-Notebook { max-width: none; } }
</style>
{%- endblock extra_css -%}
"""

# A <script src=...>, <link href=...>, <img src=...> or CSS url() pointing at the network.
_REMOTE = re.compile(
    r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//""",
    re.I,
)


@dataclass(frozen=True)
class Team:
    """One team of the YAML file: its name, output file name, parameters and privacy columns."""

    name: str
    slug: str
    parameters: dict[str, Any]
    identifiers: tuple[str, ...] = ()
    error: str = ""  # why this team cannot be rendered (its entry in the teams file is wrong)
    extra: dict[str, Any] = field(default_factory=dict)  # keys a caller asked for (``extra_keys``)


@dataclass
class TeamOutcome:
    """How one team's handout went."""

    team: str
    path: Path | None
    ok: bool
    reason: str = ""
    seconds: float = 0.0
    attempts: int = 1


@dataclass
class HandoutReport:
    """What ``render_handouts`` did: one ``TeamOutcome`` per team, plus the index page."""

    outcomes: list[TeamOutcome] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every team's handout was written."""
        return all(o.ok for o in self.outcomes)

    @property
    def failed(self) -> list[TeamOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def text(self) -> str:
        """A plain-text report: one line per team, then the totals."""
        lines = []
        for o in self.outcomes:
            if o.ok:
                lines.append(f"  done    {o.team}: {o.path} ({o.seconds:.1f} s)")
            else:
                lines.append(f"  FAILED  {o.team}: {o.reason}")
        done = len(self.outcomes) - len(self.failed)
        lines.append(
            f"{done} of {len(self.outcomes)} handouts written in {self.seconds:.1f} s; index: {self.index}"
        )
        if self.failed:
            lines.append(f"{len(self.failed)} failed: fix what each line says, then run the command again.")
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# What the handout notebook calls: counts per period and group, and the words
# ---------------------------------------------------------------------------

#: Charts a handout may draw: each point is a rate, never a count of people.
RATE_CHARTS = ("p", "pp", "u", "up")


def team_counts(
    data: Any,
    x: str,
    by: str,
    outcome: str,
    n: str | None = None,
    period: str = "month",
) -> pd.DataFrame:
    """Counts per period and group: the only table a handout is built from.

    Parameters
    ----------
    data : DataFrame
        One row per person or event (``outcome`` yes/no, ``n`` left out), or
        counts (``outcome`` a count, ``n`` its denominator) per period and group.
    x : str
        The date column. Row-level dates are grouped into periods (months by default).
    by : str
        The characteristic (e.g. ``imd_decile``); empty labels are kept, as a group.
    outcome, n : str
        The outcome and, for counted data, its denominator column.
    period : str
        How row-level dates are grouped: ``"month"`` (default) or ``"week"``.

    Returns
    -------
    DataFrame
        Columns ``x``, ``by``, ``outcome`` and ``n`` (``"people"`` for row-level
        data), one row per period and group, sorted. No other column of ``data``
        (identifiers, free text) is carried over. The caller's data is not changed.

    Example
    -------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"date": ["2024-01-03", "2024-01-20", "2024-02-02"],
    ...                      "sex": ["F", "F", "M"], "dna": [1, 0, 1], "nhs_number": ["1", "2", "3"]})
    >>> team_counts(rows, x="date", by="sex", outcome="dna").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'date': [Timestamp('2024-01-01 00:00:00'), Timestamp('2024-02-01 00:00:00')], 'sex': ['F', 'M'],
     'dna': [1, 1], 'people': [2, 1]}
    """
    frame = as_frame(data)
    require_columns(frame, [x, by, outcome, n])
    labels = frame[by]
    if n:
        when = frame[x] if pd.api.types.is_numeric_dtype(frame[x]) else as_dates(frame, x)
        work = pd.DataFrame({x: when, by: labels, outcome: as_numeric(frame, outcome, nonnegative=True),
                             n: as_numeric(frame, n, nonnegative=True)})
        n_col = n
    else:
        period = check_choice(period, "period", ["month", "week"])
        events = as_binary(frame, outcome)
        when = as_dates(frame, x).dt.to_period("M" if period == "month" else "W").dt.start_time
        n_col = "people"
        work = pd.DataFrame({x: when, by: labels, outcome: events, n_col: events.notna().astype("int64")})
    out = (work.groupby([x, by], as_index=False, dropna=False, sort=True)[[outcome, n_col]]
           .sum(min_count=1))
    for col in (outcome, n_col):
        values = out[col]
        if values.notna().all() and (values == values.round()).all():
            out[col] = values.astype("int64")
    return out.reset_index(drop=True)


def say_date(value: Any) -> str:
    """A date as people write it: '4 March 2024' (anything else as plain text).

    Example
    -------
    >>> say_date(pd.Timestamp("2024-03-04")), say_date(7)
    ('4 March 2024', '7')
    """
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "strftime"):
        stamp = pd.Timestamp(value)
        return f"{stamp.day} {stamp:%B %Y}"
    return str(value)


def rate_unit(chart: str, multiply: float, unit: str, n: str) -> tuple[float, str]:
    """The scale and unit every section of a handout writes rates in.

    ``multiply`` 0 means the kit's usual one (``checked_multiply``): 100 (a
    percentage) for P charts, 1,000 for U charts (per 1,000 of the denominator,
    e.g. bed days). ``unit`` (text)
    overrides the words, e.g. "per 1,000 occupied bed days".

    Example
    -------
    >>> rate_unit("p", 0, "", "people"), rate_unit("u", 0, "", "bed_days")
    ((100.0, '%'), (1000.0, ' per 1,000 bed days'))
    """
    scale = checked_multiply(multiply or None, chart)
    if unit:
        words = unit.strip()
        return scale, words if words == "%" else f" {words}"
    if scale == 100 and chart in ("p", "pp"):
        return scale, "%"
    return scale, f" per {scale:,.0f} {n.replace('_', ' ')}"


def _check_group(value: str, groups: Sequence[str], what: str, by: str, special: Sequence[str] = ()) -> None:
    from .wording import did_you_mean

    if value in ("", None) or value in special or value in groups:
        return
    listed = ", ".join(repr(g) for g in groups)
    extra = f" (or {', '.join(repr(s) for s in special)})" if special else ""
    raise EquityKitError(
        f"{what}: {value!r} is not one of the groups of '{by}' in this team's data: {listed}{extra}."
        f"{did_you_mean(value, [*groups, *special])} Change '{what}:' for this team in the teams file."
    )


def compare_groups(counts: pd.DataFrame, outcome: str, by: str, n: str, reference: str, focus: str,
                   improvement: str, order: str = "", **options: Any) -> Any:
    """``disaggregate(..., suppress=True)`` for a handout, its errors written for the teams file.

    A reference or focus group not in the data gets "did you mean"; groups with
    no order (an "Unknown" IMD group, text labels) get the ``order:`` line the
    teams file takes, listing this team's groups.

    Example
    -------
    >>> d = pd.DataFrame({"imd": ["1", "2", "Unknown"], "dna": [30, 20, 9], "people": [100, 100, 40]})
    >>> compare_groups(d, "dna", "imd", "people", "most_advantaged", "", "decrease")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    equitykit.validation.EquityKitError: reference: 'most_advantaged' needs the groups in order... order: ['1', '2']...
    """
    from .gaps import NOT_RECORDED, _label, disaggregate

    labels = sorted({_label(v) for v in counts[by]} - {NOT_RECORDED}, key=_natural)
    every = [*labels, *([NOT_RECORDED] if counts[by].isna().any() else [])]
    _check_group(reference, every, "reference", by, ("overall", "best", "most_advantaged"))
    _check_group(focus, every, "focus", by)
    wanted = json.loads(order) if order else None
    try:
        return disaggregate(counts, outcome=outcome, by=by, n=n, reference=reference, improvement=improvement,
                            suppress=True, order=wanted, **options)
    except EquityKitError as exc:
        if "order=" not in str(exc):
            raise
        ordered = [g for g in labels if re.fullmatch(r"\d+", g)] or labels
        unknown = [g for g in labels if g not in ordered]
        hint = f" Leave out {', '.join(repr(u) for u in unknown)}: a group with no place in the order." if unknown else ""
        raise EquityKitError(
            f"reference: {reference!r} needs the groups in order, most deprived first, and the groups of "
            f"'{by}' have none. Add this line to the team in the teams file: order: {ordered}.{hint} "
            f"Or name the reference group, e.g. reference: {ordered[-1]!r}."
        ) from None


def _natural(label: str) -> tuple[int, float, str]:
    return (0, float(label), "") if re.fullmatch(r"-?\d+(\.\d+)?", label) else (1, 0.0, label)


def pdsa_in_range(annotations: pd.DataFrame | None, xs: pd.Series) -> tuple[pd.DataFrame | None, str]:
    """The PDSA cycles within the data's dates, and a sentence listing those outside them.

    The chart's axis stays on the data: a cycle before the first point or after
    the last is written in words under the chart instead of stretching it.

    Example
    -------
    >>> ann = pd.DataFrame({"x": pd.to_datetime(["2024-02-05", "2025-01-06"]), "label": ["S1", "S2"]})
    >>> inside, words = pdsa_in_range(ann, pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01"])))
    >>> len(inside), words
    (1, 'Not on the chart (outside the dates of the data): S2 (began 6 January 2025).')
    """
    if annotations is None or not len(annotations):
        return None, ""
    first, last = xs.min(), xs.max()
    within = (annotations["x"] >= first) & (annotations["x"] <= last)
    outside = annotations[~within]
    words = ""
    if len(outside):
        listed = "; ".join(f"{row['label']} (began {say_date(row['x'])})" for _, row in outside.iterrows())
        words = f"Not on the chart (outside the dates of the data): {listed}."
    inside = annotations[within].reset_index(drop=True)
    return (inside if len(inside) else None), words


def lens_problem(counts: pd.DataFrame, x: str, by: str, outcome: str, n: str, groups: tuple[str, str] | None,
                 change: Any, complement: bool = True) -> str:
    """Why the equity lens cannot be shown for these groups ('' when it can).

    Each group needs data before and after the change, and its people before
    and after (pooled) must not be a count of 1 to 7, or the lens's rates would
    give that count away.

    Example
    -------
    >>> d = pd.DataFrame({"m": [1, 2, 1, 2], "g": ["A", "A", "B", "B"], "y": [30, 20, 10, 0], "n": [90, 90, 40, 0]})
    >>> lens_problem(d, "m", "g", "y", "n", ("A", "B"), 2)
    'No verdict yet: B has no data from when the first PDSA cycle began (2) on. The next handout can compare before and after.'
    """
    from . import privacy

    if groups is None:
        return ""
    when = say_date(change)
    labels = counts[by].astype("object").where(counts[by].notna(), "Not recorded").astype(str)
    for group in groups:
        rows = counts[labels == str(group)]
        after = rows[x] >= change
        for side, mask, words in (("before", ~after, f"before the first PDSA cycle began ({when})"),
                                  ("after", after, f"from when the first PDSA cycle began ({when}) on")):
            part = rows[mask]
            total, hits = float(part[n].sum()), float(part[outcome].sum())
            if not len(part) or total <= 0:
                nxt = " The next handout can compare before and after." if side == "after" else ""
                return f"No verdict yet: {group} has no data {words}.{nxt}"
            if privacy.disclosive([hits], [total], complement)[0]:
                return (f"No verdict: {group} has too few people {words} to show its rate safely "
                        "(a count of 1 to 7).")
    return ""


def shared_evidence(lens: Any) -> list[str]:
    """The lens's evidence for a shared page: without the mean of the gap's monthly points.

    That mean is taken over every baseline point, withheld ones too: with the
    points shown beside it, it would give a withheld point's gap back by
    subtraction. The verdict and the pooled before/after figures stay.

    Example
    -------
    >>> class L: evidence = ["... show points beyond the baseline limits below the baseline mean of 12.4: special cause."]
    >>> shared_evidence(L())
    ['... show points beyond the baseline limits below the baseline mean: special cause.']
    """
    return [re.sub(r"(baseline mean) of [-\u2212]?\d[\d.,]*", r"\1", line) for line in lens.evidence]


def groups_to_compare(gap: Any, focus: Any = None) -> tuple[str, str] | None:
    """The reference group and the group of interest, for :func:`equitykit.equity_lens`.

    The group of interest is ``focus`` (the group the team's aim is about) when
    given, else the group furthest behind the reference. Only groups whose
    counts were not suppressed and that are not flagged small are chosen
    automatically, so the lens never turns on a handful of people. None when
    the reference is everyone together or no other group qualifies (the lens
    then picks the best and worst groups itself).

    Example
    -------
    >>> import pandas as pd, equitykit as ek
    >>> d = pd.DataFrame({"group": ["A", "B", "C"], "yes": [30, 60, 3], "n": [100, 100, 5]})
    >>> groups_to_compare(ek.disaggregate(d, outcome="yes", by="group", n="n", reference="B",
    ...                                   improvement="increase", suppress=True))
    ('B', 'A')
    """
    t = gap.table
    ref = t[t["is_reference"]]
    if not len(ref):
        return None
    if focus is not None and str(focus) != "":
        wanted = str(int(focus)) if isinstance(focus, float) and float(focus).is_integer() else str(focus)
        if wanted not in set(t["group"]):
            raise EquityKitError(f"focus group {wanted!r} is not one of the groups: "
                                 f"{', '.join(map(repr, t['group']))}.")
        return str(ref["group"].iloc[0]), wanted
    candidates = t[~t["is_reference"] & ~t["small"].astype(bool) & t["difference"].notna()
                   & ~t["compared"].isin(["suppressed", "no rate"])]
    if not len(candidates):
        return None
    sign = -1.0 if gap.improvement == "increase" else 1.0
    focus = candidates.loc[(candidates["difference"] * sign).idxmax(), "group"]
    return str(ref["group"].iloc[0]), str(focus)


def _units(gap: Any) -> tuple[str, str]:
    """How a rate and a difference of rates are written, e.g. ('%', 'percentage points')."""
    if gap.multiply == 100:
        return "%", "percentage points"
    per = f" per {gap.multiply:,.0f}"
    return per, per


def narrative(gap: Any, over_time: Any = None, lens: Any = None, lens_note: str = "",
              unit: str | None = None) -> str:
    """The handout's story in a few plain-English sentences (Markdown), from rates only.

    Parameters
    ----------
    gap : GapResult
        From ``disaggregate(..., suppress=True)``: groups whose counts were
        suppressed are never named with a rate.
    over_time : SPCResult, optional
        The team's measure over time.
    lens : LensResult, optional
        The equity lens; ``lens_note`` says why there is none when it is None.
    unit : str, optional
        The rate's unit as the rest of the page writes it (e.g. " per 1,000 bed
        days"); by default from ``gap.multiply``.

    Returns
    -------
    str
        Markdown bullet points. No count of people appears in them.

    Example
    -------
    >>> import pandas as pd, equitykit as ek
    >>> d = pd.DataFrame({"group": ["A", "B"], "yes": [30, 60], "n": [100, 100]})
    >>> gap = ek.disaggregate(d, outcome="yes", by="group", n="n", reference="B",
    ...                       improvement="increase", suppress=True)
    >>> print(narrative(gap))  # doctest: +NORMALIZE_WHITESPACE
    - **The gap.** Compared with B (60.0%), 1 of 1 group has a clearly worse yes rate. The furthest behind
      is A: 30.0%, 30.0 percentage points lower.
    - **Is our work helping to achieve equity?** Bring this page to your next coaching session.
    """
    from .wording import words as _words

    t = gap.table
    outcome = _words(gap.outcome)
    rate_words, diff_unit = _units(gap)
    if unit is not None and unit.strip() != "%":
        rate_words = diff_unit = unit

    def name(label: Any) -> str:  # "IMD decile 1" rather than "1"
        text = str(label)
        return f"{_words(gap.by[0])} {text}" if len(gap.by) == 1 and text[:1].isdigit() else text

    lines = []
    visible = ~t["compared"].isin(["suppressed", "no rate"]) & t["rate"].notna()
    ref = t[t["is_reference"]]
    if len(ref) and visible[ref.index[0]]:
        ref_text = f"{name(ref['group'].iloc[0])} ({float(ref['rate'].iloc[0]):.1f}{rate_words})"
    elif len(ref):
        ref_text = name(ref["group"].iloc[0])
    else:
        ref_text = "everyone together"
    others = visible & ~t["is_reference"] & ~t["small"].astype(bool)
    worse = t[others & (t["compared"] == "worse")]
    word = "group" if int(others.sum()) == 1 else "groups"
    verb = "has" if len(worse) == 1 else "have"
    sentence = (f"Compared with {ref_text}, {len(worse)} of {int(others.sum())} {word} {verb} a clearly worse "
                f"{outcome} rate.")
    if len(ref) and not visible[ref.index[0]]:
        # the reference's counts are small: every comparison with it would give its rate away
        sentence = (f"The reference group, {ref_text}, is too small to compare with safely: its rate and "
                    "every difference from it are withheld. Name a larger reference group in the teams file.")
        worse = worse.iloc[:0]
    if len(worse):
        sign = 1.0 if gap.improvement == "decrease" else -1.0
        row = worse.loc[(worse["difference"] * sign).idxmax()]
        direction = "higher" if gap.improvement == "decrease" else "lower"
        sentence += (f" The furthest behind is {name(row['group'])}: {float(row['rate']):.1f}{rate_words}, "
                     f"{abs(float(row['difference'])):.1f}{' ' if diff_unit[:1] != ' ' else ''}{diff_unit} "
                     f"{direction}.")
    hidden = int((~visible).sum())
    if hidden:
        sentence += f" {hidden} group(s) are too small to show a rate safely (shown as *)."
    lines.append(f"- **The gap.** {sentence}")
    if over_time is not None:
        summary = over_time.summary()
        signal = bool(np.any(summary["runs_signal"])) or bool(np.any(summary["sigma_signals"] > 0))
        if signal:
            text = ("The chart shows special cause variation (a shift or a point beyond the limits): "
                    "something changed, more than chance would explain.")
        else:
            text = "The chart shows only common cause variation: no change beyond what chance would explain."
        lines.append(f"- **Over time.** {text}")
    if lens is not None:
        word = {"narrowed": "narrowed", "widened": "widened", "maintained": "stayed about the same (maintained)"}
        lines.append(f"- **Through the equity lens.** The gap between {name(lens.focus)} and {name(lens.reference)} "
                     f"{word.get(lens.verdict, lens.verdict)} after our changes. {lens.evidence[1]}")
    elif lens_note:
        lines.append(f"- **Through the equity lens.** {lens_note}")
    lines.append("- **Is our work helping to achieve equity?** Bring this page to your next coaching session.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The teams file
# ---------------------------------------------------------------------------


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "team"


def _yaml_problem(exc: yaml.YAMLError, offset: int = 0) -> tuple[int | None, str]:
    """The line (1-based) a YAML error is on, and what is wrong, in words."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + offset if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return line, str(what)


def _team_near(lines: Sequence[str], line: int | None) -> str:
    """The name of the team whose entry holds (or comes just before) ``line``."""
    if line is None:
        return ""
    for text in reversed(lines[:line]):
        found = re.match(r"\s*-?\s*name\s*:\s*(.+?)\s*(#.*)?$", text)
        if found:
            return found.group(1).strip("'\"")
    return ""


def _split_teams(text: str) -> tuple[str, list[tuple[int, str]]] | None:
    """The part of the file before ``teams:`` and each team's own lines (with its first line number)."""
    lines = text.splitlines()
    head = next((i for i, t in enumerate(lines) if re.match(r"teams\s*:\s*(#.*)?$", t)), None)
    if head is None:
        return None
    starts = [i for i in range(head + 1, len(lines)) if re.match(r"\s*-\s", lines[i])]
    if not starts:
        return None
    indent = len(lines[starts[0]]) - len(lines[starts[0]].lstrip())
    starts = [i for i in starts if len(lines[i]) - len(lines[i].lstrip()) == indent]
    chunks = []
    for k, first in enumerate(starts):
        last = starts[k + 1] if k + 1 < len(starts) else len(lines)
        chunks.append((first, "\n".join(lines[first:last])))
    return "\n".join(lines[:head]), chunks


def _load(text: str) -> tuple[dict[str, Any], list[Any]]:
    """The file's settings and its list of team entries; a broken entry becomes a YAMLError placeholder.

    A syntax error inside one team's entry spoils that team only: each entry is
    read on its own, and the error names its line and the team around it.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, what = _yaml_problem(exc)
        parts = _split_teams(text)
        if parts is None:
            raise EquityKitError(
                f"the teams file is not valid YAML: line {line}: {what}. Check the indentation and the "
                "colons on that line (a value holding ': ' or '#' needs quotes)."
            ) from None
        header, chunks = parts
        try:
            settings = yaml.safe_load(header) or {}
        except yaml.YAMLError as head_exc:
            line, what = _yaml_problem(head_exc)
            raise EquityKitError(
                f"the teams file is not valid YAML: line {line} (before 'teams:'): {what}."
            ) from None
        entries: list[Any] = []
        lines = text.splitlines()
        for first, chunk in chunks:
            try:
                entries.extend(yaml.safe_load("teams:\n" + chunk)["teams"] or [])
            except (yaml.YAMLError, TypeError, KeyError) as team_exc:
                where, what = (_yaml_problem(team_exc, first - 1) if isinstance(team_exc, yaml.YAMLError)
                               else (first + 1, "not a team entry"))
                entries.append(_Broken(_team_near(lines, where) or _team_near(lines, first + 1), where, what))
        return (settings if isinstance(settings, dict) else {}), entries
    if isinstance(doc, list):
        doc = {"teams": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("teams"), list) or not doc["teams"]:
        raise EquityKitError(
            "the teams file should have a list called 'teams:', one entry per team, "
            "each with at least 'name:' and 'data:'."
        )
    return {k: v for k, v in doc.items() if k != "teams"}, list(doc["teams"])


@dataclass(frozen=True)
class _Broken:
    """A team entry that is not valid YAML."""

    name: str
    line: int | None
    problem: str


def _resolve(value: Any, base_dir: Path) -> str:
    """A path from the teams file, made absolute against the file's folder."""
    path = Path(str(value)).expanduser()
    return str(path if path.is_absolute() else (base_dir / path).resolve())


def _team_parameters(merged: dict[str, Any], label: str, base_dir: Path,
                     extra_keys: Sequence[str] = ()) -> dict[str, Any]:
    """One team's notebook parameters; EquityKitError (without the team's name) for a wrong value."""
    from .wording import did_you_mean

    allowed = [*TEAM_KEYS, *_ENGINE_KEYS, *extra_keys]
    for key in merged:
        if key not in allowed:
            raise EquityKitError(
                f"the key {key!r} is not one the kit knows (typo?).{did_you_mean(str(key), allowed)} "
                f"Use: {', '.join(allowed)}."
            )
    missing = [k for k in _REQUIRED if merged.get(k) in (None, "")]
    if missing:
        raise EquityKitError(f"add '{missing[0]}:' to this team in the teams file.")
    params: dict[str, Any] = {}
    for key, param in TEAM_KEYS.items():
        value = merged.get(key)
        if key == "order":
            params[param] = _order_text(value)
            continue
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise EquityKitError(f"'{key}:' should be a single value, not {value!r}.")
        if key in _PATH_KEYS and value:
            value = _resolve(value, base_dir)
        if value is None:
            value = {"multiply": 0, "confidence": 0.95, "min_group": 30, "period": "month",
                     "rules": "anhoej"}.get(key, "")
        params[param] = value if key not in ("name", "reference", "focus", "unit") else str(value)
    return params


def _order_text(value: Any) -> str:
    """``order:`` (a list of groups, most deprived first) as JSON text, a literal papermill can inject."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not value or any(isinstance(v, (dict, list)) for v in value):
        raise EquityKitError(
            f"'order:' should list the groups from most deprived to least, e.g. order: [1, 2, 3, 4, 5], not {value!r}."
        )
    return json.dumps([str(v) for v in value])


def _check_options(params: dict[str, Any]) -> None:
    """Options with a fixed set of values or a range, checked before any kernel starts."""
    from .wording import did_you_mean
    from .rules import RULE_SETS

    chart = str(params["chart_type"] or "p").lower()
    params = dict(params)  # checked on a copy: the team keeps the values as written
    if chart in _COUNT_CHARTS:
        raise EquityKitError(
            f"chart: {chart!r} would plot counts of people, which a shared handout must not show. "
            f"Use one of {', '.join(RATE_CHARTS)} (rates) for this team in the teams file."
        )
    if chart not in RATE_CHARTS:
        raise EquityKitError(f"chart: {chart!r} is not one of {', '.join(RATE_CHARTS)}.{did_you_mean(chart, RATE_CHARTS)}")
    params["chart_type"] = chart
    choices = {**_CHOICES, "rules": tuple(RULE_SETS)}
    for key, options in choices.items():
        value = str(params[TEAM_KEYS[key]] or "").lower()
        if value and value not in options:
            raise EquityKitError(
                f"{key}: {value!r} is not one of {', '.join(options)}.{did_you_mean(value, options)}"
            )
        params[TEAM_KEYS[key]] = value or params[TEAM_KEYS[key]]
    numbers = {"multiply": (0, None, "a positive number such as 100 or 1000 (0 or left out: 100 for p charts, "
                            "1000 for u charts)"),
               "confidence": (0, 1, "a level between 0 and 1, such as 0.95"),
               "min_group": (0, None, "a whole number such as 30")}
    for key, (low, high, what) in numbers.items():
        value = params[TEAM_KEYS[key]]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low or (
                high is not None and value >= high) or (key == "confidence" and value <= 0):
            raise EquityKitError(f"{key}: {value!r} should be {what}.")


def parse_teams_text(text: str, base: str | os.PathLike[str], strict: bool = True, *,
                     extra_keys: Sequence[str] = (), extra_path_keys: Sequence[str] = ()) -> list[Team]:
    """Read teams from YAML text; relative paths are taken from the folder ``base``.

    ``extra_keys`` (and ``extra_path_keys``, read as paths) are further keys a
    caller allows, e.g. a programme's ``target``; their values go to ``Team.extra``.

    Raises EquityKitError for a file with no list of teams, or two teams with one
    name. An option with a wrong value (a chart of counts, an improvement that
    is not increase/decrease, ...) is kept as that team's ``error``, naming the
    team. With ``strict=True`` a broken entry (a YAML syntax error inside it, a
    key the kit does not know, no name or data) raises; with ``strict=False``
    (as :func:`render_handouts` reads the file) it too becomes that team's
    ``error``, so one bad team never stops the others.
    """
    settings, entries = _load(text)
    defaults = settings.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise EquityKitError("'defaults:' in the teams file should be a set of key: value lines.")
    base_dir = Path(base).resolve()
    teams: list[Team] = []
    seen: dict[str, str] = {}
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, _Broken):
            label = entry.name or f"team {position}"
            error = (f"{label}: the teams file is not valid YAML at line {entry.line} (in or near this team's "
                     f"entry): {entry.problem}. Check the indentation and colons there; a value holding ': ' "
                     "or '#' needs quotes.")
            if strict:
                raise EquityKitError(error)
            teams.append(Team(label, _slug(label), {"team_name": label}, (), error))
            continue
        if not isinstance(entry, dict):
            label = f"team {position}"
            error = f"{label}: this entry in the teams file should be a set of key: value lines."
            if strict:
                raise EquityKitError(error)
            teams.append(Team(label, _slug(label), {"team_name": label}, (), error))
            continue
        merged = {**defaults, **entry}
        label = str(merged.get("name") or f"team {position}")
        ids = merged.get("identifiers") or ()
        ids = (ids,) if isinstance(ids, str) else tuple(str(i) for i in ids) if isinstance(ids, list) else ()
        params, error = {"team_name": label}, ""
        try:
            params = _team_parameters(merged, label, base_dir, [*extra_keys, *extra_path_keys])
        except EquityKitError as exc:
            if strict:
                raise EquityKitError(f"{label}: {exc}") from None
            error = f"{label}: {exc}"
        if not error:
            try:
                _check_options(params)
            except EquityKitError as exc:
                error = f"{label}: {exc}"
        slug = _slug(label)
        if slug in seen:
            raise EquityKitError(
                f"two teams would share the handout file '{slug}.html': "
                f"{seen[slug]!r} and {label!r}. Give each team its own name."
            )
        seen[slug] = label
        extra = {k: merged[k] for k in extra_keys if merged.get(k) is not None}
        extra.update({k: _resolve(merged[k], base_dir) for k in extra_path_keys if merged.get(k)})
        teams.append(Team(label, slug, params, ids, error, extra))
    return teams


def parse_teams(teams_yaml: str | os.PathLike[str], strict: bool = True) -> tuple[list[Team], Path | None]:
    """Read a teams YAML file; return its teams and the notebook it names (if any).

    ``strict`` as in :func:`parse_teams_text`.
    """
    path = Path(teams_yaml)
    if not path.is_file():
        raise EquityKitError(f"cannot find the teams file '{path}': check the name and the folder.")
    text = path.read_text(encoding="utf-8")
    teams = parse_teams_text(text, path.parent, strict=strict)
    settings, _ = _load(text)
    notebook = settings.get("notebook")
    return teams, ((path.parent / str(notebook)).resolve() if notebook else None)


# ---------------------------------------------------------------------------
# Export and checks on the rendered page
# ---------------------------------------------------------------------------


_EXPORTERS = threading.local()


def export_html(nb: nbformat.NotebookNode, title: str) -> str:
    """Export an executed notebook as one offline HTML page with no code cells.

    Uses nbconvert's lab template minus require.js, MathJax, mermaid and the
    widget manager, which it would fetch from a CDN. SVG charts are written
    inline as ``<svg>`` (not a base64 image), so their text can be read by a
    screen reader and found with the browser's search.
    """
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:  # one per thread: building it compiles the template (0.3 s), using it is fast
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        exporter = _EXPORTERS.html = HTMLExporter(
            template_name="lab",
            extra_loaders=[DictLoader({"equitykit_handout.html.j2": _TEMPLATE})],
            template_file="equitykit_handout.html.j2",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    body, _ = exporter.from_notebook_node(nb)
    return body


def offline_problems(page: str) -> list[str]:
    """Anything in ``page`` that would be fetched from the network (empty when offline-safe).

    Example
    -------
    >>> offline_problems('<script src="https://cdn.example/x.js"></script>')
    ['<script src="https://']
    >>> offline_problems('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    []
    """
    return [m.group(0) for m in _REMOTE.finditer(page)]


def _identifier_values(team: Team) -> tuple[str, frozenset[str]]:
    """Values of the team's identifier columns (named, or guessed from the column names)."""
    data = Path(str(team.parameters.get("data_file", "")))
    if not data.is_file() or data.suffix.lower() not in (".csv", ".txt", ".xlsx", ".xls"):
        return "", frozenset()
    shown = tuple(str(team.parameters.get(k, "")) for k in ("outcome", "denominator", "characteristic", "date_column"))
    stat = data.stat()
    return _identifier_values_cached(str(data.resolve()), stat.st_mtime_ns, stat.st_size, team.identifiers, shown)


@functools.lru_cache(maxsize=8)
def _identifier_values_cached(
    path: str, mtime_ns: int, size: int, identifiers: tuple[str, ...], shown_columns: tuple[str, ...]
) -> tuple[str, frozenset[str]]:
    """Read once per file version: teams sharing a file (or rendered again) reuse the values."""
    data = Path(path)
    from .reading import read_data

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the handout itself reports what read_data notes
            table = read_data(data)  # as the handout reads it: title rows, encodings, separators
        header = list(table.columns)
        # The columns the handout is meant to show (groups, dates, counts) are never identifiers.
        shown = set(shown_columns)
        columns = [
            c for c in header
            if c in identifiers or (_IDENTIFIER_PATTERN.search(str(c)) and str(c) not in shown)
        ]
        if not columns:
            return "", frozenset()
        frame = table[columns].astype("string")
    except Exception:  # an unreadable file is the notebook's error to report, not ours
        return "", frozenset()
    values = set()
    for col in columns:
        values.update(v.strip() for v in frame[col].dropna() if len(v.strip()) >= 4)
    return ", ".join(map(str, columns)), frozenset(values)


def _leaks(page: str, values: Iterable[str]) -> list[str]:
    """Identifier values found in the page, also inside base64 images (data: URIs)."""
    if not values:
        return []
    # The template's style sheets in <head> (over half of each page, the same for every team)
    # carry no data; everything from <body> on is checked.
    head, body_tag, body = page.partition("<body")
    if body_tag:
        page = _STYLE_BLOCK.sub("", head) + body_tag + body
    decoded = []
    for chunk in re.findall(r"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)", page):
        with contextlib.suppress(Exception):
            decoded.append(base64.b64decode(chunk).decode("utf-8", "ignore"))
    page = page + "\n".join(decoded)
    tokens = set(re.findall(r"[A-Za-z0-9]+", page))
    digits_only = set(re.findall(r"\d+", re.sub(r"(?<=\d)[ -](?=\d)", "", page)))
    found = []
    for value in values:
        if value.isalnum():
            hit = value in tokens
        else:
            hit = value in page
        if not hit and re.fullmatch(r"[\d -]+", value):
            hit = re.sub(r"\D", "", value) in digits_only
        if hit:
            found.append(value)
    return found


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


class _Worker:
    """One kernel, started once and reused for team after team."""

    def __init__(self, kernel_name: str, cwd: str, env: dict[str, str]) -> None:
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.env = env
        self.km: Any = None
        self.kc: Any = None

    async def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        last: Exception | None = None
        for attempt in range(_MAX_ATTEMPTS):
            if os.name == "posix":
                # IPC sockets at a unique absolute path: no ports to race for, and the kernel
                # (started in another folder) and this process agree on where the sockets are.
                sockets = Path(tempfile.mkdtemp(prefix="equitykit-kernel-")) / "k"
                km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(sockets))
            else:  # pragma: no cover - Windows has no IPC transport
                km = AsyncKernelManager(kernel_name=self.kernel_name)
            try:
                # the kernel's own log lines (and tracebacks when it is stopped) stay off the facilitator's screen
                await km.start_kernel(cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
                kc = km.client()
                kc.start_channels()
                await kc.wait_for_ready(timeout=60)
            except Exception as exc:  # port/IPC races, slow start: try again with a fresh kernel
                last = exc
                with contextlib.suppress(Exception):
                    await km.shutdown_kernel(now=True)
                if km.transport == "ipc":
                    shutil.rmtree(Path(km.ip).parent, ignore_errors=True)
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            self.km, self.kc = km, kc
            return
        raise RuntimeError(f"the Jupyter kernel '{self.kernel_name}' would not start: {last}")

    def kill(self) -> None:
        """Stop the kernel at once (Ctrl-C): its whole process group, with no goodbye."""
        pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                if os.name == "posix":
                    os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
                else:  # pragma: no cover
                    os.kill(pid, signal.SIGTERM)
        if self.km is not None and getattr(self.km, "transport", "") == "ipc":
            shutil.rmtree(Path(self.km.ip).parent, ignore_errors=True)

    async def stop(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
        if self.km is not None:
            with contextlib.suppress(Exception):
                await self.km.shutdown_kernel(now=True)
            if self.km.transport == "ipc":
                shutil.rmtree(Path(self.km.ip).parent, ignore_errors=True)
        self.km = self.kc = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def run(self, nb: nbformat.NotebookNode, timeout: int) -> nbformat.NotebookNode:
        from nbclient import NotebookClient

        if self.km is None:
            await self.start()
        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout, allow_errors=False)
        client.kc = self.kc
        return await client.async_execute(cleanup_kc=False)


def _prepare(template: nbformat.NotebookNode, team: Team, kernel_name: str) -> nbformat.NotebookNode:
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(copy.deepcopy(template), team.parameters, kernel_name=kernel_name)
    reset = nbformat.v4.new_code_cell(
        "get_ipython().run_line_magic('reset', '-f')", metadata={"tags": ["equitykit-reset"], "papermill": {}}
    )
    nb.cells.insert(0, reset)
    return nb


def _finish(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.cells = [c for c in nb.cells if "equitykit-reset" not in c.get("metadata", {}).get("tags", [])]
    return nb


def _error_reason(exc: BaseException) -> str:
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    if isinstance(exc, DeadKernelError):
        return "the notebook's kernel stopped (it crashed or ran out of memory), twice in a row"

    if isinstance(exc, CellExecutionError):
        ename = getattr(exc, "ename", "") or "Error"
        evalue = getattr(exc, "evalue", "") or ""
        # the kit's own errors say what to do; other errors keep their name (KeyError: 'x' means little alone)
        text = (evalue if ename == "EquityKitError" and evalue else f"{ename}: {evalue}").strip()
        return re.sub(r"\x1b\[[0-9;]*m", "", text) or str(exc).splitlines()[-1]
    return f"{type(exc).__name__}: {exc}"


async def _render_team(
    worker: _Worker, template: nbformat.NotebookNode, team: Team, out_dir: Path, kernel_name: str, timeout: int
) -> TeamOutcome:
    from nbclient.exceptions import CellExecutionError

    start = time.perf_counter()
    data = Path(str(team.parameters.get("data_file", "")))
    if not data.is_file():
        return TeamOutcome(team.name, None, False, f"cannot find the data file '{data}'")
    attempts = 0
    while True:
        attempts += 1
        nb = _prepare(template, team, kernel_name)
        try:
            executed = _finish(await worker.run(nb, timeout))
            break
        except CellExecutionError as exc:  # the notebook itself failed: report, do not retry
            return TeamOutcome(team.name, None, False, _error_reason(exc), time.perf_counter() - start, attempts)
        except Exception as exc:  # the kernel died, timed out or would not start: fresh kernel, once more
            with contextlib.suppress(Exception):
                await worker.restart()
            if attempts >= 2:
                return TeamOutcome(team.name, None, False, _error_reason(exc), time.perf_counter() - start, attempts)
    loop = asyncio.get_running_loop()
    page = await loop.run_in_executor(None, export_html, executed, f"{team.name}: equity handout")
    remote = offline_problems(page)
    if remote:
        return TeamOutcome(team.name, None, False, f"the page would load from the internet: {remote[0]}...",
                           time.perf_counter() - start, attempts)
    columns, values = await loop.run_in_executor(None, _identifier_values, team)
    leaked = _leaks(page, values)
    if leaked:
        return TeamOutcome(
            team.name,
            None,
            False,
            f"privacy check: the page shows {len(leaked)} value(s) of the identifier column(s) {columns}; "
            "it was not written. Show aggregated, suppressed tables only.",
            time.perf_counter() - start,
            attempts,
        )
    path = out_dir / f"{team.slug}.html"
    await loop.run_in_executor(None, _write, path, page)
    return TeamOutcome(team.name, path, True, "", time.perf_counter() - start, attempts)


def _write(path: Path, text: str) -> Path:
    """Write atomically, then make the page readable by others (temporary files are private)."""
    written = atomic_write_text(path, text)
    with contextlib.suppress(OSError):
        os.chmod(written, 0o666 & ~_umask())
    return written


def _index_page(outcomes: Sequence[TeamOutcome], title: str) -> str:
    rows = []
    for o in outcomes:
        name = html.escape(o.team)
        if o.ok and o.path is not None:
            link = f'<a href="{html.escape(o.path.name)}">{name}</a>'
            status = '<span class="ok">ready</span>'
        else:
            link = name
            status = f'<span class="failed">not made</span>: {html.escape(o.reason)}'
        rows.append(f"<tr><td>{link}</td><td>{status}</td></tr>")
    done = sum(o.ok for o in outcomes)
    stamp = time.strftime("%d %B %Y, %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>
  body {{ font-family: Arial, Helvetica, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em;
         color: #1a1a1a; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ text-align: left; padding: 0.5em; border-bottom: 1px solid #ddd; vertical-align: top; }}
  .ok {{ color: #0072B2; font-weight: bold; }}
  .failed {{ color: #D55E00; font-weight: bold; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{done} of {len(outcomes)} team handouts are ready. Made {html.escape(stamp)}.</p>
<table>
<thead><tr><th>Team</th><th>Handout</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


class _Progress:
    """A tqdm bar on stderr when available and wanted; otherwise silent."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, desc="handouts", unit="team", file=sys.stderr, leave=True)
            except ImportError:  # pragma: no cover - papermill depends on tqdm
                self.bar = None

    def update(self, outcome: TeamOutcome) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{'done' if outcome.ok else 'FAILED'}: {outcome.team}"[:40])
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


async def _render_all(
    teams: Sequence[Team],
    template: nbformat.NotebookNode,
    out_dir: Path,
    jobs: int,
    kernel_name: str,
    timeout: int,
    cwd: str,
    progress: _Progress,
) -> list[TeamOutcome]:
    env = os.environ.copy()
    # The kernels import the same equitykit as this process, even from a clone that is not installed.
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    queue: asyncio.Queue[tuple[int, Team]] = asyncio.Queue()
    outcomes: list[TeamOutcome | None] = [None] * len(teams)
    for index, team in enumerate(teams):
        if team.error:  # its entry in the teams file is wrong: reported, never rendered
            reason = team.error.removeprefix(f"{team.name}: ")
            outcomes[index] = TeamOutcome(team.name, None, False, reason, 0.0, 0)
            progress.update(outcomes[index])
        else:
            queue.put_nowait((index, team))
    jobs = min(jobs, queue.qsize())

    workers: list[_Worker] = []

    async def work() -> None:
        worker = _Worker(kernel_name, cwd, env)
        workers.append(worker)
        try:
            while not queue.empty():
                index, team = queue.get_nowait()
                try:
                    outcome = await _render_team(worker, template, team, out_dir, kernel_name, timeout)
                except Exception as exc:  # never let one team stop the others
                    outcome = TeamOutcome(team.name, None, False, _error_reason(exc))
                outcomes[index] = outcome
                progress.update(outcome)
        finally:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(worker.stop(), 10)

    # Ctrl-C: kill every kernel at once and stop; nothing waits for a cell to finish.
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        for worker in workers:
            worker.kill()
        raise KeyboardInterrupt  # out of the event loop, to render_handouts

    listening = isinstance(loop, _OwnSignals) and threading.current_thread() is threading.main_thread()
    if listening:
        loop.owner = interrupt
        loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        await asyncio.gather(*(work() for _ in range(jobs)))
    finally:
        if listening:
            asyncio.SelectorEventLoop.remove_signal_handler(loop, signal.SIGINT)
    return [o for o in outcomes if o is not None]


def render_handouts(
    teams_yaml: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    jobs: int | None = None,
    *,
    notebook: str | os.PathLike[str] | None = None,
    kernel_name: str = "python3",
    timeout: int = 300,
    progress: bool = True,
    only: Iterable[str] | None = None,
) -> HandoutReport:
    """Render one offline HTML handout per team, plus ``index.html``.

    Parameters
    ----------
    teams_yaml : path
        The teams file (see the module docstring); paths in it are relative to it.
    out_dir : path
        Folder for ``<team>.html`` files and ``index.html`` (created if needed).
    jobs : int, optional
        Kernels working at once (default: the number of CPUs, at most 4).
    notebook : path, optional
        The handout notebook; default: ``notebook:`` in the YAML, else
        ``handout.ipynb`` next to the YAML file, else the kit's own.
    kernel_name : str
        Jupyter kernel to run the notebook with (default ``python3``).
    timeout : int
        Seconds allowed for each cell.
    progress : bool
        Show a progress bar on stderr (default True).
    only : list of str, optional
        Render only these teams (by name).

    Returns
    -------
    HandoutReport
        ``.outcomes`` (one per team: ok, path, reason, seconds), ``.index``,
        ``.ok`` (False when any team failed) and ``.text()``. A failing team
        never stops the others. The pages are made in a new folder beside
        ``out_dir``, which then takes its place: the folder holds this run's
        pages only, and Ctrl-C (KeyboardInterrupt) leaves the last run's
        folder as it was, with no half-made file and no kernel running.

    Example
    -------
    >>> report = render_handouts("teams.yaml", "build/handouts")  # doctest: +SKIP
    >>> report.ok  # doctest: +SKIP
    True
    """
    started = time.perf_counter()
    teams, named = parse_teams(teams_yaml, strict=False)
    if only is not None:
        wanted = set(only)
        teams = [t for t in teams if t.name in wanted]
        if not teams:
            raise EquityKitError(f"none of the teams {sorted(wanted)} is in the teams file.")
    if not (notebook or named or (Path(teams_yaml).parent / "handout.ipynb").is_file()):
        from .course import course_file

        notebook = str(course_file("workshop/handout.ipynb"))  # the kit's own handout notebook
    nb_path = Path(notebook) if notebook else (named or Path(teams_yaml).parent / "handout.ipynb")
    if not nb_path.is_file():
        raise EquityKitError(
            f"cannot find the handout notebook '{nb_path}'. Name it with --notebook, "
            "or 'notebook:' in the teams file."
        )
    from papermill.iorw import load_notebook_node

    template = load_notebook_node(str(nb_path))  # adds the metadata papermill's parameterizer expects
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in template.cells):
        raise EquityKitError(
            f"the notebook '{nb_path}' has no cell tagged 'parameters': tag the cell that holds "
            "team_name, data_file, ... so each team's values can replace them."
        )
    if jobs is None:
        jobs = min(4, os.cpu_count() or 1)
    if jobs < 1:
        raise EquityKitError(f"jobs={jobs} should be 1 or more.")
    out = Path(out_dir)
    _check_output_folder(out)
    building = _aside(out, "building")
    bar = _Progress(len(teams), progress)
    try:
        outcomes = _run(_render_all(teams, template, building, jobs, kernel_name, timeout,
                                    str(nb_path.resolve().parent), bar))
        _write(building / "index.html", _index_page(outcomes, "Team equity handouts"))
        _swap(building, out)
    except BaseException:  # Ctrl-C or a crash: nothing half-made is left, the last run's pages stay
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        bar.close()
    for o in outcomes:
        if o.path is not None:
            o.path = out / o.path.name
    return HandoutReport(outcomes, out / "index.html", time.perf_counter() - started)


def _check_output_folder(out: Path) -> None:
    """The output folder is replaced by each run: refuse one that holds anything but handouts."""
    if out.exists() and not out.is_dir():
        raise EquityKitError(f"the output folder '{out}' is a file: give a folder, e.g. --out build/handouts.")
    if out.is_dir():
        other = [p.name for p in out.iterdir() if not (p.is_file() and p.suffix == ".html")]
        if other:
            raise EquityKitError(
                f"the output folder '{out}' holds files that are not handouts ({', '.join(sorted(other)[:3])}): "
                "each run replaces the whole folder, so give an empty or new folder, e.g. --out build/handouts."
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EquityKitError(f"cannot make the output folder '{out}': {exc.strerror}. Choose a folder you "
                             "can write to, e.g. --out ~/handouts.") from None
    if not os.access(out.parent, os.W_OK):
        raise EquityKitError(f"cannot write in '{out.parent}': choose a folder you can write to, "
                             "e.g. --out ~/handouts.")


def _aside(out: Path, what: str) -> Path:
    """A new, empty sibling folder of ``out`` (same file system, so renaming it is instant)."""
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.{what}-", dir=out.parent))


def _swap(building: Path, out: Path) -> None:
    """Put the finished folder in place of the old one: two renames, then the old one removed."""
    os.chmod(building, 0o777 & ~_umask())  # mkdtemp makes a private folder; handouts are to share
    old = None
    if out.exists():
        old = _aside(out, "old")
        os.rmdir(old)
        os.rename(out, old)
    os.rename(building, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _OwnSignals(asyncio.SelectorEventLoop):
    """An event loop whose Ctrl-C belongs to the run as a whole.

    nbclient puts its own SIGINT handler on the loop for each notebook (it shuts
    that one kernel down, and the run would restart it and go on): here only
    the run's handler (``owner``) is put on, and only the run takes it off.
    """

    owner: Any = None

    def add_signal_handler(self, sig: int, callback: Any, *args: Any) -> None:
        if callback is self.owner:
            super().add_signal_handler(sig, callback, *args)

    def remove_signal_handler(self, sig: int) -> bool:
        return False


def _run(coro: Any) -> Any:
    """Run a coroutine to the end, also from inside Jupyter (where a loop is already running).

    On Ctrl-C the kernels are already killed (see ``_render_all``): the tasks
    left get two seconds to notice, never longer, so the command stops at once.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        loop = _OwnSignals() if os.name == "posix" else asyncio.new_event_loop()
        try:
            return loop.run_until_complete(coro)
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                with contextlib.suppress(BaseException):
                    loop.run_until_complete(asyncio.wait(pending, timeout=2))
            with contextlib.suppress(BaseException):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
