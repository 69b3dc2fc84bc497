"""Self-checks for the notebooks' exercises: a friendly "yes" or a specific hint.

``check(exercise_id, answer)`` never raises and never shows the answer. It looks
at properties of what the learner made (the groups in a table, the shape of a
chart's limits, the parts of a list) rather than comparing with a stored
answer; where a literal answer cannot be avoided it is kept as a digest.

Example
-------
>>> import equitykit as ek
>>> ek.check("00_effect", ...).message
'Replace the ... with your answer, then run this cell again.'
>>> bool(ek.check("00_effect", "narrowed"))
True
"""
from __future__ import annotations

import hashlib
import html
import math
import numbers
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .lens import effect_on_gap  # the arithmetic of 'narrowed, maintained or widened' lives with the lens

__all__ = ["check", "CheckResult", "EXERCISES", "effect_on_gap"]

# Set in CI when running the SOURCE notebooks: a rejected solution then fails the run.
STRICT_ENV = "EQUITYKIT_STRICT_CHECKS"

STUB_MESSAGE = "Replace the ... with your answer, then run this cell again."


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a self-check: ``passed`` and a message for the learner.

    Shown in a notebook as a green "Yes - ..." or an amber hint.
    """

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message if self.passed else f"Not yet - {self.message}"

    def _repr_html_(self) -> str:
        if self.passed:
            colour, border, icon, text = "#E8F4EC", "#009E73", "&#10004;", self.message
        else:
            colour, border, icon, text = "#FFF4E0", "#E69F00", "&#9998;", f"Not yet - {self.message}"
        return (
            f"<div class='equitykit-check' data-passed='{str(self.passed).lower()}' "
            f"style='background:{colour};border-left:6px solid {border};padding:0.5em 0.8em;"
            f"font-size:1.05em;color:#1A1A1A'>{icon} {html.escape(text)}</div>"
        )


@dataclass(frozen=True)
class Exercise:
    id: str
    notebook: str
    prompt: str
    checker: Callable[..., tuple[bool, str]]


EXERCISES: dict[str, Exercise] = {}


def _exercise(id: str, notebook: str, prompt: str) -> Callable:
    def register(fn: Callable[..., tuple[bool, str]]) -> Callable[..., tuple[bool, str]]:
        EXERCISES[id] = Exercise(id, notebook, prompt, fn)
        return fn

    return register


def check(exercise_id: str, answer: Any = ..., **context: Any) -> CheckResult:
    """Check a learner's answer to one exercise; return a pass or a hint.

    Parameters
    ----------
    exercise_id
        The exercise's name, as the notebook gives it (e.g. ``"01_by_age"``).
    answer
        What the learner made: a number, a word, a list, or a kit result.
    **context
        Anything the check needs to judge the answer, e.g. ``data=appts``.

    Returns
    -------
    CheckResult
        ``passed`` (also its truth value) and ``message``: "Yes - ..." or a hint.
        It never contains the answer, and a wrong type gives a hint, not an error.

    Example
    -------
    >>> check("00_gap_after", 8).passed
    False
    """
    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        names = ", ".join(sorted(EXERCISES))
        result = CheckResult(exercise_id, False, f"There is no exercise called {exercise_id!r}. The exercises are: {names}.")
    elif _has_ellipsis(answer):
        result = CheckResult(exercise_id, False, STUB_MESSAGE)
    else:
        try:
            passed, message = exercise.checker(answer, **context)
        except Exception as exc:  # a learner's odd answer must give a hint, not a traceback
            passed, message = False, (
                f"This answer could not be checked ({type(exc).__name__}: {exc}). "
                f"Look again at what the exercise asks for: {exercise.prompt}"
            )
        result = CheckResult(exercise_id, bool(passed), message)
    if not result.passed and os.environ.get(STRICT_ENV, "") not in ("", "0"):
        raise AssertionError(f"exercise {exercise_id}: the solution was rejected: {result.message}")
    return result


# --- helpers -----------------------------------------------------------------

def _has_ellipsis(answer: Any) -> bool:
    if answer is Ellipsis:
        return True
    if isinstance(answer, Mapping):
        return any(_has_ellipsis(v) for v in answer.values())
    if isinstance(answer, (list, tuple, set)):
        return any(v is Ellipsis for v in answer)
    return False


def _digest(text: str) -> str:
    return hashlib.sha256(f"equitykit:{text}".encode()).hexdigest()[:16]


def _word(answer: Any) -> str:
    """Normalise a one-word answer: lower case, no spaces, quotes or full stops."""
    return re.sub(r"[^a-z0-9]+", " ", str(answer).lower()).strip()


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return None
    value = float(answer)
    return None if math.isnan(value) else value


def _table(answer: Any) -> pd.DataFrame | None:
    table = getattr(answer, "table", None)
    return table if isinstance(table, pd.DataFrame) else None


def _options(answer: Any) -> dict:
    options = getattr(answer, "options", None)
    return dict(options) if isinstance(options, Mapping) else {}


def _find_column(table: pd.DataFrame, *candidates: str, containing: str | None = None) -> str | None:
    for name in candidates:
        if name in table.columns:
            return name
    if containing:
        for name in table.columns:
            if containing in str(name):
                return str(name)
    return None


def _label(value: Any) -> str:
    """A group label as text, so 1, 1.0 and "1" all compare equal."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def _is_chart(answer: Any) -> bool:
    """An Altair chart (what ``.chart()`` gives), not a kit result."""
    return _table(answer) is None and any(
        cls.__module__.split(".")[0] == "altair" for cls in type(answer).__mro__
    )


def _is_summary(answer: Any) -> bool:
    return isinstance(answer, pd.DataFrame) and hasattr(answer, "reading")


def _not_a_result(answer: Any, name: str, function: str) -> str | None:
    """The hint when the answer is a chart, a summary or something else, not a kit result."""
    if _is_chart(answer):
        return (f"This is the chart, not the result: remove `.chart()` from the end of the line that "
                f"makes {name}, run that cell again, then run this check.")
    if _is_summary(answer):
        return (f"This is the summary table, not the result: remove `.summary()` from the end of the line "
                f"that makes {name}, run that cell again, then run this check.")
    if _table(answer) is None:
        return f"{name} should be the result of {function}: put `{name} = ` in front of the {function} line and run it."
    return None


_EFFECT_WORDS = {
    "narrowed": {"narrowed", "narrow", "narrows", "narrowing", "closed", "smaller", "reduced", "shrank", "shrunk",
                 "decreased", "fell", "closing"},
    "maintained": {"maintained", "maintain", "maintains", "maintaining", "same", "kept", "unchanged", "stayed the same"},
    "widened": {"widened", "widen", "widens", "widening", "bigger", "larger", "grew", "increased"},
}
# Words a learner may wrap the verdict in ("the gap narrowed"), and words that turn it round ("did not narrow").
_NEGATIONS = {"not", "no", "never", "didn", "didnt", "hasn", "hasnt", "wasn", "wasnt", "isn", "isnt", "nt", "neither"}


def _as_effect(answer: Any) -> str | None:
    """The verdict a learner wrote: one of the words, or a short sentence with one verdict and no negation."""
    word = _word(answer)
    for effect, words in _EFFECT_WORDS.items():
        if word in words:
            return effect
    tokens = set(word.replace("n t ", "nt ").split())
    if tokens & _NEGATIONS or len(tokens) > 8:
        return None
    found = {effect for effect, words in _EFFECT_WORDS.items() if tokens & words}
    return found.pop() if len(found) == 1 else None


# --- 00 start here -------------------------------------------------------------

# The published cervical screening story: % screened, before and after the project.
SCREENING_STORY = {"24-49": (54.0, 68.0), "50-64": (62.0, 71.0)}


def _screening_gaps() -> tuple[float, float]:
    (young_before, young_after), (older_before, older_after) = SCREENING_STORY.values()
    return abs(older_before - young_before), abs(older_after - young_after)


@_exercise("00_gap_after", "00_start_here", "the gap between the two age groups after the project, in percentage points (a number).")
def _check_gap_after(answer: Any) -> tuple[bool, str]:
    value = _number(answer)
    if value is None:
        if isinstance(answer, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*%?\s*", answer):
            return False, "Nearly: write the number without quotation marks (and without %), e.g. gap_after = 10 - 4."
        return False, "The answer should be a number of percentage points, e.g. gap_after = 10 - 4."
    before, after = _screening_gaps()
    if abs(value - after) <= 0.5:
        return True, "Yes - the gap is now much smaller than the 8 points it was at the start."
    if abs(value + after) <= 0.5:
        return False, "Right size, wrong sign: a gap is the distance between the groups, so take the smaller figure from the larger."
    if abs(value - before) <= 0.5:
        return False, "That is the gap before the project. Use the two 'after' figures."
    if 0 < abs(value) < 1:
        return False, "Work in percentage points (e.g. 50 - 45 = 5), not fractions."
    changes = {abs(a - b) for b, a in SCREENING_STORY.values()}
    if any(abs(value - c) <= 0.5 for c in changes):
        return False, "That is how much one group improved. The gap compares the two groups at the same time, after the project."
    if any(abs(value - v) <= 0.5 for pair in SCREENING_STORY.values() for v in pair):
        return False, "That is one group's figure, not a gap: take one group's 'after' figure from the other's."
    return False, "Take the 24-49 group's 'after' figure from the 50-64 group's 'after' figure."


@_exercise("00_effect", "00_start_here", "one word: narrowed, maintained or widened.")
def _check_effect(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, 'Write one word in quotation marks: "narrowed", "maintained" or "widened".'
    effect = _as_effect(answer)
    if effect is None:
        return False, 'Use one of the three words: "narrowed", "maintained" or "widened".'
    truth = effect_on_gap(*_screening_gaps())
    if effect == truth:
        return True, "Yes - both groups improved and the gap between them shrank: the project narrowed it."
    if effect == "widened":
        return False, "Both groups improved. Did the younger group catch up, or fall further behind? Compare the gap before and after."
    return False, "The gap did not stay the same size: compare the 8-point gap before with the gap after."


# --- 01 identify the gap ---------------------------------------------------------

@_exercise("01_by_age", "01_identify_the_gap", "ek.disaggregate(...) of the appointments by age band, with the best-outcome group as the reference.")
def _check_by_age(answer: Any, data: pd.DataFrame | None = None, column: str = "age_band") -> tuple[bool, str]:
    hint = _not_a_result(answer, "by_age", "ek.disaggregate(...)")
    if hint:
        return False, hint
    table = _table(answer)
    group_col = _find_column(table, "group", containing="group")
    if group_col is None or "is_reference" not in table.columns:
        return False, "This does not look like the result of ek.disaggregate(...): use that function."
    outcome = getattr(answer, "outcome", None)
    if isinstance(outcome, str) and outcome != "dna":
        return False, f'The outcome should be the missed appointments: outcome="dna", not {outcome!r}.'
    groups = {_label(g) for g in table[group_col]}
    by = getattr(answer, "by", None)
    by = [by] if isinstance(by, str) else list(by or [])
    if by and by != [column]:
        return False, f"These groups come from {', '.join(map(repr, by))}: set by= to the age band column, {column!r}."
    if data is not None and column in data.columns:
        wanted = {_label(g) for g in data[column].dropna().unique()}
        if not wanted <= groups:
            return False, "These groups are not the age bands: set by= to the appointments' age band column."
    rate_col = _find_column(table, "rate")
    refs = table[table["is_reference"].astype(bool)]
    if len(refs) != 1:
        return False, 'Compare every age band with one group, the one with the best outcome: reference="best".'
    reference = getattr(answer, "reference", None)
    if isinstance(reference, str) and reference not in ("best",) and rate_col is None:
        return False, 'The reference should be the group with the best outcome: reference="best".'
    if rate_col is not None:
        rates = pd.to_numeric(table[rate_col], errors="coerce")
        ref_rate = float(refs[rate_col].iloc[0])
        if math.isclose(ref_rate, float(rates.max()), rel_tol=1e-9, abs_tol=1e-12) and len(rates) > 1:
            return False, ('The reference is the age band that misses the MOST appointments: tell the kit that fewer '
                           'missed appointments is better, improvement="decrease".')
        if not math.isclose(ref_rate, float(rates.min()), rel_tol=1e-9, abs_tol=1e-12):
            return False, 'The reference should be the group with the best outcome (the fewest missed appointments): reference="best".'
    improvement = getattr(answer, "improvement", None)
    if isinstance(improvement, str) and improvement not in ("decrease", "lower"):
        return False, 'Tell the kit that fewer missed appointments is better: improvement="decrease".'
    return True, "Yes - every age band is compared with the group that misses the fewest appointments."


@_exercise("01_under_represented", "01_identify_the_gap", "the name of the group most under-represented in referrals, as text.")
def _check_under_represented(answer: Any, result: Any = None) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, 'Write the group\'s name in quotation marks, exactly as it appears in the table, e.g. "Mixed".'
    table = _table(result)
    if table is None:
        if _is_chart(result):
            return False, "rep_groups is a chart: remove `.chart()` from the end of the line that makes it, and run that cell again."
        return False, ("First make the table: in the cell above, copy the line that made rep, change "
                       'by="ethnicity" to by="ethnic_group", put it after rep_groups = and run it.')
    group_col = _find_column(table, "group", containing="group")
    ratio_col = _find_column(table, "representation_ratio", "ratio", containing="ratio")
    if group_col is None or ratio_col is None:
        return False, "The table has no representation ratio to compare: pass the result of ek.representation(...)."
    ratios = pd.to_numeric(table[ratio_col], errors="coerce")
    labels = table[group_col].map(_label)
    if len(labels) > 8 and {"asian", "black"} - set(labels):
        # the detailed groups (e.g. rep by "ethnicity"): the exercise asks for the broad ones
        return False, 'This table has the detailed groups. Make it with by="ethnic_group" (White, Mixed, Asian, Black, Other).'
    given = _word(answer)
    by_word = {_word(v): v for v in labels}
    if given not in by_word:
        import difflib

        close = difflib.get_close_matches(given, list(by_word), n=1, cutoff=0.75)
        if close:
            return False, f"{answer.strip()!r} is not in the table's group column: check the spelling (did you mean {by_word[close[0]].title()!r}?)."
        return False, "That is not one of the groups in the table: copy a name from its group column."
    chosen = by_word[given]
    lowest = labels[ratios.idxmin()]
    highest = labels[ratios.idxmax()]
    if chosen == lowest:
        return True, "Yes - that group's share of referrals is furthest below its share of the local population."
    if chosen == highest:
        return False, "That group is the most over-represented. Look for the smallest representation ratio."
    if float(ratios[labels == chosen].iloc[0]) >= 1:
        return False, "That group's ratio is 1 or more, so it is not under-represented. Which group has the smallest ratio?"
    return False, "That group is under-represented, but not the most. Which group has the smallest ratio?"


# --- 02 understand the gap ---------------------------------------------------------

REVIEW_SLOTS = ("figures", "people who support", "lived experience")
_SLOT_ALIASES = {
    "figures": "figures", "figure": "figures", "data": "figures", "service": "figures", "numbers": "figures", "service data": "figures",
    "people who support": "people who support", "supporters": "people who support", "support": "people who support",
    "people who support them": "people who support", "staff": "people who support",
    "lived experience": "lived experience", "lived": "lived experience", "people with lived experience": "lived experience",
}
# What each slot is about, in words a novice uses. Patterns match at word starts.
_FIGURE_WORDS = re.compile(
    r"\b(rates?|ratios?|percent\w*|proportions?|counts?|counting|numbers?|how many|data\w*|figures?|statistic\w*|"
    r"stats|audits?|records?|dashboards?|reports?|trends?|breakdown|split|disaggregat\w*|imd|decile\w*|quintile\w*|"
    r"census|fingertips|spreadsheets?|extracts?|ons|nhs digital|totals?|averages?|metrics?|kpis?|"
    r"dna rates?|appointment (list|log|system)s?|booking system|emis|systmone|rio|charts?|spc|"
    r"public[- ]health|attendance|waiting (times?|lists?)|"
    r"(by|per|for each|across) (postcode|team|age|ethnic\w*|decile|deprivation|area|gp|practice|clinic|month|week|"
    r"ward|sex|gender|imd|service|group|neighbourhood|year))\b|%"
)
_VOICE_WORDS = re.compile(
    r"\b(talk\w*|speak\w*|spoke|interview\w*|focus groups?|stor(y|ies)|listen\w*|ask\w*|conversations?|"
    r"feedback|complaints?|compliments|surveys?|questionnaires?|lived experience|own words|voices?|"
    r"experts? by experience|co-?design\w*|co-?produc\w*|workshops?|forums?|panels?|"
    r"patient participation|ppg|hear\w*|say|said|tell|told|quotes?)\b"
)
_PEOPLE_WORDS = re.compile(
    r"\b(patients?|service users?|users of|people (who|that|from|living|in|with|experiencing)|those who|"
    r"individuals?|residents?|families|family|parents?|mothers?|fathers?|women|men|young people|"
    r"people affected|clients?|members of the public|public|community members?|local people|"
    r"people who (miss|missed|did not|didn't|don't|do not|have missed)|non-attenders?|did not attend|"
    r"lived experience|experts? by experience|homeless people|refugees?|asylum seekers?|themselves|people)\b"
)
_SUPPORT_WORDS = re.compile(
    r"\b(staff|reception\w*|receptionists?|gps?|doctors?|nurses?|clinicians?|consultants?|therapists?|"
    r"colleagues?|managers?|admin\w*|workers?|carers?|care ?givers?|volunteers?|voluntary|charit\w*|"
    r"third sector|community (groups?|organi[sz]ations?|leaders?|centres?|workers?|partners?)|"
    r"organi[sz]ations?|faith|church\w*|mosques?|temples?|gurdwaras?|synagogues?|imams?|link workers?|"
    r"social prescribers?|health visitors?|midwi\w*|pharmac\w*|housing|shelters?|food banks?|"
    r"peer support\w*|advocates?|advocacy|interpreters?|schools?|teachers?|councils?|local authority|"
    r"outreach|team|teams|practice managers?|partners?|citizens advice|job ?centres?|police|"
    r"support groups?|social workers?|hostels?|healthwatch|professionals?|key ?workers?|"
    r"people (who|that) (work|support|help)\w*|people working)\b"
)


def _review_kind(text: str) -> str | None:
    """Which part of a data review a few words describe, or None when they do not say."""
    low = f" {text.lower()} "
    figures = _FIGURE_WORDS.search(low)
    voice = _VOICE_WORDS.search(low)
    people = _PEOPLE_WORDS.search(low)
    support = _SUPPORT_WORDS.search(low)
    if "lived experience" in low and not figures:
        return "lived experience"
    if figures and not voice:
        return "figures"
    if people and support:
        return "lived experience" if people.start() < support.start() else "people who support"
    if people:
        return "lived experience"
    if support:
        return "people who support"
    if voice:
        return "lived experience"
    return "figures" if figures else None


_SLOT_SAYS = {
    "figures": "figures: a rate, count or set of records you would look at (the numbers)",
    "people who support": "people who support: staff or groups who work with the people affected",
    "lived experience": "lived experience: how you would hear from the people affected themselves, in their own words",
}


def _review_slots(answer: Mapping) -> tuple[dict[str, list], str | None]:
    slots: dict[str, list] = {}
    unknown = []
    for key, value in answer.items():
        slot = _SLOT_ALIASES.get(_word(key).replace("_", " "))
        if slot is None:
            unknown.append(str(key))
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            return {}, f'Put the {slot} slot\'s answers in quotation marks inside square brackets, e.g. ["..."].'
        slots.setdefault(slot, []).extend(items)
    missing = [s for s in REVIEW_SLOTS if s not in slots]
    if missing or unknown:
        names = ", ".join(f'"{s}"' for s in REVIEW_SLOTS)
        extra = f" ({unknown[0]!r} is not one of them: check its spelling)" if unknown else ""
        return {}, f"Keep the dictionary's three names on the left, {names}, and fill in the right{extra}."
    return slots, None


@_exercise("02_review_parts", "02_understand_the_gap",
           'a dictionary with a few words in each of "figures", "people who support" and "lived experience".')
def _check_review_parts(answer: Any) -> tuple[bool, str]:
    if callable(getattr(answer, "parts_to_do", None)):  # an ek.DataReview with findings recorded
        todo = answer.parts_to_do()
        if not todo:
            return True, "Yes - all three parts of the review have findings: each sees what the others miss."
        return False, f"One part has no findings yet: {todo[0]}. Record what you found there."
    if not isinstance(answer, Mapping):
        return False, ('Keep the dictionary from the cell, with its three names: {"figures": ["..."], '
                       '"people who support": ["..."], "lived experience": ["..."]}.')
    slots, problem = _review_slots(answer)
    if problem:
        return False, problem
    for slot in REVIEW_SLOTS:
        texts = [t for t in slots[slot] if isinstance(t, str) and t.strip() and t.strip() != "..."]
        if len(texts) < len(slots[slot]) and not texts:
            return False, f'Write a few words in quotation marks in the "{slot}" slot (replace its "...").'
        if not texts:
            return False, f'The "{slot}" slot is empty: add at least one thing in quotation marks.'
        kinds = [(t, _review_kind(t)) for t in texts]
        for text, kind in kinds:
            if kind is not None and kind != slot:
                return False, (f'"{text}" is in the "{slot}" slot but sounds like {kind}. Move it to the '
                               f'"{kind}" slot, and put in "{slot}" {_SLOT_SAYS[slot].split(": ", 1)[1]}.')
        if not any(kind == slot for _, kind in kinds):
            return False, (f'I cannot tell what "{texts[0]}" is. Say more in the "{slot}" slot: '
                           f"{_SLOT_SAYS[slot].split(': ', 1)[1]}.")
    return True, "Yes - numbers, the people around the population, and lived experience: each sees what the others miss."


@_exercise("02_fishbone", "02_understand_the_gap", "ek.Fishbone(effect=..., causes={category: [causes]}) with at least three categories.")
def _check_fishbone(answer: Any) -> tuple[bool, str]:
    if _is_chart(answer):
        return False, "This is the drawing, not the fishbone: remove `.chart()` from the end of the cell, run it again, then run this check."
    effect = getattr(answer, "effect", None)
    causes = getattr(answer, "causes", None)
    if effect is None or causes is None:
        return False, "Make a fishbone with ek.Fishbone(effect=..., causes={...}) and give it a name."
    texts = [effect, *(causes.keys() if isinstance(causes, Mapping) else [])]
    texts += [c for v in (causes.values() if isinstance(causes, Mapping) else []) for c in (v or [])]
    if any(isinstance(t, str) and t.strip() in ("...", "") for t in texts):
        return False, "Replace each ... with your own words (keep the quotation marks), then run both cells again."
    if not isinstance(effect, str) or len(effect.split()) < 3:
        return False, "Write the effect (the gap) as a short sentence at the head of the fish, e.g. who is affected and how."
    if not isinstance(causes, Mapping) or len(causes) < 3:
        return False, "Use at least three categories of cause (for example communication, access, knowledge)."
    empty = [str(k) for k, v in causes.items() if not v]
    if empty:
        return False, f"Each category needs at least one cause; add some under: {', '.join(empty)}."
    return True, "Yes - a fishbone with causes grouped into categories. Which causes would service users add?"


# --- 03 strategy and change ideas ---------------------------------------------------

# The case: cervical screening, women aged 24-49 (54%) behind women aged 50-64 (62%).
_AIM_CASE = {"behind": "24-49", "ahead": "50-64", "baseline": 54.0, "ahead_rate": 62.0}
_BEHIND = re.compile(r"\b24\s*(-|–|to|and)\s*49\b|\bunder\s*50s?\b|\byounger\b|\b(aged )?(25|24)\s*(-|–|to)\s*49\b")
_AHEAD = re.compile(r"\b50\s*(-|–|to|and)\s*64\b|\bover\s*50s?\b|\bolder\b")
_UP = re.compile(r"\b(increas\w*|rais\w*|improv\w*|boost\w*|lift\w*|grow\w*|more|higher|up|uptake to|reach\w*|get)\b")
_DOWN = re.compile(r"\b(reduc\w*|decreas\w*|lower\w*|cut\w*|fewer|less|drop\w*|fall\w*|halv\w*)\b")
_GAP = re.compile(r"\b(gap|inequalit\w*|difference|disparit\w*)\b")
_SCREEN = re.compile(r"\b(screen\w*|smears?|cervical|uptake|coverage|tests?)\b")
_FROM_TO = re.compile(r"\bfrom\s+(\d+(?:\.\d+)?)\s*%?.{0,25}?\bto\s+(\d+(?:\.\d+)?)\s*%?")


def _aim_fields(answer: Any) -> dict | None:
    """An aim's parts from an AimStatement, an AimCheck or a sentence."""
    if all(hasattr(answer, a) for a in ("what", "group", "by_when")):
        return {
            "text": str(getattr(answer, "sentence", "")), "what": str(answer.what), "group": str(answer.group),
            "baseline": getattr(answer, "baseline", None), "target": getattr(answer, "target", None),
            "improvement": getattr(answer, "improvement", None), "change": getattr(answer, "change", None),
            "by_when": str(answer.by_when), "built": True,
        }
    text = getattr(answer, "text", answer) if not isinstance(answer, str) else answer
    if not isinstance(text, str):
        return None
    return {"text": text, "built": False}


_SHRINK_GAP = re.compile(
    r"\b(clos\w*|narrow\w*|reduc\w*|halv\w*|shrink\w*|cut\w*|decreas\w*|lower\w*|tackl\w*)\s+(\w+\s+){0,4}?"
    r"(gap|inequalit\w*|difference|disparit\w*)")
_NOT_SCREENED = re.compile(r"\b(not (being )?screened|unscreened|never screened|overdue|not attending|non-?attend\w*|missed)\b")


def _aim_direction_text(low: str) -> bool | None:
    """True when a sentence raises the group's screening (or shrinks the gap), False when it lowers it."""
    if _SHRINK_GAP.search(low):
        return True
    up, down = _UP.search(low), _DOWN.search(low)
    if down and (up is None or down.start() < up.start()):
        return bool(_NOT_SCREENED.search(low))
    if up:
        return not bool(_NOT_SCREENED.search(low))
    return None


@_exercise("03_aim", "03_strategy_and_change_ideas",
           "an aim for the screening gap (an ek.AimStatement or a sentence): the group behind, how much, and by when.")
def _check_aim(answer: Any) -> tuple[bool, str]:
    fields = _aim_fields(answer)
    if fields is None or (not fields["built"] and len(fields["text"].split()) < 4):
        return False, ('Write your aim as a sentence in quotation marks, e.g. "To increase ... for ... from ...% to ...% by ...", '
                       "or build it with ek.AimStatement(...) as shown above.")
    import equitykit

    low = fields["text"].lower()
    if fields["built"]:
        what, where = fields["what"].lower(), fields["group"].lower()
        shrinking_gap = bool(_GAP.search(what))
        improvement = fields["improvement"]
        raises = (improvement == "decrease") if shrinking_gap else (improvement == "increase")
        pairs = [(fields["baseline"], fields["target"])] if fields["target"] is not None else []
    else:
        found = equitykit.check_aim(fields["text"])
        missing = [m for m in found.missing if m not in ("inequity", "group")]
        if missing:
            return False, f"Your aim still needs its '{missing[0]}'. {found.reasons.get(missing[0], '')}".strip()
        what, where = low, low
        shrinking_gap = bool(_SHRINK_GAP.search(low))
        raises = _aim_direction_text(low)
        pairs = [(float(a), float(b)) for a, b in _FROM_TO.findall(low)]
    if not _SCREEN.search(what):
        return False, "Say what will improve: the aim is about cervical screening."
    behind, ahead = _BEHIND.search(where), _AHEAD.search(where)
    if behind is None and ahead is not None:
        return False, ("This aim lifts the women aged 50-64, who are already ahead: an aim for a gap raises the group "
                       "that is behind.")
    if behind is None:
        return False, "Name the group the gap leaves behind, by its age band, so everyone knows whom the aim is for."
    if ahead is not None and not shrinking_gap and re.search(
            r"^[\s\w]{0,12}(\band\b|&|,|\bor\b)", where[min(behind.end(), ahead.end()):max(behind.start(), ahead.start())]):
        return False, ("This aim lifts both age groups alike, which keeps the gap as it is: aim for the group behind, "
                       "or say how far the gap should narrow.")
    if ahead is not None and ahead.start() < behind.start() and not shrinking_gap:
        return False, ("This aim starts with the women aged 50-64, who are already ahead: make the women the gap "
                       "leaves behind the ones whose screening rises.")
    for start, end in pairs:
        if end is None:
            continue
        if end > 100:
            return False, "A target above 100% cannot be reached: choose a percentage up to 100."
        if start is None:
            continue
        if shrinking_gap and end < start and start <= _AIM_CASE["ahead_rate"] - _AIM_CASE["baseline"] + 0.5:
            continue  # the gap itself, e.g. "from 8 to 3 points"
        if abs(start - _AIM_CASE["ahead_rate"]) < 0.5:
            return False, "62% is where the women aged 50-64 start. Start from the figure for the group behind."
        base = _AIM_CASE["baseline"]
        if abs(start * 100 - base) < 0.5 and end <= 1:
            return False, f"Write the percentages as whole numbers, e.g. {base:g} for {base:g}%, not {start:g}."
        if abs(start - base) > 0.5:
            return False, ("Start from where the women aged 24-49 are now: the figure given for them above, "
                           "the start of the gap.")
        if end <= start:
            return False, "The target is lower than where the group starts: an aim for this gap raises their screening."
    if raises is None:
        return False, "Say which way screening should go for the group behind, e.g. increase."
    if not raises:
        return False, ("This aim would lower screening. For this gap the group behind should be screened more: "
                       "say that screening goes up.")
    return True, "Yes - the aim names the group behind, raises their screening towards the others', says how much and by when."


_MEASURE_TYPES = {
    "referrals_share": _digest("referrals_share=outcome"),
    "fear_score": _digest("fear_score=process"),
    "wait": _digest("wait=balancing"),
}
_MEASURE_HINTS = {
    "referrals_share": "the share of referrals for ethnic-minority women is what the aim is about.",
    "fear_score": "each woman's fear score tells you whether the care itself is working, step by step.",
    "wait": "the wait for a first appointment is where a change could cause harm somewhere else.",
}


def _measure_type(value: Any) -> str | None:
    words = set(_word(value).split())
    found = [t for t in ("outcome", "process", "balancing", "balance") if words & {t, f"{t}s", f"{t}es"}]
    if len(found) != 1:
        return None
    return "balancing" if found[0] == "balance" else found[0]


@_exercise("03_measure_types", "03_strategy_and_change_ideas", 'a dictionary giving each measure the type "outcome", "process" or "balancing".')
def _check_measure_types(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, Mapping):
        return False, 'Keep the dictionary from the cell: {"referrals_share": "...", "fear_score": "...", "wait": "..."}.'
    missing = [k for k in _MEASURE_TYPES if k not in answer]
    if missing:
        return False, f"The dictionary lost a measure: {', '.join(missing)}. Keep all three names on the left."
    types = {k: _measure_type(v) for k, v in answer.items() if k in _MEASURE_TYPES}
    unknown = [k for k, v in types.items() if v is None]
    if unknown:
        return False, f'Give {unknown[0]} one of the words "outcome", "process" or "balancing", in quotation marks.'
    wrong = [k for k, v in types.items() if _digest(f"{k}={v}") != _MEASURE_TYPES[k]]
    if not wrong:
        return True, "Yes - one of each: the outcome the aim names, a process measure, and a balancing measure to catch harm."
    return False, f"Look again at {wrong[0]}: {_MEASURE_HINTS[wrong[0]]}"


# --- 04 test changes -----------------------------------------------------------------

# The chart suggested for each kind of measure (as in MeasurementPlan).
_CHART_FOR_KIND = {"classification": "p", "count": "c", "continuous": "i", "rare events": "g"}
_CHART_HINTS = {
    "c": "a C chart counts events when there is no denominator; here each month has a number of people out of a total.",
    "u": "a U chart is for events per unit of exposure (e.g. incidents per 1,000 bed days), not people out of a total.",
    "i": "an I chart suits single measurements such as a waiting time; a percentage of people out of a total has its own chart.",
    "run": "a run chart is a fine start, but with a numerator and a denominator each month an SPC chart can show limits.",
    "g": "a G chart counts the cases between rare events.",
    "t": "a T chart measures the time between rare events.",
    "xbar": "an Xbar chart is for several measurements in each period, such as waiting times.",
    "mr": "a moving-range chart shows how much single measurements jump from one to the next.",
}


@_exercise("04_chart_choice", "04_test_changes", 'the SPC chart type, as text (e.g. "c"), for a percentage of people each month.')
def _check_chart_choice(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, 'Write the chart type in quotation marks, e.g. "run" or "c".'
    text = re.sub(r"^\s*chart\s*=\s*", "", answer.strip(), flags=re.IGNORECASE)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]  # quotation marks typed inside the quotation marks: "'p'"
    word = re.sub(r"\b(an?|the|spc|charts?)\b", " ", _word(text.replace("'", " prime")))
    word = re.sub(r"\s+", " ", word).strip()
    word = {"xmr": "i", "p prime": "pp", "u prime": "up", "x": "i", "individuals": "i", "proportion": "p"}.get(word, word)
    if word in (_CHART_FOR_KIND["classification"], "pp"):
        return True, "Yes - people out of a total each month is a proportion: a P chart, with limits that move with the month's total."
    if word in _CHART_HINTS:
        return False, f"Not that one: {_CHART_HINTS[word]}"
    if word in ("percentage", "percentages", "percent", "rate", "ratio"):
        return False, 'Nearly: which chart type is made for people out of a total each month? Write its letter, e.g. "c".' 
    return False, 'Use one of the chart types, in quotation marks: "run", "i", "c", "u", "p", "g", "t".'


def _spc_data_hint(options: dict, want: dict[str, str | None], name: str) -> str | None:
    for role, column in want.items():
        given = options.get(role)
        if given != column:
            if role == "n" and column is None:
                continue
            what = {"x": "the dates", "y": "the measure", "n": "the total each point is out of"}[role]
            if given is None:
                return f"Give {role}= as well: {what}."
            return f"{role}={given!r} is not {what} for {name}: look at the data's columns again and choose the one for {role}=."
    return None


def _spc_answer(answer: Any, name: str, data: str, want: dict[str, str | None],
                what: str) -> tuple[pd.DataFrame | None, dict, str | None]:
    """The opening checks of an ``ek.spc(...)`` exercise: a result, of an SPC chart, from the right columns.

    Returns the answer's table, its options and the first hint (None when the answer passes these checks);
    ``name`` is the learner's variable, ``data`` the frame the notebook named, ``what`` the data in words.
    """
    hint = _not_a_result(answer, name, "ek.spc(...)")
    if hint:
        return None, {}, hint
    table, options = _table(answer), _options(answer)
    if "cl" not in table.columns:
        return table, options, f"This is not an SPC chart's result: make {name} with ek.spc({data}, ...)."
    return table, options, _spc_data_hint(options, want, what) if options else None


def _direction_hint(options: dict, better: str, *, reversed_hint: str, unsaid_hint: str) -> str | None:
    """The hint when improvement= is the wrong way round, or left out of a kit result (which records it)."""
    improvement = options.get("improvement")
    if improvement in ("increase", "decrease") and improvement != better:
        return reversed_hint
    if options and improvement != better:
        return unsaid_hint
    return None


def _chart_kind(table: pd.DataFrame, options: dict) -> str | None:
    chart = options.get("chart")
    if isinstance(chart, str):
        return chart
    rows = table.dropna(subset=["cl"])
    if "ucl" not in rows.columns or rows["ucl"].isna().all():
        return "run"
    spread = (rows["ucl"] - rows["cl"]).to_numpy(dtype=float)
    expected = 3 * rows["cl"].clip(lower=0).pow(0.5).to_numpy(dtype=float)
    return "c" if all(abs(s - e) < 1e-6 for s, e in zip(spread, expected)) else None


def _phases(table: pd.DataFrame) -> int:
    return int(table["phase"].nunique()) if "phase" in table.columns else 1


_WARD_PHASES = {"baseline", "testing", "after changes"}


@_exercise("04_ward_chart", "04_test_changes",
           "ek.spc(...) of the ward's racist incidents: a C chart, a phase for each stage, fewer is better, PDSA cycles marked.")
def _check_ward_chart(answer: Any) -> tuple[bool, str]:
    table, options, hint = _spc_answer(answer, "ward_chart", "ward", {"x": "fortnight_start", "y": "incidents"},
                                       "the ward")
    if hint:
        return False, hint
    kind = _chart_kind(table, options)
    if kind == "run":
        return False, 'A run chart has no limits: choose chart="c" for counts of incidents.'
    if kind != "c":
        return False, 'These limits are not those of a C chart: choose chart="c" for counts of incidents each fortnight.'
    if _phases(table) < 2:
        if options.get("freeze") is not None:
            return False, 'freeze= judges everything against the first points; here each stage gets its own limits: use phase="phase" instead.'
        return False, 'Give each stage of the project its own limits: add phase="phase".'
    if "phase_label" in table.columns:
        labels = {_label(v) for v in table["phase_label"].dropna().unique()}
        if labels and not labels <= _WARD_PHASES:
            return False, 'phase= should be the column that names each stage (baseline, testing, after changes): phase="phase".'
    rows = table.dropna(subset=["cl"])
    first, last = rows.groupby("phase", sort=False)["cl"].mean().iloc[[0, -1]]
    if not last < first:
        return False, "The centre line should fall from the first phase to the last; check y= is the incidents column."
    hint = _direction_hint(options, "decrease",
                           reversed_hint='Fewer racist incidents is better: improvement="decrease", not "increase".',
                           unsaid_hint='Tell the kit which way is better: fewer incidents, improvement="decrease".')
    if hint:
        return False, hint
    notes = getattr(answer, "annotations", None)
    if isinstance(notes, pd.DataFrame) and notes.empty:
        return False, "Mark the PDSA cycles on the chart: add annotations=pdsa.annotations()."
    return True, "Yes - a C chart with its limits recalculated for each phase and the PDSA cycles marked: the centre line falls after the changes."


# --- 05 implement and sustain -----------------------------------------------------------

@_exercise("05_frozen", "05_implement_and_sustain", "ek.spc(...) of the early-intervention P chart with its limits frozen on the baseline months.")
def _check_frozen(answer: Any, data: pd.DataFrame | None = None) -> tuple[bool, str]:
    table, options, hint = _spc_answer(answer, "frozen", "ei",
                                       {"x": "month", "y": "ethnic_minority_users", "n": "service_users"},
                                       "the early-intervention service")
    if hint:
        return False, hint
    kind = options.get("chart")
    if kind == "run" or ("ucl" in table.columns and pd.to_numeric(table["ucl"], errors="coerce").isna().all()):
        return False, 'A run chart has no limits to freeze: use a P chart, chart="p".'
    if kind is not None and kind not in ("p", "pp"):
        return False, f'chart="{kind}" is not the chart for people out of a total each month: use chart="p".'
    if kind is None:
        ucl = pd.to_numeric(table["ucl"], errors="coerce")
        if ucl.round(12).nunique() == 1:
            return False, 'These limits do not move with each month\'s total: use chart="p", with the people as y= and the total as n=.'
    phased = _phases(table) > 1
    baseline_col = _find_column(table, "baseline")
    freeze = options.get("freeze")
    if baseline_col is None or (options and freeze is None):
        if phased:
            return False, "Here the limits are frozen, not phased: leave out phase= and add freeze= with the number of baseline months."
        return False, "Add freeze= with the number of baseline months, so the limits come from the baseline only."
    if phased:
        return False, ("With phase= as well, each later phase gets limits of its own, so nothing is judged against the "
                       "baseline: remove phase= and keep freeze=.")
    n_baseline = int(table[baseline_col].astype(bool).sum())
    if n_baseline == len(table):
        return False, "Every point is in the baseline: freeze the limits on the baseline months only, with freeze=."
    if data is not None and "phase" in data.columns:
        wanted = int((data["phase"].astype("string").str.lower() == "baseline").sum())
        if n_baseline != wanted:
            return False, ("Freeze the limits on the baseline months: count the rows whose phase is baseline "
                           "(the cell above counts them), and use that number as freeze=.")
    if table["cl"].nunique() != 1:
        return False, "With frozen limits there is one centre line for the whole chart: leave out phase= here."
    hint = _direction_hint(
        options, "increase",
        reversed_hint='More people from ethnic-minority backgrounds is the aim: improvement="increase", not "decrease".',
        unsaid_hint='Tell the kit which way is better: more people reached, improvement="increase".')
    if hint:
        return False, hint
    return True, "Yes - the limits come from the baseline months and carry on, so every later month is judged against the starting point."


_SUSTAIN_PLANNED = {
    "standardisation": ("standard", "polic", "procedure", "protocol"),
    "documentation": ("document", "write", "written", "flow chart", "record"),
    "measurement": ("measur", "chart", "monitor", "data"),
    "resources": ("resourc", "fund", "money", "budget", "staffing"),
    "the social side of change": ("social", "culture", "people side", "engage", "service user"),
}


@_exercise("05_sustain_missing", "05_implement_and_sustain", "the one sustain activity the team has not planned, in a word or two.")
def _check_sustain_missing(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (list, tuple)) and len(answer) == 1 and isinstance(answer[0], str):
        return False, 'Write just the words in quotation marks, without square brackets, e.g. "documentation".'
    if not isinstance(answer, str) or not answer.strip():
        return False, 'Write the activity in quotation marks, e.g. "documentation".'
    low = answer.lower()
    training = re.compile(r"\b(train\w*|teach\w*|educat\w*|induct\w*|learning|skills?)\b")
    if training.search(low):
        # a list that hedges ("documentation and training") names a planned activity as well
        for part in re.split(r",|;|&|/|\band\b|\bor\b", low):
            planned = [a for a, stems in _SUSTAIN_PLANNED.items() if any(st in part for st in stems)]
            if planned and not training.search(part):
                return False, (f"One of those is right, but the team has already planned {planned[0]}: give just "
                               "the one activity missing from their plan.")
        return True, "Yes - without training, new staff will not know the new way of working, and the gains slip."
    for activity, stems in _SUSTAIN_PLANNED.items():
        if any(s in low for s in stems):
            return False, f"The team has already planned {activity}. Which activity on the checklist is not in their plan?"
    return False, "Compare the team's plan with the sustain checklist above: which activity is missing?"


# --- 06 bring your own data ---------------------------------------------------------------

# Column names that say "which group a row is in", not what was measured.
_GROUPING_NAME = re.compile(
    r"(decile|quintile|band|group|ethnic|sex|gender|\bage\b|^age|team|ward|site|postcode|lsoa|practice|area|"
    r"region|category|type|code|(^|_|\b)id$|_id\b|name|language|religion|disabilit)",
    re.IGNORECASE,
)


def _looks_like_dates(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    if pd.api.types.is_numeric_dtype(column):
        return False
    from .periods import read_periods  # the kit's one reader of dates
    from .validation import EquityKitError

    try:
        return read_periods(column, "x", categories=True).kind == "date"
    except EquityKitError:  # mostly dates, a few rows to fix: still the column of dates
        return True


def _as_measure(data: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(data[column], errors="coerce")
    if values.notna().mean() < 0.9:
        try:
            from .validation import as_binary

            values = as_binary(data, column)
        except Exception:
            pass
    return values


@_exercise("06_columns", "06_bring_your_own_data", 'a dictionary mapping "x" (the date) and "y" (the outcome) to columns of your data.')
def _check_columns(answer: Any, data: pd.DataFrame | None = None) -> tuple[bool, str]:
    if not isinstance(answer, Mapping) or not {"x", "y"} <= set(answer):
        return False, 'Keep the dictionary\'s shape: {"x": "<date column>", "y": "<outcome column>"}.'
    if data is None:
        return False, "Pass your data too, e.g. ek.check('06_columns', columns, data=mine)."
    names = [str(c) for c in data.columns]
    for role in ("x", "y", "n", "by"):
        value = answer.get(role)
        if role in ("n", "by") and value is None:
            continue
        if isinstance(value, (pd.Series, list, tuple)):
            return False, f'For {role}, write the column\'s name in quotation marks (e.g. "{names[0]}"), not the column itself.'
        if value not in names:
            import difflib

            close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
            near = f" Did you mean {close[0]!r}? Names must match exactly, capitals too." if close else ""
            return False, f"{value!r} is not a column of your data.{near} The columns are: {', '.join(names)}."
    x, y = answer["x"], answer["y"]
    if x == y:
        return False, "x and y are the same column: x is the date, y is what you measure."
    if not _looks_like_dates(data[x]):
        if _looks_like_dates(data[y]):
            return False, f"x and y are swapped: {y!r} holds the dates, so it is x; the outcome is y."
        return False, f"x should be the column of dates; {x!r} does not hold dates."
    if _looks_like_dates(data[y]):
        return False, f"{y!r} holds dates too: y is the outcome, what happened (e.g. attended or not)."
    values = _as_measure(data, y)
    if values.notna().mean() < 0.9:
        return False, f"y should be the outcome, a column of numbers or yes/no; {y!r} is mostly text (it says which group a row is in)."
    distinct = values.dropna().unique()
    binary = set(distinct) <= {0, 1}
    if _GROUPING_NAME.search(y) and not binary:
        return False, (f"{y!r} says which group each row is in (a characteristic), not the outcome. y is what happened "
                       "to each person, e.g. whether they attended; groups go in by= later.")
    if values.nunique() == len(values.dropna()) and len(values) > 20 and not binary and values.dropna().astype(float).apply(float.is_integer).all() and values.min() > 1000:
        return False, f"{y!r} looks like a reference number (different in every row), not the outcome."
    n = answer.get("n")
    if n is not None:
        total = pd.to_numeric(data[n], errors="coerce")
        if n in (x, y) or total.notna().mean() < 0.9:
            return False, f"n should be the total each count is out of, a column of numbers; {n!r} is not."
    by = answer.get("by")
    if by is not None and by in (x, y):
        return False, "by is the column of groups (e.g. deprivation decile), not the date or the outcome."
    return True, "Yes - the kit now knows which column is the date and which is the outcome."
