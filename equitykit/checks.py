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
        return any(v is Ellipsis for v in answer.values())
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


def effect_on_gap(gap_before: float, gap_after: float, tolerance: float = 0.5) -> str:
    """Classify a change in a gap: ``"narrowed"``, ``"maintained"`` or ``"widened"``.

    Gaps are sizes (absolute differences between two groups) in the same units;
    a change smaller than ``tolerance`` counts as maintained. This is the simple
    arithmetic of notebook 00; real data also need the evidence that the change
    is more than chance (``equitykit.equity_lens``).

    Example
    -------
    >>> effect_on_gap(8, 3)
    'narrowed'
    """
    change = abs(gap_after) - abs(gap_before)
    if change <= -tolerance:
        return "narrowed"
    if change >= tolerance:
        return "widened"
    return "maintained"


_EFFECT_WORDS = {
    "narrowed": {"narrowed", "narrow", "narrows", "narrowing", "closed", "smaller", "reduced"},
    "maintained": {"maintained", "maintain", "maintains", "maintaining", "same", "kept", "unchanged"},
    "widened": {"widened", "widen", "widens", "widening", "bigger", "larger", "grew", "increased"},
}


def _as_effect(answer: Any) -> str | None:
    word = _word(answer)
    for effect, words in _EFFECT_WORDS.items():
        if word in words:
            return effect
    return None


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
        if isinstance(answer, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", answer):
            return False, "Nearly: write the number without quotation marks, e.g. gap_after = 10 - 4."
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
    table = _table(answer)
    if table is None:
        return False, "Make a result with ek.disaggregate(...) and give it a name, e.g. by_age = ek.disaggregate(appts, ...)."
    group_col = _find_column(table, "group", containing="group")
    if group_col is None or "is_reference" not in table.columns:
        return False, "This does not look like the result of ek.disaggregate(...): use that function."
    groups = {_label(g) for g in table[group_col]}
    if data is not None and column in data.columns:
        wanted = {_label(g) for g in data[column].dropna().unique()}
        if not wanted <= groups:
            return False, "These groups are not the age bands: set by= to the appointments' age band column."
    rate_col = _find_column(table, "rate")
    refs = table[table["is_reference"].astype(bool)]
    if len(refs) != 1:
        return False, 'Compare every age band with one group, the one with the best outcome: reference="best".'
    if rate_col is not None:
        rates = pd.to_numeric(table[rate_col], errors="coerce")
        if not math.isclose(float(refs[rate_col].iloc[0]), float(rates.min()), rel_tol=1e-9, abs_tol=1e-12):
            return False, 'The reference should be the group with the best outcome (the fewest missed appointments): reference="best".'
    return True, "Yes - every age band is compared with the group that misses the fewest appointments."


@_exercise("01_under_represented", "01_identify_the_gap", "the name of the group most under-represented in referrals, as text.")
def _check_under_represented(answer: Any, result: Any = None) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, 'Write the group\'s name in quotation marks, exactly as it appears in the table, e.g. "Mixed".'
    table = _table(result)
    if table is None:
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
    if _label(answer) not in set(labels):
        return False, "That is not one of the groups in the table: copy a name from its group column."
    lowest = labels[ratios.idxmin()]
    highest = labels[ratios.idxmax()]
    if _label(answer) == lowest:
        return True, "Yes - that group's share of referrals is furthest below its share of the local population."
    if _label(answer) == highest:
        return False, "That group is the most over-represented. Look for the smallest representation ratio."
    return False, "Under-represented means a ratio below 1. Which group has the smallest ratio?"


# --- 02 understand the gap ---------------------------------------------------------

_REVIEW_PARTS = {
    "service and public-health data": ("data", "record", "statistic", "public health", "service data", "figures", "dashboard"),
    "the people who work with and support the population": (
        "staff", "voluntary", "community", "organisation", "organization", "support", "worker", "partner", "charit",
    ),
    "people with lived experience": ("lived", "experience", "service user", "patient", "carer", "people who use", "residents"),
}


@_exercise("02_review_parts", "02_understand_the_gap", "a list of the three parts of a data review, each in a few words.")
def _check_review_parts(answer: Any) -> tuple[bool, str]:
    if callable(getattr(answer, "parts_to_do", None)):  # an ek.DataReview with findings recorded
        todo = answer.parts_to_do()
        if not todo:
            return True, "Yes - all three parts of the review have findings: each sees what the others miss."
        return False, f"One part has no findings yet: {todo[0]}. Record what you found there."
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        return False, 'Make a list of three pieces of text in square brackets: ["...", "...", "..."].'
    if len(answer) != 3 or not all(isinstance(a, str) and a.strip() for a in answer):
        return False, "The list should hold three short pieces of text, one for each part of the review."
    covered = set()
    for text in answer:
        low = text.lower()
        for part, words in _REVIEW_PARTS.items():
            if any(w in low for w in words):
                covered.add(part)
    missing = [p for p in _REVIEW_PARTS if p not in covered]
    if not missing:
        return True, "Yes - numbers, the people around the population, and lived experience: each sees what the others miss."
    if "people with lived experience" in missing:
        return False, "One part is missing: whose experience of the service matters most, and how would you hear it?"
    if "service and public-health data" in missing:
        return False, "One part is missing: what do the service's own figures and public-health data say?"
    return False, "One part is missing: who works with and supports this population, inside and outside the NHS?"


@_exercise("02_fishbone", "02_understand_the_gap", "ek.Fishbone(effect=..., causes={category: [causes]}) with at least three categories.")
def _check_fishbone(answer: Any) -> tuple[bool, str]:
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

@_exercise("03_aim", "03_strategy_and_change_ideas", "an aim statement as text that names the inequity, the group, how much and by when.")
def _check_aim(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str) or len(answer.split()) < 5:
        return False, 'Write your aim as a sentence in quotation marks, e.g. "To increase ... for ... from ...% to ...% by ...".'
    import equitykit

    found = equitykit.check_aim(answer)
    if found.ok:
        return True, "Yes - the aim names the inequity and the group, says how much, and by when."
    first = found.missing[0]
    return False, f"Your aim still needs its '{first}'. {found.reasons.get(first, '')}".strip()


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


@_exercise("03_measure_types", "03_strategy_and_change_ideas", 'a dictionary giving each measure the type "outcome", "process" or "balancing".')
def _check_measure_types(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, Mapping):
        return False, 'Keep the dictionary from the cell: {"referrals_share": "...", "fear_score": "...", "wait": "..."}.'
    missing = [k for k in _MEASURE_TYPES if k not in answer]
    if missing:
        return False, f"The dictionary lost a measure: {', '.join(missing)}. Keep all three names on the left."
    types = {k: _word(v) for k, v in answer.items() if k in _MEASURE_TYPES}
    unknown = [k for k, v in types.items() if v not in ("outcome", "process", "balancing")]
    if unknown:
        return False, f'Give {unknown[0]} one of the words "outcome", "process" or "balancing".'
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
}


@_exercise("04_chart_choice", "04_test_changes", 'the SPC chart type, as text (e.g. "c"), for a percentage of people each month.')
def _check_chart_choice(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        return False, 'Write the chart type in quotation marks, e.g. "run" or "c".'
    word = _word(answer).replace(" chart", "").replace("chart", "").strip()
    word = {"xmr": "i", "p prime": "pp", "p'": "pp"}.get(word, word)
    if word in (_CHART_FOR_KIND["classification"], "pp"):
        return True, "Yes - people out of a total each month is a proportion: a P chart, with limits that move with the month's total."
    if word in _CHART_HINTS:
        return False, f"Not that one: {_CHART_HINTS[word]}"
    return False, 'Use one of the chart types: "run", "i", "c", "u", "p", "g", "t".'


@_exercise("04_ward_chart", "04_test_changes", "ek.spc(...) of the ward's racist incidents: a C chart with a phase for each stage.")
def _check_ward_chart(answer: Any) -> tuple[bool, str]:
    table = _table(answer)
    if table is None or "cl" not in table.columns:
        return False, "Make the chart with ek.spc(...) and give the result a name, e.g. ward = ek.spc(incidents, ...)."
    rows = table.dropna(subset=["cl"])
    if "ucl" not in rows.columns or rows["ucl"].isna().all():
        return False, 'A run chart has no limits: choose chart="c" for counts of incidents.'
    spread = (rows["ucl"] - rows["cl"]).to_numpy(dtype=float)
    expected = 3 * rows["cl"].clip(lower=0).pow(0.5).to_numpy(dtype=float)
    if not all(abs(s - e) < 1e-6 for s, e in zip(spread, expected)):
        return False, 'These limits are not those of a C chart: choose chart="c" for counts of incidents each fortnight.'
    if "phase" not in rows.columns or rows["phase"].nunique() < 2:
        return False, 'Give each stage of the project its own limits: phase="phase".'
    first, last = rows.groupby("phase", sort=False)["cl"].mean().iloc[[0, -1]]
    if not last < first:
        return False, "The centre line should fall from the first phase to the last; check y= is the incidents column."
    return True, "Yes - a C chart with its limits recalculated for each phase: the centre line falls after the changes."


# --- 05 implement and sustain -----------------------------------------------------------

@_exercise("05_frozen", "05_implement_and_sustain", "ek.spc(...) of the early-intervention P chart with its limits frozen on the baseline months.")
def _check_frozen(answer: Any, data: pd.DataFrame | None = None) -> tuple[bool, str]:
    table = _table(answer)
    if table is None or "cl" not in table.columns:
        return False, "Make the chart with ek.spc(...) and give the result a name, e.g. frozen = ek.spc(ei, ...)."
    baseline_col = _find_column(table, "baseline")
    if baseline_col is None:
        return False, "This result does not say which points are the baseline: use ek.spc(..., freeze=...)."
    n_baseline = int(table[baseline_col].astype(bool).sum())
    if n_baseline == len(table):
        return False, "Every point is in the baseline: freeze the limits on the first months only, with freeze=."
    if data is not None and "phase" in data.columns:
        wanted = int((data["phase"].astype("string").str.lower() == "baseline").sum())
        if n_baseline != wanted:
            return False, "Freeze the limits on the baseline months: count the rows whose phase is baseline, and use that number as freeze=."
    if table["cl"].nunique() != 1:
        return False, "With frozen limits there is one centre line for the whole chart: leave out phase= here."
    ucl = pd.to_numeric(table["ucl"], errors="coerce") if "ucl" in table.columns else None
    if ucl is None or ucl.isna().all():
        return False, 'A run chart has no limits to freeze: use a P chart (chart="p") with the people as y= and the total as n=.'
    if ucl.round(12).nunique() == 1:
        # P chart limits move with each month's total; flat limits mean another chart type.
        return False, 'These limits do not move with each month\'s total: use chart="p", with the people as y= and the total as n=.'
    return True, "Yes - the limits come from the baseline months and carry on, so every later month is judged against the starting point."


@_exercise("05_sustain_missing", "05_implement_and_sustain", "the one sustain activity the team has not planned, in a word or two.")
def _check_sustain_missing(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str) or not answer.strip():
        return False, 'Write the activity in quotation marks, e.g. "documentation".'
    low = answer.lower()
    if "train" in low or "teach" in low or "educat" in low:
        return True, "Yes - without training, new staff will not know the new way of working, and the gains slip."
    planned = ("standard", "polic", "procedure", "document", "measur", "resourc", "fund", "social", "culture")
    if any(p in low for p in planned):
        return False, "The team has already planned that one. Which activity on the checklist is not in their plan?"
    return False, "Compare the team's plan with the sustain checklist above: which activity is missing?"


# --- 06 bring your own data ---------------------------------------------------------------

@_exercise("06_columns", "06_bring_your_own_data", 'a dictionary mapping "x" (the date) and "y" (the outcome) to columns of your data.')
def _check_columns(answer: Any, data: pd.DataFrame | None = None) -> tuple[bool, str]:
    if not isinstance(answer, Mapping) or not {"x", "y"} <= set(answer):
        return False, 'Keep the dictionary\'s shape: {"x": "<date column>", "y": "<outcome column>"}.'
    if data is None:
        return False, "Pass your data too, e.g. ek.check('06_columns', columns, data=mine)."
    names = list(data.columns)
    for role in ("x", "y", "n"):
        value = answer.get(role)
        if role == "n" and value is None:
            continue
        if value not in names:
            return False, f"{value!r} is not a column of your data. The columns are: {', '.join(map(str, names))}."
    x = data[answer["x"]]
    if not pd.api.types.is_datetime64_any_dtype(x):
        parsed = pd.to_datetime(x.astype("string"), errors="coerce", format="mixed")
        if parsed.notna().mean() < 0.9:
            return False, f"x should be the column of dates; {answer['x']!r} does not hold dates."
    y = pd.to_numeric(data[answer["y"]], errors="coerce")
    if y.notna().mean() < 0.9:
        try:
            from .validation import as_binary

            y = as_binary(data, answer["y"])
        except Exception:
            pass
    if y.notna().mean() < 0.9:
        return False, f"y should be the outcome, a column of numbers or yes/no; {answer['y']!r} is mostly text."
    return True, "Yes - the kit now knows which column is the date and which is the outcome."
