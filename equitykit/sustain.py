"""Step 5: sustaining the gains, with a ward safety cross and an implementation checklist.

A safety cross is a month drawn as a plus-shaped grid of numbered day cells,
coloured each day by what happened, kept where the team meets (the published
ward work reviewed it at safety huddles and marked a racist incident with a
grey dot). ``sustain_checklist()`` lists the activities that keep a change in
place once the testing is over.

Example
-------
>>> import pandas as pd, equitykit as ek
>>> log = pd.DataFrame({"date": ["2020-10-03", "2020-10-03", "2020-10-17"],
...                     "category": ["Racist incident", "Verbal aggression", "Racist incident"]})
>>> cross = ek.safety_cross(log)
>>> cross.chart().to_dict()["title"]
'Safety cross: October 2020'
>>> cross.reading
'October 2020: 29 of 31 days recorded with no incident, 2 with an incident, 2 with a grey dot (racist incident).'
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ._arguments import vocabulary
from ._drawing import bundle_with_html, table_html
from ._yaml import as_text, check_keys, dump_yaml, load_yaml
from .periods import as_dates, to_timestamps
from .results import Result, Summary
from .theme import CATEGORY_COLOURS, PALETTE, alt
from .validation import EquityKitError, as_frame, as_numeric, require_columns
from .wording import closest

__all__ = ["safety_cross", "cross_layout", "SustainChecklist", "SustainItem", "sustain_checklist",
           "NO_INCIDENT", "DOT_COLOUR"]

NO_INCIDENT = "No incident"
MORE_THAN_ONE = "More than one type"
DOT_ONLY = "Racist incident only"
NO_INCIDENT_COLOUR = PALETTE["target"]  # green
DOT_COLOUR = PALETTE["line"]  # the grey dot
_DOT_ONLY_FILL = "#E5E5E5"
_MULTI_FILL = PALETTE["neutral"]
# distinct colours for incident types: the kit's palette without its green (no incident) and black
_TYPE_COLOURS = [c for c in CATEGORY_COLOURS if c not in (NO_INCIDENT_COLOUR, "#000000")]
# fills dark enough to need white day numbers
_DARK_FILLS = {"#009E73", "#0072B2", "#D55E00", _MULTI_FILL}
_NONE_WORDS = {"", "none", "no incident", "no incidents", "nil", "0"}


def cross_layout(days: int = 31) -> pd.DataFrame:
    """Where each day sits on the safety cross: columns ``day``, ``row``, ``col``.

    The cross is 7 cells wide: days 1-6 make the top arm (2 rows of 3), days 7-27
    the bar across (3 rows of 7), days 28-30 and 31 the bottom arm.

    Example
    -------
    >>> cross_layout(31).query("day in [1, 7, 31]").values.tolist()
    [[1, 0, 2], [7, 2, 0], [31, 6, 3]]
    """
    cells = []
    for day in range(1, days + 1):
        if day <= 6:
            row, col = divmod(day - 1, 3)
            col += 2
        elif day <= 27:
            row, col = divmod(day - 7, 7)
            row += 2
        elif day <= 30:
            row, col = 5, day - 28 + 2
        else:
            row, col = 6, 3
        cells.append((day, row, col))
    return pd.DataFrame(cells, columns=["day", "row", "col"])


def _month(value: Any, dates: pd.Series) -> pd.Period:
    if value is None:
        return dates.max().to_period("M")
    try:
        return to_timestamps(value, "month")[0].to_period("M")
    except EquityKitError:
        raise EquityKitError(
            f"month={value!r} is not a month: write it as '2020-10', 'Oct-20' or 'October 2020'.") from None


@vocabulary(renamed={"date": "x", "category": "by"}, positional=("date", "category", "month"))
def safety_cross(
    data: pd.DataFrame,
    *,
    x: str = "date",
    by: str = "category",
    month: Any = None,
    n: str | None = None,
    grey_dot: str | Sequence[str] | None = None,
    up_to: Any = None,
    title: str | None = None,
) -> SafetyCrossResult:
    """One month of an incident log as a ward safety cross.

    Parameters
    ----------
    data
        A log of incidents, one row per incident (or per day and type with ``n``).
        Rows whose type is empty or "none" mark a day with no incident.
    x, by
        The columns with the date and the type of incident (formerly ``date=``
        and ``category=``).
    month
        The month to draw, e.g. "2020-10"; by default the latest month in the log.
    n
        Optional column with the number of incidents in each row (default 1 a row).
    grey_dot
        The incident type(s) shown as a grey dot; by default any type whose name
        mentions racism (as in the published ward work).
    up_to
        The last day recorded so far; later days are left blank (default: the whole month).
    title
        Chart title (default "Safety cross: <Month Year>").

    Returns
    -------
    SafetyCrossResult
        ``.table``: one row per day (``day``, ``date``, ``status``,
        ``incidents``, ``grey_dot``, ``detail``); ``.summary()``: days by what
        happened; ``.chart()``: day cells coloured by what happened (green for
        no incident, a distinct colour for each incident type, "More than one
        type" for days with several; a grey dot for a racist incident, a light
        grey cell if it was the only one). The chart carries one row per day,
        never the incident rows. Shown in a notebook, the result is the drawing.

    Example
    -------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"date": ["2021-02-09"], "category": ["Racist incident"]})
    >>> cross = safety_cross(log)
    >>> len(cross.chart().to_dict()["datasets"]), int(cross.table["grey_dot"].sum())
    (1, 1)
    """
    frame = as_frame(data, "The incident log")
    require_columns(frame, [x, by, n], "The incident log")
    dates = as_dates(frame, x)
    counts = as_numeric(frame, n, nonnegative=True, integer=True, allow_missing=False) if n else pd.Series(1.0, index=frame.index)
    cats = frame[by].astype("string").fillna("").str.strip()
    is_none = cats.str.lower().isin(_NONE_WORDS).to_numpy(bool) | (counts == 0).to_numpy(bool)
    period = _month(month, dates)
    days_in_month = period.days_in_month
    last_day = days_in_month
    if up_to is not None:
        try:
            stamp = to_timestamps(up_to, "up_to")[0]
        except EquityKitError:
            raise EquityKitError(f"up_to={up_to!r} is not a date: write it as '2020-10-21' or '21/10/2020'.") from None
        last_day = stamp.day if stamp.to_period("M") == period else (0 if stamp.to_period("M") < period else days_in_month)

    if grey_dot is None:
        dot_types = {c for c in cats.unique() if "racis" in str(c).lower()}
    else:
        wanted = [grey_dot] if isinstance(grey_dot, str) else list(grey_dot)
        known = set(cats.unique())
        for w in wanted:
            if w not in known:
                near = closest(w, known)
                hint = f" Did you mean {near!r}?" if near else ""
                raise EquityKitError(f"grey_dot={w!r} is not a category in column '{by}'.{hint}")
        dot_types = set(wanted)

    # colours for incident types are fixed over the whole log, so months can be compared
    incident_types = cats[~is_none]
    order = incident_types[~incident_types.isin(dot_types)].value_counts().sort_index(kind="stable")
    order = order.sort_values(ascending=False, kind="stable").index.tolist()

    in_month = (dates.dt.to_period("M") == period).to_numpy(bool) & ~is_none
    events = pd.DataFrame({"day": dates[in_month].dt.day.to_numpy(), "category": cats[in_month].to_numpy(),
                           "n": counts[in_month].to_numpy()})
    cells = cross_layout(days_in_month)
    status, dot, totals, detail = [], [], [], []
    per_day: dict[int, dict[str, float]] = {}
    for (day, cat), total in events.groupby(["day", "category"], sort=True)["n"].sum().items():
        per_day.setdefault(int(day), {})[str(cat)] = float(total)
    for day in cells["day"]:
        by_type = per_day.get(int(day), {})
        others = [t for t in by_type if t not in dot_types]
        has_dot = any(t in dot_types for t in by_type)
        if day > last_day:
            status.append("Not yet recorded")
        elif others:
            status.append(others[0] if len(others) == 1 else MORE_THAN_ONE)
        elif has_dot:
            status.append(DOT_ONLY)
        else:
            status.append(NO_INCIDENT)
        dot.append(has_dot)
        totals.append(int(sum(by_type.values())))
        detail.append(", ".join(f"{t}: {int(v)}" for t, v in by_type.items()) or "none")
    cells = cells.assign(status=status, dot=dot, incidents=totals, detail=detail,
                         date=[f"{d} {period.strftime('%B %Y')}" for d in cells["day"]])
    if len(order) > len(_TYPE_COLOURS):
        raise EquityKitError(
            f"The log has {len(order)} incident types, more than the {len(_TYPE_COLOURS)} colours a safety "
            "cross can tell apart. Group the types into fewer categories first."
        )
    label = period.strftime("%B %Y")
    return SafetyCrossResult(cells, order, title if title is not None else f"Safety cross: {label}", label)


class SafetyCrossResult(Result):
    """A month's safety cross: ``.table`` (one row per day), ``.summary()``, ``.reading``, ``.chart()``."""

    def __init__(self, cells: pd.DataFrame, order: list[str], title: str, month: str) -> None:
        self._cells = cells
        self._order = order
        self._title = title
        self.month = month
        self.table = cells[["day", "date", "status", "incidents", "dot", "detail"]].rename(
            columns={"dot": "grey_dot"}).reset_index(drop=True)

    def summary(self) -> Summary:
        """Days by what happened, with a one-line reading."""
        recorded = self.table[self.table["status"] != "Not yet recorded"]
        counts = recorded["status"].value_counts()
        out = counts.rename_axis("status").reset_index(name="days")
        calm = int(counts.get(NO_INCIDENT, 0))
        dots = int(recorded["grey_dot"].sum())
        parts = [f"{self.month}: {calm} of {len(recorded)} days recorded with no incident"]
        parts.append(f"{len(recorded) - calm} with an incident")
        parts.append(f"{dots} with a grey dot (racist incident)" if dots else "no grey dots")
        return Summary(out, reading=", ".join(parts) + ".")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return bundle_with_html(self.chart(), table_html(self.summary(), "Safety cross", self.reading))

    def _draw(self) -> alt.LayerChart:
        cells, order = self._cells.copy(), self._order
        present = set(cells["status"])
        domain = [NO_INCIDENT] + [t for t in order if t in present]
        colour_of = {t: _TYPE_COLOURS[i] for i, t in enumerate(order)}
        rng = [NO_INCIDENT_COLOUR] + [colour_of[t] for t in domain[1:]]
        for extra, fill in ((MORE_THAN_ONE, _MULTI_FILL), (DOT_ONLY, _DOT_ONLY_FILL), ("Not yet recorded", "#FFFFFF")):
            if extra in present:
                domain.append(extra)
                rng.append(fill)
        fill_of = dict(zip(domain, rng))
        cells["text_colour"] = ["#FFFFFF" if fill_of[s] in _DARK_FILLS else "#000000" for s in cells["status"]]

        size = 64
        x = alt.X("col:O", axis=None, scale=alt.Scale(domain=list(range(7)), paddingInner=0.06, paddingOuter=0.02))
        y = alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(range(7)), paddingInner=0.06, paddingOuter=0.02))
        base = alt.Chart(cells)
        tooltip = [alt.Tooltip("date:N", title="Day"), alt.Tooltip("status:N", title="What happened"),
                   alt.Tooltip("detail:N", title="Incidents")]
        squares = base.mark_rect(stroke=PALETTE["data"], strokeWidth=1.5).encode(
            x, y, color=alt.Color("status:N", scale=alt.Scale(domain=domain, range=rng),
                                  legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=220,
                                                    symbolType="square")),
            tooltip=tooltip)
        numbers = base.mark_text(align="left", baseline="top", dx=-size / 2 + 6, dy=-size / 2 + 5,
                                 fontSize=14, fontWeight="bold").encode(
            x, y, text="day:Q", color=alt.Color("text_colour:N", scale=None), tooltip=tooltip)
        dots = base.transform_filter(alt.datum.dot).mark_point(
            shape="circle", filled=True, size=420, color=DOT_COLOUR, opacity=1, stroke="#FFFFFF", strokeWidth=1.5
        ).encode(x, y, shape=alt.Shape("dot_label:N", scale=alt.Scale(range=["circle"]),
                                       legend=alt.Legend(title=None, orient="bottom")), tooltip=tooltip
                 ).transform_calculate(dot_label="'Racist incident (grey dot)'")
        layers = [squares, numbers, dots] if cells["dot"].any() else [squares, numbers]
        return alt.layer(*layers).properties(width=7 * size, height=7 * size, title=self._title)


# ---------------------------------------------------------------- sustain checklist

_AREAS = {
    "standardisation": [
        "Write the change into the policy or procedure it belongs to",
        "Agree the standard way of doing it, so it does not depend on one person",
    ],
    "documentation": [
        "Document the new process (a flow chart or a one-page guide) where staff will find it",
        "Record what was learned from the PDSA cycles, including what did not work",
    ],
    "training": [
        "Train new and current staff in the new way of working",
        "Build it into induction",
    ],
    "measurement": [
        "Keep measuring the outcome for the group in the aim",
        "Freeze the control limits from the improved period and watch for signals",
        "Keep a balancing measure to check the gap has not widened elsewhere",
    ],
    "resources": [
        "Agree the time, money and staff needed to keep it going",
        "Name an owner for the change and for the measures",
    ],
    "social side of change": [
        "Keep service users and staff involved in running and reviewing it",
        "Share and celebrate the results with the team and the people it serves",
        "Have leaders keep naming the inequity as a priority",
    ],
}


@dataclass
class SustainItem:
    """One activity on the sustain checklist."""

    area: str
    activity: str
    done: bool = False
    who: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        self.area = as_text(self.area, "A checklist area", required=True)
        self.activity = as_text(self.activity, "A checklist activity", required=True)
        if not isinstance(self.done, bool):
            raise EquityKitError(f"'done' for {self.activity!r} should be true or false, not {self.done!r}.")
        self.who = as_text(self.who, "who")
        self.notes = as_text(self.notes, "notes")


class SustainChecklist:
    """A checklist of implementation activities a team ticks off.

    Use ``sustain_checklist()`` to start one with the standard activities.

    Example
    -------
    >>> cl = sustain_checklist()
    >>> cl.tick(1, who="Ward manager")
    >>> cl.done, len(cl.items)
    (1, 14)
    """

    def __init__(self, items: Sequence[Any], title: str = "Sustaining the gains") -> None:
        clean = []
        allowed = ["area", "activity", "done", "who", "notes"]
        for i, item in enumerate(items, start=1):
            if isinstance(item, SustainItem):
                clean.append(SustainItem(**asdict(item)))
            elif isinstance(item, dict):
                clean.append(SustainItem(**check_keys(item, allowed, f"Checklist item {i}",
                                                      required=["area", "activity"])))
            else:
                raise EquityKitError(f"Checklist item {i} should be a SustainItem or a dict, not {type(item).__name__}.")
        self.items = clean
        self.title = as_text(title, "title")

    def _find(self, item: int | str) -> SustainItem:
        if isinstance(item, int) and not isinstance(item, bool):
            if not 1 <= item <= len(self.items):
                raise EquityKitError(f"There is no item {item}: the items are numbered 1 to {len(self.items)}.")
            return self.items[item - 1]
        text = as_text(item, "The item").lower()
        hits = [i for i in self.items if text in i.activity.lower()]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise EquityKitError(f"{item!r} matches {len(hits)} items: use more words or the item's number.")
        near = closest(text, [i.activity.lower() for i in self.items])
        hint = f" Did you mean {near!r}?" if near else ""
        raise EquityKitError(f"No item matches {item!r}.{hint} Use the item's number from .table.")

    def tick(self, item: int | str, who: str = "", notes: str = "") -> None:
        """Mark an item done, by its number (from 1, as in ``.table``) or words from it."""
        found = self._find(item)
        found.done = True
        found.who = as_text(who, "who") or found.who
        found.notes = as_text(notes, "notes") or found.notes

    def untick(self, item: int | str) -> None:
        """Mark an item not done."""
        self._find(item).done = False

    def add(self, area: str, activity: str) -> None:
        """Add the team's own activity."""
        self.items.append(SustainItem(area, activity))

    @property
    def done(self) -> int:
        """How many items are done."""
        return sum(i.done for i in self.items)

    @property
    def table(self) -> pd.DataFrame:
        """One row per item: ``item`` (number), ``area``, ``activity``, ``done``, ``who``, ``notes``."""
        return pd.DataFrame(
            [(n, i.area, i.activity, "✓" if i.done else "", i.who, i.notes) for n, i in enumerate(self.items, 1)],
            columns=["item", "area", "activity", "done", "who", "notes"],
        )

    @property
    def reading(self) -> str:
        areas = [a for a in dict.fromkeys(i.area for i in self.items) if not any(i.done for i in self.items if i.area == a)]
        text = f"{self.done} of {len(self.items)} activities done."
        if areas:
            text += " Nothing ticked yet for: " + ", ".join(areas) + "."
        return text

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        items = [{k: v for k, v in asdict(i).items() if v != "" } for i in self.items]
        return dump_yaml(path, {"title": self.title, "items": items}, header="equitykit sustain checklist")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> SustainChecklist:
        """Load a checklist saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "checklist"), ["title", "items"], f"The checklist file {str(path)!r}",
                          required=["items"])
        return cls(data["items"], title=data.get("title") or "Sustaining the gains")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SustainChecklist) and self.items == other.items and self.title == other.title

    def __repr__(self) -> str:
        return f"<SustainChecklist: {self.reading}>"

    def _repr_html_(self) -> str:
        return table_html(self.table, self.title, self.reading)


def sustain_checklist() -> SustainChecklist:
    """The implementation activities as a checklist: standardisation, documentation,
    training, measurement (with frozen limits), resources and the social side of change.

    Example
    -------
    >>> sorted(set(sustain_checklist().table["area"]))[:2]
    ['documentation', 'measurement']
    """
    return SustainChecklist([SustainItem(area, act) for area, acts in _AREAS.items() for act in acts])
