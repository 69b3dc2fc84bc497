"""Step 2: the three-part data review, as a checklist with what was found.

To understand an equity gap a team looks in three places: (1) service and
public-health data, (2) the people who work with and support the population
(staff, voluntary and community organisations) and (3) people with lived
experience. ``DataReview`` starts with a few prompts for each part and records
what the team found and where.

Example
-------
>>> import equitykit as ek
>>> review = ek.DataReview("Missed appointments and deprivation")
>>> review.record("service", "Who misses appointments, by deprivation decile?",
...               found="Most deprived fifth miss more often", source="Appointments extract")
>>> review.parts_done()
['service']
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ._drawing import table_html
from ._yaml import as_text, check_keys, dump_yaml, load_yaml
from .validation import EquityKitError
from .wording import did_you_mean

__all__ = ["DataReview", "ReviewItem", "REVIEW_PARTS"]

REVIEW_PARTS = {
    "service": "Service and public-health data",
    "supporters": "People who work with and support the population",
    "lived experience": "People with lived experience",
}
_PART_ALIASES = {
    "service data": "service", "data": "service", "public health": "service", "public-health data": "service",
    "service and public-health data": "service", "staff": "supporters", "supporting": "supporters",
    "support": "supporters", "community": "supporters", "people who support": "supporters",
    "lived": "lived experience", "lived_experience": "lived experience", "service users": "lived experience",
    "experience": "lived experience",
}

_PROMPTS = {
    "service": [
        "Who uses the service, disaggregated by age, sex, ethnicity, deprivation and other groups?",
        "How does that compare with the local population (public-health data)?",
        "Which outcomes differ between groups, and which group is the reference?",
    ],
    "supporters": [
        "What do staff who work with the group see and think drives the gap?",
        "What do voluntary and community organisations know that the service does not?",
    ],
    "lived experience": [
        "What do people from the group say about using (or not using) the service?",
        "What would make a difference to them?",
    ],
}


def _part(value: Any) -> str:
    key = as_text(value, "The review part").lower()
    key = _PART_ALIASES.get(key, key)
    for short, long in REVIEW_PARTS.items():
        if key == long.lower():
            return short
    if key not in REVIEW_PARTS:
        raise EquityKitError(
            f"{value!r} is not a part of the data review. Use one of "
            f"{', '.join(repr(p) for p in REVIEW_PARTS)}.{did_you_mean(key, list(REVIEW_PARTS))}"
        )
    return key


@dataclass
class ReviewItem:
    """One question in the data review, with what was found and where."""

    part: str
    question: str
    found: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        self.part = _part(self.part)
        self.question = as_text(self.question, "A review question", required=True)
        self.found = as_text(self.found, f"What was found for {self.question!r}")
        self.source = as_text(self.source, f"The source for {self.question!r}")

    @property
    def done(self) -> bool:
        return bool(self.found)


class DataReview:
    """The three-part data review: a checklist of questions with what was found in each part.

    Parameters
    ----------
    topic
        The equity gap under review, e.g. "Referrals of young Black men to talking therapies".
    items
        ``ReviewItem`` objects or dicts (part, question, found, source). By default
        a few starting prompts for each of the three parts.

    Example
    -------
    >>> DataReview("Screening by age").table["part"].unique().tolist()
    ['Service and public-health data', 'People who work with and support the population', 'People with lived experience']
    """

    def __init__(self, topic: str = "", items: list[Any] | None = None) -> None:
        self.topic = as_text(topic, "The review's topic")
        if items is None:
            items = [ReviewItem(p, q) for p, qs in _PROMPTS.items() for q in qs]
        allowed = ["part", "question", "found", "source"]
        clean = []
        for i, item in enumerate(items, start=1):
            if isinstance(item, ReviewItem):
                clean.append(ReviewItem(**asdict(item)))
            elif isinstance(item, dict):
                clean.append(ReviewItem(**check_keys(item, allowed, f"Review item {i}", required=["part", "question"])))
            else:
                raise EquityKitError(f"Review item {i} should be a ReviewItem or a dict, not {type(item).__name__}.")
        self.items = clean

    def record(self, part: str, question: str, found: str, source: str = "") -> None:
        """Record what was found for a question in a part; a new question is added to the list."""
        key = _part(part)
        for item in self.items:
            if item.part == key and item.question.lower() == as_text(question, "question").lower():
                item.found = as_text(found, "found")
                item.source = as_text(source, "source") or item.source
                return
        self.items.append(ReviewItem(key, question, found, source))

    def parts_done(self) -> list[str]:
        """The parts with at least one finding recorded."""
        return [p for p in REVIEW_PARTS if any(i.part == p and i.done for i in self.items)]

    def parts_to_do(self) -> list[str]:
        """The parts with nothing found yet."""
        return [p for p in REVIEW_PARTS if p not in self.parts_done()]

    @property
    def table(self) -> pd.DataFrame:
        """One row per question: ``part``, ``question``, ``done``, ``found``, ``source``."""
        order = list(REVIEW_PARTS)
        items = sorted(self.items, key=lambda i: order.index(i.part))
        return pd.DataFrame(
            [(REVIEW_PARTS[i.part], i.question, "yes" if i.done else "", i.found, i.source) for i in items],
            columns=["part", "question", "done", "found", "source"],
        )

    @property
    def reading(self) -> str:
        todo = self.parts_to_do()
        if not todo:
            return "All three parts of the data review have findings."
        done = len(REVIEW_PARTS) - len(todo)
        return (f"{done} of 3 parts have findings. Still to look at: "
                + "; ".join(REVIEW_PARTS[p].lower() for p in todo) + ".")

    def to_yaml(self, path: str | os.PathLike[str]) -> Path:
        """Save to a YAML file (written atomically); return the path."""
        items = [{k: v for k, v in asdict(i).items() if v} for i in self.items]
        return dump_yaml(path, {"topic": self.topic, "items": items},
                         header="equitykit data review: part is service, supporters or lived experience")

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> DataReview:
        """Load a review saved with ``to_yaml`` (or written by hand)."""
        data = check_keys(load_yaml(path, "data review"), ["topic", "items"], f"The data review file {str(path)!r}")
        return cls(data.get("topic") or "", data.get("items") or [])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataReview) and self.topic == other.topic and self.items == other.items

    def __repr__(self) -> str:
        return f"<DataReview: {self.topic or 'untitled'}, {len(self.items)} questions>\n{self.reading}"

    def _repr_html_(self) -> str:
        return table_html(self.table, f"Data review: {self.topic}" if self.topic else "Data review", self.reading)
