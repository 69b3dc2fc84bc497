"""Step 4: the PDSA log, the record of each Plan-Do-Study-Act cycle.

A team logs every cycle: the change idea tested, the plan (with its
prediction), what was done, what they learned, and whether they adopt, adapt
or abandon the idea. The log is saved atomically (a crash never loses it) as
CSV or YAML, and ``.annotations()`` gives the table ``equitykit.spc`` draws as
labels on an SPC chart.

Example
-------
>>> import equitykit as ek
>>> log = ek.PDSALog([ek.Cycle("1", "Post-incident action plan", start_date="2020-10-05",
...                            end_date="2020-10-30", act="adapt")])
>>> log.annotations()[["x", "label"]].values.tolist()
[[Timestamp('2020-10-05 00:00:00'), 'PDSA 1: Post-incident action plan']]
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from ._drawing import table_html
from ._yaml import as_choice, as_text, check_keys, dump_yaml, load_yaml
from .files import atomic_write_text
from .results import Charted
from .theme import PALETTE, alt
from .periods import ACCEPTED_DATES, as_dates, to_timestamps
from .validation import EquityKitError, as_frame, require_columns
from .wording import did_you_mean

__all__ = ["Cycle", "PDSALog", "ACTS"]

ACTS = ("adopt", "adapt", "abandon")
_ACT_ALIASES = {"adopted": "adopt", "adapted": "adapt", "abandoned": "abandon", "adopt it": "adopt"}
COLUMNS = ["cycle_id", "change_idea", "plan", "prediction", "do", "study", "act", "start_date", "end_date", "idea"]
_REQUIRED = ["cycle_id", "change_idea", "start_date"]


def _cycle_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return as_text(value, "A cycle_id", required=True)


def _date(value: Any, cycle: str, name: str, required: bool) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()) or (
        not isinstance(value, str) and pd.isna(value)
    ):
        if required:
            raise EquityKitError(f"PDSA cycle {cycle!r} has no {name}: add the date it started, e.g. 2024-03-01.")
        return None
    try:
        stamp = to_timestamps(value, name)[0]
    except EquityKitError:
        raise EquityKitError(
            f"PDSA cycle {cycle!r} has a {name} {value!r} that is not a date. Write it as 2024-03-31 "
            f"(or 31/03/2024, or 31 March 2024). {ACCEPTED_DATES}"
        ) from None
    return pd.Timestamp(stamp).normalize()


_STOP_WORDS = {"a", "an", "the", "of", "and", "to", "for", "in", "on", "at", "as", "with", "by", "or", ""}


def _short(text: str, limit: int = 32) -> str:
    if len(text) <= limit:
        return text
    words = text[:limit + 1].split(" ")[:-1] or [text[:limit]]
    while len(words) > 1 and words[-1].lower().strip(",;:-") in _STOP_WORDS:
        words.pop()
    return " ".join(words).rstrip(" ,;:-") + "…"


@dataclass
class Cycle:
    """One PDSA cycle.

    Parameters
    ----------
    cycle_id
        A short id, unique in the log, e.g. "1" or "1a".
    change_idea
        The change idea tested (as on the driver diagram).
    start_date, end_date
        When the cycle ran; ``end_date`` may be left empty while it runs.
    plan, prediction, do, study
        What the team planned and predicted, did, and learned.
    act
        "adopt", "adapt" or "abandon" (empty while the cycle runs).
    idea
        Optional: the id of the idea on a programme's change-idea menu
        (``data/change_ideas.csv``), e.g. "peer-reminder-calls".

    Example
    -------
    >>> Cycle("2", "Safety cross at huddles", start_date="2020-11-02", act="Adopted").act
    'adopt'
    """

    cycle_id: str
    change_idea: str
    start_date: Any = None
    end_date: Any = None
    plan: str = ""
    prediction: str = ""
    do: str = ""
    study: str = ""
    act: str = ""
    idea: str = ""

    def __post_init__(self) -> None:
        self.cycle_id = _cycle_id(self.cycle_id)
        cid = self.cycle_id
        self.change_idea = as_text(self.change_idea, f"The change idea of PDSA cycle {cid!r}", required=True)
        for name in ("plan", "prediction", "do", "study", "idea"):
            setattr(self, name, as_text(getattr(self, name), f"The {name} of PDSA cycle {cid!r}"))
        self.act = as_choice(self.act, f"PDSA cycle {cid!r}", "act", ACTS, aliases=_ACT_ALIASES, optional=True,
                             note=" (or leave it empty while the cycle runs)")
        self.start_date = _date(self.start_date, cid, "start_date", required=True)
        self.end_date = _date(self.end_date, cid, "end_date", required=False)
        if self.end_date is not None and self.end_date < self.start_date:
            raise EquityKitError(
                f"PDSA cycle {cid!r} ends ({self.end_date:%d %B %Y}) before it starts "
                f"({self.start_date:%d %B %Y}). Check the two dates (swapped, or a typo in the year?)."
            )

    @property
    def label(self) -> str:
        """A short label for a chart, e.g. "PDSA 1: Post-incident action plan"."""
        prefix = self.cycle_id if self.cycle_id.lower().startswith("pdsa") else f"PDSA {self.cycle_id}"
        return f"{prefix}: {_short(self.change_idea)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            if value not in (None, ""):
                out[f.name] = value
        return out


class PDSALog(Charted):
    """A log of PDSA cycles that saves atomically and annotates SPC charts.

    Parameters
    ----------
    cycles
        ``Cycle`` objects or dicts with the same keys.

    Raises
    ------
    EquityKitError
        For a duplicated cycle id, a cycle that ends before it starts, or an
        act other than adopt / adapt / abandon, naming the cycle.

    Example
    -------
    >>> log = PDSALog([])
    >>> log.add(cycle_id="1", change_idea="Peer reminder calls", start_date="2024-01-08")
    >>> len(log)
    1
    """

    def __init__(self, cycles: Sequence[Any] = ()) -> None:
        if isinstance(cycles, (str, dict)) or not isinstance(cycles, Sequence):
            raise EquityKitError("A PDSA log needs a list of cycles (Cycle objects or dicts).")
        self.cycles: list[Cycle] = []
        for c in cycles:
            self._append(c)

    def _append(self, c: Any) -> None:
        if isinstance(c, Cycle):
            cycle = Cycle(**{f.name: getattr(c, f.name) for f in fields(Cycle)})
        elif isinstance(c, dict):
            where = f"PDSA cycle {c.get('cycle_id', len(self.cycles) + 1)!r}"
            cycle = Cycle(**check_keys(c, COLUMNS, where, required=["cycle_id", "change_idea"]))
        else:
            raise EquityKitError(f"A PDSA cycle should be a Cycle or a dict, not {type(c).__name__}.")
        for old in self.cycles:
            if old.cycle_id == cycle.cycle_id:
                raise EquityKitError(
                    f"The PDSA cycle id {cycle.cycle_id!r} is used twice ({old.change_idea!r} and "
                    f"{cycle.change_idea!r}). Give the new cycle its own id, e.g. {cycle.cycle_id + 'b'!r}."
                )
        self.cycles.append(cycle)

    def add(self, cycle: Cycle | dict[str, Any] | None = None, **values: Any) -> None:
        """Add a cycle (a Cycle, a dict, or the fields as keywords)."""
        self._append(cycle if cycle is not None else values)

    def cycle(self, cycle_id: Any) -> Cycle:
        """Return the cycle with this id."""
        key = _cycle_id(cycle_id)
        for c in self.cycles:
            if c.cycle_id == key:
                return c
        ids = [c.cycle_id for c in self.cycles]
        raise EquityKitError(f"There is no PDSA cycle {key!r}.{did_you_mean(key, ids)} The ids are: {', '.join(ids)}.")

    def __len__(self) -> int:
        return len(self.cycles)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PDSALog) and self.cycles == other.cycles

    @property
    def table(self) -> pd.DataFrame:
        """One row per cycle, columns as in ``COLUMNS`` (dates as Timestamps, NaT while running)."""
        frame = pd.DataFrame([{f.name: getattr(c, f.name) for f in fields(Cycle)} for c in self.cycles],
                             columns=COLUMNS)
        for col in ("start_date", "end_date"):
            frame[col] = pd.to_datetime(frame[col])
        return frame

    def annotations(self) -> pd.DataFrame:
        """The cycles as SPC chart annotations: columns ``x``, ``label``, ``detail``.

        ``x`` is each cycle's start date (a Timestamp), ``label`` a short label
        such as "PDSA 1: Post-incident action plan", ``detail`` the dates, the act
        and what was learned. Pass it to ``equitykit.spc(..., annotations=...)``.
        """
        rows = []
        for c in sorted(self.cycles, key=lambda c: c.start_date):
            when = f"{c.start_date:%d %b %Y}" + (f" to {c.end_date:%d %b %Y}" if c.end_date is not None else " (running)")
            parts = [when, f"act: {c.act}" if c.act else "", c.study]
            rows.append({"x": c.start_date, "label": c.label, "detail": ". ".join(p for p in parts if p)})
        frame = pd.DataFrame(rows, columns=["x", "label", "detail"])
        frame["x"] = pd.to_datetime(frame["x"])
        return frame

    def _draw(self) -> alt.LayerChart:
        """A timeline of the cycles (one bar per cycle, coloured by act)."""
        table = self.table.assign(
            label=[c.label for c in self.cycles],
            end=lambda t: t["end_date"].fillna(t["start_date"]),
            act=lambda t: t["act"].replace("", "running"),
        )[["label", "change_idea", "start_date", "end", "act", "study"]]
        colour = alt.Color("act:N", title="Act", scale=alt.Scale(
            domain=["adopt", "adapt", "abandon", "running"],
            range=[PALETTE["target"], PALETTE["concern"], PALETTE["signal"], PALETTE["muted"]]))
        y = alt.Y("label:N", sort=None, title=None)
        base = alt.Chart(table)
        bars = base.mark_bar(height=16, cornerRadius=3).encode(
            x=alt.X("start_date:T", title="Date"), x2="end:T", y=y, color=colour,
            tooltip=["label:N", "change_idea:N", "start_date:T", "end:T", "act:N", "study:N"])
        starts = base.mark_point(size=80, filled=True, shape="circle").encode(x="start_date:T", y=y, color=colour)
        return (bars + starts).properties(width=560, height=max(60, 28 * len(table)), title="PDSA cycles")

    # ---- files

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PDSALog:
        """Read a log from a table with columns cycle_id, change_idea, start_date and optionally
        plan, prediction, do, study, act, end_date, idea. The caller's table is not changed."""
        data = as_frame(frame, "The PDSA log")
        require_columns(data, _REQUIRED, "The PDSA log")
        for col in data.columns:
            if col not in COLUMNS:
                raise EquityKitError(
                    f"The PDSA log has a column {col!r} the log does not use.{did_you_mean(str(col), COLUMNS)} "
                    f"The columns allowed are: {', '.join(COLUMNS)}."
                )
        starts = as_dates(data, "start_date")
        ends = as_dates(data, "end_date", allow_missing=True) if "end_date" in data else None
        cycles = []
        for i, idx in enumerate(data.index):
            row = {col: data.at[idx, col] for col in data.columns}
            row = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
            row["start_date"] = starts.iloc[i]
            if ends is not None:
                row["end_date"] = None if pd.isna(ends.iloc[i]) else ends.iloc[i]
            cycles.append(row)
        return cls(cycles)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str]) -> PDSALog:
        """Read a log saved as CSV (columns as in ``from_frame``)."""
        target = Path(path)
        if not target.exists():
            raise EquityKitError(f"There is no file {str(target)!r} to read the PDSA log from: check the name and folder.")
        return cls.from_frame(pd.read_csv(target, dtype={"cycle_id": str}, keep_default_na=False, na_values=[""]))

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Save as CSV, atomically; the prediction and idea columns are written only if a cycle has one."""
        frame = self.table
        for col in ("start_date", "end_date"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        for optional in ("prediction", "idea"):
            if not (frame[optional] != "").any():
                frame = frame.drop(columns=optional)
        return atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save as YAML, atomically; return the path."""
        return dump_yaml(path, {"cycles": [c.to_dict() for c in self.cycles]},
                         header="equitykit PDSA log: act is adopt, adapt or abandon")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> PDSALog:
        """Load a log saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "PDSA log"), ["cycles"], f"The PDSA log file {str(path)!r}")
        return cls(data.get("cycles") or [])

    def __repr__(self) -> str:
        return f"<PDSALog: {len(self.cycles)} cycles>"

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=[] if (self.table["prediction"] != "").any() else ["prediction"])
        for col in ("start_date", "end_date"):
            shown[col] = shown[col].dt.strftime("%d %b %Y")
        return table_html(shown, "PDSA log", f"{len(self.cycles)} cycles.")
