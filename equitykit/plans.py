"""Step 3: the aim statement, a checker for free-text aims, and the measurement plan.

An equity aim names the outcome that is unequal, the group experiencing it,
how much it will change and by when. ``AimStatement`` builds one from its parts;
``check_aim`` reads a team's own sentence and says which of the four elements it
lacks, with a friendly reason for each (never a ready-made answer). A
``MeasurementPlan`` lists outcome, process and balancing measures and suggests
the SPC chart for each.

Example
-------
>>> import equitykit as ek
>>> aim = ek.AimStatement("referrals to talking therapies", "Black men aged 18-25",
...                       baseline=1.5, target=1.8, by_when="December 2023")
>>> aim.sentence
'Increase referrals to talking therapies for Black men aged 18-25 from 1.5% to 1.8% by December 2023.'
>>> ek.check_aim("Improve access").missing
['group', 'how much', 'by when']
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from ._drawing import table_html
from ._yaml import as_choice, as_text, check_keys, dump_yaml, load_yaml
from .validation import EquityKitError

__all__ = [
    "AimStatement",
    "AimCheck",
    "check_aim",
    "AIM_ELEMENTS",
    "Measure",
    "MeasurementPlan",
    "PlanCheck",
    "MEASURE_TYPES",
    "DATA_KINDS",
]

# ------------------------------------------------------------------ aim statement

AIM_ELEMENTS = ("inequity", "group", "how much", "by when")

_REASONS = {
    "inequity": (
        "Say which outcome is unequal, the thing you will measure: for example referrals, "
        "waiting times, recovery, missed appointments or incidents."
    ),
    "group": (
        "Name the group who experience the inequity (for example by ethnicity, age, sex, "
        "sexual orientation, disability or deprivation). An aim that names no group can raise "
        "the average and leave the gap as wide as before."
    ),
    "how much": (
        "Say how much: a number, ideally from where you are now to where you want to be "
        "(from ... to ...), or a change such as 'by a half'."
    ),
    "by when": "Give a date to aim for (a month and year, or a day), so the team knows when to judge it.",
}


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass
class AimStatement:
    """An aim built from its parts: what, for whom, how much and by when.

    Parameters
    ----------
    what
        The outcome that is unequal, e.g. "referrals to talking therapies".
    group
        The group experiencing the inequity, e.g. "Black men aged 18-25".
    baseline, target
        Where the measure is now and where the team aims to get it (in ``unit``).
        Give ``target`` alone for "to 50%", or ``change`` alone for "by 50%".
    unit
        "%" (the default, written without a space) or words, e.g. "incidents a fortnight".
    by_when
        E.g. "December 2023" or "31 March 2024".
    improvement
        "increase" or "decrease"; worked out from baseline and target when both are given.
    change
        A relative change in ``unit`` ("reduce ... by 50%"), instead of baseline and target.
    link
        The word joining the outcome and the group: "for" (default), "against", "among".

    Example
    -------
    >>> AimStatement("recorded incidents", "LGBTQ+ patients on an inpatient ward", change=50,
    ...              improvement="decrease", by_when="December 2023", link="against").sentence
    'Reduce recorded incidents against LGBTQ+ patients on an inpatient ward by 50% by December 2023.'
    """

    what: str
    group: str
    baseline: float | None = None
    target: float | None = None
    unit: str = "%"
    by_when: str = ""
    improvement: str | None = None
    change: float | None = None
    link: str = "for"

    def __post_init__(self) -> None:
        self.what = as_text(self.what, "The aim's 'what' (the outcome that is unequal)", required=True)
        self.group = as_text(self.group, "The aim's group (who experiences the inequity)", required=True)
        self.by_when = as_text(self.by_when, "by_when")
        if not self.by_when:
            raise EquityKitError(
                "The aim has no date: add by_when='December 2023' (a month and year, or a day) "
                "so the team knows when to judge it."
            )
        for name in ("baseline", "target", "change"):
            value = getattr(self, name)
            if value is not None:
                try:
                    setattr(self, name, float(value))
                except (TypeError, ValueError):
                    raise EquityKitError(f"The aim's {name} should be a number, not {value!r}.") from None
        if self.target is None and self.change is None:
            raise EquityKitError(
                "The aim does not say how much: give target= (and ideally baseline=), or change= "
                "for a relative change such as 50 (%)."
            )
        self.unit = as_text(self.unit, "unit")
        self.link = as_text(self.link, "link") or "for"
        if self.improvement is None and self.baseline is not None and self.target is not None:
            if self.target == self.baseline:
                raise EquityKitError("The aim's target equals its baseline: an aim should change something.")
            self.improvement = "increase" if self.target > self.baseline else "decrease"
        if self.improvement is None:
            raise EquityKitError(
                "Say which way the aim goes: improvement='increase' or improvement='decrease' "
                "(it cannot be worked out without both a baseline and a target)."
            )
        improvement = str(self.improvement).strip().lower()
        improvement = {"reduce": "decrease", "raise": "increase", "lower": "decrease"}.get(improvement, improvement)
        if improvement not in ("increase", "decrease"):
            raise EquityKitError(f"improvement={self.improvement!r} should be 'increase' or 'decrease'.")
        self.improvement = improvement
        if self.baseline is not None and self.target is not None:
            if (self.target > self.baseline) != (improvement == "increase"):
                raise EquityKitError(
                    f"The aim says {improvement} but goes from {_fmt(self.baseline)} to {_fmt(self.target)}: "
                    "check the numbers or the improvement."
                )

    def _amount(self, value: float) -> str:
        return f"{_fmt(value)}{self.unit}" if self.unit in ("%", "") else f"{_fmt(value)} {self.unit}"

    @property
    def sentence(self) -> str:
        """The aim as one sentence."""
        verb = "Increase" if self.improvement == "increase" else "Reduce"
        if self.target is not None and self.baseline is not None:
            if self.unit in ("%", ""):
                how = f"from {self._amount(self.baseline)} to {self._amount(self.target)}"
            else:
                how = f"from {_fmt(self.baseline)} to {self._amount(self.target)}"
        elif self.target is not None:
            how = f"to {self._amount(self.target)}"
        else:
            how = f"by {self._amount(self.change)}"  # type: ignore[arg-type]
        return f"{verb} {self.what} {self.link} {self.group} {how} by {self.by_when}."

    def check(self) -> AimCheck:
        """Check the sentence with ``check_aim`` (a built aim should pass)."""
        return check_aim(self.sentence)

    def __str__(self) -> str:
        return self.sentence

    def _repr_html_(self) -> str:
        return f"<p style='font-size:1.15em'><b>Aim:</b> {_escape(self.sentence)}</p>"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        return dump_yaml(path, self.to_dict(), header="equitykit aim statement")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> AimStatement:
        """Load an aim saved with ``to_yaml`` (or written by hand)."""
        allowed = [f.name for f in fields(cls)]
        data = check_keys(load_yaml(path, "aim statement"), allowed, f"The aim file {str(path)!r}",
                          required=["what", "group"])
        return cls(**data)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


# Words that name an outcome or measure which can be unequal between groups.
_OUTCOME = re.compile(
    r"\b(referr\w*|access\w*|recover\w*|rates?|incidents?|screen\w*|uptake|wait\w*|dnas?|did not attend|"
    r"missed appointments?|attend\w*|admissions?|readmissions?|restraint|seclusion|experience|satisfaction|"
    r"outcomes?|engage\w*|complet\w*|discharges?|vaccin\w*|immuni[sz]\w*|mortality|deaths?|length of stay|"
    r"detentions?|complaints?|harm|violence|racis\w*|assaults?|inequalit\w*|gaps?|disparit\w*|"
    r"represent\w*|appointments?|contacts?|assessments?|treatment|therap\w*|follow[- ]ups?|"
    r"prescri\w*|diagnos\w*|use of|proportion|percentage|numbers? of|scores?|employment|housing)\b",
    re.IGNORECASE,
)
_GROUP = re.compile(
    r"(lgbtq?i?a?\+|\b(black|asian|white|bangladeshi|pakistani|indian|chinese|somali|caribbean|african|arab|turkish|"
    r"kurdish|polish|roma|gypsy|travell?ers?|mixed heritage|mixed ethnic\w*|ethnic[- ]minorit\w*|"
    r"minority ethnic|minoriti[sz]ed|bame|global majority|ethnicit\w*|"
    r"women|men|girls|boys|females?|males?|mothers|fathers|trans|non-binary|"
    r"lgbt\w*|gay|lesbian|bisexual|queer|"
    r"aged|ages|older (people|adults)|young (people|adults)|younger|children|adolescents|teenagers|"
    r"over[- ]\d{2}s?|under[- ]\d{2}s?|"
    r"deprived|deprivation|low[- ]income|poverty|homeless\w*|unemployed|imd|decile|quintile|"
    r"disabled|disabilit\w*|autis\w*|learning difficult\w*|"
    r"deaf|blind|refugees?|asylum|migrants?|interpreters?|non-english|carers|veterans|prisoners|"
    r"muslim|jewish|sikh|hindu|religio\w*)\b|\b\d{1,2}\s*(-|–|to)\s*\d{1,2}\s*(years?|yrs?|year-olds?)\b)",
    re.IGNORECASE,
)
_AGE_RANGE = re.compile(
    r"\b(aged|ages?)\s+(from\s+)?\d{1,2}\s*(-|–|to)\s*\d{1,2}(\s*(years?|yrs?)( old)?)?|"
    r"\b\d{1,2}\s*(-|–)\s*\d{1,2}\s*(years?|yrs?|year-olds?)\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(
    r"(\d+(\.\d+)?\s*(%|per ?cent\b|percentage points?\b|pp\b)|"
    r"\bfrom\s+\d+(\.\d+)?\b.{0,30}?\bto\s+\d+(\.\d+)?|"
    r"\bby\s+\d+(\.\d+)?(\s*%|\b)(?!\s*(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))|"
    r"\b(halve|halving|double|doubling|treble|triple|by (a |one[- ])?(half|third|quarter))\b|"
    r"\b(zero|no more than \d+|fewer than \d+|at least \d+)\b|"
    r"\d+(\.\d+)?\s*times)",
    re.IGNORECASE,
)
_MONTH = r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)"
_BY_WHEN = re.compile(
    rf"(\b(by|before|until|in|end of|within)\s+(the\s+end\s+of\s+)?{_MONTH}\b(\s+(19|20)\d{{2}}\b)?|"
    rf"\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}\b(\s+(19|20)\d{{2}}\b)?|"
    rf"\b{_MONTH}\s+(\d{{1,2}}(st|nd|rd|th)?,?\s+)?(19|20)\d{{2}}\b|"
    r"\b(19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bq[1-4]\b|"
    r"\b(within|in|over)\s+(the\s+next\s+)?(\d+|one|two|three|four|six|twelve|eighteen)\s+(weeks?|months?|years?)\b)",
    re.IGNORECASE,
)


@dataclass
class AimCheck:
    """What ``check_aim`` found: ``.ok``, ``.missing``, ``.reasons`` and ``.table``.

    ``missing`` lists the elements the aim lacks, in the order of ``AIM_ELEMENTS``;
    ``reasons`` maps each missing element to a friendly hint; ``found`` maps each
    element found to the words that showed it.
    """

    text: str
    missing: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the aim names the inequity, the group, how much and by when."""
        return not self.missing

    @property
    def table(self) -> pd.DataFrame:
        """One row per element: ``element``, ``present``, ``found`` (the words) and ``hint``."""
        return pd.DataFrame(
            [(e, e not in self.missing, self.found.get(e, ""), self.reasons.get(e, "")) for e in AIM_ELEMENTS],
            columns=["element", "present", "found", "hint"],
        )

    @property
    def reading(self) -> str:
        if self.ok:
            return "This aim names the inequity, the group, how much and by when."
        return "This aim is missing: " + ", ".join(self.missing) + ". " + " ".join(
            self.reasons[m] for m in self.missing
        )

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"<AimCheck ok={self.ok} missing={self.missing}>\n{self.reading}"

    def _repr_html_(self) -> str:
        shown = self.table.assign(present=self.table["present"].map({True: "yes", False: "not yet"}))
        return table_html(shown, "Aim check", self.reading)


def check_aim(text: str) -> AimCheck:
    """Check a free-text aim for the four elements of an equity aim.

    The four elements are: names the inequity (the outcome that is unequal), names
    the group, says how much (a number: a %, "from X to Y", "by 50%") and by when
    (a date, month or year). The check is a reading aid based on word patterns,
    not a judgement of the aim; it gives a hint for each element missing and never
    writes the aim for you.

    Returns
    -------
    AimCheck
        ``.ok`` (bool), ``.missing`` (list of element names from ``AIM_ELEMENTS``),
        ``.reasons`` (element -> hint), ``.found`` (element -> the words found), ``.table``.

    Example
    -------
    >>> res = check_aim("Increase screening by 10%")
    >>> res.ok, res.missing
    (False, ['group', 'by when'])
    """
    text = as_text(text, "The aim")
    found: dict[str, str] = {}
    if m := _OUTCOME.search(text):
        found["inequity"] = m.group(0)
    if m := _GROUP.search(text):
        found["group"] = m.group(0)
    # age ranges such as "aged 18-25 years" are a group, not an amount or a date
    without_ages = _AGE_RANGE.sub(" ", text)
    dates = list(_BY_WHEN.finditer(without_ages))
    if dates:
        found["by when"] = dates[0].group(0).strip()
    # blank out the dates so "by 31 March 2024" is not read as an amount
    without_dates = _BY_WHEN.sub(" ", without_ages)
    if m := _HOW_MUCH.search(without_dates):
        found["how much"] = m.group(0).strip()
    missing = [e for e in AIM_ELEMENTS if e not in found]
    return AimCheck(text=text, missing=missing, reasons={e: _REASONS[e] for e in missing}, found=found)


# ------------------------------------------------------------------ measurement plan

MEASURE_TYPES = ("outcome", "process", "balancing")
DATA_KINDS = ("classification", "count", "rate", "continuous", "rare event")
_KIND_ALIASES = {
    "proportion": "classification", "percentage": "classification", "binary": "classification",
    "yes/no": "classification", "counts": "count", "measurement": "continuous", "variable": "continuous",
    "rare": "rare event", "rare events": "rare event", "rare-event": "rare event", "rare_event": "rare event",
}
_CHART_NAMES = {"p": "P chart", "c": "C chart", "u": "U chart", "i": "I chart (with a moving-range chart)",
                "xbar": "Xbar chart (with an S chart)", "g": "G chart", "t": "T chart"}


@dataclass
class Measure:
    """One measure in a measurement plan.

    Parameters
    ----------
    name
        Short name, e.g. "Racist incidents per fortnight".
    type
        "outcome", "process" or "balancing".
    data_kind
        "classification" (each case yes/no, e.g. % screened), "count" (events),
        "rate" (events per bed days, etc.), "continuous" (a measurement, e.g. days
        waited), or "rare event" (events too rare to count per period).
    definition, numerator, denominator, source, frequency, owner
        The operational definition and where, how often and by whom it is collected.
        For a count, a denominator is the area of opportunity (e.g. occupied bed days);
        for a rare event, the opportunities between events (e.g. admissions).
    subgroup_size
        Measurements per period for continuous data (more than 1 suggests an Xbar chart).

    Example
    -------
    >>> Measure("Racist incidents per fortnight", "outcome", "count").suggest_chart()
    'c'
    """

    name: str
    type: str
    data_kind: str = ""
    definition: str = ""
    numerator: str = ""
    denominator: str = ""
    source: str = ""
    frequency: str = ""
    owner: str = ""
    subgroup_size: int = 1

    def __post_init__(self) -> None:
        self.name = as_text(self.name, "A measure's name", required=True)
        self.type = as_choice(self.type, f"Measure {self.name!r}", "type", MEASURE_TYPES)
        self.data_kind = as_choice(self.data_kind, f"Measure {self.name!r}", "data_kind", DATA_KINDS,
                                   aliases=_KIND_ALIASES, optional=True)
        for name in ("definition", "numerator", "denominator", "source", "frequency", "owner"):
            setattr(self, name, as_text(getattr(self, name), f"The {name} of measure {self.name!r}"))
        try:
            self.subgroup_size = int(self.subgroup_size)
        except (TypeError, ValueError):
            raise EquityKitError(f"subgroup_size of measure {self.name!r} should be a whole number.") from None
        if self.subgroup_size < 1:
            raise EquityKitError(f"subgroup_size of measure {self.name!r} should be 1 or more.")

    def suggest_chart(self) -> str:
        """The SPC chart for this measure: "p", "c", "u", "i", "xbar", "g" or "t".

        classification -> P; count -> C (U when a denominator gives a varying area of
        opportunity); rate -> U; continuous -> I (Xbar with subgroups); rare event ->
        G when opportunities between events are counted (a denominator), else T (time
        between events). Raises EquityKitError if ``data_kind`` is not set.
        """
        return self._suggest()[0]

    def _suggest(self) -> tuple[str, str]:
        kind = self.data_kind
        if not kind:
            raise EquityKitError(
                f"Measure {self.name!r} has no data_kind, so no chart can be suggested. Set data_kind to one of "
                f"{', '.join(repr(k) for k in DATA_KINDS)}."
            )
        if kind == "classification":
            return "p", "each case is counted yes or no out of a denominator"
        if kind == "count":
            if self.denominator:
                return "u", f"events counted over an area of opportunity that varies ({self.denominator})"
            return "c", "events counted in equal periods with the same area of opportunity"
        if kind == "rate":
            return "u", "events per unit of an area of opportunity that varies"
        if kind == "continuous":
            if self.subgroup_size > 1:
                return "xbar", f"measurements in subgroups of {self.subgroup_size}"
            return "i", "one measurement at a time"
        if self.denominator:
            return "g", f"rare events: count the {self.denominator} between events"
        return "t", "rare events: the time between events"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None) and not (k == "subgroup_size" and v == 1)}


@dataclass
class PlanCheck:
    """What ``MeasurementPlan.check`` found: ``.ok``, ``.missing`` types and ``.gaps`` per measure."""

    missing: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    gaps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the plan has at least one outcome, process and balancing measure."""
        return not self.missing

    @property
    def reading(self) -> str:
        text = ("The plan has outcome, process and balancing measures." if self.ok
                else " ".join(self.reasons[m] for m in self.missing))
        if self.gaps:
            text += " Still to fill in: " + "; ".join(f"{k} ({', '.join(v)})" for k, v in self.gaps.items()) + "."
        return text

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"<PlanCheck ok={self.ok} missing={self.missing}>\n{self.reading}"

    def _repr_html_(self) -> str:
        return f"<p>{_escape(self.reading)}</p>"


_TYPE_REASONS = {
    "outcome": "Add an outcome measure: the result for the group that the aim is about (e.g. the % referred).",
    "process": "Add a process measure: whether the change ideas are happening as planned.",
    "balancing": (
        "Add a balancing measure: something that could get worse because of the changes "
        "(e.g. waits for other groups, staff time)."
    ),
}


class MeasurementPlan:
    """Outcome, process and balancing measures for a QI project.

    Parameters
    ----------
    measures
        ``Measure`` objects or dicts with the same keys.
    aim
        Optional: the aim (text or ``AimStatement``) the plan serves.

    Example
    -------
    >>> plan = MeasurementPlan([Measure("% of referrals for Black men 18-25", "outcome", "classification")])
    >>> plan.check().missing
    ['process', 'balancing']
    """

    def __init__(self, measures: Sequence[Any], aim: Any = "") -> None:
        if isinstance(measures, (str, dict)) or not isinstance(measures, Sequence):
            raise EquityKitError("A measurement plan needs a list of measures, e.g. [Measure('...', 'outcome', 'count')].")
        allowed = [f.name for f in fields(Measure)]
        clean = []
        for i, m in enumerate(measures, start=1):
            if isinstance(m, Measure):
                clean.append(Measure(**asdict(m)))
            elif isinstance(m, dict):
                clean.append(Measure(**check_keys(m, allowed, f"Measure {i} ({m.get('name', '')!r})",
                                                  required=["name", "type"])))
            else:
                raise EquityKitError(f"Measure {i} should be a Measure or a dict, not {type(m).__name__}.")
        names = [m.name for m in clean]
        for name in names:
            if names.count(name) > 1:
                raise EquityKitError(f"The measure {name!r} appears twice in the plan: give each measure its own name.")
        self.measures = clean
        self.aim = as_text(getattr(aim, "sentence", aim), "The plan's aim")

    def add(self, measure: Measure | dict[str, Any]) -> None:
        """Add a measure to the plan."""
        self.__init__([*self.measures, measure], self.aim)  # type: ignore[misc]

    def check(self) -> PlanCheck:
        """Report measure types the plan lacks (it needs at least one of each) and empty details."""
        have = {m.type for m in self.measures}
        missing = [t for t in MEASURE_TYPES if t not in have]
        gaps = {}
        for m in self.measures:
            empty = [k for k in ("definition", "source", "frequency", "owner", "data_kind") if not getattr(m, k)]
            if empty:
                gaps[m.name] = empty
        return PlanCheck(missing=missing, reasons={t: _TYPE_REASONS[t] for t in missing}, gaps=gaps)

    def suggest_chart(self) -> pd.DataFrame:
        """The suggested SPC chart per measure: columns ``measure``, ``data_kind``, ``chart``, ``chart_name``, ``why``."""
        rows = []
        for m in self.measures:
            chart, why = m._suggest() if m.data_kind else ("", "set data_kind to get a suggestion")
            rows.append((m.name, m.data_kind, chart, _CHART_NAMES.get(chart, ""), why))
        return pd.DataFrame(rows, columns=["measure", "data_kind", "chart", "chart_name", "why"])

    @property
    def table(self) -> pd.DataFrame:
        """One row per measure with every field and the suggested ``chart``."""
        frame = pd.DataFrame([asdict(m) for m in self.measures], columns=[f.name for f in fields(Measure)])
        frame.insert(3, "chart", self.suggest_chart()["chart"].to_numpy() if self.measures else [])
        return frame

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        return dump_yaml(path, {"aim": self.aim, "measures": [m.to_dict() for m in self.measures]},
                         header="equitykit measurement plan: type is outcome, process or balancing")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> MeasurementPlan:
        """Load a plan saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "measurement plan"), ["aim", "measures"],
                          f"The measurement plan file {str(path)!r}", required=["measures"])
        return cls(data["measures"], aim=data.get("aim") or "")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MeasurementPlan) and self.measures == other.measures and self.aim == other.aim

    def __repr__(self) -> str:
        return f"<MeasurementPlan: {len(self.measures)} measures>\n{self.check().reading}"

    def _repr_html_(self) -> str:
        shown = self.table[["name", "type", "data_kind", "chart", "definition", "source", "frequency", "owner"]]
        return table_html(shown, "Measurement plan", self.check().reading)
