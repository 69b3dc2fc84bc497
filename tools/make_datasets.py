"""Make the kit's teaching datasets (data/*.csv) from one fixed seed: a maintainer's tool.

Every dataset in ``data/`` is made here, for a fictional trust (Riverside NHS
Foundation Trust) and its fictional wards, teams and borough. No row
describes a real person. What each dataset is (name, description, step,
columns) lives in the kit's catalogue, ``equitykit.datasets.DATASETS``; this
tool holds only how each one is drawn. It is not part of the installed kit:
the package reads the files it wrote.

Regenerate the files (same seed, byte-identical files) with::

    python tools/make_datasets.py            # writes into data/
    python tools/make_datasets.py --out DIR  # writes somewhere else
"""
from __future__ import annotations

import argparse
import csv
import io
import warnings
import zlib
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from equitykit.datasets import DATASETS, dataset
from equitykit.files import atomic_write_bytes

__all__ = ["DATA_DIR", "SEED", "TRUST", "generate_datasets"]

#: The repository's data/ folder: the files the kit ships.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: The one seed every bundled dataset is made from.
SEED = 20200810

#: The fictional organisation the data describe.
TRUST = "Riverside NHS Foundation Trust"

#: A file above this size triggers a warning: the kit must stay small enough to commit.
MAX_FILE_BYTES = 5 * 1024 * 1024

Rows = list[list[Any]]


class _Columns(list):
    """Column-wise text for a large dataset whose values never need CSV quoting."""


# Phases used by every time series, in order.
BASELINE, TESTING, AFTER = "baseline", "testing", "after changes"

# ONS 2021 high-level ethnic groups, as short labels, plus "Not stated".
ETHNIC_GROUPS = ("White", "Asian", "Black", "Mixed", "Other", "Not stated")


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, name: str, attempt: int | None = None) -> np.random.Generator:
    """An independent random stream per dataset, so changing one never changes another."""
    key = [seed, zlib.crc32(name.encode())]
    if attempt is not None:
        key.append(attempt)
    return np.random.default_rng(key)


def _search(seed: int, name: str, make: Callable[[np.random.Generator], Any],
            accept: Callable[[Any], bool], tries: int = 5000) -> Any:
    """Draw with attempt 0, 1, 2, ... and keep the first draw meeting ``accept``.

    Deterministic: the same seed always lands on the same attempt.
    """
    for attempt in range(tries):
        drawn = make(_rng(seed, name, attempt))
        if accept(drawn):
            return drawn
    raise RuntimeError(f"no draw for {name!r} met its teaching criterion in {tries} tries")


def _iso(day: date) -> str:
    return day.isoformat()


def _months(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first + "-01"), date.fromisoformat(last + "-01")
    out = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_phase(day: date, testing_from: str, after_from: str) -> str:
    if day < date.fromisoformat(testing_from):
        return BASELINE
    if day < date.fromisoformat(after_from):
        return TESTING
    return AFTER


def _csv_bytes(header: Sequence[str], rows: Rows | _Columns) -> bytes:
    if isinstance(rows, _Columns):  # fast path: plain values, joined directly
        lines = [",".join(header)]
        lines.extend(map(",".join, zip(*rows)))
        return ("\n".join(lines) + "\n").encode("utf-8")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- step 1

TEAMS = ("CMHT East", "CMHT West", "Psychology", "Memory", "Perinatal", "Physio")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
_AGE_EDGES = np.array([25, 35, 45, 55, 65, 75])


def _appointments(seed: int) -> _Columns:
    rng = _rng(seed, "appointments")
    n = 100_000
    first, last = date(2022, 4, 1), date(2024, 3, 31)
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    weekdays = np.array([d for d in days if d.weekday() < 5])
    when = np.sort(rng.integers(0, len(weekdays), n))

    # Deprivation: the trust's catchment leans towards the most deprived deciles.
    decile_p = np.array([16, 15, 14, 12, 10, 9, 8, 6, 5, 5], float)
    decile = rng.choice(np.arange(1, 11), n, p=decile_p / decile_p.sum())

    # Ethnicity depends on deprivation (minority groups live more often in the most
    # deprived areas), so part of the crude ethnicity gap is a deprivation gap.
    most = np.array([0.30, 0.32, 0.20, 0.05, 0.05, 0.08])
    least = np.array([0.62, 0.14, 0.07, 0.05, 0.04, 0.08])
    u = rng.random(n)
    ethnicity = np.empty(n, dtype=int)  # index into ETHNIC_GROUPS
    for d in range(1, 11):
        p = most + (least - most) * (d - 1) / 9
        sel = decile == d
        ethnicity[sel] = np.searchsorted(np.cumsum(p / p.sum()), u[sel], side="right").clip(0, 5)

    team_p = np.array([0.25, 0.24, 0.15, 0.10, 0.08, 0.18])
    team = rng.choice(len(TEAMS), n, p=team_p / team_p.sum())
    age = np.clip(rng.normal(44, 16, n), 18, 95)
    age = np.where(team == 3, np.clip(rng.normal(79, 7, n), 65, 99), age)  # memory
    age = np.where(team == 4, np.clip(rng.normal(31, 5, n), 18, 45), age)  # perinatal
    age = np.where(team == 5, np.clip(rng.normal(55, 17, n), 18, 95), age)  # physio
    age = np.floor(age).astype(int)
    band = np.searchsorted(_AGE_EDGES, age, side="right")
    female = (rng.random(n) < 0.55) | (team == 4)

    # Did not attend: log-odds built from deprivation, ethnicity and age, with a
    # wider deprivation gap among young adults (what a two-way breakdown finds).
    logit = np.full(n, -2.4)
    logit += 0.6 - 1.2 * (decile - 1) / 9
    # White, Asian, Black, Mixed, Other, Not stated
    logit += np.array([0.0, 0.1, 0.35, 0.2, 0.1, 0.45])[ethnicity]
    logit += np.array([0.6, 0.4, 0.15, 0.0, -0.2, -0.35, -0.1])[band]
    logit += np.where((band <= 1) & (decile <= 3), 0.3, 0.0)
    logit += np.where(female, 0.0, 0.15)
    logit += np.array([0.0, 0.0, 0.05, -0.2, -0.1, 0.1])[team]
    dna = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)

    def text(labels: Sequence[str], codes: np.ndarray) -> list[str]:
        return [labels[c] for c in codes.tolist()]

    day_text = [_iso(d) for d in weekdays]
    return _Columns([
        [f"A{i:06d}" for i in range(1, n + 1)],
        text(day_text, when),
        text(TEAMS, team),
        text([str(a) for a in range(100)], age),
        text(AGE_BANDS, band),
        text(["M", "F"], female.astype(int)),
        text(ETHNIC_GROUPS, ethnicity),
        text([str(d) for d in range(11)], decile),
        text(["0", "1"], dna),
    ])


# (short label, ONS 2021 high-level group, borough population share %,
#  referral rate relative to the borough average)
_ONS_GROUPS = (
    ("White British", "White", 24.0, 1.40),
    ("White Irish", "White", 1.2, 1.30),
    ("Gypsy or Irish Traveller", "White", 0.1, 0.80),
    ("Roma", "White", 0.4, 0.50),
    ("Other White", "White", 13.0, 1.15),
    ("White and Asian", "Mixed", 1.0, 1.10),
    ("White and Black African", "Mixed", 0.8, 1.00),
    ("White and Black Caribbean", "Mixed", 1.1, 1.20),
    ("Other Mixed", "Mixed", 1.5, 1.15),
    ("Bangladeshi", "Asian", 17.0, 0.50),
    ("Chinese", "Asian", 1.8, 0.45),
    ("Indian", "Asian", 6.5, 0.80),
    ("Pakistani", "Asian", 4.0, 0.60),
    ("Other Asian", "Asian", 4.2, 0.70),
    ("African", "Black", 8.5, 0.55),
    ("Caribbean", "Black", 3.6, 0.75),
    ("Other Black", "Black", 1.6, 0.60),
    ("Arab", "Other", 1.2, 0.60),
    ("Any other ethnic group", "Other", 3.5, 0.80),
)


def _population_by_ethnicity(seed: int) -> Rows:
    rng = _rng(seed, "population_by_ethnicity")
    shares = np.array([g[2] for g in _ONS_GROUPS])
    expected = 280_000 * shares / shares.sum()
    counts = np.round(rng.normal(expected, np.sqrt(expected)) / 5) * 5  # census-style rounding
    return [[label, group, int(c)] for (label, group, _, _), c in zip(_ONS_GROUPS, counts)]


def _referrals_by_ethnicity(seed: int) -> Rows:
    rng = _rng(seed, "referrals_by_ethnicity")
    population = np.array([row[2] for row in _population_by_ethnicity(seed)], float)
    relative = np.array([g[3] for g in _ONS_GROUPS])
    expected = 6_000 * population * relative / (population * relative).sum()
    counts = rng.poisson(expected)
    rows = [[label, group, int(c)] for (label, group, _, _), c in zip(_ONS_GROUPS, counts)]
    rows.append(["Not stated", "Not stated", int(rng.poisson(380))])
    return rows


# --------------------------------------------------------------------------- step 4: the ward

WARD = "Kingfisher Ward"
_WARD_START = date(2020, 8, 10) - timedelta(weeks=2 * 24)  # 24 baseline fortnights
_WARD_TESTING = date(2020, 9, 21)
_WARD_AFTER = date(2020, 12, 28)
_WARD_FORTNIGHTS = 57
WARD_CHANGES = {
    date(2020, 9, 21): "Post-incident action plan flow chart",
    date(2020, 10, 19): "Safety cross reviewed at safety huddles",
    date(2020, 11, 16): "Racial trauma and bias training co-designed",
}


@lru_cache(maxsize=4)
def _ward_counts(seed: int) -> tuple[tuple[date, int], ...]:
    starts = [_WARD_START + timedelta(weeks=2 * k) for k in range(_WARD_FORTNIGHTS)]
    n_base = sum(s < _WARD_TESTING for s in starts)
    n_after = sum(s >= _WARD_AFTER for s in starts)
    n_test = len(starts) - n_base - n_after
    mean = np.concatenate([
        np.full(n_base, 2.0),
        np.linspace(1.6, 0.5, n_test),
        np.full(n_after, 0.3),
    ])
    published = [i for i, s in enumerate(starts) if date(2020, 8, 10) <= s < _WARD_TESTING]

    def accept(counts: np.ndarray) -> bool:
        base, after = counts[:n_base], counts[-n_after:]
        return (
            abs(base.mean() - 2.0) <= 0.05          # baseline near 2 a fortnight
            and abs(after.mean() - 0.3) <= 0.04     # after the changes near 0.3
            and counts[published].sum() == 2 * len(published)  # 10 Aug-20 Sep 2020: exactly 2
            and base.max() <= 6                     # no special cause inside the baseline
        )

    counts = _search(seed, "ward_incidents", lambda r: r.poisson(mean), accept)
    return tuple((s, int(c)) for s, c in zip(starts, counts))


def _ward_incidents(seed: int) -> Rows:
    rows = []
    for start, count in _ward_counts(seed):
        phase = BASELINE if start < _WARD_TESTING else TESTING if start < _WARD_AFTER else AFTER
        rows.append([_iso(start), count, phase, WARD_CHANGES.get(start, "")])
    return rows


INCIDENT_CATEGORIES = ("racist incident", "violence", "self-harm", "other")


def _ward_incident_log(seed: int) -> Rows:
    rng = _rng(seed, "ward_incident_log")
    events: list[tuple[date, int]] = []
    for start, racist in _ward_counts(seed):
        per_category = [racist, rng.poisson(2.5), rng.poisson(1.5), rng.poisson(2.0)]
        for cat, k in enumerate(per_category):
            for offset in rng.integers(0, 14, int(k)):
                events.append((start + timedelta(days=int(offset)), cat))
    events.sort()
    return [[f"INC{i + 1:04d}", _iso(day), INCIDENT_CATEGORIES[cat]]
            for i, (day, cat) in enumerate(events)]


_PDSA_CYCLES = (
    (1, "Post-incident action plan flow chart",
     "Use a one-page flow chart after every racist incident: crisis meeting within 24 hours "
     "and a senior manager sees the people affected the same day. Prediction: staff follow "
     "all six steps and the people affected say they felt supported.",
     "Used after two incidents, both on late shifts. The senior manager came the same day "
     "once and the next morning once.",
     "Staff followed five of the six steps; night staff did not know whom to call. Both "
     "people affected said they felt listened to.",
     "adapt", "2020-09-21", "2020-10-04"),
    (2, "Post-incident action plan flow chart",
     "Add the on-call senior manager's number and a night-shift route to the flow chart and "
     "put it up in the nursing office. Prediction: all six steps followed, day or night.",
     "Used after one incident at night.",
     "All six steps followed; the on-call manager saw the service user and the nurse within "
     "an hour.",
     "adopt", "2020-10-05", "2020-10-18"),
    (3, "Safety cross reviewed at safety huddles",
     "Mark every day on a safety cross in the nursing office, a grey dot for a racist "
     "incident, and review it at the morning safety huddle. Prediction: racist incidents "
     "are talked about at 9 of 10 huddles.",
     "Safety cross kept for two weeks by the nurse in charge.",
     "Talked about at 7 of 10 huddles. Service users asked why they could not see it.",
     "adapt", "2020-10-19", "2020-11-01"),
    (4, "Safety cross reviewed at safety huddles",
     "Service users present the safety cross at the weekly community meeting. Prediction: "
     "service users will present it both weeks and raise at least one idea.",
     "Two service users presented it at both community meetings.",
     "Presented both weeks; a long discussion of what racism looks like on the ward and "
     "three ideas for the training.",
     "adopt", "2020-11-02", "2020-11-15"),
    (5, "Zero-tolerance posters in corridors",
     "Put up posters saying racism will not be tolerated. Prediction: fewer incidents "
     "within two weeks.",
     "Six posters put up in corridors and the dining room.",
     "No change in incidents; several service users said the posters felt like blame "
     "aimed at them.",
     "abandon", "2020-11-02", "2020-11-15"),
    (6, "Racial trauma and bias training co-designed",
     "Pilot one training session co-designed with two service users and ward staff. "
     "Prediction: 8 of 10 staff who attend feel more confident to respond to racism.",
     "One session with 11 staff, co-facilitated by a service user.",
     "9 of 11 felt more confident; they asked for scenarios taken from the ward.",
     "adapt", "2020-11-16", "2020-11-29"),
    (7, "Racial trauma and bias training co-designed",
     "Run the training with ward scenarios on every shift. Prediction: 30 of the 40 ward "
     "staff trained by the end of December.",
     "Eight sessions across early, late and night shifts.",
     "34 of 40 staff trained; racist incidents fell to well below the baseline.",
     "adopt", "2020-11-30", "2020-12-27"),
)


def _pdsa_log(seed: int) -> Rows:
    return [list(cycle) for cycle in _PDSA_CYCLES]


# --------------------------------------------------------------------------- step 4: services


def _binomial_series(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    return rng.binomial(n.astype(np.int64), p)


EI_CHANGES = {
    date(2020, 7, 1): "Buddy system with staff of a similar culture",
    date(2020, 9, 1): "Invite people recently discharged from inpatient wards",
    date(2020, 11, 1): "Family therapy offer",
}


def _ei_access(seed: int) -> Rows:
    months = _months("2019-07", "2021-12")
    phase = [_month_phase(m, "2020-07-01", "2021-01-01") for m in months]
    n_test = phase.count(TESTING)
    p = np.array([0.67 if ph == BASELINE else 0.85 for ph in phase])
    test_idx = [i for i, ph in enumerate(phase) if ph == TESTING]
    p[test_idx] = np.linspace(0.70, 0.84, n_test)
    first_half_2020 = np.array([date(2020, 1, 1) <= m < date(2020, 7, 1) for m in months])
    base = np.array([ph == BASELINE for ph in phase])
    after = np.array([ph == AFTER for ph in phase])

    def make(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        users = rng.poisson(np.linspace(130, 150, len(months)))
        return _binomial_series(rng, users, p), users

    def accept(drawn: tuple[np.ndarray, np.ndarray]) -> bool:
        num, den = drawn
        pb = num[base].sum() / den[base].sum()
        limits = 3 * np.sqrt(pb * (1 - pb) / den[base])
        return (
            abs(num[first_half_2020].sum() / den[first_half_2020].sum() - 0.67) <= 0.01
            and abs(pb - 0.67) <= 0.01
            and abs(num[after].sum() / den[after].sum() - 0.85) <= 0.01
            and bool(np.all(np.abs(num[base] / den[base] - pb) < limits))
        )

    num, den = _search(seed, "ei_access", make, accept)
    return [[_iso(m), int(a), int(b), ph, EI_CHANGES.get(m, "")]
            for m, a, b, ph in zip(months, num, den, phase)]


SCREENING_CHANGES = {
    date(2022, 10, 1): "Evening and weekend clinics",
    date(2022, 11, 1): "Leaflets and visual aids translated into several languages",
    date(2022, 12, 1): "Personal letters from GPs",
}
AGE_GROUPS = ("24-49", "50-64")


def _cervical_screening(seed: int) -> Rows:
    months = _months("2021-04", "2024-03")
    phase = [_month_phase(m, "2022-10-01", "2023-01-01") for m in months]
    base = np.array([ph == BASELINE for ph in phase])
    after = np.array([ph == AFTER for ph in phase])
    test = np.array([ph == TESTING for ph in phase])
    targets = {"24-49": (0.54, 0.68), "50-64": (0.62, 0.71)}
    sizes = {"24-49": 1850, "50-64": 760}

    def rates(group: str) -> np.ndarray:
        before, later = targets[group]
        p = np.where(after, later, before)
        p[test] = before + (later - before) * np.arange(1, test.sum() + 1) / (test.sum() + 1)
        return p

    def make(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        out = {}
        for group in AGE_GROUPS:
            eligible = np.round(
                sizes[group] + np.linspace(0, 40, len(months)) + rng.normal(0, 8, len(months))
            ).astype(int)
            out[group] = (_binomial_series(rng, eligible, rates(group)), eligible)
        return out

    def accept(drawn: dict[str, tuple[np.ndarray, np.ndarray]]) -> bool:
        pct = {g: 100 * s / e for g, (s, e) in drawn.items()}
        for group in AGE_GROUPS:
            before, later = targets[group]
            if abs(pct[group][base].mean() - 100 * before) > 0.4:
                return False
            if abs(pct[group][after].mean() - 100 * later) > 0.4:
                return False
        gap = pct["50-64"] - pct["24-49"]
        centre = gap[base].mean()
        sigma = np.abs(np.diff(gap[base])).mean() / 1.128
        return (
            abs(centre - 8) <= 0.3
            and abs(gap[after].mean() - 3) <= 0.3
            and bool(np.all(np.abs(gap[base] - centre) < 3 * sigma))  # stable baseline
            and bool(np.all(gap[after] < centre))                     # a clear shift
        )

    drawn = _search(seed, "cervical_screening", make, accept)
    rows = []
    for i, (m, ph) in enumerate(zip(months, phase)):
        for group in AGE_GROUPS:
            screened, eligible = drawn[group]
            rows.append([_iso(m), group, int(screened[i]), int(eligible[i]), ph,
                         SCREENING_CHANGES.get(m, "")])
    return rows


TALKING_CHANGES = {
    date(2022, 10, 1): "Talks in barbers' shops with local community leaders",
    date(2022, 12, 1): "Staff who reflect the community at drop-in sessions",
    date(2023, 2, 1): "Myth-busting about therapy with young men",
}


def _talking_therapies(seed: int) -> Rows:
    months = _months("2021-04", "2023-12")
    phase = [_month_phase(m, "2022-10-01", "2023-04-01") for m in months]
    base = np.array([ph == BASELINE for ph in phase])
    after = np.array([ph == AFTER for ph in phase])
    test = np.array([ph == TESTING for ph in phase])
    p = np.where(after, 0.018, 0.015)
    p[test] = np.linspace(0.0155, 0.0175, test.sum())

    def make(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        referrals = rng.poisson(1900, len(months))
        return _binomial_series(rng, referrals, p), referrals

    def accept(drawn: tuple[np.ndarray, np.ndarray]) -> bool:
        k, n = drawn
        return (abs(k[base].sum() / n[base].sum() - 0.015) <= 0.0003
                and abs(k[after].sum() / n[after].sum() - 0.018) <= 0.0003)

    k, n = _search(seed, "talking_therapies", make, accept)
    return [[_iso(m), int(b), int(a), ph, TALKING_CHANGES.get(m, "")]
            for m, a, b, ph in zip(months, k, n, phase)]


# --------------------------------------------------------------------------- step 5: evaluation

LIKERT = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")

# (part, statement, counts of each LIKERT answer from Strongly disagree to Strongly agree)
_EVALUATION = (
    ("Part 1", "I understand what equity is", (0, 0, 0, 13, 17)),
    ("Part 1", "I understand what quality improvement is", (0, 0, 0, 18, 12)),
    ("Part 1", "I understand how QI can be applied to inequity", (0, 0, 4, 17, 9)),
    ("Part 2", "I understand how QI can be applied to inequity", (0, 0, 1, 8, 8)),
    ("Part 2", "I know one action I will take to identify an equity issue", (0, 1, 0, 9, 7)),
    ("Part 2", "I would recommend this workshop", (0, 0, 1, 5, 11)),
)


def _workshop_evaluation(seed: int) -> Rows:
    rng = _rng(seed, "workshop_evaluation")
    people = [f"P{i:02d}" for i in range(1, 31)]
    part2 = sorted(rng.choice(people, 17, replace=False).tolist())  # 17 of 30 came back
    rows = []
    for part, statement, counts in _EVALUATION:
        answers = [LIKERT[k] for k, c in enumerate(counts) for _ in range(c)]
        who = people if part == "Part 1" else part2
        assert len(answers) == len(who)
        for person, answer in zip(who, rng.permutation(answers)):
            rows.append([person, part, statement, str(answer)])
    rows.sort(key=lambda r: (r[1], r[0]))  # stable: keeps statement order within a person
    return rows


# --------------------------------------------------------------------------- the makers

#: How each dataset of the kit's catalogue is drawn: name -> function of the seed.
MAKERS: dict[str, Callable[[int], Rows | _Columns]] = {
    "appointments": _appointments,
    "referrals_by_ethnicity": _referrals_by_ethnicity,
    "population_by_ethnicity": _population_by_ethnicity,
    "talking_therapies": _talking_therapies,
    "ward_incidents": _ward_incidents,
    "ward_incident_log": _ward_incident_log,
    "pdsa_log": _pdsa_log,
    "ei_access": _ei_access,
    "cervical_screening": _cervical_screening,
    "workshop_evaluation": _workshop_evaluation,
}
assert list(MAKERS) == list(DATASETS), "every dataset in equitykit.datasets needs a maker here"


# --------------------------------------------------------------------------- public API


def generate_datasets(
    out: str | Path | None = None, seed: int = SEED, names: Sequence[str] | None = None
) -> dict[str, Path]:
    """Write every bundled dataset (or only ``names``) as CSV into ``out``.

    ``out`` defaults to the repository's data/ folder. The same seed always gives
    byte-identical files. A file above 5 MiB gives a warning.

    Returns
    -------
    dict
        Dataset name -> path of the file written.

    Example
    -------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = generate_datasets(folder, names=["pdsa_log", "ward_incidents"])
    ...     sorted(path.name for path in paths.values())
    ['pdsa_log.csv', 'ward_incidents.csv']
    """
    folder = Path(out) if out is not None else DATA_DIR
    for name in names or ():
        dataset(name)  # a clear error for an unknown name before anything is written
    written = {}
    for name, spec in DATASETS.items():
        if names is not None and name not in names:
            continue
        data = _csv_bytes(list(spec.columns), MAKERS[name](seed))
        if len(data) > MAX_FILE_BYTES:
            warnings.warn(
                f"{name}.csv is {len(data) / 2**20:.1f} MiB, above the 5 MiB the kit allows "
                "for one file: make it smaller before committing.",
                stacklevel=2,
            )
        written[name] = atomic_write_bytes(folder / f"{name}.csv", data)
        written[name].chmod(0o644)  # readable like any file in a clone, not private to one user
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python tools/make_datasets.py [--out DIR] [--seed N] [--only NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python tools/make_datasets.py",
        description=f"Write the kit's synthetic datasets ({TRUST}, fictional) as CSV files.",
    )
    parser.add_argument("--out", default=str(DATA_DIR), help="folder to write into")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="write only these datasets")
    args = parser.parse_args(argv)
    for name, path in generate_datasets(args.out, args.seed, args.only).items():
        print(f"{name:<24} {path.stat().st_size:>10,} bytes  {path}")  # noqa: T201 (CLI)


if __name__ == "__main__":
    main()
