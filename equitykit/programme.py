"""A programme view: every team's equity gap on one page, refreshed each fortnight.

The person leading a QI programme on one trust-wide gap needs one page: whose
gap is narrowing, on what evidence, with which change ideas. ``equitykit
programme PROGRAMME.yaml --out DIR`` (or :func:`render_programme`) writes it as
one offline HTML page, ``programme.html``, and beside it ``summary.csv`` with
the same table:

- one row per team: the focus group's rate, the reference group's rate and the
  gap, at baseline and latest; the NHS "Making Data Count" variation and
  assurance icons for the focus group's rate; the equity lens verdict with its
  evidence in one line;
- the headline figures: how many teams show improvement, and the programme-wide
  gap between the most and least deprived (a rate ratio with its interval);
- each team's gap over time, on one shared scale;
- the change-idea menu (``data/change_ideas.csv``), with how many teams test
  each idea and how many of those show improvement.

The programme file has the teams file's shape (see :mod:`equitykit.handouts`)
plus the programme's name and, for each team, an optional target (the focus
group's rate the team aims for, in the units shown: % or per 1,000) and an
optional driver diagram (YAML, as ``DriverDiagram.to_yaml`` writes it)::

    programme: Missed appointments and deprivation
    defaults: {outcome: missed, n: appointments, date: fortnight, chart: p, improvement: decrease}
    teams:
      - name: Riverside Outpatients
        data: teams/riverside-outpatients.csv
        characteristic: imd_quintile
        reference: "5"
        focus: "1"
        pdsa_log: teams/riverside-outpatients_pdsa.csv   # an 'idea' column names menu ideas
        target: 14

``--update EXTRACT`` adds a new extract (a CSV or Excel file with a ``team``
column and each team's own columns) to the programme's history, kept in the
folder ``<programme>-history/`` beside the programme file: counts per period
and group only, never rows about people. Past values that the extract changes
are reported, not overwritten silently, and the page says which teams' verdict
or icons changed since the update before.

Everything shown follows the kit's disclosure control
(:mod:`equitykit.privacy`): a rate, gap or interval whose count is 1 to 7 is
withheld (``*``) in the table, the CSV and the charts, and no count of people
is shown at all. A team whose file is missing or whose columns are misspelt is
marked on the page and in the exit code; the other teams go on.

Example
-------
>>> report = render_programme("workshop/programme/programme.yaml", "build/programme")  # doctest: +SKIP
>>> report.summary().reading  # doctest: +SKIP
'3 of 8 teams are showing improvement ...'
"""
from __future__ import annotations

import concurrent.futures
import html
import io
import math
import multiprocessing
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .files import atomic_write_text
from .gaps import _label
from .handouts import (
    Team,
    _identifier_values,
    _leaks,
    _load,
    compare_groups,
    groups_to_compare,
    lens_problem,
    offline_problems,
    parse_teams_text,
    rate_unit,
    team_counts,
)
from .intervals import risk_ratio
from .privacy import SUPPRESSED, disclosive, rate_places, safe_chart, safe_chart_data
from .reading import read_data
from .results import Result, Summary
from .theme import PALETTE, styled
from .validation import EquityKitError
from .wording import did_you_mean
from .wording import words as _words

__all__ = [
    "MENU_FILE",
    "ProgrammeReport",
    "read_change_ideas",
    "read_programme",
    "render_programme",
    "update_history",
]

#: The change-idea menu shipped with the kit, among its course files.
MENU_FILE = "data/change_ideas.csv"
#: Keys a programme's team may have beyond the teams file's.
EXTRA_KEYS = ("target",)
EXTRA_PATH_KEYS = ("driver_diagram",)
#: The equity lens verdicts, plus the one given before there is evidence either way.
NOT_YET = "not enough data yet"
VARIATION_WORDS = {
    "special_cause_improvement": "Special cause: improving",
    "special_cause_concern": "Special cause: concerning",
    "common_cause": "Common cause",
    None: "Too few points yet",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passing",
    "inconsistent": "Hit and miss",
    "consistent_fail": "Consistently failing",
    None: "No target",
}
#: The columns of ``summary.csv`` (and of the page's table), in order.
SUMMARY_COLUMNS = [
    "team", "status", "problem", "characteristic", "focus_group", "reference_group", "unit",
    "baseline_to", "latest_period",
    "focus_baseline", "reference_baseline", "gap_baseline",
    "focus_latest", "reference_latest", "gap_latest",
    "variation", "target", "assurance", "verdict", "evidence", "improving", "ideas",
]
_RATES = ["focus_baseline", "reference_baseline", "gap_baseline", "focus_latest", "reference_latest", "gap_latest"]
_MDC_MIN_POINTS = 12  # fewer points than Making Data Count fixes limits on: no icon yet
_DEPRIVATION = ("imd", "depriv")


# ---------------------------------------------------------------------------
# The change-idea menu
# ---------------------------------------------------------------------------


def read_change_ideas(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the change-idea menu: columns ``id``, ``name``, ``description``, ``source``.

    Example
    -------
    >>> menu = read_change_ideas()
    >>> "peer-reminder-calls" in set(menu["id"])
    True
    """
    from .course import course_file

    source = Path(path) if path is not None else course_file(MENU_FILE)
    if not source.is_file():
        raise EquityKitError(f"cannot find the change-idea menu '{source}': check the name and the folder.")
    menu = pd.read_csv(io.StringIO(source.read_text(encoding="utf-8")), dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "name", "description", "source") if c not in menu.columns]
    if missing:
        raise EquityKitError(f"the change-idea menu '{source}' has no column {missing[0]!r}: it needs "
                             "id, name, description and source.")
    menu["id"] = menu["id"].str.strip()
    repeated = menu.loc[menu["id"].duplicated(), "id"].tolist()
    if repeated or (menu["id"] == "").any():
        raise EquityKitError(f"the change-idea menu '{source}' has an empty or repeated id "
                             f"({repeated[0] if repeated else 'empty'!r}): give every idea its own id.")
    return menu[["id", "name", "description", "source"]].reset_index(drop=True)


def _idea_ids(team: Team, log: Any, menu_ids: Sequence[str]) -> list[str]:
    """Menu ideas a team tests: named in its PDSA log, or on its driver diagram (tested or testing)."""
    from .diagrams import DriverDiagram

    named: list[tuple[str, str]] = []
    if log is not None:
        named += [(c.idea, f"PDSA cycle {c.cycle_id!r}") for c in log.cycles if c.idea]
    diagram = team.extra.get("driver_diagram")
    if diagram:
        ideas = DriverDiagram.from_yaml(diagram).change_ideas
        named += [(i, f"change idea {n!r} of the driver diagram") for i, n, s in
                  zip(ideas["idea"], ideas["change_idea"], ideas["status"]) if i and s != "not tested"]
    for idea, where in named:
        if idea not in menu_ids:
            raise EquityKitError(f"{where} names the idea {idea!r}, which is not on the change-idea menu."
                                 f"{did_you_mean(idea, menu_ids)} Use an id from the menu's 'id' column.")
    return list(dict.fromkeys(i for i, _ in named))


# ---------------------------------------------------------------------------
# The programme file and each team's counts
# ---------------------------------------------------------------------------


def read_programme(path: str | os.PathLike[str]) -> tuple[str, list[Team]]:
    """Read a programme file: its name and its teams (the teams file's keys, plus ``target``).

    Example
    -------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = f.write_text("programme: DNA\\nteams: [{name: A, data: a.csv, target: 12}]")
    >>> name, teams = read_programme(f)
    >>> name, teams[0].extra
    ('DNA', {'target': 12})
    """
    source = Path(path)
    if not source.is_file():
        raise EquityKitError(f"cannot find the programme file '{source}': check the name and the folder.")
    text = source.read_text(encoding="utf-8")
    # Not strict: a team whose entry is wrong (a typo in a key, broken YAML) becomes a problem row.
    teams = parse_teams_text(text, source.parent, strict=False, extra_keys=EXTRA_KEYS,
                             extra_path_keys=EXTRA_PATH_KEYS)
    name = _load(text)[0].get("programme")
    return str(name or source.stem.replace("_", " ").capitalize()), teams


def _standard_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts from :func:`team_counts` with the programme's column names: period, group, numerator, denominator."""
    out = counts.copy()
    out.columns = ["period", "group", "numerator", "denominator"]
    out["group"] = [_label(v) for v in out["group"]]
    out["period"] = pd.to_datetime(out["period"])
    return out


def _read_counts(team: Team, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """A team's counts per period and group, from its data file (or from ``rows`` of an extract)."""
    p = team.parameters
    for key, param in (("outcome", "outcome"), ("characteristic", "characteristic"), ("date", "date_column")):
        if not p.get(param):
            raise EquityKitError(f"add '{key}:' to this team (or to 'defaults:') in the programme file.")
    if rows is None:
        path = Path(str(p["data_file"]))
        if not path.is_file():
            raise EquityKitError(f"cannot find the data file '{path}'")
        rows = read_data(path)
    counts = team_counts(rows, x=p["date_column"], by=p["characteristic"], outcome=p["outcome"],
                         n=p["denominator"] or None, period=p.get("period") or "month")
    return _standard_counts(counts)


def _overlay(base: pd.DataFrame, newer: pd.DataFrame) -> pd.DataFrame:
    """``base`` with the rows of ``newer`` added, a period and group in both taking ``newer``'s values."""
    if not len(newer):
        return base
    both = pd.concat([base, newer[base.columns]], ignore_index=True)
    both = both.drop_duplicates(["period", "group"], keep="last")
    return both.sort_values(["period", "group"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# One team: rates, icons, verdict
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    """One team on the programme page: its row of the summary and its gap over time (shareable)."""

    team: str
    row: dict[str, Any]
    gaps: pd.DataFrame  # period, gap: rows with a withheld count are left out
    counts: pd.DataFrame = field(repr=False)  # never rendered: for the programme-wide figures and updates
    chart: str = "p"
    note: str = ""  # what the privacy layer pooled or withheld on the team's chart
    change: pd.Timestamp | None = None  # when the team's first PDSA cycle began

    @property
    def ok(self) -> bool:
        return self.row["status"] == "ok"


def _withheld(numerators: Any, denominators: Any, complement: bool) -> bool:
    """True when any of these rates would give a count of 1 to 7 away (see :func:`privacy.disclosive`)."""
    return bool(disclosive(numerators, denominators, complement).any())


def _problem_view(team: Team, reason: str) -> TeamView:
    row = {c: "" for c in SUMMARY_COLUMNS} | {"team": team.name, "status": "problem", "problem": reason,
                                              "improving": False}
    for c in _RATES + ["target"]:
        row[c] = np.nan
    return TeamView(team.name, row, pd.DataFrame(columns=["period", "gap"]), pd.DataFrame())


def _pair_series(counts: pd.DataFrame, reference: str, focus: str) -> pd.DataFrame:
    """One row per period: numerator and denominator of the focus (f_) and reference (r_) groups."""
    periods = pd.Index(sorted(counts.loc[counts["group"].isin([reference, focus]), "period"].unique()), name="period")
    out = pd.DataFrame(index=periods)
    for prefix, group in (("f", focus), ("r", reference)):
        mine = counts[counts["group"] == group].groupby("period")[["numerator", "denominator"]].sum()
        mine = mine.reindex(periods, fill_value=0)
        out[f"{prefix}_num"], out[f"{prefix}_den"] = mine["numerator"].to_numpy(), mine["denominator"].to_numpy()
    return out.reset_index()


def _rates(f_num: Any, f_den: Any, r_num: Any, r_den: Any, multiply: float, sign: float) -> tuple:
    with np.errstate(invalid="ignore", divide="ignore"):
        focus = np.where(np.asarray(f_den) > 0, np.asarray(f_num) / np.asarray(f_den) * multiply, np.nan)
        ref = np.where(np.asarray(r_den) > 0, np.asarray(r_num) / np.asarray(r_den) * multiply, np.nan)
    return focus, ref, sign * (ref - focus)


def _shared_rates(f_num: Any, f_den: Any, r_num: Any, r_den: Any, multiply: float, sign: float,
                  complement: bool) -> tuple:
    """Focus rate, reference rate and gap as shared: withheld (NaN) where they would give a count of
    1 to 7 away, the rest rounded as the privacy layer rounds shared rates."""
    focus, ref, gap = _rates(f_num, f_den, r_num, r_den, multiply, sign)
    hide_focus = disclosive(np.atleast_1d(f_num), np.atleast_1d(f_den), complement)
    hide_ref = disclosive(np.atleast_1d(r_num), np.atleast_1d(r_den), complement)
    places = rate_places(multiply)
    focus = np.where(hide_focus, np.nan, np.round(np.atleast_1d(focus).astype(float), places))
    ref = np.where(hide_ref, np.nan, np.round(np.atleast_1d(ref).astype(float), places))
    gap = np.where(hide_focus | hide_ref, np.nan, np.round(np.atleast_1d(gap).astype(float), places))
    return focus, ref, gap


def _gap_series(counts: pd.DataFrame, reference: str, focus: str, change: pd.Timestamp | None,
                multiply: float, sign: float, complement: bool) -> tuple[pd.DataFrame, str]:
    """The gap per period as it may be charted: periods pooled and small cells withheld by the
    privacy layer (:func:`privacy.safe_chart_data`), with its note for the page."""
    pair = counts[counts["group"].isin([reference, focus])]
    safe = safe_chart_data(pair, x="period", numerator="numerator", denominator="denominator", by="group",
                           multiply=multiply, complement=complement, starts=[change] if change is not None else (),
                           what="people" if complement else "events")
    kept = _pair_series(safe.counts, reference, focus)
    both = safe.counts.groupby("period")["group"].nunique() == 2
    kept = kept[kept["period"].map(both).fillna(False).to_numpy(bool)]
    _, _, gap = _shared_rates(kept["f_num"], kept["f_den"], kept["r_num"], kept["r_den"], multiply, sign, complement)
    out = pd.DataFrame({"period": kept["period"].to_numpy(), "gap": gap}).dropna().reset_index(drop=True)
    return out, safe.note


def _icons(series: pd.DataFrame, change: pd.Timestamp | None, improvement: str, target: float | None,
           multiply: float) -> tuple[str | None, str | None]:
    """Making Data Count variation and assurance icons of the focus group's rate (XmR chart).

    Variation: the latest point's type, on limits from the baseline (the points
    before the first PDSA cycle) when it has 12 or more, else from all points.
    Assurance: the target against the limits of the process as it is now: the
    points since the first PDSA cycle when there are 12 or more, else all points.
    """
    from .spc import spc

    points = series[series["f_den"] > 0]
    if len(points) < _MDC_MIN_POINTS:
        return None, None
    n_base = int((points["period"] < change).sum()) if change is not None else 0
    n_after = len(points) - n_base
    options = dict(x="period", y="f_num", n="f_den", chart="i", rules="mdc", improvement=improvement,
                   multiply=multiply)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frozen = n_base if n_base >= _MDC_MIN_POINTS and n_after > 0 else None
        variation = spc(points, freeze=frozen, **options).summary()["variation"].iloc[-1]
        if target is None:
            return variation, None
        phase = change if n_base > 0 and n_after >= _MDC_MIN_POINTS else None
        assurance = spc(points, phase=phase, target=target, **options).summary()["assurance"].iloc[-1]
    return variation, assurance


def _verdict(counts: pd.DataFrame, change: pd.Timestamp | None, improvement: str, reference: str, focus: str,
             multiply: float, unit: str, complement: bool) -> tuple[str, str]:
    """The equity lens verdict and its evidence in one line (none while a group has no data, or too few
    people to show its rates, before or after the first PDSA cycle)."""
    from .lens import equity_lens

    if change is None:
        return NOT_YET, "No PDSA cycle logged yet: the verdict compares before and after the first cycle."
    periods = counts.loc[counts["group"].isin([reference, focus]), "period"].drop_duplicates()
    if (periods < change).sum() < 2 or (periods >= change).sum() < 2:
        return NOT_YET, (f"Fewer than 2 periods before or after the first PDSA cycle ({change:%d %b %Y}): "
                         "the verdict waits for more data.")
    problem = lens_problem(counts, "period", "group", "numerator", "denominator", (reference, focus), change,
                           complement)
    if problem:
        return NOT_YET, problem
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # (x is renamed: the lens's own tables have a column called 'period')
            lens = equity_lens(counts.rename(columns={"period": "when"}), x="when", outcome="numerator", by="group",
                               n="denominator",
                               change=change, improvement=improvement, groups=(reference, focus))
    except EquityKitError as exc:
        return NOT_YET, f"No verdict yet: {exc}"
    gaps = lens.gaps
    if "sigma_signal" not in gaps.columns:
        chart = "too few baseline points for an SPC chart of the gap"
    elif (gaps.loc[gaps["period"] != "before", ["sigma_signal", "run_signal"]].to_numpy().any()):
        chart = "special cause on the gap's SPC chart"
    else:
        chart = "only common cause on the gap's SPC chart"
    s = lens.summary().set_index("period")
    scale = multiply / 100  # the lens works in percentage points
    points = "points" if unit == "%" else unit.strip()
    b, a = s.loc["before", "gap"] * scale, s.loc["after", "gap"] * scale
    c, lo, hi = (s.loc["change", k] * scale for k in ("gap", "gap_lower", "gap_upper"))
    pct = int(round(lens.confidence * 100))
    return lens.verdict, (f"Gap {b:.1f} before, {a:.1f} after the first PDSA cycle ({points}); change {c:+.1f} "
                          f"({pct}% CI {lo:+.1f} to {hi:+.1f}); {chart}.")


def team_view(team: Team, history: pd.DataFrame | None = None, menu_ids: Sequence[str] = ()) -> TeamView:
    """One team's row of the summary and its gap over time; a problem row when its input is wrong.

    The steps: read the counts (the data file, then any updates from the
    history), choose the reference and focus groups, split baseline from
    latest, then the icons, the verdict and the change ideas.
    """
    try:
        if team.error:
            raise EquityKitError(team.error.removeprefix(f"{team.name}: "))
        counts = _read_counts(team)
        if history is not None and len(history):
            counts = _overlay(counts, history[history["team"] == team.name])
        return _view(team, counts, menu_ids)
    except EquityKitError as exc:
        return _problem_view(team, str(exc))
    except Exception as exc:  # an unreadable file, or anything else about this team: this team only
        return _problem_view(team, f"{type(exc).__name__}: {exc}")


def _view(team: Team, counts: pd.DataFrame, menu_ids: Sequence[str]) -> TeamView:
    from .pdsa import PDSALog

    p = team.parameters  # options already checked when the programme file was read
    chart = str(p.get("chart_type") or "p").lower()
    improvement = str(p.get("improvement") or "decrease").lower()
    if improvement not in ("increase", "decrease"):
        raise EquityKitError(f"improvement: {improvement!r} should be increase or decrease for a programme.")
    multiply, unit = rate_unit(chart, p.get("multiply") or 0, str(p.get("unit") or ""), p.get("denominator") or "people")
    sign = 1.0 if improvement == "increase" else -1.0
    target = team.extra.get("target")
    if target is not None:
        try:
            target = float(target)
        except (TypeError, ValueError):
            raise EquityKitError(f"target: {target!r} should be a number (the focus group's rate, in "
                                 f"{unit.strip()}).") from None

    named = str(p.get("reference_group") or ""), str(p.get("focus_group") or "")
    groups = set(counts["group"])
    if named[0] in groups and named[1] in groups and named[0] != named[1]:
        pair = named  # both groups named and in the data: nothing to work out
    else:
        gap = compare_groups(counts, "numerator", "group", "denominator", named[0] or "best", named[1],
                             improvement, order=p.get("order") or "")
        pair = groups_to_compare(gap, named[1] or None)
    if pair is None:
        raise EquityKitError("no group to compare with the reference group: name one with 'focus:'.")
    reference, focus = pair
    log = PDSALog.from_csv(p["pdsa_log_file"]) if p.get("pdsa_log_file") else None
    ideas = _idea_ids(team, log, menu_ids)
    change = min(c.start_date for c in log.cycles) if log is not None and len(log) else None

    series = _pair_series(counts, reference, focus)
    before = series["period"] < change if change is not None else series.index < len(series) - 1
    base = series[before]
    latest = series.iloc[-1]
    complement = chart in ("p", "pp")  # people without the outcome are people too; bed days are not
    f_b, r_b, g_b = _shared_rates(base["f_num"].sum(), base["f_den"].sum(), base["r_num"].sum(),
                                  base["r_den"].sum(), multiply, sign, complement)
    f_l, r_l, g_l = _shared_rates(latest["f_num"], latest["f_den"], latest["r_num"], latest["r_den"], multiply, sign,
                                  complement)
    variation, assurance = _icons(series, change, improvement, target, multiply)
    verdict, evidence = _verdict(counts, change, improvement, reference, focus, multiply, unit, complement)
    gaps, note = _gap_series(counts, reference, focus, change, multiply, sign, complement)
    row = {
        "team": team.name, "status": "ok", "problem": "", "characteristic": _words(p["characteristic"]),
        "focus_group": focus, "reference_group": reference, "unit": unit.strip(),
        "baseline_to": f"{base['period'].max():%Y-%m-%d}" if len(base) else "",
        "latest_period": f"{latest['period']:%Y-%m-%d}",
        "focus_baseline": f_b[0], "reference_baseline": r_b[0], "gap_baseline": g_b[0],
        "focus_latest": f_l[0], "reference_latest": r_l[0], "gap_latest": g_l[0],
        "variation": variation or "", "target": target if target is not None else np.nan,
        "assurance": assurance or "", "verdict": verdict, "evidence": evidence,
        "improving": variation == "special_cause_improvement", "ideas": "; ".join(ideas),
    }
    return TeamView(team.name, row, gaps, counts, chart, note, change)


# ---------------------------------------------------------------------------
# The programme: headline, ideas, what changed
# ---------------------------------------------------------------------------


def _deprivation_quintiles(view: TeamView, characteristic: str) -> pd.DataFrame | None:
    """A team's counts by IMD quintile (1 = most deprived), or None if it is not split by deprivation."""
    if not any(word in characteristic.lower() for word in _DEPRIVATION) or view.chart not in ("p", "pp"):
        return None
    groups = pd.to_numeric(view.counts["group"], errors="coerce")
    if groups.isna().any() or not groups.between(1, 10).all() or (groups % 1 != 0).any():
        return None
    deciles = "decile" in characteristic.lower() or groups.max() > 5
    quintile = np.ceil(groups / 2) if deciles else groups
    return view.counts.assign(quintile=quintile.astype(int))


def programme_gap(views: Sequence[TeamView], teams: Sequence[Team], confidence: float = 0.95) -> dict[str, Any]:
    """The programme-wide rate ratio, most deprived fifth over least deprived fifth, from every team's counts.

    Teams whose characteristic is an IMD quintile or decile (1 = most deprived)
    are pooled, deciles taken two by two into quintiles. The interval is the
    log-scale (Katz) interval of :func:`equitykit.intervals.risk_ratio`.
    """
    by_name = {t.name: t for t in teams}
    parts, outcomes = [], set()
    for view in views:
        if not view.ok:
            continue
        characteristic = str(by_name[view.team].parameters["characteristic"])
        q = _deprivation_quintiles(view, characteristic)
        if q is not None:
            parts.append(q)
            outcomes.add(str(by_name[view.team].parameters["outcome"]))
    if not parts:
        return {"teams": 0}
    pooled = pd.concat(parts, ignore_index=True)
    sums = pooled.groupby("quintile")[["numerator", "denominator"]].sum()
    if 1 not in sums.index or 5 not in sums.index:
        return {"teams": 0}
    most, least = sums.loc[1], sums.loc[5]
    out = {"teams": len(parts), "start": pooled["period"].min(), "end": pooled["period"].max(),
           "outcome": outcomes.pop() if len(outcomes) == 1 else "", "withheld": False}
    if _withheld([most["numerator"], least["numerator"]], [most["denominator"], least["denominator"]], True):
        return out | {"withheld": True}
    ratio = risk_ratio(most["numerator"], most["denominator"], least["numerator"], least["denominator"], confidence)
    return out | {"ratio": float(ratio.estimate), "lower": float(ratio.lower), "upper": float(ratio.upper),
                  "confidence": confidence}


def ideas_table(views: Sequence[TeamView], menu: pd.DataFrame) -> pd.DataFrame:
    """The menu with, for each idea, the teams testing it, and of those how many show improvement."""
    testing: dict[str, list[TeamView]] = {i: [] for i in menu["id"]}
    for view in views:
        for idea in filter(None, str(view.row.get("ideas", "")).split("; ")):
            testing[idea].append(view)
    out = menu.copy()
    out["teams_testing"] = [len(testing[i]) for i in menu["id"]]
    out["showing_improvement"] = [sum(v.row["improving"] for v in testing[i]) for i in menu["id"]]
    out["gap_narrowed"] = [sum(v.row["verdict"] == "narrowed" for v in testing[i]) for i in menu["id"]]
    out["teams"] = ["; ".join(v.team for v in testing[i]) for i in menu["id"]]
    return out.sort_values("teams_testing", ascending=False, kind="stable").reset_index(drop=True)


def _changes(table: pd.DataFrame, previous: pd.DataFrame | None) -> list[str]:
    """Teams whose verdict or icons differ from the table as it was before the last update."""
    if previous is None or not len(previous):
        return []
    old = previous.set_index("team")
    lines = []
    for _, row in table.iterrows():
        if row["team"] not in old.index:
            lines.append(f"{row['team']}: new since the last update.")
            continue
        was = old.loc[row["team"]]
        moves = []
        for col, words in (("verdict", None), ("variation", VARIATION_WORDS), ("assurance", ASSURANCE_WORDS)):
            before, now = ("" if pd.isna(v) else str(v) for v in (was.get(col, ""), row[col]))
            if before != now:
                name = (lambda v: words.get(v or None, v)) if words else (lambda v: v or "none")
                moves.append(f"{col} {name(before)} → {name(now)}")
        if moves:
            lines.append(f"{row['team']}: " + "; ".join(moves) + ".")
    return lines


# ---------------------------------------------------------------------------
# The history kept beside the programme file, and updates to it
# ---------------------------------------------------------------------------


def history_folder(programme_yaml: str | os.PathLike[str]) -> Path:
    """Where a programme's history is kept: ``<programme>-history/`` beside the programme file."""
    path = Path(programme_yaml)
    return path.parent / f"{path.stem}-history"


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame | None:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kwargs) if path.is_file() else None


def read_history(programme_yaml: str | os.PathLike[str]) -> dict[str, Any]:
    """The stored history: ``counts`` (team, period, group, numerator, denominator, update), the
    ``updates`` log, the ``revisions`` of the last update and the summary ``before`` it."""
    folder = history_folder(programme_yaml)
    counts = _read_csv(folder / "counts.csv", dtype={"team": str, "group": str})
    if counts is not None:
        counts["period"] = pd.to_datetime(counts["period"])
    updates = _read_csv(folder / "updates.csv", dtype={"extract": str})
    last = int(updates["update"].max()) if updates is not None and len(updates) else 0
    before = _read_csv(folder / "before_last_update.csv", dtype=str)
    revisions = _read_csv(folder / "revisions.csv", dtype=str)
    # A crash between files leaves a snapshot of an update that never finished: ignore it.
    if before is not None and (before.get("update", pd.Series(dtype=str)).astype(str) != str(last)).any():
        before = None
    if revisions is not None:
        revisions = revisions[revisions["update"].astype(str) == str(last)]
    return {"counts": counts, "updates": updates, "before": before, "revisions": revisions, "last": last}


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")


@dataclass(frozen=True)
class UpdateReport:
    """What ``--update`` did: rows added, past values changed (team, period, group), teams it skipped."""

    update: int
    added: int
    revised: pd.DataFrame
    skipped: dict[str, str]
    teams: tuple[str, ...] = ()  # the teams whose counts the update added to or changed

    def text(self) -> str:
        lines = [f"update {self.update}: {self.added} new period-and-group values added."]
        if len(self.revised):
            lines.append(f"{len(self.revised)} past value(s) changed in this extract (now used; listed on the page):")
            lines += [f"  {r.team}, {r.period}, group {r.group}" for r in self.revised.itertuples()][:20]
        for team, reason in self.skipped.items():
            lines.append(f"  NOT UPDATED  {team}: {reason}")
        return "\n".join(lines)


def update_history(programme_yaml: str | os.PathLike[str], extract: str | os.PathLike[str],
                   teams: Sequence[Team], views: Sequence[TeamView], table: pd.DataFrame) -> UpdateReport:
    """Add an extract's counts to the history beside the programme file; report changed past values.

    ``views`` and ``table`` are the programme as it was before the update: the
    table is kept, so the page can say which teams' verdict or icons changed.
    Files are written atomically; the counts file is written last, so an
    update that stops half-way is ignored as a whole.
    """
    source = Path(extract)
    if not source.is_file():
        raise EquityKitError(f"cannot find the extract '{source}': check the name and the folder.")
    rows = read_data(source)
    if "team" not in rows.columns:
        raise EquityKitError(f"the extract '{source.name}' has no 'team' column: add one naming each row's team "
                             "(as in the programme file).")
    names = [t.name for t in teams]
    unknown = sorted(set(rows["team"].astype(str)) - set(names))
    if unknown:
        raise EquityKitError(f"the extract names a team that is not in the programme file: {unknown[0]!r}."
                             f"{did_you_mean(unknown[0], names)} Nothing was added.")
    history = read_history(programme_yaml)
    number = history["last"] + 1
    stored = history["counts"] if history["counts"] is not None else pd.DataFrame(
        columns=["team", "period", "group", "numerator", "denominator", "update"])
    current = {v.team: v.counts for v in views}
    added, revised, new_rows, skipped = 0, [], [], {}
    for team in teams:
        mine = rows[rows["team"].astype(str) == team.name]
        if not len(mine):
            continue
        try:
            counts = _read_counts(team, mine.drop(columns="team"))
        except EquityKitError as exc:
            skipped[team.name] = str(exc)
            continue
        old = current.get(team.name)
        if old is None or not len(old):
            old = stored[stored["team"] == team.name]
        merged = counts.merge(old[["period", "group", "numerator", "denominator"]], on=["period", "group"],
                              how="left", suffixes=("", "_was"))
        known = merged["numerator_was"].notna() | merged["denominator_was"].notna()
        differs = known & ((merged["numerator"] != merged["numerator_was"])
                           | (merged["denominator"] != merged["denominator_was"]))
        added += int((~known).sum())
        revised += [{"update": number, "team": team.name, "period": f"{r.period:%Y-%m-%d}", "group": r.group}
                    for r in merged[differs].itertuples()]
        new_rows.append(counts.assign(team=team.name, update=number))
    folder = history_folder(programme_yaml)
    revisions = pd.DataFrame(revised, columns=["update", "team", "period", "group"])
    snapshot = table[["team", "verdict", "variation", "assurance"]].assign(update=number)
    updates = history["updates"] if history["updates"] is not None else pd.DataFrame(
        columns=["update", "made", "extract", "added", "revised"])
    updates = pd.concat([updates, pd.DataFrame([{
        "update": number, "made": time.strftime("%Y-%m-%d %H:%M"), "extract": source.name,
        "added": added, "revised": len(revisions)}])], ignore_index=True)
    keyed = pd.concat([stored, *new_rows], ignore_index=True) if new_rows else stored
    keyed = keyed.drop_duplicates(["team", "period", "group"], keep="last")
    keyed = keyed[["team", "period", "group", "numerator", "denominator", "update"]].sort_values(
        ["team", "period", "group"], kind="stable")
    atomic_write_text(folder / "before_last_update.csv", _csv(snapshot))
    atomic_write_text(folder / "revisions.csv", _csv(revisions))
    atomic_write_text(folder / "updates.csv", _csv(updates))
    atomic_write_text(folder / "counts.csv", _csv(keyed))  # last: the update counts once this is written
    return UpdateReport(number, added, revisions, skipped, tuple(n["team"].iloc[0] for n in new_rows if len(n)))


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------


def _fmt(value: Any, unit: str = "") -> str:
    """A shared number: one decimal, '*' when withheld."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return SUPPRESSED
    return f"{float(value):.1f}{unit}"


_ICON_COLOURS = {"special_cause_improvement": PALETTE["improvement"], "special_cause_concern": PALETTE["concern"],
                 "common_cause": PALETTE["line"], "consistent_pass": PALETTE["improvement"],
                 "consistent_fail": PALETTE["concern"], "inconsistent": PALETTE["line"]}


def icon_svg(kind: str | None, improvement: str = "decrease") -> str:
    """An NHS Making Data Count style icon as inline SVG (decorative: the words go beside it).

    Variation: a circle with H or L (higher or lower than expected), blue when
    that is improving and orange when concerning; grey with a flat wavy line
    for common cause. Assurance: P (passing), F (failing) or ? (hit and miss).

    Example
    -------
    >>> "<svg" in icon_svg("special_cause_improvement") and ">L<" in icon_svg("special_cause_improvement")
    True
    """
    if not kind:
        return ""
    colour = _ICON_COLOURS[kind]
    higher_is_better = improvement == "increase"
    letter = {"special_cause_improvement": "H" if higher_is_better else "L",
              "special_cause_concern": "L" if higher_is_better else "H",
              "consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}.get(kind, "")
    inner = (f'<text x="16" y="21" text-anchor="middle" font-size="15" font-weight="bold" '
             f'fill="{colour}">{letter}</text>') if letter else (
        f'<path d="M7 16 q2.25 -5 4.5 0 t4.5 0 t4.5 0 t4.5 0" fill="none" stroke="{colour}" stroke-width="2.2"/>')
    return (f'<svg class="icon" width="32" height="32" viewBox="0 0 32 32" aria-hidden="true" focusable="false">'
            f'<circle cx="16" cy="16" r="13.5" fill="white" stroke="{colour}" stroke-width="3"/>{inner}</svg>')


def gaps_chart(views: Sequence[TeamView]) -> Any:
    """Small multiples: each team's gap over time, one panel per team, on one shared scale.

    Only shareable values are drawn (a period whose count is 1 to 7 is left
    out); 0 (no gap) is marked, and so is the start of each team's first PDSA cycle.
    """
    import altair as alt

    ok = [v for v in views if v.ok and len(v.gaps)]
    data = pd.concat([v.gaps.assign(team=v.team, unit=v.row["unit"], zero=0.0, first_cycle=v.change)
                      for v in ok], ignore_index=True) if ok else pd.DataFrame(
        columns=["period", "gap", "team", "unit", "zero", "first_cycle"])
    data["first_cycle"] = pd.to_datetime(data["first_cycle"])
    units = sorted(set(data["unit"]))
    unit_words = ", ".join("percentage points" if u == "%" else u for u in units) or "percentage points"
    x = alt.X("period:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=4))
    line = alt.Chart().mark_line(color=PALETTE["data"], strokeWidth=1.5).encode(
        x=x, y=alt.Y("gap:Q", title=f"gap ({unit_words})"))
    points = alt.Chart().mark_point(color=PALETTE["data"], size=12, filled=True).encode(
        x=x, y="gap:Q", tooltip=[alt.Tooltip("period:T", title="period", format="%d %b %Y"),
                                 alt.Tooltip("gap:Q", title="gap", format=".1f")])
    zero = alt.Chart().mark_rule(color=PALETTE["target"], strokeDash=[2, 2]).encode(y="min(zero):Q")
    layers = [zero, line, points]
    if data["first_cycle"].notna().any():
        layers.append(alt.Chart().mark_rule(color=PALETTE["annotation"], strokeDash=[6, 4]).encode(
            x="min(first_cycle):T"))
    order = [v.team for v in ok]
    chart = alt.layer(*layers, data=data).properties(width=200, height=110).facet(
        facet=alt.Facet("team:N", title=None, sort=order, header=alt.Header(labelFontSize=12, labelLimit=200)),
        columns=4,
    ).properties(title=alt.TitleParams(
        "Each team's gap over time, on one scale",
        subtitle="Above 0: the focus group is behind the reference group. Dashed: the first PDSA cycle."))
    return styled(safe_chart(chart, description="Each team's gap over time, one small chart per team, "
                                                "on one shared scale"))


def _svg(chart: Any) -> str:
    import vl_convert as vlc

    spec = chart.to_dict(validate=False)
    svg = vlc.vegalite_to_svg(spec)
    label = html.escape(str(spec.get("description") or "Chart"), quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 1200px; margin: 1.5em auto; padding: 0 1em;
       color: #1a1a1a; line-height: 1.4; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 0.4em 0.5em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; }
.headline { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.figure { border: 2px solid #0072B2; border-radius: 6px; padding: 0.8em 1em; flex: 1 1 320px; }
.figure strong { font-size: 1.6em; display: block; }
.icon { vertical-align: middle; margin-right: 0.3em; }
.problem { color: #B34700; font-weight: bold; }
.note { color: #444; font-size: 0.92em; }
svg { max-width: 100%; height: auto; }
"""


def _page(name: str, table: pd.DataFrame, views: Sequence[TeamView], headline: dict[str, Any],
          gap: dict[str, Any], ideas: pd.DataFrame, changes: list[str], revisions: pd.DataFrame | None,
          last_update: dict[str, Any] | None, chart_svg: str, improvements: dict[str, str]) -> str:
    e = html.escape
    ok = table[table["status"] == "ok"]
    problems = table[table["status"] != "ok"]
    parts = [f"<h1>{e(name)}: programme summary</h1>",
             f"<p class='note'>Made {e(time.strftime('%d %B %Y, %H:%M'))}. Latest period: "
             f"{e(str(ok['latest_period'].max()) if len(ok) else 'none')}. Rates only: no count of people and no "
             "row of anyone's record is on this page. A rate, gap or interval built on 1 to 7 people or events "
             "is withheld and shown as *.</p>"]
    # headline figures
    figures = [f"<div class='figure'><strong>{headline['improving']} of {headline['teams']} teams</strong>"
               "showing improvement. <span class='note'>A team is showing improvement when its focus group's rate "
               "is special cause improving at the latest point on a Making Data Count XmR chart (limits from the "
               "periods before the team's first PDSA cycle when there are 12 or more; otherwise from all points)."
               f"</span><br>{headline['narrowed']} of {headline['teams']} teams' gaps narrowed (equity lens).</div>"]
    if gap.get("teams") and not gap.get("withheld"):
        pct = int(round(gap["confidence"] * 100))
        what = f"recorded as {_words(gap['outcome'])}" if gap["outcome"] else "to have the outcome"
        figures.append(
            f"<div class='figure'><strong>{gap['ratio']:.2f} times as likely</strong>People from the most deprived "
            f"fifth of neighbourhoods (IMD quintile 1) were {gap['ratio']:.2f} times as likely to be {e(what)} as "
            f"people from the least deprived fifth (quintile 5); {pct}% CI {gap['lower']:.2f} to {gap['upper']:.2f}. "
            f"<span class='note'>All {gap['teams']} teams split by deprivation together, "
            f"{gap['start']:%d %B %Y} to {gap['end']:%d %B %Y}; deciles taken two by two as quintiles.</span></div>")
    elif gap.get("teams"):
        figures.append("<div class='figure'>The programme-wide gap is withheld: a group has 1 to 7 people.</div>")
    else:
        figures.append("<div class='figure'>No team's data are split by deprivation (IMD quintile or decile), "
                       "so there is no programme-wide deprivation gap.</div>")
    parts.append("<div class='headline'>" + "".join(figures) + "</div>")
    if len(problems):
        parts.append(f"<h2>Teams not shown ({len(problems)})</h2><ul>" + "".join(
            f"<li><span class='problem'>{e(r.team)}</span>: {e(r.problem)}</li>" for r in problems.itertuples())
            + "</ul>")
    # what changed
    parts.append("<h2>What changed since the last update</h2>")
    if last_update is None:
        parts.append("<p>No update yet: run <code>equitykit programme PROGRAMME.yaml --update EXTRACT</code> "
                     "with each new extract, and this section lists the teams whose verdict or icons changed.</p>")
    else:
        parts.append(f"<p>Update {e(str(last_update['update']))}, {e(str(last_update['made']))}, from "
                     f"{e(str(last_update['extract']))}.</p>")
        parts.append("<ul>" + "".join(f"<li>{e(line)}</li>" for line in changes) + "</ul>" if changes else
                     "<p>No team's verdict or icons changed.</p>")
        if revisions is not None and len(revisions):
            parts.append(f"<p>{len(revisions)} past value(s) were different in this extract from before and the "
                         "new values are used: " + "; ".join(
                             f"{e(r.team)}, {e(r.period)}, group {e(r.group)}" for r in revisions.itertuples())
                         + ".</p>")
    # the table
    head = ("<tr><th rowspan='2'>Team</th><th rowspan='2'>Groups compared</th><th colspan='3'>Baseline</th>"
            "<th colspan='3'>Latest</th><th rowspan='2'>Variation (focus group)</th>"
            "<th rowspan='2'>Assurance (target)</th><th rowspan='2'>Equity lens</th></tr>"
            "<tr><th>Focus</th><th>Reference</th><th>Gap</th><th>Focus</th><th>Reference</th><th>Gap</th></tr>")
    body = []
    for r in ok.itertuples():
        unit = "%" if r.unit == "%" else ""
        gap_unit = " pts" if r.unit == "%" else ""
        improvement = improvements.get(r.team, "decrease")
        target = "" if pd.isna(r.target) else f" (target {float(r.target):g}{unit or ' ' + r.unit})"
        body.append(
            f"<tr><td>{e(r.team)}</td><td>{e(r.characteristic)} {e(r.focus_group)} vs {e(r.reference_group)}"
            f"{'' if unit else ' (per 1,000)'}</td>"
            + "".join(f"<td class='num'>{_fmt(getattr(r, c), unit if 'gap' not in c else gap_unit)}</td>"
                      for c in _RATES)
            + f"<td>{icon_svg(r.variation or None, improvement)}{e(VARIATION_WORDS.get(r.variation or None, ''))}</td>"
            f"<td>{icon_svg(r.assurance or None, improvement)}{e(ASSURANCE_WORDS.get(r.assurance or None, ''))}"
            f"{e(target)}</td>"
            f"<td><strong>{e(r.verdict)}</strong>. {e(r.evidence)}</td></tr>")
    parts.append("<h2>Every team</h2><p class='note'>Baseline: the periods before each team's first PDSA cycle "
                 "(or all but the latest, before one is logged). Latest: the latest period. Gap: how far the focus "
                 "group is behind the reference group (percentage points for rates in %; above 0 means behind).</p>"
                 f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>")
    hidden = [v.team for v in views if v.ok and not len(v.gaps)]
    parts.append(f"<h2>Each team's gap over time</h2><figure>{chart_svg}</figure>")
    if hidden:
        parts.append(f"<p class='note'>No period can be shown for {e(', '.join(hidden))}: a group has 1 to 7 "
                     "people or events in every period.</p>")
    notes = [f"{v.team}: {v.note}" for v in views if v.ok and v.note and len(v.gaps)]
    if notes:
        parts.append("<ul class='note'>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    # change ideas
    rows = "".join(
        f"<tr><td><strong>{e(r.name)}</strong> <span class='note'>({e(r.id)})</span><br>{e(r.description)}"
        f"<br><span class='note'>From: {e(r.source)}</span></td><td class='num'>{r.teams_testing}</td>"
        f"<td class='num'>{r.showing_improvement}</td><td class='num'>{r.gap_narrowed}</td>"
        f"<td>{e(r.teams)}</td></tr>" for r in ideas.itertuples())
    parts.append("<h2>Change ideas</h2><p class='note'>The programme's menu. Teams name an idea by its id in their "
                 "PDSA log (an <code>idea</code> column) or driver diagram (<code>idea:</code>).</p>"
                 "<table><thead><tr><th>Idea</th><th>Teams testing</th><th>Of those, showing improvement</th>"
                 f"<th>Of those, gap narrowed</th><th>Teams</th></tr></thead><tbody>{rows}</tbody></table>")
    parts.append(
        "<h2>How to read this page</h2><ul>"
        "<li><strong>Variation</strong> (Making Data Count): grey, common cause (no signal); blue H or L, special "
        "cause improving (higher or lower than expected, in the better direction); orange, special cause "
        "concerning.</li>"
        "<li><strong>Assurance</strong> against the team's target for the focus group's rate: blue P, consistently "
        "passing (the target is outside the process limits, on the good side); orange F, consistently failing "
        "(outside, on the bad side); grey ?, hit and miss (the target is inside the limits: it will be met some "
        "periods and not others until the process changes). The limits are those of the process now: the periods "
        "since the first PDSA cycle when there are 12 or more, otherwise all periods.</li>"
        "<li><strong>Equity lens</strong>: narrowed, maintained or widened compares the gap before and after the "
        "team's first PDSA cycle; it needs intervals that do not overlap, or an SPC signal and a change interval "
        "that agree. Is our work helping to achieve equity?</li></ul>")
    return ("<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1.0'>\n"
            f"<title>{e(name)}: programme summary</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")


# ---------------------------------------------------------------------------
# The result and the main function
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeReport(Result):
    """What :func:`render_programme` made: ``.table`` (one row per team, as ``summary.csv``),
    ``.ideas`` (the menu with its counts), ``.summary()`` (the headline figures, with a
    ``.reading``), ``.chart()`` (each team's gap over time), ``.ok`` and ``.text()``."""

    name: str
    table: pd.DataFrame
    ideas: pd.DataFrame
    headline: dict[str, Any]
    gap: dict[str, Any]
    changes: tuple[str, ...]
    views: tuple[TeamView, ...] = field(repr=False)
    page: Path | None = None
    csv: Path | None = None
    update: UpdateReport | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every team was read and, after an update, every team's extract was added."""
        return bool((self.table["status"] == "ok").all()) and not (self.update and self.update.skipped)

    def summary(self) -> Summary:
        """The headline figures as a one-row table, with a plain-English reading."""
        h, g = self.headline, self.gap
        lines = [f"{h['improving']} of {h['teams']} teams are showing improvement (special cause improving in "
                 "their focus group's rate, Making Data Count rules).",
                 f"{h['narrowed']} of {h['teams']} teams' gaps narrowed, {h['widened']} widened, "
                 f"{h['maintained']} were maintained and {h['not_yet']} have not enough data yet."]
        if g.get("ratio") is not None:
            lines.append(f"Across the programme, the most deprived fifth were {g['ratio']:.2f} times as likely as "
                         f"the least deprived fifth ({int(round(g['confidence'] * 100))}% CI {g['lower']:.2f} to "
                         f"{g['upper']:.2f}).")
        if h["problems"]:
            lines.append(f"{h['problems']} team(s) could not be read: see the table's problem column.")
        row = {k: h[k] for k in ("teams", "improving", "narrowed", "maintained", "widened", "not_yet", "problems")}
        row |= {k: g.get(k, np.nan) for k in ("ratio", "lower", "upper")}
        return Summary(pd.DataFrame([row]), reading="\n".join(lines))

    def chart(self) -> Any:
        """Each team's gap over time, one panel per team, on one shared scale."""
        return gaps_chart(self.views)

    def text(self) -> str:
        """A plain-text report for the command line: one line per team, the headline, the files."""
        lines = [self.update.text()] if self.update else []
        for r in self.table.itertuples():
            if r.status == "ok":
                lines.append(f"  done     {r.team}: {r.verdict}; {VARIATION_WORDS.get(r.variation or None)}")
            else:
                lines.append(f"  PROBLEM  {r.team}: {r.problem}")
        lines.append(self.summary().reading)
        lines.append(f"page: {self.page}; table: {self.csv} ({self.seconds:.1f} s)")
        if not self.ok:
            lines.append("Fix what each PROBLEM line says, then run the command again; the other teams are on the page.")
        return "\n".join(lines)


def _headline(table: pd.DataFrame) -> dict[str, Any]:
    ok = table[table["status"] == "ok"]
    verdicts = ok["verdict"].value_counts()
    return {"teams": len(ok), "improving": int(ok["improving"].sum()), "problems": int(len(table) - len(ok)),
            "narrowed": int(verdicts.get("narrowed", 0)), "widened": int(verdicts.get("widened", 0)),
            "maintained": int(verdicts.get("maintained", 0)), "not_yet": int(verdicts.get(NOT_YET, 0))}


def _privacy_checks(page: str, teams: Sequence[Team]) -> None:
    remote = offline_problems(page)
    if remote:
        raise EquityKitError(f"the page would load from the internet ({remote[0]}...): it was not written.")
    for team in teams:
        columns, values = _identifier_values(team)
        if _leaks(page, values):
            raise EquityKitError(f"privacy check: the page shows values of {team.name}'s identifier column(s) "
                                 f"{columns}; it was not written.")


_SHARED: dict[str, Any] = {}


def _share(history: pd.DataFrame | None, menu_ids: Sequence[str]) -> None:
    _SHARED.update(history=history, menu_ids=menu_ids)


def _shared_view(team: Team) -> TeamView:
    return team_view(team, _SHARED["history"], _SHARED["menu_ids"])


def _views(teams: Sequence[Team], history: pd.DataFrame | None, menu_ids: Sequence[str], jobs: int) -> list[TeamView]:
    """Every team's view, in the order of the programme file: in ``jobs`` processes at once where the
    system can fork them (each team is independent), else one after another."""
    if jobs > 1 and len(teams) >= 2 * jobs and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_share,
                                                    initargs=(history, menu_ids)) as pool:
            return list(pool.map(_shared_view, teams, chunksize=max(1, len(teams) // (4 * jobs))))
    return [team_view(t, history, menu_ids) for t in teams]


def _table(views: Sequence[TeamView]) -> pd.DataFrame:
    return pd.DataFrame([v.row for v in views], columns=SUMMARY_COLUMNS)


def render_programme(
    programme_yaml: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    update: str | os.PathLike[str] | None = None,
    *,
    menu: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
) -> ProgrammeReport:
    """Write the programme page (``programme.html``) and ``summary.csv`` into ``out_dir``.

    Parameters
    ----------
    programme_yaml : path
        The programme file (the teams file's keys, ``programme:`` its name, ``target:`` per team).
    out_dir : path
        Folder for ``programme.html`` and ``summary.csv`` (created if needed).
    update : path, optional
        A new extract (CSV or Excel, a ``team`` column and each team's columns) to add
        to the history kept in ``<programme>-history/`` beside the programme file first.
    menu : path, optional
        The change-idea menu (default: the kit's ``data/change_ideas.csv``).
    jobs : int, optional
        Processes working on teams at once (default: the number of CPUs, at most 4).

    Returns
    -------
    ProgrammeReport
        ``.table`` has one row per team with the columns of ``summary.csv``:
        ``team``, ``status`` (ok or problem), ``problem``, ``characteristic``,
        ``focus_group``, ``reference_group``, ``unit``, ``baseline_to``,
        ``latest_period``, the focus and reference rates and the gap at baseline
        and latest (withheld as NaN where a count is 1 to 7), ``variation``,
        ``target``, ``assurance``, ``verdict``, ``evidence``, ``improving`` and
        ``ideas``. A team with bad input is a problem row; the others go on.

    Example
    -------
    >>> report = render_programme("workshop/programme/programme.yaml", "build/programme")  # doctest: +SKIP
    >>> report.ok  # doctest: +SKIP
    True
    """
    started = time.perf_counter()
    jobs = min(4, os.cpu_count() or 1) if jobs is None else int(jobs)
    if jobs < 1:
        raise EquityKitError(f"jobs={jobs} should be 1 or more.")
    name, teams = read_programme(programme_yaml)
    ideas_menu = read_change_ideas(menu)
    menu_ids = list(ideas_menu["id"])
    history = read_history(programme_yaml)
    views = _views(teams, history["counts"], menu_ids, jobs)
    table = _table(views)
    done = None
    if update is not None:
        done = update_history(programme_yaml, update, teams, views, table)
        history = read_history(programme_yaml)
        again = [t for t in teams if t.name in done.teams]  # the others' counts did not change
        fresh = {v.team: v for v in _views(again, history["counts"], menu_ids, jobs)}
        views = [fresh.get(v.team, v) for v in views]
        table = _table(views)
    ideas = ideas_table(views, ideas_menu)
    headline = _headline(table)
    gap = programme_gap(views, teams)
    changes = _changes(table, history["before"])
    last = None
    if history["updates"] is not None and len(history["updates"]):
        last = history["updates"].iloc[-1].to_dict()
    improvements = {t.name: str(t.parameters.get("improvement") or "decrease") for t in teams}
    chart_svg = _svg(gaps_chart(views))
    page = _page(name, table, views, headline, gap, ideas, changes, history["revisions"], last, chart_svg,
                 improvements)
    _privacy_checks(page, teams)
    out = Path(out_dir)
    csv_table = table.copy()
    for col in _RATES:  # one decimal, as on the page; a withheld rate is '*'
        csv_table[col] = [_fmt(v) if r == "ok" else "" for v, r in zip(table[col], table["status"])]
    page_path = atomic_write_text(out / "programme.html", page)
    csv_path = atomic_write_text(out / "summary.csv", _csv(csv_table))
    return ProgrammeReport(name, table, ideas, headline, gap, tuple(changes), tuple(views), page_path, csv_path,
                           done, time.perf_counter() - started)
