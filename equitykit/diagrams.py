"""Step 2 and 3 drawings: fishbone, process map and driver diagram.

Each diagram is a small piece of plain data a team fills in a notebook, saves
to a YAML file they can edit, reloads, and draws with Altair in the kit's one
theme. Nothing is shown by side effect: ``.chart()`` returns the drawing, and
an object on the last line of a cell shows it.

Example
-------
>>> import equitykit as ek
>>> fb = ek.Fishbone("Racist incidents on the ward",
...                  {"People": ["Fear of speaking up"], "Process": ["No plan after an incident"]})
>>> fb.table["cause"].tolist()
['Fear of speaking up', 'No plan after an incident']
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ._drawing import LINE_HEIGHT, bundle_with_html, n_lines, pixel_x, pixel_y, table_html, wrap
from ._yaml import as_choice, as_text, as_text_list, check_keys, dump_yaml, load_yaml
from .results import Charted
from .theme import CATEGORY_COLOURS, PALETTE, alt
from .validation import EquityKitError
from .wording import did_you_mean

__all__ = [
    "Fishbone",
    "ProcessMap",
    "ChangeIdea",
    "Driver",
    "DriverDiagram",
    "STEP_KINDS",
    "IDEA_STATUSES",
]

_FONT = 14


class _Drawing(Charted):
    """Shared notebook display: the drawing, with a table as the HTML fallback."""

    @property
    def table(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return bundle_with_html(self.chart(), table_html(self.table, type(self).__name__))

    def _repr_html_(self) -> str:
        return self._repr_mimebundle_()["text/html"]


# ---------------------------------------------------------------- fishbone


@dataclass
class Fishbone(_Drawing):
    """A fishbone (cause and effect, Ishikawa) diagram.

    Parameters
    ----------
    effect
        The problem at the head of the fish, e.g. "Racist incidents on the ward".
    causes
        ``{category: [cause, ...]}``, e.g. ``{"People": [...], "Process": [...]}``.
        Up to 6 categories of up to 6 causes stay legible on a projector.

    Example
    -------
    >>> fb = Fishbone("Low screening uptake", {"Access": ["No evening clinics"]})
    >>> len(fb.causes["Access"])
    1
    """

    effect: str
    causes: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.effect = as_text(self.effect, "The fishbone's effect", required=True)
        if not isinstance(self.causes, Mapping) or not self.causes:
            raise EquityKitError(
                "A fishbone needs causes as {category: [cause, ...]}, e.g. "
                "{'People': ['Fear of speaking up'], 'Process': ['No plan after an incident']}."
            )
        clean: dict[str, list[str]] = {}
        for category, items in self.causes.items():
            name = as_text(category, "A fishbone category", required=True)
            causes = as_text_list(items, f"The causes under {name!r}")
            if not causes:
                raise EquityKitError(
                    f"The fishbone category {name!r} has no causes. Add at least one cause under it, "
                    "or remove the category."
                )
            if name in clean:
                raise EquityKitError(f"The fishbone category {name!r} appears twice: merge its causes into one list.")
            clean[name] = causes
        self.causes = clean

    @property
    def table(self) -> pd.DataFrame:
        """One row per cause: columns ``category``, ``cause``."""
        rows = [(c, cause) for c, items in self.causes.items() for cause in items]
        return pd.DataFrame(rows, columns=["category", "cause"])

    def _draw(self) -> alt.LayerChart:
        """Draw the fishbone: a spine to the effect's head, one angled rib per category.

        Ribs alternate above and below the spine; each cause sits on a short bone
        along its rib, labelled in projector-sized type.
        """
        cats = list(self.causes)
        max_causes = max(len(v) for v in self.causes.values())
        wrapped = {c: [wrap(x, 20) for x in v] for c, v in self.causes.items()}
        most_lines = max(n_lines(x) for v in wrapped.values() for x in v)
        slot = max(40, most_lines * LINE_HEIGHT + 8)
        rib_h = max_causes * slot + 40  # vertical reach of a rib from the spine
        lean = rib_h * 0.45  # how far a rib leans back from where it meets the spine
        col_w = 225  # the whole fish fits a laptop screen (about 900 px) with the file browser open
        n_cols = math.ceil(len(cats) / 2)
        left = 170
        top = 50
        spine_y = top + rib_h
        base_x = [left + lean + (i + 1) * col_w - 60 for i in range(n_cols)]
        head_x = base_x[-1] + 50
        effect = wrap(self.effect, 17)
        head_h = max(70, n_lines(effect) * (LINE_HEIGHT + 1) + 24)
        width = head_x + 190
        height = spine_y + rib_h + top

        ribs, bones, labels, heads = [], [], [], []
        for i, cat in enumerate(cats):
            col, above = divmod(i, 2)
            sign = -1 if above == 0 else 1
            bx = base_x[col]
            ribs.append({"part": "rib", "category": cat, "x": bx, "y": spine_y,
                         "x2": bx - lean, "y2": spine_y + sign * rib_h})
            heads.append({"part": "category", "category": cat, "label": cat, "x": bx - lean,
                          "y": spine_y + sign * (rib_h + 18)})
            for j, text in enumerate(wrapped[cat]):
                reach = rib_h - 25 - j * slot  # distance from the spine
                px = bx - lean * reach / rib_h
                py = spine_y + sign * reach
                bones.append({"part": "bone", "category": cat, "x": px - 28, "y": py, "x2": px, "y2": py})
                labels.append({"part": "cause", "category": cat, "cause": self.causes[cat][j],
                               "label": text, "x": px - 32, "y": py - (n_lines(text) - 1) * LINE_HEIGHT / 2})

        spine = pd.DataFrame([{"part": "spine", "x": left + lean - 40, "y": spine_y, "x2": head_x, "y2": spine_y}])
        head = pd.DataFrame([{"part": "effect", "label": effect, "x": head_x, "x2": head_x + 180,
                              "y": spine_y - head_h / 2, "y2": spine_y + head_h / 2, "xm": head_x + 90,
                              "ym": spine_y - (n_lines(effect) - 1) * (LINE_HEIGHT + 1) / 2}])
        X, Y = pixel_x("x", width), pixel_y("y", height)
        line = PALETTE["data"]
        layers = [
            alt.Chart(spine).mark_rule(color=line, strokeWidth=5).encode(X, Y, x2="x2:Q", y2="y2:Q"),
            alt.Chart(pd.DataFrame(ribs)).mark_rule(color=line, strokeWidth=3).encode(X, Y, x2="x2:Q", y2="y2:Q"),
            alt.Chart(pd.DataFrame(bones)).mark_rule(color=PALETTE["line"], strokeWidth=1.5).encode(
                X, Y, x2="x2:Q", y2="y2:Q"),
            alt.Chart(pd.DataFrame(labels)).mark_text(
                align="right", baseline="middle", fontSize=_FONT, lineBreak="\n", lineHeight=LINE_HEIGHT,
                color="#000000").encode(X, Y, text="label:N", tooltip=["category:N", "cause:N"]),
            alt.Chart(pd.DataFrame(heads)).mark_text(
                align="center", baseline="middle", fontSize=16, fontWeight="bold", color=PALETTE["improvement"]
            ).encode(X, Y, text="label:N"),
            alt.Chart(head).mark_rect(
                fill=PALETTE["improvement"], fillOpacity=0.15, stroke=PALETTE["improvement"], strokeWidth=2,
                cornerRadius=6,
            ).encode(X, Y, x2="x2:Q", y2="y2:Q"),
            alt.Chart(head).mark_text(
                align="center", baseline="middle", fontSize=16, fontWeight="bold", lineBreak="\n",
                lineHeight=LINE_HEIGHT + 1, color="#000000").encode(pixel_x("xm", width), pixel_y("ym", height), text="label:N"),
        ]
        return alt.layer(*layers).properties(
            width=width, height=height, title="Fishbone: causes of the problem"
        )

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        return dump_yaml(path, {"effect": self.effect, "causes": self.causes}, header="equitykit fishbone")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Fishbone:
        """Load a fishbone saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "fishbone"), ["effect", "causes"], f"The fishbone file {str(path)!r}",
                          required=["effect", "causes"])
        return cls(data["effect"], data["causes"])


# ---------------------------------------------------------------- process map

STEP_KINDS = ("step", "decision", "wait", "drop-out")
_KIND_ALIASES = {"dropout": "drop-out", "drop out": "drop-out", "drop_out": "drop-out", "drops out": "drop-out",
                 "waiting": "wait", "process": "step", "action": "step", "question": "decision"}
_KIND_LABELS = {"step": "Step", "decision": "Decision", "wait": "Wait", "drop-out": "Drop-out"}
_KIND_COLOURS = {"step": PALETTE["improvement"], "decision": CATEGORY_COLOURS[4],
                 "wait": PALETTE["concern"], "drop-out": PALETTE["signal"]}
# A flat diamond (twice as wide as tall) as a Vega symbol path in the unit square.
_DIAMOND = "M-1,0L0,-0.5L1,0L0,0.5Z"


def _step_kind(value: Any, name: str) -> str:
    return as_choice(value, f"Step {name!r}", "kind", STEP_KINDS, aliases=_KIND_ALIASES, default="step")


@dataclass
class ProcessMap(_Drawing):
    """A left-to-right map of a service user's journey, with decisions, waits and drop-outs.

    Parameters
    ----------
    steps
        In order. Each is a name (a plain step), a tuple ``(name, kind)`` or
        ``(name, kind, note)``, or a dict with keys ``name``, ``kind``, ``note``.
        ``kind`` is one of "step", "decision", "wait", "drop-out". A drop-out is
        drawn as a branch below the step just before it (where people leave).
    title
        Shown above the map.
    per_row
        Steps per row before the map wraps to a new row.

    Example
    -------
    >>> pm = ProcessMap(["GP referral", ("Triage", "decision"), ("Not accepted", "drop-out"),
    ...                  ("Wait for assessment", "wait", "median 6 weeks"), "Assessment"])
    >>> pm.table["kind"].tolist()
    ['step', 'decision', 'drop-out', 'wait', 'step']
    """

    steps: list[Any]
    title: str = ""
    per_row: int = 4

    def __post_init__(self) -> None:
        if isinstance(self.steps, (str, Mapping)) or not isinstance(self.steps, Sequence) or not self.steps:
            raise EquityKitError(
                "A process map needs a list of steps, e.g. ['Referral', ('Triage', 'decision'), "
                "('Not accepted', 'drop-out'), ('Wait for assessment', 'wait'), 'Assessment']."
            )
        clean = []
        for i, raw in enumerate(self.steps, start=1):
            if isinstance(raw, Mapping):
                item = check_keys(raw, ["name", "kind", "note"], f"Step {i} of the process map", required=["name"])
                name, kind, note = item["name"], item.get("kind"), item.get("note")
            elif isinstance(raw, (tuple, list)):
                if not 1 <= len(raw) <= 3:
                    raise EquityKitError(f"Step {i} of the process map should be (name, kind) or (name, kind, note), not {raw!r}.")
                name, kind, note = (list(raw) + [None, None])[:3]
            else:
                name, kind, note = raw, None, None
            name = as_text(name, f"The name of step {i}", required=True)
            clean.append({"name": name, "kind": _step_kind(kind, name), "note": as_text(note, f"The note of step {name!r}")})
        if clean[0]["kind"] == "drop-out":
            raise EquityKitError(
                f"The first step {clean[0]['name']!r} is a drop-out, but a drop-out branches off the step before it. "
                "Put it after the step where people leave."
            )
        if not isinstance(self.per_row, int) or self.per_row < 1:
            raise EquityKitError(f"per_row should be a whole number of steps, 1 or more, not {self.per_row!r}.")
        self.steps = clean
        self.title = as_text(self.title, "The process map's title")

    @property
    def table(self) -> pd.DataFrame:
        """One row per step: columns ``order``, ``step``, ``kind``, ``note``."""
        return pd.DataFrame(
            [(i, s["name"], s["kind"], s["note"]) for i, s in enumerate(self.steps, start=1)],
            columns=["order", "step", "kind", "note"],
        )

    def _draw(self) -> alt.LayerChart:
        """Draw the map: boxes for steps and waits, diamonds for decisions, arrows between them.

        The main flow runs left to right and wraps to a new row after ``per_row``
        steps; each drop-out hangs below the step where people leave, on a dashed arrow.
        """
        box_w, box_h, gap = 165, 74, 46
        drop_gap = 46  # vertical space between a box and a drop-out hanging below it
        main: list[dict[str, Any]] = []
        for s in self.steps:
            if s["kind"] == "drop-out":
                main[-1]["drops"].append(s)
            else:
                main.append({**s, "drops": []})
        n_rows = math.ceil(len(main) / self.per_row)
        row_drops = [max([len(m["drops"]) for m in main[r * self.per_row:(r + 1) * self.per_row]] or [0])
                     for r in range(n_rows)]
        left, top = 20, 20
        row_tops, y = [], top
        for r in range(n_rows):
            row_tops.append(y)
            y += box_h + row_drops[r] * (box_h + drop_gap) + 60
        height = y
        width = left + self.per_row * (box_w + gap) + 10

        nodes, edges, heads, edge_labels = [], [], [], []

        def node(s: dict[str, Any], cx: float, cy: float) -> dict[str, Any]:
            return {"part": s["kind"], "step": s["name"], "kind": _KIND_LABELS[s["kind"]],
                    "label": wrap(s["name"], 20 if s["kind"] != "decision" else 16), "note": s["note"],
                    "cx": cx, "cy": cy, "x": cx - box_w / 2, "x2": cx + box_w / 2,
                    "y": cy - box_h / 2, "y2": cy + box_h / 2, "ny": cy + box_h / 2 - 11}

        def segment(points: list[tuple[float, float]], style: str, edge: int) -> None:
            for k, (px, py) in enumerate(points):
                edges.append({"part": "connector", "edge": edge, "order": k, "x": px, "y": py, "style": style})

        for i, m in enumerate(main):
            r, c = divmod(i, self.per_row)
            m["cx"] = left + c * (box_w + gap) + box_w / 2
            m["cy"] = row_tops[r] + box_h / 2
            nodes.append(node(m, m["cx"], m["cy"]))
            for j, d in enumerate(m["drops"]):
                dy = m["cy"] + (j + 1) * (box_h + drop_gap)
                nodes.append(node(d, m["cx"], dy))
                start = m["cy"] + box_h / 2 + j * (box_h + drop_gap)
                segment([(m["cx"], start if j == 0 else start), (m["cx"], dy - box_h / 2 - 6)], "dashed", len(heads))
                heads.append({"part": "arrowhead", "x": m["cx"], "y": dy - box_h / 2 - 6, "angle": 180})
                if m["kind"] == "decision" and j == 0:
                    edge_labels.append({"part": "edge label", "label": "no", "x": m["cx"] + 8,
                                        "y": m["cy"] + box_h / 2 + drop_gap / 2})
        for i in range(len(main) - 1):
            a, b = main[i], main[i + 1]
            same_row = i // self.per_row == (i + 1) // self.per_row
            if same_row:
                pts = [(a["cx"] + box_w / 2, a["cy"]), (b["cx"] - box_w / 2 - 6, b["cy"])]
                heads.append({"part": "arrowhead", "x": pts[-1][0], "y": pts[-1][1], "angle": 90})
                label_at = (a["cx"] + box_w / 2 + gap / 2, a["cy"] - 12)
            else:
                r = i // self.per_row
                turn_x = a["cx"] + box_w / 2 + gap / 3
                turn_y = row_tops[r + 1] - 30
                pts = [(a["cx"] + box_w / 2, a["cy"]), (turn_x, a["cy"]), (turn_x, turn_y),
                       (b["cx"], turn_y), (b["cx"], b["cy"] - box_h / 2 - 6)]
                heads.append({"part": "arrowhead", "x": b["cx"], "y": pts[-1][1], "angle": 180})
                label_at = (turn_x + 14, a["cy"] - 12)
            segment(pts, "solid", len(heads))
            if a["kind"] == "decision" and a["drops"]:
                edge_labels.append({"part": "edge label", "label": "yes", "x": label_at[0], "y": label_at[1]})

        frame = pd.DataFrame(nodes)
        boxes = frame[frame["part"] != "decision"]
        diamonds = frame[frame["part"] == "decision"]
        X, Y = pixel_x("x", width), pixel_y("y", height)
        CX, CY = pixel_x("cx", width), pixel_y("cy", height)
        colour = alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(_KIND_LABELS.values()), range=[_KIND_COLOURS[k] for k in _KIND_LABELS]),
            legend=alt.Legend(title=None),
        )
        tooltip = [alt.Tooltip("step:N"), alt.Tooltip("kind:N"), alt.Tooltip("note:N")]
        layers = []
        conn = pd.DataFrame(edges)
        if not conn.empty:
            for style, dash in (("solid", []), ("dashed", [6, 4])):
                part = conn[conn["style"] == style]
                if not part.empty:
                    layers.append(alt.Chart(part).mark_line(color=PALETTE["data"], strokeWidth=2, strokeDash=dash)
                                  .encode(X, Y, detail="edge:N", order="order:Q"))
            layers.append(alt.Chart(pd.DataFrame(heads)).mark_point(
                shape="triangle", size=110, filled=True, color=PALETTE["data"], opacity=1
            ).encode(X, Y, angle=alt.Angle("angle:Q", scale=None)))
        if not boxes.empty:
            layers.append(alt.Chart(boxes).mark_rect(fillOpacity=0.3, stroke=PALETTE["data"], strokeWidth=1.5,
                                                     cornerRadius=8)
                          .encode(X, Y, x2="x2:Q", y2="y2:Q", color=colour, tooltip=tooltip))
        if not diamonds.empty:
            layers.append(alt.Chart(diamonds).mark_point(
                shape=_DIAMOND, size=(box_w + 20) ** 2, filled=True, opacity=0.3
            ).encode(CX, CY, color=colour, tooltip=tooltip))
            layers.append(alt.Chart(diamonds).mark_point(
                shape=_DIAMOND, size=(box_w + 20) ** 2, filled=False, color=PALETTE["data"], strokeWidth=1.5,
                opacity=1).encode(CX, CY))
        frame["ty"] = frame["cy"] - frame["label"].str.count("\n") * LINE_HEIGHT / 2 - 4
        layers.append(alt.Chart(frame).mark_text(fontSize=_FONT, lineBreak="\n", baseline="middle",
                                                 lineHeight=LINE_HEIGHT)
                      .encode(CX, pixel_y("ty", height), text="label:N", tooltip=tooltip))
        notes = frame[frame["note"] != ""]
        if not notes.empty:
            layers.append(alt.Chart(notes).mark_text(fontSize=12, fontStyle="italic", color=PALETTE["annotation"])
                          .encode(CX, pixel_y("ny", height), text="note:N"))
        if edge_labels:
            layers.append(alt.Chart(pd.DataFrame(edge_labels)).mark_text(
                fontSize=13, fontWeight="bold", align="left", color=PALETTE["annotation"]).encode(X, Y, text="label:N"))
        return alt.layer(*layers).properties(
            width=width, height=height, title=self.title or "Process map"
        )

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        steps = [{k: v for k, v in s.items() if v or k == "name"} for s in self.steps]
        return dump_yaml(path, {"title": self.title, "per_row": self.per_row, "steps": steps},
                         header="equitykit process map: kind is step, decision, wait or drop-out")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> ProcessMap:
        """Load a process map saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "process map"), ["title", "per_row", "steps"],
                          f"The process map file {str(path)!r}", required=["steps"])
        return cls(data["steps"], title=data.get("title") or "", per_row=data.get("per_row") or 4)


# ---------------------------------------------------------------- driver diagram

IDEA_STATUSES = ("not tested", "testing", "adopted", "adapted", "abandoned")
_STATUS_ALIASES = {"untested": "not tested", "not yet tested": "not tested", "new": "not tested",
                   "idea": "not tested", "in test": "testing", "tested": "testing", "adopt": "adopted",
                   "adapt": "adapted", "abandon": "abandoned", "dropped": "abandoned"}
_STATUS_COLOURS = {"not tested": PALETTE["muted"], "testing": CATEGORY_COLOURS[4], "adopted": PALETTE["target"],
                   "adapted": PALETTE["concern"], "abandoned": PALETTE["signal"]}
_IDEA_KEYS = ["name", "status", "id", "pdsa", "measures", "also", "idea"]
_DRIVER_KEYS = ["name", "id", "secondary", "change_ideas"]


def _status(value: Any, idea: str) -> str:
    return as_choice(value, f"Change idea {idea!r}", "status", IDEA_STATUSES, aliases=_STATUS_ALIASES,
                     default="not tested")


@dataclass
class ChangeIdea:
    """A change idea on a driver diagram.

    Parameters
    ----------
    name
        What the team will try, e.g. "Safety cross reviewed at huddles".
    status
        "not tested", "testing", "adopted", "adapted" or "abandoned".
    id
        A short id (defaults to the name) for links from PDSA cycles.
    pdsa
        Ids of the PDSA cycles that test it.
    measures
        Names of the measures (in the measurement plan) that follow it.
    also
        Other drivers (by id or name) the idea also serves, drawn as dashed links.
    idea
        Optional: the id of the idea on a programme's change-idea menu
        (``data/change_ideas.csv``), e.g. "community-outreach".

    Example
    -------
    >>> ChangeIdea("Racial trauma and bias training", status="Testing").status
    'testing'
    """

    name: str
    status: str = "not tested"
    id: str = ""
    pdsa: list[str] = field(default_factory=list)
    measures: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    idea: str = ""

    def __post_init__(self) -> None:
        self.name = as_text(self.name, "A change idea's name", required=True)
        self.idea = as_text(self.idea, f"The menu idea of change idea {self.name!r}")
        self.status = _status(self.status, self.name)
        self.id = as_text(self.id, f"The id of change idea {self.name!r}") or self.name
        self.pdsa = as_text_list(self.pdsa, f"The PDSA cycles of change idea {self.name!r}")
        self.measures = as_text_list(self.measures, f"The measures of change idea {self.name!r}")
        self.also = as_text_list(self.also, f"The other drivers of change idea {self.name!r}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "status": self.status}
        if self.id != self.name:
            out["id"] = self.id
        for key in ("pdsa", "measures", "also"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.idea:
            out["idea"] = self.idea
        return out


@dataclass
class Driver:
    """A primary or secondary driver: a factor that must change to reach the aim.

    Parameters
    ----------
    name
        E.g. "Stigma about mental health and therapy".
    secondary
        Secondary drivers under a primary driver (Driver objects, names or dicts).
    change_ideas
        Change ideas under this driver (ChangeIdea objects, names or dicts).
    id
        A short id (defaults to the name).

    Example
    -------
    >>> d = Driver("Stigma", secondary=[Driver("Trust in services", change_ideas=["Talk in barbers' shops"])])
    >>> d.secondary[0].change_ideas[0].name
    "Talk in barbers' shops"
    """

    name: str
    secondary: list[Any] = field(default_factory=list)
    change_ideas: list[Any] = field(default_factory=list)
    id: str = ""

    def __post_init__(self) -> None:
        self.name = as_text(self.name, "A driver's name", required=True)
        self.id = as_text(self.id, f"The id of driver {self.name!r}") or self.name
        self.secondary = [_as_driver(d, f"a secondary driver under {self.name!r}") for d in (self.secondary or [])]
        self.change_ideas = [_as_idea(c, self.name) for c in (self.change_ideas or [])]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.id != self.name:
            out["id"] = self.id
        if self.secondary:
            out["secondary"] = [d.to_dict() for d in self.secondary]
        if self.change_ideas:
            out["change_ideas"] = [c.to_dict() for c in self.change_ideas]
        return out


def _as_driver(value: Any, where: str) -> Driver:
    if isinstance(value, ChangeIdea):
        raise EquityKitError(
            f"The change idea {value.name!r} is listed as {where}, so it is under no driver. "
            "Put it in a driver's change_ideas=[...] instead."
        )
    if isinstance(value, Driver):
        return Driver(value.name, secondary=list(value.secondary), change_ideas=list(value.change_ideas), id=value.id)
    if isinstance(value, Mapping):
        if "status" in value and "secondary" not in value and "change_ideas" not in value:
            raise EquityKitError(
                f"{value.get('name', value)!r} has a status, so it looks like a change idea, but it is listed as "
                f"{where}: a change idea under no driver. Move it into a driver's change_ideas list."
            )
        item = check_keys(value, _DRIVER_KEYS, f"The driver {value.get('name', '')!r}", required=["name"])
        return Driver(**item)
    if isinstance(value, str):
        return Driver(value)
    raise EquityKitError(f"{where} should be a Driver, a name or a dict, not {type(value).__name__}.")


def _as_idea(value: Any, driver: str) -> ChangeIdea:
    if isinstance(value, ChangeIdea):
        return ChangeIdea(value.name, value.status, value.id, list(value.pdsa), list(value.measures), list(value.also),
                          value.idea)
    if isinstance(value, Driver):
        raise EquityKitError(
            f"{value.name!r} is a Driver listed among the change ideas of {driver!r}. "
            "Put drivers in secondary=[...] and change ideas in change_ideas=[...]."
        )
    if isinstance(value, Mapping):
        item = check_keys(value, _IDEA_KEYS, f"The change idea {value.get('name', '')!r} under {driver!r}",
                          required=["name"])
        return ChangeIdea(**item)
    if isinstance(value, str):
        return ChangeIdea(value)
    raise EquityKitError(f"A change idea under {driver!r} should be a ChangeIdea, a name or a dict, not {type(value).__name__}.")


class DriverDiagram(_Drawing):
    """A driver diagram: aim, primary drivers, secondary drivers and change ideas.

    Parameters
    ----------
    aim
        The aim statement (text, or an ``AimStatement``).
    primary
        Primary drivers: ``Driver`` objects (with ``secondary`` drivers and
        ``change_ideas``), names, or dicts with the same keys. Change ideas may
        sit under a secondary driver or directly under a primary driver.

    Raises
    ------
    EquityKitError
        For a change idea under no driver, a duplicated driver or change idea id,
        a third level of drivers, or an ``also`` link to a driver that does not exist.

    Example
    -------
    >>> dd = DriverDiagram("Cut racist incidents on the ward by 75% by March 2021", primary=[
    ...     Driver("Response to incidents", change_ideas=[ChangeIdea("Post-incident action plan", status="adopted")])])
    >>> dd.change_ideas[["change_idea", "status", "primary"]].values.tolist()
    [['Post-incident action plan', 'adopted', 'Response to incidents']]
    """

    def __init__(self, aim: Any, primary: Sequence[Any]) -> None:
        self.aim = as_text(getattr(aim, "sentence", aim), "The aim of the driver diagram", required=True)
        if isinstance(primary, (str, Mapping)) or not isinstance(primary, Sequence) or not primary:
            raise EquityKitError(
                "A driver diagram needs a list of primary drivers, e.g. primary=[Driver('Stigma', "
                "secondary=[...], change_ideas=[...])]."
            )
        self.primary = [_as_driver(p, "a primary driver") for p in primary]
        self._validate()

    def _validate(self) -> None:
        drivers: dict[str, str] = {}
        ideas: dict[str, str] = {}
        for p in self.primary:
            for d, where in [(p, "a primary driver")] + [(s, f"a secondary driver under {p.name!r}") for s in p.secondary]:
                if d.id in drivers:
                    raise EquityKitError(
                        f"The driver id {d.id!r} appears twice ({drivers[d.id]} and {where}). Give each driver its "
                        "own name or id; to link a change idea to two drivers, list it once and add also=[...]."
                    )
                drivers[d.id] = where
            for s in p.secondary:
                if s.secondary:
                    raise EquityKitError(
                        f"The secondary driver {s.name!r} has its own secondary drivers ({s.secondary[0].name!r}). "
                        "A driver diagram has two levels of drivers: move them up under a primary driver, "
                        "or make them change ideas."
                    )
            for owner, idea in self._ideas_with_owner(p):
                if idea.id in ideas:
                    raise EquityKitError(
                        f"The change idea {idea.id!r} appears twice (under {ideas[idea.id]!r} and {owner.name!r}). "
                        f"List it once; to link it to a second driver add also=[{owner.id!r}] to it."
                    )
                ideas[idea.id] = owner.name
        for p in self.primary:
            for _, idea in self._ideas_with_owner(p):
                for link in idea.also:
                    if link not in drivers and link not in {d.name for d in self._all_drivers()}:
                        raise EquityKitError(
                            f"The change idea {idea.name!r} links (also=) to a driver {link!r} that is not on the "
                            f"diagram.{did_you_mean(link, drivers)} The drivers are: "
                            f"{', '.join(repr(d) for d in drivers)}."
                        )

    @staticmethod
    def _ideas_with_owner(p: Driver) -> list[tuple[Driver, ChangeIdea]]:
        out = [(s, c) for s in p.secondary for c in s.change_ideas]
        return out + [(p, c) for c in p.change_ideas]

    def _all_drivers(self) -> list[Driver]:
        return [d for p in self.primary for d in [p, *p.secondary]]

    def _find_driver(self, key: str) -> Driver:
        for d in self._all_drivers():
            if key in (d.id, d.name):
                return d
        raise EquityKitError(f"There is no driver {key!r}.")  # pragma: no cover - validated earlier

    @property
    def table(self) -> pd.DataFrame:
        """One row per link in the diagram: columns ``primary``, ``secondary``, ``change_idea``, ``status``."""
        rows = []
        for p in self.primary:
            if not p.secondary and not p.change_ideas:
                rows.append((p.name, "", "", ""))
            for s in p.secondary:
                rows += [(p.name, s.name, c.name, c.status) for c in s.change_ideas] or [(p.name, s.name, "", "")]
            rows += [(p.name, "", c.name, c.status) for c in p.change_ideas]
        return pd.DataFrame(rows, columns=["primary", "secondary", "change_idea", "status"])

    @property
    def change_ideas(self) -> pd.DataFrame:
        """One row per change idea: ``id``, ``change_idea``, ``status``, ``driver``, ``primary``, ``pdsa``,
        ``measures`` and ``idea`` (its id on a programme's change-idea menu, or "")."""
        rows = []
        for p in self.primary:
            for owner, c in self._ideas_with_owner(p):
                rows.append((c.id, c.name, c.status, owner.name, p.name, ", ".join(c.pdsa), ", ".join(c.measures),
                             c.idea))
        return pd.DataFrame(rows, columns=["id", "change_idea", "status", "driver", "primary", "pdsa", "measures",
                                           "idea"])

    def idea(self, key: str) -> ChangeIdea:
        """Return the change idea with this id or name (to read or change its status)."""
        every = [c for p in self.primary for _, c in self._ideas_with_owner(p)]
        for c in every:
            if key in (c.id, c.name):
                return c
        names = [c.id for c in every]
        raise EquityKitError(f"There is no change idea {key!r}.{did_you_mean(key, names)} "
                             f"The change ideas are: {', '.join(repr(n) for n in names)}.")

    def set_status(self, key: str, status: str) -> None:
        """Record a change idea's status: "not tested", "testing", "adopted", "adapted" or "abandoned"."""
        idea = self.idea(key)
        idea.status = _status(status, idea.name)

    def _draw(self) -> alt.LayerChart:
        """Draw the diagram left to right: aim, primary and secondary drivers, change ideas.

        Change ideas are coloured by status; elbow connectors join each item to
        the driver it serves, dashed for ``also`` links. The height grows with the
        number of change ideas so 30 or more stay legible.
        """
        # (left, right, characters per line): about 900 px, a laptop screen with the file browser open
        cols = {"aim": (20, 190, 21), "primary": (215, 395, 22), "secondary": (420, 610, 24),
                "idea": (635, 885, 31)}
        header_h, pad = 50, 10
        nodes: list[dict[str, Any]] = []
        edges: list[dict[str, Any]] = []
        y = header_h

        def place(level: str, name: str, status: str, extra: dict[str, Any], centre: float | None,
                  min_h: float = 0) -> dict[str, Any]:
            nonlocal y
            x0, x1, chars = cols[level]
            label = wrap(name, chars)
            h = max(n_lines(label) * LINE_HEIGHT + 14, min_h)
            if centre is None:  # a leaf takes the next slot down
                centre = y + (h + pad) / 2
                y += h + pad
            row = {"part": level, "name": name, "label": label, "status": status, "x": x0, "x2": x1,
                   "y": centre - h / 2, "y2": centre + h / 2, "cx": (x0 + x1) / 2, "cy": centre, "h": h, **extra}
            nodes.append(row)
            y = max(y, row["y2"] + pad)
            return row

        def link(a: dict[str, Any], b: dict[str, Any], style: str = "solid") -> None:
            mid = b["x"] - 20
            edge = len(edges) // 4
            for k, (px, py) in enumerate([(a["x2"], a["cy"]), (mid, a["cy"]), (mid, b["cy"]), (b["x"], b["cy"])]):
                edges.append({"edge": edge, "order": k, "x": px, "y": py, "style": style})

        def box_height(level: str, name: str) -> float:
            return n_lines(wrap(name, cols[level][2])) * LINE_HEIGHT + 14

        def leaves(ideas: list[ChangeIdea], parent_h: float, extra: dict[str, Any]) -> list[dict[str, Any]]:
            # each idea's slot is tall enough that the parent box fits beside its ideas
            min_h = (parent_h - pad * (len(ideas) - 1)) / len(ideas) if ideas else 0
            return [place("idea", c.name, c.status, {"id": c.id, "pdsa": ", ".join(c.pdsa),
                                                      "measures": ", ".join(c.measures), **extra}, None, min_h)
                    for c in ideas]

        def parent_at(level: str, d: Driver, children: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
            centre = (children[0]["cy"] + children[-1]["cy"]) / 2 if children else None
            return place(level, d.name, "", extra, centre)

        primaries = []
        idea_nodes: dict[str, dict[str, Any]] = {}
        driver_nodes: dict[str, dict[str, Any]] = {}
        for p in self.primary:
            kids = []
            for s in p.secondary:
                ideas = leaves(s.change_ideas, box_height("secondary", s.name), {"driver": s.name, "primary": p.name})
                srow = parent_at("secondary", s, ideas, {"driver": p.name, "primary": p.name})
                for c, row in zip(s.change_ideas, ideas):
                    link(srow, row)
                    idea_nodes[c.id] = row
                driver_nodes[s.id] = srow
                kids.append(srow)
            direct = leaves(p.change_ideas, box_height("primary", p.name) if not kids else 0,
                            {"driver": p.name, "primary": p.name})
            for c, row in zip(p.change_ideas, direct):
                idea_nodes[c.id] = row
            prow = parent_at("primary", p, kids + direct, {"driver": "", "primary": p.name})
            for row in kids + direct:
                link(prow, row)
            driver_nodes[p.id] = prow
            primaries.append(prow)
            y += pad  # a little air between primary drivers
        for p in self.primary:
            for _, c in self._ideas_with_owner(p):
                for key in c.also:
                    link(driver_nodes[self._find_driver(key).id], idea_nodes[c.id], "dashed")
        aim = place("aim", self.aim, "", {"driver": "", "primary": ""},
                    (primaries[0]["cy"] + primaries[-1]["cy"]) / 2)
        for prow in primaries:
            link(aim, prow)
        height = max(y, aim["y2"] + pad) + 10
        width = cols["idea"][1] + 10

        frame = pd.DataFrame(nodes)
        for col in ("id", "pdsa", "measures"):
            if col not in frame:
                frame[col] = ""
        frame[["id", "pdsa", "measures"]] = frame[["id", "pdsa", "measures"]].fillna("")
        X, Y = pixel_x("x", width), pixel_y("y", height)
        fills = {"aim": PALETTE["improvement"], "primary": PALETTE["improvement"], "secondary": CATEGORY_COLOURS[4]}
        layers = []
        conn = pd.DataFrame(edges)
        for style, dash in (("solid", []), ("dashed", [5, 4])):
            part = conn[conn["style"] == style]
            if not part.empty:
                layers.append(alt.Chart(part).mark_line(color=PALETTE["line"], strokeWidth=1.5, strokeDash=dash)
                              .encode(X, Y, detail="edge:N", order="order:Q"))
        for level in ("aim", "primary", "secondary"):
            part = frame[frame["part"] == level]
            if not part.empty:
                layers.append(alt.Chart(part).mark_rect(
                    fill=fills[level], fillOpacity=0.35 if level == "aim" else 0.18, stroke=fills[level],
                    strokeWidth=1.5, cornerRadius=6).encode(X, Y, x2="x2:Q", y2="y2:Q", tooltip=["name:N"]))
        ideas = frame[frame["part"] == "idea"]
        if not ideas.empty:
            layers.append(alt.Chart(ideas).mark_rect(fillOpacity=0.45, stroke=PALETTE["data"], strokeWidth=1,
                                                     cornerRadius=6).encode(
                X, Y, x2="x2:Q", y2="y2:Q",
                color=alt.Color("status:N", scale=alt.Scale(domain=list(IDEA_STATUSES),
                                                            range=[_STATUS_COLOURS[s] for s in IDEA_STATUSES]),
                                legend=alt.Legend(title="Change idea status")),
                tooltip=["name:N", "status:N", "driver:N", alt.Tooltip("pdsa:N", title="PDSA cycles"),
                         "measures:N"]))
        frame["ty"] = frame["cy"] - (frame["label"].str.count("\n")) * LINE_HEIGHT / 2
        layers.append(alt.Chart(frame).mark_text(align="left", baseline="middle", lineBreak="\n", fontSize=_FONT,
                                                 lineHeight=LINE_HEIGHT, dx=8)
                      .encode(X, pixel_y("ty", height), text="label:N"))
        headers = pd.DataFrame([
            {"label": t, "x": cols[k][0], "y": 22}
            for k, t in (("aim", "Aim"), ("primary", "Primary drivers"), ("secondary", "Secondary drivers"),
                         ("idea", "Change ideas"))])
        layers.append(alt.Chart(headers).mark_text(align="left", fontSize=16, fontWeight="bold",
                                                   color=PALETTE["annotation"]).encode(X, Y, text="label:N"))
        return alt.layer(*layers).properties(width=width, height=height,
                                             title="Driver diagram")

    def to_dict(self) -> dict[str, Any]:
        return {"aim": self.aim, "primary": [p.to_dict() for p in self.primary]}

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        return dump_yaml(path, self.to_dict(),
                         header="equitykit driver diagram: status is not tested, testing, adopted, adapted or abandoned")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> DriverDiagram:
        """Load a driver diagram saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "driver diagram"), ["aim", "primary"],
                          f"The driver diagram file {str(path)!r}", required=["aim", "primary"])
        return cls(data["aim"], data["primary"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DriverDiagram) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        n = sum(len(self._ideas_with_owner(p)) for p in self.primary)
        return f"<DriverDiagram: {len(self.primary)} primary drivers, {n} change ideas>\nAim: {self.aim}"
